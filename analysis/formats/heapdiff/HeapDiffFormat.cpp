// HeapDiffFormat: the NDJSON reader and writer (see HeapDiffFormat.h).
//
// Each line is parsed on its own with nlohmann::json (a line is a small
// object), so one bad line cannot hide the others.
//
// Threading: see HeapDiffFormat.h.
#include "analysis/formats/heapdiff/HeapDiffFormat.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "analysis/Text.h"
#include "analysis/formats/MappedFile.h"

namespace heaplens {
namespace heapdiff {
namespace {

using nlohmann::json;

// A record that cannot be used; the message says what was expected.
struct BadRecord {
  std::string message;
};

std::string shown(const json& v) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

int64_t integer(const json& record, const char* key, bool required, bool& present) {
  present = false;
  auto it = record.find(key);
  if (it == record.end() || it->is_null()) {
    if (required) throw BadRecord{std::string("expected \"") + key + "\" (an integer)"};
    return 0;
  }
  if (it->is_number_integer()) {
    present = true;
    return it->get<int64_t>();
  }
  if (it->is_number_unsigned()) {
    present = true;
    const uint64_t u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) throw BadRecord{std::string("\"") + key + "\" is too large"};
    return static_cast<int64_t>(u);
  }
  if (it->is_number_float()) {
    const double d = it->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18) {
      present = true;
      return static_cast<int64_t>(d);
    }
  }
  throw BadRecord{std::string("\"") + key + "\": expected an integer, found " + shown(*it)};
}

std::string text(const json& record, const char* key, bool required) {
  auto it = record.find(key);
  if (it == record.end() || it->is_null()) {
    if (required) throw BadRecord{std::string("expected \"") + key + "\" (a string)"};
    return {};
  }
  if (!it->is_string()) throw BadRecord{std::string("\"") + key + "\": expected a string, found " + shown(*it)};
  return it->get<std::string>();
}

// "location": {"url"|"file": ..., "line": 1-based, "column": 1-based, "function": ...} -> a site.
SiteId locationSite(const json& record, SiteTableBuilder& table) {
  auto it = record.find("location");
  if (it == record.end() || !it->is_object()) return kNoSite;
  std::string file = text(*it, "url", false);
  if (file.empty()) file = text(*it, "file", false);
  bool has = false;
  const int64_t line = integer(*it, "line", false, has);
  if (file.empty() || !has || line <= 0 || line > UINT32_MAX) return kNoSite;
  bool hasColumn = false;
  const int64_t column = integer(*it, "column", false, hasColumn);
  const LocationId loc = table.addLocation(text(*it, "function", false), file, static_cast<uint32_t>(line),
                                           hasColumn && column > 0 && column <= UINT32_MAX ? static_cast<uint32_t>(column) : 0);
  return table.addSite(std::span<const LocationId>(&loc, 1));
}

}  // namespace

bool looksLikeHeapDiff(std::span<const uint8_t> head) {
  std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
  const std::string_view first = s.substr(0, s.find('\n'));
  // Keys come in any order (andrewimm/spaa writes them alphabetically), so look for both pairs.
  auto has = [&](std::string_view key, std::string_view value) {
    for (size_t at = first.find(key); at != std::string_view::npos; at = first.find(key, at + 1)) {
      std::string_view rest = first.substr(at + key.size());
      size_t i = 0;
      while (i < rest.size() && (rest[i] == ' ' || rest[i] == ':')) ++i;
      if (rest.substr(i).starts_with(value)) return true;
    }
    return false;
  };
  return first.starts_with("{") && has("\"format\"", "\"heap-diff\"") && has("\"type\"", "\"header\"");
}

