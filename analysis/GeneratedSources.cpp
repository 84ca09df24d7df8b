// GeneratedSources: reads the source maps generated JavaScript names, and moves dump locations to the
// original sources.
//
// Threading: see GeneratedSources.h.
#include "analysis/GeneratedSources.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "analysis/Dump.h"
#include "analysis/SourceMap.h"
#include "analysis/Text.h"

namespace heaplens {

namespace fs = std::filesystem;

namespace {

// A map file or inline map larger than this is not read (a bundle's map is a few MB).
constexpr uint64_t kMaxMapBytes = uint64_t{256} << 20;

int base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string byteText(char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto b = static_cast<unsigned char>(c);
  return std::string("byte 0x") + kHex[b >> 4] + kHex[b & 15];
}

// Reads one base64 VLQ value at s[i], moving i past it. Returns false and sets `error` when the
// value is cut short, has a character outside base64, or does not fit in 32 bits.
bool readVlq(std::string_view s, size_t& i, int64_t& out, std::string& error) {
  uint64_t result = 0;
  unsigned shift = 0;
  for (;;) {
    if (i >= s.size() || s[i] == ',' || s[i] == ';') {
      error = "a value ends after a continuation digit (the VLQ is cut short)";
      return false;
    }
    const int digit = base64Digit(s[i]);
    if (digit < 0) {
      error = "not a base64 digit (" + byteText(s[i]) + ")";
      return false;
    }
    ++i;
    if (shift > 30) {
      error = "a value does not fit in 32 bits";
      return false;
    }
    result |= static_cast<uint64_t>(digit & 31) << shift;
    if (!(digit & 32)) break;
    shift += 5;
  }
  const int64_t magnitude = static_cast<int64_t>(result >> 1);
  if (magnitude > std::numeric_limits<int32_t>::max()) {
    error = "a value does not fit in 32 bits";
    return false;
  }
  out = (result & 1) ? -magnitude : magnitude;
  return true;
}

std::string trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// "webpack://", "http://": a URL scheme before "://".
size_t schemeEnd(std::string_view s) {
  const size_t at = s.find("://");
  if (at == std::string_view::npos || at == 0) return std::string_view::npos;
  for (size_t i = 0; i < at; ++i) {
    const char c = s[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) return std::string_view::npos;
  }
  return at + 3;
}

// A map's source, resolved the way a reader of the map on this machine sees it.
std::string resolveSource(const std::string& sourceRoot, const std::string& source, const std::string& directory) {
  std::string s = source;
  if (!sourceRoot.empty() && schemeEnd(s) == std::string::npos && !s.starts_with('/')) {
    s = sourceRoot;
    if (!s.ends_with('/')) s += '/';
    s += source;
  }
  if (s.starts_with("file://")) s.erase(0, 7);
  if (const size_t rest = schemeEnd(s); rest != std::string::npos) {
    // webpack:///./src/a.ts and the like name no file on disk: keep the path, relative, for the workspace.
    s.erase(0, rest);
    while (s.starts_with('/') || s.starts_with("./")) s.erase(0, s.starts_with('/') ? 1 : 2);
    return fs::path(s).lexically_normal().generic_string();
  }
  if (s.starts_with('/') || directory.empty()) return fs::path(s).lexically_normal().generic_string();
  return (fs::path(directory) / s).lexically_normal().generic_string();
}

std::optional<std::string> readWholeFile(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot open it: ") + std::strerror(errno);
    return std::nullopt;
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) {
    error = "cannot read it";
    return std::nullopt;
  }
  if (static_cast<uint64_t>(size) > kMaxMapBytes) {
    error = "it is " + formatBytes(static_cast<uint64_t>(size)) + ", over the " + formatBytes(kMaxMapBytes) +
            " a source map may have here";
    return std::nullopt;
  }
  std::string text(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(text.data(), size)) {
    error = "cannot read it";
    return std::nullopt;
  }
  return text;
}

bool isGeneratedJavaScript(std::string_view path) {
  return path.ends_with(".js") || path.ends_with(".mjs") || path.ends_with(".cjs");
}

}  // namespace

