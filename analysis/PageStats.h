// PageStats: the figures on page maps and heap timelines, per size class, per dump, per GC, over time.
//
// An allocator's page dump says, for each size class, how full each page
// was just before and just after a collection. From that this file derives
// what the report, the dump-file hovers and the HTML page all show, so they
// never disagree: page counts by token (full `+`, empty `-`, partial
// `(NN%)`), mean occupancy, fragmentation, what a perfect compaction would
// need, pages released by each GC, the heap bytes each GC dropped, and the
// timeline's peak and growth rate. Definitions:
//
//   mean occupancy  the mean of the pages' occupancies (a full page is 1, an empty one 0).
//   fragmentation   free space inside partial pages, as a share of the pages in use (non-empty):
//                   space a sweep cannot give back because live objects share the page. Empty
//                   pages are not fragmentation: the sweep releases them.
//   compaction      objects repacked within their own class (they cannot change size class):
//                   a class needs ceil(sum of occupancies) pages; a single-object page holds one
//                   object of its own size, so those classes need their non-empty pages. Bytes
//                   saved are saved pages times the page size, single-object pages excluded
//                   (they are sized to their object, which the dump does not record).
//   pages released  per class, the pages the GC removed (before − after when positive), summed.
//   heap drop       the heap bytes before the GC minus after it: from the dump's own
//                   `Heap Dump at: <time>, <bytes>` figures when both are given, else from the
//                   tied timeline sample and the sample after it.
//   growth rate     the least-squares slope of heap bytes over the samples (per sample, and per
//                   second when the times are microseconds).
//
// Threading: pure functions over immutable parts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/Dump.h"

namespace heaplens {

// The pages of one class (or of all classes) at one moment.
struct PageTally {
  uint64_t pages = 0;
  uint64_t full = 0, empty = 0, partial = 0;  // `+`, `-` and `(NN%)` tokens
  double occupied = 0;       // sum of occupancies: how many pages the live data would fill
  double partialFree = 0;    // sum of (1 - occupancy) over partial pages
  uint64_t compactedPages = 0;   // pages a perfect compaction would need
  uint64_t compactedBytesSaved = 0;

  uint64_t nonEmpty() const { return pages - empty; }
  uint64_t compactionSavedPages() const { return pages - compactedPages; }
  double meanOccupancy() const { return pages ? occupied / static_cast<double>(pages) : 0.0; }
  double fragmentation() const { return nonEmpty() ? partialFree / static_cast<double>(nonEmpty()) : 0.0; }
  void add(const PageTally& o);
};

struct ClassStats {
  const PageClass* cls = nullptr;
  PageTally tally;
};

struct PageMapStats {
  std::vector<ClassStats> classes;  // in file order
  PageTally total;
};

// A class's pages before and after one GC (0 where the class is absent).
struct ClassChange {
  std::string name;
  PageKind kind = PageKind::Other;
  uint64_t before = 0, after = 0;
  uint64_t released() const { return before > after ? before - after : 0; }
};

struct GcStats {
  std::optional<PageMapStats> before, after;
  std::vector<ClassChange> classes;  // every class of either dump: before's order, then after-only ones
  uint64_t pagesReleased = 0;        // sum of per-class decreases
  int64_t pagesDelta = 0;            // all pages after − before
  std::optional<double> occupancyChangePoints;  // (after − before mean occupancy) × 100
  std::optional<uint64_t> heapBefore, heapAfter;  // bytes, by the heap-drop rule above
  std::optional<int64_t> heapDrop;
};

struct TimelineStats {
  size_t count = 0;
  std::optional<size_t> peak;     // index of the first sample with the most bytes
  std::optional<size_t> lowest;
  double meanBytes = 0;
  double growthPerSample = 0;                 // bytes per sample, least squares
  std::optional<double> growthPerSecond;      // bytes per second, when the times are µs
  std::optional<double> durationSeconds;      // last − first time, when the times are µs
};

PageTally tallyClass(const PageClass& c, uint64_t pageBytes);
PageMapStats pageMapStats(const PageMap& m, uint64_t pageBytes);
GcStats gcStats(const GcPages& gc, uint64_t pageBytes, const HeapTimeline* timeline);
TimelineStats timelineStats(const HeapTimeline& t);

// "fixed blocks of 16 cells (128 B)", "next-fit pages (medium objects)", ...
std::string_view pageKindName(PageKind k);  // "fixedBlock", "nextFit", "singleObject", "extraObject", "other"
std::string_view sampleMatchName(SampleMatch m);  // "exact", "nearest", "marker", "none"

// The GCs ordered by the timeline sample they are tied to, to name the GC nearest a sample.
class GcsBySample {
public:
  explicit GcsBySample(const PageMaps& maps);
  // The GC (index into maps.gcs) whose tied sample is nearest `sample`, the earlier one on a tie.
  std::optional<size_t> nearest(size_t sample) const;
  // The GC tied to exactly this sample, if any (the first in file order).
  std::optional<size_t> at(size_t sample) const;

private:
  std::vector<std::pair<size_t, size_t>> bySample_;  // (sample, gc), sorted
};

}  // namespace heaplens
