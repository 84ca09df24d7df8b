// PageDumpFormatTests: the Kotlin/Native page-dump reader on the seed's template, on each shape written
// inline, and on hand-made malformed files (tests/data/pagedump/malformed/), one per kind of error.
//
// Expected figures are worked out by hand from the files' tokens in the comments, never taken from a parse.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "analysis/PageStats.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/pagedump/PageDumpFormat.h"

using namespace heaplens;

namespace {

std::string dataPath(const std::string& rel) { return std::string(HEAPLENS_TEST_DATA) + "/pagedump/" + rel; }

std::unique_ptr<Dump> parse(std::string_view text, LoadOptions options = {}) {
  return pagedump::parsePageDump(text, options, {});
}

const PageClass* findClass(const PageMap& m, std::string_view name) {
  for (const PageClass& c : m.classes)
    if (c.name == name) return &c;
  return nullptr;
}

bool hasProblem(const Dump& d, uint32_t line, std::string_view part) {
  for (const LineProblem& p : d.lineProblems)
    if (p.line == line && p.message.find(part) != std::string::npos) return true;
  return false;
}

std::string describe(const Dump& d) {
  std::string s;
  for (const LineProblem& p : d.lineProblems) s += std::to_string(p.line) + ": " + p.message + "\n";
  return s;
}

}  // namespace

TEST(PageDumpFormat, DetectsByContentUnderAnyName) {
  const std::string text = "phase1: heap use\n100,ts-1\n";
  for (const char* name : {"memdump.log", "heap.txt", "no-extension"}) {
    auto path = std::filesystem::temp_directory_path() / ("heaplens-pagedump-" + std::string(name));
    std::ofstream(path) << text;
    auto dump = loadDump(path.string(), {}, {});
    EXPECT_EQ(dump->format, "kn-pagedump") << name;
    EXPECT_TRUE(dump->languages.empty());
    std::filesystem::remove(path);
  }
  auto head = [](std::string_view s) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  EXPECT_EQ(detectFormat(head("PHASE1: Heap Use\n1,2\n")), &pageDumpFormat());
  EXPECT_EQ(detectFormat(head("phase2: page dump\n")), &pageDumpFormat());
  EXPECT_EQ(detectFormat(head("-------before GC 1 -------\n16: +\n")), &pageDumpFormat());
  EXPECT_EQ(detectFormat(head("go1.7 heap dump\n")) != &pageDumpFormat(), true);
  EXPECT_EQ(detectFormat(head("hello\n")), nullptr);
}

