// GoFormat: the Go heap dump format (runtime/debug.WriteHeapDump, "go1.7 heap dump\n").
//
// goFormat() is what the registry lists. load() maps the file and runs the
// two passes (GoRecords.h: read every record; GoGraph.h: sort objects, drop
// Go ≥ 1.22's bogus heap-bitmap objects, link pointers, attach alloc samples
// to memory-profile sites, build roots for segments, goroutine frames,
// finalizers, defers and panics). It does not compute dominators: the
// registry's finishDump() does that for every format.
//
// Threading: load()/loadGoDump() run on a worker thread; no shared state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/go/GoGraph.h"

namespace heaplens {

const DumpFormat& goFormat();

// The same load, from bytes already in memory (tests and the fuzz target use it).
// `path` is only used for Dump::path; `exe`: an executable already opened (GoGraph.h).
std::unique_ptr<Dump> loadGoDump(std::span<const uint8_t> bytes, const std::string& path,
                                 const TaskContext& ctx = {}, const go::GoExeInput& exe = {});

}  // namespace heaplens
