// GraphBuilder: what every parser feeds to produce a HeapGraph.
//
// A parser creates nodes (getting dense ordinals back), adds edges between
// ordinals (with EdgeKind bits when the format knows them), marks roots, and
// registers types and allocation sites. Strings, locations and stacks go to
// the graph's SiteTable, which the Dump shares.
//
// Edges may be added in any order; they are fastest when added grouped by
// source in increasing source order (then no sort is needed at finish()).
//
// Threading: one builder per thread; finish() moves the result out.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/HeapGraph.h"
#include "analysis/TaskContext.h"

namespace heaplens {

class GraphBuilder {
public:
  // Creates the super-root as node 0.
  GraphBuilder();

  // Capacity hints, so big dumps allocate once.
  void reserve(uint32_t nodes, uint64_t edges);

  StringId intern(std::string_view s) { return sites_->intern(s); }
  // Types are deduplicated by name.
  TypeId addType(std::string_view name);
  // A source location, deduplicated.
  LocationId addLocation(std::string_view function, std::string_view file, uint32_t line, uint32_t column = 0);
  // A stack of locations, innermost first, deduplicated by content.
  SiteId addSite(std::span<const LocationId> frames);

  NodeId addNode(NodeKind kind, uint64_t selfSize, TypeId type = kNoType, SiteId site = kNoSite);
  void setExternalSize(NodeId n, uint64_t bytes);  // allocates externalSize on first use
  void setAddress(NodeId n, uint64_t address);     // allocates address on first use
  void setSite(NodeId n, SiteId site);
  void setType(NodeId n, TypeId type);
  void setFlag(NodeId n, NodeFlag flag);

  // `kinds`: EdgeKind bits; the kinds column is allocated the first time one is non-zero.
  void addEdge(NodeId from, NodeId to, EdgeLabel label = EdgeLabel::none(), uint8_t kinds = 0);
  // Links the super-root to `root` with the root's kind as the edge label.
  void addRoot(NodeId root, std::string_view rootKind);

  uint32_t nodeCount() const { return graph_.nodeCount(); }
  const HeapGraph& peek() const { return graph_; }

  // Builds the CSR and hands the graph over. The builder is empty afterwards.
  HeapGraph finish(const TaskContext& ctx = {});

private:
  void init();
  HeapGraph graph_;
  std::vector<NodeId> edgeSource_;  // only while out of order
  bool edgesSorted_ = true;
  bool hasKinds_ = false;  // some edge had kinds: graph_.edgeKinds is kept for every edge
  NodeId lastSource_ = 0;
  std::vector<NodeId> rootTargets_;
  std::vector<uint32_t> rootLabels_;
  std::unordered_map<StringId, TypeId> typeByName_;
  std::unique_ptr<SiteTableBuilder> sites_;  // writes graph_.sites
};

}  // namespace heaplens