// The template from the viewer's format note (seed 002), figures worked out from its tokens.
TEST(PageDumpFormat, SeedTemplate) {
  auto d = loadDump(dataPath("seed-template.txt"), {}, {});
  EXPECT_TRUE(d->lineProblems.empty()) << describe(*d);
  ASSERT_TRUE(d->timeline);
  const auto& s = d->timeline->samples;
  ASSERT_EQ(s.size(), 7u);
  EXPECT_EQ(d->timeline->fieldOrder, "bytes,timestamp");
  EXPECT_EQ(s[0].bytes, 10000000u);
  EXPECT_EQ(s[0].time, "ts-1");
  EXPECT_EQ(s[0].line, 2u);
  EXPECT_EQ(s[6].line, 8u);
  ASSERT_TRUE(d->pageMaps);
  const auto& gcs = d->pageMaps->gcs;
  ASSERT_EQ(gcs.size(), 2u);
  EXPECT_EQ(gcs[0].index, "1");
  EXPECT_EQ(gcs[1].index, "2");
  // GC 1 at ts-3 (sample 3, line 4), GC 2 at ts-6 (sample 6, line 7): exact matches.
  EXPECT_EQ(gcs[0].sample, 2u);
  EXPECT_EQ(gcs[0].match, SampleMatch::Exact);
  EXPECT_EQ(gcs[1].sample, 5u);
  ASSERT_TRUE(gcs[0].before && gcs[0].after);
  EXPECT_EQ(gcs[0].before->headerLine, 11u);
  EXPECT_EQ(gcs[0].before->timeLine, 12u);
  EXPECT_EQ(gcs[0].after->headerLine, 16u);
  EXPECT_EQ(gcs[1].before->headerLine, 22u);

  // before GC 1: nextFitPages `+ (40%) - + (30%)`, singleObjectPages `+ + - (20%) +`, 16 `+ (60%) - + (40%)`.
  const PageClass* nf = findClass(*gcs[0].before, "nextFitPages");
  ASSERT_TRUE(nf);
  EXPECT_EQ(nf->kind, PageKind::NextFit);
  EXPECT_EQ(nf->line, 13u);
  EXPECT_EQ(nf->fullTokens, 2u);
  EXPECT_EQ(nf->emptyTokens, 1u);
  EXPECT_EQ(nf->partialTokens, 2u);
  const PageClass* f16 = findClass(*gcs[0].before, "16");
  ASSERT_TRUE(f16);
  EXPECT_EQ(f16->kind, PageKind::FixedBlock);
  EXPECT_EQ(f16->blockBytes, 128u);
  EXPECT_EQ(findClass(*gcs[0].before, "singleObjectPages")->kind, PageKind::SingleObject);

  GcStats g = gcStats(gcs[0], d->pageMaps->pageBytes, &*d->timeline);
  ASSERT_TRUE(g.before && g.after);
  // 15 pages before: occupancy (1+.4+0+1+.3) + (1+1+0+.2+1) + (1+.6+0+1+.4) = 2.7 + 3.2 + 3.0 = 8.9.
  EXPECT_EQ(g.before->total.pages, 15u);
  EXPECT_NEAR(g.before->total.occupied, 8.9, 1e-6);
  EXPECT_NEAR(g.before->total.meanOccupancy(), 8.9 / 15, 1e-6);
  // after: `+ (35%) - +` (2.35), `+ - - +` (2), `+ + + (10%)` (3.1): 12 pages, 7.45.
  EXPECT_EQ(g.after->total.pages, 12u);
  EXPECT_NEAR(g.after->total.occupied, 7.45, 1e-6);
  EXPECT_EQ(g.pagesReleased, 3u);  // 5→4, 5→4, 5→4
  EXPECT_NEAR(*g.occupancyChangePoints, (7.45 / 12 - 8.9 / 15) * 100, 1e-6);
  // Full/empty/partial after: + count 2+2+3 = 7, - count 1+2 = 3, partial 1+1 = 2.
  EXPECT_EQ(g.after->total.full, 7u);
  EXPECT_EQ(g.after->total.empty, 3u);
  EXPECT_EQ(g.after->total.partial, 2u);
  // Compaction after: next-fit ceil(2.35) = 3 of 4, single-object 2 non-empty of 4, 16: ceil(3.1) = 4 of 4.
  EXPECT_EQ(g.after->total.compactedPages, 9u);
  EXPECT_EQ(g.after->total.compactedBytesSaved, 1u * 256 * 1024);  // single-object pages are not counted in bytes
  // Fragmentation after: free in partial pages .65 + .9 over 9 non-empty pages.
  EXPECT_NEAR(g.after->total.fragmentation(), 1.55 / 9, 1e-6);
  // Heap drop: the tied sample ts-3 (10,250,000) minus the next, ts-4 (10,300,000).
  EXPECT_EQ(g.heapDrop, -50000);

  TimelineStats ts = timelineStats(*d->timeline);
  EXPECT_EQ(ts.peak, 3u);  // 10,300,000 at ts-4
  EXPECT_FALSE(ts.growthPerSecond);
}

