// GoGraph: pass 2 of the Go heap dump parser: turns the scanned records into a Dump.
//
// Objects are sorted by address and indexed for interior-pointer lookup;
// on Go ≥ 1.22 the heap-bitmap pseudo-objects at the end of small scan
// spans are recognised and excluded (go.md §1.4.3); alloc samples are
// matched to the object containing their address (slot+8 on ≥ 1.22 for
// malloc-header objects); then nodes are created in address order, roots
// after them, and edges are added in increasing source order so the
// builder needs no sort. Facts, tables and warnings describe the dump
// in the format-neutral Dump shape.
//
// Threading: runs on the loading worker.
#pragma once

#include <memory>
#include <string>

#include "analysis/Dump.h"
#include "analysis/TaskContext.h"
#include "analysis/formats/go/GoRecords.h"

namespace heaplens::go {

class GoExecutable;

// The executable given with the dump, if any (LoadOptions::executable).
struct GoExeInput {
  GoExecutable* exe = nullptr;  // opened; used only when it passes sameBuildProblems() (a PIE one
                                // is first moved to its load address: applyLoadBias())
  std::string path;
  std::string openError;  // why it could not be opened (exe is then nullptr)
};

// Consumes the scan (its arrays are freed as soon as they are used). With an executable that
// wrote the dump, globals become roots named by variable, frames get their source lines and their
// words the names of locals (exe/GoExeNaming.h).
std::unique_ptr<Dump> buildGoDump(GoScan&& scan, const TaskContext& ctx, const GoExeInput& exe = {});

// An object's pointer word once resolved (GoObjectLookup::resolveAll), in place of its value, so
// the graph's edges and the typing pass (exe/GoTyping.h) share one lookup per pointer:
//   - 0: nil;
//   - top bit set: it points into object `object()` (index in the sorted objects), `offset()` bytes
//     past its start (2^31 - 1 for that far or further);
//   - anything else: it points into no object and keeps its value (an itab, a *_type in the
//     executable's data; a value with its top bit set, never a user-space address, becomes 1).
struct GoResolvedWord {
  static constexpr uint64_t kInObject = uint64_t{1} << 63;
  static constexpr uint32_t kFar = 0x7fffffff;
  static bool inObject(uint64_t w) { return (w & kInObject) != 0; }
  static uint32_t object(uint64_t w) { return static_cast<uint32_t>(w); }
  static uint32_t offset(uint64_t w) { return static_cast<uint32_t>(w >> 32) & kFar; }
  static uint64_t make(uint32_t object, uint64_t offset) {
    return kInObject | uint64_t{offset < kFar ? static_cast<uint32_t>(offset) : kFar} << 32 | object;
  }
  static uint64_t outside(uint64_t value) { return (value & kInObject) ? 1 : value; }
};

// Interior-pointer lookup over objects sorted by address: a bucket table over
// the address range (at least one 8 KiB page per bucket, at most about two
// buckets per object) narrows each lookup to a short binary search. Faster
// than one binary search over millions of objects, and it needs 4 bytes per
// bucket rather than a second copy of every range.
class GoObjectLookup {
public:
  static constexpr uint32_t kNone = UINT32_MAX;
  explicit GoObjectLookup(const std::vector<GoObjectRec>& sorted);
  // Index of the object whose [addr, addr+size) contains p, or kNone.
  uint32_t find(uint64_t p) const;
  // find() for many addresses at once: out[i] = find(in[i]) (kNil for a zero address). Software-pipelined
  // with prefetches, because on big heaps nearly every lookup misses the cache; in and out may alias.
  static constexpr uint32_t kNil = UINT32_MAX - 1;
  void findAll(const uint64_t* in, size_t count, uint64_t* out) const;
  void findAll(const uint64_t* in, size_t count, uint32_t* out) const;
  // Resolves pointer words in place (GoResolvedWord), pipelined as findAll; returns how many point into
  // an object.
  uint64_t resolveAll(uint64_t* words, size_t count) const;

private:
  const std::vector<GoObjectRec>& objs_;
  uint64_t base_ = 0;
  unsigned shift_ = 4;
  std::vector<uint32_t> first_;  // first_[b]: first object starting in bucket b or later; size buckets+1
};

}  // namespace heaplens::go
