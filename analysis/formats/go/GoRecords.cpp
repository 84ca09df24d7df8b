// GoRecords: pass 1 of the Go heap dump parser (see GoRecords.h).
//
// The reader is a cursor over the bytes with a one-byte fast path for
// uvarints (most values in a dump are small). Each record is decoded into
// locals and committed at its end, so a record cut by the end of the data
// leaves nothing half-added: the scan stops before it with a truncation note.
//
// Threading: runs on the loading worker.
#include "analysis/formats/go/GoRecords.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <initializer_list>

#include "analysis/MemoryAdvice.h"
#include "analysis/formats/DumpFormat.h"

namespace heaplens::go {

const std::array<std::string_view, kMemStatsNamed> kMemStatsNames = {
    "Alloc",      "TotalAlloc", "Sys",         "Lookups",     "Mallocs",   "Frees",
    "HeapAlloc",  "HeapSys",    "HeapIdle",    "HeapInuse",   "HeapReleased", "HeapObjects",
    "StackInuse", "StackSys",   "MSpanInuse",  "MSpanSys",    "MCacheInuse", "MCacheSys",
    "BuckHashSys", "GCSys",     "OtherSys",    "NextGC",      "LastGC",    "PauseTotalNs"};

std::string_view tagName(uint64_t tag) {
  static constexpr std::string_view kNames[kTagCount] = {
      "EOF",           "object",  "other root", "type",     "goroutine",        "stack frame",
      "params",        "finalizer", "itab",     "OS thread", "memstats",        "queued finalizer",
      "data segment",  "bss segment", "defer",  "panic",    "memory profile bucket", "alloc sample"};
  return tag < kTagCount ? kNames[tag] : std::string_view("unknown");
}

bool GoVersion::hasExperiment(std::string_view name) const {
  return std::find(experiments.begin(), experiments.end(), name) != experiments.end();
}

GoVersion parseGoVersion(std::string_view s) {
  GoVersion v;
  // Experiments: "go1.23.5 X:newinliner,greenteagc" (possibly several " X:" parts).
  size_t space = s.find(' ');
  std::string_view head = s.substr(0, space);
  if (space != std::string_view::npos) {
    std::string_view rest = s.substr(space + 1);
    while (!rest.empty()) {
      size_t sp = rest.find(' ');
      std::string_view part = rest.substr(0, sp);
      if (part.starts_with("X:")) {
        part.remove_prefix(2);
        while (!part.empty()) {
          size_t comma = part.find(',');
          if (comma != 0) v.experiments.emplace_back(part.substr(0, comma));
          if (comma == std::string_view::npos) break;
          part.remove_prefix(comma + 1);
        }
      }
      if (sp == std::string_view::npos) break;
      rest.remove_prefix(sp + 1);
    }
  }
  if (!head.starts_with("go")) return v;
  head.remove_prefix(2);
  uint32_t parts[3] = {0, 0, 0};
  int n = 0;
  while (n < 3) {
    size_t digits = 0;
    uint64_t value = 0;
    while (digits < head.size() && head[digits] >= '0' && head[digits] <= '9' && digits < 9) {
      value = value * 10 + static_cast<uint64_t>(head[digits] - '0');
      ++digits;
    }
    if (digits == 0) break;
    parts[n++] = static_cast<uint32_t>(value);
    head.remove_prefix(digits);
    if (head.empty() || head[0] != '.') break;  // "go1.22rc1" stops at "rc1"
    head.remove_prefix(1);
  }
  if (n >= 2) {
    v.known = true;
    v.major = parts[0];
    v.minor = parts[1];
    v.patch = parts[2];
  }
  return v;
}

namespace {

// Thrown when a read runs past the end of the data; caught at the record loop.
struct Truncated {
  uint64_t offset;   // where the read started
  std::string what;  // what was being read
};

class Reader {
public:
  explicit Reader(std::span<const uint8_t> bytes) : p_(bytes.data()), size_(bytes.size()) {}

  uint64_t pos() const { return pos_; }
  uint64_t left() const { return size_ - pos_; }
  bool atEnd() const { return pos_ >= size_; }
  const uint8_t* at(uint64_t off) const { return p_ + off; }

