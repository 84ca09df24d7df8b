// GoPclntab on small tables written by PclntabWriter (from the Go source's layout), in both the
// Go 1.18–1.19 and the 1.20+ layouts: PC to function, file and line, inlined calls expanded
// through moduledata's go:func.*, and each kind of damage reported with its table and byte.
// Expected frames are what the writer was told, not what the reader said.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "analysis/formats/go/exe/GoPclntab.h"
#include "tests/formats/go/PclntabWriter.h"

namespace heaplens::go {
namespace {

using testing::PclnImage;
using testing::PclntabWriter;

constexpr uint64_t kAddr = 0x4b9c20, kText = 0x401000, kGofunc = 0x480000;

std::string show(const std::vector<ExeLine>& lines) {
  std::string s;
  for (const ExeLine& l : lines) s += (s.empty() ? "" : " | ") + l.function + " " + l.file + ":" + std::to_string(l.line);
  return s;
}

struct Loaded {
  std::shared_ptr<PclnImage> image;  // on the heap: the image reader keeps a pointer to it
  std::unique_ptr<GoPclntab> table;
  std::string error;
};

Loaded load(bool go120, bool withModuledata = true) {
  Loaded l;
  l.image = std::make_shared<PclnImage>(
      PclntabWriter(go120, kAddr, kText, kGofunc).write({"/src/a.go", "/src/b.go"}, testing::exampleFuncs()));
  l.table = GoPclntab::parse(l.image->pclntab, kAddr, l.error);
  if (l.table && withModuledata) {
    EXPECT_TRUE(l.table->findModuledata(l.image->moduledata));
    const std::vector<uint8_t>* gofunc = &l.image->gofunc;
    l.table->setImage([gofunc](uint64_t addr, uint64_t n) -> const uint8_t* {
      if (addr < kGofunc || addr - kGofunc > gofunc->size() || n > gofunc->size() - (addr - kGofunc)) return nullptr;
      return gofunc->data() + (addr - kGofunc);
    });
  }
  return l;
}

class GoPclntabLayouts : public ::testing::TestWithParam<bool> {};

TEST_P(GoPclntabLayouts, MapsPcsToFunctionFileAndLine) {
  Loaded l = load(GetParam());
  ASSERT_TRUE(l.table) << l.error;
  const GoPclntab& t = *l.table;
  EXPECT_EQ(t.go120(), GetParam());
  EXPECT_EQ(t.functionCount(), 2u);
  EXPECT_EQ(t.gofunc(), kGofunc);
  EXPECT_EQ(show(t.linesAt(kText)), "main.outer /src/a.go:10");
  EXPECT_EQ(show(t.linesAt(kText + 0x0f)), "main.outer /src/a.go:10");
  // The inlined body: main.inner at b.go:300, called from main.outer at a.go:10 (its parentPc).
  EXPECT_EQ(show(t.linesAt(kText + 0x10)), "main.inner /src/b.go:300 | main.outer /src/a.go:10");
  EXPECT_EQ(show(t.linesAt(kText + 0x1f)), "main.inner /src/b.go:300 | main.outer /src/a.go:10");
  EXPECT_EQ(show(t.linesAt(kText + 0x20)), "main.outer /src/a.go:12");
  EXPECT_EQ(show(t.linesAt(kText + 0x45)), "main.inner /src/b.go:299");
  // Outside the text the table covers: nothing.
  EXPECT_EQ(show(t.linesAt(kText - 1)), "");
  EXPECT_EQ(show(t.linesAt(kText + 0x50)), "");
  EXPECT_EQ(show(t.linesAt(kText + 0x4f)), "main.inner /src/b.go:299");
  EXPECT_EQ(t.problem(), "");
}

// Without moduledata the inline tree cannot be found: the physical function, at the inlined line.
TEST_P(GoPclntabLayouts, WithoutModuledataGivesThePhysicalFunction) {
  Loaded l = load(GetParam(), false);
  ASSERT_TRUE(l.table) << l.error;
  EXPECT_EQ(show(l.table->linesAt(kText + 0x10)), "main.outer /src/b.go:300");
}

INSTANTIATE_TEST_SUITE_P(Go118AndGo120, GoPclntabLayouts, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Go120" : "Go118"; });

// The byte offsets of the example's header words and tables.
uint64_t headerWord(const std::vector<uint8_t>& t, unsigned i) {
  uint64_t v = 0;
  for (int k = 0; k < 8; ++k) v |= uint64_t{t[8 + i * 8 + k]} << (8 * k);
  return v;
}

std::string parseError(std::vector<uint8_t> bytes) {
  std::string error;
  auto t = GoPclntab::parse(bytes, kAddr, error);
  EXPECT_FALSE(t) << "parsed";
  return error;
}

TEST(GoPclntab, DamagedHeadersAndRecordsSayWhichTableAndByte) {
  const std::vector<uint8_t> good = load(true).image->pclntab;
  const uint64_t pctab = headerWord(good, 6), functab = headerWord(good, 7);

  EXPECT_EQ(parseError({0xf1, 0xff}), "the header at byte 0 of .gopclntab is cut short: expected at least 8 bytes, found 2");
  std::vector<uint8_t> b = good;
  b[0] = 0xfb;  // Go 1.2–1.15
  EXPECT_NE(parseError(b).find("has magic 0xfffffffb, expected 0xfffffff0 (Go 1.18–1.19) or 0xfffffff1 (Go 1.20+); "
                               "older Go versions' tables are not read"),
            std::string::npos);
  b = good;
  b[7] = 3;  // pointer size
  EXPECT_NE(parseError(b).find("the header at byte 4 of .gopclntab is corrupt"), std::string::npos);
  b = good;
  b.resize(40);
  EXPECT_NE(parseError(b).find("is cut short: expected 72 bytes, the section has 40"), std::string::npos);
  b = good;
  b[8 + 5 * 8] = static_cast<uint8_t>(pctab + 1);  // filetab after pctab
  b[8 + 5 * 8 + 1] = static_cast<uint8_t>((pctab + 1) >> 8);
  EXPECT_NE(parseError(b).find("puts the pctab at byte " + std::to_string(pctab) + ", before the filetab"),
            std::string::npos);
  // The section cut inside the function records.
  b = good;
  b.resize(functab + 8 * 3 + 10);
  EXPECT_NE(parseError(b).find("the functab entry at byte " + std::to_string(functab + 4) +
                               " of .gopclntab points function 0's record at byte"),
            std::string::npos);
  // A record that disagrees with its functab entry about where the function starts.
  const uint64_t record = functab + (good[functab + 4] | good[functab + 5] << 8);
  b = good;
  b[functab] = 0x80;
  EXPECT_NE(parseError(b).find("the function record at byte " + std::to_string(record) +
                               " of .gopclntab says it starts at text offset 0 but its functab entry says 128"),
            std::string::npos);
  // Functions out of order: the first (entry and record) moved after the second.
  b[record] = 0x80;
  EXPECT_NE(parseError(b).find("the functab entry at byte " + std::to_string(functab + 8) +
                               " of .gopclntab is out of order: function 1 starts at text offset 64, before the "
                               "previous one's 128"),
            std::string::npos);
  // A record whose name lies outside funcnametab.
  b = good;
  b[record + 7] = 0x7f;
  EXPECT_NE(parseError(b).find("the function record at byte " + std::to_string(record) +
                               " of .gopclntab names its function at funcnametab byte"),
            std::string::npos);
}

// A pc-value table whose varints never end: the lookup stops at the end of the pctab and the
// problem says where; the header and records were fine, so the table parsed.
TEST(GoPclntab, RunawayPcValueTableIsAProblemNotACrash) {
  Loaded l = load(true);
  std::vector<uint8_t> b = l.image->pclntab;
  const uint64_t pctab = headerWord(b, 6), functab = headerWord(b, 7);
  for (uint64_t i = pctab + 1; i < functab; ++i) b[i] = 0xff;
  std::string error;
  auto t = GoPclntab::parse(b, kAddr, error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(show(t->linesAt(kText + 4)), "");
  EXPECT_NE(t->problem().find("runs past the end of the pctab"), std::string::npos) << t->problem();
  EXPECT_NE(t->problem().find("of .gopclntab"), std::string::npos) << t->problem();
}

// An inline index pointing past the tree's end in the image: the outer function, and a problem.
TEST(GoPclntab, InlineIndexOutsideTheTreeIsAProblem) {
  Loaded l = load(true);
  l.image->gofunc.resize(8);  // the one 16-byte call record is cut
  EXPECT_EQ(show(l.table->linesAt(kText + 0x10)), "main.outer /src/b.go:300");
  EXPECT_NE(l.table->problem().find("has no entry 0 in the executable's image"), std::string::npos)
      << l.table->problem();
}

}  // namespace
}  // namespace heaplens::go
