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
// Threading: built on one thread, then shared read-only between threads.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/StringTable.h"

namespace heaplens {

using NodeId = uint32_t;
using EdgeIndex = uint32_t;
using TypeId = uint32_t;
using SiteId = uint32_t;
using LocationId = uint32_t;

inline constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();
inline constexpr SiteId kNoSite = std::numeric_limits<SiteId>::max();
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

// An edge label: a string (field or lexical name), an integer index, or
// nothing. Packed into 32 bits: bit 31 weak, bits 29-30 the label kind,
// bits 0-28 the string id or index (indices beyond 2^29-1 are clamped).
class EdgeLabel {
public:
  enum class Kind : uint8_t { None = 0, Name = 1, Index = 2 };
  static constexpr uint32_t kValueMask = (1u << 29) - 1;

  constexpr EdgeLabel() = default;
  static constexpr EdgeLabel none(bool weak = false) { return EdgeLabel(Kind::None, 0, weak); }
  static constexpr EdgeLabel name(StringId s, bool weak = false) { return EdgeLabel(Kind::Name, s, weak); }
  static constexpr EdgeLabel index(uint64_t i, bool weak = false) {
    return EdgeLabel(Kind::Index, i > kValueMask ? kValueMask : static_cast<uint32_t>(i), weak);
  }
  static constexpr EdgeLabel fromRaw(uint32_t raw) { EdgeLabel l; l.raw_ = raw; return l; }

  constexpr bool weak() const { return (raw_ >> 31) != 0; }
  constexpr Kind kind() const { return static_cast<Kind>((raw_ >> 29) & 3u); }
  constexpr uint32_t value() const { return raw_ & kValueMask; }
  constexpr uint32_t raw() const { return raw_; }

private:
  constexpr EdgeLabel(Kind k, uint32_t v, bool weak)
      : raw_((weak ? 1u << 31 : 0u) | (static_cast<uint32_t>(k) << 29) | (v & kValueMask)) {}
  uint32_t raw_ = 0;
};

// One source location: function, file as the dump records it, line, column
// (0 when unknown). Strings are ids in the graph's StringTable.
struct SourceLocation {
  StringId function = 0;
  StringId file = 0;
  uint32_t line = 0;
  uint32_t column = 0;
  bool operator==(const SourceLocation&) const = default;
};

struct HeapGraph {
  // ---- nodes (indexed by NodeId) ----
  std::vector<uint64_t> selfSize;      // bytes the node itself occupies in the managed heap
  std::vector<uint64_t> externalSize;  // unmanaged bytes owned by the node; EMPTY when the format has none
  std::vector<TypeId> type;            // index into types (kNoType when unknown)
  std::vector<SiteId> site;            // allocation site, or the frame's own location (kNoSite)
  std::vector<uint8_t> kindAndFlags;   // low 2 bits NodeKind, upper bits NodeFlag << 2
  std::vector<uint64_t> address;       // format's object address/id; EMPTY when the format has none

  // ---- edges: forward CSR ----
  std::vector<EdgeIndex> firstEdge;  // size nodeCount()+1; edges of n are [firstEdge[n], firstEdge[n+1])
  std::vector<NodeId> edgeTarget;
  std::vector<uint32_t> edgeLabel;   // EdgeLabel::raw()

  // ---- types ----
  std::vector<StringId> typeName;  // typeName[0] == "(unknown)"

  // ---- sites: stacks of locations, innermost first ----
  std::vector<SourceLocation> locations;  // deduplicated
  std::vector<uint32_t> siteFirstFrame;   // size siteCount()+1
  std::vector<LocationId> siteFrames;     // location ids, innermost first

  StringTable strings;

  // ---- accessors ----
  uint32_t nodeCount() const { return static_cast<uint32_t>(selfSize.size()); }
  uint32_t edgeCount() const { return static_cast<uint32_t>(edgeTarget.size()); }
  uint32_t siteCount() const { return siteFirstFrame.empty() ? 0 : static_cast<uint32_t>(siteFirstFrame.size() - 1); }
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
  std::span<const LocationId> frames(SiteId s) const {
    if (s == kNoSite) return {};
    return {siteFrames.data() + siteFirstFrame[s], siteFrames.data() + siteFirstFrame[s + 1]};
  }
  std::string_view str(StringId s) const { return strings.get(s); }
  std::string_view typeNameOf(NodeId n) const { return strings.get(typeName[type[n]]); }
  // "field", "[3]", or "" for an unlabelled edge.
  std::string labelText(EdgeIndex e) const;

  // Bytes held by the model itself (vectors' capacity plus strings), for the benchmarks.
  uint64_t memoryBytes() const;
};

}  // namespace heaplens