DecodedMappings decodeMappings(std::string_view s, size_t sourceCount, size_t nameCount) {
  DecodedMappings out;
  out.lines.emplace_back();
  int64_t source = 0, originalLine = 0, originalColumn = 0, name = 0;
  int64_t column = 0;
  uint32_t segmentNumber = 0;  // 0-based within the line
  size_t i = 0;
  auto fail = [&](size_t at, const std::string& what) {
    out.error = "/mappings: generated line " + std::to_string(out.lines.size()) + ", segment " +
                std::to_string(segmentNumber + 1) + " (character " + std::to_string(at) + " of mappings): " + what;
    return out;
  };
  while (i < s.size()) {
    if (s[i] == ';') {
      out.lines.emplace_back();
      column = 0;
      segmentNumber = 0;
      ++i;
      continue;
    }
    if (s[i] == ',') {  // an empty segment between two commas: nothing to decode
      ++i;
      continue;
    }
    const size_t start = i;
    int64_t values[5];
    size_t count = 0;
    while (i < s.size() && s[i] != ',' && s[i] != ';') {
      std::string error;
      int64_t v = 0;
      if (count == 5) return fail(start, "a segment has more than 5 fields; expected 1, 4 or 5");
      if (!readVlq(s, i, v, error)) return fail(i, error);
      values[count++] = v;
    }
    if (count != 1 && count != 4 && count != 5)
      return fail(start, "a segment has " + std::to_string(count) + " fields; expected 1, 4 or 5");
    MappingSegment seg;
    column += values[0];
    if (column < 0) return fail(start, "the generated column becomes negative (" + std::to_string(column) + ")");
    seg.generatedColumn = static_cast<uint32_t>(column);
    if (count >= 4) {
      source += values[1];
      originalLine += values[2];
      originalColumn += values[3];
      if (source < 0 || static_cast<uint64_t>(source) >= sourceCount)
        return fail(start, "source index " + std::to_string(source) + " is out of range (the map has " +
                               plural(sourceCount, "source") + ")");
      if (originalLine < 0) return fail(start, "the original line becomes negative (" + std::to_string(originalLine) + ")");
      if (originalColumn < 0)
        return fail(start, "the original column becomes negative (" + std::to_string(originalColumn) + ")");
      seg.source = static_cast<int32_t>(source);
      seg.originalLine = static_cast<uint32_t>(originalLine);
      seg.originalColumn = static_cast<uint32_t>(originalColumn);
    }
    if (count == 5) {
      name += values[4];
      if (name < 0 || static_cast<uint64_t>(name) >= nameCount)
        return fail(start, "name index " + std::to_string(name) + " is out of range (the map has " +
                               plural(nameCount, "name") + ")");
      seg.name = static_cast<int32_t>(name);
    }
    out.lines.back().push_back(seg);
    ++segmentNumber;
  }
  for (auto& line : out.lines) {
    auto byColumn = [](const MappingSegment& a, const MappingSegment& b) { return a.generatedColumn < b.generatedColumn; };
    if (!std::is_sorted(line.begin(), line.end(), byColumn)) std::stable_sort(line.begin(), line.end(), byColumn);
  }
  return out;
}

std::optional<std::string> decodeBase64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  uint32_t bits = 0;
  int have = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] != '='; ++i) {
    const int d = base64Digit(text[i]);
    if (d < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(d);
    have += 6;
    if (have >= 8) {
      have -= 8;
      out.push_back(static_cast<char>((bits >> have) & 0xFF));
    }
  }
  for (; i < text.size(); ++i)
    if (text[i] != '=') return std::nullopt;
  return out;
}

