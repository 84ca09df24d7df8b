// GeneratedSources: from a line of generated JavaScript to the line of the source it was compiled from.
//
// Code that runs is often not the code its authors wrote: tsc turns session.ts into session.js, esbuild
// packs a dozen modules into one bundle.js. A dump records where things are in the code that ran
// (file, line, column); the user wants the TypeScript line. Compilers leave a source map beside their
// output, named by the last line of the generated file (`//# sourceMappingURL=session.js.map`, or the
// map itself inline as a `data:application/json;base64,` URL). This step reads that comment, parses the
// map (Source Map Revision 3, the JSON with nlohmann/json; the base64-VLQ "mappings" here, since no
// Debian package offers a C++ source-map reader) and rewrites a dump's locations to the original
// file, line and column. It knows files and lines only: any part of any format whose locations name a
// generated file goes through it the same way, and features never learn that a map was involved.
//
// Lookup follows Mozilla's source-map `originalPositionFor` with GREATEST_LOWER_BOUND: the segment on
// the generated line with the greatest column at or before the asked column; a location whose column
// is unknown (0) takes the line's first segment. Indexed maps (with "sections") are not read.
// A map that cannot be read keeps the generated location and says why, where (the JSON path, or the
// generated line and segment of "mappings") and for which file, in the dump's warnings.
//
// Threading: a GeneratedSources is filled and read under its own mutex; the rewrite runs on the
// loading worker before the Dump is published.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/SiteTable.h"

namespace heaplens {

// One segment of a v3 map's "mappings": a generated column, and where it came from when it has a source.
struct MappingSegment {
  uint32_t generatedColumn = 0;  // 0-based
  int32_t source = -1;           // index into the map's sources; -1: the segment maps to nothing
  uint32_t originalLine = 0;     // 0-based
  uint32_t originalColumn = 0;   // 0-based
  int32_t name = -1;             // index into the map's names; -1: none
  bool operator==(const MappingSegment&) const = default;
};

// Decoded "mappings": for each generated line (0-based), its segments by increasing generated column.
struct DecodedMappings {
  std::vector<std::vector<MappingSegment>> lines;
  std::optional<std::string> error;  // what was wrong and where; `lines` then holds what came before it
};

// Decodes a "mappings" string. A source or name index must be below `sourceCount` / `nameCount`.
DecodedMappings decodeMappings(std::string_view mappings, size_t sourceCount, size_t nameCount);

// Standard base64 (RFC 4648, padding optional); nullopt on a character outside the alphabet.
std::optional<std::string> decodeBase64(std::string_view text);

struct OriginalPosition {
  std::string source;  // the source's path: absolute when the map or the generated file is on disk
  uint32_t line = 0;   // 0-based
  uint32_t column = 0; // 0-based
  std::string name;    // the original name when the segment gives one
};

// One parsed v3 source map.
class ScriptMap {
public:
  // Parses the map's JSON text. Relative sources resolve against `directory` (the map's own directory;
  // for an inline map, the generated file's), after "sourceRoot". On failure returns nullptr and sets
  // `error` to what was wrong and its JSON path.
  static std::shared_ptr<const ScriptMap> parse(std::string_view json, const std::string& directory, std::string& error);

  // The original position of a 0-based generated line and column (GREATEST_LOWER_BOUND); nullopt when
  // the line has no segment at or before the column, or that segment maps to no source.
  // `columnKnown` false: the line's first segment that has a source.
  std::optional<OriginalPosition> originalPositionFor(uint32_t line, uint32_t column, bool columnKnown = true) const;

  const std::vector<std::string>& sources() const { return sources_; }
  const DecodedMappings& mappings() const { return mappings_; }

private:
  std::vector<std::string> sources_;  // resolved
  std::vector<std::string> names_;
  DecodedMappings mappings_;
};

// The `sourceMappingURL` a generated file names in its last non-blank line (`//# ` or `//@ `), read from
// the file's end only; nullopt when there is none. Throws nothing; an unreadable file has none.
std::optional<std::string> sourceMappingUrl(const std::string& generatedPath);

// Maps of generated files, read once per file and cached.
class GeneratedSources {
public:
  // The original position of a 0-based line and column of the generated file at `localPath` (a file
  // on this machine), when the file names a map that can be read; nullopt otherwise. A map that
  // cannot be read is reported once, in warnings().
  std::optional<OriginalPosition> original(const std::string& localPath, uint32_t line, uint32_t column,
                                           bool columnKnown = true);
  // The map of a generated file, or nullptr (no comment, or a map that cannot be read).
  std::shared_ptr<const ScriptMap> mapOf(const std::string& localPath);
  std::vector<std::string> warnings() const;

private:
  std::shared_ptr<const ScriptMap> read(const std::string& localPath);
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const ScriptMap>> maps_;  // nullptr: no usable map
  std::vector<std::string> warnings_;
};

// Where a file a dump records is on this machine: a workspace file it maps to, or the recorded path
// itself when it exists; nullopt when neither.
using FileLocator = std::function<std::optional<std::string>(std::string_view recordedFile)>;
// The recorded path itself (after SourceMap::normalise) when it is an existing absolute path.
std::optional<std::string> existingRecordedFile(std::string_view recordedFile);
class SourceMap;
// The workspace file a recorded path maps to (SourceMap::map), kept alive by the locator; none for a
// null map.
FileLocator workspaceLocator(std::shared_ptr<const SourceMap> workspace);

struct SourceMapStats {
  size_t mappedLocations = 0;  // locations moved to their original source
  size_t generatedFiles = 0;   // distinct generated files whose map was used
};

// Rewrites the locations of `sites` whose file is generated JavaScript (.js, .mjs, .cjs) with a
// readable source map to the original file, line and column (1-based in SourceLocation, 0 unknown).
// Locations without a line, files not found, and positions the map does not cover keep what the dump
// recorded. Problems are appended to `warnings`.
SourceMapStats followSourceMaps(SiteTable& sites, const FileLocator& locate, std::vector<std::string>& warnings);

struct Dump;
// The same for a loaded dump (every part's locations, in its one SiteTable): the generated file is
// looked for with `locate` (may be empty), then at its recorded path. Warnings go to the dump's; when
// locations moved, a fact says how many and from how many generated files.
SourceMapStats followSourceMaps(Dump& dump, const FileLocator& locate);

}  // namespace heaplens
