// Growth: which types grow across the snapshots of a series, by one rule used everywhere.
//
// The report, the diagnostics and the hover all ask "does this type grow?";
// they get the answer from here, so they can never disagree. The rule: over
// the complete snapshots from the first to the selected one, a type grows
// when its instance count never falls and rises in at least half of the
// steps, and the last count is above the first (a flat last step, e.g. Leaky
// 21,158 -> 23,000 -> 23,000, still counts as growth; a cache that fills and
// is trimmed does not).
//
// Threading: pure functions over an immutable series.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/Dump.h"

namespace heaplens {

struct TypeGrowth {
  std::string type;
  uint64_t firstCount = 0, lastCount = 0;
  uint64_t firstBytes = 0, lastBytes = 0;
  std::vector<uint64_t> counts;  // per snapshot in SeriesGrowth::snapshots
  int64_t countDelta() const { return static_cast<int64_t>(lastCount) - static_cast<int64_t>(firstCount); }
  int64_t bytesDelta() const { return static_cast<int64_t>(lastBytes) - static_cast<int64_t>(firstBytes); }
};

struct SeriesGrowth {
  std::vector<uint32_t> snapshots;  // the complete snapshots compared (0-based indices), in order
  std::vector<TypeGrowth> types;    // growing types, largest count growth first (ties: name)
  // The growth of one type name, or nullptr when it does not grow.
  const TypeGrowth* find(std::string_view type) const;
};

// Empty when fewer than two complete snapshots are at hand.
SeriesGrowth growingTypes(const SnapshotSeries& series);

}  // namespace heaplens