std::unique_ptr<Dump> loadHeapDiff(std::string_view all, const TaskContext& ctx) {
  auto dump = std::make_unique<Dump>();
  GrowthRecords growth;
  SiteTableBuilder table(*dump->sites);
  std::string version;
  uint32_t headerLine = 0, firstRecordLine = 0;
  uint64_t ignored = 0;
  std::unordered_map<std::string, uint64_t> ignoredTypes;
  uint32_t lineNo = 0;
  size_t pos = 0;
  if (all.starts_with("\xEF\xBB\xBF")) pos = 3;
  while (pos < all.size()) {
    size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    std::string_view line = all.substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    if ((lineNo & 0x3FFF) == 0) ctx.checkCancelled();
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    try {
      json record;
      try {
        record = json::parse(line);
      } catch (const json::exception& e) {
        std::string what = e.what();
        const size_t colon = what.find("syntax error");
        throw BadRecord{"not valid JSON: " + (colon != std::string::npos ? what.substr(colon) : what)};
      }
      if (!record.is_object()) throw BadRecord{"expected a JSON object {\"type\": ...}, found " + shown(record)};
      const std::string type = text(record, "type", true);
      if (firstRecordLine == 0) firstRecordLine = lineNo;
      bool has = false;
      if (type == "header") {
        if (headerLine != 0) throw BadRecord{"a second header (the first is on line " + std::to_string(headerLine) + ")"};
        const std::string format = text(record, "format", false);
        if (format != "heap-diff") throw BadRecord{"expected \"format\": \"heap-diff\" in the header, found " + shown(format)};
        headerLine = lineNo;
        version = text(record, "version", false);
        growth.baseline = text(record, "baseline", false);
        growth.target = text(record, "target", false);
        if (lineNo != firstRecordLine)
          dump->lineProblems.push_back({lineNo, "the header should be the first record (line " + std::to_string(firstRecordLine) + " comes before it); read anyway"});
      } else if (type == "growth") {
        GrowthRecord g;
        g.type = text(record, "constructor", true);
        bool hb = false, ha = false, hd = false;
        g.countBefore = integer(record, "count_before", false, hb);
        g.countAfter = integer(record, "count_after", false, ha);
        g.countDelta = integer(record, "count_delta", false, hd);
        if (!hd && hb && ha) g.countDelta = g.countAfter - g.countBefore, hd = true;
        bool sb = false, sa = false, sd = false;
        g.sizeBefore = integer(record, "size_before", false, sb);
        g.sizeAfter = integer(record, "size_after", false, sa);
        g.sizeDelta = integer(record, "size_delta", false, sd);
        if (!sd && sb && sa) g.sizeDelta = g.sizeAfter - g.sizeBefore, sd = true;
        if (!hd && !sd) throw BadRecord{"a growth record needs count_delta or size_delta (or the before and after figures)"};
        g.site = locationSite(record, table);
        g.line = lineNo;
        growth.records.push_back(std::move(g));
      } else if (type == "retained") {
        RetainedObject o;
        o.type = text(record, "constructor", true);
        o.size = integer(record, "size", false, has);
        bool hr = false;
        const int64_t retained = integer(record, "retained_size", false, hr);
        if (hr) o.retainedSize = retained;
        auto path = record.find("retention_path");
        if (path != record.end() && !path->is_null()) {
          if (!path->is_array()) throw BadRecord{"\"retention_path\": expected an array of strings, found " + shown(*path)};
          for (const json& seg : *path) {
            if (seg.is_string()) o.path.push_back(seg.get<std::string>());
            else if (seg.is_number()) o.path.push_back(shown(seg));
            else throw BadRecord{"\"retention_path\": expected strings, found " + shown(seg)};
          }
        }
        bool hi = false;
        const int64_t id = integer(record, "id", false, hi);
        if (hi && id > 0) o.address = static_cast<uint64_t>(id);
        o.site = locationSite(record, table);
        o.line = lineNo;
        growth.retained.push_back(std::move(o));
      } else {
        ++ignored;
        ++ignoredTypes[type];
      }
    } catch (const BadRecord& bad) {
      dump->lineProblems.push_back({lineNo, bad.message});
    }
  }
  if (headerLine == 0 && !growth.records.empty())
    dump->lineProblems.push_back({1, "no header line ({\"type\":\"header\",\"format\":\"heap-diff\",...}); the records were read anyway"});

  // Each retained path also under its type's growth record (the first record of that name).
  std::unordered_map<std::string, size_t> recordOf;
  for (size_t i = 0; i < growth.records.size(); ++i) recordOf.try_emplace(growth.records[i].type, i);
  for (const RetainedObject& o : growth.retained) {
    auto it = recordOf.find(o.type);
    if (it == recordOf.end()) continue;
    GrowthRecord& r = growth.records[it->second];
    r.retentionPaths.push_back(o.path);
    if (r.site == kNoSite) r.site = o.site;
  }

  auto fact = [&](std::string id, std::string label, Cell value) { dump->facts.push_back({std::move(id), std::move(label), std::move(value)}); };
  if (!growth.baseline.empty()) fact("baseline", "Baseline", Cell::str(growth.baseline));
  if (!growth.target.empty()) fact("target", "Target", Cell::str(growth.target));
  if (!version.empty()) fact("version", "heap-diff version", Cell::str(version));
  fact("growthRecords", "Growth records", Cell::num(static_cast<double>(growth.records.size())));
  fact("retainedRecords", "Retained records", Cell::num(static_cast<double>(growth.retained.size())));
  if (ignored) {
    std::string types;
    for (const auto& [t, n] : ignoredTypes) types += (types.empty() ? "" : ", ") + t + " (" + std::to_string(n) + ")";
    fact("ignoredRecords", "Records of other types (ignored)", Cell::str(std::to_string(ignored) + ": " + types));
  }
  if (!dump->lineProblems.empty())
    dump->warnings.push_back(plural(dump->lineProblems.size(), "line") + " of the file could not be read as heap-diff records "
                             "(see the problems); every other line was kept");
  table.shrink();
  dump->growth = std::move(growth);
  return dump;
}