  uint64_t uvarint(const char* what) {
    if (pos_ < size_ && p_[pos_] < 0x80) return p_[pos_++];
    // Addresses take 5 or 6 bytes: away from the end, decode without a bounds check per byte.
    if (size_ - pos_ >= 10) {
      const uint8_t* q = p_ + pos_;
      uint64_t v = q[0] & 0x7f;
      for (int i = 1; i < 9; ++i) {
        v |= static_cast<uint64_t>(q[i] & 0x7f) << (7 * i);
        if (q[i] < 0x80) {
          pos_ += static_cast<uint64_t>(i) + 1;
          return v;
        }
      }
    }
    return uvarintSlow(what);  // 10 bytes (checked for overflow), or near the end
  }
  bool boolean(const char* what) {
    uint64_t at = pos_;
    uint64_t v = uvarint(what);
    if (v > 1)
      throw LoadError("go heap dump: " + std::string(what) + " at byte " + std::to_string(at) +
                          " is " + std::to_string(v) + "; expected a bool (0 or 1)",
                      at);
    return v != 0;
  }
  // Reads values nothing keeps, one per name, so offsets and truncation messages stay exact.
  void skipUvarints(std::initializer_list<const char*> what) {
    for (const char* w : what) uvarint(w);
  }
  // A length-prefixed range; returns the offset of its first byte and sets len. Nothing is copied.
  uint64_t range(const char* what, uint64_t& len) {
    uint64_t at = pos_;
    len = uvarint(what);
    if (len > left())
      throw Truncated{at, std::string(what) + " declares " + std::to_string(len) + " bytes but only " +
                              std::to_string(left()) + " remain"};
    uint64_t start = pos_;
    pos_ += len;
    return start;
  }
  std::string string(const char* what) {
    uint64_t len = 0;
    uint64_t start = range(what, len);
    return std::string(reinterpret_cast<const char*>(p_ + start), len);
  }
  void skip(uint64_t n) { pos_ += n; }

private:
  uint64_t uvarintSlow(const char* what) {
    uint64_t at = pos_;
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos_ >= size_) throw Truncated{at, std::string(what) + " (a varint)"};
      uint8_t b = p_[pos_++];
      if (shift == 63 && b > 1)
        throw LoadError("go heap dump: " + std::string(what) + " at byte " + std::to_string(at) +
                            " is a varint that overflows 64 bits",
                        at);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    throw LoadError("go heap dump: " + std::string(what) + " at byte " + std::to_string(at) +
                        " is a varint longer than 10 bytes",
                    at);
  }

  const uint8_t* p_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

class Scanner {
public:
  Scanner(std::span<const uint8_t> bytes, const TaskContext& ctx, const ReleaseFn& release, bool offsets)
      : bytes_(bytes), r_(bytes), ctx_(ctx), release_(release), offsets_(offsets) {}