std::shared_ptr<const ScriptMap> ScriptMap::parse(std::string_view text, const std::string& directory, std::string& error) {
  using nlohmann::json;
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    error = "not JSON (at byte " + std::to_string(e.byte) + ")";
    return nullptr;
  }
  if (!j.is_object()) {
    error = "/: expected a JSON object (a Source Map Revision 3)";
    return nullptr;
  }
  if (j.contains("sections")) {
    error = "/sections: an indexed source map; HeapLens reads only maps with \"mappings\"";
    return nullptr;
  }
  if (auto v = j.find("version"); v != j.end() && !(v->is_number_integer() && v->get<int64_t>() == 3)) {
    error = "/version: expected 3";
    return nullptr;
  }
  auto map = std::make_shared<ScriptMap>();
  std::string sourceRoot;
  if (auto r = j.find("sourceRoot"); r != j.end() && !r->is_null()) {
    if (!r->is_string()) {
      error = "/sourceRoot: expected a string";
      return nullptr;
    }
    sourceRoot = r->get<std::string>();
  }
  auto sources = j.find("sources");
  if (sources == j.end() || !sources->is_array()) {
    error = "/sources: expected an array of strings";
    return nullptr;
  }
  for (size_t k = 0; k < sources->size(); ++k) {
    const json& s = (*sources)[k];
    if (s.is_null()) {
      map->sources_.emplace_back();
      continue;
    }
    if (!s.is_string()) {
      error = "/sources/" + std::to_string(k) + ": expected a string";
      return nullptr;
    }
    map->sources_.push_back(resolveSource(sourceRoot, s.get<std::string>(), directory));
  }
  if (auto names = j.find("names"); names != j.end()) {
    if (!names->is_array()) {
      error = "/names: expected an array of strings";
      return nullptr;
    }
    for (size_t k = 0; k < names->size(); ++k) {
      if (!(*names)[k].is_string()) {
        error = "/names/" + std::to_string(k) + ": expected a string";
        return nullptr;
      }
      map->names_.push_back((*names)[k].get<std::string>());
    }
  }
  auto mappings = j.find("mappings");
  if (mappings == j.end() || !mappings->is_string()) {
    error = "/mappings: expected a string";
    return nullptr;
  }
  map->mappings_ = decodeMappings(mappings->get_ref<const std::string&>(), map->sources_.size(), map->names_.size());
  if (map->mappings_.error) {
    error = *map->mappings_.error;
    return nullptr;
  }
  return map;
}

std::optional<OriginalPosition> ScriptMap::originalPositionFor(uint32_t line, uint32_t column, bool columnKnown) const {
  if (line >= mappings_.lines.size()) return std::nullopt;
  const std::vector<MappingSegment>& segs = mappings_.lines[line];
  const MappingSegment* seg = nullptr;
  if (columnKnown) {
    auto after = std::upper_bound(segs.begin(), segs.end(), column,
                                  [](uint32_t c, const MappingSegment& s) { return c < s.generatedColumn; });
    if (after == segs.begin()) return std::nullopt;
    seg = &*(after - 1);
  } else {
    for (const MappingSegment& s : segs)
      if (s.source >= 0) {
        seg = &s;
        break;
      }
  }
  if (!seg || seg->source < 0 || sources_[seg->source].empty()) return std::nullopt;
  OriginalPosition p;
  p.source = sources_[seg->source];
  p.line = seg->originalLine;
  p.column = seg->originalColumn;
  if (seg->name >= 0) p.name = names_[seg->name];
  return p;
}

