// GoRecords: pass 1 of the Go heap dump parser: reads every record of a dump held in memory.
//
// A Go heap dump (runtime/debug.WriteHeapDump, header "go1.7 heap dump\n") is
// a flat sequence of tagged records made of unsigned varints, length-prefixed
// strings and memory ranges (layout: /work/shared/reference/go.md §1). Nothing
// says how long a record is, so every record is decoded. This pass keeps what
// the graph needs in compact arrays: objects as (address, size, pointer
// values read from their contents at the field-list offsets), roots with
// their pointer words, goroutines, frames, memory-profile buckets and alloc
// samples. Object contents are never copied; record fields the graph does
// not use are read and dropped. Pass 2 (GoGraph.cpp) sorts and links them.
//
// Bad input: a read past the end of the data stops the scan with a
// truncation note (records read so far are kept); structural nonsense
// (unknown tag, bad field kind, a field outside its object, a malformed
// varint, a missing params record) throws LoadError with the byte offset.
// No size read from the file is allocated before it is checked against the
// bytes left.
//
// Threading: runs on the loading worker; no shared state.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/TaskContext.h"

namespace heaplens::go {

inline constexpr std::string_view kGoDumpHeader = "go1.7 heap dump\n";

enum GoTag : uint8_t {
  kTagEof = 0,
  kTagObject = 1,
  kTagOtherRoot = 2,
  kTagType = 3,
  kTagGoroutine = 4,
  kTagStackFrame = 5,
  kTagParams = 6,
  kTagFinalizer = 7,
  kTagItab = 8,
  kTagOSThread = 9,
  kTagMemStats = 10,
  kTagQueuedFinalizer = 11,
  kTagData = 12,
  kTagBss = 13,
  kTagDefer = 14,
  kTagPanic = 15,
  kTagMemProf = 16,
  kTagAllocSample = 17,
  kTagCount = 18,
};

// "object", "stack frame", ... for messages and the record table.
std::string_view tagName(uint64_t tag);

inline constexpr size_t kMemStatsCount = 281;  // 24 named + PauseNs[256] + NumGC
inline constexpr size_t kMemStatsNamed = 24;
// Names of the first 24 MemStats values, in dump order.
extern const std::array<std::string_view, kMemStatsNamed> kMemStatsNames;
inline constexpr size_t kMemStatsHeapAlloc = 6;
inline constexpr size_t kMemStatsHeapObjects = 11;
inline constexpr size_t kMemStatsNumGC = 280;

// The Go release that wrote the dump, from params field 6 ("go1.22.12 X:newinliner").
struct GoVersion {
  bool known = false;  // false for ≤ 1.16 dumps (field 6 was the GOEXPERIMENT string) and odd builds
  uint32_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> experiments;  // from " X:a,b" suffixes
  bool atLeast(uint32_t maj, uint32_t min) const {
    return known && (major > maj || (major == maj && minor >= min));
  }
  bool hasExperiment(std::string_view name) const;
};
GoVersion parseGoVersion(std::string_view s);

struct GoParams {
  bool seen = false;
  bool bigEndian = false;
  uint64_t ptrSize = 8;
  std::string arch;
  std::string version;  // raw field 6
  uint64_t ncpu = 0;
  GoVersion parsed;
};

// 24 bytes: there are millions. The scan refuses more than 2^32 pointer words (the graph's edge limit),
// so 32-bit indexes into objectPtrs suffice; pass 2 keeps each object's memory-profile bucket apart.
struct GoObjectRec {
  uint64_t addr = 0;
  uint64_t size = 0;      // slot size (contents length)
  uint32_t ptrBegin = 0;  // index into GoScan::objectPtrs
  uint32_t ptrCount = 0;
};

// One pointer word of a root memory range: its offset inside the range and its value.
struct GoRootPtr {
  uint64_t offset = 0;
  uint64_t value = 0;
};

struct GoSegment {  // tag 12 (data) or 13 (bss)
  bool bss = false;
  uint64_t addr = 0, size = 0;  // the segment's address and length (checked against the executable)
  uint64_t ptrBegin = 0, ptrCount = 0;  // into GoScan::rootPtrs
};

struct GoGoroutine {
  uint64_t goid = 0, status = 0;
  uint64_t gopc = 0;  // return PC of the go statement that created it (executable: "created by" line)
  std::string waitReason;
};

struct GoFrame {
  uint64_t depth = 0;
  uint64_t pc = 0, size = 0;  // the frame's PC and the length of [sp, fp) (executable: lines, locals)
  std::string function;
  uint64_t ptrBegin = 0, ptrCount = 0;  // into GoScan::rootPtrs
  uint32_t goroutine = UINT32_MAX;      // index into GoScan::goroutines; frames follow their goroutine
};

struct GoFinalizer {  // tag 7 or 11
  uint64_t obj = 0, fn = 0;
  bool queued = false;
};

struct GoDefer {
  uint64_t d = 0, fn = 0;
};

struct GoPanic {
  uint64_t p = 0, argData = 0;
};

struct GoOtherRoot {
  std::string description;
  uint64_t ptr = 0;
};

struct GoType {
  std::string name;
};

struct GoFrameLoc {
  std::string function;
  std::string file;
  uint64_t line = 0;
};

struct GoBucket {
  uint64_t id = 0;
  std::vector<GoFrameLoc> frames;  // innermost first
};

struct GoScan {
  uint64_t fileSize = 0;
  GoParams params;
  std::array<uint64_t, kTagCount> recordCounts{};