TEST(PageDumpFormat, ProducerShape) {
  // As the allocator writes it: timestamp first, 28 dashes, GCs from 0, `Heap Dump at: <us>, <bytes>`,
  // tokens without spaces, empty named groups, only non-empty fixed classes.
  const std::string dashes(28, '-');
  const std::string text = "phase1: heap use\n"
                           "3000000100,5000\n"
                           "3000000300,7000\n"
                           "3000000500,9000\n"
                           "3000000700,4000\n"
                           "phase2: page dump\n" +
                           dashes + "before GC 0 " + dashes + "\n" +
                           "Heap Dump at: 3000000520, 9100\n"
                           "2: ++(40%)-\n"
                           "nextFitPages: \n"
                           "singleObjectPages: +\n"
                           "extraObjectPages: (3%)\n" +
                           dashes + "after GC 0 " + dashes + "\n" +
                           "Heap Dump at: 3000000650, 4100\n"
                           "2: +(40%)\n"
                           "nextFitPages: \n"
                           "singleObjectPages: \n"
                           "extraObjectPages: (3%)\n";
  auto d = parse(text);
  EXPECT_TRUE(d->lineProblems.empty()) << describe(*d);
  EXPECT_EQ(d->timeline->fieldOrder, "timestamp,bytes");
  EXPECT_EQ(d->timeline->timeUnit, "µs");
  EXPECT_EQ(d->timeline->samples[0].bytes, 5000u);
  EXPECT_EQ(d->timeline->samples[0].time, "3000000100");
  ASSERT_EQ(d->pageMaps->gcs.size(), 1u);
  const GcPages& gc = d->pageMaps->gcs[0];
  EXPECT_EQ(gc.index, "0");
  // The after time 3000000650 is nearest 3000000700 (sample 4, line 5).
  EXPECT_EQ(gc.sample, 3u);
  EXPECT_EQ(gc.match, SampleMatch::Nearest);
  EXPECT_EQ(gc.before->heapBytes, 9100u);
  EXPECT_EQ(gc.before->time, "3000000520");
  const PageClass* two = findClass(*gc.before, "2");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->percent.size(), 4u);
  EXPECT_EQ(two->blockBytes, 16u);
  const PageClass* nf = findClass(*gc.before, "nextFitPages");
  ASSERT_TRUE(nf);
  EXPECT_TRUE(nf->percent.empty());
  GcStats g = gcStats(gc, d->pageMaps->pageBytes, &*d->timeline);
  EXPECT_EQ(g.heapDrop, 5000);  // from the stamps: 9100 - 4100
  EXPECT_EQ(g.pagesReleased, 3u);  // 2: 4→2, single: 1→0
  TimelineStats ts = timelineStats(*d->timeline);
  ASSERT_TRUE(ts.growthPerSecond);
  ASSERT_TRUE(ts.durationSeconds);
  EXPECT_NEAR(*ts.durationSeconds, 600e-6, 1e-12);
}

TEST(PageDumpFormat, FieldOrderComesFromTheDataNotTheShape) {
  // Both columns numeric: the one that never goes down is the timestamp, whichever comes first.
  auto bytesFirst = parse("phase1: heap use\n500,10\n900,20\n300,30\n700,40\n");
  EXPECT_EQ(bytesFirst->timeline->fieldOrder, "bytes,timestamp");
  EXPECT_EQ(bytesFirst->timeline->samples[2].bytes, 300u);
  auto timeFirst = parse("phase1: heap use\n10,500\n20,900\n30,300\n40,700\n");
  EXPECT_EQ(timeFirst->timeline->fieldOrder, "timestamp,bytes");
  EXPECT_EQ(timeFirst->timeline->samples[2].bytes, 300u);
  // A non-numeric column is the timestamp; ISO times are read as µs for nearest matching.
  auto iso = parse("phase1: heap use\n100,2024-10-30T10:15:30.000Z\n200,2024-10-30T10:15:30.500Z\n"
                   "phase2: page dump\n---before GC 7---\nHeap Dump at: 2024-10-30T10:15:30.400Z\n16: +\n");
  EXPECT_EQ(iso->timeline->fieldOrder, "bytes,timestamp");
  EXPECT_EQ(iso->timeline->timeUnit, "µs");
  EXPECT_EQ(iso->pageMaps->gcs[0].sample, 1u);
  EXPECT_EQ(iso->pageMaps->gcs[0].match, SampleMatch::Nearest);
  EXPECT_EQ(iso->pageMaps->gcs[0].index, "7");
}

TEST(PageDumpFormat, FieldOrderIsCheckedAgainstAllTheSamples) {
  // The first 5,000 samples cannot tell the columns apart (both rise); later only the second goes down,
  // so it is the bytes. The order decided on the first samples is revised and the file read again.
  std::string text = "phase1: heap use\n";
  for (int i = 0; i < 6000; ++i) {
    const int a = 1000 + i * 10;
    const int b = i < 5000 ? 1000 + i * 10 : (i % 2 ? 500 : 900);
    text += std::to_string(a) + "," + std::to_string(b) + "\n";
  }
  auto d = parse(text);
  EXPECT_EQ(d->timeline->fieldOrder, "timestamp,bytes");
  ASSERT_EQ(d->timeline->samples.size(), 6000u);
  EXPECT_EQ(d->timeline->samples[5001].bytes, 500u);
  EXPECT_EQ(d->timeline->samples[5001].time, "51010");
  // Columns that both rise all the way: the allocator's `Heap Dump at: <us>, <bytes>` decides.
  auto stamped = parse("phase1: heap use\n10,100\n20,200\nphase2: page dump\n-- before GC 0 --\n"
                       "Heap Dump at: 15, 150\n16: +\n");
  EXPECT_EQ(stamped->timeline->fieldOrder, "timestamp,bytes");
  auto plain = parse("phase1: heap use\n10,100\n20,200\n");
  EXPECT_EQ(plain->timeline->fieldOrder, "bytes,timestamp");
}

