// PageStatsTests: the page-map figures on hand-built classes, each worked out by hand.
#include "analysis/PageStats.h"

#include <gtest/gtest.h>

using namespace heaplens;

namespace {

PageClass cls(std::string name, PageKind kind, std::vector<uint8_t> percent) {
  PageClass c;
  c.name = std::move(name);
  c.kind = kind;
  for (uint8_t p : percent) {
    c.fullTokens += p == 100;
    c.emptyTokens += p == 0;
    c.partialTokens += p != 0 && p != 100;
  }
  c.percent = std::move(percent);
  return c;
}

}  // namespace

TEST(PageStats, TallyOfOneClass) {
  // + (50%) - (25%): 4 pages, 1.75 pages of data, free in partial pages .5 + .75 over 3 non-empty pages.
  PageTally t = tallyClass(cls("16", PageKind::FixedBlock, {100, 50, 0, 25}), 1000);
  EXPECT_EQ(t.pages, 4u);
  EXPECT_EQ(t.full, 1u);
  EXPECT_EQ(t.empty, 1u);
  EXPECT_EQ(t.partial, 2u);
  EXPECT_DOUBLE_EQ(t.occupied, 1.75);
  EXPECT_DOUBLE_EQ(t.meanOccupancy(), 1.75 / 4);
  EXPECT_DOUBLE_EQ(t.fragmentation(), 1.25 / 3);
  EXPECT_EQ(t.compactedPages, 2u);  // ceil(1.75)
  EXPECT_EQ(t.compactedBytesSaved, 2000u);
}

TEST(PageStats, SingleObjectPagesCannotBeMerged) {
  PageTally t = tallyClass(cls("singleObjectPages", PageKind::SingleObject, {100, 0, 100, 20}), 1000);
  EXPECT_EQ(t.compactedPages, 3u);       // the non-empty ones
  EXPECT_EQ(t.compactedBytesSaved, 0u);  // their size is their object's, not recorded
  // Whole pages of data fill exactly: (50%)(50%) needs 1 page, (0%) needs none.
  EXPECT_EQ(tallyClass(cls("8", PageKind::FixedBlock, {50, 50}), 1).compactedPages, 1u);
  EXPECT_EQ(tallyClass(cls("8", PageKind::FixedBlock, {}), 1).compactedPages, 0u);
}

TEST(PageStats, GcReleasesPerClass) {
  GcPages gc;
  gc.before.emplace();
  gc.before->classes = {cls("16", PageKind::FixedBlock, {100, 100, 0}), cls("nextFitPages", PageKind::NextFit, {40})};
  gc.after.emplace();
  gc.after->classes = {cls("16", PageKind::FixedBlock, {100}), cls("nextFitPages", PageKind::NextFit, {40, 30}),
                       cls("32", PageKind::FixedBlock, {10})};
  GcStats g = gcStats(gc, 1, nullptr);
  ASSERT_EQ(g.classes.size(), 3u);
  EXPECT_EQ(g.classes[2].name, "32");
  EXPECT_EQ(g.pagesReleased, 2u);  // only 16 shrank, by 2; next-fit and 32 grew
  EXPECT_EQ(g.pagesDelta, 0);
  // Mean occupancy 2.4/4 = 60% → 1.8/4 = 45%: -15 points.
  EXPECT_NEAR(*g.occupancyChangePoints, -15.0, 1e-9);
  EXPECT_FALSE(g.heapDrop);
  // With the dump's own heap bytes, the drop is theirs.
  gc.before->heapBytes = 9000;
  gc.after->heapBytes = 4000;
  EXPECT_EQ(gcStats(gc, 1, nullptr).heapDrop, 5000);
}

TEST(PageStats, TimelinePeakAndGrowth) {
  HeapTimeline t;
  t.timeUnit = "µs";
  for (int i = 0; i < 5; ++i) t.samples.push_back({std::to_string(i), i * 1e6, uint64_t(100 + 10 * i), uint32_t(i + 2)});
  t.samples[3].bytes = 500;
  TimelineStats s = timelineStats(t);
  EXPECT_EQ(s.peak, 3u);
  EXPECT_EQ(s.lowest, 0u);
  // Least squares of 100, 110, 120, 500, 140 over 0..4: slope = sum((i-2)(y-194)) / 10 = 470 / 10.
  EXPECT_NEAR(s.growthPerSample, 47.0, 1e-9);
  ASSERT_TRUE(s.growthPerSecond);
  EXPECT_NEAR(*s.growthPerSecond, 47.0, 1e-9);  // one sample per second
  EXPECT_NEAR(*s.durationSeconds, 4.0, 1e-12);
}

TEST(PageStats, NearestGcBySample) {
  PageMaps maps;
  maps.gcs.resize(3);
  maps.gcs[0].sample = 10;
  maps.gcs[1].sample = 20;  // gcs[2] is tied to nothing
  GcsBySample by(maps);
  EXPECT_EQ(by.nearest(0), 0u);
  EXPECT_EQ(by.nearest(15), 0u);  // a tie goes to the earlier
  EXPECT_EQ(by.nearest(16), 1u);
  EXPECT_EQ(by.nearest(99), 1u);
  EXPECT_EQ(by.at(20), 1u);
  EXPECT_FALSE(by.at(19));
  EXPECT_FALSE(GcsBySample(PageMaps{}).nearest(3));
}
