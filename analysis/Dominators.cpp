// Dominators: Semi-NCA immediate dominators and retained sizes, without recursion.
//
// The algorithm is the Semi-NCA variant of Lengauer-Tarjan: semidominators
// computed as in T. Lengauer and R. E. Tarjan, "A Fast Algorithm for Finding
// Dominators in a Flowgraph", ACM TOPLAS 1(1):121-141, 1979 (with the simple
// path-compressing eval), then immediate dominators found as nearest common
// ancestors in the growing tree, as in L. Georgiadis, "Linear-Time Algorithms
// for Dominators and Related Problems", PhD thesis, Princeton, 2005 (section
// 3.3.2). Everything runs over DFS preorder numbers in flat arrays; the DFS
// and the path compression use explicit stacks, so a 10-million-node chain
// needs heap memory, not stack. Weak edges are ignored throughout.
//
// Threading: pure functions; they poll ctx for cancellation.
#include "analysis/Dominators.h"

#include <algorithm>

#include "analysis/MemoryAdvice.h"

namespace heaplens {

namespace {

constexpr uint32_t kUnvisited = 0xFFFFFFFFu;
constexpr uint32_t kPollMask = 0xFFFF;  // poll cancellation every 64k iterations

inline bool strong(const HeapGraph& g, EdgeIndex e) { return (g.edgeLabel[e] >> 31) == 0; }

}  // namespace

std::vector<NodeId> computeDominators(const HeapGraph& g, const TaskContext& ctx) {
  const uint32_t n = g.nodeCount();
  std::vector<NodeId> idomOut = hugeVector<NodeId>(n, kNoNode);
  if (n == 0) return idomOut;
  constexpr const char* kPhase = "Computing dominators";
  ctx.report(kPhase, 0.0);

  // 1. Depth-first search from the super-root over strong edges: preorder
  //    numbers (pre), the node of each number (vertex) and DFS-tree parents.
  std::vector<uint32_t> pre = hugeVector<uint32_t>(n, kUnvisited);
  std::vector<NodeId> vertex;
  reserveHuge(vertex, n);
  std::vector<uint32_t> parent;  // by preorder number
  reserveHuge(parent, n);
  {
    struct Frame {
      NodeId node;
      EdgeIndex next;
      uint32_t number;  // the node's preorder number
    };
    std::vector<Frame> stack;
    // The "seen" test runs once per edge; a bitmap (n/8 bytes) stays in
    // cache where pre[] (4n bytes) would not, and entering a node prefetches
    // the edge offsets of its unseen targets, which the DFS reads next.
    std::vector<uint64_t> seen((static_cast<size_t>(n) + 63) / 64, 0);
    auto isSeen = [&](NodeId v) { return (seen[v >> 6] >> (v & 63)) & 1u; };
    auto enter = [&](NodeId v, uint32_t number) {
      seen[v >> 6] |= uint64_t{1} << (v & 63);
      vertex.push_back(v);
      const EdgeIndex first = g.firstEdge[v], end = g.firstEdge[v + 1];
      for (EdgeIndex e = first; e < end; ++e) {
        const NodeId t = g.edgeTarget[e];
        if (!isSeen(t)) __builtin_prefetch(&g.firstEdge[t]);
      }
      stack.push_back({v, first, number});
    };
    parent.push_back(0);
    enter(kSuperRoot, 0);
    uint64_t steps = 0;
    while (!stack.empty()) {
      if ((++steps & kPollMask) == 0) {
        ctx.checkCancelled();
        ctx.report(kPhase, 0.3 * static_cast<double>(vertex.size()) / n);
      }
      Frame& top = stack.back();
      const EdgeIndex end = g.firstEdge[top.node + 1];
      EdgeIndex e = top.next;
      while (e < end && (isSeen(g.edgeTarget[e]) || !strong(g, e))) ++e;
      if (e == end) {
        stack.pop_back();
        continue;
      }
      top.next = e + 1;
      parent.push_back(top.number);
      enter(g.edgeTarget[e], static_cast<uint32_t>(vertex.size()));
    }
  }
  const uint32_t reached = static_cast<uint32_t>(vertex.size());
  // pre[] is filled after the search: random stores off the DFS's critical path.
  for (uint32_t i = 0; i < reached; ++i) pre[vertex[i]] = i;
  ctx.checkCancelled();

  // 2. Predecessors of each reached node, as preorder numbers (reverse CSR).
  //    Edges from unreached nodes cannot matter and are left out.
  //    Walking sources in node order reads the edge arrays sequentially.
  std::vector<uint32_t> predFirst = hugeVector<uint32_t>(static_cast<size_t>(reached) + 1, 0);
  for (NodeId u = 0; u < n; ++u) {
    if (pre[u] == kUnvisited) continue;
    for (EdgeIndex e = g.firstEdge[u], end = g.firstEdge[u + 1]; e < end; ++e) {
      const NodeId v = g.edgeTarget[e];
      if (strong(g, e) && v != u) ++predFirst[pre[v] + 1];
    }
  }
  for (uint32_t i = 0; i < reached; ++i) predFirst[i + 1] += predFirst[i];
  std::vector<uint32_t> preds = hugeVector<uint32_t>(predFirst[reached], 0);
  {
    std::vector<uint32_t> cursor;
    reserveHuge(cursor, reached);
    cursor.assign(predFirst.begin(), predFirst.end() - 1);
    for (NodeId u = 0; u < n; ++u) {
      if ((u & kPollMask) == 0) ctx.checkCancelled();
      const uint32_t p = pre[u];
      if (p == kUnvisited) continue;
      for (EdgeIndex e = g.firstEdge[u], end = g.firstEdge[u + 1]; e < end; ++e) {
        const NodeId v = g.edgeTarget[e];
        if (strong(g, e) && v != u) preds[cursor[pre[v]]++] = p;
      }
    }
  }
  ctx.report(kPhase, 0.5);

  // 3. Semidominators, in reverse preorder. `link[v].ancestor` is the
  //    link-eval forest (a copy of parent, path-compressed as we go); a
  //    number is linked once processed, i.e. when it is > w. Semi-NCA only
  //    needs the smallest semidominator on a compressed path, not the vertex
  //    carrying it, so `link[v].best` holds that value, beside the ancestor
  //    so one cache line serves both.
  struct Link {
    uint32_t ancestor;
    uint32_t best;
  };
  std::vector<Link> link = hugeVector<Link>(reached, Link{0, 0});
  std::vector<uint32_t> semi = hugeVector<uint32_t>(reached, 0);
  for (uint32_t i = 0; i < reached; ++i) link[i] = {parent[i], i};
  std::vector<uint32_t> path;  // explicit stack for compression
  for (uint32_t w = reached - 1; w >= 1; --w) {
    if ((w & kPollMask) == 0) {
      ctx.checkCancelled();
      ctx.report(kPhase, 0.5 + 0.4 * static_cast<double>(reached - w) / reached);
    }
    // Predecessors are random reads: a two-stage software pipeline starts
    // the loads for w-2's predecessors and, for w-1's (fetched one round
    // ago), the first step up their compressed paths.
    if (w > 2)
      for (uint32_t k = predFirst[w - 2]; k < predFirst[w - 1]; ++k) __builtin_prefetch(&link[preds[k]]);
    if (w > 1)
      for (uint32_t k = predFirst[w - 1]; k < predFirst[w]; ++k) {
        const uint32_t v = preds[k];
        if (v > w) __builtin_prefetch(&link[link[v].ancestor]);
      }
    uint32_t s = parent[w];
    for (uint32_t k = predFirst[w]; k < predFirst[w + 1]; ++k) {
      const uint32_t v = preds[k];
      if (v <= w) {
        // v is not processed yet: eval(v) is v itself, whose semi is v.
        s = std::min(s, v);
        continue;
      }
      // eval(v): compress the path from v up to the last processed ancestor.
      if (link[v].ancestor > w) {
        uint32_t x = v;
        while (link[x].ancestor > w) {
          path.push_back(x);
          x = link[x].ancestor;
        }
        // x is the topmost processed node (its ancestor, the root of this
        // virtual tree, is excluded); walk back down, compressing.
        while (!path.empty()) {
          const uint32_t y = path.back();
          path.pop_back();
          link[y].best = std::min(link[y].best, link[x].best);
          link[y].ancestor = link[x].ancestor;
          x = y;
        }
      }
      s = std::min(s, link[v].best);
    }
    semi[w] = s;
    link[w].best = s;
    if (w == 1) break;
  }
  link.clear();
  link.shrink_to_fit();

  // 4. Nearest common ancestors: idom(w) is the deepest ancestor of parent(w)
  //    in the dominator tree built so far whose number is <= semi(w).
  std::vector<uint32_t>& idom = parent;  // reuse: starts as the DFS parent
  for (uint32_t w = 1; w < reached; ++w) {
    uint32_t x = idom[w];
    while (x > semi[w]) x = idom[x];
    idom[w] = x;
  }
  for (uint32_t w = 1; w < reached; ++w) idomOut[vertex[w]] = vertex[idom[w]];
  idomOut[kSuperRoot] = kNoNode;
  ctx.report(kPhase, 1.0);
  return idomOut;
}

DominatorTree buildDominatorTree(std::span<const NodeId> idom) {
  DominatorTree t;
  const size_t n = idom.size();
  t.first = hugeVector<uint32_t>(n + 1, 0);
  for (size_t v = 0; v < n; ++v)
    if (idom[v] != kNoNode && idom[v] < n) ++t.first[idom[v] + 1];
  for (size_t i = 0; i < n; ++i) t.first[i + 1] += t.first[i];
  t.children = hugeVector<NodeId>(t.first[n], 0);
  std::vector<uint32_t> cursor;
  reserveHuge(cursor, n);
  cursor.assign(t.first.begin(), t.first.end() - 1);
  for (size_t v = 0; v < n; ++v)
    if (idom[v] != kNoNode && idom[v] < n) t.children[cursor[idom[v]]++] = static_cast<NodeId>(v);
  return t;
}

std::vector<uint64_t> computeRetainedSizes(const HeapGraph& g, std::span<const NodeId> idom, const TaskContext& ctx) {
  const uint32_t n = g.nodeCount();
  std::vector<uint64_t> retained;
  reserveHuge(retained, n);
  retained.resize(n);
  for (uint32_t v = 0; v < n; ++v) retained[v] = g.shallowSize(v);
  if (n == 0 || idom.size() != n) return retained;
  constexpr const char* kPhase = "Computing retained sizes";
  ctx.report(kPhase, 0.0);

  // A breadth-first order of the dominator tree puts every node after its
  // immediate dominator; walking it backwards is a valid post-order for
  // summing, with no recursion and no per-node stack frames.
  DominatorTree tree = buildDominatorTree(idom);
  std::vector<NodeId> order;
  reserveHuge(order, n);
  order.push_back(kSuperRoot);
  for (size_t head = 0; head < order.size(); ++head) {
    if ((head & kPollMask) == 0) ctx.checkCancelled();
    const NodeId v = order[head];
    for (uint32_t k = tree.first[v]; k < tree.first[v + 1]; ++k) order.push_back(tree.children[k]);
  }
  tree = {};
  ctx.report(kPhase, 0.5);
  for (size_t i = order.size(); i-- > 1;) {
    if ((i & kPollMask) == 0) ctx.checkCancelled();
    const NodeId v = order[i];
    retained[idom[v]] += retained[v];
  }
  ctx.report(kPhase, 1.0);
  return retained;
}

UnreachableStats countUnreachable(const HeapGraph& g, std::span<const NodeId> idom) {
  UnreachableStats s;
  const uint32_t n = std::min<uint32_t>(g.nodeCount(), static_cast<uint32_t>(idom.size()));
  for (uint32_t v = 1; v < n; ++v) {
    if (idom[v] == kNoNode && g.kind(v) == NodeKind::Object) {
      ++s.nodes;
      s.bytes += g.shallowSize(v);
    }
  }
  return s;
}

}  // namespace heaplens
