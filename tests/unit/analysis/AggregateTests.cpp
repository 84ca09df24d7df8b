// AggregateTests: per type/site/line/function totals on small dumps with known answers.
#include "analysis/Aggregate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "TestGraphs.h"

namespace heaplens {
namespace {

// A linked list of three Sessions, each owning a 100-byte buffer, allocated on a recursive stack:
//   root -> s1 -> s2 -> s3; si -> bi.  One unreachable Session (s4, 10 bytes).
struct SessionDump {
  Dump dump;
  TypeId session = 0, bytes = 0;
  SiteId listSite = 0, bufSite = 0;
  NodeId s1 = 0, frame = 0;
  StringId mainGo = 0, procGo = 0;
};

SessionDump makeSessions() {
  SessionDump out;
  GraphBuilder b;
  out.session = b.addType("main.Session");
  out.bytes = b.addType("[]byte");
  // Innermost first: runtime frame, then a recursive walk, then main.
  LocationId rt = b.addLocation("runtime.mallocgc", "/usr/local/go/src/runtime/malloc.go", 900);
  LocationId walk = b.addLocation("main.walk", "/app/main.go", 10);
  LocationId walk2 = b.addLocation("main.walk", "/app/main.go", 12);
  LocationId mainFn = b.addLocation("main.main", "/app/main.go", 20);
  out.listSite = b.addSite(std::vector<LocationId>{rt, walk, walk2, walk, mainFn});
  out.bufSite = b.addSite(std::vector<LocationId>{walk2, mainFn});
  NodeId s[4], buf[3];
  for (int i = 0; i < 3; ++i) {
    s[i] = b.addNode(NodeKind::Object, 10, out.session, out.listSite);
    buf[i] = b.addNode(NodeKind::Object, 100, out.bytes, out.bufSite);
  }
  s[3] = b.addNode(NodeKind::Object, 10, out.session, out.listSite);
  out.frame = b.addNode(NodeKind::Frame, 7, kNoType, out.bufSite);
  b.addRoot(s[0], "bss");
  b.addRoot(out.frame, "frame");
  for (int i = 0; i < 3; ++i) {
    b.addEdge(s[i], buf[i]);
    if (i < 2) b.addEdge(s[i], s[i + 1]);
  }
  out.s1 = s[0];
  HeapGraph g = b.finish();
  g.sites->strings.find("/app/main.go", out.mainGo);
  g.sites->strings.find("/usr/local/go/src/runtime/malloc.go", out.procGo);
  out.dump = test::makeDump(std::move(g));
  return out;
}

TEST(Aggregate, RetainedCountsEachDominatingSetOnce) {
  SessionDump sd = makeSessions();
  auto types = aggregateByType(*sd.dump.heap);
  std::map<TypeId, GroupStats> byType;
  for (auto& t : types) byType[t.type] = t.stats;
  ASSERT_EQ(byType.size(), 2u);  // the Frame node has no type and is not an object
  EXPECT_EQ(byType[sd.session].count, 4u);
  EXPECT_EQ(byType[sd.session].shallowBytes, 40u);
  // The list head retains the whole list (330); the unreachable s4 adds its own 10.
  EXPECT_EQ(byType[sd.session].retainedBytes, 340u);
  EXPECT_EQ(byType[sd.bytes].count, 3u);
  EXPECT_EQ(byType[sd.bytes].shallowBytes, 300u);
  EXPECT_EQ(byType[sd.bytes].retainedBytes, 300u);
}

TEST(Aggregate, SitesCountFramesToo) {
  SessionDump sd = makeSessions();
  std::map<SiteId, GroupStats> bySite;
  for (auto& s : aggregateBySite(*sd.dump.heap)) bySite[s.site] = s.stats;
  EXPECT_EQ(bySite[sd.listSite].count, 4u);
  EXPECT_EQ(bySite[sd.listSite].retainedBytes, 340u);
  EXPECT_EQ(bySite[sd.bufSite].count, 4u);  // three buffers and the frame
  EXPECT_EQ(bySite[sd.bufSite].shallowBytes, 307u);
  EXPECT_EQ(bySite[sd.bufSite].retainedBytes, 307u);
}

TEST(Aggregate, TypesAndSitesInOneWalkEqualTheSeparateAggregations) {
  SessionDump sd = makeSessions();
  TypeAndSiteAggregates both = aggregateByTypeAndSite(*sd.dump.heap);
  std::map<TypeId, GroupStats> byType;
  for (auto& t : both.types) byType[t.type] = t.stats;
  ASSERT_EQ(byType.size(), 2u);
  EXPECT_EQ(byType[sd.session].count, 4u);
  EXPECT_EQ(byType[sd.session].retainedBytes, 340u);
  EXPECT_EQ(byType[sd.bytes].retainedBytes, 300u);
  std::map<SiteId, GroupStats> bySite;
  for (auto& s : both.sites) bySite[s.site] = s.stats;
  ASSERT_EQ(bySite.size(), 2u);
  EXPECT_EQ(bySite[sd.listSite].retainedBytes, 340u);
  EXPECT_EQ(bySite[sd.bufSite].count, 4u);
  EXPECT_EQ(bySite[sd.bufSite].shallowBytes, 307u);
  EXPECT_EQ(bySite[sd.bufSite].retainedBytes, 307u);
}

TEST(Aggregate, FlatLinesTakeTheInnermostAcceptedFrame) {
  SessionDump sd = makeSessions();
  const HeapGraph& g = sd.dump.heap->graph;
  FileFilter inApp = [&](StringId f) { return f == sd.mainGo; };
  std::map<uint32_t, LineAggregate> byLine;
  for (auto& l : aggregateByLine(*sd.dump.heap, inApp, Attribution::Flat)) {
    EXPECT_EQ(l.file, sd.mainGo);
    byLine[l.line] = l;
  }
  ASSERT_EQ(byLine.size(), 2u);  // line 10 (the list) and line 12 (the buffers); not the runtime frame
  EXPECT_EQ(byLine[10].stats.count, 4u);
  EXPECT_EQ(byLine[10].stats.retainedBytes, 340u);
  EXPECT_EQ(byLine[12].stats.count, 3u);  // frames do not count toward lines
  EXPECT_EQ(byLine[12].sites, (std::vector<SiteId>{sd.bufSite}));
  auto loc = flatLocation(g, sd.listSite, inApp);
  ASSERT_TRUE(loc);
  EXPECT_EQ(g.location(*loc).line, 10u);
  EXPECT_FALSE(flatLocation(g, kNoSite, inApp));
}

TEST(Aggregate, CumulativeLinesCountRecursionOncePerStack) {
  SessionDump sd = makeSessions();
  FileFilter inApp = [&](StringId f) { return f == sd.mainGo; };
  std::map<uint32_t, LineAggregate> byLine;
  for (auto& l : aggregateByLine(*sd.dump.heap, inApp, Attribution::Cumulative)) byLine[l.line] = l;
  ASSERT_EQ(byLine.size(), 3u);
  // Line 10 appears twice in the list's stack but counts each Session once.
  EXPECT_EQ(byLine[10].stats.count, 4u);
  EXPECT_EQ(byLine[10].stats.shallowBytes, 40u);
  // Line 12 is on both stacks: 4 Sessions + 3 buffers; retained is the list (330) + s4 (10).
  EXPECT_EQ(byLine[12].stats.count, 7u);
  EXPECT_EQ(byLine[12].stats.shallowBytes, 340u);
  EXPECT_EQ(byLine[12].stats.retainedBytes, 340u);
  // Sites on a line, largest shallow bytes first: buffers (300) before the list (40).
  EXPECT_EQ(byLine[12].sites, (std::vector<SiteId>{sd.bufSite, sd.listSite}));
  EXPECT_EQ(byLine[20].stats.count, 7u);
}

TEST(Aggregate, FunctionsAndNoFilter) {
  SessionDump sd = makeSessions();
  const HeapGraph& g = sd.dump.heap->graph;
  std::map<std::string, GroupStats> byFn;
  for (auto& f : aggregateByFunction(*sd.dump.heap, nullptr, Attribution::Cumulative))
    byFn[std::string(g.str(f.function))] = f.stats;
  EXPECT_EQ(byFn["runtime.mallocgc"].count, 4u);
  EXPECT_EQ(byFn["main.walk"].count, 7u);
  EXPECT_EQ(byFn["main.main"].count, 7u);
  std::map<std::string, GroupStats> flat;
  for (auto& f : aggregateByFunction(*sd.dump.heap, nullptr, Attribution::Flat))
    flat[std::string(g.str(f.function))] = f.stats;
  EXPECT_EQ(flat.size(), 2u);
  EXPECT_EQ(flat["runtime.mallocgc"].count, 4u);
  EXPECT_EQ(flat["main.walk"].count, 3u);
}

TEST(Aggregate, WorksWithoutPrecomputedDominators) {
  SessionDump sd = makeSessions();
  sd.dump.heap->idom.clear();
  sd.dump.heap->retained.clear();
  const auto types = aggregateByType(*sd.dump.heap);
  auto session = std::find_if(types.begin(), types.end(), [&](const auto& t) { return t.type == sd.session; });
  ASSERT_NE(session, types.end());
  EXPECT_EQ(session->stats.retainedBytes, 340u);
}

TEST(Aggregate, TopNLargestFirst) {
  std::vector<int> v{5, 1, 9, 3, 9, 7};
  auto idx = topN(std::span<const int>(v), 3, [](int x) { return x; });
  EXPECT_EQ(idx, (std::vector<size_t>{2, 4, 5}));
  EXPECT_EQ(topN(std::span<const int>(v), 100, [](int x) { return x; }).size(), 6u);
}

}  // namespace
}  // namespace heaplens