  GoScan run() {
    s_.fileSize = bytes_.size();
    if (bytes_.size() < kGoDumpHeader.size() ||
        std::memcmp(bytes_.data(), kGoDumpHeader.data(), kGoDumpHeader.size()) != 0) {
      if (bytes_.size() < kGoDumpHeader.size() &&
          (bytes_.empty() || std::memcmp(bytes_.data(), kGoDumpHeader.data(), bytes_.size()) == 0)) {
        s_.truncation = "truncated at byte " + std::to_string(bytes_.size()) +
                        ": the file ends inside the 16-byte header \"go1.7 heap dump\\n\"";
        return std::move(s_);
      }
      throw LoadError("go heap dump: the file does not start with \"go1.7 heap dump\\n\"", 0);
    }
    r_.skip(kGoDumpHeader.size());
    uint64_t prevTag = UINT64_MAX;
    uint32_t tick = 0;
    while (!r_.atEnd()) {
      if (++tick == 4096) {
        tick = 0;
        progress();
      }
      uint64_t start = r_.pos();
      uint64_t tag;
      try {
        tag = r_.uvarint("record tag");
      } catch (const Truncated&) {
        s_.truncation = "truncated at byte " + std::to_string(bytes_.size()) + ": the file ends inside the record tag at byte " +
                        std::to_string(start) + "; the " + std::to_string(recordsRead()) + " records before it were kept";
        return std::move(s_);
      }
      if (tag >= kTagCount) {
        std::string after = prevTag == UINT64_MAX ? "right after the header"
                                                  : "after " + article(tagName(prevTag)) + " record";
        throw LoadError("go heap dump: record tag " + std::to_string(tag) + " is not a known tag at byte " +
                            std::to_string(start) + " (" + after + "); expected 0 to 17",
                        start);
      }
      if (!s_.params.seen && needsParams(tag))
        throw LoadError("go heap dump: " + article(tagName(tag)) + " record at byte " + std::to_string(start) +
                            " comes before the params record, so pointer size and byte order are unknown",
                        start);
      size_t objectPtrs = s_.objectPtrs.size(), rootPtrs = s_.rootPtrs.size();
      try {
        record(tag, start);
      } catch (const Truncated& t) {
        // Drop the partial record; everything before it stays.
        s_.objectPtrs.resize(objectPtrs);
        s_.rootPtrs.resize(rootPtrs);
        s_.truncation = "truncated at byte " + std::to_string(bytes_.size()) + ": the " + std::string(tagName(tag)) +
                        " record at byte " + std::to_string(start) + " is cut short (" + t.what + " at byte " +
                        std::to_string(t.offset) + "); the " + std::to_string(recordsRead()) +
                        " records before it were kept";
        return std::move(s_);
      }
      ++s_.recordCounts[tag];
      prevTag = tag;
      if (tag == kTagEof) {
        s_.reachedEof = true;
        s_.eofOffset = start;
        s_.trailingBytes = r_.left();
        return std::move(s_);
      }
    }
    s_.truncation = "truncated at byte " + std::to_string(bytes_.size()) +
                    ": the file ends without the EOF record (tag 0) after " + std::to_string(recordsRead()) +
                    " records; everything read was kept";
    return std::move(s_);
  }

private:
  static std::string article(std::string_view noun) {
    bool vowel = !noun.empty() && std::string_view("aeiouAEIO").find(noun[0]) != std::string_view::npos;
    return (vowel ? "an " : "a ") + std::string(noun);
  }
  static bool needsParams(uint64_t tag) {
    return tag == kTagObject || tag == kTagStackFrame || tag == kTagData || tag == kTagBss;
  }
  uint64_t recordsRead() const {
    uint64_t n = 0;
    for (uint64_t c : s_.recordCounts) n += c;
    return n;
  }

  // Grows a full array of the scan to what the records read so far predict for the whole file: their
  // count per byte since the first of them (`firstAt`: records of one kind come together, e.g. alloc
  // samples at the end), over the bytes left, plus 5%, at most one per `bytesPerItem` bytes of the
  // file (real dumps: ~70 bytes per object record, ~1.7 pointers per object), and never less than
  // doubling. The prediction rests on records actually read: a file that is mostly zeros or holes
  // after a Go header (a sparse 50 GB file) reserves nothing for the bytes it never shows to hold
  // records. Reserved but untouched capacity costs address space, not memory; the prediction avoids
  // the copy-and-double growth of the biggest arrays.
  template <typename T>
  void growAhead(std::vector<T>& v, uint64_t bytesPerItem, uint64_t firstAt) {
    constexpr size_t kEvidence = 64 * 1024;  // items read before the count per byte is trusted
    size_t want = std::max<size_t>(2 * v.size(), 1024);
    const uint64_t pos = r_.pos();
    if (v.size() >= kEvidence && pos > firstAt) {
      const long double perByte = static_cast<long double>(v.size()) / static_cast<long double>(pos - firstAt);
      long double predicted =
          static_cast<long double>(v.size()) + perByte * static_cast<long double>(bytes_.size() - pos) * 1.05L;
      long double most = static_cast<long double>(bytes_.size() / bytesPerItem);
      predicted = std::min(predicted, most);
      if (predicted > static_cast<long double>(want)) want = static_cast<size_t>(predicted);
    }
    // Huge pages, advised before the first byte is copied in: these arrays are written once, front
    // to back, and one fault per 2 MiB instead of one per 4 KiB is most of what filling them costs
    // on a virtual machine.
    std::vector<T> grown;
    reserveHuge(grown, want);
    grown.insert(grown.end(), v.begin(), v.end());
    v.swap(grown);
  }

