// V8DiffTests: heaplens diff's computation (analysis/SnapshotDiff) on the plain pair, checked
// against fixtures/js/README.md: growth per DevTools class and the true shortest retention paths.
#include <gtest/gtest.h>

#include <sstream>

#include "analysis/SnapshotDiff.h"
#include "analysis/formats/heapdiff/HeapDiffFormat.h"
#include "tests/formats/v8/V8TestData.h"

namespace heaplens::v8 {
namespace {

struct PlainPair {
  std::unique_ptr<Dump> base = testing::load(testing::snapshotBytes("plain-baseline"));
  std::unique_ptr<Dump> target = testing::load(testing::snapshotBytes("plain-target"));
  GrowthRecords diff = diffHeaps(*base->heap, *target->heap);
};

const PlainPair& pair() {
  static const PlainPair p;
  return p;
}

const GrowthRecord* record(const GrowthRecords& g, std::string_view type) {
  for (const GrowthRecord& r : g.records)
    if (r.type == type) return &r;
  return nullptr;
}

std::string joined(const std::vector<std::string>& path) {
  std::string s;
  for (const std::string& seg : path) s += (s.empty() ? "" : " > ") + seg;
  return s;
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

TEST(V8Diff, GrowthMatchesTheReadme) {
  const GrowthRecords& g = pair().diff;
  struct Row {
    const char* type;
    int64_t before, after, sizeDelta;
  };
  for (const Row& r : {Row{"LeakyRecord", 100, 2100, 112000}, Row{"SessionState", 100, 2100, 80000},
                       Row{"Function", 5313, 7313, 128000}, Row{"system / Context", 826, 2826, 80000},
                       Row{"Array", 323, 4323, 128000}, Row{"(array)", 1141, 3141, 230760},
                       Row{"(string)", 10600, 14602, 112096}, Row{"(number)", 170, 2170, 32000},
                       Row{"(system)", 3279, 5379, 84000}}) {
    const GrowthRecord* x = record(g, r.type);
    ASSERT_TRUE(x) << r.type;
    EXPECT_EQ(x->countBefore, r.before) << r.type;
    EXPECT_EQ(x->countAfter, r.after) << r.type;
    EXPECT_EQ(x->countDelta, r.after - r.before) << r.type;
    EXPECT_EQ(x->sizeDelta, r.sizeDelta) << r.type;
  }
  // Sorted by size_delta, largest first; (array) leads.
  EXPECT_EQ(g.records.front().type, "(array)");
  for (size_t i = 1; i < g.records.size(); ++i) EXPECT_GE(g.records[i - 1].sizeDelta, g.records[i].sizeDelta);
  // A class's own function object is not counted with its instances (spaa says 2101).
  EXPECT_EQ(record(g, "LeakyRecord")->countAfter, 2100);
  // Records carry where the new objects come from.
  const HeapGraph& t = pair().target->heap->graph;
  auto frames = t.frames(record(g, "LeakyRecord")->site);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(t.location(frames.front()).line, 6u);
  auto tick = t.frames(record(g, "Function")->site);
  ASSERT_FALSE(tick.empty());
  EXPECT_EQ(t.location(tick.front()).line, 19u);
}

// README: LeakyRecord : global > queueMicrotask > context > process > mainModule > children > [0] > exports
//                       > LeakyRecord > context > recordCache > table > 2796
//         SessionState: global > ... > children > [1] > exports > bus > _events > tick > [1908] > context > state
//         Function    : global > ... > children > [1] > exports > bus > _events > tick > [1908]
TEST(V8Diff, RetentionPathsAreTheTrueShortestPaths) {
  const GrowthRecords& g = pair().diff;
  const std::string prefix = "global > queueMicrotask > context > process > mainModule > children > ";
  std::map<std::string, int> seen;
  for (const RetainedObject& o : g.retained) {
    const std::string p = joined(o.path);
    ++seen[o.type];
    if (o.type == "LeakyRecord") {
      EXPECT_TRUE(p.starts_with(prefix + "[0] > exports > LeakyRecord > context > recordCache > table > ")) << p;
      EXPECT_EQ(o.path.size(), 13u) << p;
      EXPECT_TRUE(allDigits(o.path.back())) << p;
      EXPECT_EQ(o.size, 56);
    } else if (o.type == "SessionState") {
      EXPECT_TRUE(p.starts_with(prefix + "[1] > exports > bus > _events > tick > [")) << p;
      EXPECT_TRUE(p.ends_with("] > context > state")) << p;
      EXPECT_EQ(o.size, 40);
    } else if (o.type == "Function") {
      EXPECT_TRUE(p.starts_with(prefix + "[1] > exports > bus > _events > tick > [")) << p;
      EXPECT_EQ(o.path.size(), 12u) << p;
      EXPECT_EQ(o.size, 64);
    }
    EXPECT_LE(o.path.size(), 21u);
    EXPECT_FALSE(o.path.empty());
  }
  EXPECT_EQ(seen["LeakyRecord"], 5);
  EXPECT_EQ(seen["SessionState"], 5);
  EXPECT_EQ(seen["Function"], 5);
  // The exact objects the README names: LeakyRecord at slot 2796, SessionState and onTick at [1908].
  bool slot2796 = false, state1908 = false, tick1908 = false;
  for (const RetainedObject& o : g.retained) {
    const std::string p = joined(o.path);
    slot2796 |= o.type == "LeakyRecord" && p.ends_with("table > 2796");
    state1908 |= o.type == "SessionState" && p.ends_with("tick > [1908] > context > state");
    tick1908 |= o.type == "Function" && p.ends_with("tick > [1908]");
  }
  EXPECT_TRUE(slot2796);
  EXPECT_TRUE(state1908);
  EXPECT_TRUE(tick1908);
}

TEST(V8Diff, LongPathsAreCut) {
  const HeapGraph& t = pair().target->heap->graph;
  PathFinder paths(t);
  // Any path of 13 steps cut to 5 segments keeps 5 and ends in "...".
  for (const RetainedObject& o : pair().diff.retained) {
    if (o.type != "LeakyRecord") continue;
    NodeId v = kNoNode;
    for (NodeId n = 0; n < t.nodeCount(); ++n)
      if (t.address[n] == o.address) v = n;
    ASSERT_NE(v, kNoNode);
    auto p = paths.shortestPath(v);
    ASSERT_TRUE(p);
    auto cut = pathSegments(t, *p, 5);
    ASSERT_EQ(cut.size(), 6u);
    EXPECT_EQ(cut.back(), "...");
    EXPECT_EQ(cut.front(), "global");
    break;
  }
}

TEST(V8Diff, HeapDiffRoundTrip) {
  std::ostringstream out;
  GrowthRecords g = pair().diff;
  g.baseline = "plain-baseline.heapsnapshot";
  g.target = "plain-target.heapsnapshot";
  heapdiff::writeHeapDiff(out, g, *pair().target->sites);
  const std::string text = out.str();
  EXPECT_TRUE(text.starts_with(R"({"type":"header","format":"heap-diff","version":"0.1","baseline":"plain-baseline.heapsnapshot")"))
      << text.substr(0, 200);
  EXPECT_NE(text.find(R"J({"type":"growth","constructor":"(array)","count_before":1141,"count_after":3141,"count_delta":2000,"size_before":694984,"size_after":925744,"size_delta":230760})J"),
            std::string::npos);
  auto back = heapdiff::loadHeapDiff(text);
  ASSERT_TRUE(back->growth);
  EXPECT_TRUE(back->lineProblems.empty());
  ASSERT_EQ(back->growth->records.size(), g.records.size());
  ASSERT_EQ(back->growth->retained.size(), g.retained.size());
  for (size_t i = 0; i < g.records.size(); ++i) {
    EXPECT_EQ(back->growth->records[i].type, g.records[i].type);
    EXPECT_EQ(back->growth->records[i].sizeDelta, g.records[i].sizeDelta);
  }
  for (size_t i = 0; i < g.retained.size(); ++i) {
    EXPECT_EQ(back->growth->retained[i].path, g.retained[i].path);
    EXPECT_EQ(back->growth->retained[i].address, g.retained[i].address);
  }
  // The location extra survives: LeakyRecord's record names records.js:6.
  for (const GrowthRecord& r : back->growth->records) {
    if (r.type != "LeakyRecord") continue;
    auto frames = back->sites->frames(r.site);
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(back->sites->location(frames.front()).line, 6u);
    EXPECT_TRUE(back->sites->str(back->sites->location(frames.front()).file).ends_with("/lib/records.js"));
  }
}

TEST(V8Diff, NeedsAddresses) {
  HeapPart a, b;
  EXPECT_THROW(diffHeaps(a, b), std::invalid_argument);
}

}  // namespace
}  // namespace heaplens::v8
