// DumpFileIndex: the dump file's own lines, from every part that remembers them.
//
// Threading: pure function over an immutable Dump.
#include "analysis/DumpFileIndex.h"

#include <algorithm>
#include <cmath>

#include "analysis/PageStats.h"
#include "analysis/Text.h"

namespace heaplens {

namespace {

// A heap sample's line: its bytes and time, and the GC tied to it or the nearest one.
std::string sampleDetail(const Dump& d, size_t i, const GcsBySample* gcsBySample) {
  const HeapSample& s = d.timeline->samples[i];
  std::string detail = formatBytesLong(s.bytes) + " in use at " + s.time;
  if (gcsBySample) {
    if (auto tied = gcsBySample->at(i)) {
      detail += "; GC " + d.pageMaps->gcs[*tied].index + " is tied to this sample";
    } else if (auto near = gcsBySample->nearest(i)) {
      const size_t at = *d.pageMaps->gcs[*near].sample;
      const size_t gap = at > i ? at - i : i - at;
      detail += "; nearest GC: GC " + d.pageMaps->gcs[*near].index + ", " + plural(gap, "sample") +
                (at > i ? " later" : " earlier") + " (line " + formatCount(d.timeline->samples[at].line) + ")";
    }
  }
  return detail;
}

}  // namespace

std::vector<const DumpLineEntry*> DumpFileIndex::at(uint32_t line) const {
  std::vector<const DumpLineEntry*> out;
  auto it = std::lower_bound(entries.begin(), entries.end(), line,
                             [](const DumpLineEntry& e, uint32_t l) { return e.line < l; });
  for (; it != entries.end() && it->line == line; ++it) out.push_back(&*it);
  for (const DumpLineEntry* e : out) {
    if (e->kind != DumpLineKind::Sample || !dump || !dump->timeline || e->ref >= dump->timeline->samples.size()) continue;
    std::lock_guard<std::mutex> lock(*fill);
    // The entries are never const objects (the index is built and then only handed out as const):
    // filling a sample's text once, under the lock, is the one write after the build.
    if (e->detail.empty())
      const_cast<DumpLineEntry*>(e)->detail = sampleDetail(*dump, e->ref, gcsBySample.get());
  }
  return out;
}

namespace {

std::string signedPoints(double points) {
  points = std::round(points * 1e4) / 1e4;  // as the report's JSON gives it, so both print the same
  std::string p = formatNumber(points, 1);
  return (points > 0 && p != "0" ? "+" : "") + p + " pts";
}

// "5 pages: 2 full (+), 1 empty (-), 2 partial (NN%)".
std::string tokenSummary(const PageTally& t) {
  return plural(t.pages, "page") + ": " + formatCount(t.full) + " full (+), " + formatCount(t.empty) +
         " empty (-), " + formatCount(t.partial) + " partial (NN%)";
}

// What one dump's pages look like: counts, occupancy, fragmentation and the simulated compaction.
std::string mapSummary(const PageTally& t) {
  std::string s = tokenSummary(t) + "; mean occupancy " + formatPercent(t.meanOccupancy()) + ", fragmentation " +
                  formatPercent(t.fragmentation()) + "; a perfect compaction needs " +
                  plural(t.compactedPages, "page") + " (saves " + plural(t.compactionSavedPages(), "page");
  if (t.compactedBytesSaved) s += ", " + formatBytes(t.compactedBytesSaved);
  return s + ")";
}

// The code lens's line: pages before → after, released, occupancy change.
std::string gcLensSummary(const GcStats& g) {
  if (g.before && g.after)
    return formatCount(g.before->total.pages) + " → " + formatCount(g.after->total.pages) + " pages, " +
           formatCount(g.pagesReleased) + " released, occupancy " + formatPercent(g.before->total.meanOccupancy()) +
           " → " + formatPercent(g.after->total.meanOccupancy()) + " (" + signedPoints(*g.occupancyChangePoints) +
           ")";
  const PageMapStats& only = g.before ? *g.before : *g.after;
  return plural(only.total.pages, "page") + ", occupancy " + formatPercent(only.total.meanOccupancy()) + " (" +
         (g.before ? "no after-GC dump" : "no before-GC dump") + ")";
}

std::string sampleText(const HeapSample& s) {
  return "line " + formatCount(s.line) + " (time " + s.time + ", " + formatBytesLong(s.bytes) + ")";
}

}  // namespace

DumpFileIndex buildDumpFileIndex(const Dump& d) {
  DumpFileIndex idx;
  auto& out = idx.entries;
  auto add = [&](DumpLineEntry e) {
    out.push_back(std::move(e));
    return static_cast<int32_t>(out.size() - 1);
  };

  for (size_t i = 0; i < d.lineProblems.size(); ++i) {
    const LineProblem& p = d.lineProblems[i];
    add({p.line, p.line, DumpLineKind::Problem, "line " + std::to_string(p.line), p.message, -1, i});
  }
  // The phases, then what is inside them: samples in the first, GCs in the second.
  int32_t heapSection = -1, pageSection = -1;
  if (d.timeline && d.timeline->line) {
    const HeapTimeline& tl = *d.timeline;
    TimelineStats ts = timelineStats(tl);
    std::string detail = plural(tl.samples.size(), "heap sample");
    if (!tl.fieldOrder.empty()) detail += " (" + tl.fieldOrder + ")";
    if (ts.peak) detail += "; peak " + formatBytesLong(tl.samples[*ts.peak].bytes) + " on line " +
                           formatCount(tl.samples[*ts.peak].line);
    if (ts.growthPerSecond) detail += "; growth " + formatSignedBytes(std::llround(*ts.growthPerSecond)) + "/s";
    else if (ts.count > 1) detail += "; growth " + formatSignedBytes(std::llround(ts.growthPerSample)) + " per sample";
    heapSection = add({tl.line, std::max(tl.line, tl.endLine), DumpLineKind::Section,
                       tl.heading.empty() ? "heap use" : tl.heading, detail, -1, 0});
  }
  if (d.pageMaps && d.pageMaps->line) {
    const PageMaps& maps = *d.pageMaps;
    size_t pairs = 0;
    uint64_t released = 0;
    for (const GcPages& gc : maps.gcs)
      if (gc.before && gc.after) {
        ++pairs;
        released += gcStats(gc, maps.pageBytes, nullptr).pagesReleased;
      }
    pageSection = add({maps.line, std::max(maps.line, maps.endLine), DumpLineKind::Section,
                       maps.heading.empty() ? "page dump" : maps.heading,
                       plural(maps.gcs.size(), "GC") + " (" + formatCount(pairs) + " with before and after), " +
                           plural(released, "page") + " released in all; page size " + formatBytes(maps.pageBytes),
                       -1, 0});
  }
  if (d.timeline) {
    idx.dump = &d;
    if (d.pageMaps) idx.gcsBySample = std::make_shared<const GcsBySample>(*d.pageMaps);
    out.reserve(out.size() + d.timeline->samples.size());
    for (size_t i = 0; i < d.timeline->samples.size(); ++i) {
      const HeapSample& s = d.timeline->samples[i];
      if (s.line == 0) continue;
      add({s.line, s.line, DumpLineKind::Sample, s.time, std::string(), heapSection, i});  // detail: at()
    }
  }
  if (d.pageMaps)
    for (size_t i = 0; i < d.pageMaps->gcs.size(); ++i) {
      const GcPages& gc = d.pageMaps->gcs[i];
      const uint64_t pageBytes = d.pageMaps->pageBytes;
      uint32_t first = UINT32_MAX, last = 0;
      for (const auto* m : {&gc.before, &gc.after}) {
        if (!*m) continue;
        first = std::min(first, (*m)->headerLine);
        last = std::max({last, (*m)->headerLine, (*m)->timeLine});
        for (const PageClass& c : (*m)->classes) last = std::max(last, c.line);
      }
      if (first == UINT32_MAX || first == 0) continue;
      const GcStats g = gcStats(gc, pageBytes, d.timeline ? &*d.timeline : nullptr);
      // The GC's block: its title is "GC N"; the code lens on the block reads "GC N: <detail>".
      const int32_t section =
          add({first, last, DumpLineKind::Section, "GC " + gc.index, gcLensSummary(g), pageSection, i});
      for (const auto* m : {&gc.before, &gc.after}) {
        if (!*m) continue;
        const bool isBefore = m == &gc.before;
        const PageMapStats& stats = isBefore ? *g.before : *g.after;
        uint32_t end = std::max((*m)->headerLine, (*m)->timeLine);
        for (const PageClass& c : (*m)->classes) end = std::max(end, c.line);
        const std::string title = std::string(isBefore ? "before" : "after") + " GC " + gc.index;
        // A hover on a header shows the GC's line and this one: the dump's own figures, then (before)
        // the sample the GC is tied to or (after) the heap it dropped.
        std::string mapDetail = mapSummary(stats.total);
        if ((*m)->heapBytes) mapDetail += "; heap " + formatBytesLong(*(*m)->heapBytes);
        if (isBefore) {
          if (gc.sample && d.timeline && *gc.sample < d.timeline->samples.size())
            mapDetail += "; GC tied to the sample on " + sampleText(d.timeline->samples[*gc.sample]) + ", " +
                         (gc.match == SampleMatch::Exact     ? "same time"
                          : gc.match == SampleMatch::Nearest ? "nearest time"
                                                             : "the matching GC-flagged sample");
          else
            mapDetail += "; GC tied to no heap sample";
        } else if (g.heapDrop) {
          mapDetail += "; the GC dropped the heap by " + formatSignedBytes(*g.heapDrop);
        }
        const int32_t map = add({(*m)->headerLine, end, DumpLineKind::PageMap, title, std::move(mapDetail), section, i});
        for (const ClassStats& c : stats.classes)
          if (c.cls->line)
            add({c.cls->line, c.cls->line, DumpLineKind::PageClass, c.cls->name,
                 c.cls->meaning + "; " + tokenSummary(c.tally) + "; mean occupancy " +
                     formatPercent(c.tally.meanOccupancy()),
                 map, i});
      }
    }
  if (d.growth)
    for (size_t i = 0; i < d.growth->records.size(); ++i) {
      const GrowthRecord& r = d.growth->records[i];
      if (r.line == 0) continue;
      add({r.line, r.line, DumpLineKind::Growth, r.type,
           formatSignedCount(r.countDelta, true) + " objects, " + formatSignedBytes(r.sizeDelta), -1, i});
    }

  // Sort by line, outer blocks first; parents are re-pointed after the move.
  std::vector<size_t> order(out.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (out[a].line != out[b].line) return out[a].line < out[b].line;
    return out[a].endLine > out[b].endLine;
  });
  std::vector<int32_t> newIndex(out.size());
  for (size_t i = 0; i < order.size(); ++i) newIndex[order[i]] = static_cast<int32_t>(i);
  std::vector<DumpLineEntry> sorted;
  sorted.reserve(out.size());
  for (size_t i : order) {
    DumpLineEntry e = std::move(out[i]);
    if (e.parent >= 0) e.parent = newIndex[static_cast<size_t>(e.parent)];
    sorted.push_back(std::move(e));
  }
  out = std::move(sorted);
  return idx;
}

}  // namespace heaplens
