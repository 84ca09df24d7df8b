// TestGraphs: small helpers that build HeapGraphs from edge lists for the analysis tests.
//
// Node i of the list becomes ordinal i (the super-root is 0), so expected
// idom[] / retained[] arrays can be written down by hand.
#pragma once

#include <initializer_list>
#include <utility>
#include <vector>

#include "analysis/Dump.h"
#include "analysis/GraphBuilder.h"

namespace heaplens::test {

struct E {
  NodeId from, to;
  bool weak = false;
  uint8_t kinds = 0;  // EdgeKind bits besides weak
};

// sizes[i] is the self size of node i+1; roots are linked from the super-root.
inline HeapGraph makeGraph(const std::vector<uint64_t>& sizes, const std::vector<NodeId>& roots,
                           const std::vector<E>& edges, NodeKind kind = NodeKind::Object) {
  GraphBuilder b;
  for (uint64_t s : sizes) b.addNode(kind, s);
  for (NodeId r : roots) b.addRoot(r, "test root");
  for (const E& e : edges) b.addEdge(e.from, e.to, EdgeLabel::none(), static_cast<uint8_t>(e.kinds | (e.weak ? kEdgeWeak : 0)));
  return b.finish();
}

// A Dump with dominators and retained sizes filled in by finishDump(), as a load does.
inline Dump makeDump(HeapGraph g) {
  Dump d;
  d.setGraph(std::move(g));
  finishDump(d);
  return d;
}

}  // namespace heaplens::test