std::optional<std::string> sourceMappingUrl(const std::string& generatedPath) {
  std::ifstream in(generatedPath, std::ios::binary);
  if (!in) return std::nullopt;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size <= 0) return std::nullopt;
  // Read backwards from the end until the last non-blank line is whole: an inline map makes it long.
  std::string tail;
  uint64_t pos = static_cast<uint64_t>(size);
  uint64_t chunk = 4096;
  size_t lineStart = 0, lineEnd = std::string::npos;
  while (pos > 0) {
    const uint64_t n = std::min<uint64_t>(chunk, pos);
    pos -= n;
    std::string piece(static_cast<size_t>(n), '\0');
    in.seekg(static_cast<std::streamoff>(pos));
    if (!in.read(piece.data(), static_cast<std::streamsize>(n))) return std::nullopt;
    tail.insert(0, piece);
    lineEnd = tail.find_last_not_of(" \t\r\n");
    if (lineEnd == std::string::npos) continue;
    const size_t nl = tail.rfind('\n', lineEnd);
    if (nl != std::string::npos) {
      lineStart = nl + 1;
      break;
    }
    if (tail.size() > kMaxMapBytes * 2) return std::nullopt;
    chunk *= 2;
  }
  if (lineEnd == std::string::npos) return std::nullopt;
  std::string_view line = std::string_view(tail).substr(lineStart, lineEnd + 1 - lineStart);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  for (std::string_view prefix : {"//# sourceMappingURL=", "//@ sourceMappingURL="})
    if (line.starts_with(prefix)) {
      std::string url = trim(line.substr(prefix.size()));
      if (url.empty() || url.find_first_of(" \t") != std::string::npos) return std::nullopt;
      return url;
    }
  return std::nullopt;
}

std::shared_ptr<const ScriptMap> GeneratedSources::read(const std::string& localPath) {
  std::optional<std::string> url = sourceMappingUrl(localPath);
  if (!url) return nullptr;
  const std::string directory = fs::path(localPath).parent_path().generic_string();
  const std::string keep = "; its locations stay on the generated lines";
  std::string text, error, what;
  // Sources resolve against the map's directory; for an inline map, the generated file's.
  std::string mapDirectory = directory;
  if (url->starts_with("data:")) {
    what = "the inline source map of " + localPath;
    const size_t comma = url->find(',');
    const std::string_view header = std::string_view(*url).substr(5, comma == std::string::npos ? 0 : comma - 5);
    if (comma == std::string::npos || !header.starts_with("application/json") || !header.ends_with(";base64")) {
      warnings_.push_back(what + " is not a data:application/json;base64, URL, which is the only inline form read" + keep);
      return nullptr;
    }
    std::optional<std::string> decoded = decodeBase64(std::string_view(*url).substr(comma + 1));
    if (!decoded) {
      warnings_.push_back(what + " is not valid base64" + keep);
      return nullptr;
    }
    text = std::move(*decoded);
  } else {
    std::string target = *url;
    if (target.starts_with("file://")) target.erase(0, 7);
    else if (schemeEnd(target) != std::string::npos) {
      warnings_.push_back(localPath + " names its source map by a URL that is not a file (" + target.substr(0, schemeEnd(target)) +
                          "...); only maps on disk are read" + keep);
      return nullptr;
    }
    // Percent-escapes in a relative URL ("my%20app.js.map").
    std::string unescaped;
    for (size_t k = 0; k < target.size(); ++k) {
      if (target[k] == '%' && k + 2 < target.size() && hexValue(target[k + 1]) >= 0 && hexValue(target[k + 2]) >= 0) {
        unescaped.push_back(static_cast<char>(hexValue(target[k + 1]) * 16 + hexValue(target[k + 2])));
        k += 2;
      } else {
        unescaped.push_back(target[k]);
      }
    }
    const std::string mapPath =
        unescaped.starts_with('/') ? unescaped : (fs::path(directory) / unescaped).lexically_normal().generic_string();
    what = "the source map " + mapPath + " (named by " + localPath + ")";
    mapDirectory = fs::path(mapPath).parent_path().generic_string();
    std::optional<std::string> whole = readWholeFile(mapPath, error);
    if (!whole) {
      warnings_.push_back(what + ": " + error + keep);
      return nullptr;
    }
    text = std::move(*whole);
  }
  std::shared_ptr<const ScriptMap> map = ScriptMap::parse(text, mapDirectory, error);
  if (!map) warnings_.push_back(what + ": " + error + keep);
  return map;
}

