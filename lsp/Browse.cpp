// Browse: the side bar's lists — top allocation sites, the types histogram, the dominator tree —
// and the page-dump page for a webview.
//
// heaplens/topSites, heaplens/types and heaplens/dominators answer one page
// ({offset, limit}) of a loaded dump's list, sorted on the server, so a client
// never holds a 5-million-object dump's lists: the dominator tree is fetched
// one node's children at a time. Everything comes from the dump's HeapIndex
// (per-site and per-type GroupStats, the dominator tree, retained sizes) and
// its growth part; nothing here asks which format the dump came from.
//
// Threading: runs on a worker with immutable inputs.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "lsp/FeatureSupport.h"
#include "lsp/PageDumpHtml.h"
#include "lsp/Uri.h"
#include "protocol/Message.h"

namespace heaplens::lsp {
namespace {

using protocol::ParamsError;

const LoadedDump& findDump(const FeatureContext& ctx, const std::string& path) {
  for (const auto& loaded : ctx.dumps)
    if (loaded->dump().path == path) return *loaded;
  throw ParamsError("/dump", "the path of a loaded dump (" + path + " is not loaded)");
}

// Indices [offset, offset+limit) of `order`, which is sorted only as far as the page needs.
template <typename Less>
std::vector<size_t> page(size_t total, const protocol::BrowseParams& p, Less less) {
  std::vector<size_t> order(total);
  for (size_t i = 0; i < total; ++i) order[i] = i;
  const size_t begin = std::min<size_t>(p.offset, total);
  const size_t end = std::min<size_t>(begin + p.limit, total);
  std::partial_sort(order.begin(), order.begin() + end, order.end(), less);
  return {order.begin() + begin, order.begin() + end};
}

// The editor location of a recorded source location, when the workspace has the file.
std::optional<protocol::Location> mapLocation(const HeapGraph& g, const SourceLocation& loc, const SourceMap* sourceMap) {
  if (!sourceMap || loc.line == 0) return std::nullopt;
  auto mapped = sourceMap->map(g.str(loc.file));
  if (!mapped) return std::nullopt;
  const uint32_t line0 = loc.line - 1, col0 = loc.column > 0 ? loc.column - 1 : 0;
  return protocol::Location{pathToUri(mapped->localPath), {{line0, col0}, {line0, col0}}};
}

std::string whereText(const HeapGraph& g, const SourceLocation& loc, const SourceMap* sourceMap) {
  if (sourceMap && sourceMap->map(g.str(loc.file))) return shortLocation(g, loc);
  std::string file = readablePath(g.str(loc.file));
  if (file.empty()) return "";
  return loc.line ? file + ":" + std::to_string(loc.line) : file;
}

// Of `nodes`, the one that retains the most (the first on a tie).
NodeId largest(const HeapPart& heap, std::span<const NodeId> nodes) {
  NodeId best = kNoNode;
  for (NodeId n : nodes)
    if (best == kNoNode || heap.retained[n] > heap.retained[best]) best = n;
  return best;
}

}  // namespace

protocol::TopSitesResult getTopSites(const FeatureContext& ctx, const protocol::BrowseParams& p) {
  const LoadedDump& loaded = findDump(ctx, p.dump);
  protocol::TopSitesResult out;
  if (!loaded.hasHeap()) return out;
  const std::string by = p.sortBy.value_or("live");
  if (by != "live" && by != "retained" && by != "count") throw ParamsError("/sortBy", "\"live\", \"retained\" or \"count\"");
  const HeapIndex& index = loaded.index();
  const HeapGraph& g = loaded.graph();
  const auto& sites = index.aggregates.sites;
  auto key = [&](size_t i) {
    const GroupStats& s = sites[i].stats;
    return by == "count" ? s.count : by == "retained" ? s.retainedBytes : s.shallowBytes;
  };
  out.total = sites.size();
  for (size_t i : page(sites.size(), p, [&](size_t a, size_t b) {
         return key(a) != key(b) ? key(a) > key(b) : sites[a].site < sites[b].site;
       })) {
    const SiteAggregate& s = sites[i];
    protocol::SiteItem item;
    item.site = s.site;
    item.count = s.stats.count;
    item.shallowBytes = s.stats.shallowBytes;
    item.retainedBytes = s.stats.retainedBytes;
    NodeId n = largest(loaded.heap(), index.nodesOfSite(s.site));
    if (n != kNoNode) {
      item.node = n;
      if (auto loc = nodeLocation(g, n, ctx.sourceMap)) {
        item.function = frameName(g, *loc);
        item.where = whereText(g, *loc, ctx.sourceMap);
        item.location = mapLocation(g, *loc, ctx.sourceMap);
      }
    }
    out.items.push_back(std::move(item));
  }
  return out;
}

protocol::TypesResult getTypes(const FeatureContext& ctx, const protocol::BrowseParams& p) {
  const LoadedDump& loaded = findDump(ctx, p.dump);
  const Dump& d = loaded.dump();
  const std::string by = p.sortBy.value_or(d.growth ? "growth" : "retained");
  if (by != "count" && by != "shallow" && by != "retained" && by != "growth")
    throw ParamsError("/sortBy", "\"count\", \"shallow\", \"retained\" or \"growth\"");