  void progress() {
    ctx_.checkCancelled();
    uint64_t pos = r_.pos();
    ctx_.report("Reading records", bytes_.empty() ? 1.0 : static_cast<double>(pos) / bytes_.size());
    if (release_ && pos - released_ >= kReleaseStep) {
      released_ = pos;
      release_(pos);
    }
  }

  uint64_t word(uint64_t off) const {
    const uint8_t* p = r_.at(off);
    if (s_.params.ptrSize == 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      if (s_.params.bigEndian) v = __builtin_bswap64(v);
      return v;
    }
    uint32_t v;
    std::memcpy(&v, p, 4);
    if (s_.params.bigEndian) v = __builtin_bswap32(v);
    return v;
  }

  // Reads a field list describing the range [base, base+len) and appends the pointer words.
  template <typename Sink>
  void fields(uint64_t base, uint64_t len, const char* owner, uint64_t recordStart, Sink&& sink) {
    const uint64_t ptrSize = s_.params.ptrSize;
    for (;;) {
      uint64_t at = r_.pos();
      uint64_t kind = r_.uvarint("field kind");
      if (kind == 0) return;
      if (kind != 1)
        throw LoadError("go heap dump: field kind " + std::to_string(kind) + " at byte " + std::to_string(at) +
                            " in the " + owner + " record at byte " + std::to_string(recordStart) +
                            "; expected 1 (pointer) or 0 (end of list)",
                        at);
      uint64_t offAt = r_.pos();
      uint64_t off = r_.uvarint("field offset");
      if (off > len || len - off < ptrSize)
        throw LoadError("go heap dump: field offset " + std::to_string(off) + " at byte " + std::to_string(offAt) +
                            " lies outside the " + std::to_string(len) + "-byte " + owner + " at byte " +
                            std::to_string(recordStart),
                        offAt);
      sink(off, word(base + off));
    }
  }

