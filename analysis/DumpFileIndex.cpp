// DumpFileIndex: the dump file's own lines, from every part that remembers them.
//
// Threading: pure function over an immutable Dump.
#include "analysis/DumpFileIndex.h"

#include <algorithm>

#include "analysis/Text.h"

namespace heaplens {

std::vector<const DumpLineEntry*> DumpFileIndex::at(uint32_t line) const {
  std::vector<const DumpLineEntry*> out;
  auto it = std::lower_bound(entries.begin(), entries.end(), line,
                             [](const DumpLineEntry& e, uint32_t l) { return e.line < l; });
  for (; it != entries.end() && it->line == line; ++it) out.push_back(&*it);
  return out;
}

namespace {

uint64_t pageCount(const PageMap& m) {
  uint64_t n = 0;
  for (const PageClass& c : m.classes) n += c.occupancy.size();
  return n;
}

double meanOccupancy(const PageMap& m) {
  double sum = 0;
  uint64_t n = 0;
  for (const PageClass& c : m.classes)
    for (float o : c.occupancy) {
      sum += o;
      ++n;
    }
  return n ? sum / static_cast<double>(n) : 0.0;
}

std::string classSummary(const PageClass& c) {
  uint64_t full = 0, empty = 0;
  for (float o : c.occupancy) {
    full += o >= 1.0f;
    empty += o <= 0.0f;
  }
  const uint64_t n = c.occupancy.size();
  return plural(n, "page") + ": " + formatCount(full) + " full, " + formatCount(empty) + " empty, " +
         formatCount(n - full - empty) + " partial";
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
  if (d.timeline)
    for (size_t i = 0; i < d.timeline->samples.size(); ++i) {
      const HeapSample& s = d.timeline->samples[i];
      if (s.line == 0) continue;
      add({s.line, s.line, DumpLineKind::Sample, s.time, formatBytesLong(s.bytes) + " in use at " + s.time, -1, i});
    }
  if (d.pageMaps)
    for (size_t i = 0; i < d.pageMaps->gcs.size(); ++i) {
      const GcPages& gc = d.pageMaps->gcs[i];
      uint32_t first = UINT32_MAX, last = 0;
      for (const auto* m : {&gc.before, &gc.after}) {
        if (!*m) continue;
        first = std::min(first, (*m)->headerLine);
        last = std::max(last, (*m)->headerLine);
        for (const PageClass& c : (*m)->classes) last = std::max(last, c.line);
      }
      if (first == UINT32_MAX || first == 0) continue;
      std::string detail;
      if (gc.before && gc.after)
        detail = formatCount(pageCount(*gc.before)) + " → " + formatCount(pageCount(*gc.after)) + " pages, occupancy " +
                 formatPercent(meanOccupancy(*gc.before)) + " → " + formatPercent(meanOccupancy(*gc.after));
      const int32_t section = add({first, last, DumpLineKind::Section, "GC " + gc.index, detail, -1, i});
      for (const auto* m : {&gc.before, &gc.after}) {
        if (!*m) continue;
        uint32_t end = (*m)->headerLine;
        for (const PageClass& c : (*m)->classes) end = std::max(end, c.line);
        const std::string title = std::string(m == &gc.before ? "before" : "after") + " GC " + gc.index;
        const int32_t map = add({(*m)->headerLine, end, DumpLineKind::PageMap, title,
                                 plural(pageCount(**m), "page") + ", mean occupancy " +
                                     formatPercent(meanOccupancy(**m)),
                                 section, i});
        for (const PageClass& c : (*m)->classes)
          if (c.line) add({c.line, c.line, DumpLineKind::PageClass, c.name, classSummary(c), map, i});
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