  std::vector<GoObjectRec> objects;  // file (span) order until pass 2 sorts them
  std::vector<uint64_t> objectPtrs;  // pointer values at each object's field offsets
  // Their offsets, only when asked for (typing; read them with GoFieldOffsets): word indexes modulo
  // 2^16, each widened by the one before it in the same object (a field list's offsets increase),
  // and the rare fields 2^16 words or more past the one before them in full: (index into objectPtrs,
  // word index). Two bytes per pointer instead of four.
  std::vector<uint16_t> objectPtrWords;
  std::vector<std::pair<uint64_t, uint64_t>> objectPtrFarWords;
  std::vector<std::pair<uint64_t, uint64_t>> itabs;  // (itab address, type address) of each itab record
  // ≥ 1.22: the first word of pointerful objects > 512 B (the malloc header's *_type), by object address.
  std::vector<std::pair<uint64_t, uint64_t>> headerWords;

  std::vector<GoRootPtr> rootPtrs;
  std::vector<GoSegment> segments;
  std::vector<GoGoroutine> goroutines;
  std::vector<GoFrame> frames;
  uint64_t orphanFrames = 0;  // frames before any goroutine record
  std::vector<GoFinalizer> finalizers;
  std::vector<GoDefer> defers;
  std::vector<GoPanic> panics;
  std::vector<GoOtherRoot> otherRoots;
  std::unordered_map<uint64_t, GoType> types;  // by *_type address; the first record of an address wins
  std::optional<std::array<uint64_t, kMemStatsCount>> memStats;

  std::vector<GoBucket> buckets;
  std::unordered_map<uint64_t, uint32_t> bucketIndex;  // bucket id -> index in buckets
  std::vector<uint64_t> sampleAddrs;
  std::vector<uint32_t> sampleBuckets;  // index into buckets, UINT32_MAX if the id was never dumped

  bool reachedEof = false;
  uint64_t eofOffset = 0;
  uint64_t trailingBytes = 0;         // after the EOF record
  std::optional<std::string> truncation;  // "truncated at byte N: ..." when the data ends before EOF
};

// The byte offsets of one object's pointer fields, in order, from GoScan::objectPtrWords.
class GoFieldOffsets {
public:
  GoFieldOffsets(const GoScan& s, const GoObjectRec& o)
      : words_(s.objectPtrWords), far_(s.objectPtrFarWords), idx_(o.ptrBegin), ptrSize_(s.params.ptrSize) {
    if (!far_.empty())
      farAt_ = static_cast<size_t>(std::lower_bound(far_.begin(), far_.end(), std::pair<uint64_t, uint64_t>{idx_, 0}) -
                                   far_.begin());
  }
  // The next field's byte offset; call it once per field, in order.
  uint64_t next() {
    uint64_t full;
    if (farAt_ < far_.size() && far_[farAt_].first == idx_) {
      full = far_[farAt_++].second;
    } else {
      full = (prev_ & ~uint64_t{0xffff}) | words_[idx_];
      if (full < prev_) full += 0x10000;
    }
    prev_ = full;
    ++idx_;
    return full * ptrSize_;
  }

private:
  const std::vector<uint16_t>& words_;
  const std::vector<std::pair<uint64_t, uint64_t>>& far_;
  uint64_t idx_, ptrSize_, prev_ = 0;
  size_t farAt_ = SIZE_MAX;
};

// Called every few megabytes with a byte offset below which the data will not be read again
// (load() uses it to drop already-parsed pages of its mapping and to map the next ones ahead).
using ReleaseFn = std::function<void(uint64_t upTo)>;

// Pass 1 over a whole dump. Throws LoadError for malformed input, OperationCancelled.
// `fieldOffsets`: also keep each object pointer's offset (GoScan::objectPtrOffsets), for typing.
GoScan scanGoDump(std::span<const uint8_t> bytes, const TaskContext& ctx, const ReleaseFn& release = {},
                  bool fieldOffsets = false);

}  // namespace heaplens::go