  struct Row {
    protocol::TypeItem item;
    TypeId type = kNoType;
  };
  std::vector<Row> rows;
  std::unordered_map<std::string, size_t> byName;
  if (loaded.hasHeap()) {
    const HeapGraph& g = loaded.graph();
    for (const TypeAggregate& t : loaded.index().aggregates.types) {
      Row r;
      r.type = t.type;
      r.item.type = std::string(g.str(g.typeName[t.type]));
      r.item.count = t.stats.count;
      r.item.shallowBytes = t.stats.shallowBytes;
      r.item.retainedBytes = t.stats.retainedBytes;
      // One row per name: a name declared in two places is one type to the user.
      if (auto it = byName.find(r.item.type); it != byName.end()) {
        protocol::TypeItem& into = rows[it->second].item;
        into.count += r.item.count;
        into.shallowBytes += r.item.shallowBytes;
        into.retainedBytes += r.item.retainedBytes;
        continue;
      }
      byName.emplace(r.item.type, rows.size());
      rows.push_back(std::move(r));
    }
  }
  if (d.growth) {
    for (const GrowthRecord& g : d.growth->records) {
      auto it = byName.find(g.type);
      if (it == byName.end()) {
        // A heap-diff file has no heap: its records are the histogram.
        Row r;
        r.item.type = g.type;
        r.item.count = static_cast<uint64_t>(std::max<int64_t>(g.countAfter, 0));
        r.item.shallowBytes = static_cast<uint64_t>(std::max<int64_t>(g.sizeAfter, 0));
        it = byName.emplace(g.type, rows.size()).first;
        rows.push_back(std::move(r));
      }
      protocol::TypeItem& item = rows[it->second].item;
      item.countDelta = item.countDelta.value_or(0) + g.countDelta;
      item.sizeDelta = item.sizeDelta.value_or(0) + g.sizeDelta;
      if (!item.location && g.site != kNoSite && loaded.hasHeap()) {
        auto frames = loaded.graph().frames(g.site);
        if (!frames.empty()) item.location = mapLocation(loaded.graph(), loaded.graph().location(frames.front()), ctx.sourceMap);
      }
    }
  }

