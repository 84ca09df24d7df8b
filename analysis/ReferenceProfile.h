// ReferenceProfile: a pprof profile of who holds the heap, for `go tool pprof` and its flame graphs.
//
// As goref does for live Go processes, a sample's "stack" is not where an object was allocated
// but how it is reached: the root (a global variable's name, a goroutine, a frame), then each edge
// label and type on the shortest path from it, down to the object's own type. Every object adds
// one to `inuse_objects` and its size to `inuse_space` of its chain, so a flame graph shows which
// roots and fields hold the memory. Chains are the breadth-first parents over path edges
// (EdgeRules.h); element indexes are folded ("[]"), so the elements of one array share a chain,
// and chains deeper than 64 steps end in a "…" step holding everything below it.
//
// The output is the profile.proto message (github.com/google/pprof), uncompressed: pprof accepts
// it as it is. The few fields needed are encoded here (varints and length-delimited fields).
//
// Threading: a pure function of the graph.
#pragma once

#include <ostream>

#include "analysis/Dump.h"
#include "analysis/TaskContext.h"

namespace heaplens {

struct ReferenceProfileStats {
  uint64_t samples = 0;  // distinct chains with objects
  uint64_t objects = 0, bytes = 0;
};

// Writes the profile of a heap part to `out`.
ReferenceProfileStats writeReferenceProfile(const HeapPart& heap, std::ostream& out, const TaskContext& ctx = {});

}  // namespace heaplens
