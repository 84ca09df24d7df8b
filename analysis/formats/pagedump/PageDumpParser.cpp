// PageDumpParser: page-dump text to a Dump's timeline and page maps, line by line (see PageDumpFormat.h).
//
// One pass over the lines classifies each one (phase marker, heap sample,
// GC header, `Heap Dump at:` line, page line) and keeps the good parts. The
// samples' two fields are kept as text with their numeric values until the
// end, when the field order is decided from all of them; then the bytes are
// checked, and each GC is tied to a sample. Every malformed line gets a
// LineProblem with its 1-based line (and columns where a part of it is
// wrong) saying what was expected.
//
// Threading: runs on the loading worker; no shared state.
#include <sys/mman.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "analysis/Text.h"
#include "analysis/formats/pagedump/PageDumpFormat.h"

namespace heaplens::pagedump {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool iStartsWith(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[i]) != prefix[i]) return false;
  return true;
}

// `needle` is lower case.
bool iContains(std::string_view s, std::string_view needle) {
  if (needle.empty()) return true;
  for (size_t i = 0; i + needle.size() <= s.size(); ++i)
    if (iStartsWith(s.substr(i), needle)) return true;
  return false;
}

// A number that is the whole of `s` (integer, decimal or exponent form); NaN otherwise.
double parseNumber(std::string_view s) {
  if (s.empty()) return kNaN;
  const char* end = s.data() + s.size();
  uint64_t u = 0;
  auto [p, ec] = std::from_chars(s.data(), end, u);
  if (ec == std::errc() && p == end) return static_cast<double>(u);
  double d = 0;
  auto [q, ec2] = std::from_chars(s.data(), end, d);
  if (ec2 == std::errc() && q == end && std::isfinite(d)) return d;
  return kNaN;
}

// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// An ISO 8601 date-time ("2024-10-30T10:15:30.123Z", "+02:00" offsets) in microseconds since the epoch.
double parseIsoMicros(std::string_view s) {
  auto num = [&](size_t at, size_t len) -> int {
    if (at + len > s.size()) return -1;
    int v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (!isDigit(s[i])) return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return kNaN;
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), se = num(17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
    return kNaN;
  size_t i = 19;
  double frac = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    double scale = 0.1;
    size_t start = ++i;
    for (; i < s.size() && isDigit(s[i]); ++i, scale /= 10) frac += (s[i] - '0') * scale;
    if (i == start) return kNaN;
  }
  int64_t offsetMinutes = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int oh = num(i + 1, 2);
    const size_t mAt = i + 3 < s.size() && s[i + 3] == ':' ? i + 4 : i + 3;
    const int om = num(mAt, 2);
    if (oh < 0 || om < 0) return kNaN;
    offsetMinutes = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
    i = mAt + 2;
  }
  if (i != s.size()) return kNaN;
  const int64_t secs = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
                       mi * 60 + se - offsetMinutes * 60;
  return static_cast<double>(secs) * 1e6 + frac * 1e6;
}

// The numeric value of a time field: a number, or an ISO 8601 date-time in µs; NaN for an id.
double timeValueOf(std::string_view s) {
  double v = parseNumber(s);
  return std::isnan(v) ? parseIsoMicros(s) : v;
}

bool isBool(std::string_view s) {
  return (s.size() == 4 && iStartsWith(s, "true")) || (s.size() == 5 && iStartsWith(s, "false"));
}

