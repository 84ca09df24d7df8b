// SiteTable: the strings, source locations and stacks a dump names, kept apart from any graph.
//
// Every part of a Dump that points at source code uses it: the heap graph's
// allocation sites and frames, growth records that carry a location, a
// timeline sample tied to a call site. Keeping it outside HeapGraph lets a
// format with no object graph (a heap-diff file, an allocator's page dump)
// still name files and lines, and lets the line index treat all parts alike.
// Strings are interned (StringTable), locations and stacks deduplicated.
//
// Threading: filled on one thread (a parser's, through SiteTableBuilder or
// GraphBuilder), then shared read-only through std::shared_ptr.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/StringTable.h"

namespace heaplens {

using SiteId = uint32_t;
using LocationId = uint32_t;
inline constexpr SiteId kNoSite = std::numeric_limits<SiteId>::max();

// One source location: function, file as the dump records it, line, column
// (0 when unknown). Strings are ids in the SiteTable's StringTable.
struct SourceLocation {
  StringId function = 0;
  StringId file = 0;
  uint32_t line = 0;
  uint32_t column = 0;
  bool operator==(const SourceLocation&) const = default;
};

struct SiteTable {
  StringTable strings;
  std::vector<SourceLocation> locations;     // deduplicated
  std::vector<uint32_t> siteFirstFrame{0};   // size siteCount()+1
  std::vector<LocationId> siteFrames;        // location ids, innermost first

  uint32_t siteCount() const { return static_cast<uint32_t>(siteFirstFrame.size() - 1); }
  std::string_view str(StringId s) const { return strings.get(s); }
  const SourceLocation& location(LocationId l) const { return locations[l]; }
  // The stack of a site, innermost first; empty for kNoSite.
  std::span<const LocationId> frames(SiteId s) const {
    if (s == kNoSite || s >= siteCount()) return {};
    return {siteFrames.data() + siteFirstFrame[s], siteFrames.data() + siteFirstFrame[s + 1]};
  }
  uint64_t memoryBytes() const;
};

// Deduplicating writer for a SiteTable.
class SiteTableBuilder {
public:
  explicit SiteTableBuilder(SiteTable& table) : t_(table) {}
  StringId intern(std::string_view s) { return t_.strings.intern(s); }
  LocationId addLocation(std::string_view function, std::string_view file, uint32_t line, uint32_t column = 0);
  // A stack of locations, innermost first, deduplicated by content.
  SiteId addSite(std::span<const LocationId> frames);
  // Trims the table's spare capacity once it is complete.
  void shrink();

private:
  struct LocationHash {
    size_t operator()(const SourceLocation& l) const noexcept;
  };
  SiteTable& t_;
  std::unordered_map<SourceLocation, LocationId, LocationHash> locationIds_;
  std::unordered_map<std::string, SiteId> siteIds_;  // key: packed frame ids
};

}  // namespace heaplens
