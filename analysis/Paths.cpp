// Paths: breadth-first parents from the super-root, shortest root paths, and retainer paths.
//
// The first search walks strong edges and does not expand nodes flagged
// kAvoidInPaths (they may still be reached, as a path's last step). A second
// search then expands exactly those avoided nodes, seeded in the first
// search's distance order, and gives parents only to nodes the first left
// unreached; such nodes are marked, and their paths report throughAvoided.
// Parents of first-search nodes never point at second-search nodes, so every
// parent chain ends at the super-root.
//
// Threading: built on a worker; queries are const. The reverse index is
// built once, on first use, under std::call_once.
#include "analysis/Paths.h"

#include "analysis/EdgeRules.h"

#include <algorithm>
#include <set>

namespace heaplens {

namespace {
constexpr uint32_t kFar = std::numeric_limits<uint32_t>::max();
}  // namespace

ReverseEdges buildReverseEdges(const HeapGraph& g, const TaskContext& ctx) {
  ReverseEdges r;
  const uint32_t n = g.nodeCount();
  r.first.assign(static_cast<size_t>(n) + 1, 0);
  for (EdgeIndex e = 0; e < g.edgeCount(); ++e) ++r.first[g.edgeTarget[e] + 1];
  for (uint32_t i = 0; i < n; ++i) r.first[i + 1] += r.first[i];
  r.edges.resize(g.edgeCount());
  r.sources.resize(g.edgeCount());
  std::vector<EdgeIndex> cursor(r.first.begin(), r.first.end() - 1);
  for (NodeId u = 0; u < n; ++u) {
    if ((u & kPollMask) == 0) ctx.checkCancelled();
    for (EdgeIndex e = g.firstEdge[u]; e < g.firstEdge[u + 1]; ++e) {
      const EdgeIndex slot = cursor[g.edgeTarget[e]]++;
      r.edges[slot] = e;
      r.sources[slot] = u;
    }
  }
  return r;
}

PathFinder::PathFinder(const HeapGraph& g, const TaskContext& ctx) : g_(g) {
  const uint32_t n = g.nodeCount();
  parent_.assign(n, kNoNode);
  parentEdge_.assign(n, kNoEdge);
  dist_.assign(n, kFar);
  viaAvoided_.assign(n, 0);
  if (n == 0) return;
  ctx.report("Finding paths from the roots", 0.0);

  // Reaches every unreached strong target of u from u, then hands it to reached(v).
  auto expand = [&](NodeId u, auto&& reached) {
    for (EdgeIndex e = g.firstEdge[u]; e < g.firstEdge[u + 1]; ++e) {
      if (!isPathEdge(g.edgeKind(e))) continue;
      const NodeId v = g.edgeTarget[e];
      if (dist_[v] != kFar) continue;
      dist_[v] = dist_[u] + 1;
      parent_[v] = u;
      parentEdge_[v] = e;
      reached(v);
    }
  };

  std::vector<NodeId> queue;
  queue.reserve(n);
  std::vector<NodeId> avoided;  // avoided nodes reached in the first search, by distance
  dist_[kSuperRoot] = 0;
  queue.push_back(kSuperRoot);
  for (size_t head = 0; head < queue.size(); ++head) {
    if ((head & kPollMask) == 0) ctx.checkCancelled();
    expand(queue[head], [&](NodeId v) { (g.hasFlag(v, kAvoidInPaths) ? avoided : queue).push_back(v); });
  }
  ctx.report("Finding paths from the roots", 0.5);

  // Second search: expand the avoided nodes and whatever only they reach,
  // merging the seeds (sorted by distance) with the queue.
  if (!avoided.empty()) {
    queue.clear();
    size_t seed = 0, head = 0;
    uint64_t steps = 0;
    while (seed < avoided.size() || head < queue.size()) {
      if ((++steps & kPollMask) == 0) ctx.checkCancelled();
      NodeId u;
      if (head < queue.size() && (seed == avoided.size() || dist_[queue[head]] <= dist_[avoided[seed]])) {
        u = queue[head++];
      } else {
        u = avoided[seed++];
      }
      expand(u, [&](NodeId v) {
        viaAvoided_[v] = 1;
        queue.push_back(v);
      });
    }
  }
  ctx.report("Finding paths from the roots", 1.0);
}

bool PathFinder::reachable(NodeId n) const { return n < dist_.size() && dist_[n] != kFar; }

uint32_t PathFinder::distance(NodeId n) const { return n < dist_.size() ? dist_[n] : kFar; }

std::optional<RetentionPath> PathFinder::shortestPath(NodeId target) const {
  if (!reachable(target) || target == kSuperRoot) return std::nullopt;
  RetentionPath path;
  path.throughAvoided = viaAvoided_[target] != 0;
  path.steps.reserve(dist_[target]);
  for (NodeId v = target; v != kSuperRoot; v = parent_[v]) path.steps.push_back({v, parentEdge_[v]});
  std::reverse(path.steps.begin(), path.steps.end());
  return path;
}

const ReverseEdges& PathFinder::reverse() const {
  std::call_once(reverseOnce_, [&] { reverse_ = std::make_unique<ReverseEdges>(buildReverseEdges(g_)); });
  return *reverse_;
}

std::vector<RetentionPath> PathFinder::retainerPaths(NodeId target, size_t k) const {
  std::vector<RetentionPath> out;
  auto first = shortestPath(target);
  if (!first || k == 0) return out;
  out.push_back(std::move(*first));
  if (k == 1) return out;

  // Retainers over strong edges, nearest to the roots first; ties by edge index for determinism.
  const ReverseEdges& r = reverse();
  struct Candidate {
    uint32_t dist;
    EdgeIndex edge;
    NodeId source;
  };
  std::vector<Candidate> candidates;
  for (EdgeIndex i = r.first[target]; i < r.first[target + 1]; ++i) {
    const NodeId s = r.sources[i];
    const EdgeIndex e = r.edges[i];
    if (s == target || !isPathEdge(g_.edgeKind(e)) || !reachable(s)) continue;
    candidates.push_back({dist_[s], e, s});
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.dist != b.dist ? a.dist < b.dist : a.edge < b.edge;
  });

  auto key = [](const RetentionPath& p) {
    std::vector<uint64_t> k;
    k.reserve(p.steps.size());
    for (const PathStep& s : p.steps) k.push_back((static_cast<uint64_t>(s.node) << 32) | s.via);
    return k;
  };
  std::set<std::vector<uint64_t>> seen{key(out.front())};
  for (const Candidate& c : candidates) {
    if (out.size() >= k) break;
    RetentionPath p;
    if (c.source != kSuperRoot) {
      auto head = shortestPath(c.source);
      if (!head) continue;
      // A retainer whose own shortest path runs through the target gives no new reason.
      if (std::any_of(head->steps.begin(), head->steps.end(), [&](const PathStep& s) { return s.node == target; }))
        continue;
      p = std::move(*head);
      p.throughAvoided = p.throughAvoided || g_.hasFlag(c.source, kAvoidInPaths);
    }
    p.steps.push_back({target, c.edge});
    if (seen.insert(key(p)).second) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace heaplens
