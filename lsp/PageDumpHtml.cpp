// PageDumpHtml: the page-dump page (see PageDumpHtml.h); the data's shape is web/src/data.ts.
//
// The timeline's arrays (up to millions of numbers) are written straight to
// the stream with std::to_chars; the rest of the data goes through
// nlohmann::json. Inside the data block every `<` is written as \u003c, so no
// text from the dump can close the block or open a comment.
//
// Threading: pure functions over an immutable Dump.
#include "lsp/PageDumpHtml.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/PageStats.h"

namespace heaplens::lsp {

namespace web {
// web/bundle/pagedump.js and .css, embedded by lsp/EmbedWebAssets.cmake.
extern const std::string_view kPageDumpScript;
extern const std::string_view kPageDumpStyle;
}  // namespace web

using nlohmann::json;

namespace {

std::string randomNonce() {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  std::uniform_int_distribution<size_t> pick(0, sizeof kChars - 2);
  std::string s(32, 'x');
  for (char& c : s) c = kChars[pick(gen)];
  return s;
}

std::string htmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON text safe inside <script type="application/json">: `<` only occurs in strings, so \u003c is exact.
void writeScriptSafe(std::ostream& out, const std::string& jsonText) {
  size_t from = 0;
  for (size_t at = jsonText.find('<'); at != std::string::npos; at = jsonText.find('<', from)) {
    out.write(jsonText.data() + from, static_cast<std::streamsize>(at - from));
    out << "\\u003c";
    from = at + 1;
  }
  out.write(jsonText.data() + from, static_cast<std::streamsize>(jsonText.size() - from));
}

std::string dumpJson(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A number array, written without building a JSON value per element.
template <class F>
void writeNumbers(std::ostream& out, size_t n, F value) {
  char buf[64];
  out << '[';
  for (size_t i = 0; i < n; ++i) {
    if (i) out << ',';
    const double v = value(i);
    const double r = std::round(v);
    std::to_chars_result res;
    if (r == v && std::fabs(v) < 9e15) res = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(r));
    else res = std::to_chars(buf, buf + sizeof buf, v);
    out.write(buf, res.ptr - buf);
  }
  out << ']';
}

bool isPlainNumber(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return false;
  return true;
}

json pageMapJson(const PageMap& m, const PageMapStats& s) {
  json classes = json::array();
  for (const ClassStats& c : s.classes) {
    json occ = json::array();
    for (uint8_t p : c.cls->percent) occ.push_back(p);
    classes.push_back({{"name", c.cls->name},
                       {"kind", std::string(pageKindName(c.cls->kind))},
                       {"meaning", c.cls->meaning},
                       {"line", c.cls->line},
                       {"occ", std::move(occ)},
                       {"full", c.tally.full},
                       {"empty", c.tally.empty},
                       {"partial", c.tally.partial},
                       {"meanOccupancy", c.tally.meanOccupancy()},
                       {"compactedPages", c.tally.compactedPages}});
  }
  const PageTally& t = s.total;
  return {{"line", m.headerLine},
          {"time", m.time.empty() ? json(nullptr) : json(m.time)},
          {"heapBytes", m.heapBytes ? json(*m.heapBytes) : json(nullptr)},
          {"pages", t.pages},
          {"full", t.full},
          {"empty", t.empty},
          {"partial", t.partial},
          {"meanOccupancy", t.meanOccupancy()},
          {"fragmentation", t.fragmentation()},
          {"pagesNeeded", t.compactedPages},
          {"pagesSaved", t.compactionSavedPages()},
          {"bytesSaved", t.compactedBytesSaved},
          {"classes", std::move(classes)}};
}

// Everything but the timeline's arrays.
json pageData(const Dump& d, const HtmlOptions& options) {
  json r;
  r["title"] = std::filesystem::path(d.path).filename().string();
  r["description"] = d.formatDescription;
  json facts = json::array();
  for (const Fact& f : d.facts) facts.push_back(json::array({f.label, f.value.text}));
  r["facts"] = std::move(facts);
  r["warnings"] = d.warnings;
  const uint64_t pageBytes = d.pageMaps ? d.pageMaps->pageBytes : 256 * 1024;
  r["pageBytes"] = pageBytes;
  r["fieldOrder"] = d.timeline && !d.timeline->fieldOrder.empty() ? json(d.timeline->fieldOrder) : json(nullptr);
  json gcs = json::array();
  if (d.pageMaps)
    for (const GcPages& gc : d.pageMaps->gcs) {
      const GcStats g = gcStats(gc, pageBytes, d.timeline ? &*d.timeline : nullptr);
      const bool tied = gc.sample && d.timeline && *gc.sample < d.timeline->samples.size();
      gcs.push_back({{"label", "GC " + gc.index},
                     {"index", gc.index},
                     {"sample", tied ? json(*gc.sample) : json(nullptr)},
                     {"sampleLine", tied ? json(d.timeline->samples[*gc.sample].line) : json(nullptr)},
                     {"match", std::string(sampleMatchName(gc.match))},
                     {"before", gc.before ? pageMapJson(*gc.before, *g.before) : json(nullptr)},
                     {"after", gc.after ? pageMapJson(*gc.after, *g.after) : json(nullptr)},
                     {"pagesReleased", g.before && g.after ? json(g.pagesReleased) : json(nullptr)},
                     {"occupancyChangePoints", g.occupancyChangePoints ? json(*g.occupancyChangePoints) : json(nullptr)},
                     {"heapDrop", g.heapDrop ? json(*g.heapDrop) : json(nullptr)}});
    }
  r["gcs"] = std::move(gcs);
  json errors = json::array();
  for (size_t i = 0; i < d.lineProblems.size() && i < options.maxErrors; ++i)
    errors.push_back({{"line", d.lineProblems[i].line}, {"message", d.lineProblems[i].message}});
  r["errors"] = std::move(errors);
  r["errorCount"] = d.lineProblems.size();
  return r;
}

void writeTimeline(std::ostream& out, const Dump& d) {
  static const HeapTimeline kNone;
  const HeapTimeline& tl = d.timeline ? *d.timeline : kNone;
  const auto& s = tl.samples;
  out << "{\"unit\":";
  writeScriptSafe(out, dumpJson(json(tl.timeUnit)));
  out << ",\"t\":";
  writeNumbers(out, s.size(), [&](size_t i) {
    return std::isfinite(s[i].timeValue) ? s[i].timeValue : static_cast<double>(i + 1);
  });
  out << ",\"b\":";
  writeNumbers(out, s.size(), [&](size_t i) { return static_cast<double>(s[i].bytes); });
  bool consecutive = true;
  for (size_t i = 1; i < s.size() && consecutive; ++i) consecutive = s[i].line == s[0].line + i;
  out << ",\"firstLine\":" << (s.empty() ? 0 : s[0].line);
  if (!consecutive) {
    out << ",\"lines\":";
    writeNumbers(out, s.size(), [&](size_t i) { return static_cast<double>(s[i].line); });
  }
  if (!s.empty() && !isPlainNumber(s[0].time)) {
    out << ",\"labels\":[";
    for (size_t i = 0; i < s.size(); ++i) {
      if (i) out << ',';
      writeScriptSafe(out, dumpJson(json(s[i].time)));
    }
    out << ']';
  }
  out << '}';
}

}  // namespace

bool hasPageDumpView(const Dump& dump) { return dump.timeline.has_value() || dump.pageMaps.has_value(); }

void writePageDumpHtml(std::ostream& out, const Dump& d, const HtmlOptions& options) {
  const std::string nonce = options.nonce.empty() ? randomNonce() : options.nonce;
  const std::string host = options.cspSource.empty() ? "" : " " + options.cspSource;
  const std::string title = "HeapLens: " + std::filesystem::path(d.path).filename().string();
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:" << host
      << "; style-src 'nonce-" << nonce << "'" << host << "; script-src 'nonce-" << nonce << "';\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << htmlEscape(title) << "</title>\n"
      << "<style nonce=\"" << nonce << "\">" << web::kPageDumpStyle << "</style>\n"
      << "</head>\n<body>\n<main id=\"app\"></main>\n"
      << "<script type=\"application/json\" id=\"heaplens-data\">";
  std::string data = dumpJson(pageData(d, options));
  // Splice the timeline's arrays into the object: `{...}` becomes `{...,"timeline":{...}}`.
  data.pop_back();
  writeScriptSafe(out, data);
  out << (data.size() > 1 ? "," : "") << "\"timeline\":";
  writeTimeline(out, d);
  out << "}</script>\n<script nonce=\"" << nonce << "\">" << web::kPageDumpScript << "</script>\n</body>\n</html>\n";
}

std::string pageDumpHtml(const Dump& dump, const HtmlOptions& options) {
  std::ostringstream out;
  writePageDumpHtml(out, dump, options);
  return out.str();
}

}  // namespace heaplens::lsp
