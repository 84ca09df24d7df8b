// DominatorsTests: whole idom[] and retained[] arrays on hand-built graphs, and deep graphs.
#include "analysis/Dominators.h"

#include <gtest/gtest.h>

#include "TestGraphs.h"

namespace heaplens {
namespace {

using test::E;
using test::makeGraph;
constexpr NodeId X = kNoNode;

TEST(Dominators, Diamond) {
  // 0 -> 1 -> {2, 3} -> 4
  HeapGraph g = makeGraph({10, 20, 30, 40}, {1}, {{1, 2}, {1, 3}, {2, 4}, {3, 4}});
  auto idom = computeDominators(g);
  EXPECT_EQ(idom, (std::vector<NodeId>{X, 0, 1, 1, 1}));
  auto retained = computeRetainedSizes(g, idom);
  EXPECT_EQ(retained, (std::vector<uint64_t>{100, 100, 20, 30, 40}));
}

TEST(Dominators, CyclesAndSelfEdges) {
  // 1 -> 2 <-> 3, 3 -> 1, 2 -> 2, 3 -> 4 -> 4
  HeapGraph g = makeGraph({1, 2, 4, 8}, {1}, {{1, 2}, {2, 2}, {2, 3}, {3, 2}, {3, 1}, {3, 4}, {4, 4}});
  auto idom = computeDominators(g);
  EXPECT_EQ(idom, (std::vector<NodeId>{X, 0, 1, 2, 3}));
  EXPECT_EQ(computeRetainedSizes(g, idom), (std::vector<uint64_t>{15, 15, 14, 12, 8}));
}

TEST(Dominators, SeveralRootsShareAnObject) {
  // Two roots both hold 3: only the super-root dominates it.
  HeapGraph g = makeGraph({1, 1, 5, 7}, {1, 2}, {{1, 3}, {2, 3}, {2, 4}});
  auto idom = computeDominators(g);
  EXPECT_EQ(idom, (std::vector<NodeId>{X, 0, 0, 0, 2}));
  EXPECT_EQ(computeRetainedSizes(g, idom), (std::vector<uint64_t>{14, 1, 8, 5, 7}));
}

TEST(Dominators, WeakEdgesAreIgnored) {
  // 2 reaches 3 only weakly, so 1 dominates 3; 4 is reachable only through a weak edge.
  HeapGraph g = makeGraph({1, 1, 5, 7}, {1, 2}, {{1, 3}, {2, 3, true}, {2, 4, true}});
  auto idom = computeDominators(g);
  EXPECT_EQ(idom, (std::vector<NodeId>{X, 0, 0, 1, X}));
  auto retained = computeRetainedSizes(g, idom);
  EXPECT_EQ(retained, (std::vector<uint64_t>{7, 6, 1, 5, 7}));
  auto u = countUnreachable(g, idom);
  EXPECT_EQ(u.nodes, 1u);
  EXPECT_EQ(u.bytes, 7u);
}

TEST(Dominators, UnreachableIslandKeepsItsOwnSize) {
  // 3 <-> 4 is a cycle nobody reaches; 5 is a lone Root-kind node (not counted as an object).
  GraphBuilder b;
  NodeId n1 = b.addNode(NodeKind::Object, 10);
  NodeId n2 = b.addNode(NodeKind::Object, 20);
  NodeId n3 = b.addNode(NodeKind::Object, 30);
  NodeId n4 = b.addNode(NodeKind::Object, 40);
  b.addNode(NodeKind::Root, 50);
  b.addRoot(n1, "global");
  b.addEdge(n1, n2);
  b.addEdge(n3, n4);
  b.addEdge(n4, n3);
  b.addEdge(n3, n2);  // an unreachable node pointing into the live heap changes nothing
  HeapGraph g = b.finish();
  auto idom = computeDominators(g);
  EXPECT_EQ(idom, (std::vector<NodeId>{X, 0, 1, X, X, X}));
  EXPECT_EQ(computeRetainedSizes(g, idom), (std::vector<uint64_t>{30, 30, 20, 30, 40, 50}));
  auto u = countUnreachable(g, idom);
  EXPECT_EQ(u.nodes, 2u);
  EXPECT_EQ(u.bytes, 70u);
}

TEST(Dominators, LengauerTarjanPaperExample) {
  // The flowgraph of Lengauer & Tarjan 1979, figure 1, with R as the super-root.
  enum { R, A, B, C, D, Ee, F, G, H, I, J, K, L };
  GraphBuilder b;
  for (int i = 0; i < 12; ++i) b.addNode(NodeKind::Object, 1);
  std::vector<std::pair<int, int>> edges = {{R, A}, {R, B}, {R, C}, {A, D}, {B, A}, {B, D}, {B, Ee},
                                            {C, F}, {C, G}, {D, L}, {Ee, H}, {F, I}, {G, I}, {G, J},
                                            {H, Ee}, {H, K}, {I, K}, {J, I}, {K, I}, {K, R}, {L, H}};
  for (auto [f, t] : edges) b.addEdge(f, t);
  HeapGraph g = b.finish();
  auto idom = computeDominators(g);
  std::vector<NodeId> expected = {X, R, R, R, R, R, C, C, R, R, G, R, D};
  EXPECT_EQ(idom, expected);
  EXPECT_EQ(computeRetainedSizes(g, idom),
            (std::vector<uint64_t>{12, 1, 1, 4, 2, 1, 1, 2, 1, 1, 1, 1, 1}));
}

TEST(Dominators, ExternalBytesCountInRetained) {
  GraphBuilder b;
  NodeId a = b.addNode(NodeKind::Object, 16);
  NodeId c = b.addNode(NodeKind::Object, 8);
  b.setExternalSize(c, 1000);
  b.addRoot(a, "r");
  b.addEdge(a, c);
  HeapGraph g = b.finish();
  auto idom = computeDominators(g);
  EXPECT_EQ(computeRetainedSizes(g, idom), (std::vector<uint64_t>{1024, 1024, 1008}));
}

TEST(Dominators, EmptyGraphHasOnlyTheSuperRoot) {
  HeapGraph g = GraphBuilder().finish();
  auto idom = computeDominators(g);
  EXPECT_EQ(idom, (std::vector<NodeId>{X}));
  EXPECT_EQ(computeRetainedSizes(g, idom), (std::vector<uint64_t>{0}));
}

TEST(Dominators, TreeInPreorderWithChildrenByRanges) {
  // 0 -> {1, 4}, 1 -> {2, 3}; 5 is unreachable.
  DominatorTree t = buildDominatorTree(std::vector<NodeId>{X, 0, 1, 1, 0, X});
  EXPECT_EQ(t.preorder, (std::vector<NodeId>{0, 1, 2, 3, 4}));
  EXPECT_EQ(t.subtreeEnd, (std::vector<uint32_t>{5, 4, 3, 4, 5}));
  EXPECT_EQ(t.children(0), (std::vector<NodeId>{1, 4}));
  EXPECT_EQ(t.children(1), (std::vector<NodeId>{2, 3}));
  EXPECT_TRUE(t.children(2).empty());
  EXPECT_TRUE(t.children(5).empty());
  EXPECT_FALSE(t.contains(5));
  EXPECT_TRUE(t.subtree(5).empty());
  EXPECT_EQ(std::vector<NodeId>(t.subtree(1).begin(), t.subtree(1).end()), (std::vector<NodeId>{1, 2, 3}));
}

// Children listed by increasing id whatever the ids' order in the tree; a deep chain; a cycle in a
// malformed idom array stays outside the tree instead of looping.
TEST(Dominators, TreeSiblingsByIdAndMalformedInput) {
  DominatorTree t = buildDominatorTree(std::vector<NodeId>{X, 3, 0, 0, 2, 2, 3});
  EXPECT_EQ(t.children(0), (std::vector<NodeId>{2, 3}));
  EXPECT_EQ(t.children(2), (std::vector<NodeId>{4, 5}));
  EXPECT_EQ(t.children(3), (std::vector<NodeId>{1, 6}));
  EXPECT_EQ(t.preorder, (std::vector<NodeId>{0, 2, 4, 5, 3, 1, 6}));
  std::vector<NodeId> chain(1000);
  chain[0] = X;
  for (NodeId v = 1; v < chain.size(); ++v) chain[v] = v - 1;
  DominatorTree c = buildDominatorTree(chain);
  EXPECT_EQ(c.subtreeEnd[1], 1000u);
  EXPECT_EQ(c.children(998), (std::vector<NodeId>{999}));
  DominatorTree bad = buildDominatorTree(std::vector<NodeId>{X, 2, 1, 0});
  EXPECT_EQ(bad.preorder, (std::vector<NodeId>{0, 3}));
  EXPECT_FALSE(bad.contains(1));
  EXPECT_FALSE(bad.contains(2));
}

TEST(Dominators, CancellationUnwinds) {
  HeapGraph g = makeGraph(std::vector<uint64_t>(200000, 1), {1}, {});
  std::stop_source stop;
  stop.request_stop();
  TaskContext ctx(stop.get_token(), nullptr);
  EXPECT_THROW(computeDominators(g, ctx), OperationCancelled);
  EXPECT_THROW(computeDominatorsAndRetained(g, ctx), OperationCancelled);
  EXPECT_THROW(detail::computeDominators(g, true, {0, false}, ctx), OperationCancelled);
  EXPECT_THROW(detail::computeDominators(g, true, {0, true}, ctx), OperationCancelled);
}

// Cancelled while the search runs: the helper thread is stopped and joined, nothing leaks or hangs.
TEST(Dominators, CancellationDuringTheSearchStopsTheHelper) {
  constexpr uint32_t kN = 300'000;
  std::vector<uint64_t> sizes(kN, 1);
  std::vector<E> edges;
  for (uint32_t i = 1; i < kN; ++i) edges.push_back({i, i + 1});
  HeapGraph g = makeGraph(sizes, {1}, edges);
  std::stop_source stop;
  TaskContext ctx(stop.get_token(), [&](std::string_view, double f) {
    if (f > 0.2) stop.request_stop();
  });
  EXPECT_THROW(computeDominatorsAndRetained(g, ctx), OperationCancelled);
}

// A graph big enough for the helper thread, on a machine where it cannot be
// started: the call runs on one thread and gives the same arrays.
TEST(Dominators, HelperThreadThatCannotStartFallsBackToOneThread) {
  constexpr uint32_t kN = 200'000;
  std::vector<uint64_t> sizes(kN);
  std::vector<E> edges;
  for (uint32_t i = 1; i <= kN; ++i) {
    sizes[i - 1] = i % 7 + 1;
    if (i > 1) edges.push_back({i / 2, i});                   // a binary tree
    if (i % 3 == 0) edges.push_back({i, (i * 7919u) % kN + 1});  // and scattered cross edges
  }
  HeapGraph g = makeGraph(sizes, {1}, edges);
  DominatorResult threaded = detail::computeDominators(g, true, {}, {});
  detail::DominatorOptions noThread;
  noThread.helperThreadFails = true;
  std::vector<double> progress;
  TaskContext ctx(std::stop_token{}, [&](std::string_view, double f) { progress.push_back(f); });
  DominatorResult alone = detail::computeDominators(g, true, noThread, ctx);
  EXPECT_EQ(alone.idom, threaded.idom);
  EXPECT_EQ(alone.retained, threaded.retained);
  uint64_t total = 0;  // the tree reaches every node: the super-root retains them all
  for (uint64_t size : sizes) total += size;
  EXPECT_EQ(alone.retained[kSuperRoot], total);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 1.0);
}

TEST(Dominators, ReportsProgressUnderThePhaseName) {
  HeapGraph g = makeGraph({1, 2}, {1}, {{1, 2}});
  std::vector<double> seen;
  TaskContext ctx(std::stop_token{}, [&](std::string_view phase, double f) {
    if (phase == "Computing dominators") seen.push_back(f);
  });
  computeDominators(g, ctx);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 1.0);
}

