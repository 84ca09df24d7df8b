// SiteTable: deduplicated locations and stacks, and the table's memory figure.
//
// Threading: see SiteTable.h.
#include "analysis/SiteTable.h"

namespace heaplens {

uint64_t SiteTable::memoryBytes() const {
  auto bytes = [](const auto& v) -> uint64_t { return v.capacity() * sizeof(v[0]); };
  return bytes(locations) + bytes(siteFirstFrame) + bytes(siteFrames) + strings.memoryBytes();
}

size_t SiteTableBuilder::LocationHash::operator()(const SourceLocation& l) const noexcept {
  uint64_t h = (static_cast<uint64_t>(l.function) << 32) ^ l.file;
  h ^= (static_cast<uint64_t>(l.line) << 20) ^ (static_cast<uint64_t>(l.column) * 0x9E3779B97F4A7C15ull);
  h *= 0xff51afd7ed558ccdull;
  return static_cast<size_t>(h ^ (h >> 33));
}

LocationId SiteTableBuilder::addLocation(std::string_view function, std::string_view file, uint32_t line,
                                         uint32_t column) {
  SourceLocation loc{intern(function), intern(file), line, column};
  auto [it, inserted] = locationIds_.try_emplace(loc, static_cast<LocationId>(t_.locations.size()));
  if (inserted) t_.locations.push_back(loc);
  return it->second;
}

SiteId SiteTableBuilder::addSite(std::span<const LocationId> frames) {
  std::string key(reinterpret_cast<const char*>(frames.data()), frames.size_bytes());
  auto [it, inserted] = siteIds_.try_emplace(std::move(key), t_.siteCount());
  if (inserted) {
    t_.siteFrames.insert(t_.siteFrames.end(), frames.begin(), frames.end());
    t_.siteFirstFrame.push_back(static_cast<uint32_t>(t_.siteFrames.size()));
  }
  return it->second;
}

void SiteTableBuilder::shrink() {
  t_.locations.shrink_to_fit();
  t_.siteFrames.shrink_to_fit();
  t_.siteFirstFrame.shrink_to_fit();
}

}  // namespace heaplens
