// GoExeNaming: what pass 2 of the Go reader (GoGraph.cpp) asks the executable, in the dump's terms.
//
// sameBuildProblems() decides whether the executable wrote the dump: the Go version in the dump's
// params against the executable's build info, the pointer size, the data and bss segments' addresses
// and lengths against the ELF .data and .bss sections (the runtime dumps exactly those), every Type
// record's address inside the executable's read-only data, and every frame PC inside .text. Any
// mismatch means the names would be wrong, so the executable is not used.
//
// The rest turns dump records into names for the generic model:
//   - a segment's pointer words are split into runs, one per global variable (ELF symbol, typed by
//     DWARF); the run becomes a root named "example.com/app/cart.all" whose edges are labelled by
//     the field path of each word ("Items", "[3].Name", none for the variable's own pointer);
//   - a frame's PC (pc−1 above the innermost frame, which is a return address) gives its logical
//     frames, inlined calls expanded, for the frame's site; its pointer words are named by the local
//     or parameter that holds them (a word in the frame's outgoing-argument area by the callee's
//     parameter);
//   - a goroutine's gopc−1 gives its "created by" line.
//
// Threading: on the loading worker, with its GoExecutable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/formats/go/GoRecords.h"
#include "analysis/formats/go/exe/GoExecutable.h"

namespace heaplens::go {

// A position-independent executable (-buildmode=pie) ran at its file's addresses plus a load bias.
// The dump's data and bss segments are the executable's .data and .bss where the process had them,
// so their distance from the file's sections is the bias: the same for both, a whole number of
// pages. Moves the executable there (GoExecutable::setLoadBias) and returns ""; else a sentence
// saying why no load address fits (then the same-build check fails).
std::string applyLoadBias(const GoScan& scan, GoExecutable& exe);

// Empty when the executable wrote the dump; else one sentence per mismatch found.
std::vector<std::string> sameBuildProblems(const GoScan& scan, const GoExecutable& exe);

// What a loaded executable could not give (stripped symbol table or DWARF), for the warnings.
std::vector<std::string> executableGaps(const GoExecutable& exe);

struct GoGlobalRun {
  uint64_t begin = 0, count = 0;  // into GoScan::rootPtrs
  std::string name;               // "example.com/app/cart.all", or "bss +0x40" for words outside any symbol
  std::string typeName;           // "[]*example.com/app/cart.Item", "" when unknown
  uint64_t addr = 0;              // the variable's address (0 for words outside any symbol)
  uint64_t typeDie = 0;
};

class GoExeNaming {
public:
  explicit GoExeNaming(const GoExecutable& exe) : exe_(exe) {}
  const GoExecutable& exe() const { return exe_; }

  // The segment's pointer words (ascending offsets) grouped by the global variable holding them.
  std::vector<GoGlobalRun> globalRuns(const GoSegment& seg, const std::vector<GoRootPtr>& ptrs) const;
  // The field path of a word of a run ("Items", "[3]"), "" for the variable's own pointer word.
  std::string globalLabel(const GoGlobalRun& run, uint64_t segAddr, uint64_t offset) const;

  // The PC to look a frame up by: pc−1 above the innermost frame.
  static uint64_t lookupPc(const GoFrame& f) { return f.depth > 0 && f.pc > 0 ? f.pc - 1 : f.pc; }
  std::vector<ExeLine> frameLines(const GoFrame& f) const { return exe_.linesAt(lookupPc(f)); }
  // The variable holding the frame's word at `offset` from its sp; `callee` is the frame it called
  // (the record before it in the same goroutine), or nullptr. "" when DWARF names none.
  std::string frameLabel(const GoFrame& f, const GoFrame* callee, uint64_t offset) const;
  // "main.main main.go:34" for the go statement that created the goroutine; "" when unknown.
  std::string createdBy(const GoGoroutine& g) const;

private:
  const GoExecutable& exe_;
};

}  // namespace heaplens::go
