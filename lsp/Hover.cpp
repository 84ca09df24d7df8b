// Hover: what a dump says about the line under the cursor.
//
// On an allocation line: live objects and bytes, their sizes and types,
// retained bytes, the allocation stack and one path from a root. On a frame
// declaration line (MoarVM): the frames, the lexicals they hold and what each
// retains. On a Raku class/role/grammar declaration: its instances and their
// growth across snapshots.
//
// Threading: runs on a worker with immutable inputs.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "analysis/Text.h"
#include "lsp/FeatureSupport.h"

namespace heaplens::lsp {
namespace {

std::string heading(const Dump& d) {
  std::string h = "### HeapLens · " + dumpName(d);
  if (d.snapshots.size() > 1)
    h += " (snapshot " + std::to_string(d.selectedSnapshot) + " of " + std::to_string(d.snapshots.size()) + ")";
  return h + "\n\n";
}

// Object types in the dominator subtree of `root`, most numerous first (bounded walk).
std::vector<std::pair<TypeId, uint64_t>> dominatedTypes(const Dump& d, const DumpIndex& index, NodeId root,
                                                        size_t limit = 3) {
  const HeapGraph& g = d.graph;
  std::unordered_map<TypeId, uint64_t> counts;
  std::vector<NodeId> stack{root};
  size_t visited = 0;
  while (!stack.empty() && visited < 5'000'000) {
    NodeId v = stack.back();
    stack.pop_back();
    ++visited;
    if (g.kind(v) == NodeKind::Object) ++counts[g.type[v]];
    for (uint32_t c = index.domTree.first[v]; c < index.domTree.first[v + 1]; ++c) stack.push_back(index.domTree.children[c]);
  }
  std::vector<std::pair<TypeId, uint64_t>> out(counts.begin(), counts.end());
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::string rootPathSection(const LoadedDump& loaded, NodeId node, const SourceMap* sourceMap) {
  if (node == kNoNode) return "";
  const HeapGraph& g = loaded.dump().graph;
  auto path = loaded.paths().shortestPath(node);
  if (!path) return "\n**Path from a root:** none: not reachable from any root (unreachable objects are counted apart)\n";
  std::string s = "\n**Path from a root**" +
                  std::string(path->throughAvoided ? " (only through inter-generational roots)" : "") + "\n\n`" +
                  pathText(g, *path, sourceMap) + "`\n";
  return s;
}

std::string allocationSection(const LoadedDump& loaded, const LineEntry& e, const SourceMap* sourceMap) {
  const Dump& d = loaded.dump();
  const HeapGraph& g = d.graph;
  const DumpIndex& index = loaded.index();
  std::string s = heading(d);
  s += "**" + formatCount(e.stats.count) + (e.stats.count == 1 ? " live object, " : " live objects, ") +
       formatBytesLong(e.stats.shallowBytes) + "** allocated here — " +
       formatPercent(shareOfHeap(index, e.stats.shallowBytes)) + " of the live heap  \n";
  s += "Retained: " + formatBytesLong(e.stats.retainedBytes) + " (" + formatCount(e.retainedObjects) + " objects)\n\n";

  // Types and sizes (Go objects carry no type: then the rows are size classes).
  std::map<std::pair<std::string, uint64_t>, std::pair<uint64_t, uint64_t>> bySize;  // (type, size) -> count, bytes
  SiteId biggestSite = kNoSite;
  size_t biggestCount = 0;
  for (SiteId site : e.sites) {
    auto nodes = index.nodesOfSite(site);
    if (nodes.size() > biggestCount) biggestCount = nodes.size(), biggestSite = site;
    for (NodeId v : nodes) {
      if (g.kind(v) != NodeKind::Object) continue;
      std::string type(g.typeNameOf(v));
      // Formats without types (Go) name objects by size ("64 B object"): the size column says that already.
      bool untyped = type == "(unknown)" || type.ends_with(" B object");
      auto& cell = bySize[{untyped ? "" : type, g.shallowSize(v)}];
      cell.first += 1;
      cell.second += g.shallowSize(v);
    }
  }
  std::vector<std::pair<std::pair<std::string, uint64_t>, std::pair<uint64_t, uint64_t>>> rows(bySize.begin(), bySize.end());
  std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.second.second > b.second.second; });
  s += "| type | size | objects | bytes |\n|---|---:|---:|---:|\n";
  for (size_t i = 0; i < rows.size() && i < 8; ++i) {
    const auto& [key, val] = rows[i];
    s += "| " + (key.first.empty() ? std::string("—") : key.first) + " | " + formatBytes(key.second) + " | " +
         formatCount(val.first) + " | " + formatBytes(val.second) + " |\n";
  }
  if (rows.size() > 8) s += "| … " + std::to_string(rows.size() - 8) + " more | | | |\n";

