// Dominators: immediate dominators and retained sizes over essential edges.
//
// The dominator tree is computed with the Semi-NCA variant of Lengauer and
// Tarjan ("A Fast Algorithm for Finding Dominators in a Flowgraph", ACM TOPLAS
// 1(1), 1979; Georgiadis, "Linear-Time Algorithms for Dominators and Related
// Problems", 2005), iteratively, so a 10-million-node chain does not overflow
// the stack. Only essential edges count (EdgeRules.h). Nodes unreachable from the super-root get
// idom == kNoNode; they keep their own size as retained size and are counted
// in UnreachableStats, never folded into a root.
//
// Threading: pure functions. computeDominators and computeDominatorsAndRetained
// use one helper thread besides the caller's on graphs of 65,536 nodes or more
// (see Dominators.cpp), joined before they return or throw; if it cannot be
// started, the caller's thread does all the work.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "analysis/HeapGraph.h"
#include "analysis/TaskContext.h"

namespace heaplens {

// idom[n] for every node; idom[kSuperRoot] == kNoNode.
std::vector<NodeId> computeDominators(const HeapGraph& g, const TaskContext& ctx = {});

// Both at once, which is what a load needs: the retained sizes are summed in
// DFS preorder while the dominator arrays are still at hand, instead of being
// rebuilt from idom[] (computeRetainedSizes below). Same values as the two
// functions called in turn.
struct DominatorResult {
  std::vector<NodeId> idom;
  std::vector<uint64_t> retained;
};
DominatorResult computeDominatorsAndRetained(const HeapGraph& g, const TaskContext& ctx = {});

// retained[n] = shallowSize(n) + sum of retained sizes of the nodes n immediately dominates.
// One pass in post-order of the dominator tree.
std::vector<uint64_t> computeRetainedSizes(const HeapGraph& g, std::span<const NodeId> idom,
                                           const TaskContext& ctx = {});

struct UnreachableStats {
  uint64_t nodes = 0;  // nodes of kind Object not reachable from the super-root over strong edges
  uint64_t bytes = 0;  // their shallow bytes
};
UnreachableStats countUnreachable(const HeapGraph& g, std::span<const NodeId> idom);

// The dominator tree in depth-first preorder: the nodes reachable from the super-root, each subtree a
// contiguous range, so a pass over the tree is a pass over an array rather than a walk of the tree.
// A node's children are the roots of the subranges that tile its range after itself, in increasing
// node id. No child lists are kept: on a 5 M-node heap they were 40 MB more at the report's peak.
struct DominatorTree {
  static constexpr uint32_t kNotInTree = 0xFFFFFFFFu;
  std::vector<NodeId> preorder;       // preorder[0] == kSuperRoot (when the tree has nodes)
  std::vector<uint32_t> subtreeEnd;   // by preorder position: preorder[i]'s subtree is [i, subtreeEnd[i])
  std::vector<uint32_t> position;     // by node id: its preorder position, kNotInTree when unreachable
  // Objects (NodeKind::Object) among preorder[0, i), i in [0, preorder.size()]: filled by
  // countSubtreeObjects; empty until then.
  std::vector<uint32_t> objectsBefore;

  bool contains(NodeId v) const { return v < position.size() && position[v] != kNotInTree; }
  // v and everything it dominates, v first; empty when v is not in the tree.
  std::span<const NodeId> subtree(NodeId v) const {
    if (!contains(v)) return {};
    const uint32_t i = position[v];
    return {preorder.data() + i, preorder.data() + subtreeEnd[i]};
  }
  // The nodes v immediately dominates, in increasing node id: f(child) for each.
  template <typename F>
  void forEachChild(NodeId v, F&& f) const {
    if (!contains(v)) return;
    const uint32_t i = position[v];
    for (uint32_t c = i + 1; c < subtreeEnd[i]; c = subtreeEnd[c]) f(preorder[c]);
  }
  std::vector<NodeId> children(NodeId v) const {
    std::vector<NodeId> out;
    forEachChild(v, [&](NodeId c) { out.push_back(c); });
    return out;
  }
};
DominatorTree buildDominatorTree(std::span<const NodeId> idom);
// Fills tree.objectsBefore: the objects of a subtree are then a difference of two of its entries.
void countSubtreeObjects(const HeapGraph& g, DominatorTree& tree);

namespace detail {
// For tests: the same computation with its switches forced, so that both the one-thread and the
// two-thread schedules are checked on small graphs.
struct DominatorOptions {
  uint32_t parallelMinNodes = 1u << 16;  // smaller graphs run on the calling thread alone
  bool helperThreadFails = false;        // behave as if the helper thread could not be started
};
DominatorResult computeDominators(const HeapGraph& g, bool withRetained, const DominatorOptions& options,
                                  const TaskContext& ctx);
}  // namespace detail

}  // namespace heaplens
