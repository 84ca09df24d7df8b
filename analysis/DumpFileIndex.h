// DumpFileIndex: what each line of a text dump file holds, for features on the dump file itself.
//
// Text formats (an allocator's page dump, a heap-diff NDJSON file) are opened
// in the editor like source files. Their diagnostics, outline, folding and
// hovers need to know what a given line of the dump is: a malformed line, a
// heap sample, a GC's page-map header or one size class in it, a growth
// record. This index is keyed by the 1-based line of the dump file and fed by
// every part that remembers its lines, so those features, like the source
// line features, never ask which format they look at.
//
// A heap sample's detail is made when at() first returns it (a hover), not when the index is built:
// a big page dump has a million samples, and their texts took 3.4 s and 300 MB up front.
//
// Threading: built once per dump on a worker, then read from any thread; at() fills sample details
// under the index's own lock, and an entry's detail never changes once filled.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "analysis/Dump.h"

namespace heaplens {

enum class DumpLineKind : uint8_t {
  Problem,    // a malformed line (LineProblem); the message says what was expected
  Section,    // a block of the file: a phase, a GC's before/after pair; has children
  PageMap,    // a before/after page-map header
  PageClass,  // one size class's pages
  Sample,     // one heap-size sample
  Growth,     // one growth record
};

struct DumpLineEntry {
  uint32_t line = 0;     // 1-based
  uint32_t endLine = 0;  // last line of the block (== line for a single line)
  DumpLineKind kind = DumpLineKind::Problem;
  std::string title;     // short name: "GC 3", "before GC 3", "16", "Leak +1,000"
  std::string detail;    // a one-line summary with the figures, or the problem's message (a Sample's: filled by at())
  int32_t parent = -1;   // index of the enclosing Section, -1 at top level
  size_t ref = 0;        // index into the part the entry came from (record, gc, sample, problem)
};

class GcsBySample;

struct DumpFileIndex {
  std::vector<DumpLineEntry> entries;  // sorted by line, then outer blocks before inner
  // Entries that start on a 1-based line, with their details filled.
  std::vector<const DumpLineEntry*> at(uint32_t line) const;
  bool empty() const { return entries.empty(); }

  // What at() needs to describe a sample: the dump (it outlives the index) and its GCs by sample.
  const Dump* dump = nullptr;
  std::shared_ptr<const GcsBySample> gcsBySample;
  std::unique_ptr<std::mutex> fill = std::make_unique<std::mutex>();
};

DumpFileIndex buildDumpFileIndex(const Dump& d);

}  // namespace heaplens