  void record(uint64_t tag, uint64_t start) {
    switch (tag) {
      case kTagEof:
        return;
      case kTagObject: {
        if (s_.objects.empty()) firstObjectAt_ = start;
        GoObjectRec o;
        o.addr = r_.uvarint("object address");
        uint64_t len = 0;
        uint64_t base = r_.range("object contents", len);
        o.size = len;
        const size_t ptrBegin = s_.objectPtrs.size();
        uint64_t prevWord = 0;
        fields(base, len, "object", start, [&](uint64_t off, uint64_t v) {
          if (s_.objectPtrs.size() == s_.objectPtrs.capacity()) growAhead(s_.objectPtrs, 36, firstObjectAt_);
          s_.objectPtrs.push_back(v);
          if (offsets_) {  // see GoScan::objectPtrWords
            const uint64_t w = off / s_.params.ptrSize;
            if (w - prevWord >= 0x10000) s_.objectPtrFarWords.emplace_back(s_.objectPtrs.size() - 1, w);
            s_.objectPtrWords.push_back(static_cast<uint16_t>(w));
            prevWord = w;
          }
        });
        if (s_.objectPtrs.size() >= UINT32_MAX)
          throw LoadError("go heap dump: more than 2^32 pointers by the object at byte " + std::to_string(start) +
                              "; this tool's edge limit is 2^32",
                          start);
        o.ptrBegin = static_cast<uint32_t>(ptrBegin);
        o.ptrCount = static_cast<uint32_t>(s_.objectPtrs.size() - ptrBegin);
        if (headers_ && len > 512 && o.ptrCount > 0) s_.headerWords.emplace_back(o.addr, word(base));
        if (s_.objects.size() == s_.objects.capacity()) growAhead(s_.objects, 64, firstObjectAt_);
        s_.objects.push_back(o);
        return;
      }
      case kTagOtherRoot: {
        GoOtherRoot o;
        o.description = r_.string("other-root description");
        o.ptr = r_.uvarint("other-root pointer");
        s_.otherRoots.push_back(std::move(o));
        return;
      }
      case kTagType: {
        uint64_t addr = r_.uvarint("type address");
        r_.skipUvarints({"type size"});
        GoType t;
        t.name = r_.string("type name");
        r_.boolean("type indirect flag");
        s_.types.emplace(addr, std::move(t));
        return;
      }
      case kTagGoroutine: {
        GoGoroutine g;
        r_.skipUvarints({"goroutine address", "goroutine sp"});
        g.goid = r_.uvarint("goroutine id");
        g.gopc = r_.uvarint("goroutine gopc");
        g.status = r_.uvarint("goroutine status");
        r_.boolean("goroutine is_system");
        r_.boolean("goroutine is_background");
        r_.skipUvarints({"goroutine waitsince"});
        g.waitReason = r_.string("goroutine wait reason");
        r_.skipUvarints({"goroutine ctxt", "goroutine m", "goroutine defer", "goroutine panic"});
        s_.goroutines.push_back(std::move(g));
        return;
      }
      case kTagStackFrame: {
        GoFrame f;
        r_.skipUvarints({"frame sp"});
        f.depth = r_.uvarint("frame depth");
        r_.skipUvarints({"frame child sp"});
        uint64_t len = 0;
        uint64_t base = r_.range("frame contents", len);
        f.size = len;
        r_.skipUvarints({"frame entry pc"});
        f.pc = r_.uvarint("frame pc");
        r_.skipUvarints({"frame continuation pc"});
        f.function = r_.string("frame function name");
        f.ptrBegin = s_.rootPtrs.size();
        fields(base, len, "stack frame", start,
               [&](uint64_t off, uint64_t v) { s_.rootPtrs.push_back({off, v}); });
        f.ptrCount = s_.rootPtrs.size() - f.ptrBegin;
        if (s_.goroutines.empty()) {
          ++s_.orphanFrames;
        } else {
          f.goroutine = static_cast<uint32_t>(s_.goroutines.size() - 1);
        }
        s_.frames.push_back(std::move(f));
        return;
      }
      case kTagParams: {
        GoParams p;
        p.seen = true;
        p.bigEndian = r_.boolean("params big_endian");
        uint64_t at = r_.pos();
        p.ptrSize = r_.uvarint("params pointer size");
        if (p.ptrSize != 4 && p.ptrSize != 8)
          throw LoadError("go heap dump: pointer size " + std::to_string(p.ptrSize) + " at byte " +
                              std::to_string(at) + " in the params record; expected 4 or 8",
                          at);
        r_.skipUvarints({"params heap start", "params heap end"});
        p.arch = r_.string("params arch");
        p.version = r_.string("params version");
        p.ncpu = r_.uvarint("params ncpu");
        p.parsed = parseGoVersion(p.version);
        if (s_.params.seen && (p.ptrSize != s_.params.ptrSize || p.bigEndian != s_.params.bigEndian))
          throw LoadError("go heap dump: a second params record at byte " + std::to_string(start) +
                              " changes the pointer size or byte order",
                          start);
        s_.params = std::move(p);
        headers_ = s_.params.parsed.atLeast(1, 22);
        return;
      }
      case kTagFinalizer:
      case kTagQueuedFinalizer: {
        GoFinalizer f;
        f.obj = r_.uvarint("finalizer object");
        f.fn = r_.uvarint("finalizer funcval");
        r_.skipUvarints({"finalizer fn pc", "finalizer arg type", "finalizer object type"});
        f.queued = tag == kTagQueuedFinalizer;
        s_.finalizers.push_back(f);
        return;
      }
      case kTagItab: {
        uint64_t itab = r_.uvarint("itab address");
        s_.itabs.emplace_back(itab, r_.uvarint("itab type"));
        return;
      }
      case kTagOSThread:
        r_.skipUvarints({"OS thread m", "OS thread id", "OS thread procid"});
        return;
      case kTagMemStats: {
        std::array<uint64_t, kMemStatsCount> v;
        for (size_t i = 0; i < kMemStatsCount; ++i) v[i] = r_.uvarint("memstats value");
        s_.memStats = v;
        return;
      }
      case kTagData:
      case kTagBss: {
        GoSegment seg;
        seg.bss = tag == kTagBss;
        seg.addr = r_.uvarint("segment address");
        uint64_t len = 0;
        uint64_t base = r_.range("segment contents", len);
        seg.size = len;
        seg.ptrBegin = s_.rootPtrs.size();
        fields(base, len, seg.bss ? "bss segment" : "data segment", start,
               [&](uint64_t off, uint64_t v) { s_.rootPtrs.push_back({off, v}); });
        seg.ptrCount = s_.rootPtrs.size() - seg.ptrBegin;
        s_.segments.push_back(seg);
        return;
      }
      case kTagDefer: {
        GoDefer d;
        d.d = r_.uvarint("defer address");
        r_.skipUvarints({"defer goroutine", "defer sp", "defer pc"});
        d.fn = r_.uvarint("defer funcval");
        r_.skipUvarints({"defer fn pc", "defer link"});
        s_.defers.push_back(d);
        return;
      }
      case kTagPanic: {
        GoPanic p;
        p.p = r_.uvarint("panic address");
        r_.skipUvarints({"panic goroutine", "panic arg type"});
        p.argData = r_.uvarint("panic arg data");
        r_.skipUvarints({"panic defer", "panic link"});
        s_.panics.push_back(p);
        return;
      }
      case kTagMemProf: {
        GoBucket b;
        b.id = r_.uvarint("bucket id");
        r_.skipUvarints({"bucket size"});
        uint64_t at = r_.pos();
        uint64_t nstk = r_.uvarint("bucket stack depth");
        // Each frame takes at least 3 bytes (two lengths and a line).
        if (nstk > r_.left() / 3)
          throw Truncated{at, "a stack of " + std::to_string(nstk) + " frames (at least " +
                                  std::to_string(nstk * 3 > nstk ? nstk * 3 : nstk) + " bytes) with " +
                                  std::to_string(r_.left()) + " bytes left"};
        b.frames.reserve(nstk);
        for (uint64_t i = 0; i < nstk; ++i) {
          GoFrameLoc f;
          f.function = r_.string("bucket frame function");
          f.file = r_.string("bucket frame file");
          f.line = r_.uvarint("bucket frame line");
          b.frames.push_back(std::move(f));
        }
        r_.skipUvarints({"bucket allocs", "bucket frees"});
        auto [it, fresh] = s_.bucketIndex.emplace(b.id, static_cast<uint32_t>(s_.buckets.size()));
        if (fresh) {
          s_.buckets.push_back(std::move(b));
        } else {
          s_.buckets[it->second] = std::move(b);  // a repeated id: the later record wins
        }
        return;
      }
      case kTagAllocSample: {
        uint64_t addr = r_.uvarint("alloc sample address");
        uint64_t id = r_.uvarint("alloc sample bucket");
        auto it = s_.bucketIndex.find(id);
        // At least 3 bytes per record (tag, address, bucket id).
        if (s_.sampleAddrs.size() == s_.sampleAddrs.capacity()) {
          if (s_.sampleAddrs.empty()) firstSampleAt_ = start;
          growAhead(s_.sampleAddrs, 3, firstSampleAt_);
          s_.sampleBuckets.reserve(s_.sampleAddrs.capacity());
        }
        s_.sampleAddrs.push_back(addr);
        s_.sampleBuckets.push_back(it == s_.bucketIndex.end() ? UINT32_MAX : it->second);
        return;
      }
      default:
        return;
    }
  }

  std::span<const uint8_t> bytes_;
  Reader r_;
  const TaskContext& ctx_;
  const ReleaseFn& release_;
  GoScan s_;
  static constexpr uint64_t kReleaseStep = 8u << 20;
  uint64_t firstObjectAt_ = 0, firstSampleAt_ = 0;  // where the first record of each big array was
  bool headers_ = false;  // Go ≥ 1.22: objects may start with a malloc header
  bool offsets_ = false;  // keep object field offsets
  uint64_t released_ = 0;
};

}  // namespace

GoScan scanGoDump(std::span<const uint8_t> bytes, const TaskContext& ctx, const ReleaseFn& release,
                  bool fieldOffsets) {
  ctx.report("Reading records", 0.0);
  Scanner scanner(bytes, ctx, release, fieldOffsets);
  GoScan s = scanner.run();
  ctx.report("Reading records", 1.0);
  return s;
}

}  // namespace heaplens::go
