// DominatorsOracleTests: seeded random graphs checked against Boost.Graph's Lengauer-Tarjan.
//
// Boost is used only here, as an independent implementation of the same
// definition; the headers are part of Debian's libboost-graph-dev.
#if __has_include(<boost/graph/dominator_tree.hpp>)

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dominator_tree.hpp>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "analysis/Dominators.h"
#include "analysis/GraphBuilder.h"

namespace heaplens {
namespace {

using BGraph = boost::adjacency_list<boost::listS, boost::vecS, boost::bidirectionalS>;
using BVertex = boost::graph_traits<BGraph>::vertex_descriptor;

// The oracle's own reading of the edge rule (written apart from EdgeRules.h on purpose): a weak
// edge never keeps its target alive; a shortcut only when it leaves the super-root.
bool keepsAlive(const HeapGraph& g, NodeId from, EdgeIndex e) {
  const uint8_t k = g.edgeKind(e);
  if (k & kEdgeWeak) return false;
  if ((k & kEdgeShortcut) && from != kSuperRoot) return false;
  return true;
}

std::vector<NodeId> boostDominators(const HeapGraph& g) {
  // Boost 1.74 mishandles edges out of unreachable vertices (their DFS number
  // defaults to 0, the entry's), so it gets the reachable part only; those
  // edges cannot change any dominator anyway.
  std::vector<char> reached(g.nodeCount(), 0);
  std::vector<NodeId> work{kSuperRoot};
  reached[kSuperRoot] = 1;
  while (!work.empty()) {
    NodeId u = work.back();
    work.pop_back();
    for (EdgeIndex e = g.firstEdge[u]; e < g.firstEdge[u + 1]; ++e)
      if (keepsAlive(g, u, e) && !reached[g.edgeTarget[e]]) {
        reached[g.edgeTarget[e]] = 1;
        work.push_back(g.edgeTarget[e]);
      }
  }
  BGraph bg(g.nodeCount());
  for (NodeId u = 0; u < g.nodeCount(); ++u)
    for (EdgeIndex e = g.firstEdge[u]; e < g.firstEdge[u + 1]; ++e)
      if (reached[u] && keepsAlive(g, u, e)) boost::add_edge(u, g.edgeTarget[e], bg);
  std::vector<BVertex> dom(g.nodeCount(), boost::graph_traits<BGraph>::null_vertex());
  auto domMap = boost::make_iterator_property_map(dom.begin(), boost::get(boost::vertex_index, bg));
  boost::lengauer_tarjan_dominator_tree(bg, boost::vertex(0, bg), domMap);
  std::vector<NodeId> out(g.nodeCount(), kNoNode);
  for (NodeId v = 0; v < g.nodeCount(); ++v)
    if (dom[v] != boost::graph_traits<BGraph>::null_vertex()) out[v] = static_cast<NodeId>(dom[v]);
  return out;
}

// Heap-shaped random graphs: a random tree for most nodes, cross and back
// edges, some weak and shortcut edges (the super-root's shortcuts count, others
// do not), other edge kinds that change nothing, a few roots, self edges and
// unreachable nodes.
HeapGraph randomGraph(std::mt19937& rng, bool shuffledEdges) {
  std::uniform_int_distribution<int> sizeDist(1, 60);
  const uint32_t n = static_cast<uint32_t>(sizeDist(rng));
  GraphBuilder b;
  for (uint32_t i = 0; i < n; ++i) b.addNode(NodeKind::Object, 1 + rng() % 100);
  struct Edge { NodeId from, to; uint8_t kinds; };
  std::vector<Edge> edges;
  auto node = [&] { return static_cast<NodeId>(1 + rng() % n); };
  const uint32_t roots = 1 + rng() % 4;
  for (uint32_t r = 0; r < roots; ++r) b.addRoot(node(), "root");
  for (NodeId v = 2; v <= n; ++v)
    if (rng() % 10 != 0) edges.push_back({static_cast<NodeId>(1 + rng() % (v - 1)), v, uint8_t{0}});
  const uint32_t extra = static_cast<uint32_t>(rng() % (2 * n + 1));
  auto kinds = [&]() -> uint8_t {
    switch (rng() % 12) {
      case 0: case 1: return kEdgeWeak;
      case 2: return kEdgeShortcut;
      case 3: return kEdgeElement;
      case 4: return kEdgeContext | kEdgeProperty;
      case 5: return kEdgeHidden | kEdgeInternal;
      default: return 0;
    }
  };
  for (uint32_t i = 0; i < extra; ++i) edges.push_back({node(), node(), kinds()});
  // Shortcuts out of the super-root keep their targets alive.
  if (rng() % 3 == 0) edges.push_back({kSuperRoot, node(), kEdgeShortcut});
  if (shuffledEdges) {
    std::shuffle(edges.begin(), edges.end(), rng);
  } else {
    std::stable_sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& c) { return a.from < c.from; });
  }
  for (const Edge& e : edges) b.addEdge(e.from, e.to, EdgeLabel::none(), e.kinds);
  return b.finish();
}

