// PageStats: page-map and timeline figures (see PageStats.h for the definitions).
//
// Threading: pure functions over immutable parts.
#include "analysis/PageStats.h"

#include <algorithm>
#include <cmath>

namespace heaplens {

void PageTally::add(const PageTally& o) {
  pages += o.pages;
  full += o.full;
  empty += o.empty;
  partial += o.partial;
  occupied += o.occupied;
  partialFree += o.partialFree;
  compactedPages += o.compactedPages;
  compactedBytesSaved += o.compactedBytesSaved;
}

PageTally tallyClass(const PageClass& c, uint64_t pageBytes) {
  PageTally t;
  t.pages = c.percent.size();
  t.full = c.fullTokens;
  t.empty = c.emptyTokens;
  t.partial = c.partialTokens;
  uint64_t nonEmpty = 0, percentSum = 0, at100 = 0, at0 = 0;
  for (uint8_t p : c.percent) {
    percentSum += p;
    nonEmpty += p > 0;
    at100 += p == 100;
    at0 += p == 0;
  }
  // A class built without its tokens (not read from text): full and empty pages by their occupancy.
  if (t.full + t.empty + t.partial != t.pages) {
    t.full = at100;
    t.empty = at0;
    t.partial = t.pages - at100 - at0;
  }
  t.occupied = static_cast<double>(percentSum) / 100.0;
  // Free space in partial pages: full pages (`+`) have none and empty ones (`-`) all of theirs.
  t.partialFree = std::max(0.0, static_cast<double>(t.pages) - t.occupied - static_cast<double>(t.empty));
  if (c.kind == PageKind::SingleObject) {
    t.compactedPages = nonEmpty;
  } else {
    t.compactedPages = std::min<uint64_t>((percentSum + 99) / 100, t.pages);
    t.compactedBytesSaved = (t.pages - t.compactedPages) * pageBytes;
  }
  return t;
}

PageMapStats pageMapStats(const PageMap& m, uint64_t pageBytes) {
  PageMapStats s;
  s.classes.reserve(m.classes.size());
  for (const PageClass& c : m.classes) {
    s.classes.push_back({&c, tallyClass(c, pageBytes)});
    s.total.add(s.classes.back().tally);
  }
  return s;
}

GcStats gcStats(const GcPages& gc, uint64_t pageBytes, const HeapTimeline* timeline) {
  GcStats g;
  if (gc.before) g.before = pageMapStats(*gc.before, pageBytes);
  if (gc.after) g.after = pageMapStats(*gc.after, pageBytes);
  auto find = [&](std::string_view name) -> ClassChange* {
    for (ClassChange& c : g.classes)
      if (c.name == name) return &c;
    return nullptr;
  };
  if (g.before)
    for (const ClassStats& c : g.before->classes) {
      ClassChange* x = find(c.cls->name);
      if (!x) x = &g.classes.emplace_back(ClassChange{c.cls->name, c.cls->kind, 0, 0});
      x->before += c.tally.pages;
    }
  if (g.after)
    for (const ClassStats& c : g.after->classes) {
      ClassChange* x = find(c.cls->name);
      if (!x) x = &g.classes.emplace_back(ClassChange{c.cls->name, c.cls->kind, 0, 0});
      x->after += c.tally.pages;
    }
  if (g.before && g.after) {
    for (const ClassChange& c : g.classes) g.pagesReleased += c.released();
    g.pagesDelta = static_cast<int64_t>(g.after->total.pages) - static_cast<int64_t>(g.before->total.pages);
    g.occupancyChangePoints = (g.after->total.meanOccupancy() - g.before->total.meanOccupancy()) * 100.0;
  }

  if (gc.before && gc.after && gc.before->heapBytes && gc.after->heapBytes) {
    g.heapBefore = gc.before->heapBytes;
    g.heapAfter = gc.after->heapBytes;
  } else if (timeline && gc.sample && *gc.sample + 1 < timeline->samples.size()) {
    g.heapBefore = timeline->samples[*gc.sample].bytes;
    g.heapAfter = timeline->samples[*gc.sample + 1].bytes;
  }
  if (g.heapBefore && g.heapAfter)
    g.heapDrop = static_cast<int64_t>(*g.heapBefore) - static_cast<int64_t>(*g.heapAfter);
  return g;
}

TimelineStats timelineStats(const HeapTimeline& t) {
  TimelineStats s;
  s.count = t.samples.size();
  if (t.samples.empty()) return s;
  size_t peak = 0, low = 0;
  // Least squares over (i, bytes); sums are centred to keep the doubles exact enough for 10^7 samples.
  const double n = static_cast<double>(t.samples.size());
  const double meanI = (n - 1) / 2;
  double sumBytes = 0;
  for (size_t i = 0; i < t.samples.size(); ++i) {
    const uint64_t b = t.samples[i].bytes;
    if (b > t.samples[peak].bytes) peak = i;
    if (b < t.samples[low].bytes) low = i;
    sumBytes += static_cast<double>(b);
  }
  s.peak = peak;
  s.lowest = low;
  s.meanBytes = sumBytes / n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < t.samples.size(); ++i) {
    const double dx = static_cast<double>(i) - meanI;
    sxy += dx * (static_cast<double>(t.samples[i].bytes) - s.meanBytes);
    sxx += dx * dx;
  }
  s.growthPerSample = sxx > 0 ? sxy / sxx : 0.0;

