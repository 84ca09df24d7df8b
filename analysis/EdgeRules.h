// EdgeRules: which edges each analysis follows, decided in one place.
//
// Two edge rules, as Chrome DevTools' heap snapshot worker has them: dominators
// and retained sizes count only "essential" edges (not weak; a shortcut only
// when it leaves the super-root, because V8's shortcuts duplicate a real
// path from a root), and retention paths follow every edge but a weak one.
// Formats never special-case an analysis: they set EdgeKind bits, and every
// analysis asks these predicates.
//
// Threading: pure functions.
#pragma once

#include <cstdint>

#include "analysis/HeapGraph.h"

namespace heaplens {

// Dominators and retained sizes: does this edge keep its target alive?
constexpr bool isEssentialEdge(uint8_t kinds, NodeId source) {
  if (kinds & kEdgeWeak) return false;
  if ((kinds & kEdgeShortcut) && source != kSuperRoot) return false;
  return true;
}

// Retention paths and distances from the roots: may a path pass along this edge? Not a weak one,
// nor one DevTools' distance filters skip (kEdgeSkipInPaths).
constexpr bool isPathEdge(uint8_t kinds) { return (kinds & (kEdgeWeak | kEdgeSkipInPaths)) == 0; }

// Which roots a path starts from first is a node rule, set by the format: a child of the super-root
// flagged kAvoidInPaths (HeapGraph.h) is searched only after everything the other roots reach.
// MoarVM flags its inter-generational roots; V8 flags every synthetic root but DevTools' user
// roots (the global objects, "(Document DOM trees)"), which gives DevTools' two-phase distances:
// paths through "(GC roots)" only for what no global object reaches.

}  // namespace heaplens
