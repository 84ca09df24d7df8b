// PartsTests: dumps without a graph (page-dump-like, heap-diff-like) reach both line indexes,
// and a site's retained object count is the union of what its objects dominate (brute force).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "TestGraphs.h"
#include "analysis/DumpFileIndex.h"
#include "analysis/LineIndex.h"

namespace heaplens {
namespace {

namespace fs = std::filesystem;

// A workspace holding one file, removed at the end of the test.
struct OneFileWorkspace {
  fs::path root, file;
  explicit OneFileWorkspace(const std::string& rel) {
    std::random_device rd;
    root = fs::temp_directory_path() / ("heaplens-parts-" + std::to_string(rd()));
    file = root / rel;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "class Session {}\n";
  }
  ~OneFileWorkspace() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

TEST(Parts, HeapDiffLikeGrowthReachesTheSourceLineAndTheDumpFileLine) {
  OneFileWorkspace ws("app/lib/session.js");
  Dump d;
  d.format = "test-growth";
  SiteTableBuilder sites(*d.sites);
  // Recorded where the program ran, not where the workspace is.
  const LocationId loc = sites.addLocation("Session", "/srv/build/app/lib/session.js", 12, 7);
  const SiteId site = sites.addSite(std::vector<LocationId>{loc});
  GrowthRecords& g = d.growth.emplace();
  GrowthRecord grew;
  grew.type = "Session";
  grew.countBefore = 10;
  grew.countAfter = 1010;
  grew.countDelta = 1000;
  grew.sizeBefore = 640;
  grew.sizeAfter = 64640;
  grew.sizeDelta = 64000;
  grew.site = site;
  grew.retentionPaths = {{"(GC roots)", "global", "cache", "Session"}};
  grew.line = 2;
  g.records.push_back(grew);
  GrowthRecord shrank = grew;
  shrank.type = "Buffer";
  shrank.countDelta = -5;
  shrank.sizeDelta = -4096;
  shrank.site = kNoSite;  // no location: only the dump file's own line knows it
  shrank.line = 3;
  g.records.push_back(shrank);
  finishDump(d);  // no heap part: nothing to compute, and it must not need one
  EXPECT_FALSE(d.heap);

  SourceMap map;
  map.setWorkspaceRoots({ws.root.string()});
  LineIndex lines = buildLineIndex(d, nullptr, map);
  const auto* entries = lines.linesOf(ws.file.string());
  ASSERT_NE(entries, nullptr) << "the recorded path maps onto the workspace file by its suffix";
  ASSERT_EQ(entries->size(), 1u);
  const LineEntry& e = entries->front();
  EXPECT_EQ(e.line, 12u);
  EXPECT_EQ(e.kind, LineKind::Growth);
  EXPECT_EQ(e.countDelta, 1000);
  EXPECT_EQ(e.sizeDelta, 64000);
  EXPECT_EQ(e.growthRecords, (std::vector<uint32_t>{0}));

  DumpFileIndex file = buildDumpFileIndex(d);
  auto at2 = file.at(2), at3 = file.at(3);
  ASSERT_EQ(at2.size(), 1u);
  EXPECT_EQ(at2[0]->kind, DumpLineKind::Growth);
  EXPECT_EQ(at2[0]->title, "Session");
  EXPECT_NE(at2[0]->detail.find("+1,000"), std::string::npos) << at2[0]->detail;
  ASSERT_EQ(at3.size(), 1u);
  EXPECT_NE(at3[0]->detail.find("-5"), std::string::npos) << at3[0]->detail;
}

// A page map with its header on `headerLine` (the other members stay empty).
static PageMap pageMap(std::vector<PageClass> classes, uint32_t headerLine) {
  PageMap m;
  m.classes = std::move(classes);
  m.headerLine = headerLine;
  return m;
}

TEST(Parts, PageDumpLikeTimelineAndPagesReachTheDumpFileIndex) {
  Dump d;
  d.format = "test-pages";
  HeapTimeline& t = d.timeline.emplace();
  t.samples.push_back({"1000", 1000, 4 << 20, 2});
  t.samples.push_back({"2000", 2000, 6 << 20, 3});
  PageMaps& pm = d.pageMaps.emplace();
  GcPages gc;
  gc.index = "0";
  gc.before = pageMap({PageClass{.name = "16", .meaning = "fixed blocks of 16 cells", .blockBytes = 128, .percent = {100, 0, 50}, .line = 6}}, 5);
  gc.after = pageMap({PageClass{.name = "16", .meaning = "fixed blocks of 16 cells", .blockBytes = 128, .percent = {100}, .line = 8}}, 7);
  gc.sample = 1;
  pm.gcs.push_back(gc);
  d.lineProblems.push_back({4, "expected <bytes>,<timestamp>; got one field"});
  finishDump(d);
  EXPECT_FALSE(d.heap);

  DumpFileIndex file = buildDumpFileIndex(d);
  // Line 5 starts the GC's block (a section) and its before map; the section comes first.
  auto at5 = file.at(5);
  ASSERT_EQ(at5.size(), 2u);
  EXPECT_EQ(at5[0]->kind, DumpLineKind::Section);
  EXPECT_EQ(at5[0]->title, "GC 0");
  EXPECT_EQ(at5[0]->endLine, 8u);
  EXPECT_NE(at5[0]->detail.find("3 → 1 pages"), std::string::npos) << at5[0]->detail;
  EXPECT_EQ(at5[1]->kind, DumpLineKind::PageMap);
  EXPECT_EQ(at5[1]->title, "before GC 0");
  EXPECT_EQ(&file.entries[static_cast<size_t>(at5[1]->parent)], at5[0]);
  auto at6 = file.at(6);
  ASSERT_EQ(at6.size(), 1u);
  EXPECT_EQ(at6[0]->kind, DumpLineKind::PageClass);
  EXPECT_EQ(at6[0]->detail, "fixed blocks of 16 cells; 3 pages: 1 full (+), 1 empty (-), 1 partial (NN%); mean occupancy 50%");
  ASSERT_EQ(file.at(4).size(), 1u);
  EXPECT_EQ(file.at(4)[0]->kind, DumpLineKind::Problem);
  ASSERT_EQ(file.at(2).size(), 1u);
  EXPECT_EQ(file.at(2)[0]->kind, DumpLineKind::Sample);

  // No source file is named by these parts: the source line index is empty, not an error.
  SourceMap map;
  EXPECT_TRUE(buildLineIndex(d, nullptr, map).byFile.empty());
}

// Nodes reachable from the super-root over non-weak edges, never entering `without`.
std::vector<char> reachableWithout(const HeapGraph& g, NodeId without) {
  std::vector<char> reach(g.nodeCount(), 0);
  std::vector<NodeId> work{kSuperRoot};
  reach[kSuperRoot] = 1;
  while (!work.empty()) {
    NodeId u = work.back();
    work.pop_back();
    for (EdgeIndex e = g.firstEdge[u]; e < g.firstEdge[u + 1]; ++e) {
      NodeId v = g.edgeTarget[e];
      if (reach[v] || v == without || (g.edgeKind(e) & kEdgeWeak)) continue;
      reach[v] = 1;
      work.push_back(v);
    }
  }
  return reach;
}

// Objects in the union of the dominator subtrees of a group's (reachable) members, by brute force:
// m dominates v when v is reachable but not once m is taken out. Each object counts once.
uint64_t bruteRetainedObjects(const HeapGraph& g, const std::set<NodeId>& members) {
  const std::vector<char> all = reachableWithout(g, kNoNode);
  std::set<NodeId> retained;
  for (NodeId m : members) {
    retained.insert(m);
    const std::vector<char> without = reachableWithout(g, m);
    for (NodeId v = 1; v < g.nodeCount(); ++v)
      if (all[v] && !without[v]) retained.insert(v);
  }
  uint64_t n = 0;
  for (NodeId v : retained) n += g.kind(v) == NodeKind::Object;
  return n;
}

TEST(Parts, SiteRetainedObjectsAreTheUnionOfDominatedSubtrees) {
  // A chain of 1,000 objects from one site: the site retains 1,000 objects, not 1000·1001/2.
  {
    GraphBuilder b;
    const SiteId site = b.addSite(std::vector<LocationId>{b.addLocation("main.fill", "main.go", 48)});
    NodeId prev = kNoNode;
    for (int i = 0; i < 1000; ++i) {
      NodeId v = b.addNode(NodeKind::Object, 64, kNoType, site);
      if (prev == kNoNode) b.addRoot(v, "bss");
      else b.addEdge(prev, v);
      prev = v;
    }
    Dump d = test::makeDump(b.finish());
    HeapIndex index(*d.heap);
    ASSERT_EQ(index.aggregates.sites.size(), 1u);
    EXPECT_EQ(index.aggregates.sites[0].stats.retainedObjects, 1000u);
    EXPECT_EQ(index.aggregates.sites[0].stats.retainedBytes, 64000u);
  }
  // Random graphs: every site's count against the brute force.
  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    GraphBuilder b;
    const uint32_t n = 2 + rng() % 40, sites = 1 + rng() % 4;
    std::vector<SiteId> siteIds;
    for (uint32_t s = 0; s < sites; ++s)
      siteIds.push_back(b.addSite(std::vector<LocationId>{b.addLocation("f", "a.go", s + 1)}));
    for (uint32_t i = 0; i < n; ++i) b.addNode(NodeKind::Object, 1 + rng() % 50, kNoType, siteIds[rng() % sites]);
    for (uint32_t r = 0, roots = 1 + rng() % 3; r < roots; ++r) b.addRoot(1 + rng() % n, "root");
    for (uint32_t e = 0, edges = rng() % (3 * n); e < edges; ++e)
      b.addEdge(1 + rng() % n, 1 + rng() % n, EdgeLabel::none(), rng() % 8 == 0 ? kEdgeWeak : 0);
    Dump d = test::makeDump(b.finish());
    const HeapGraph& g = d.heap->graph;
    HeapIndex index(*d.heap);
    for (const SiteAggregate& a : index.aggregates.sites) {
      std::set<NodeId> members;
      for (NodeId v = 1; v < g.nodeCount(); ++v)
        if (g.site[v] == a.site && d.heap->idom[v] != kNoNode) members.insert(v);
      uint64_t unreachableMembers = 0;
      for (NodeId v = 1; v < g.nodeCount(); ++v)
        if (g.site[v] == a.site && d.heap->idom[v] == kNoNode) ++unreachableMembers;
      EXPECT_EQ(a.stats.retainedObjects, bruteRetainedObjects(g, members) + unreachableMembers)
          << "round " << round << " site " << a.site;
    }
  }
}

}  // namespace
}  // namespace heaplens
