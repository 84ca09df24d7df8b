// DumpIndex: what the editor features look up on a loaded dump, built once per dump.
//
// The Dump answers "what is in the heap"; the features ask "what is on this
// line of this file". DumpIndex holds the per-dump part of that (nodes by
// site, retained object counts, the dominator tree), and SourceIndex the
// per-workspace part (workspace file -> lines with their stats), rebuilt
// when the source map changes (new folder, new mapping, new open file).
//
// Threading: built lazily under std::call_once / a mutex by LoadedDump; read
// from any worker afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/Aggregate.h"
#include "analysis/Dominators.h"
#include "analysis/Dump.h"
#include "analysis/SourceMap.h"

namespace heaplens::lsp {

struct DumpIndex {
  explicit DumpIndex(const Dump& d);

  // Nodes of each site (CSR): nodesOfSite(s).
  std::vector<uint32_t> siteFirst;
  std::vector<NodeId> siteNodes;
  std::vector<uint8_t> siteIsFrame;  // the site's nodes are frames (MoarVM), not allocations
  // Objects in each node's dominator subtree, the node included when it is an object.
  std::vector<uint32_t> retainedObjects;
  DominatorTree domTree;
  uint64_t liveBytes = 0;  // retained bytes of the super-root: everything reachable
  // Per-type and per-site stats, from one walk of the dominator tree; they do not depend on the workspace.
  TypeAndSiteAggregates aggregates;
  const GroupStats* typeStats(TypeId t) const;  // nullptr when the type has no instances

  std::span<const NodeId> nodesOfSite(SiteId s) const {
    return {siteNodes.data() + siteFirst[s], siteNodes.data() + siteFirst[s + 1]};
  }
};

// One annotated source line of a workspace file.
struct LineEntry {
  uint32_t line = 0;     // 1-based, as the dump records it
  bool frames = false;   // the line is a frame declaration (MoarVM), not an allocation site
  GroupStats stats;      // flat attribution for allocations; the frames' own numbers for frames
  uint64_t retainedObjects = 0;
  std::vector<SiteId> sites;
  // The node that best represents the line (paths from a root start there): of the sites' nodes,
  // the first that retains the most; kNoNode when the sites have none.
  NodeId representative = kNoNode;
};

struct SourceIndex {
  std::unordered_map<std::string, std::vector<LineEntry>> byFile;  // local path -> lines, sorted by line
  uint64_t generation = 0;
  const std::vector<LineEntry>* linesOf(const std::string& path) const;
};

SourceIndex buildSourceIndex(const Dump& d, const DumpIndex& index, const SourceMap& sourceMap);

}  // namespace heaplens::lsp
