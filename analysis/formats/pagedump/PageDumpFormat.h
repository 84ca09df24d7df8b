// PageDumpFormat: the Kotlin/Native custom allocator's heap timeline and page dump (memdump.log).
//
// The file is text in two phases. `phase1: heap use` is followed by one heap
// sample per line, two comma-separated fields whose order depends on who
// wrote the file: the allocator writes `<timestamp_us>,<bytes>`, the
// MemDumpView viewer documents `<bytes>,<timestamp-or-id>`, and an older
// allocator writes `<bytes>,true|false` (a GC-marker flag). `phase2: page
// dump` is followed by one block per dump, `----before GC N ----` and
// `----after GC N ----` headers (the allocator numbers GCs from 0 and writes
// 28 dashes; the viewer's docs number them from 1), an optional
// `Heap Dump at: <time>[, <bytes>]` line and one line per size class:
// `<cells>: <tokens>` for fixed-block pages, `<name>: <tokens>` for
// `nextFitPages`, `singleObjectPages`, `extraObjectPages`, with one token per
// page: `+` full, `-` empty, `(NN%)` partial, with or without spaces.
//
// The shape is found from the data, never from the file name: the column
// that is not numeric, or else the one that does not decrease over time, is
// the timestamp; `true`/`false` is the marker flag. A GC is tied to the
// sample whose time is its `Heap Dump at:` time (the after-dump's, else the
// before-dump's) string for string when one exists, else to the sample whose
// numeric time is nearest; in the marker variant the n-th GC block is tied to
// the n-th `true` sample. Malformed lines become LineProblems that say what
// was expected, and parsing goes on: everything good is kept.
//
// Threading: load() runs on a worker thread; no shared state.
#pragma once

#include <memory>
#include <string_view>

#include "analysis/Dump.h"
#include "analysis/formats/DumpFormat.h"

namespace heaplens {

// The "kn-pagedump" format.
const DumpFormat& pageDumpFormat();

namespace pagedump {

// Problems past this many are counted in a warning, not listed.
inline constexpr size_t kMaxLineProblems = 10000;

// The whole load from text in memory (tests, fuzzer); load() maps the file and calls this.
std::unique_ptr<Dump> parsePageDump(std::string_view text, const LoadOptions& options, const TaskContext& ctx);

// True when the first bytes of a file look like a page dump: a phase marker, or a GC block header first.
bool looksLikePageDump(std::string_view head);

}  // namespace pagedump
}  // namespace heaplens
