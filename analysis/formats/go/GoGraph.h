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

private:
  const std::vector<GoObjectRec>& objs_;
  uint64_t base_ = 0;
  unsigned shift_ = 4;
  std::vector<uint32_t> first_;  // first_[b]: first object starting in bucket b or later; size buckets+1
};

}  // namespace heaplens::go