// Deep graphs: the DFS and the path compression must not recurse. Two million nodes is deep enough
// to prove it: a recursive walk would need two million frames, at least 64 MB of stack against the
// 8 MB a thread gets. (These ran with ten million, which cost 17 s under ASan and proved no more.)
constexpr uint32_t kDeep = 2'000'000;

// kDeep nodes in a chain.
TEST(DominatorsDeep, LongChain) {
  constexpr uint32_t kN = kDeep;
  GraphBuilder b;
  b.reserve(kN + 1, kN);
  for (uint32_t i = 0; i < kN; ++i) b.addNode(NodeKind::Object, 2);
  b.addRoot(1, "head");
  for (uint32_t i = 1; i < kN; ++i) b.addEdge(i, i + 1);
  HeapGraph g = b.finish();
  auto [idom, retained] = computeDominatorsAndRetained(g);
  uint32_t wrong = 0;
  for (uint32_t i = 1; i <= kN; ++i) wrong += idom[i] != i - 1 || retained[i] != 2ull * (kN - i + 1);
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(retained[0], 2ull * kN);
}

// kDeep leaves under one hub, each leaf also pointing back at the hub.
TEST(DominatorsDeep, WideStar) {
  constexpr uint32_t kN = kDeep;
  GraphBuilder b;
  b.reserve(kN + 2, 2ull * kN);
  NodeId hub = b.addNode(NodeKind::Object, 100);
  for (uint32_t i = 0; i < kN; ++i) b.addNode(NodeKind::Object, 1);
  b.addRoot(hub, "hub");
  for (uint32_t i = 0; i < kN; ++i) b.addEdge(hub, hub + 1 + i);
  for (uint32_t i = 0; i < kN; ++i) b.addEdge(hub + 1 + i, hub);
  HeapGraph g = b.finish();
  auto [idom, retained] = computeDominatorsAndRetained(g);
  uint32_t wrong = 0;
  for (uint32_t i = 0; i < kN; ++i) wrong += idom[hub + 1 + i] != hub || retained[hub + 1 + i] != 1;
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(idom[hub], kSuperRoot);
  EXPECT_EQ(retained[hub], 100u + kN);
}

}  // namespace
}  // namespace heaplens