TEST(PageDumpFormat, ExactMatchBeatsNearestAndIdsMatchOnlyExactly) {
  auto d = parse("phase1: heap use\n100,10\n200,10.0\n300,20\n"
                 "phase2: page dump\n"
                 "-- before GC 1 --\nHeap Dump at: 10.0\n16: +\n-- after GC 1 --\nHeap Dump at: 10.0\n16: +\n"
                 "-- before GC 2 --\nHeap Dump at: 16\n16: +\n-- after GC 2 --\n16: +\n"
                 "-- before GC 3 --\nHeap Dump at: ts-9\n16: +\n-- after GC 3 --\n16: +\n");
  ASSERT_EQ(d->pageMaps->gcs.size(), 3u);
  // "10.0" is written as such on line 3: the string match wins over "10" on line 2 (same number).
  EXPECT_EQ(d->pageMaps->gcs[0].sample, 1u);
  EXPECT_EQ(d->pageMaps->gcs[0].match, SampleMatch::Exact);
  // 16 is nearest 20 (distance 4 vs 6); the after block has no time, so the before's is used.
  EXPECT_EQ(d->pageMaps->gcs[1].sample, 2u);
  EXPECT_EQ(d->pageMaps->gcs[1].match, SampleMatch::Nearest);
  // An id that no sample has ties to nothing, and a warning says so.
  EXPECT_FALSE(d->pageMaps->gcs[2].sample);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].find("GC 3"), std::string::npos);
}

TEST(PageDumpFormat, MarkerVariant) {
  auto d = parse("phase1: heap use\n100,false\n200,true\n300,false\n400,TRUE\n500,false\n"
                 "phase2: page dump\n"
                 "-------before GC 1 -------\n16: + -\n-------after GC 1 -------\n16: +\n"
                 "-------before GC 2 -------\n16: + +\n-------after GC 2 -------\n16: (50%)\n");
  EXPECT_TRUE(d->lineProblems.empty()) << describe(*d);
  EXPECT_EQ(d->timeline->fieldOrder, "bytes,timestamp");
  EXPECT_EQ(d->timeline->timeUnit, "sample");
  EXPECT_TRUE(d->timeline->samples[1].gcMarker);
  EXPECT_EQ(d->timeline->samples[1].time, "2");
  EXPECT_EQ(d->pageMaps->gcs[0].sample, 1u);
  EXPECT_EQ(d->pageMaps->gcs[0].match, SampleMatch::Marker);
  EXPECT_EQ(d->pageMaps->gcs[1].sample, 3u);
}

TEST(PageDumpFormat, OhosPageSize) {
  LoadOptions o;
  o.pageBytes = 128 * 1024;
  auto d = parse("phase1: heap use\n1,1\nphase2: page dump\n-- before GC 0 --\n16: (10%)(10%)(10%)\n", o);
  EXPECT_EQ(d->pageMaps->pageBytes, 128u * 1024);
  PageMapStats s = pageMapStats(*d->pageMaps->gcs[0].before, d->pageMaps->pageBytes);
  EXPECT_EQ(s.total.compactedPages, 1u);  // 0.3 of a page
  EXPECT_EQ(s.total.compactedBytesSaved, 2u * 128 * 1024);
}

// ---- one hand-made file per kind of error ----

TEST(PageDumpProblems, MissingPhase1) {
  auto d = loadDump(dataPath("malformed/no-phase1.txt"), {}, {});
  EXPECT_TRUE(hasProblem(*d, 1, "no `phase1: heap use` marker")) << describe(*d);
  EXPECT_EQ(d->lineProblems.size(), 1u) << describe(*d);
  EXPECT_EQ(d->timeline->samples.size(), 2u);  // kept all the same
  EXPECT_EQ(d->pageMaps->gcs.size(), 1u);
}

TEST(PageDumpProblems, MissingPhase2) {
  auto d = loadDump(dataPath("malformed/no-phase2.txt"), {}, {});
  EXPECT_TRUE(hasProblem(*d, 4, "without a `phase2: page dump` marker")) << describe(*d);
  EXPECT_EQ(d->lineProblems.size(), 1u) << describe(*d);
  EXPECT_EQ(d->pageMaps->gcs.size(), 1u);
  auto only = loadDump(dataPath("malformed/samples-only.txt"), {}, {});
  EXPECT_TRUE(hasProblem(*only, 4, "no `phase2: page dump` marker")) << describe(*only);
  EXPECT_EQ(only->timeline->samples.size(), 3u);
}

