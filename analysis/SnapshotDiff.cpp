// SnapshotDiff: per-type growth by name, new objects by address, sampled shortest paths.
//
// Threading: see SnapshotDiff.h.
#include "analysis/SnapshotDiff.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace heaplens {

namespace {

bool isNumberSegment(std::string_view s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A path's shape: its segments with indices and slot numbers blanked, so paths that differ only
// in which element they pass through count as one.
std::string shapeOf(const std::vector<std::string>& segments) {
  std::string shape;
  for (const std::string& s : segments) {
    shape += isNumberSegment(s) ? "#" : s;
    shape += '\x1f';
  }
  return shape;
}

struct Totals {
  int64_t count = 0, bytes = 0;
};

// Instances and shallow bytes per type id (Object nodes).
std::vector<Totals> totalsByType(const HeapGraph& g) {
  std::vector<Totals> t(g.typeCount());
  for (NodeId v = 0; v < g.nodeCount(); ++v) {
    if (g.kind(v) != NodeKind::Object) continue;
    Totals& x = t[g.type[v]];
    ++x.count;
    x.bytes += static_cast<int64_t>(g.shallowSize(v));
  }
  return t;
}

}  // namespace

std::vector<std::string> pathSegments(const HeapGraph& g, const RetentionPath& path, size_t maxSegments) {
  std::vector<std::string> out;
  for (size_t i = 0; i < path.steps.size(); ++i) {
    if (out.size() == maxSegments) {
      out.emplace_back("...");
      break;
    }
    const PathStep& s = path.steps[i];
    const bool byName = i == 0 || g.kind(path.steps[i - 1].node) == NodeKind::Root ||
                        g.kind(path.steps[i - 1].node) == NodeKind::Synthetic;
    std::string seg = byName ? std::string(g.nameOf(s.node)) : g.labelText(s.via);
    if (seg.empty()) seg = byName ? std::string(g.typeNameOf(s.node)) : "?";
    out.push_back(std::move(seg));
  }
  return out;
}

GrowthRecords diffHeaps(const HeapPart& baseline, const HeapPart& target, const DiffOptions& options,
                        const TaskContext& ctx) {
  const HeapGraph& b = baseline.graph;
  const HeapGraph& t = target.graph;
  if (b.address.empty() || t.address.empty())
    throw std::invalid_argument("the heaps have no object ids to match objects by (the format records none)");
  ctx.report("Comparing", 0);

  // Per type name: before and after.
  struct Row {
    std::string name;
    Totals before, after;
    TypeId targetType = kNoType;
  };
  std::vector<Row> rows;
  std::unordered_map<std::string_view, size_t> rowOf;
  auto rowFor = [&](std::string_view name) -> Row& {
    auto [it, inserted] = rowOf.try_emplace(name, rows.size());
    if (inserted) rows.push_back({std::string(name), {}, {}, kNoType});
    return rows[it->second];
  };
  rows.reserve(b.typeCount() + t.typeCount());
  const std::vector<Totals> before = totalsByType(b), after = totalsByType(t);
  for (TypeId i = 0; i < t.typeCount(); ++i) {
    if (after[i].count == 0) continue;
    Row& r = rowFor(t.str(t.typeName[i]));
    r.after = after[i];
    r.targetType = i;
  }
  for (TypeId i = 0; i < b.typeCount(); ++i)
    if (before[i].count != 0) rowFor(b.str(b.typeName[i])).before = before[i];
  ctx.checkCancelled();

  GrowthRecords out;
  std::vector<TypeId> recordType;  // target type of each record
  for (const Row& r : rows) {
    const int64_t dc = r.after.count - r.before.count, db = r.after.bytes - r.before.bytes;
    if (dc <= 0 && db <= 0) continue;
    GrowthRecord g;
    g.type = r.name;
    g.countBefore = r.before.count;
    g.countAfter = r.after.count;
    g.countDelta = dc;
    g.sizeBefore = r.before.bytes;
    g.sizeAfter = r.after.bytes;
    g.sizeDelta = db;
    g.site = r.targetType != kNoType ? t.typeSiteOf(r.targetType) : kNoSite;
    out.records.push_back(std::move(g));
    recordType.push_back(r.targetType);
  }
  std::vector<size_t> order(out.records.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const GrowthRecord &a = out.records[x], &c = out.records[y];
    if (a.sizeDelta != c.sizeDelta) return a.sizeDelta > c.sizeDelta;
    if (a.countDelta != c.countDelta) return a.countDelta > c.countDelta;
    return a.type < c.type;
  });
  {
    std::vector<GrowthRecord> sorted;
    std::vector<TypeId> types;
    for (size_t i : order) {
      sorted.push_back(std::move(out.records[i]));
      types.push_back(recordType[i]);
    }
    out.records.swap(sorted);
    recordType.swap(types);
  }
  ctx.report("Comparing", 0.3);

