// HeapGraph: the one heap model every dump format is turned into.
//
// A parser feeds a GraphBuilder (GraphBuilder.h); the builder hands back an
// immutable HeapGraph. Everything downstream (dominators, retained sizes,
// paths, aggregates, the editor features, the CLI report) reads this struct
// and nothing format-specific. Layout is struct-of-arrays over dense uint32_t
// ordinals, in the manner of Chrome DevTools' HeapSnapshot and Eclipse MAT's
// index files, so that tens of millions of nodes stay cheap to hold and walk.
//
// Node 0 is always the synthetic super-root. It has one edge to every root
// node, labelled with the root's kind ("bss", "goroutine 18 frame
// main.holder", "Thread Roots", ...).
//
// Strings, source locations and stacks live in a SiteTable (SiteTable.h)
// that the graph shares with the rest of its Dump; the graph's sites and type
// and label names are ids into it.
//
// Threading: built on one thread, then shared read-only between threads.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/SiteTable.h"

namespace heaplens {

using NodeId = uint32_t;
using EdgeIndex = uint32_t;
using TypeId = uint32_t;

inline constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();
inline constexpr TypeId kNoType = 0;  // types[0] is always "(unknown)"
inline constexpr NodeId kSuperRoot = 0;

enum class NodeKind : uint8_t {
  Object = 0,     // a heap object
  Frame = 1,      // an activation record / stack frame that holds references
  Root = 2,       // a root holder (segment, root table, goroutine, ...)
  Synthetic = 3,  // the super-root and other grouping nodes
};

// Per-node flag bits, stored beside the kind.
enum NodeFlag : uint8_t {
  // Paths from the roots must not pass through this node (MoarVM's
  // inter-generational roots, which would make every path look the same).
  kAvoidInPaths = 1u << 0,
};

// What an edge is, as bit flags beside its label. Formats set what they know
// (V8 writes every one of these; Go and MoarVM write none). The rules that
// read them live in EdgeRules.h: one for dominators, one for paths.
enum EdgeKind : uint8_t {
  kEdgeWeak = 1u << 0,      // does not keep its target alive
  kEdgeElement = 1u << 1,   // an indexed element ([12])
  kEdgeProperty = 1u << 2,  // a named property or field
  kEdgeContext = 1u << 3,   // a closure's captured variable
  kEdgeInternal = 1u << 4,  // the runtime's own bookkeeping, not visible to the program
  kEdgeShortcut = 1u << 5,  // a convenience link that skips intermediate objects (V8 "shortcut")
  kEdgeHidden = 1u << 6,    // present for the engine only (V8 "hidden")
  // Retains, but explains nothing as a step of a path: Chrome DevTools' distance filters (a V8
  // NativeContext's sloppy_function_map, the key slots of a map's descriptor array). Paths avoid it.
  kEdgeSkipInPaths = 1u << 7,
};

// An edge label: a string (field or lexical name), an integer index, or
// nothing. Packed into 32 bits: bits 29-30 the label kind, bits 0-28 the
// string id or index (indices beyond 2^29-1 are clamped); bit 31 is unused.
class EdgeLabel {
public:
  enum class Kind : uint8_t { None = 0, Name = 1, Index = 2 };
  static constexpr uint32_t kValueMask = (1u << 29) - 1;

  constexpr EdgeLabel() = default;
  static constexpr EdgeLabel none() { return EdgeLabel(Kind::None, 0); }
  static constexpr EdgeLabel name(StringId s) { return EdgeLabel(Kind::Name, s); }
  static constexpr EdgeLabel index(uint64_t i) {
    return EdgeLabel(Kind::Index, i > kValueMask ? kValueMask : static_cast<uint32_t>(i));
  }
  static constexpr EdgeLabel fromRaw(uint32_t raw) { EdgeLabel l; l.raw_ = raw; return l; }

