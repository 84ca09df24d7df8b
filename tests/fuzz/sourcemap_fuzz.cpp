// sourcemap_fuzz: libFuzzer entry for the source-map reader (analysis/GeneratedSources): the input as a
// map's JSON, and as a bare "mappings" string, then lookups at the positions it names.
//
// Any input must end in a map or an error message, never an exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "analysis/GeneratedSources.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  if (auto map = heaplens::ScriptMap::parse(text, "/w/out", error)) {
    const auto& lines = map->mappings().lines;
    for (uint32_t line = 0; line < lines.size() && line < 64; ++line)
      for (uint32_t column : {0u, 1u, 7u, 80u, 100000u}) {
        (void)map->originalPositionFor(line, column);
        (void)map->originalPositionFor(line, column, false);
      }
  }
  heaplens::DecodedMappings m = heaplens::decodeMappings(text, 3, 2);
  (void)m;
  (void)heaplens::decodeBase64(text);
  return 0;
}
