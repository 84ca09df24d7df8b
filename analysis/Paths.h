// Paths: why is this alive? Shortest paths from the roots, and retainers.
//
// A breadth-first search from the super-root over path edges (EdgeRules.h: every edge but a weak one) gives every
// reachable node a parent, so the shortest root path to any node is a walk
// up that parent chain. Nodes flagged kAvoidInPaths (MoarVM's
// inter-generational roots) are not passed through; a node reachable only
// through them is found by a second search that allows them, and its path
// says so. K distinct retainer paths come from the node's retainers (reverse
// edges, built on first use), each extended by its own shortest root path.
//
// Threading: construct on a worker; queries are const and thread-safe after
// construction, except retainerPaths(), which builds the reverse index once
// under a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "analysis/HeapGraph.h"
#include "analysis/TaskContext.h"

namespace heaplens {

inline constexpr EdgeIndex kNoEdge = std::numeric_limits<EdgeIndex>::max();

struct PathStep {
  NodeId node = kNoNode;
  EdgeIndex via = kNoEdge;  // the edge from the previous step into this node; for steps[0], the super-root's edge
};

struct RetentionPath {
  std::vector<PathStep> steps;  // steps[0] is a root (a child of the super-root); the last step is the target
  bool throughAvoided = false;  // had to pass through a kAvoidInPaths node
};

// Reverse CSR: the retainers of each node.
struct ReverseEdges {
  std::vector<EdgeIndex> first;   // size nodeCount()+1
  std::vector<EdgeIndex> edges;   // forward edge indices, grouped by target
  std::vector<NodeId> sources;    // source node of each entry
};
ReverseEdges buildReverseEdges(const HeapGraph& g, const TaskContext& ctx = {});

class PathFinder {
public:
  explicit PathFinder(const HeapGraph& g, const TaskContext& ctx = {});

  bool reachable(NodeId n) const;
  uint32_t distance(NodeId n) const;  // edges from the super-root; UINT32_MAX when unreachable
  std::optional<RetentionPath> shortestPath(NodeId target) const;
  // Up to k distinct paths, shortest first; the first equals shortestPath().
  std::vector<RetentionPath> retainerPaths(NodeId target, size_t k) const;
  const ReverseEdges& reverse() const;

private:
  const HeapGraph& g_;
  std::vector<NodeId> parent_;
  std::vector<EdgeIndex> parentEdge_;
  std::vector<uint32_t> dist_;
  std::vector<uint8_t> viaAvoided_;
  mutable std::once_flag reverseOnce_;
  mutable std::unique_ptr<ReverseEdges> reverse_;
};

}  // namespace heaplens
