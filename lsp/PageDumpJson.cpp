// PageDumpJson: the report's `pageDump` section (see PageDumpJson.h).
//
// Threading: pure functions over an immutable Dump.
#include "lsp/PageDumpJson.h"

#include <cmath>

#include "analysis/PageStats.h"

namespace heaplens::lsp {

using nlohmann::json;

namespace {

json lineOrNull(uint32_t line) { return line ? json(line) : json(nullptr); }

template <class T>
json optJson(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

// Rounded to 4 decimals so the JSON reads as the figures people quote.
double round4(double v) { return std::round(v * 1e4) / 1e4; }

json tallyJson(const PageTally& t) {
  return json{{"pages", t.pages},
              {"full", t.full},
              {"empty", t.empty},
              {"partial", t.partial},
              {"occupiedPages", round4(t.occupied)},
              {"meanOccupancy", round4(t.meanOccupancy())},
              {"fragmentation", round4(t.fragmentation())},
              {"compaction",
               {{"pagesNeeded", t.compactedPages},
                {"pagesSaved", t.compactionSavedPages()},
                {"bytesSaved", t.compactedBytesSaved}}}};
}

// One dump's totals, and per class (keyed by the name as written) what a person compares across GCs.
// What a class is (kind, meaning, block size) is said once, in the section's `classes` catalogue.
json mapJson(const PageMap& m, const PageMapStats& s) {
  json j = tallyJson(s.total);
  j["line"] = m.headerLine;
  j["time"] = m.time.empty() ? json(nullptr) : json(m.time);
  j["heapBytes"] = optJson(m.heapBytes);
  // Built in place: a long run has hundreds of thousands of these values.
  json classes = json::object();
  auto& byName = classes.get_ref<json::object_t&>();
  for (const ClassStats& c : s.classes) {
    const PageTally& t = c.tally;
    json x = json::object();
    auto& o = x.get_ref<json::object_t&>();
    o.emplace("line", c.cls->line);
    o.emplace("pages", t.pages);
    o.emplace("full", t.full);
    o.emplace("empty", t.empty);
    o.emplace("partial", t.partial);
    o.emplace("meanOccupancy", round4(t.meanOccupancy()));
    o.emplace("pagesNeeded", t.compactedPages);
    byName.insert_or_assign(c.cls->name, std::move(x));
  }
  j["classes"] = std::move(classes);
  return j;
}

json sampleJson(const HeapTimeline& t, std::optional<size_t> i) {
  if (!i) return nullptr;
  const HeapSample& s = t.samples[*i];
  return json{{"index", *i}, {"line", s.line}, {"time", s.time}, {"bytes", s.bytes}};
}

}  // namespace

json gcIndexJson(const std::string& index) {
  const bool plain = !index.empty() && index.size() <= 18 && (index.size() == 1 || index.front() != '0') &&
                     index.find_first_not_of("0123456789") == std::string::npos;
  return plain ? json(std::stoull(index)) : json(index);
}

json pageDumpJson(const Dump& d) {
  if (!d.timeline && !d.pageMaps) return nullptr;
  static const HeapTimeline kNoTimeline;
  const HeapTimeline& tl = d.timeline ? *d.timeline : kNoTimeline;
  const uint64_t pageBytes = d.pageMaps ? d.pageMaps->pageBytes : 256 * 1024;
  json r;
  r["sampleCount"] = tl.samples.size();
  r["fieldOrder"] = tl.fieldOrder.empty() ? json(nullptr) : json(tl.fieldOrder);
  r["timeUnit"] = tl.timeUnit;
  r["pageBytes"] = pageBytes;

  TimelineStats ts = timelineStats(tl);
  r["timeline"] = {{"line", lineOrNull(tl.line)},
                   {"endLine", lineOrNull(tl.endLine)},
                   {"first", sampleJson(tl, tl.samples.empty() ? std::nullopt : std::optional<size_t>(0))},
                   {"last", sampleJson(tl, tl.samples.empty() ? std::nullopt
                                                              : std::optional<size_t>(tl.samples.size() - 1))},
                   {"peak", sampleJson(tl, ts.peak)},
                   {"lowest", sampleJson(tl, ts.lowest)},
                   {"meanBytes", std::round(ts.meanBytes)},
                   {"growthBytesPerSample", round4(ts.growthPerSample)},
                   {"growthBytesPerSecond", ts.growthPerSecond ? json(round4(*ts.growthPerSecond)) : json(nullptr)},
                   {"durationSeconds", ts.durationSeconds ? json(*ts.durationSeconds) : json(nullptr)}};

  // What each class is, once: the name as written, its kind, meaning and block size.
  json catalogue = json::object();
  if (d.pageMaps)
    for (const GcPages& gc : d.pageMaps->gcs)
      for (const auto* m : {&gc.before, &gc.after})
        if (*m)
          for (const PageClass& c : (*m)->classes)
            if (!catalogue.contains(c.name)) {
              json x{{"kind", std::string(pageKindName(c.kind))}, {"meaning", c.meaning}};
              if (c.kind == PageKind::FixedBlock) x["blockBytes"] = c.blockBytes;
              catalogue[c.name] = std::move(x);
            }
  r["classes"] = std::move(catalogue);

  json gcs = json::array();
  uint64_t released = 0, pairs = 0;
  int64_t dropped = 0;
  if (d.pageMaps)
    for (const GcPages& gc : d.pageMaps->gcs) {
      GcStats g = gcStats(gc, pageBytes, d.timeline ? &*d.timeline : nullptr);
      json j;
      j["index"] = gcIndexJson(gc.index);
      j["label"] = "GC " + gc.index;
      j["beforeLine"] = gc.before ? json(gc.before->headerLine) : json(nullptr);
      j["afterLine"] = gc.after ? json(gc.after->headerLine) : json(nullptr);
      const HeapSample* s = gc.sample && *gc.sample < tl.samples.size() ? &tl.samples[*gc.sample] : nullptr;
      j["sampleLine"] = s ? json(s->line) : json(nullptr);
      j["sampleIndex"] = s ? json(*gc.sample) : json(nullptr);
      j["sampleMatch"] = std::string(sampleMatchName(gc.match));
      j["sampleTime"] = s ? json(s->time) : json(nullptr);
      j["sampleBytes"] = s ? json(s->bytes) : json(nullptr);
      j["before"] = gc.before ? mapJson(*gc.before, *g.before) : json(nullptr);
      j["after"] = gc.after ? mapJson(*gc.after, *g.after) : json(nullptr);
      j["pagesBefore"] = g.before ? json(g.before->total.pages) : json(nullptr);
      j["pagesAfter"] = g.after ? json(g.after->total.pages) : json(nullptr);
      const bool both = g.before && g.after;
      j["pagesReleased"] = both ? json(g.pagesReleased) : json(nullptr);
      j["pagesDelta"] = both ? json(g.pagesDelta) : json(nullptr);
      j["occupancyBefore"] = g.before ? json(round4(g.before->total.meanOccupancy())) : json(nullptr);
      j["occupancyAfter"] = g.after ? json(round4(g.after->total.meanOccupancy())) : json(nullptr);
      j["occupancyChangePoints"] = g.occupancyChangePoints ? json(round4(*g.occupancyChangePoints)) : json(nullptr);
      j["heapBytesBefore"] = optJson(g.heapBefore);
      j["heapBytesAfter"] = optJson(g.heapAfter);
      j["heapDrop"] = optJson(g.heapDrop);
      // Pages each class gave back (only the classes that shrank).
      json releasedBy = json::object();
      for (const ClassChange& c : g.classes)
        if (c.released()) releasedBy[c.name] = c.released();
      j["releasedByClass"] = std::move(releasedBy);
      gcs.push_back(std::move(j));
      if (both) {
        ++pairs;
        released += g.pagesReleased;
      }
      if (g.heapDrop) dropped += *g.heapDrop;
    }
  r["gcCount"] = gcs.size();
  r["pairCount"] = pairs;
  r["pagesReleased"] = released;
  r["heapDropped"] = dropped;
  r["gcs"] = std::move(gcs);

  json errors = json::array();
  for (const LineProblem& p : d.lineProblems) {
    json e{{"line", p.line}, {"message", p.message}};
    if (p.column) {
      e["column"] = p.column;
      e["endColumn"] = p.endColumn;
    }
    errors.push_back(std::move(e));
  }
  r["errors"] = std::move(errors);
  return r;
}

}  // namespace heaplens::lsp
