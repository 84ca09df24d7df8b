// EdgeRules: which edges each analysis follows, decided in one place.
//
// Two rules, as Chrome DevTools' heap snapshot worker has them: dominators
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

// Retention paths and distances from the roots: may a path pass along this edge?
constexpr bool isPathEdge(uint8_t kinds) { return (kinds & kEdgeWeak) == 0; }

}  // namespace heaplens
