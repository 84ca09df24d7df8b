// DumpIndex: per-dump lookup tables for the editor features, and the per-workspace line index.
#include "lsp/DumpIndex.h"

#include <algorithm>
#include <map>
#include <utility>

namespace heaplens::lsp {

DumpIndex::DumpIndex(const Dump& d) {
  const HeapGraph& g = d.graph;
  const uint32_t n = g.nodeCount();
  const uint32_t sites = g.siteCount();

  siteFirst.assign(sites + 1, 0);
  siteIsFrame.assign(sites, 0);
  for (NodeId v = 0; v < n; ++v)
    if (g.site[v] != kNoSite && g.site[v] < sites) ++siteFirst[g.site[v] + 1];
  for (uint32_t s = 0; s < sites; ++s) siteFirst[s + 1] += siteFirst[s];
  siteNodes.resize(siteFirst[sites]);
  std::vector<uint32_t> fill(siteFirst.begin(), siteFirst.end() - 1);
  for (NodeId v = 0; v < n; ++v) {
    SiteId s = g.site[v];
    if (s == kNoSite || s >= sites) continue;
    siteNodes[fill[s]++] = v;
    if (g.kind(v) == NodeKind::Frame) siteIsFrame[s] = 1;
  }

  domTree = buildDominatorTree(d.idom);
  // Objects per dominator subtree: children before parents, in reverse breadth-first order.
  retainedObjects.assign(n, 0);
  for (NodeId v = 0; v < n; ++v) retainedObjects[v] = g.kind(v) == NodeKind::Object ? 1 : 0;
  if (n > 0) {
    std::vector<NodeId> order;
    order.reserve(n);
    order.push_back(kSuperRoot);
    for (size_t i = 0; i < order.size(); ++i) {
      NodeId v = order[i];
      for (uint32_t c = domTree.first[v]; c < domTree.first[v + 1]; ++c) order.push_back(domTree.children[c]);
    }
    for (size_t i = order.size(); i-- > 1;) {
      NodeId v = order[i];
      retainedObjects[d.idom[v]] += retainedObjects[v];
    }
  }
  liveBytes = d.retained.empty() ? 0 : d.retained[kSuperRoot];
  aggregates = aggregateByTypeAndSite(d, {}, &domTree);
}

const GroupStats* DumpIndex::typeStats(TypeId t) const {
  // aggregates.types is in increasing type order.
  auto it = std::lower_bound(aggregates.types.begin(), aggregates.types.end(), t,
                             [](const TypeAggregate& a, TypeId id) { return a.type < id; });
  return it != aggregates.types.end() && it->type == t ? &it->stats : nullptr;
}

const std::vector<LineEntry>* SourceIndex::linesOf(const std::string& path) const {
  auto it = byFile.find(path);
  return it == byFile.end() ? nullptr : &it->second;
}

SourceIndex buildSourceIndex(const Dump& d, const DumpIndex& index, const SourceMap& sourceMap) {
  const HeapGraph& g = d.graph;
  SourceIndex result;
  result.generation = sourceMap.generation();

  // Whether each recorded file lies in the workspace, decided once per string.
  std::vector<int8_t> accepted(g.strings.size(), -1);
  FileFilter accept = [&](StringId file) {
    if (file >= accepted.size()) return false;
    if (accepted[file] < 0) accepted[file] = sourceMap.isWorkspace(g.str(file)) ? 1 : 0;
    return accepted[file] == 1;
  };

  // (local path, line, frames) -> entry; merges dump paths that map onto the same local file.
  std::map<std::tuple<std::string, uint32_t, bool>, LineEntry> merged;
  auto add = [&](StringId file, uint32_t line, bool frames, const GroupStats& stats,
                 const std::vector<SiteId>& sites) {
    std::optional<MappedPath> mapped = sourceMap.map(g.str(file));
    if (!mapped) return;
    LineEntry& e = merged[{mapped->localPath, line, frames}];
    e.line = line;
    e.frames = frames;
    e.stats.count += stats.count;
    e.stats.shallowBytes += stats.shallowBytes;
    e.stats.retainedBytes += stats.retainedBytes;
    for (SiteId s : sites) {
      e.sites.push_back(s);
      for (NodeId v : index.nodesOfSite(s)) {
        e.retainedObjects += index.retainedObjects[v];
        if (e.representative == kNoNode || d.retained[v] > d.retained[e.representative]) e.representative = v;
      }
    }
  };

  for (const LineAggregate& la : aggregateByLine(d, accept, Attribution::Flat, {}, &index.domTree))
    add(la.file, la.line, false, la.stats, la.sites);

  for (const SiteAggregate& sa : index.aggregates.sites) {
    if (sa.site >= index.siteIsFrame.size() || !index.siteIsFrame[sa.site]) continue;
    auto frames = g.frames(sa.site);
    if (frames.empty()) continue;
    const SourceLocation& loc = g.locations[frames.front()];
    if (!accept(loc.file)) continue;
    add(loc.file, loc.line, true, sa.stats, {sa.site});
  }

  for (auto& [key, entry] : merged) result.byFile[std::get<0>(key)].push_back(std::move(entry));
  for (auto& [path, lines] : result.byFile)
    std::stable_sort(lines.begin(), lines.end(), [](const LineEntry& a, const LineEntry& b) { return a.line < b.line; });
  return result;
}

}  // namespace heaplens::lsp