void writeHeapDiff(std::ostream& out, const GrowthRecords& growth, const SiteTable& sites) {
  using ojson = nlohmann::ordered_json;
  auto location = [&](SiteId site, ojson& j) {
    auto frames = sites.frames(site);
    if (frames.empty()) return;
    const SourceLocation& loc = sites.location(frames.front());
    if (loc.line == 0) return;
    ojson l;
    l["url"] = std::string(sites.str(loc.file));
    l["line"] = loc.line;
    if (loc.column) l["column"] = loc.column;
    if (loc.function) l["function"] = std::string(sites.str(loc.function));
    j["location"] = std::move(l);
  };
  auto line = [&](const ojson& j) { out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n'; };
  ojson h;
  h["type"] = "header";
  h["format"] = "heap-diff";
  h["version"] = "0.1";
  h["baseline"] = growth.baseline;
  h["target"] = growth.target;
  line(h);
  for (const GrowthRecord& g : growth.records) {
    ojson j;
    j["type"] = "growth";
    j["constructor"] = g.type;
    j["count_before"] = g.countBefore;
    j["count_after"] = g.countAfter;
    j["count_delta"] = g.countDelta;
    j["size_before"] = g.sizeBefore;
    j["size_after"] = g.sizeAfter;
    j["size_delta"] = g.sizeDelta;
    location(g.site, j);
    line(j);
  }
  for (const RetainedObject& o : growth.retained) {
    ojson j;
    j["type"] = "retained";
    j["constructor"] = o.type;
    j["size"] = o.size;
    j["retention_path"] = o.path;
    if (o.retainedSize) j["retained_size"] = *o.retainedSize;
    if (o.address) j["id"] = o.address;
    location(o.site, j);
    line(j);
  }
}

}  // namespace heapdiff

namespace {

class HeapDiffFormat : public DumpFormat {
public:
  std::string_view name() const override { return "heap-diff"; }
  std::string_view description() const override { return "heap-diff NDJSON (growth between two heap snapshots)"; }
  bool detect(std::span<const uint8_t> head) const override { return heapdiff::looksLikeHeapDiff(head); }
  std::vector<std::string_view> extensions() const override { return {"ndjson", "jsonl"}; }
  std::vector<std::string_view> languages() const override { return {"javascript"}; }
  std::unique_ptr<Dump> load(const std::string& path, const LoadOptions&, const TaskContext& ctx) const override {
    MappedFile file(path);
    auto bytes = file.bytes();
    return heapdiff::loadHeapDiff(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), ctx);
  }
};

}  // namespace

const DumpFormat& heapDiffFormat() {
  static const HeapDiffFormat format;
  return format;
}

}  // namespace heaplens
