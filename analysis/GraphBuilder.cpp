// GraphBuilder: turns a parser's stream of nodes, edges and roots into the CSR HeapGraph.
//
// Edges arriving grouped by source in increasing order (the normal case for
// every format we read) are written straight into their final arrays and
// firstEdge[] grows alongside, so finish() only closes the offsets. Edges out
// of order switch the builder to keeping a source column, and finish() does
// a stable counting sort one array at a time, so the peak is the edge arrays
// plus one copy of a single column. Root edges are kept apart until finish()
// and become the super-root's first edges.
//
// Threading: one builder per thread.
#include "analysis/GraphBuilder.h"

#include "analysis/MemoryAdvice.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace heaplens {

namespace {

// Frees the capacity a growing vector left unused when it is worth a copy
// (the copy lands in huge-page-advised memory).
template <typename V>
void trim(V& v) {
  if (v.capacity() <= v.size() + v.size() / 16 + 64) return;
  V fresh;
  reserveHuge(fresh, v.size());
  fresh.assign(v.begin(), v.end());
  v.swap(fresh);
}

}  // namespace

GraphBuilder::GraphBuilder() { init(); }

void GraphBuilder::init() {
  graph_ = HeapGraph{};
  edgeSource_.clear();
  edgesSorted_ = true;
  lastSource_ = 0;
  rootTargets_.clear();
  rootLabels_.clear();
  typeByName_.clear();
  hasKinds_ = false;
  sites_ = std::make_unique<SiteTableBuilder>(*graph_.sites);
  addType("(unknown)");
  addNode(NodeKind::Synthetic, 0);  // the super-root, kSuperRoot == 0
}

void GraphBuilder::reserve(uint32_t nodes, uint64_t edges) {
  // Reserved once, untouched: the place to ask for huge pages (see MemoryAdvice.h).
  reserveHuge(graph_.selfSize, nodes);
  reserveHuge(graph_.type, nodes);
  reserveHuge(graph_.site, nodes);
  reserveHuge(graph_.kindAndFlags, nodes);
  reserveHuge(graph_.firstEdge, static_cast<size_t>(nodes) + 1);
  reserveHuge(graph_.edgeTarget, edges);
  reserveHuge(graph_.edgeLabel, edges);
}

TypeId GraphBuilder::addType(std::string_view name) {
  const StringId s = intern(name);
  auto [it, inserted] = typeByName_.try_emplace(s, static_cast<TypeId>(graph_.typeName.size()));
  if (inserted) graph_.typeName.push_back(s);
  return it->second;
}

LocationId GraphBuilder::addLocation(std::string_view function, std::string_view file, uint32_t line,
                                     uint32_t column) {
  return sites_->addLocation(function, file, line, column);
}

SiteId GraphBuilder::addSite(std::span<const LocationId> frames) { return sites_->addSite(frames); }

NodeId GraphBuilder::addNode(NodeKind kind, uint64_t selfSize, TypeId type, SiteId site) {
  if (graph_.selfSize.size() >= kNoNode - 1) throw std::length_error("graph builder: more than 2^32-2 nodes");
  const NodeId id = graph_.nodeCount();
  graph_.selfSize.push_back(selfSize);
  graph_.type.push_back(type);
  graph_.site.push_back(site);
  graph_.kindAndFlags.push_back(static_cast<uint8_t>(kind) & 3u);
  if (!graph_.externalSize.empty()) graph_.externalSize.push_back(0);
  if (!graph_.address.empty()) graph_.address.push_back(0);
  return id;
}

void GraphBuilder::setExternalSize(NodeId n, uint64_t bytes) {
  if (graph_.externalSize.empty()) {
    if (bytes == 0) return;  // stays empty until some node has unmanaged bytes
    // As big as the other node columns were reserved, so that addNode() never grows it by copying.
    reserveHuge(graph_.externalSize, graph_.selfSize.capacity());
    graph_.externalSize.assign(graph_.nodeCount(), 0);
  }
  graph_.externalSize.at(n) = bytes;
}

void GraphBuilder::setAddress(NodeId n, uint64_t address) {
  if (graph_.address.empty()) {
    reserveHuge(graph_.address, graph_.selfSize.capacity());
    graph_.address.assign(graph_.nodeCount(), 0);
  }
  graph_.address.at(n) = address;
}

void GraphBuilder::setSite(NodeId n, SiteId site) { graph_.site.at(n) = site; }
void GraphBuilder::setType(NodeId n, TypeId type) { graph_.type.at(n) = type; }
void GraphBuilder::setFlag(NodeId n, NodeFlag flag) {
  graph_.kindAndFlags.at(n) = static_cast<uint8_t>(graph_.kindAndFlags.at(n) | (flag << 2));
}

void GraphBuilder::addEdge(NodeId from, NodeId to, EdgeLabel label, uint8_t kinds) {
  if (graph_.edgeTarget.size() + rootTargets_.size() >= kNoNode - 1)
    throw std::length_error("graph builder: more than 2^32-2 edges");
  if (edgesSorted_ && from < lastSource_) {
    // Out of order: materialise the source column for the edges so far.
    edgeSource_.resize(graph_.edgeTarget.size());
    auto& first = graph_.firstEdge;
    for (size_t s = 0; s < first.size(); ++s) {
      const size_t end = s + 1 < first.size() ? first[s + 1] : graph_.edgeTarget.size();
      std::fill(edgeSource_.begin() + first[s], edgeSource_.begin() + end, static_cast<NodeId>(s));
    }
    first.clear();
    first.shrink_to_fit();
    edgesSorted_ = false;
  }
  if (edgesSorted_) {
    while (graph_.firstEdge.size() <= from) graph_.firstEdge.push_back(static_cast<EdgeIndex>(graph_.edgeTarget.size()));
    lastSource_ = from;
  } else {
    edgeSource_.push_back(from);
  }
  if (kinds != 0 && !hasKinds_) {
    graph_.edgeKinds.assign(graph_.edgeTarget.size(), 0);  // the edges so far are plain
    hasKinds_ = true;
  }
  graph_.edgeTarget.push_back(to);
  graph_.edgeLabel.push_back(label.raw());
  if (hasKinds_) graph_.edgeKinds.push_back(kinds);
}