TEST(PageDumpProblems, PhasesOutOfOrder) {
  auto d = loadDump(dataPath("malformed/out-of-order.txt"), {}, {});
  EXPECT_TRUE(hasProblem(*d, 8, "out of order")) << describe(*d);
  EXPECT_EQ(d->timeline->samples.size(), 2u);
  ASSERT_EQ(d->pageMaps->gcs.size(), 1u);
  EXPECT_EQ(d->pageMaps->gcs[0].sample, 1u);  // ts-2
}

TEST(PageDumpProblems, NoGoodLine) {
  auto d = loadDump(dataPath("malformed/no-good-line.txt"), {}, {});
  EXPECT_TRUE(hasProblem(*d, 1, "no heap sample and no GC page dump")) << describe(*d);
  EXPECT_TRUE(hasProblem(*d, 2, "exactly 2 comma-separated fields"));
  EXPECT_TRUE(hasProblem(*d, 4, "expected a page line"));
}

TEST(PageDumpProblems, Samples) {
  auto d = loadDump(dataPath("malformed/samples.txt"), {}, {});
  const auto want = std::vector<std::pair<uint32_t, std::string>>{
      {3, "found 3"}, {4, "found 1"}, {5, "bytes field is empty"}, {6, "`abc` is not a number"},
      {7, "`-500` is negative"}, {9, "a page line among the heap samples"}, {11, "a heap sample after `phase2"}};
  ASSERT_EQ(d->lineProblems.size(), want.size()) << describe(*d);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(d->lineProblems[i].line, want[i].first);
    EXPECT_NE(d->lineProblems[i].message.find(want[i].second), std::string::npos) << d->lineProblems[i].message;
  }
  // `abc,ts-5`: the bytes field spans columns 1-4 (end exclusive).
  EXPECT_EQ(d->lineProblems[3].column, 1u);
  EXPECT_EQ(d->lineProblems[3].endColumn, 4u);
  ASSERT_EQ(d->timeline->samples.size(), 2u);
  EXPECT_EQ(d->timeline->samples[1].line, 8u);
  EXPECT_EQ(d->pageMaps->gcs[0].sample, 1u);  // ts-7
}

TEST(PageDumpProblems, HeadersWithoutPartners) {
  auto d = loadDump(dataPath("malformed/headers.txt"), {}, {});
  EXPECT_TRUE(hasProblem(*d, 7, "`before GC 1` has no `after GC 1`")) << describe(*d);
  EXPECT_TRUE(hasProblem(*d, 13, "`after GC 3` has no `before GC 3`"));
  EXPECT_TRUE(hasProblem(*d, 15, "`before GC 4` has no `after GC 4`"));
  EXPECT_TRUE(hasProblem(*d, 17, "the GC numbers differ; expected `after GC 4`"));
  EXPECT_TRUE(hasProblem(*d, 19, "malformed GC header"));
  EXPECT_TRUE(hasProblem(*d, 20, "outside a GC block"));
  EXPECT_TRUE(hasProblem(*d, 21, "the file ends at line 22"));
  EXPECT_EQ(d->lineProblems.size(), 7u) << describe(*d);
  // Everything good is kept: GC 2 is a pair, the others keep the half they have.
  const auto& gcs = d->pageMaps->gcs;
  ASSERT_EQ(gcs.size(), 6u);
  EXPECT_TRUE(gcs[1].before && gcs[1].after);
  EXPECT_EQ(gcs[1].before->classes[0].percent.size(), 3u);
  EXPECT_TRUE(gcs[2].after && !gcs[2].before);
  EXPECT_EQ(gcs[5].before->classes[0].percent.size(), 3u);
}

