// Aggregate: counts, shallow bytes and retained bytes per type, site, line and function.
//
// Retained bytes of a group are counted once per dominating set: a node adds
// its retained size to its group only when no dominator-tree ancestor belongs
// to the same group (one walk of the dominator tree with a per-group
// "active ancestors" counter), so a linked list of 10,000 Sessions does not
// count the list 10,000 times.
//
// Line attribution is flat (the innermost frame whose file the caller
// accepts, e.g. one inside the workspace) or cumulative (every accepted frame
// of the stack, each counted once per stack even when recursive).
//
// Threading: pure functions over an immutable heap part.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "analysis/Dump.h"
#include "analysis/TaskContext.h"

namespace heaplens {

struct DominatorTree;

struct GroupStats {
  uint64_t count = 0;          // nodes of kind Object (and Frame, for frame groups)
  uint64_t shallowBytes = 0;   // self + external
  uint64_t retainedBytes = 0;  // counted once per dominating set
  uint64_t retainedObjects = 0;  // objects in the union of the group's dominated subtrees, each once
};

// Accepts a location's file (a StringId of the dump's graph), e.g. "is in the workspace". It is called
// for every frame of every site, so a filter that is costly per call should remember its answers.
using FileFilter = std::function<bool(StringId file)>;

enum class Attribution : uint8_t { Flat, Cumulative };

struct TypeAggregate {
  TypeId type;
  GroupStats stats;
};
struct SiteAggregate {
  SiteId site;
  GroupStats stats;
};
struct LineAggregate {
  StringId file;
  uint32_t line;
  GroupStats stats;
  std::vector<SiteId> sites;  // sites attributed here, largest shallow bytes first
};
struct FunctionAggregate {
  StringId function;
  StringId file;
  GroupStats stats;
};

// Every type with at least one node (kind Object only), unsorted.
std::vector<TypeAggregate> aggregateByType(const HeapPart& d, const TaskContext& ctx = {});
// Every site with at least one node, unsorted.
std::vector<SiteAggregate> aggregateBySite(const HeapPart& d, const TaskContext& ctx = {});
// Both of the above in one walk of the dominator tree (what a report needs), at about the cost of one.
struct TypeAndSiteAggregates {
  std::vector<TypeAggregate> types;
  std::vector<SiteAggregate> sites;
};
// `tree`: buildDominatorTree(d.idom) when the caller keeps one already; nullptr builds it here.
TypeAndSiteAggregates aggregateByTypeAndSite(const HeapPart& d, const TaskContext& ctx = {},
                                             const DominatorTree* tree = nullptr);
// Lines of frames the filter accepts. A site with no accepted frame is not attributed.
std::vector<LineAggregate> aggregateByLine(const HeapPart& d, const FileFilter& accept, Attribution mode,
                                           const TaskContext& ctx = {}, const DominatorTree* tree = nullptr);
std::vector<FunctionAggregate> aggregateByFunction(const HeapPart& d, const FileFilter& accept, Attribution mode,
                                                   const TaskContext& ctx = {});

// The location a site is attributed to under Flat attribution (innermost accepted frame), or none.
std::optional<LocationId> flatLocation(const HeapGraph& g, SiteId site, const FileFilter& accept);

// Indices of the n largest items by key, largest first; O(size + n log n).
template <typename T, typename Key>
std::vector<size_t> topN(std::span<const T> items, size_t n, Key key);

}  // namespace heaplens

#include "analysis/Aggregate.inl"