void GraphBuilder::addRoot(NodeId root, std::string_view rootKind) {
  rootTargets_.push_back(root);
  rootLabels_.push_back(EdgeLabel::name(intern(rootKind)).raw());
}

HeapGraph GraphBuilder::finish(const TaskContext& ctx) {
  HeapGraph& g = graph_;
  const uint32_t n = g.nodeCount();
  const size_t roots = rootTargets_.size();
  ctx.report("Indexing references", 0.0);

  for (NodeId t : rootTargets_)
    if (t >= n)
      throw std::invalid_argument("graph builder: root " + std::to_string(t) + " is not a node (there are " +
                                  std::to_string(n) + " nodes)");

  if (edgesSorted_) {
    const EdgeIndex edges = static_cast<EdgeIndex>(g.edgeTarget.size());
    if (lastSource_ >= n && !g.edgeTarget.empty())
      throw std::invalid_argument("graph builder: an edge starts at node " + std::to_string(lastSource_) +
                                  " but there are only " + std::to_string(n) + " nodes");
    g.firstEdge.resize(static_cast<size_t>(n) + 1, edges);
    if (roots != 0) {
      // Root edges go first: shift each column once, in place.
      auto prepend = [&](std::vector<uint32_t>& col, const std::vector<uint32_t>& front) {
        if (col.capacity() < col.size() + roots) {
          // Exactly sized, so growth does not double the column.
          std::vector<uint32_t> grown;
          reserveHuge(grown, col.size() + roots);
          grown.insert(grown.end(), front.begin(), front.end());
          grown.insert(grown.end(), col.begin(), col.end());
          col.swap(grown);
          return;
        }
        col.resize(col.size() + roots);
        std::move_backward(col.begin(), col.end() - roots, col.end());
        std::copy(front.begin(), front.end(), col.begin());
      };
      prepend(g.edgeTarget, rootTargets_);
      prepend(g.edgeLabel, rootLabels_);
      if (!g.edgeKinds.empty()) g.edgeKinds.insert(g.edgeKinds.begin(), roots, uint8_t{0});
      for (size_t i = 1; i <= n; ++i) g.firstEdge[i] += static_cast<EdgeIndex>(roots);
    }
  } else {
    // Root edges first among the super-root's, then a stable counting sort by source.
    edgeSource_.insert(edgeSource_.begin(), roots, kSuperRoot);
    g.edgeTarget.insert(g.edgeTarget.begin(), rootTargets_.begin(), rootTargets_.end());
    g.edgeLabel.insert(g.edgeLabel.begin(), rootLabels_.begin(), rootLabels_.end());
    if (!g.edgeKinds.empty()) g.edgeKinds.insert(g.edgeKinds.begin(), roots, uint8_t{0});
    const size_t edges = g.edgeTarget.size();
    std::vector<EdgeIndex> cursor(static_cast<size_t>(n) + 1, 0);
    for (NodeId s : edgeSource_) {
      if (s >= n)
        throw std::invalid_argument("graph builder: an edge starts at node " + std::to_string(s) +
                                    " but there are only " + std::to_string(n) + " nodes");
      ++cursor[s + 1];
    }
    std::partial_sum(cursor.begin(), cursor.end(), cursor.begin());
    g.firstEdge = cursor;
    ctx.checkCancelled();
    auto scatter = [&](auto& col) {
      using T = typename std::decay_t<decltype(col)>::value_type;
      std::copy(g.firstEdge.begin(), g.firstEdge.end(), cursor.begin());
      std::vector<T> sorted = hugeVector<T>(edges, 0);
      for (size_t i = 0; i < edges; ++i) sorted[cursor[edgeSource_[i]]++] = col[i];
      col.swap(sorted);
    };
    scatter(g.edgeTarget);
    ctx.report("Indexing references", 0.5);
    ctx.checkCancelled();
    scatter(g.edgeLabel);
    if (!g.edgeKinds.empty()) scatter(g.edgeKinds);
    edgeSource_.clear();
    edgeSource_.shrink_to_fit();
  }

  for (size_t i = 0; i < g.edgeTarget.size(); ++i) {
    if (g.edgeTarget[i] >= n)
      throw std::invalid_argument("graph builder: edge " + std::to_string(i) + " points at node " +
                                  std::to_string(g.edgeTarget[i]) + " but there are only " + std::to_string(n) +
                                  " nodes");
  }
  for (SiteId s : g.site)
    if (s != kNoSite && s >= g.siteCount())
      throw std::invalid_argument("graph builder: a node names site " + std::to_string(s) + " but there are only " +
                                  std::to_string(g.siteCount()) + " sites");
  for (TypeId t : g.type)
    if (t >= g.typeCount())
      throw std::invalid_argument("graph builder: a node names type " + std::to_string(t) + " but there are only " +
                                  std::to_string(g.typeCount()) + " types");

  trim(g.selfSize);
  trim(g.externalSize);
  trim(g.type);
  trim(g.site);
  trim(g.kindAndFlags);
  trim(g.address);
  trim(g.firstEdge);
  trim(g.edgeTarget);
  trim(g.edgeLabel);
  trim(g.edgeKinds);
  sites_->shrink();

  HeapGraph out = std::move(g);
  init();
  ctx.report("Indexing references", 1.0);
  return out;
}

}  // namespace heaplens
