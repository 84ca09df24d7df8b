// HeapDiffFormat: heap-diff NDJSON files (spaa's HEAPDIFF.md v0.1), read and written.
//
// A heap-diff file says what grew between two heap snapshots: a header, then
// `growth` records per constructor (count/size before, after and delta), then
// `retained` records (one new object each, with its size and a retention
// path from a root). HeapLens reads files from any producer into a Dump's
// growth part: keys in any order (andrewimm/spaa writes them alphabetically),
// signed deltas, one-segment or empty paths, extra keys, unknown record types
// (ignored). A line that is not a usable record becomes a LineProblem with
// its line number and every other line is kept. `heaplens diff` writes the
// same format (writeHeapDiff): `type` first, the spec's field names, plus
// optional extras (`retained_size`, `id`, `location`) that readers may ignore.
//
// Threading: load() runs on a worker thread; no shared state.
#pragma once

#include <memory>
#include <ostream>
#include <span>
#include <string_view>

#include "analysis/Dump.h"
#include "analysis/formats/DumpFormat.h"

namespace heaplens {

// The "heap-diff" format.
const DumpFormat& heapDiffFormat();

namespace heapdiff {

// True when the first line is a heap-diff header ({"type": "header", "format": "heap-diff", ...}).
bool looksLikeHeapDiff(std::span<const uint8_t> head);

// The whole load from text in memory (tests, fuzzer).
std::unique_ptr<Dump> loadHeapDiff(std::string_view text, const TaskContext& ctx = {});

// Writes `growth` as heap-diff NDJSON: header, growth records in their order, retained records.
// `sites` resolves the records' sites into `location` extras.
void writeHeapDiff(std::ostream& out, const GrowthRecords& growth, const SiteTable& sites);

}  // namespace heapdiff
}  // namespace heaplens