// The 2,000 graphs in four shards of 500, each a test of its own (and a ctest entry of its own,
// see tests/CMakeLists.txt). Every shard draws the graphs before its range from the same
// generator and drops them, so graph i is the same graph whichever shard checks it, and the
// four shards check exactly graphs 0 to 1,999, as one test did before.
constexpr int kGraphs = 2000;
constexpr int kShards = 4;

class DominatorsOracle : public ::testing::TestWithParam<int> {};

TEST_P(DominatorsOracle, RandomGraphsMatchBoost) {
  const int first = GetParam() * kGraphs / kShards, last = (GetParam() + 1) * kGraphs / kShards;
  std::mt19937 rng(20261123);
  for (int i = 0; i < first; ++i) randomGraph(rng, i % 2 == 1);
  int mismatches = 0;
  for (int i = first; i < last; ++i) {
    HeapGraph g = randomGraph(rng, i % 2 == 1);
    auto ours = computeDominators(g);
    auto theirs = boostDominators(g);
    if (ours != theirs && ++mismatches <= 3) {
      std::string diff;
      for (NodeId v = 0; v < g.nodeCount(); ++v)
        if (ours[v] != theirs[v])
          diff += " node " + std::to_string(v) + ": ours " + std::to_string(static_cast<int>(ours[v])) + " boost " +
                  std::to_string(static_cast<int>(theirs[v])) + ";";
      ADD_FAILURE() << "graph " << i << " differs from Boost:" << diff;
    }
    // Retained sizes must agree with the definition: the sum over the dominator subtree.
    auto retained = computeRetainedSizes(g, ours);
    for (NodeId v = 0; v < g.nodeCount(); ++v) {
      uint64_t sum = 0;
      for (NodeId w = 0; w < g.nodeCount(); ++w) {
        NodeId x = w;
        while (x != kNoNode && x != v) x = ours[x];
        if (x == v && (ours[w] != kNoNode || w == v)) sum += g.shallowSize(w);
      }
      if (ours[v] == kNoNode && v != kSuperRoot) sum = g.shallowSize(v);
      if (retained[v] != sum && ++mismatches <= 3) ADD_FAILURE() << "graph " << i << " node " << v << " retained";
    }
    // The combined computation, and the same with a helper thread forced on this small graph, give
    // the same arrays; a helper thread that cannot be started leaves the whole call to this thread.
    const detail::DominatorOptions variants[] = {{}, {0, false}, {0, true}, {1u << 16, true}};
    for (const auto& options : variants) {
      DominatorResult both = detail::computeDominators(g, true, options, {});
      if ((both.idom != ours || both.retained != retained) && ++mismatches <= 3)
        ADD_FAILURE() << "graph " << i << ": combined result differs (helper thread "
                      << (options.parallelMinNodes == 0) << ", helper thread fails to start "
                      << options.helperThreadFails << ")";
    }
  }
  EXPECT_EQ(mismatches, 0);
}

INSTANTIATE_TEST_SUITE_P(TwoThousand, DominatorsOracle, ::testing::Range(0, kShards), [](const auto& info) {
  return "graphs" + std::to_string(info.param * kGraphs / kShards) + "to" +
         std::to_string((info.param + 1) * kGraphs / kShards - 1);
});

}  // namespace
}  // namespace heaplens

#endif