  if (biggestSite != kNoSite) {
    s += "\n**Allocation stack** (innermost first";
    if (e.sites.size() > 1) s += "; " + std::to_string(e.sites.size() - 1) + " other stacks also end here";
    s += ")\n\n";
    uint32_t i = 0;
    for (LocationId l : g.frames(biggestSite)) {
      const SourceLocation& loc = g.locations[l];
      s += std::to_string(++i) + ". `" + std::string(g.str(loc.function)) + "` " +
           std::string(SourceMap::normalise(g.str(loc.file))) + ":" + std::to_string(loc.line) + "\n";
      if (i == 12) break;
    }
  }
  s += rootPathSection(loaded, e.representative, sourceMap);
  return s;
}

std::string frameSection(const LoadedDump& loaded, const LineEntry& e, const SourceMap* sourceMap) {
  const Dump& d = loaded.dump();
  const HeapGraph& g = d.graph;
  const DumpIndex& index = loaded.index();
  std::string name = "<anon>";
  if (!e.sites.empty() && !g.frames(e.sites.front()).empty())
    name = frameName(g, g.locations[g.frames(e.sites.front()).front()]);
  std::string s = heading(d);
  s += "**" + name + "** — " + entrySummary(d, index, e) + "\n\n";

  // Lexicals: named references out of these frames whose names carry a sigil.
  struct Lexical {
    uint64_t frames = 0;
    NodeId target = kNoNode;
    uint64_t retained = 0;
  };
  std::map<std::string, Lexical> lexicals;
  for (SiteId site : e.sites) {
    for (NodeId v : index.nodesOfSite(site)) {
      for (EdgeIndex ei = g.firstEdge[v]; ei < g.firstEdge[v + 1]; ++ei) {
        EdgeLabel label = g.label(ei);
        if (label.kind() != EdgeLabel::Kind::Name) continue;
        std::string_view lname = g.str(label.value());
        if (lname.empty() || std::string_view("$@%&").find(lname.front()) == std::string_view::npos) continue;
        Lexical& lex = lexicals[std::string(lname)];
        NodeId t = g.edgeTarget[ei];
        ++lex.frames;
        lex.retained += d.retained[t];
        if (lex.target == kNoNode || d.retained[t] > d.retained[lex.target]) lex.target = t;
      }
    }
  }
  if (!lexicals.empty()) {
    std::vector<std::pair<std::string, Lexical>> rows(lexicals.begin(), lexicals.end());
    std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.second.retained > b.second.retained; });
    s += "| lexical | holds | retains | mostly |\n|---|---|---:|---|\n";
    for (size_t i = 0; i < rows.size() && i < 12; ++i) {
      const auto& [lname, lex] = rows[i];
      std::string mostly;
      for (auto& [type, count] : dominatedTypes(d, index, lex.target)) {
        if (!mostly.empty()) mostly += ", ";
        // Size per instance when the type's instances all have one size.
        mostly += formatCount(count) + " × " + std::string(g.str(g.typeName[type]));
      }
      s += "| `" + lname + "` | " + describeNode(g, lex.target, sourceMap) + " | " + formatBytes(lex.retained) + " (" +
           formatCount(index.retainedObjects[lex.target]) + " objects) | " + mostly + " |\n";
    }
    if (rows.size() > 12) s += "| … " + std::to_string(rows.size() - 12) + " more | | | |\n";
  } else {
    s += "These frames hold no named lexicals (Rakudo may have lowered them to locals).\n";
  }
  s += rootPathSection(loaded, e.representative, sourceMap);
  return s;
}

