// Growth: the one rule for "this type grows across snapshots" (see Growth.h).
//
// Threading: pure functions.
#include "analysis/Growth.h"

#include <algorithm>

namespace heaplens {

const TypeGrowth* SeriesGrowth::find(std::string_view type) const {
  for (const TypeGrowth& t : types)
    if (t.type == type) return &t;
  return nullptr;
}

SeriesGrowth growingTypes(const SnapshotSeries& series) {
  SeriesGrowth out;
  for (const SnapshotInfo& s : series.snapshots)
    if (s.complete && s.index <= series.selected) out.snapshots.push_back(s.index);
  if (out.snapshots.size() < 2) {
    out.snapshots.clear();
    return out;
  }
  const TypeTimeline& tl = series.types;
  const std::vector<uint32_t>& snaps = out.snapshots;
  for (size_t ty = 0; ty < tl.typeNames.size(); ++ty) {
    bool fell = false;
    size_t rises = 0;
    for (size_t k = 1; k < snaps.size(); ++k) {
      const uint64_t a = tl.countAt(snaps[k - 1], ty), b = tl.countAt(snaps[k], ty);
      if (b < a) fell = true;
      if (b > a) ++rises;
    }
    const uint64_t first = tl.countAt(snaps.front(), ty), last = tl.countAt(snaps.back(), ty);
    if (fell || last <= first || rises * 2 < snaps.size() - 1) continue;
    TypeGrowth g;
    g.type = tl.typeNames[ty];
    g.firstCount = first;
    g.lastCount = last;
    g.firstBytes = tl.bytesAt(snaps.front(), ty);
    g.lastBytes = tl.bytesAt(snaps.back(), ty);
    for (uint32_t s : snaps) g.counts.push_back(tl.countAt(s, ty));
    out.types.push_back(std::move(g));
  }
  std::sort(out.types.begin(), out.types.end(), [](const TypeGrowth& a, const TypeGrowth& b) {
    return a.countDelta() != b.countDelta() ? a.countDelta() > b.countDelta() : a.type < b.type;
  });
  return out;
}

}  // namespace heaplens
