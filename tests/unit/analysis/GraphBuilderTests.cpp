// GraphBuilderTests: CSR layout, root edges, edge kinds, deduplicated tables, memory layout.
#include "analysis/GraphBuilder.h"

#include <map>
#include <gtest/gtest.h>

#include <random>

namespace heaplens {
namespace {

std::vector<std::pair<NodeId, NodeId>> edgeList(const HeapGraph& g) {
  std::vector<std::pair<NodeId, NodeId>> out;
  for (NodeId u = 0; u < g.nodeCount(); ++u)
    for (NodeId v : g.targets(u)) out.emplace_back(u, v);
  return out;
}

TEST(GraphBuilder, SuperRootAndUnknownTypeExistFromTheStart) {
  HeapGraph g = GraphBuilder().finish();
  EXPECT_EQ(g.nodeCount(), 1u);
  EXPECT_EQ(g.kind(kSuperRoot), NodeKind::Synthetic);
  EXPECT_EQ(g.typeCount(), 1u);
  EXPECT_EQ(g.sites->strings.get(g.typeName[kNoType]), "(unknown)");
  EXPECT_EQ(g.firstEdge, (std::vector<EdgeIndex>{0, 0}));
  EXPECT_EQ(g.siteCount(), 0u);
}

TEST(GraphBuilder, RootsBecomeLabelledSuperRootEdgesFirst) {
  GraphBuilder b;
  NodeId a = b.addNode(NodeKind::Object, 8);
  NodeId c = b.addNode(NodeKind::Object, 8);
  b.addEdge(a, c, EdgeLabel::name(b.intern("next")));
  b.addRoot(c, "goroutine 18 frame main.holder");
  b.addRoot(a, "bss");
  HeapGraph g = b.finish();
  ASSERT_EQ(g.targets(kSuperRoot).size(), 2u);
  EXPECT_EQ(g.targets(kSuperRoot)[0], c);
  EXPECT_EQ(g.targets(kSuperRoot)[1], a);
  EXPECT_EQ(g.labelText(g.firstEdge[0]), "goroutine 18 frame main.holder");
  EXPECT_EQ(g.labelText(g.firstEdge[0] + 1), "bss");
  ASSERT_EQ(g.targets(a).size(), 1u);
  EXPECT_EQ(g.labelText(g.firstEdge[a]), "next");
  EXPECT_TRUE(g.targets(c).empty());
}

TEST(GraphBuilder, LabelsOfEveryKind) {
  GraphBuilder b;
  NodeId a = b.addNode(NodeKind::Object, 1);
  b.addEdge(a, a, EdgeLabel::index(3));
  b.addEdge(a, a, EdgeLabel::none(), kEdgeWeak);
  b.addEdge(a, a, EdgeLabel::name(b.intern("$x")), kEdgeWeak | kEdgeContext);
  HeapGraph g = b.finish();
  EXPECT_EQ(g.labelText(0), "[3]");
  EXPECT_EQ(g.labelText(1), "");
  EXPECT_EQ(g.edgeKind(1), kEdgeWeak);
  EXPECT_EQ(g.labelText(2), "$x");
  EXPECT_EQ(g.edgeKind(2), kEdgeWeak | kEdgeContext);
  EXPECT_EQ(g.edgeKind(0), 0);
}

TEST(GraphBuilder, EdgeKindsSurviveWhenTheFirstEdgeHasThemAndEdgesArriveOutOfOrder) {
  GraphBuilder b;
  for (int i = 0; i < 3; ++i) b.addNode(NodeKind::Object, 1);
  b.addRoot(1, "r");
  b.addEdge(2, 3, EdgeLabel::none(), kEdgeWeak);  // the very first edge carries a kind
  b.addEdge(1, 2);
  b.addEdge(3, 1, EdgeLabel::none(), kEdgeShortcut);
  HeapGraph g = b.finish();
  ASSERT_EQ(g.edgeKinds.size(), g.edgeCount());
  std::map<std::pair<NodeId, NodeId>, uint8_t> kindOf;
  for (NodeId u = 0; u < g.nodeCount(); ++u)
    for (EdgeIndex e = g.firstEdge[u]; e < g.firstEdge[u + 1]; ++e) kindOf[{u, g.edgeTarget[e]}] = g.edgeKind(e);
  EXPECT_EQ(kindOf.at({kSuperRoot, 1}), 0);
  EXPECT_EQ(kindOf.at({2, 3}), kEdgeWeak);
  EXPECT_EQ(kindOf.at({1, 2}), 0);
  EXPECT_EQ(kindOf.at({3, 1}), kEdgeShortcut);
}

TEST(GraphBuilder, OutOfOrderEdgesGiveTheSameGraphAsSortedOnes) {
  std::mt19937 rng(7);
  std::vector<std::tuple<NodeId, NodeId, uint32_t>> edges;
  for (int i = 0; i < 5000; ++i) edges.emplace_back(1 + rng() % 300, 1 + rng() % 300, i);
  auto build = [&](bool sorted) {
    auto list = edges;
    if (sorted) std::stable_sort(list.begin(), list.end(), [](auto& x, auto& y) { return std::get<0>(x) < std::get<0>(y); });
    GraphBuilder b;
    for (int i = 0; i < 300; ++i) b.addNode(NodeKind::Object, 1);
    b.addRoot(5, "r");
    for (auto [f, t, l] : list) b.addEdge(f, t, EdgeLabel::index(l));
    return b.finish();
  };
  HeapGraph sorted = build(true);
  HeapGraph shuffled = build(false);  // edges arrive in random source order
  EXPECT_EQ(sorted.firstEdge, shuffled.firstEdge);
  EXPECT_EQ(sorted.edgeTarget, shuffled.edgeTarget);
  // Stable: each node keeps its edges in the order they were added.
  EXPECT_EQ(sorted.edgeLabel, shuffled.edgeLabel);
  EXPECT_EQ(edgeList(sorted).size(), 5001u);
  EXPECT_EQ(sorted.targets(0)[0], 5u);
}

TEST(GraphBuilder, TypesLocationsAndSitesAreDeduplicated) {
  GraphBuilder b;
  TypeId t1 = b.addType("main.Session");
  TypeId t2 = b.addType("main.Session");
  TypeId t3 = b.addType("[]byte");
  EXPECT_EQ(t1, t2);
  EXPECT_NE(t1, t3);
  LocationId l1 = b.addLocation("main.fill", "main.go", 53);
  LocationId l2 = b.addLocation("main.main", "main.go", 102);
  EXPECT_EQ(b.addLocation("main.fill", "main.go", 53), l1);
  EXPECT_NE(b.addLocation("main.fill", "main.go", 53, 7), l1);
  std::vector<LocationId> stack{l1, l2};
  SiteId s1 = b.addSite(stack);
  SiteId s2 = b.addSite(std::vector<LocationId>{l1, l2});
  SiteId s3 = b.addSite(std::vector<LocationId>{l2});
  EXPECT_EQ(s1, s2);
  EXPECT_NE(s1, s3);
  NodeId n = b.addNode(NodeKind::Object, 64, t1, s1);
  HeapGraph g = b.finish();
  EXPECT_EQ(g.typeNameOf(n), "main.Session");
  ASSERT_EQ(g.frames(g.site[n]).size(), 2u);
  const SourceLocation& inner = g.location(g.frames(g.site[n])[0]);
  EXPECT_EQ(g.str(inner.function), "main.fill");
  EXPECT_EQ(g.str(inner.file), "main.go");
  EXPECT_EQ(inner.line, 53u);
  EXPECT_EQ(g.siteCount(), 2u);
  EXPECT_TRUE(g.frames(kNoSite).empty());
}

TEST(GraphBuilder, OptionalColumnsStayEmptyUnlessUsed) {
  GraphBuilder b;
  NodeId a = b.addNode(NodeKind::Object, 8);
  HeapGraph plain = GraphBuilder().finish();
  EXPECT_TRUE(plain.externalSize.empty());
  EXPECT_TRUE(plain.address.empty());
  b.setExternalSize(a, 100);
  NodeId later = b.addNode(NodeKind::Object, 8);
  b.setAddress(later, 0xc000010000);
  HeapGraph g = b.finish();
  EXPECT_EQ(g.externalSize, (std::vector<uint64_t>{0, 100, 0}));
  EXPECT_EQ(g.address, (std::vector<uint64_t>{0, 0, 0xc000010000}));
  EXPECT_EQ(g.shallowSize(a), 108u);
}

TEST(GraphBuilder, FlagsSitBesideTheKind) {
  GraphBuilder b;
  NodeId a = b.addNode(NodeKind::Root, 0);
  b.setFlag(a, kAvoidInPaths);
  NodeId c = b.addNode(NodeKind::Frame, 0);
  HeapGraph g = b.finish();
  EXPECT_EQ(g.kind(a), NodeKind::Root);
  EXPECT_TRUE(g.hasFlag(a, kAvoidInPaths));
  EXPECT_EQ(g.kind(c), NodeKind::Frame);
  EXPECT_FALSE(g.hasFlag(c, kAvoidInPaths));
}

TEST(GraphBuilder, BadEdgeTargetIsReportedNotCrashed) {
  GraphBuilder b;
  NodeId a = b.addNode(NodeKind::Object, 8);
  b.addEdge(a, 99);
  EXPECT_THROW(b.finish(), std::invalid_argument);
}

TEST(GraphBuilder, BuilderIsEmptyAfterFinish) {
  GraphBuilder b;
  b.addNode(NodeKind::Object, 8);
  b.addRoot(1, "r");
  HeapGraph first = b.finish();
  EXPECT_EQ(first.nodeCount(), 2u);
  HeapGraph second = b.finish();
  EXPECT_EQ(second.nodeCount(), 1u);
  EXPECT_EQ(second.edgeCount(), 0u);
}

// The model must stay near 21 bytes per node and 8 per edge (issue: at most 24 + 8).
TEST(GraphBuilder, MemoryPerNodeAndEdge) {
  constexpr uint32_t kN = 1'000'000;
  GraphBuilder b;
  b.reserve(kN + 1, 2ull * kN);
  for (uint32_t i = 0; i < kN; ++i) b.addNode(NodeKind::Object, 16);
  for (uint32_t i = 1; i <= kN; ++i) {
    b.addEdge(i, 1 + (i * 7u) % kN);
    b.addEdge(i, 1 + (i * 13u) % kN);
  }
  HeapGraph g = b.finish();
  const double perNode = 21.0, perEdge = 8.0;
  const double budget = perNode * g.nodeCount() + perEdge * g.edgeCount();
  EXPECT_LE(static_cast<double>(g.memoryBytes()), budget * 1.01 + 65536);
}


}  // namespace
}  // namespace heaplens