  auto key = [&](size_t i) -> int64_t {
    const protocol::TypeItem& t = rows[i].item;
    if (by == "count") return static_cast<int64_t>(t.count);
    if (by == "shallow") return static_cast<int64_t>(t.shallowBytes);
    if (by == "growth") return t.sizeDelta.value_or(INT64_MIN);
    return static_cast<int64_t>(t.retainedBytes);
  };
  protocol::TypesResult out;
  out.total = rows.size();
  out.growth = d.growth.has_value();
  std::vector<size_t> chosen = page(rows.size(), p, [&](size_t a, size_t b) {
    return key(a) != key(b) ? key(a) > key(b) : rows[a].item.type < rows[b].item.type;
  });
  if (loaded.hasHeap()) {
    // The instance of each type on the page that retains the most (one pass over the nodes), and
    // where the type is declared, when the dump says.
    const HeapGraph& g = loaded.graph();
    const HeapPart& heap = loaded.heap();
    std::unordered_map<std::string, size_t> wanted;
    for (size_t i : chosen) wanted.emplace(rows[i].item.type, i);
    std::vector<NodeId> best(rows.size(), kNoNode);
    for (NodeId n = 0; n < g.nodeCount(); ++n) {
      if (g.kind(n) != NodeKind::Object) continue;
      auto it = wanted.find(std::string(g.typeNameOf(n)));
      if (it == wanted.end()) continue;
      NodeId& b = best[it->second];
      if (b == kNoNode || heap.retained[n] > heap.retained[b]) b = n;
    }
    for (size_t i : chosen) {
      if (best[i] != kNoNode) rows[i].item.node = best[i];
      if (!rows[i].item.location && rows[i].type != kNoType) {
        SiteId s = g.typeSiteOf(rows[i].type);
        if (s != kNoSite && !g.frames(s).empty())
          rows[i].item.location = mapLocation(g, g.location(g.frames(s).front()), ctx.sourceMap);
      }
    }
  }
  for (size_t i : chosen) out.items.push_back(std::move(rows[i].item));
  return out;
}

protocol::PageDumpHtmlResult getPageDumpHtml(const FeatureContext& ctx, const protocol::PageDumpHtmlParams& p) {
  const LoadedDump& loaded = findDump(ctx, p.dump);
  if (!hasPageDumpView(loaded.dump()))
    throw ParamsError("/dump", "a dump with a heap timeline or page maps (" + p.dump + " is a " +
                                   loaded.dump().formatDescription + ", which has neither)");
  HtmlOptions options;
  options.nonce = p.nonce;
  options.cspSource = p.cspSource.value_or("");
  return {pageDumpHtml(loaded.dump(), options)};
}

protocol::DominatorsResult getDominators(const FeatureContext& ctx, const protocol::BrowseParams& p) {
  const LoadedDump& loaded = findDump(ctx, p.dump);
  protocol::DominatorsResult out;
  if (!loaded.hasHeap()) return out;
  const HeapGraph& g = loaded.graph();
  const HeapPart& heap = loaded.heap();
  const DominatorTree& tree = loaded.index().domTree;
  const uint64_t parent = p.node.value_or(kSuperRoot);
  if (parent >= g.nodeCount()) throw ParamsError("/node", "a node id below " + std::to_string(g.nodeCount()));
  const std::vector<NodeId> children = tree.children(static_cast<NodeId>(parent));
  out.total = children.size();
  for (size_t i : page(children.size(), p, [&](size_t a, size_t b) {
         NodeId x = children[a], y = children[b];
         return heap.retained[x] != heap.retained[y] ? heap.retained[x] > heap.retained[y] : x < y;
       })) {
    const NodeId n = children[i];
    protocol::DominatorItem item;
    item.node = n;
    item.type = std::string(g.typeNameOf(n));
    item.description = describeNode(g, n, ctx.sourceMap);
    item.size = g.shallowSize(n);
    item.retained = heap.retained[n];
    size_t grandchildren = 0;
    tree.forEachChild(n, [&](NodeId) { ++grandchildren; });
    item.children = grandchildren;
    item.location = stepLocation(g, n, ctx.sourceMap);
    out.items.push_back(std::move(item));
  }
  return out;
}

}  // namespace heaplens::lsp
