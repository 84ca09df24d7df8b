// Aggregate: per-group counts, shallow bytes and once-per-dominating-set retained bytes.
//
// All four aggregations share one engine: a node belongs to zero or more
// dense group ids (its type; its site; the lines or functions of its site's
// stack). Counts and shallow bytes are a flat pass. Retained bytes come from
// one iterative walk of the dominator tree keeping, per group, how many
// ancestors on the current tree path are in that group: a node adds its
// retained size only when that counter is zero, so a group's retained bytes
// never count a dominated member twice. Sites are mapped to their line or
// function groups once (per site, not per node), so the per-node work is a
// couple of array reads.
//
// Threading: pure functions over an immutable Dump.
#include "analysis/Aggregate.h"

#include <algorithm>
#include <unordered_map>

#include "analysis/Dominators.h"

namespace heaplens {

namespace {

// Per-site group lists as CSR (first[s]..first[s+1] into groups).
struct SiteGroups {
  std::vector<uint32_t> first;
  std::vector<uint32_t> groups;
};

// idom/retained of the dump, or computed here when the dump has none.
struct DominatorData {
  std::vector<NodeId> idomLocal;
  std::vector<uint64_t> retainedLocal;
  std::span<const NodeId> idom;
  std::span<const uint64_t> retained;
};

DominatorData dominatorsOf(const HeapPart& d, const TaskContext& ctx) {
  DominatorData out;
  const uint32_t n = d.graph.nodeCount();
  if (d.idom.size() == n && d.retained.size() == n) {
    out.idom = d.idom;
    out.retained = d.retained;
  } else {
    DominatorResult computed = computeDominatorsAndRetained(d.graph, ctx);
    out.idomLocal = std::move(computed.idom);
    out.retainedLocal = std::move(computed.retained);
    out.idom = out.idomLocal;
    out.retained = out.retainedLocal;
  }
  return out;
}

// groupsOf(node, emit) calls emit(group) for each group of the node (none when it does not count).
// `prebuilt` is the caller's dominator tree of d.idom; it only serves when the dump has dominators.
template <typename GroupsOf>
std::vector<GroupStats> accumulate(const HeapPart& d, uint32_t groupCount, GroupsOf groupsOf, const TaskContext& ctx,
                                   const DominatorTree* prebuilt) {
  const HeapGraph& g = d.graph;
  const uint32_t n = g.nodeCount();
  std::vector<GroupStats> stats(groupCount);
  for (NodeId v = 0; v < n; ++v) {
    if ((v & kPollMask) == 0) ctx.checkCancelled();
    const uint64_t shallow = g.shallowSize(v);
    groupsOf(v, [&](uint32_t grp) {
      ++stats[grp].count;
      stats[grp].shallowBytes += shallow;
    });
  }

  DominatorData dom = dominatorsOf(d, ctx);
  // Nodes outside the dominator tree (unreachable) stand alone: their retained size is their own.
  for (NodeId v = 1; v < n; ++v)
    if (dom.idom[v] == kNoNode)
      groupsOf(v, [&](uint32_t grp) {
        stats[grp].retainedBytes += dom.retained[v];
        stats[grp].retainedObjects += g.kind(v) == NodeKind::Object ? 1 : 0;
      });

  DominatorTree built;
  if (!prebuilt || !dom.idomLocal.empty() || prebuilt->position.size() != size_t{n} ||
      prebuilt->preorder.empty()) {
    built = buildDominatorTree(dom.idom);
    prebuilt = &built;
  }
  const DominatorTree& tree = *prebuilt;
  // The tree in preorder: a node's subtree is [i, subtreeEnd[i]), so its objects are a difference of
  // prefix counts, and a group's member is outermost exactly when it lies past the end of the
  // subtree of the group's last outermost member (subtrees nest or are disjoint).
  const std::span<const NodeId> order = tree.preorder;
  const size_t m = order.size();
  constexpr size_t kAhead = 16;  // random reads of the node columns, prefetched this far ahead
  // Objects before each position: the tree's own when it has them (HeapIndex), else counted here.
  std::vector<uint32_t> ownObjectsBefore;
  if (tree.objectsBefore.size() != m + 1) {
    ownObjectsBefore.assign(m + 1, 0);
    for (size_t i = 0; i < m; ++i) {
      if (i + 2 * kAhead < m) __builtin_prefetch(&g.kindAndFlags[order[i + 2 * kAhead]]);
      ownObjectsBefore[i + 1] = ownObjectsBefore[i] + (g.kind(order[i]) == NodeKind::Object ? 1 : 0);
    }
  }
  const std::vector<uint32_t>& objectsBefore = ownObjectsBefore.empty() ? tree.objectsBefore : ownObjectsBefore;
  std::vector<uint32_t> coveredUntil(groupCount, 0);
  for (size_t i = 0; i < m; ++i) {
    if ((i & kPollMask) == 0) ctx.checkCancelled();
    if (i + kAhead < m) {
      const NodeId ahead = order[i + kAhead];
      __builtin_prefetch(&g.kindAndFlags[ahead]);
      __builtin_prefetch(&g.type[ahead]);
      __builtin_prefetch(&g.site[ahead]);
      __builtin_prefetch(&dom.retained[ahead]);
    }
    const NodeId v = order[i];
    const uint32_t end = tree.subtreeEnd[i];
    groupsOf(v, [&](uint32_t grp) {
      if (i < coveredUntil[grp]) return;  // inside the subtree of an outer member of the group
      coveredUntil[grp] = end;
      stats[grp].retainedBytes += dom.retained[v];
      stats[grp].retainedObjects += objectsBefore[end] - objectsBefore[i];
    });
  }
  return stats;
}

bool isObject(const HeapGraph& g, NodeId v) { return g.kind(v) == NodeKind::Object; }

// Maps each site to the groups of its accepted frames: the innermost one (Flat) or all of
// them, each key once per stack (Cumulative). keyOf(location) -> 64-bit group key.
template <typename KeyOf>
SiteGroups siteGroups(const HeapGraph& g, const FileFilter& accept, Attribution mode, KeyOf keyOf,
                      std::vector<uint64_t>& keys) {
  std::unordered_map<uint64_t, uint32_t> ids;
  SiteGroups sg;
  sg.first.reserve(g.siteCount() + 1);
  sg.first.push_back(0);
  for (SiteId s = 0; s < g.siteCount(); ++s) {
    const size_t begin = sg.groups.size();
    for (LocationId loc : g.frames(s)) {
      if (loc >= g.sites->locations.size() || (accept && !accept(g.location(loc).file))) continue;
      const uint64_t key = keyOf(g.location(loc));
      auto [it, inserted] = ids.try_emplace(key, static_cast<uint32_t>(keys.size()));
      if (inserted) keys.push_back(key);
      const uint32_t grp = it->second;
      // Recursion: a stack names the same line many times, but it is counted once.
      bool dup = false;
      for (size_t i = begin; i < sg.groups.size(); ++i) dup = dup || sg.groups[i] == grp;
      if (!dup) sg.groups.push_back(grp);
      if (mode == Attribution::Flat) break;
    }
    sg.first.push_back(static_cast<uint32_t>(sg.groups.size()));
  }
  return sg;
}

}  // namespace

std::vector<TypeAggregate> aggregateByType(const HeapPart& d, const TaskContext& ctx) {
  const HeapGraph& g = d.graph;
  auto stats = accumulate(d, g.typeCount(), [&](NodeId v, auto&& emit) {
    if (isObject(g, v) && g.type[v] < g.typeCount()) emit(g.type[v]);
  }, ctx, nullptr);
  std::vector<TypeAggregate> out;
  for (TypeId t = 0; t < stats.size(); ++t)
    if (stats[t].count != 0) out.push_back({t, stats[t]});
  return out;
}

std::vector<SiteAggregate> aggregateBySite(const HeapPart& d, const TaskContext& ctx) {
  const HeapGraph& g = d.graph;
  const uint32_t sites = g.siteCount();
  auto stats = accumulate(d, sites, [&](NodeId v, auto&& emit) {
    // Frames count too: a MoarVM frame's site is its own static frame.
    const NodeKind k = g.kind(v);
    if ((k == NodeKind::Object || k == NodeKind::Frame) && g.site[v] < sites) emit(g.site[v]);
  }, ctx, nullptr);
  std::vector<SiteAggregate> out;
  for (SiteId s = 0; s < stats.size(); ++s)
    if (stats[s].count != 0) out.push_back({s, stats[s]});
  return out;
}

TypeAndSiteAggregates aggregateByTypeAndSite(const HeapPart& d, const TaskContext& ctx, const DominatorTree* tree) {
  const HeapGraph& g = d.graph;
  const uint32_t types = g.typeCount(), sites = g.siteCount();
  // One group space: types first, then sites. A node is in its type's group and its site's group,
  // under the same rules as aggregateByType and aggregateBySite.
  auto stats = accumulate(d, types + sites, [&](NodeId v, auto&& emit) {
    const NodeKind k = g.kind(v);
    if (k == NodeKind::Object && g.type[v] < types) emit(g.type[v]);
    if ((k == NodeKind::Object || k == NodeKind::Frame) && g.site[v] < sites) emit(types + g.site[v]);
  }, ctx, tree);
  TypeAndSiteAggregates out;
  for (TypeId t = 0; t < types; ++t)
    if (stats[t].count != 0) out.types.push_back({t, stats[t]});
  for (SiteId s = 0; s < sites; ++s)
    if (stats[types + s].count != 0) out.sites.push_back({s, stats[types + s]});
  return out;
}

std::vector<LineAggregate> aggregateByLine(const HeapPart& d, const FileFilter& accept, Attribution mode,
                                           const TaskContext& ctx, const DominatorTree* tree) {
  const HeapGraph& g = d.graph;
  std::vector<uint64_t> keys;
  SiteGroups sg = siteGroups(g, accept, mode, [](const SourceLocation& l) {
    return (static_cast<uint64_t>(l.file) << 32) | l.line;
  }, keys);
  const uint32_t sites = g.siteCount();
  auto groupsOf = [&](NodeId v, auto&& emit) {
    if (!isObject(g, v) || g.site[v] >= sites) return;
    for (uint32_t i = sg.first[g.site[v]]; i < sg.first[g.site[v] + 1]; ++i) emit(sg.groups[i]);
  };
  auto stats = accumulate(d, static_cast<uint32_t>(keys.size()), groupsOf, ctx, tree);

  // Which sites landed on each line, largest shallow bytes first.
  std::vector<uint64_t> siteShallow(sites, 0);
  std::vector<uint8_t> siteUsed(sites, 0);
  for (NodeId v = 0; v < g.nodeCount(); ++v) {
    if (!isObject(g, v) || g.site[v] >= sites) continue;
    siteShallow[g.site[v]] += g.shallowSize(v);
    siteUsed[g.site[v]] = 1;
  }
  std::vector<LineAggregate> lines(keys.size());
  for (uint32_t i = 0; i < keys.size(); ++i) {
    lines[i].file = static_cast<StringId>(keys[i] >> 32);
    lines[i].line = static_cast<uint32_t>(keys[i]);
    lines[i].stats = stats[i];
  }
  for (SiteId s = 0; s < sites; ++s) {
    if (!siteUsed[s]) continue;
    for (uint32_t i = sg.first[s]; i < sg.first[s + 1]; ++i) lines[sg.groups[i]].sites.push_back(s);
  }
  std::vector<LineAggregate> out;
  for (LineAggregate& l : lines) {
    if (l.stats.count == 0) continue;
    std::sort(l.sites.begin(), l.sites.end(), [&](SiteId a, SiteId b) {
      return siteShallow[a] != siteShallow[b] ? siteShallow[a] > siteShallow[b] : a < b;
    });
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<FunctionAggregate> aggregateByFunction(const HeapPart& d, const FileFilter& accept, Attribution mode,
                                                   const TaskContext& ctx) {
  const HeapGraph& g = d.graph;
  std::vector<uint64_t> keys;
  SiteGroups sg = siteGroups(g, accept, mode, [](const SourceLocation& l) {
    return (static_cast<uint64_t>(l.function) << 32) | l.file;
  }, keys);
  const uint32_t sites = g.siteCount();
  auto stats = accumulate(d, static_cast<uint32_t>(keys.size()), [&](NodeId v, auto&& emit) {
    if (!isObject(g, v) || g.site[v] >= sites) return;
    for (uint32_t i = sg.first[g.site[v]]; i < sg.first[g.site[v] + 1]; ++i) emit(sg.groups[i]);
  }, ctx, nullptr);
  std::vector<FunctionAggregate> out;
  for (uint32_t i = 0; i < keys.size(); ++i)
    if (stats[i].count != 0)
      out.push_back({static_cast<StringId>(keys[i] >> 32), static_cast<StringId>(keys[i]), stats[i]});
  return out;
}

std::optional<LocationId> flatLocation(const HeapGraph& g, SiteId site, const FileFilter& accept) {
  if (site == kNoSite || site >= g.siteCount()) return std::nullopt;
  for (LocationId loc : g.frames(site))
    if (loc < g.sites->locations.size() && (!accept || accept(g.location(loc).file))) return loc;
  return std::nullopt;
}

}  // namespace heaplens
