// ReportTests: `heaplens report` content on the real dumps, against the fixtures' READMEs.
#include "lsp/Report.h"

#include <gtest/gtest.h>

#include "analysis/formats/DumpFormat.h"

using namespace heaplens;
using nlohmann::json;

namespace {

std::unique_ptr<Dump> loadTestDump(const std::string& rel) {
  return loadDump(std::string(HEAPLENS_TEST_DATA) + "/" + rel, {}, {});
}

const json* findByName(const json& list, const std::string& key, const std::string& name) {
  for (const auto& x : list)
    if (x[key] == name) return &x;
  return nullptr;
}

TEST(ReportTests, GoLeakcacheSitesAreNamedAfterTheirFirstNonRuntimeFrame) {
  auto dump = loadTestDump("go/leakcache-go1.22.heapdump");
  lsp::ReportOptions options;
  options.top = 50;
  json r = lsp::reportJson(*dump, options);
  EXPECT_EQ(r["format"], "go");
  EXPECT_TRUE(r["objects"].is_number());
  // README: line 53, 10,000 live 64-byte Sessions, stack fillCache main.go:53 <- main.main main.go:102.
  const json* s53 = findByName(r["sitesByLiveBytes"], "name", "main.fillCache main.go:53");
  ASSERT_TRUE(s53) << r["sitesByLiveBytes"].dump(1);
  EXPECT_EQ((*s53)["count"], 10000);
  EXPECT_EQ((*s53)["shallowBytes"], 640000);
  EXPECT_EQ((*s53)["stack"][1]["function"], "main.main");
  EXPECT_EQ((*s53)["stack"][1]["line"], 102);
  // Line 83: one 1,048,576-byte object from main.allocHuge.
  const json* s83 = findByName(r["sitesByLiveBytes"], "name", "main.allocHuge main.go:83");
  ASSERT_TRUE(s83);
  EXPECT_EQ((*s83)["count"], 1);
  EXPECT_EQ((*s83)["shallowBytes"], 1048576);
  // Line 55: the map's runtime frames are skipped when naming it; its bucket array retains the cache.
  const json* s55 = findByName(r["sitesByRetainedBytes"], "name", "main.fillCache main.go:55");
  ASSERT_TRUE(s55);
  EXPECT_GT((*s55)["retainedBytes"].get<uint64_t>(), (*s55)["shallowBytes"].get<uint64_t>());
  EXPECT_EQ((*s55)["stack"][0]["function"], "runtime.makeBucketArray");
  // Line 54: the inlined strconv frames (GOROOT) are skipped: named after main.go:54.
  EXPECT_TRUE(findByName(r["sitesByLiveBytes"], "name", "main.fillCache main.go:54"));
  // Sorted largest first.
  for (size_t i = 1; i < r["sitesByLiveBytes"].size(); ++i)
    EXPECT_GE(r["sitesByLiveBytes"][i - 1]["shallowBytes"].get<uint64_t>(), r["sitesByLiveBytes"][i]["shallowBytes"].get<uint64_t>());
  // The .bss segment holds main.cache, so it is the root that retains most.
  ASSERT_FALSE(r["largestRoots"].empty());
  EXPECT_EQ(r["largestRoots"][0]["label"], "bss");
  EXPECT_TRUE(r["snapshots"].empty());
  EXPECT_FALSE(r.contains("framesByRetainedBytes"));
}

TEST(ReportTests, GoTextReportShowsTheHeaderAndTopSites) {
  auto dump = loadTestDump("go/leakcache-go1.19.heapdump");
  std::string text = lsp::reportText(*dump, {});
  EXPECT_NE(text.find("Go heap dump"), std::string::npos);
  EXPECT_NE(text.find("Top allocation sites by live bytes"), std::string::npos);
  EXPECT_NE(text.find("main.fillCache main.go:53"), std::string::npos);
  EXPECT_NE(text.find("10,000"), std::string::npos);
  EXPECT_NE(text.find("Largest roots by retained bytes"), std::string::npos);
}

TEST(ReportTests, TopLimitsEveryRanking) {
  auto dump = loadTestDump("go/leakcache-go1.19.heapdump");
  lsp::ReportOptions options;
  options.top = 2;
  json r = lsp::reportJson(*dump, options);
  EXPECT_EQ(r["sitesByLiveBytes"].size(), 2u);
  EXPECT_EQ(r["sitesByRetainedBytes"].size(), 2u);
  EXPECT_LE(r["typesByCount"].size(), 2u);
  EXPECT_LE(r["largestRoots"].size(), 2u);
}

TEST(ReportTests, MoarVmSnapshotsFramesAndGrowth) {
  auto dump = loadTestDump("moar/leaky.mvmheap");
  lsp::ReportOptions options;
  options.top = 100000;
  json r = lsp::reportJson(*dump, options);
  EXPECT_EQ(r["format"], "mvmheap");
  // README: 7 snapshots, gc_seq 2..8.
  ASSERT_EQ(r["snapshots"].size(), 7u);
  EXPECT_EQ(r["snapshots"][0]["gcSequence"], 2);
  EXPECT_EQ(r["snapshots"][6]["gcSequence"], 8);
  // Leaky grows from 770 to 23,000 objects of 48 B (1,104,000 B).
  const json* leaky = findByName(r["growingTypes"], "type", "Leaky");
  ASSERT_TRUE(leaky);
  EXPECT_EQ((*leaky)["firstCount"], 770);
  EXPECT_EQ((*leaky)["lastCount"], 23000);
  EXPECT_EQ((*leaky)["lastBytes"], 1104000);
  // Frames are grouped by their static frame: make-leaks at leaky.raku:11 is one of them.
  ASSERT_TRUE(r.contains("framesByRetainedBytes"));
  EXPECT_TRUE(findByName(r["framesByRetainedBytes"], "name", "make-leaks leaky.raku:11")) << r["framesByRetainedBytes"].dump(1).substr(0, 2000);
  EXPECT_TRUE(findByName(r["typesByCount"], "type", "Leaky"));
  std::string text = lsp::reportText(*dump, {});
  EXPECT_NE(text.find("Frames that retain most"), std::string::npos);
  EXPECT_NE(text.find("Types that grow"), std::string::npos);
}

}  // namespace
