// LineIndex: what every part of a dump says about each (source file, line), in one index.
//
// The Dump answers "what is in the heap"; editor features and the report ask
// "what is on this line of this file". Two layers:
//  - HeapIndex, per heap part and independent of the workspace: nodes by site,
//    objects per dominator subtree, the dominator tree, per-type and per-site
//    stats from one walk of that tree;
//  - LineIndex, per dump and workspace: each workspace file's lines with
//    entries tagged by kind (an allocation site, a frame, a definition, a
//    growth record, the creation of root holders) and their figures, fed by
//    every part present. A Root node with a site is a root holder that
//    records where it was created (a goroutine's go statement); its line gets
//    a Creation entry. It is
//    rebuilt when the source map changes (new folder, new mapping, new file).
// Features read these and never ask which format they look at.
//
// Threading: built on a worker (lazily, under std::call_once / a mutex by the
// server's LoadedDump), read from any thread afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/Aggregate.h"
#include "analysis/Dominators.h"
#include "analysis/Dump.h"
#include "analysis/SourceMap.h"

namespace heaplens {

struct HeapIndex {
  explicit HeapIndex(const HeapPart& heap);

  // Nodes of each site (CSR): nodesOfSite(s).
  std::vector<uint32_t> siteFirst;
  std::vector<NodeId> siteNodes;
  std::vector<uint8_t> siteIsFrame;  // the site's nodes are frames (MoarVM), not allocations
  // The dominator tree in preorder (its objectsBefore is freed once the aggregates are made).
  DominatorTree domTree;
  // Objects in v's dominator subtree, v included when it is an object; an unreachable node counts
  // only itself. Counted over the subtree's range on each call.
  uint32_t retainedObjects(const HeapGraph& g, NodeId v) const;
  uint64_t liveBytes = 0;  // retained bytes of the super-root: everything reachable
  // Per-type and per-site stats, from one walk of the dominator tree.
  TypeAndSiteAggregates aggregates;
  const GroupStats* typeStats(TypeId t) const;  // nullptr when the type has no instances
  // Per type, the instance that retains the most (paths from a root start there); kNoNode when none.
  std::vector<NodeId> typeRepresentative;
  // The type of that name, kNoType when the dump has none (first match; names are unique per format).
  TypeId typeNamed(const HeapGraph& g, std::string_view name) const;

  std::span<const NodeId> nodesOfSite(SiteId s) const {
    return {siteNodes.data() + siteFirst[s], siteNodes.data() + siteFirst[s + 1]};
  }
};

enum class LineKind : uint8_t {
  Allocation,  // objects allocated here (the innermost workspace frame of their site)
  Frame,       // the line declares frames that hold references (MoarVM static frames)
  Definition,  // a type or function declared here that a part names (a class's instances)
  Growth,      // a growth record lands here (heap-diff)
  Creation,    // root holders were created here: the statement that started a goroutine (Go's gopc)
};

// One annotated source line of a workspace file, for one kind.
struct LineEntry {
  uint32_t line = 0;  // 1-based, as the dump records it
  LineKind kind = LineKind::Allocation;
  GroupStats stats;   // Allocation: flat attribution; Frame: the frames' own numbers; Creation:
                      // count = root holders created here, retained = what they retain
  std::vector<SiteId> sites;
  // The node that best represents the line (paths from a root start there): of the sites' nodes,
  // the first that retains the most; kNoNode when the sites have none.
  NodeId representative = kNoNode;
  // Definition: the types declared here (the dump records where each is declared).
  std::vector<TypeId> types;
  // Growth: indices into dump.growth->records, and their summed deltas.
  std::vector<uint32_t> growthRecords;
  int64_t countDelta = 0;
  int64_t sizeDelta = 0;
  // Creation: the kinds of root holders created here (their type: "goroutine blocked in chan
  // receive"), with how many of each, most first.
  std::vector<std::pair<TypeId, uint64_t>> created;

  bool isFrame() const { return kind == LineKind::Frame; }
  // Weighed by what it retains (frames, created root holders), not by what it allocated.
  bool retains() const { return kind == LineKind::Frame || kind == LineKind::Creation; }
};

struct LineIndex {
  std::unordered_map<std::string, std::vector<LineEntry>> byFile;  // local path -> entries, sorted by line
  uint64_t generation = 0;  // the source map's generation it was built for
  const std::vector<LineEntry>* linesOf(const std::string& path) const;
};

// Where a name (a class, a function) is declared in the workspace, for records that carry no
// location of their own (a heap-diff growth record names only its constructor). The answer is a
// local file and a 1-based line, or nullopt when there is no single such declaration. Given by the
// editor side, which knows the languages; analysis/ asks only by name.
struct DeclarationPlace {
  std::string localPath;
  uint32_t line = 0;
};
using DeclarationLookup = std::function<std::optional<DeclarationPlace>(std::string_view name)>;

// `heapIndex` must be the dump's HeapIndex when the dump has a heap part (nullptr otherwise).
// `declarations` places growth records without a site (may be empty).
LineIndex buildLineIndex(const Dump& d, const HeapIndex* heapIndex, const SourceMap& sourceMap,
                         const DeclarationLookup& declarations = {});

}  // namespace heaplens
