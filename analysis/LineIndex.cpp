// LineIndex: per-heap lookup tables, and the per-workspace line index fed by every part.
//
// Threading: see LineIndex.h.
#include "analysis/LineIndex.h"

#include <algorithm>
#include <map>
#include <utility>

namespace heaplens {

HeapIndex::HeapIndex(const HeapPart& d) {
  const HeapGraph& g = d.graph;
  const uint32_t n = g.nodeCount();
  const uint32_t sites = g.siteCount();

  // The tree first, while nothing else of this index is held: its scratch is the largest part of
  // the index's peak (V8 target snapshot of bench/v8.sh: the report's peak memory).
  domTree = buildDominatorTree(d.idom);
  countSubtreeObjects(g, domTree);
  liveBytes = d.liveBytes();
  aggregates = aggregateByTypeAndSite(d, {}, &domTree);
  domTree.objectsBefore = {};  // 4 bytes a node more at the peak; retainedObjects() counts instead

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

  typeRepresentative.assign(g.typeCount(), kNoNode);
  for (NodeId v = 0; v < n; ++v) {
    const TypeId t = g.type[v];
    if (t >= typeRepresentative.size() || g.kind(v) != NodeKind::Object) continue;
    NodeId& best = typeRepresentative[t];
    if (best == kNoNode || d.retained[v] > d.retained[best]) best = v;
  }
}

uint32_t HeapIndex::retainedObjects(const HeapGraph& g, NodeId v) const {
  if (!domTree.contains(v)) return v < g.nodeCount() && g.kind(v) == NodeKind::Object ? 1 : 0;
  uint32_t objects = 0;  // asked for a few nodes (a hover's lexicals): counted over the subtree's range
  for (NodeId u : domTree.subtree(v)) objects += g.kind(u) == NodeKind::Object ? 1 : 0;
  return objects;
}

TypeId HeapIndex::typeNamed(const HeapGraph& g, std::string_view name) const {
  for (TypeId t = 1; t < g.typeCount(); ++t)
    if (g.str(g.typeName[t]) == name) return t;
  return kNoType;
}

const GroupStats* HeapIndex::typeStats(TypeId t) const {
  // aggregates.types is in increasing type order.
  auto it = std::lower_bound(aggregates.types.begin(), aggregates.types.end(), t,
                             [](const TypeAggregate& a, TypeId id) { return a.type < id; });
  return it != aggregates.types.end() && it->type == t ? &it->stats : nullptr;
}

const std::vector<LineEntry>* LineIndex::linesOf(const std::string& path) const {
  auto it = byFile.find(path);
  return it == byFile.end() ? nullptr : &it->second;
}

namespace {

// (local path, line, kind) -> entry: merges dump paths that map onto the same local file.
class LineCollector {
public:
  explicit LineCollector(const SourceMap& sourceMap) : sourceMap_(sourceMap) {}
  // The entry for a recorded file and line, or nullptr when the file is not in the workspace.
  LineEntry* at(std::string_view recordedFile, uint32_t line, LineKind kind) {
    std::optional<MappedPath> mapped = sourceMap_.map(recordedFile);
    if (!mapped) return nullptr;
    return atLocal(mapped->localPath, line, kind);
  }
  // The entry for a workspace file already resolved.
  LineEntry* atLocal(const std::string& localPath, uint32_t line, LineKind kind) {
    LineEntry& e = merged_[{localPath, line, kind}];
    e.line = line;
    e.kind = kind;
    return &e;
  }
  void into(LineIndex& out) {
    for (auto& [key, entry] : merged_) out.byFile[std::get<0>(key)].push_back(std::move(entry));
    for (auto& [path, lines] : out.byFile)
      std::stable_sort(lines.begin(), lines.end(), [](const LineEntry& a, const LineEntry& b) {
        return a.line != b.line ? a.line < b.line : a.kind < b.kind;
      });
  }

private:
  const SourceMap& sourceMap_;
  std::map<std::tuple<std::string, uint32_t, LineKind>, LineEntry> merged_;
};

void addStats(GroupStats& to, const GroupStats& from) {
  to.count += from.count;
  to.shallowBytes += from.shallowBytes;
  to.retainedBytes += from.retainedBytes;
  to.retainedObjects += from.retainedObjects;
}

void addHeap(const HeapPart& heap, const HeapIndex& index, const SourceMap& sourceMap, LineCollector& lines) {
  const HeapGraph& g = heap.graph;
  // Whether each recorded file lies in the workspace, decided once per string.
  std::vector<int8_t> accepted(g.strings().size(), -1);
  FileFilter accept = [&](StringId file) {
    if (file >= accepted.size()) return false;
    if (accepted[file] < 0) accepted[file] = sourceMap.isWorkspace(g.str(file)) ? 1 : 0;
    return accepted[file] == 1;
  };
  auto add = [&](StringId file, uint32_t line, LineKind kind, const GroupStats& stats,
                 const std::vector<SiteId>& sites) {
    LineEntry* e = lines.at(g.str(file), line, kind);
    if (!e) return;
    addStats(e->stats, stats);
    for (SiteId s : sites) {
      e->sites.push_back(s);
      for (NodeId v : index.nodesOfSite(s))
        if (e->representative == kNoNode || heap.retained[v] > heap.retained[e->representative]) e->representative = v;
    }
  };

  for (const LineAggregate& la : aggregateByLine(heap, accept, Attribution::Flat, {}, &index.domTree))
    add(la.file, la.line, LineKind::Allocation, la.stats, la.sites);

  for (const SiteAggregate& sa : index.aggregates.sites) {
    if (sa.site >= index.siteIsFrame.size() || !index.siteIsFrame[sa.site]) continue;
    auto frames = g.frames(sa.site);
    if (frames.empty()) continue;
    const SourceLocation& loc = g.location(frames.front());
    if (!accept(loc.file)) continue;
    add(loc.file, loc.line, LineKind::Frame, sa.stats, {sa.site});
  }

  // Root holders that record where they were created (a goroutine's go statement): one entry per
  // line, with how many of each kind (their type) and what they retain.
  for (NodeId root : g.targets(kSuperRoot)) {
    const SiteId site = g.site[root];
    if (g.kind(root) != NodeKind::Root || site == kNoSite) continue;
    auto frames = g.frames(site);
    if (frames.empty()) continue;
    const SourceLocation& loc = g.location(frames.front());
    if (!accept(loc.file)) continue;
    LineEntry* e = lines.at(g.str(loc.file), loc.line, LineKind::Creation);
    if (!e) continue;
    ++e->stats.count;
    e->stats.retainedBytes += heap.retained[root];
    e->stats.retainedObjects += index.retainedObjects(g, root);
    if (std::find(e->sites.begin(), e->sites.end(), site) == e->sites.end()) e->sites.push_back(site);
    if (e->representative == kNoNode || heap.retained[root] > heap.retained[e->representative]) e->representative = root;
    auto kind = std::find_if(e->created.begin(), e->created.end(), [&](const auto& c) { return c.first == g.type[root]; });
    if (kind == e->created.end()) e->created.push_back({g.type[root], 1});
    else ++kind->second;
  }

  // Types whose declaration the dump records (V8: a class's constructor): their instances on that line.
  const std::vector<NodeId>& biggest = index.typeRepresentative;
  for (TypeId t = 0; t < g.typeCount(); ++t) {
    const SiteId site = g.typeSiteOf(t);
    const GroupStats* stats = index.typeStats(t);
    if (site == kNoSite || !stats || stats->count == 0 || biggest[t] == kNoNode) continue;
    // Where a snapshot has no allocation stacks, instances are put at their declaration already (an
    // Allocation entry on that line): a Definition entry would say the same twice.
    if (g.site[biggest[t]] == site) continue;
    auto frames = g.frames(site);
    if (frames.empty()) continue;
    const SourceLocation& loc = g.location(frames.front());
    if (!accept(loc.file)) continue;
    LineEntry* e = lines.at(g.str(loc.file), loc.line, LineKind::Definition);
    if (!e) continue;
    addStats(e->stats, *stats);
    e->types.push_back(t);
    if (e->representative == kNoNode || heap.retained[biggest[t]] > heap.retained[e->representative])
      e->representative = biggest[t];
  }
}

void addGrowth(const Dump& d, const GrowthRecords& growth, const DeclarationLookup& declarations,
               LineCollector& lines) {
  for (uint32_t i = 0; i < growth.records.size(); ++i) {
    const GrowthRecord& r = growth.records[i];
    auto frames = d.sites->frames(r.site);
    LineEntry* e = nullptr;
    if (!frames.empty()) {
      const SourceLocation& loc = d.sites->location(frames.front());
      e = lines.at(d.sites->str(loc.file), loc.line, LineKind::Growth);
    } else if (declarations) {
      // No location in the record: the one declaration of that name in the workspace, if there is one.
      if (std::optional<DeclarationPlace> place = declarations(r.type))
        e = lines.atLocal(place->localPath, place->line, LineKind::Growth);
    }
    if (!e) continue;
    e->growthRecords.push_back(i);
    e->countDelta += r.countDelta;
    e->sizeDelta += r.sizeDelta;
  }
}

}  // namespace

LineIndex buildLineIndex(const Dump& d, const HeapIndex* heapIndex, const SourceMap& sourceMap,
                         const DeclarationLookup& declarations) {
  LineIndex result;
  result.generation = sourceMap.generation();
  LineCollector lines(sourceMap);
  if (d.heap && heapIndex) addHeap(*d.heap, *heapIndex, sourceMap, lines);
  if (d.growth) addGrowth(d, *d.growth, declarations, lines);
  lines.into(result);
  for (auto& [path, entries] : result.byFile)
    for (LineEntry& e : entries)
      std::stable_sort(e.created.begin(), e.created.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return result;
}

}  // namespace heaplens
