// MoarFormat: MoarVM heap snapshots (.mvmheap, formats v3 and v2) turned into a Dump.
//
// MoarFile (MoarFile.h) reads the container; this file summarises every
// snapshot from its columns (counts, bytes, per-type timeline, highscore
// check) and turns the chosen one into the HeapGraph: collectable i becomes
// node i+1 (node 0 is the builder's super-root), objects/type objects/STables
// become Object nodes typed by the types table, frames become Frame nodes with
// their static frame's name and file:line as site, the virtual root
// collectables become Root nodes named after their kind. The edges of the
// inter-generational roots (the GC's remembered set, not an owner) are weak to
// whatever the other roots reach. Dominators and retained sizes are left to
// finishDump(). Both versions read the same; highscores (v3 only) are checked
// when present.
//
// Threading: load() runs on a worker thread; column decompression inside uses
// a small pool of its own threads. No shared state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "analysis/Dump.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/moar/MoarFile.h"

namespace heaplens {

// The "mvmheap" format: detects "MoarHeapDumpv003".
const DumpFormat& moarFormat();
// The "mvmheap-v2" format: detects "MoarHeapDumpv002" (MoarVM built without libzstd, e.g. Debian's).
const DumpFormat& moarV2Format();

namespace moar {

// What one snapshot's columns say, without building a graph.
struct SnapshotSummary {
  SnapshotInfo info;
  // Indexed by the file's global types / static-frames tables; concrete
  // objects (colkind 1) and frames (colkind 4) only, bytes = colsize + colusize.
  std::vector<uint64_t> typeCount, typeBytes, frameCount, frameBytes;
  uint64_t kindCount[12] = {};
  uint64_t highscoreEntriesChecked = 0;  // non-zero topscore entries compared with the recount
  uint64_t highscoreMismatches = 0;
  std::vector<std::string> warnings;
};

// Needs colkind, colsize, coltofi, colrfcnt, colusize, topIDs, topscore.
// Throws LoadError on an out-of-range kind, type or frame index.
SnapshotSummary summarizeSnapshot(const MoarFile& file, uint32_t snapshot, const SnapshotColumns& columns);

// The whole load from bytes in memory (tests, fuzzer); load() maps the file and calls this.
std::unique_ptr<Dump> loadMoarDump(std::span<const uint8_t> bytes, const LoadOptions& options,
                                   const TaskContext& ctx, ReadLimits limits = {});

}  // namespace moar
}  // namespace heaplens