std::shared_ptr<const ScriptMap> GeneratedSources::mapOf(const std::string& localPath) {
  std::lock_guard lock(mutex_);
  auto it = maps_.find(localPath);
  if (it != maps_.end()) return it->second;
  std::shared_ptr<const ScriptMap> map = read(localPath);
  maps_.emplace(localPath, map);
  return map;
}

std::optional<OriginalPosition> GeneratedSources::original(const std::string& localPath, uint32_t line, uint32_t column,
                                                           bool columnKnown) {
  std::shared_ptr<const ScriptMap> map = mapOf(localPath);
  if (!map) return std::nullopt;
  return map->originalPositionFor(line, column, columnKnown);
}

std::vector<std::string> GeneratedSources::warnings() const {
  std::lock_guard lock(mutex_);
  return warnings_;
}

std::optional<std::string> existingRecordedFile(std::string_view recordedFile) {
  std::string p = SourceMap::normalise(recordedFile);
  if (!p.starts_with('/')) return std::nullopt;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return p;
}

FileLocator workspaceLocator(std::shared_ptr<const SourceMap> workspace) {
  if (!workspace) return {};
  return [workspace = std::move(workspace)](std::string_view recorded) -> std::optional<std::string> {
    std::optional<MappedPath> mapped = workspace->map(recorded);
    if (!mapped) return std::nullopt;
    return mapped->localPath;
  };
}

SourceMapStats followSourceMaps(SiteTable& sites, const FileLocator& locate, std::vector<std::string>& warnings) {
  SourceMapStats stats;
  GeneratedSources maps;
  // Per recorded file string: its generated file on disk with a map, decided once.
  std::unordered_map<StringId, std::optional<std::string>> generated;
  std::unordered_map<std::string, bool> used;
  for (SourceLocation& loc : sites.locations) {
    if (loc.line == 0 || loc.file == 0) continue;
    auto it = generated.find(loc.file);
    if (it == generated.end()) {
      const std::string recorded(sites.str(loc.file));
      std::optional<std::string> local;
      if (isGeneratedJavaScript(SourceMap::normalise(recorded)) &&
          SourceMap::classifyPath(recorded) != FrameOrigin::Runtime) {
        local = locate ? locate(recorded) : existingRecordedFile(recorded);
        if (local && !maps.mapOf(*local)) local.reset();
      }
      it = generated.emplace(loc.file, std::move(local)).first;
    }
    if (!it->second) continue;
    const bool columnKnown = loc.column != 0;
    std::optional<OriginalPosition> pos =
        maps.original(*it->second, loc.line - 1, columnKnown ? loc.column - 1 : 0, columnKnown);
    if (!pos) continue;
    loc.file = sites.strings.intern(pos->source);
    loc.line = pos->line + 1;
    loc.column = pos->column + 1;
    ++stats.mappedLocations;
    used.emplace(*it->second, true);
  }
  stats.generatedFiles = used.size();
  for (std::string& w : maps.warnings()) warnings.push_back(std::move(w));
  return stats;
}

SourceMapStats followSourceMaps(Dump& dump, const FileLocator& locate) {
  // Before finishDump() a heap part's graph holds the table the dump will share.
  SiteTable& sites = dump.heap ? *dump.heap->graph.sites : *dump.sites;
  FileLocator either = [&](std::string_view recorded) -> std::optional<std::string> {
    if (locate)
      if (std::optional<std::string> local = locate(recorded)) return local;
    return existingRecordedFile(recorded);
  };
  SourceMapStats stats = followSourceMaps(sites, either, dump.warnings);
  if (stats.mappedLocations > 0)
    dump.facts.push_back({"sourceMaps", "Source maps followed",
                          Cell::str(plural(stats.mappedLocations, "location") + " moved to their sources, from " +
                                    plural(stats.generatedFiles, "generated file"))});
  return stats;
}

}  // namespace heaplens