// `s` as valid UTF-8: each byte that does not start a well-formed sequence becomes U+FFFD.
std::string utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  if (i == s.size()) return std::string(s);
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size() && !(len == 2 && c < 0xC2) && !(len == 4 && c > 0xF4);
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {
      const unsigned char d = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xE0 && d < 0xA0) && !(c == 0xED && d >= 0xA0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      const unsigned char d = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xF0 && d < 0x90) && !(c == 0xF4 && d >= 0x90);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string quoted(std::string_view s, size_t max = 40) {
  std::string out = "`";
  // Cut at a character boundary.
  size_t cut = std::min(max, s.size());
  while (cut < s.size() && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  out.append(utf8(s.substr(0, cut)));
  if (s.size() > cut) out += "…";
  return out + "`";
}

// A `----before GC 3 ----` header: `before`/`after` and the GC number as written.
struct Header {
  bool after = false;
  std::string_view index;
};

std::optional<Header> parseHeader(std::string_view t) {
  size_t i = 0;
  auto skipSpaces = [&] {
    while (i < t.size() && isSpace(t[i])) ++i;
  };
  const size_t dashes = i;
  while (i < t.size() && t[i] == '-') ++i;
  if (i == dashes) return std::nullopt;
  skipSpaces();
  const size_t word = i;
  while (i < t.size() && isAlpha(t[i])) ++i;
  std::string_view w = t.substr(word, i - word);
  Header h;
  if (w.size() == 6 && iStartsWith(w, "before")) h.after = false;
  else if (w.size() == 5 && iStartsWith(w, "after")) h.after = true;
  else return std::nullopt;
  const size_t beforeGc = i;
  skipSpaces();
  if (i == beforeGc || !iStartsWith(t.substr(i), "gc")) return std::nullopt;
  i += 2;
  skipSpaces();
  const size_t digits = i;
  while (i < t.size() && isDigit(t[i])) ++i;
  if (i == digits) return std::nullopt;
  h.index = t.substr(digits, i - digits);
  skipSpaces();
  const size_t trailing = i;
  while (i < t.size() && t[i] == '-') ++i;
  if (i == trailing || i != t.size()) return std::nullopt;
  return h;
}

// A line that means to be a GC header: it starts with a dash and names a GC, or is only dashes.
bool looksLikeHeader(std::string_view t) {
  if (t.empty() || t.front() != '-') return false;
  if (t.find_first_not_of('-') == std::string_view::npos) return true;
  return iContains(t, "gc") || iContains(t, "before") || iContains(t, "after");
}

// `<cells>: ...` or `<name>: ...`: the name and the text after the colon.
struct PageLine {
  std::string_view name;
  std::string_view tokens;
  size_t tokensAt = 0;  // offset of `tokens` in the line
};

std::optional<PageLine> parsePageLine(std::string_view t) {
  size_t i = 0;
  if (i < t.size() && isDigit(t[i])) {
    while (i < t.size() && isDigit(t[i])) ++i;
  } else if (i < t.size() && (isAlpha(t[i]) || t[i] == '_')) {
    while (i < t.size() && (isAlpha(t[i]) || isDigit(t[i]) || t[i] == '_')) ++i;
  } else {
    return std::nullopt;
  }
  PageLine p;
  p.name = t.substr(0, i);
  while (i < t.size() && isSpace(t[i])) ++i;
  if (i >= t.size() || t[i] != ':') return std::nullopt;
  p.tokensAt = i + 1;
  p.tokens = t.substr(i + 1);
  return p;
}

struct RawSample {
  std::string_view a, b;  // the two fields, trimmed
  double va = kNaN, vb = kNaN;
  uint32_t line = 0;
  uint32_t colA = 0, colB = 0;  // 1-based columns of the fields
};

// Which field of a sample line is the timestamp (or the GC flag).
struct FieldOrder {
  bool timeFirst = false;  // `<timestamp>,<bytes>`
  bool marker = false;     // the timestamp column holds `true`/`false`
  bool operator==(const FieldOrder&) const = default;
};

// What the samples say about their field order, gathered one sample at a time.
struct OrderEvidence {
  size_t n = 0, boolA = 0, boolB = 0, numA = 0, numB = 0, decA = 0, decB = 0;
  double prevA = kNaN, prevB = kNaN;

  void add(const RawSample& s) {
    boolA += isBool(s.a);
    boolB += isBool(s.b);
    numA += !std::isnan(s.va);
    numB += !std::isnan(s.vb);
    if (n > 0) {
      decA += s.va < prevA;
      decB += s.vb < prevB;
    }
    prevA = s.va;
    prevB = s.vb;
    ++n;
  }

  // A column of `true`/`false` is the GC flag; else a column that is not all numbers is the timestamp;
  // else the one that goes down less often; with no evidence either way, the allocator's order if its
  // `Heap Dump at: <us>, <bytes>` lines were seen, else the viewer's documented `<bytes>,<timestamp>`.
  FieldOrder decide(bool producerStamps) const {
    FieldOrder o;
    if (boolA + boolB > 0 && std::max(boolA, boolB) * 2 >= n) {
      o.marker = true;
      o.timeFirst = boolA > boolB;
    } else if (numA == n && numB < n) {
      o.timeFirst = false;
    } else if (numB == n && numA < n) {
      o.timeFirst = true;
    } else if (numA != numB) {
      o.timeFirst = numA < numB;
    } else if (decA != decB) {
      o.timeFirst = decA < decB;
    } else {
      o.timeFirst = producerStamps;
    }
    return o;
  }
};

// Samples looked at before the field order is decided; the rest are converted as they are read.
constexpr size_t kOrderPrefix = 4096;

enum class Phase : uint8_t { None, Heap, Pages };

// A timeline of millions of samples is tens of MiB written front to back: with transparent huge pages
// that is a few dozen page faults instead of thousands. Best effort.
void adviseHugePages(const void* data, size_t bytes) {
  constexpr uintptr_t kHuge = 2u << 20;
  if (bytes < 4 * kHuge) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

class Parser {
public:
  Parser(std::string_view text, const LoadOptions& options, const TaskContext& ctx, std::optional<FieldOrder> order)
      : text_(text), ctx_(ctx), dump_(std::make_unique<Dump>()), order_(order), forced_(order.has_value()) {
    dump_->timeline.emplace();
    dump_->pageMaps.emplace();
    if (options.pageBytes && *options.pageBytes > 0) dump_->pageMaps->pageBytes = *options.pageBytes;
  }

  std::unique_ptr<Dump> run() {
    // Every sample is one line: the line count bounds the samples, so the timeline is allocated once.
    const size_t lines = 1 + static_cast<size_t>(std::count(text_.begin(), text_.end(), '\n'));
    dump_->timeline->samples.reserve(lines);
    adviseHugePages(dump_->timeline->samples.data(), lines * sizeof(HeapSample));
    size_t pos = 0;
    uint32_t lineNo = 0;
    while (pos < text_.size()) {
      const char* nl = static_cast<const char*>(std::memchr(text_.data() + pos, '\n', text_.size() - pos));
      const size_t end = nl ? static_cast<size_t>(nl - text_.data()) : text_.size();
      ++lineNo;
      if ((lineNo & kPollMask) == 0) {
        ctx_.checkCancelled();
        ctx_.report("Reading the page dump", static_cast<double>(pos) / static_cast<double>(text_.size()));
      }
      line(text_.substr(pos, end - pos), lineNo);
      pos = end + 1;
    }
    lastLine_ = lineNo;
    finish();
    return std::move(dump_);
  }

  // The field order all the samples give, when it differs from the one decided on the first
  // kOrderPrefix samples: the file must be read again with it.
  std::optional<FieldOrder> reorder() const { return reorder_; }

private:
  // ---- problems ----
  void problem(uint32_t line, std::string message, uint32_t column = 0, uint32_t endColumn = 0) {
    if (dump_->lineProblems.size() >= kMaxLineProblems) {
      ++unlisted_;
      return;
    }
    dump_->lineProblems.push_back({line, std::move(message), column, endColumn});
  }
  uint32_t col(std::string_view part) const { return static_cast<uint32_t>(part.data() - lineStart_) + 1; }
  uint32_t endCol(std::string_view part) const { return col(part) + static_cast<uint32_t>(part.size()); }
  void problemAt(std::string_view part, std::string message) {
    problem(lineNo_, std::move(message), col(part), endCol(part));
  }

  // ---- one line ----
  void line(std::string_view raw, uint32_t lineNo) {
    lineStart_ = raw.data();
    lineNo_ = lineNo;
    std::string_view t = trim(raw);
    if (t.empty()) return;
    const char c = t.front();
    // The common case first: a heap sample.
    if (phase_ != Phase::Pages && (isDigit(c) || c == '.' || c == '+')) {
      sample(t);
      return;
    }
    // A marker line is short; a page line can be thousands of tokens long.
    if (isAlpha(c) && t.size() < 128) {
      if (iContains(t, "phase1: heap use")) return phase1Marker(t);
      if (iContains(t, "phase2: page dump")) return phase2Marker(t);
    }
    if (looksLikeHeader(t)) return header(t);
    if (phase_ != Phase::Pages) {
      if (iStartsWith(t, "heap dump at:") || parsePageLine(t)) {
        problemAt(t, std::string(iStartsWith(t, "heap dump at:") ? "a `Heap Dump at:` line" : "a page line") +
                         " among the heap samples; expected `<bytes>,<timestamp>` or `<timestamp>,<bytes>` here, "
                         "and page dumps after `phase2: page dump` and a `before GC N` header");
        return;
      }
      sample(t);
      return;
    }
    pagesLine(t);
  }

  void phase1Marker(std::string_view t) {
    if (phase1Line_) {
      problemAt(t, "a second `phase1: heap use` marker (the first is on line " + std::to_string(phase1Line_) +
                       "); expected one per file");
    } else if (phase2Line_) {
      problemAt(t, "`phase1: heap use` comes after `phase2: page dump` (line " + std::to_string(phase2Line_) +
                       "): the phases are out of order; expected the heap samples first, then the page dump");
    }
    if (!phase1Line_) {
      phase1Line_ = lineNo_;
      dump_->timeline->heading = utf8(t);
      dump_->timeline->line = lineNo_;
    }
    phase_ = Phase::Heap;
    closeBlock();
  }

  void phase2Marker(std::string_view t) {
    if (phase2Line_) {
      problemAt(t, "a second `phase2: page dump` marker (the first is on line " + std::to_string(phase2Line_) +
                       "); expected one per file");
    } else {
      phase2Line_ = lineNo_;
      dump_->pageMaps->heading = utf8(t);
      if (!dump_->pageMaps->line) dump_->pageMaps->line = lineNo_;
    }
    phase_ = Phase::Pages;
    pagesEnd_ = lineNo_;
    closeBlock();
  }

  void sample(std::string_view t) {
    const size_t comma = t.find(',');
    if (comma == std::string_view::npos && parsePageLine(t)) {
      problemAt(t, "a page line among the heap samples; expected `<bytes>,<timestamp>` or `<timestamp>,<bytes>` "
                   "here, and page lines after `phase2: page dump` and a `before GC N` header");
      return;
    }
    if (comma == std::string_view::npos || t.find(',', comma + 1) != std::string_view::npos) {
      size_t fields = 1;
      for (char ch : t) fields += ch == ',';
      problemAt(t, "a heap sample needs exactly 2 comma-separated fields, `<bytes>,<timestamp>` or "
                   "`<timestamp>,<bytes>`; found " + std::to_string(fields));
      return;
    }
    RawSample s;
    s.a = trim(t.substr(0, comma));
    s.b = trim(t.substr(comma + 1));
    s.va = parseNumber(s.a);
    s.vb = parseNumber(s.b);
    s.line = lineNo_;
    s.colA = s.a.empty() ? col(t) : col(s.a);
    s.colB = s.b.empty() ? col(t) + static_cast<uint32_t>(comma) + 1 : col(s.b);
    if (!phase1Line_ && !firstSampleWithoutMarker_) firstSampleWithoutMarker_ = lineNo_;
    evidence_.add(s);
    if (order_) {
      convert(s);
    } else {
      pending_.push_back(s);
      if (pending_.size() == kOrderPrefix) decideOrder(evidence_.decide(producerStamps_));
    }
    if (!dump_->timeline->line) dump_->timeline->line = lineNo_;
    dump_->timeline->endLine = lineNo_;
  }

  // ---- phase 2 ----
  struct OpenBlock {
    size_t gc = 0;
    bool after = false;
  };
  PageMap& openMap() {
    GcPages& gc = dump_->pageMaps->gcs[block_->gc];
    return block_->after ? *gc.after : *gc.before;
  }
  std::string blockName(const OpenBlock& b) const {
    return std::string(b.after ? "after" : "before") + " GC " + dump_->pageMaps->gcs[b.gc].index;
  }
  void closeBlock() { block_.reset(); }

  void header(std::string_view t) {
    std::optional<Header> h = parseHeader(t);
    if (!h) {
      problemAt(t, "a malformed GC header " + quoted(t) +
                       "; expected `-------before GC <N> -------` or `-------after GC <N> -------`");
      closeBlock();
      if (phase_ == Phase::Pages) pagesEnd_ = lineNo_;
      return;
    }
    if (phase_ != Phase::Pages) {
      if (!phase2Line_ && !headerWithoutMarker_) {
        headerWithoutMarker_ = lineNo_;
        problemAt(t, "a GC header without a `phase2: page dump` marker before it; expected the marker between "
                     "the heap samples and the first GC block");
      }
      phase_ = Phase::Pages;
      if (!dump_->pageMaps->line) dump_->pageMaps->line = lineNo_;
    }
    pagesEnd_ = lineNo_;
    PageMaps& maps = *dump_->pageMaps;
    PageMap map;
    map.headerLine = lineNo_;
    map.header = utf8(t);
    const std::string index(h->index);
    if (!h->after) {
      if (pendingBefore_) unpairedBefore(*pendingBefore_, "the next header, on line " + std::to_string(lineNo_) +
                                                             ", is " + quoted(trim(t)));
      GcPages& gc = maps.gcs.emplace_back();
      gc.index = index;
      gc.before = std::move(map);
      pendingBefore_ = maps.gcs.size() - 1;
      block_ = OpenBlock{maps.gcs.size() - 1, false};
      return;
    }
    if (pendingBefore_ && maps.gcs[*pendingBefore_].index == index) {
      maps.gcs[*pendingBefore_].after = std::move(map);
      block_ = OpenBlock{*pendingBefore_, true};
      pendingBefore_.reset();
      return;
    }
    if (pendingBefore_) {
      const GcPages& before = maps.gcs[*pendingBefore_];
      problemAt(t, "`after GC " + index + "` follows `before GC " + before.index + "` (line " +
                       std::to_string(before.before->headerLine) + "): the GC numbers differ; expected `after GC " +
                       before.index + "`");
      unpairedBefore(*pendingBefore_, "the next header, on line " + std::to_string(lineNo_) + ", is `after GC " +
                                          index + "`");
    } else {
      problemAt(t, "`after GC " + index + "` has no `before GC " + index +
                       "` header right before its block; expected `before GC " + index + "` first");
    }
    GcPages& gc = maps.gcs.emplace_back();
    gc.index = index;
    gc.after = std::move(map);
    block_ = OpenBlock{maps.gcs.size() - 1, true};
  }

  void unpairedBefore(size_t gcIndex, const std::string& why) {
    const GcPages& gc = dump_->pageMaps->gcs[gcIndex];
    problem(gc.before->headerLine,
            "`before GC " + gc.index + "` has no `after GC " + gc.index + "`: " + why + "; expected `after GC " +
                gc.index + "` next",
            0, 0);
    pendingBefore_.reset();
  }

  void pagesLine(std::string_view t) {
    pagesEnd_ = lineNo_;
    if (iStartsWith(t, "heap dump at:")) return heapDumpAt(t);
    std::optional<PageLine> p = parsePageLine(t);
    if (!p) {
      if (t.find(',') != std::string_view::npos && (isDigit(t.front()) || t.front() == '.')) {
        problemAt(t, "a heap sample after `phase2: page dump` (line " + std::to_string(phase2Line_) +
                         "); expected samples before the page dump, and here a page line `<size>: <tokens>`");
      } else {
        problemAt(t, "expected a page line `<size>: <tokens>` or `<name>: <tokens>` (tokens `+`, `-`, `(NN%)`), a "
                     "GC header or `Heap Dump at: <time>`; found " + quoted(t));
      }
      return;
    }
    if (!block_) {
      problemAt(t, "a page line outside a GC block; expected a `before GC N` or `after GC N` header first");
      return;
    }
    PageMap& map = openMap();
    PageClass* cls = nullptr;
    for (PageClass& c : map.classes)
      if (c.name == p->name) cls = &c;
    if (cls) {
      problemAt(p->name, "size class " + quoted(p->name) + " appears twice in `" + blockName(*block_) +
                             "` (first on line " + std::to_string(cls->line) +
                             "); expected one line per class: its pages are added to the first");
    } else {
      cls = &map.classes.emplace_back();
      describeClass(*cls, p->name);
      cls->line = lineNo_;
    }
    tokens(*cls, p->tokens);
  }

  static void describeClass(PageClass& c, std::string_view name) {
    c.name = std::string(name);
    if (isDigit(name.front())) {
      uint64_t cells = 0;
      auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), cells);
      (void)ptr;
      if (ec != std::errc() || cells > (uint64_t{1} << 40)) cells = 0;
      c.kind = PageKind::FixedBlock;
      c.blockBytes = cells * 8;
      c.meaning = "fixed blocks of " + plural(cells, "cell") + " (" + formatBytes(c.blockBytes) + ")";
    } else if (name == "nextFitPages") {
      c.kind = PageKind::NextFit;
      c.meaning = "next-fit pages (medium objects)";
    } else if (name == "singleObjectPages") {
      c.kind = PageKind::SingleObject;
      c.meaning = "single-object pages (one large object each)";
    } else if (name == "extraObjectPages") {
      c.kind = PageKind::ExtraObject;
      c.meaning = "extra-object pages (finalizer, weak-reference and interop data)";
    } else {
      c.kind = PageKind::Other;
      c.meaning = "pages of a group HeapLens does not know";
    }
  }

  void tokens(PageClass& c, std::string_view s) {
    size_t most = 0;  // every token starts with one of these
    for (char ch : s) most += (ch == '+') | (ch == '-') | (ch == '(');
    c.percent.reserve(c.percent.size() + most);
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
      switch (s[i]) {
        case '+':
          c.percent.push_back(100);
          ++c.fullTokens;
          ++i;
          continue;
        case '-':
          c.percent.push_back(0);
          ++c.emptyTokens;
          ++i;
          continue;
        case ' ':
        case '\t':
        case '\r':
        case '\f':
        case '\v':
          ++i;
          continue;
        case '(':
          i = partialToken(c, s, i);
          continue;
        default: {
          size_t k = i + 1;
          while (k < n && !isSpace(s[k]) && s[k] != '+' && s[k] != '-' && s[k] != '(') ++k;
          unknownToken(s.substr(i, k - i));
          i = k;
        }
      }
    }
  }

  // `(NN%)` at `i`, NN a whole or decimal percent; returns where the next token starts.
  size_t partialToken(PageClass& c, std::string_view s, size_t i) {
    const size_t n = s.size();
    size_t j = i + 1;
    uint32_t whole = 0;
    while (j < n && isDigit(s[j]) && j - i <= 9) whole = whole * 10 + static_cast<uint32_t>(s[j++] - '0');
    double pct = whole;
    bool ok = j > i + 1;
    if (ok && j < n && s[j] == '.') {
      const size_t start = j;
      while (++j < n && isDigit(s[j])) {
      }
      pct = parseNumber(s.substr(i + 1, j - i - 1));
      ok = j > start + 1 && !std::isnan(pct);
    }
    if (ok && j + 1 < n && s[j] == '%' && s[j + 1] == ')') {
      const std::string_view token = s.substr(i, j + 2 - i);
      if (pct > 100) {
        problemAt(token, "the percentage " + std::string(s.substr(i + 1, j - i - 1)) +
                             "% is outside 0–100; expected `(NN%)` with NN from 0 to 100");
      } else {
        c.percent.push_back(static_cast<uint8_t>(pct + 0.5));  // the allocator writes whole percents
        ++c.partialTokens;
      }
      return j + 2;
    }
    size_t k = i + 1;
    while (k < n && !isSpace(s[k]) && s[k] != ')' && s[k] != '(') ++k;
    if (k < n && s[k] == ')') ++k;
    unknownToken(s.substr(i, k - i));
    return k;
  }

  void unknownToken(std::string_view token) {
    problemAt(token, "unknown page token " + quoted(token) + " at column " + std::to_string(col(token)) +
                         "; expected `+` (a full page), `-` (an empty page) or `(NN%)` (a partial page)");
  }

  void heapDumpAt(std::string_view t) {
    std::string_view rest = trim(t.substr(std::strlen("heap dump at:")));
    if (!block_) {
      problemAt(t, "`Heap Dump at:` outside a GC block; expected it right after a `before GC N` or `after GC N` "
                   "header");
      return;
    }
    PageMap& map = openMap();
    if (map.timeLine) {
      problemAt(t, "a second `Heap Dump at:` line in `" + blockName(*block_) + "` (the first is on line " +
                       std::to_string(map.timeLine) + "); expected one per block");
      return;
    }
    std::string_view time = rest, bytes;
    const size_t comma = rest.find(',');
    if (comma != std::string_view::npos) {
      time = trim(rest.substr(0, comma));
      bytes = trim(rest.substr(comma + 1));
      if (bytes.find(',') != std::string_view::npos) {
        problemAt(rest, "`Heap Dump at:` has more than 2 fields; expected `Heap Dump at: <time>` or "
                        "`Heap Dump at: <time>, <bytes>`");
        return;
      }
    }
    if (time.empty()) {
      problemAt(t, "`Heap Dump at:` has no time; expected `Heap Dump at: <time>` or `Heap Dump at: <time>, <bytes>`");
      return;
    }
    map.time = utf8(time);
    const double tv = timeValueOf(time);
    if (!std::isnan(tv)) map.timeValue = tv;
    map.timeLine = lineNo_;
    if (comma != std::string_view::npos) {
      const double b = parseNumber(bytes);
      if (std::isnan(b) || b < 0) {
        problemAt(bytes.empty() ? rest : bytes,
                  "the heap bytes " + quoted(bytes) +
                      " after the time are not a number; expected `Heap Dump at: <time>, <bytes>`");
      } else {
        map.heapBytes = static_cast<uint64_t>(std::llround(b));
        producerStamps_ = true;
      }
    }
  }

  // ---- end of file ----
  void finish() {
    if (pendingBefore_)
      unpairedBefore(*pendingBefore_, "the file ends at line " + std::to_string(lastLine_));
    dump_->pageMaps->endLine = std::max(pagesEnd_, dump_->pageMaps->line);
    if (!dump_->timeline->endLine) dump_->timeline->endLine = dump_->timeline->line;
    finishSamples();
    if (reorder_) return;  // read again with the right order
    tieGcs();
    markers();
    if (unlisted_)
      dump_->warnings.push_back(formatCount(unlisted_) + " more malformed lines are not listed (only the first " +
                                formatCount(kMaxLineProblems) + " are)");
    std::stable_sort(dump_->lineProblems.begin(), dump_->lineProblems.end(),
                     [](const LineProblem& a, const LineProblem& b) { return a.line < b.line; });
    facts();
  }

  void markers() {
    const bool anyGood = !dump_->timeline->samples.empty() || !dump_->pageMaps->gcs.empty();
    if (!phase1Line_) {
      const std::string where = firstSampleWithoutMarker_
                                    ? "; the heap samples start on line " + std::to_string(firstSampleWithoutMarker_)
                                    : "";
      problem(1, "the file has no `phase1: heap use` marker" + where +
                     "; expected it on the first line, before the heap samples");
    }
    if (!phase2Line_ && !headerWithoutMarker_)
      problem(std::max<uint32_t>(lastLine_, 1),
              "the file has no `phase2: page dump` marker and no GC block; expected `phase2: page dump` after the "
              "heap samples, then `before GC N` / `after GC N` blocks");
    if (!anyGood)
      problem(1, "no heap sample and no GC page dump could be read; expected `phase1: heap use`, then "
                 "`<bytes>,<timestamp>` (or `<timestamp>,<bytes>`) lines, then `phase2: page dump` and GC blocks");
  }

  // Fixes the field order and converts the samples read so far.
  void decideOrder(FieldOrder order) {
    order_ = order;
    for (const RawSample& s : pending_) convert(s);
    pending_.clear();
    pending_.shrink_to_fit();
  }

  // Checks one sample's bytes (and flag) under the field order, and keeps it.
  void convert(const RawSample& s) {
    HeapTimeline& tl = *dump_->timeline;
    const bool timeFirst = order_->timeFirst, marker = order_->marker;
    const std::string_view bytesText = timeFirst ? s.b : s.a;
    const std::string_view timeText = timeFirst ? s.a : s.b;
    const double bytes = timeFirst ? s.vb : s.va;
    const uint32_t bytesCol = timeFirst ? s.colB : s.colA;
    // 2^64 and more does not fit the sample's byte count (and converting it would be undefined).
    const bool tooBig = bytes >= 18446744073709551616.0;
    if (bytesText.empty() || std::isnan(bytes) || bytes < 0 || tooBig) {
      std::string what = bytesText.empty() ? "the bytes field is empty"
                                           : "the bytes field " + quoted(bytesText) +
                                                 (std::isnan(bytes) ? " is not a number"
                                                  : tooBig          ? " is 2^64 or more, larger than any heap"
                                                                    : " is negative");
      problem(s.line,
              what + "; expected the heap size in bytes, then the " + (marker ? "GC flag" : "timestamp") + ", as in `" +
                  (timeFirst ? "<timestamp>,<bytes>" : marker ? "<bytes>,true|false" : "<bytes>,<timestamp>") +
                  "` (the field order found in this file)",
              bytesCol, bytesCol + static_cast<uint32_t>(std::max<size_t>(bytesText.size(), 1)));
      return;
    }
    if (marker && !isBool(timeText)) {
      const uint32_t c = timeFirst ? s.colA : s.colB;
      problem(s.line, "the GC flag " + quoted(timeText) + " is not `true` or `false`; expected `<bytes>,true|false`",
              c, c + static_cast<uint32_t>(std::max<size_t>(timeText.size(), 1)));
      return;
    }
    HeapSample& h = tl.samples.emplace_back();
    h.bytes = static_cast<uint64_t>(bytes + 0.5);  // bytes >= 0: rounds to the nearest
    h.line = s.line;
    if (marker) {
      h.gcMarker = timeText.size() == 4;  // "true"
      h.time = std::to_string(tl.samples.size());
      h.timeValue = static_cast<double>(tl.samples.size());
    } else {
      h.time = utf8(timeText);
      const double tv = timeFirst ? s.va : s.vb;
      h.timeValue = std::isnan(tv) ? parseIsoMicros(timeText) : tv;
      allNumericTimes_ = allNumericTimes_ && !std::isnan(h.timeValue);
    }
  }

  // Decides the field order if fewer than kOrderPrefix samples left it open, checks the early decision
  // against all the samples, and names the time unit.
  void finishSamples() {
    HeapTimeline& tl = *dump_->timeline;
    if (evidence_.n == 0) return;
    const FieldOrder all = evidence_.decide(producerStamps_);
    if (!order_) decideOrder(all);
    else if (!forced_ && all != *order_) reorder_ = all;
    tl.fieldOrder = order_->timeFirst ? "timestamp,bytes" : "bytes,timestamp";
    marker_ = order_->marker;
    if (marker_) tl.timeUnit = "sample";
    else if (order_->timeFirst && allNumericTimes_) tl.timeUnit = "µs";  // the allocator's steady_clock microseconds
    else if (allNumericTimes_ && !tl.samples.empty() && !std::isnan(parseIsoMicros(tl.samples.front().time)))
      tl.timeUnit = "µs";  // ISO 8601 date-times, read as µs since the epoch
  }

  // Ties each GC to a timeline sample (the rule is in PageDumpFormat.h).
  void tieGcs() {
    PageMaps& maps = *dump_->pageMaps;
    const std::vector<HeapSample>& samples = dump_->timeline->samples;
    if (maps.gcs.empty() || samples.empty()) return;
    if (marker_) {
      size_t next = 0;
      for (GcPages& gc : maps.gcs) {
        while (next < samples.size() && !samples[next].gcMarker) ++next;
        if (next == samples.size()) break;
        gc.sample = next++;
        gc.match = SampleMatch::Marker;
      }
      return;
    }
    // Samples ordered by numeric time (most files are already in order: then no sort is needed).
    std::vector<uint32_t> order;
    bool sorted = true;
    size_t finite = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      finite += !std::isnan(samples[i].timeValue);
      if (i > 0 && !(samples[i - 1].timeValue <= samples[i].timeValue)) sorted = false;
    }
    auto valueAt = [&](size_t k) { return samples[sorted ? k : order[k]].timeValue; };
    auto sampleAt = [&](size_t k) { return sorted ? k : static_cast<size_t>(order[k]); };
    const size_t ordered = sorted ? samples.size() : finite;
    bool orderBuilt = sorted;
    std::unordered_map<std::string_view, size_t> byText;  // for times that are not numbers
    for (GcPages& gc : maps.gcs) {
      const PageMap* stamp = gc.after && !gc.after->time.empty()     ? &*gc.after
                             : gc.before && !gc.before->time.empty() ? &*gc.before
                                                                     : nullptr;
      if (!stamp) continue;
      if (!stamp->timeValue) {
        if (byText.empty()) {
          byText.reserve(samples.size());
          for (size_t i = 0; i < samples.size(); ++i) byText.emplace(samples[i].time, i);
        }
        auto it = byText.find(stamp->time);
        if (it != byText.end()) {
          gc.sample = it->second;
          gc.match = SampleMatch::Exact;
        }
        continue;
      }
      if (!orderBuilt) {
        for (uint32_t i = 0; i < samples.size(); ++i)
          if (!std::isnan(samples[i].timeValue)) order.push_back(i);
        std::stable_sort(order.begin(), order.end(),
                         [&](uint32_t x, uint32_t y) { return samples[x].timeValue < samples[y].timeValue; });
        orderBuilt = true;
      }
      if (ordered == 0) continue;
      const double x = *stamp->timeValue;
      size_t lo = 0, hi = ordered;  // first k with valueAt(k) >= x
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (valueAt(mid) < x) lo = mid + 1;
        else hi = mid;
      }
      for (size_t k = lo; k < ordered && valueAt(k) == x; ++k)
        if (samples[sampleAt(k)].time == stamp->time) {
          gc.sample = sampleAt(k);
          gc.match = SampleMatch::Exact;
          break;
        }
      if (gc.sample) continue;
      size_t best = lo < ordered ? lo : ordered - 1;
      if (lo > 0 && (lo == ordered || x - valueAt(lo - 1) <= valueAt(lo) - x)) best = lo - 1;
      gc.sample = sampleAt(best);
      gc.match = SampleMatch::Nearest;
    }
  }

  void facts() {
    Dump& d = *dump_;
    const HeapTimeline& tl = *d.timeline;
    const PageMaps& maps = *d.pageMaps;
    std::string shape;
    if (marker_) shape = "older allocator: `<bytes>,true|false` samples, GC blocks tied to the `true` samples in order";
    else if (tl.fieldOrder == "timestamp,bytes") shape = "allocator (memdump.log): `<timestamp_us>,<bytes>` samples";
    else if (!tl.fieldOrder.empty()) shape = "MemDumpView documented: `<bytes>,<timestamp>` samples";
    else shape = "no heap samples";
    d.facts.push_back({"shape", "Shape", Cell::str(shape)});
    if (!tl.fieldOrder.empty()) d.facts.push_back({"fieldOrder", "Sample fields", Cell::str(tl.fieldOrder)});
    d.facts.push_back({"samples", "Heap samples", Cell::num(static_cast<double>(tl.samples.size()))});
    size_t pairs = 0;
    for (const GcPages& gc : maps.gcs) pairs += gc.before && gc.after;
    d.facts.push_back({"gcs", "GC blocks", Cell::str(plural(maps.gcs.size(), "GC") + " (" + formatCount(pairs) +
                                                      " with both before and after)")});
    if (!maps.gcs.empty())
      d.facts.push_back({"firstGc", "First GC number", Cell::str(maps.gcs.front().index)});
    d.facts.push_back({"pageBytes", "Page size", Cell::bytes(maps.pageBytes)});
    if (!tl.timeUnit.empty()) d.facts.push_back({"timeUnit", "Time unit", Cell::str(tl.timeUnit)});

    std::vector<std::string> untied;
    for (const GcPages& gc : maps.gcs)
      if (!gc.sample) untied.push_back("GC " + gc.index);
    if (!untied.empty() && !tl.samples.empty()) {
      std::string list;
      for (size_t i = 0; i < untied.size() && i < 10; ++i) list += (i ? ", " : "") + untied[i];
      if (untied.size() > 10) list += ", …";
      d.warnings.push_back(plural(untied.size(), "GC") + " could not be tied to a heap sample (" + list + "): " +
                           (marker_ ? "there are fewer `true` samples than GC blocks"
                                    : "no `Heap Dump at:` time, or a time that no sample has and that is not a number"));
    }
  }

  std::string_view text_;
  const TaskContext& ctx_;
  std::unique_ptr<Dump> dump_;
  std::optional<FieldOrder> order_;  // decided (or forced): samples are converted as they are read
  const bool forced_;
  std::optional<FieldOrder> reorder_;
  OrderEvidence evidence_;
  std::vector<RawSample> pending_;   // samples read before the order was decided
  bool allNumericTimes_ = true;
  Phase phase_ = Phase::None;
  const char* lineStart_ = nullptr;
  uint32_t lineNo_ = 0, lastLine_ = 0;
  uint32_t phase1Line_ = 0, phase2Line_ = 0, headerWithoutMarker_ = 0, firstSampleWithoutMarker_ = 0;
  uint32_t pagesEnd_ = 0;
  std::optional<OpenBlock> block_;
  std::optional<size_t> pendingBefore_;
  bool producerStamps_ = false;
  bool marker_ = false;
  size_t unlisted_ = 0;
};

}  // namespace

std::unique_ptr<Dump> parsePageDump(std::string_view text, const LoadOptions& options, const TaskContext& ctx) {
  Parser first(text, options, ctx, std::nullopt);
  std::unique_ptr<Dump> dump = first.run();
  // Rare: the first samples suggested one field order and the whole file another.
  if (std::optional<FieldOrder> order = first.reorder()) dump = Parser(text, options, ctx, order).run();
  return dump;
}

bool looksLikePageDump(std::string_view head) {
  if (iContains(head, "phase1: heap use") || iContains(head, "phase2: page dump")) return true;
  // No marker (a page dump cut out of a log): a GC block header as the first line.
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  std::string_view first = trim(head.substr(0, head.find('\n')));
  return parseHeader(first).has_value();
}

}  // namespace heaplens::pagedump