// A Raku type declared on this line: instances now and across snapshots.
std::string typeSection(const LoadedDump& loaded, const std::string& typeName) {
  const Dump& d = loaded.dump();
  const HeapGraph& g = d.graph;
  TypeId type = kNoType;
  for (TypeId t = 1; t < g.typeCount(); ++t)
    if (g.str(g.typeName[t]) == typeName) type = t;
  const TypeTimeline& tl = d.typeTimeline;
  const std::optional<size_t> timelineType = tl.indexOf(typeName);
  if (type == kNoType && !timelineType) return "";

  std::string s = heading(d) + "**" + typeName + "**";
  if (type != kNoType) {
    const GroupStats* found = loaded.index().typeStats(type);
    const GroupStats stats = found ? *found : GroupStats{};
    s += ": " + formatCount(stats.count) + (stats.count == 1 ? " instance" : " instances");
    if (stats.count > 0) {
      s += ", " + formatBytes(stats.shallowBytes / stats.count) + " each, " + formatBytesLong(stats.shallowBytes) +
           " in all — " + formatPercent(shareOfHeap(loaded.index(), stats.shallowBytes)) + " of the live heap  \n";
      s += "Retained: " + formatBytesLong(stats.retainedBytes) + "\n";
    } else {
      s += "\n";
    }
  } else {
    s += ": no instances in this snapshot\n";
  }
  if (timelineType && tl.counts.size() > 1) {
    s += "\n**Across snapshots:** ";
    for (size_t snap = 0; snap < tl.counts.size(); ++snap) {
      if (snap) s += " → ";
      s += formatCount(tl.countAt(snap, *timelineType));
    }
    s += "\n";
  }
  return s;
}

}  // namespace

std::optional<protocol::Hover> getHover(const FeatureContext& ctx, const Document& doc, protocol::Position pos) {
  const uint32_t line1 = pos.line + 1;
  std::vector<std::string> sections;
  auto docLines = linesForDocument(ctx, doc);
  for (const LineHit& hit : entriesAt(docLines, line1)) {
    sections.push_back(hit.entry->frames ? frameSection(*hit.dump, *hit.entry, ctx.sourceMap)
                                         : allocationSection(*hit.dump, *hit.entry, ctx.sourceMap));
  }
  // The document is split at most once, and only when the line's text is needed.
  std::vector<std::string_view> lines;
  auto lineText = [&]() -> const std::string_view* {
    if (lines.empty()) lines = splitLines(doc.text);
    return pos.line < lines.size() ? &lines[pos.line] : nullptr;
  };
  if (isRakuDocument(doc)) {
    if (const std::string_view* text = lineText()) {
      if (auto typeName = rakuTypeDeclaration(*text)) {
        for (const auto& loaded : ctx.dumps) {
          std::string s = typeSection(*loaded, *typeName);
          if (!s.empty()) sections.push_back(std::move(s));
        }
      }
    }
  }
  if (sections.empty()) return std::nullopt;
  protocol::Hover hover;
  for (size_t i = 0; i < sections.size(); ++i) hover.contents.value += (i ? "\n---\n\n" : "") + sections[i];
  uint32_t lineLength = 0;
  if (const std::string_view* text = lineText()) lineLength = static_cast<uint32_t>(text->size());
  hover.range = protocol::Range{{pos.line, 0}, {pos.line, lineLength}};
  return hover;
}

}  // namespace heaplens::lsp
