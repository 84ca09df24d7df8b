// HeapDiffFormatTests: heap-diff NDJSON from diff.py and from andrewimm/spaa (fixtures/js), and
// damaged files: every good line kept, every bad line a problem with its line number.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/heapdiff/HeapDiffFormat.h"

namespace heaplens::heapdiff {
namespace {

std::string readText(const std::string& name) {
  std::ifstream in(std::string(HEAPLENS_TEST_DATA) + "/js/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const GrowthRecord* record(const Dump& d, std::string_view type) {
  for (const GrowthRecord& r : d.growth->records)
    if (r.type == type) return &r;
  return nullptr;
}

TEST(HeapDiff, ReadsDiffPyOutput) {
  auto d = loadDump(std::string(HEAPLENS_TEST_DATA) + "/js/plain.heapdiff.ndjson", {}, {});
  EXPECT_EQ(d->format, "heap-diff");
  ASSERT_TRUE(d->growth);
  EXPECT_TRUE(d->lineProblems.empty());
  EXPECT_FALSE(d->heap);
  EXPECT_EQ(d->growth->records.size(), 11u);
  EXPECT_EQ(d->growth->retained.size(), 32u);
  EXPECT_EQ(d->growth->baseline, "plain-baseline.heapsnapshot");
  const GrowthRecord* leaky = record(*d, "LeakyRecord");
  ASSERT_TRUE(leaky);
  EXPECT_EQ(leaky->countBefore, 100);
  EXPECT_EQ(leaky->countAfter, 2100);
  EXPECT_EQ(leaky->countDelta, 2000);
  EXPECT_EQ(leaky->sizeDelta, 112000);
  EXPECT_EQ(leaky->line, 6u);
  ASSERT_FALSE(leaky->retentionPaths.empty());
  EXPECT_EQ(leaky->retentionPaths.front().back(), "2796");
  EXPECT_EQ(d->growth->records.front().type, "(array)");
}

TEST(HeapDiff, ReadsSpaaOutputWithItsQuirks) {
  const std::string text = readText("spaa-plain.heapdiff.ndjson");
  // Keys in alphabetical order: "type" is last on every line.
  ASSERT_TRUE(text.starts_with("{\"baseline\""));
  auto d = loadHeapDiff(text);
  EXPECT_TRUE(d->lineProblems.empty());
  EXPECT_EQ(d->growth->target, "plain-target.heapsnapshot");
  EXPECT_EQ(d->growth->records.size(), 11u);
  EXPECT_EQ(d->growth->retained.size(), 100u);
  const GrowthRecord* onTick = record(*d, "onTick");
  ASSERT_TRUE(onTick);
  EXPECT_EQ(onTick->countDelta, 2000);
  EXPECT_EQ(onTick->sizeDelta, 128000);
  const GrowthRecord* leaky = record(*d, "LeakyRecord");
  ASSERT_TRUE(leaky);
  EXPECT_EQ(leaky->countAfter, 2101);  // spaa counts the class's function with its instances
  // Its paths are one segment each.
  for (const RetainedObject& o : d->growth->retained) EXPECT_EQ(o.path.size(), 1u);
}

TEST(HeapDiff, BadLinesAreProblemsAndGoodLinesAreKept) {
  const std::string text =
      "{\"version\":\"0.1\",\"type\":\"header\",\"format\":\"heap-diff\",\"baseline\":\"a\",\"target\":\"b\"}\n"
      "{\"type\":\"growth\",\"constructor\":\"Foo\",\"count_before\":1,\"count_after\":3,\"count_delta\":2,\"size_before\":10,\"size_after\":30,\"size_delta\":20}\n"
      "{\"type\":\"growth\",\"constructor\":\"Bar\",\"count_before\":1,\n"                       // 3: cut JSON
      "\n"                                                                                     // 4: blank: skipped
      "{\"type\":\"growth\",\"constructor\":\"Baz\",\"count_delta\":\"many\",\"size_delta\":5}\n"  // 5: not an integer
      "{\"size_delta\":-64,\"count_delta\":4,\"constructor\":\"Neg\",\"type\":\"growth\"}\r\n"     // 6: negative size delta, CRLF
      "{\"type\":\"snapshot-info\",\"nodes\":5}\n"                                             // 7: unknown type: ignored
      "[1,2,3]\n"                                                                              // 8: not an object
      "{\"type\":\"retained\",\"constructor\":\"Foo\",\"size\":10,\"retention_path\":[\"(GC roots)\",\"...\"],\"extra\":true}\n"
      "{\"type\":\"retained\",\"constructor\":\"Foo\",\"size\":10,\"retention_path\":[]}\n"
      "{\"type\":\"growth\",\"count_delta\":1}\n"                                               // 11: no constructor
      "{\"type\":\"retained\",\"constructor\":\"Foo\",\"size\":10,\"retention_path\":\"a.b\"}";  // 12: path not an array
  auto d = loadHeapDiff(text);
  ASSERT_TRUE(d->growth);
  ASSERT_EQ(d->growth->records.size(), 2u);
  EXPECT_EQ(d->growth->records[0].type, "Foo");
  EXPECT_EQ(d->growth->records[1].type, "Neg");
  EXPECT_EQ(d->growth->records[1].sizeDelta, -64);
  EXPECT_EQ(d->growth->records[1].line, 6u);
  ASSERT_EQ(d->growth->retained.size(), 2u);
  EXPECT_EQ(d->growth->retained[0].path.back(), "...");
  EXPECT_TRUE(d->growth->retained[1].path.empty());
  EXPECT_EQ(d->growth->records[0].retentionPaths.size(), 2u);
  std::vector<uint32_t> lines;
  for (const LineProblem& p : d->lineProblems) lines.push_back(p.line);
  EXPECT_EQ(lines, (std::vector<uint32_t>{3, 5, 8, 11, 12}));
  EXPECT_NE(d->lineProblems[0].message.find("not valid JSON"), std::string::npos) << d->lineProblems[0].message;
  EXPECT_NE(d->lineProblems[1].message.find("\"count_delta\": expected an integer, found \"many\""), std::string::npos)
      << d->lineProblems[1].message;
  EXPECT_NE(d->lineProblems[3].message.find("expected \"constructor\""), std::string::npos);
  EXPECT_FALSE(d->warnings.empty());
  bool ignored = false;
  for (const Fact& f : d->facts) ignored |= f.id == "ignoredRecords" && f.value.text.find("snapshot-info") != std::string::npos;
  EXPECT_TRUE(ignored);
}

TEST(HeapDiff, NeverThrowsOnGarbage) {
  for (const std::string& s : {std::string(""), std::string("\n\n"), std::string("{"), std::string("\xff\xfe"),
                               std::string("{\"type\":\"header\"}"), std::string(1000, '['),
                               std::string("{\"type\":\"growth\",\"constructor\":\"x\",\"size_delta\":1e400}")}) {
    auto d = loadHeapDiff(s);
    ASSERT_TRUE(d->growth);
  }
}

TEST(HeapDiff, Detection) {
  auto bytes = [](const std::string& s) { return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  EXPECT_TRUE(looksLikeHeapDiff(bytes("{\"type\": \"header\", \"format\": \"heap-diff\"}\n{}")));
  EXPECT_TRUE(looksLikeHeapDiff(bytes("{\"baseline\":\"a\",\"format\":\"heap-diff\",\"target\":\"b\",\"type\":\"header\"}")));
  EXPECT_FALSE(looksLikeHeapDiff(bytes("{\"type\":\"growth\"}\n{\"type\":\"header\",\"format\":\"heap-diff\"}")));
}

}  // namespace
}  // namespace heaplens::heapdiff