  // New objects of the sampled types, in node order.
  const size_t sampled = std::min(options.sampledTypes, out.records.size());
  std::unordered_map<TypeId, size_t> sampledRecord;  // target type -> record index
  for (size_t i = 0; i < sampled; ++i)
    if (recordType[i] != kNoType) sampledRecord.emplace(recordType[i], i);
  if (sampledRecord.empty()) return out;
  std::vector<uint64_t> known(b.address.begin(), b.address.end());
  std::sort(known.begin(), known.end());
  std::vector<std::vector<NodeId>> candidates(sampled);
  std::vector<std::unordered_map<SiteId, uint64_t>> newSites(sampled);
  for (NodeId v = 0; v < t.nodeCount(); ++v) {
    if ((v & 0xFFFFF) == 0) ctx.checkCancelled();
    if (t.kind(v) != NodeKind::Object) continue;
    auto it = sampledRecord.find(t.type[v]);
    if (it == sampledRecord.end()) continue;
    if (std::binary_search(known.begin(), known.end(), t.address[v])) continue;
    if (t.site[v] != kNoSite) ++newSites[it->second][t.site[v]];
    if (candidates[it->second].size() < options.candidatesPerType) candidates[it->second].push_back(v);
  }
  // A record's site: where most of its new objects come from, else where its type is declared.
  for (size_t i = 0; i < sampled; ++i) {
    SiteId best = kNoSite;
    uint64_t bestCount = 0;
    for (const auto& [site, count] : newSites[i])
      if (count > bestCount || (count == bestCount && site < best)) best = site, bestCount = count;
    if (best != kNoSite) out.records[i].site = best;
  }
  ctx.report("Finding paths from the roots", 0.5);
  PathFinder paths(t, ctx);

  for (size_t i = 0; i < sampled; ++i) {
    ctx.checkCancelled();
    GrowthRecord& record = out.records[i];
    std::vector<RetainedObject> chosen, spare;
    std::unordered_set<std::string> shapes;
    for (NodeId v : candidates[i]) {
      if (chosen.size() == options.samplesPerType) break;
      std::optional<RetentionPath> p = paths.shortestPath(v);
      if (!p) continue;  // not reachable over strong edges: no path to show
      RetainedObject o;
      o.type = record.type;
      o.size = static_cast<int64_t>(t.shallowSize(v));
      if (v < target.retained.size()) o.retainedSize = static_cast<int64_t>(target.retained[v]);
      o.path = pathSegments(t, *p, options.maxSegments);
      o.site = t.site[v];
      o.address = t.address[v];
      if (shapes.insert(shapeOf(o.path)).second) chosen.push_back(std::move(o));
      else if (spare.size() < options.samplesPerType) spare.push_back(std::move(o));
    }
    for (size_t k = 0; chosen.size() < options.samplesPerType && k < spare.size(); ++k) chosen.push_back(std::move(spare[k]));
    for (RetainedObject& o : chosen) {
      record.retentionPaths.push_back(o.path);
      out.retained.push_back(std::move(o));
    }
  }
  ctx.report("Comparing", 1);
  return out;
}

GrowthRecords compareDumps(const Dump& baseline, const Dump& target, const DiffOptions& options,
                           const TaskContext& ctx) {
  if (baseline.format != target.format)
    throw std::invalid_argument("the baseline " + baseline.path + " is a " + baseline.formatDescription + " and " +
                                target.path + " is a " + target.formatDescription +
                                ": a baseline must be a dump of the same format");
  for (const Dump* d : {&baseline, &target})
    if (!d->heap || d->heap->graph.address.empty())
      throw std::invalid_argument(d->path + " is a " + d->formatDescription +
                                  ", which has no objects with ids to match (a comparison needs two heap "
                                  "snapshots of one process)");
  GrowthRecords growth = diffHeaps(*baseline.heap, *target.heap, options, ctx);
  growth.baseline = baseline.path;
  growth.target = target.path;
  return growth;
}

}  // namespace heaplens
