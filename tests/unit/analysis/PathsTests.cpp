// PathsTests: shortest root paths, the kAvoidInPaths rule, retainer paths and the reverse index.
#include "analysis/Paths.h"

#include <gtest/gtest.h>

#include "TestGraphs.h"

namespace heaplens {
namespace {

using test::E;
using test::makeGraph;

std::vector<NodeId> nodesOf(const RetentionPath& p) {
  std::vector<NodeId> out;
  for (const PathStep& s : p.steps) out.push_back(s.node);
  return out;
}

TEST(Paths, ShortestPathFollowsBfsParents) {
  // root 1 -> 2 -> 3 -> 4 and 1 -> 4 directly: the short way wins.
  HeapGraph g = makeGraph({1, 1, 1, 1}, {1}, {{1, 2}, {2, 3}, {3, 4}, {1, 4}});
  PathFinder pf(g);
  auto p = pf.shortestPath(4);
  ASSERT_TRUE(p);
  EXPECT_EQ(nodesOf(*p), (std::vector<NodeId>{1, 4}));
  EXPECT_FALSE(p->throughAvoided);
  EXPECT_EQ(pf.distance(4), 2u);
  EXPECT_EQ(pf.distance(1), 1u);
  // Each step names the edge it came through.
  EXPECT_EQ(g.edgeTarget[p->steps[1].via], 4u);
  EXPECT_EQ(g.labelText(p->steps[0].via), "test root");
}

TEST(Paths, WeakEdgesAndUnreachableNodes) {
  HeapGraph g = makeGraph({1, 1, 1}, {1}, {{1, 2, true}, {3, 1}});
  PathFinder pf(g);
  EXPECT_FALSE(pf.reachable(2));
  EXPECT_FALSE(pf.reachable(3));
  EXPECT_FALSE(pf.shortestPath(2));
  EXPECT_EQ(pf.distance(3), UINT32_MAX);
  EXPECT_TRUE(pf.retainerPaths(2, 5).empty());
  EXPECT_FALSE(pf.shortestPath(kSuperRoot));
}

TEST(Paths, AvoidedNodesAreNotPassedThroughWhenAnotherWayExists) {
  // Roots: 1 (avoided, like MoarVM's inter-generational roots) and 2.
  // 1 -> 3 directly; 2 -> 4 -> 3 is longer but clean. 1 -> 5 is the only way to 5.
  GraphBuilder b;
  for (int i = 0; i < 5; ++i) b.addNode(NodeKind::Object, 1);
  b.setFlag(1, kAvoidInPaths);
  b.addRoot(1, "Inter-generational Roots");
  b.addRoot(2, "Thread Roots");
  b.addEdge(1, 3);
  b.addEdge(1, 5);
  b.addEdge(2, 4);
  b.addEdge(4, 3);
  b.addEdge(5, 2);
  HeapGraph g = b.finish();
  PathFinder pf(g);
  auto p3 = pf.shortestPath(3);
  ASSERT_TRUE(p3);
  EXPECT_EQ(nodesOf(*p3), (std::vector<NodeId>{2, 4, 3}));
  EXPECT_FALSE(p3->throughAvoided);
  auto p5 = pf.shortestPath(5);
  ASSERT_TRUE(p5);
  EXPECT_EQ(nodesOf(*p5), (std::vector<NodeId>{1, 5}));
  EXPECT_TRUE(p5->throughAvoided);
  // The avoided node itself is a clean target.
  auto p1 = pf.shortestPath(1);
  ASSERT_TRUE(p1);
  EXPECT_EQ(nodesOf(*p1), (std::vector<NodeId>{1}));
  EXPECT_FALSE(p1->throughAvoided);
}

TEST(Paths, SecondSearchKeepsShortestDistances) {
  // Avoided roots 1 and 2; 1 -> 3 -> 4 -> 5 and 2 -> 5: 5's path goes through 2.
  GraphBuilder b;
  for (int i = 0; i < 5; ++i) b.addNode(NodeKind::Object, 1);
  b.setFlag(1, kAvoidInPaths);
  b.setFlag(2, kAvoidInPaths);
  b.addRoot(1, "a");
  b.addRoot(2, "b");
  b.addEdge(1, 3);
  b.addEdge(2, 5);
  b.addEdge(3, 4);
  b.addEdge(4, 5);
  HeapGraph g = b.finish();
  PathFinder pf(g);
  EXPECT_EQ(nodesOf(*pf.shortestPath(5)), (std::vector<NodeId>{2, 5}));
  EXPECT_EQ(nodesOf(*pf.shortestPath(4)), (std::vector<NodeId>{1, 3, 4}));
  EXPECT_TRUE(pf.shortestPath(4)->throughAvoided);
}

TEST(Paths, RetainerPathsAreDistinctAndShortestFirst) {
  // 5 is held by 2 (dist 2), 4 (dist 3) and 3 (dist 2); 2 holds it twice.
  HeapGraph g = makeGraph({1, 1, 1, 1, 1}, {1},
                          {{1, 2}, {1, 3}, {2, 5}, {2, 5}, {3, 4}, {3, 5}, {4, 5}, {5, 5}});
  PathFinder pf(g);
  auto paths = pf.retainerPaths(5, 10);
  ASSERT_EQ(paths.size(), 4u);  // 1-2-5, 1-2-5 via the second edge, 1-3-5, 1-3-4-5 (self edge skipped)
  EXPECT_EQ(nodesOf(paths[0]), (std::vector<NodeId>{1, 2, 5}));
  EXPECT_EQ(nodesOf(paths[0]), nodesOf(*pf.shortestPath(5)));
  EXPECT_EQ(nodesOf(paths[1]), (std::vector<NodeId>{1, 2, 5}));
  EXPECT_NE(paths[0].steps[2].via, paths[1].steps[2].via);
  EXPECT_EQ(nodesOf(paths[2]), (std::vector<NodeId>{1, 3, 5}));
  EXPECT_EQ(nodesOf(paths[3]), (std::vector<NodeId>{1, 3, 4, 5}));
  // Fewer when asked.
  EXPECT_EQ(pf.retainerPaths(5, 2).size(), 2u);
}

TEST(Paths, RetainerPathsSkipCyclesThroughTheTarget) {
  // 3 is held by 2 and by 4, but 4 is only reachable through 3 itself.
  HeapGraph g = makeGraph({1, 1, 1, 1}, {1}, {{1, 2}, {2, 3}, {3, 4}, {4, 3}});
  PathFinder pf(g);
  auto paths = pf.retainerPaths(3, 5);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(nodesOf(paths[0]), (std::vector<NodeId>{1, 2, 3}));
}

TEST(Paths, ReverseEdgesGroupRetainersByTarget) {
  HeapGraph g = makeGraph({1, 1, 1}, {1}, {{1, 3}, {2, 3}, {1, 2}});
  ReverseEdges r = buildReverseEdges(g);
  ASSERT_EQ(r.first.size(), 5u);
  EXPECT_EQ(r.first[3] - r.first[2], 1u);  // node 2: held by 1
  ASSERT_EQ(r.first[4] - r.first[3], 2u);  // node 3: held by 1 and 2
  std::vector<NodeId> holders(r.sources.begin() + r.first[3], r.sources.begin() + r.first[4]);
  EXPECT_EQ(holders, (std::vector<NodeId>{1, 2}));
  for (EdgeIndex i = 0; i < r.edges.size(); ++i) EXPECT_EQ(g.edgeTarget[r.edges[i]], i < 1 ? 1u : i < 2 ? 2u : 3u);
}

}  // namespace
}  // namespace heaplens
