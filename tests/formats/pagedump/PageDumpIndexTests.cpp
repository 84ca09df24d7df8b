// PageDumpIndexTests: what the dump-file line index says about a page dump's lines, the source of the
// editor's outline, folding, hovers and code lenses on the dump file (the seed's template and a
// malformed file), with figures worked out by hand from the template's tokens.
#include <gtest/gtest.h>

#include "analysis/DumpFileIndex.h"
#include "analysis/formats/DumpFormat.h"

using namespace heaplens;

namespace {

std::unique_ptr<Dump> load(const std::string& rel) {
  return loadDump(std::string(HEAPLENS_TEST_DATA) + "/pagedump/" + rel, {}, {});
}

const DumpLineEntry* find(const DumpFileIndex& idx, uint32_t line, DumpLineKind kind) {
  for (const DumpLineEntry* e : idx.at(line))
    if (e->kind == kind) return e;
  return nullptr;
}

}  // namespace

TEST(PageDumpIndex, PhasesAndGcsNest) {
  auto d = load("seed-template.txt");
  DumpFileIndex idx = buildDumpFileIndex(*d);
  // Phase 1: the marker on line 1 through the last sample on line 8.
  const DumpLineEntry* p1 = find(idx, 1, DumpLineKind::Section);
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->title, "phase1: heap use");
  EXPECT_EQ(p1->endLine, 8u);
  EXPECT_EQ(p1->parent, -1);
  EXPECT_NE(p1->detail.find("7 heap samples"), std::string::npos) << p1->detail;
  EXPECT_NE(p1->detail.find("peak 10,300,000 B"), std::string::npos) << p1->detail;
  // Phase 2: line 10 through the last page line, 31.
  const DumpLineEntry* p2 = find(idx, 10, DumpLineKind::Section);
  ASSERT_TRUE(p2);
  EXPECT_EQ(p2->title, "phase2: page dump");
  EXPECT_EQ(p2->endLine, 31u);
  EXPECT_NE(p2->detail.find("2 GCs"), std::string::npos) << p2->detail;
  const int32_t p2Index = static_cast<int32_t>(p2 - idx.entries.data());

  // GC 1: a section from its before header (11) to its last page line (20), inside phase 2.
  const DumpLineEntry* gc1 = find(idx, 11, DumpLineKind::Section);
  ASSERT_TRUE(gc1);
  EXPECT_EQ(gc1->title, "GC 1");
  EXPECT_EQ(gc1->endLine, 20u);
  EXPECT_EQ(gc1->parent, p2Index);
  // The lens text: 15 → 12 pages, 3 released, occupancy 59% (8.9/15) → 62% (7.45/12).
  EXPECT_EQ(gc1->detail, "15 → 12 pages, 3 released, occupancy 59% → 62% (+2.8 pts)");

  // The before and after maps are the GC's children; the before header's hover adds the tied sample.
  const DumpLineEntry* before = find(idx, 11, DumpLineKind::PageMap);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->title, "before GC 1");
  EXPECT_EQ(before->endLine, 15u);
  EXPECT_EQ(before->parent, static_cast<int32_t>(gc1 - idx.entries.data()));
  EXPECT_NE(before->detail.find("15 pages: 7 full (+), 3 empty (-), 5 partial (NN%)"), std::string::npos) << before->detail;
  EXPECT_NE(before->detail.find("tied to the sample on line 4 (time ts-3"), std::string::npos) << before->detail;
  EXPECT_NE(before->detail.find("same time"), std::string::npos) << before->detail;
  const DumpLineEntry* after = find(idx, 16, DumpLineKind::PageMap);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->title, "after GC 1");
  EXPECT_NE(after->detail.find("12 pages: 7 full (+), 3 empty (-), 2 partial"), std::string::npos) << after->detail;
  // ts-3 (10,250,000) to ts-4 (10,300,000): the heap grew across GC 1.
  EXPECT_NE(after->detail.find("dropped the heap by -48.8 KiB"), std::string::npos) << after->detail;

  // A page line: what the class is and its tokens. `16: + (60%) - + (40%)` on line 15.
  const DumpLineEntry* c16 = find(idx, 15, DumpLineKind::PageClass);
  ASSERT_TRUE(c16);
  EXPECT_EQ(c16->title, "16");
  EXPECT_NE(c16->detail.find("fixed blocks of 16 cells (128 B)"), std::string::npos) << c16->detail;
  EXPECT_NE(c16->detail.find("5 pages: 2 full (+), 1 empty (-), 2 partial"), std::string::npos) << c16->detail;
  EXPECT_NE(c16->detail.find("mean occupancy 60%"), std::string::npos) << c16->detail;

  // A sample line: its bytes, readable, and the nearest GC. ts-3 (line 4) is GC 1's; ts-1 (line 2) is
  // two samples before it.
  const DumpLineEntry* s3 = find(idx, 4, DumpLineKind::Sample);
  ASSERT_TRUE(s3);
  EXPECT_NE(s3->detail.find("10,250,000 B (9.78 MiB)"), std::string::npos) << s3->detail;
  EXPECT_NE(s3->detail.find("GC 1 is tied to this sample"), std::string::npos) << s3->detail;
  const DumpLineEntry* s1 = find(idx, 2, DumpLineKind::Sample);
  ASSERT_TRUE(s1);
  EXPECT_NE(s1->detail.find("nearest GC: GC 1, 2 samples later (line 4)"), std::string::npos) << s1->detail;
  EXPECT_EQ(s1->parent, static_cast<int32_t>(p1 - idx.entries.data()));

  // Sorted by line, outer blocks first.
  for (size_t i = 1; i < idx.entries.size(); ++i) {
    EXPECT_LE(idx.entries[i - 1].line, idx.entries[i].line);
    if (idx.entries[i].parent >= 0) {
      EXPECT_LT(idx.entries[i].parent, static_cast<int32_t>(i));
    }
  }
}

TEST(PageDumpIndex, ProblemsAreOnTheirLines) {
  auto d = load("malformed/headers.txt");
  DumpFileIndex idx = buildDumpFileIndex(*d);
  const DumpLineEntry* p = find(idx, 17, DumpLineKind::Problem);
  ASSERT_TRUE(p);
  EXPECT_NE(p->detail.find("the GC numbers differ"), std::string::npos);
  // A GC with only a before block is still outlined, with what it has.
  const DumpLineEntry* gc1 = find(idx, 7, DumpLineKind::Section);
  ASSERT_TRUE(gc1);
  EXPECT_EQ(gc1->detail, "2 pages, occupancy 100% (no after-GC dump)");
}