  if (t.timeUnit == "µs") {
    double meanT = 0;
    bool finite = true;
    for (const HeapSample& x : t.samples) {
      finite = finite && std::isfinite(x.timeValue);
      meanT += x.timeValue;
    }
    if (finite) {
      meanT /= n;
      double txy = 0, txx = 0;
      for (const HeapSample& x : t.samples) {
        const double dt = x.timeValue - meanT;
        txy += dt * (static_cast<double>(x.bytes) - s.meanBytes);
        txx += dt * dt;
      }
      s.durationSeconds = (t.samples.back().timeValue - t.samples.front().timeValue) / 1e6;
      if (txx > 0) s.growthPerSecond = txy / txx * 1e6;
    }
  }
  return s;
}

std::string_view pageKindName(PageKind k) {
  switch (k) {
    case PageKind::FixedBlock: return "fixedBlock";
    case PageKind::NextFit: return "nextFit";
    case PageKind::SingleObject: return "singleObject";
    case PageKind::ExtraObject: return "extraObject";
    case PageKind::Other: break;
  }
  return "other";
}

std::string_view sampleMatchName(SampleMatch m) {
  switch (m) {
    case SampleMatch::Exact: return "exact";
    case SampleMatch::Nearest: return "nearest";
    case SampleMatch::Marker: return "marker";
    case SampleMatch::None: break;
  }
  return "none";
}

GcsBySample::GcsBySample(const PageMaps& maps) {
  for (size_t i = 0; i < maps.gcs.size(); ++i)
    if (maps.gcs[i].sample) bySample_.emplace_back(*maps.gcs[i].sample, i);
  std::sort(bySample_.begin(), bySample_.end());
}

std::optional<size_t> GcsBySample::nearest(size_t sample) const {
  if (bySample_.empty()) return std::nullopt;
  auto it = std::lower_bound(bySample_.begin(), bySample_.end(), std::make_pair(sample, size_t{0}));
  if (it == bySample_.end()) return std::prev(it)->second;
  if (it == bySample_.begin() || it->first == sample) return it->second;
  auto before = std::prev(it);
  // The earlier GC on a tie.
  return sample - before->first <= it->first - sample ? before->second : it->second;
}

std::optional<size_t> GcsBySample::at(size_t sample) const {
  auto it = std::lower_bound(bySample_.begin(), bySample_.end(), std::make_pair(sample, size_t{0}));
  if (it != bySample_.end() && it->first == sample) return it->second;
  return std::nullopt;
}

}  // namespace heaplens