TEST(PageDumpProblems, PageLinesAndTokens) {
  auto d = loadDump(dataPath("malformed/pages.txt"), {}, {});
  EXPECT_TRUE(hasProblem(*d, 5, "page line outside a GC block")) << describe(*d);
  EXPECT_TRUE(hasProblem(*d, 6, "`Heap Dump at:` outside a GC block"));
  EXPECT_TRUE(hasProblem(*d, 9, "a second `Heap Dump at:`"));
  EXPECT_TRUE(hasProblem(*d, 10, "expected a page line `<size>: <tokens>` or `<name>: <tokens>`"));
  EXPECT_TRUE(hasProblem(*d, 11, "expected a page line"));
  EXPECT_TRUE(hasProblem(*d, 12, "unknown page token `x` at column 7"));
  EXPECT_TRUE(hasProblem(*d, 12, "unknown page token `(abc%)`"));
  EXPECT_TRUE(hasProblem(*d, 13, "140% is outside 0–100"));
  EXPECT_TRUE(hasProblem(*d, 14, "appears twice"));
  EXPECT_TRUE(hasProblem(*d, 17, "`lots` after the time are not a number"));
  EXPECT_TRUE(hasProblem(*d, 19, "unknown page token `?`"));
  EXPECT_EQ(d->lineProblems.size(), 11u) << describe(*d);
  // The good tokens around the bad ones are kept.
  const PageMap& before = *d->pageMaps->gcs[0].before;
  EXPECT_EQ(findClass(before, "16")->percent.size(), 3u);             // + - +
  EXPECT_EQ(findClass(before, "32")->percent.size(), 3u);             // (40%) (100%), then + from line 14
  EXPECT_EQ(findClass(before, "32")->partialTokens, 2u);
  EXPECT_TRUE(findClass(before, "nextFitPages")->percent.empty());
  EXPECT_EQ(before.time, "ts-1");
  const PageMap& after = *d->pageMaps->gcs[0].after;
  EXPECT_EQ(after.time, "ts-2");  // kept though its bytes are bad
  EXPECT_FALSE(after.heapBytes);
  EXPECT_EQ(findClass(after, "extraObjectPages")->percent.size(), 3u);
  // Column of `(140%)` on `32: (140%) (40%) (100%)`.
  for (const LineProblem& p : d->lineProblems)
    if (p.line == 13) {
      EXPECT_EQ(p.column, 5u);
      EXPECT_EQ(p.endColumn, 11u);
    }
}

// Found by tests/fuzz/campaign.sh: a bytes field of 2^64 or more (1e24, twenty nines) was converted to
// an integer it does not fit (undefined behaviour; UBSan stopped the process). It is a problem now.
TEST(PageDumpProblems, BytesBeyondTwoToThe64) {
  auto d = parse("phase1: heap use\n100,ts-1\n1e24,ts-2\n99999999999999999999,ts-3\n18446744073709551615,ts-4\n");
  EXPECT_TRUE(hasProblem(*d, 3, "`1e24` is 2^64 or more")) << describe(*d);
  EXPECT_TRUE(hasProblem(*d, 4, "`99999999999999999999` is 2^64 or more")) << describe(*d);
  // 2^64 - 1 is read as a double, which rounds it to 2^64: refused as well.
  EXPECT_TRUE(hasProblem(*d, 5, "is 2^64 or more")) << describe(*d);
  ASSERT_EQ(d->timeline->samples.size(), 1u);
  EXPECT_EQ(d->timeline->samples[0].bytes, 100u);
}

TEST(PageDumpProblems, GarbageNeverThrowsAndProblemsAreCapped) {
  std::string text = "phase1: heap use\n";
  for (int i = 0; i < 12000; ++i) text += "x\n";
  auto d = parse(text);
  EXPECT_EQ(d->lineProblems.size(), pagedump::kMaxLineProblems);
  ASSERT_FALSE(d->warnings.empty());
  EXPECT_NE(d->warnings.back().find("more malformed lines"), std::string::npos);
  // Bytes of every value, cut anywhere: no crash, no exception.
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t cut = 0; cut < all.size(); cut += 7) EXPECT_NO_THROW(parse("phase1: heap use\n" + all.substr(cut)));
  EXPECT_NO_THROW(parse("phase2: page dump\n--before GC 1--\n16: ((((%)\n16: (99999999999999999999%)\n"));
  // Text from the file that is not UTF-8 is kept as valid UTF-8 (U+FFFD), so JSON can carry it.
  auto bad = parse("phase1: heap use\n100,t\xff" "1\nphase2: page dump\n--before GC 1--\n16: \xc3(\n");
  ASSERT_EQ(bad->timeline->samples.size(), 1u);
  EXPECT_EQ(bad->timeline->samples[0].time, "t\xEF\xBF\xBD" "1");
  for (const LineProblem& p : bad->lineProblems) EXPECT_EQ(p.message.find('\xc3' + std::string("(")), std::string::npos);
}