  constexpr Kind kind() const { return static_cast<Kind>((raw_ >> 29) & 3u); }
  constexpr uint32_t value() const { return raw_ & kValueMask; }
  constexpr uint32_t raw() const { return raw_; }

private:
  constexpr EdgeLabel(Kind k, uint32_t v) : raw_((static_cast<uint32_t>(k) << 29) | (v & kValueMask)) {}
  uint32_t raw_ = 0;
};

struct HeapGraph {
  // ---- nodes (indexed by NodeId) ----
  std::vector<uint64_t> selfSize;      // bytes the node itself occupies in the managed heap
  std::vector<uint64_t> externalSize;  // unmanaged bytes owned by the node; EMPTY when the format has none
  std::vector<TypeId> type;            // index into types (kNoType when unknown)
  std::vector<SiteId> site;            // allocation site, or the frame's own location (kNoSite)
  std::vector<uint8_t> kindAndFlags;   // low 2 bits NodeKind, upper bits NodeFlag << 2
  std::vector<uint64_t> address;       // format's object address/id; EMPTY when the format has none
  // The node's own name where the format records one apart from its type (V8: a function's name,
  // a string's value, a root's name "(Stack roots)"); EMPTY when the format has none.
  std::vector<StringId> nodeName;

  // ---- edges: forward CSR ----
  std::vector<EdgeIndex> firstEdge;  // size nodeCount()+1; edges of n are [firstEdge[n], firstEdge[n+1])
  std::vector<NodeId> edgeTarget;
  std::vector<uint32_t> edgeLabel;   // EdgeLabel::raw()
  std::vector<uint8_t> edgeKinds;    // EdgeKind bits per edge; EMPTY when every edge is a plain strong one

  // ---- types ----
  std::vector<StringId> typeName;  // typeName[0] == "(unknown)"
  // Where each type is declared (a JavaScript class's constructor), kNoSite when unknown;
  // EMPTY when the format records no declarations.
  std::vector<SiteId> typeSite;

  // ---- strings, locations and stacks, shared with the Dump (never null once built) ----
  std::shared_ptr<SiteTable> sites = std::make_shared<SiteTable>();

  // ---- accessors ----
  uint32_t nodeCount() const { return static_cast<uint32_t>(selfSize.size()); }
  uint32_t edgeCount() const { return static_cast<uint32_t>(edgeTarget.size()); }
  uint32_t siteCount() const { return sites->siteCount(); }
  uint32_t typeCount() const { return static_cast<uint32_t>(typeName.size()); }

  NodeKind kind(NodeId n) const { return static_cast<NodeKind>(kindAndFlags[n] & 3u); }
  bool hasFlag(NodeId n, NodeFlag f) const { return ((kindAndFlags[n] >> 2) & f) != 0; }
  uint64_t external(NodeId n) const { return externalSize.empty() ? 0 : externalSize[n]; }
  // Self plus unmanaged bytes: what freeing this node alone would give back.
  uint64_t shallowSize(NodeId n) const { return selfSize[n] + external(n); }

  std::span<const NodeId> targets(NodeId n) const {
    return {edgeTarget.data() + firstEdge[n], edgeTarget.data() + firstEdge[n + 1]};
  }
  EdgeLabel label(EdgeIndex e) const { return EdgeLabel::fromRaw(edgeLabel[e]); }
  uint8_t edgeKind(EdgeIndex e) const { return edgeKinds.empty() ? 0 : edgeKinds[e]; }
  std::span<const LocationId> frames(SiteId s) const { return sites->frames(s); }
  const SourceLocation& location(LocationId l) const { return sites->locations[l]; }
  const StringTable& strings() const { return sites->strings; }
  std::string_view str(StringId s) const { return sites->strings.get(s); }
  std::string_view typeNameOf(NodeId n) const { return str(typeName[type[n]]); }
  // The node's own name (nodeName) when the format has one, else its type's name.
  std::string_view nameOf(NodeId n) const { return nodeName.empty() ? typeNameOf(n) : str(nodeName[n]); }
  SiteId typeSiteOf(TypeId t) const { return t < typeSite.size() ? typeSite[t] : kNoSite; }
  // "field", "[3]", or "" for an unlabelled edge.
  std::string labelText(EdgeIndex e) const;

  // Bytes held by the model itself (vectors' capacity plus the site table), for the benchmarks.
  uint64_t memoryBytes() const;
};

}  // namespace heaplens
