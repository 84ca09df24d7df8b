// V8Format: Chrome / Node.js heap snapshots (.heapsnapshot) turned into a Dump.
//
// The file is one JSON object: a `snapshot` header whose `meta` names the
// fields and types of every flat array, then `nodes`, `edges`,
// `trace_function_infos`, `trace_tree`, `samples`, `locations`, `strings`.
// The reader takes every offset and type list from the meta (never a fixed
// layout: fields come and go between V8 versions) and streams the big
// arrays straight into the HeapGraph's columns: V8 node i becomes node i
// (V8's node 0 is the synthetic root, which is our super-root), its
// edges are already grouped by source, so they are the CSR as written. The
// sections may come in any order (a re-serialised file): a section whose
// prerequisites have not been read yet is skipped and read afterwards.
//
// Semantics follow Chrome DevTools' HeapSnapshot.ts (see the project's
// reference notes, js.md §3): class names (`Function` for closures,
// `(system)` for hidden, `(array)`, `(string)`, ...; an object's class is its
// constructor's name, split by declaration location when two classes share a
// name), edge kinds from the edge types, `[i]` labels for element and hidden
// edges, synthetic roots searched after the user roots for paths, node ids as
// addresses. Sources: `locations` (0-based) become sites with 1-based lines,
// script ids named by the Script objects found through closure -> shared ->
// script; with allocation tracking, a node's site is its allocation stack
// from `trace_tree` + `trace_function_infos`.
//
// Threading: load() runs on a worker thread; no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "analysis/Dump.h"
#include "analysis/formats/DumpFormat.h"

namespace heaplens {

// The "v8-heapsnapshot" format.
const DumpFormat& v8Format();

namespace v8 {

// True when the head looks like a .heapsnapshot: a JSON object whose first key is one of its sections.
bool looksLikeSnapshot(std::span<const uint8_t> head);

// The whole load from bytes in memory (tests, fuzzer); load() maps the file and calls this.
// `release(offset)`, when given, is told that the bytes below `offset` will not be read again
// (the mapped file drops them from memory).
std::unique_ptr<Dump> loadSnapshot(std::span<const uint8_t> bytes, const TaskContext& ctx,
                                   const std::function<void(uint64_t)>& release = {});

}  // namespace v8
}  // namespace heaplens
