// SnapshotDiff: what grew between two heaps of one process, and why the new objects are alive.
//
// Objects are matched by address (the format's object id: V8's snapshot ids
// stay the same for an object's whole life in one isolate, so an id in the
// target that the baseline lacks is a new object). Per type name: instances
// and shallow bytes before and after (nodes of kind Object, raw self sizes,
// the figures heap-diff's `size` fields use). For the fastest-growing types,
// a few new objects are sampled with their shortest path from a root
// (Paths.h: weak edges skipped, system roots searched after user roots),
// rendered as heap-diff path segments.
//
// Format-neutral: any two HeapParts with addresses (HeapGraph::address).
//
// Threading: pure functions over immutable heap parts, run on the caller's thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/Dump.h"
#include "analysis/Paths.h"
#include "analysis/TaskContext.h"

namespace heaplens {

struct DiffOptions {
  size_t sampledTypes = 10;    // growth records (largest size growth first) whose new objects are sampled
  size_t samplesPerType = 5;   // retained records per sampled type, distinct path shapes first
  size_t maxSegments = 20;     // longer paths keep their first 20 segments and end in "..."
  size_t candidatesPerType = 5000;  // new objects looked at per type when choosing samples
};

// A path as heap-diff segments: the root's name ("global", "(GC roots)"), the names of nodes below
// synthetic or root nodes ("(Stack roots)", "system / Context"), then edge labels ("recordCache",
// "[12]", "table", "2796"). Cut to maxSegments, then "...".
std::vector<std::string> pathSegments(const HeapGraph& g, const RetentionPath& path, size_t maxSegments = 20);

// Growth records (size growth first; types that did not grow are left out) and retained samples.
// Sites and addresses refer to the target, so the result belongs beside the target's SiteTable.
// Throws std::invalid_argument when either heap has no addresses to match objects by.
GrowthRecords diffHeaps(const HeapPart& baseline, const HeapPart& target, const DiffOptions& options = {},
                        const TaskContext& ctx = {});

// The growth of `target` since `baseline` (the editor's "Compare with Baseline"): diffHeaps of their
// heap parts, with both paths recorded. Throws std::invalid_argument saying what is wrong when the
// two are of different formats or either has no heap part with object ids.
GrowthRecords compareDumps(const Dump& baseline, const Dump& target, const DiffOptions& options = {},
                           const TaskContext& ctx = {});

}  // namespace heaplens
