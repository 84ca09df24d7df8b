// Hover: what a dump says about the line under the cursor.
//
// On an allocation line: live objects and bytes, their sizes and types,
// retained bytes, the allocation stack and one path from a root. On a frame
// declaration line (MoarVM): the frames, the lexicals they hold and what each
// retains. On a growth record's line: its deltas and a retention path. On a
// type declaration (found by the document's Language, under the name the
// dump uses): its instances and their growth across snapshots.
//
// Threading: runs on a worker with immutable inputs.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "analysis/Text.h"
#include "analysis/Growth.h"
#include "lsp/FeatureSupport.h"
#include "lsp/languages/Language.h"

namespace heaplens::lsp {
namespace {

std::string heading(const Dump& d) {
  std::string h = "### HeapLens · " + dumpName(d);
  if (d.series && d.series->snapshots.size() > 1) h += " (snapshot " + snapshotLabel(*d.series, d.series->selected) + ")";
  return h + "\n\n";
}

// Object types in the dominator subtree of `root`, most numerous first (bounded walk).
std::vector<std::pair<TypeId, uint64_t>> dominatedTypes(const Dump& d, const HeapIndex& index, NodeId root,
                                                        size_t limit = 3) {
  const HeapGraph& g = d.heap->graph;
  std::unordered_map<TypeId, uint64_t> counts;
  std::span<const NodeId> subtree = index.domTree.subtree(root);
  if (subtree.empty()) subtree = {&root, 1};  // unreachable: itself only
  for (NodeId v : subtree.first(std::min<size_t>(subtree.size(), 5'000'000)))
    if (g.kind(v) == NodeKind::Object) ++counts[g.type[v]];
  std::vector<std::pair<TypeId, uint64_t>> out(counts.begin(), counts.end());
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::string rootPathSection(const LoadedDump& loaded, NodeId node, const SourceMap* sourceMap) {
  if (node == kNoNode) return "";
  const HeapGraph& g = loaded.graph();
  auto path = loaded.paths().shortestPath(node);
  if (!path) return "\n**Path from a root:** none: not reachable from any root (unreachable objects are counted apart)\n";
  // A root the format has the search take last (MoarVM's inter-generational roots, V8's internal
  // roots): say so by the root's own name, since no other root keeps the object alive.
  std::string through;
  if (path->throughAvoided && !path->steps.empty())
    through = " (only through " + describeNode(g, path->steps.front().node, sourceMap) + ", which is searched last)";
  std::string s = "\n**Path from a root**" + through + "\n\n`" + pathText(g, *path, sourceMap) + "`\n";
  // The steps that have a source line, as links to it.
  std::string links;
  for (const PathStep& step : path->steps) {
    auto loc = nodeLocation(g, step.node, sourceMap);
    if (!loc || loc->line == 0 || g.kind(step.node) == NodeKind::Root) continue;
    std::string link = locationLink(g.str(loc->file), loc->line, sourceMap);
    if (links.find(link) == std::string::npos) links += (links.empty() ? "" : " → ") + link;
  }
  if (!links.empty()) s += "\nSteps: " + links + "\n";
  return s;
}

// A line that created root holders (a go statement): how many of each kind, what they retain, and
// which ones (their root labels: "goroutine 18 (chan receive), created by main.main main.go:37").
std::string creationSection(const LoadedDump& loaded, const LineEntry& e) {
  const Dump& d = loaded.dump();
  const HeapGraph& g = d.heap->graph;
  std::string s = heading(d) + "**Created here:** " + entrySummary(d, &loaded.index(), e) + "\n\n";
  size_t listed = 0;
  for (EdgeIndex ei = g.firstEdge[kSuperRoot]; ei < g.firstEdge[kSuperRoot + 1]; ++ei) {
    const NodeId root = g.edgeTarget[ei];
    if (std::find(e.sites.begin(), e.sites.end(), g.site[root]) == e.sites.end()) continue;
    if (listed++ == 8) {
      s += "- …\n";
      break;
    }
    s += "- " + g.labelText(ei) + " — retains " + formatBytes(d.heap->retained[root]) + "\n";
  }
  return s;
}

std::string allocationSection(const LoadedDump& loaded, const LineEntry& e, const SourceMap* sourceMap) {
  const Dump& d = loaded.dump();
  const HeapGraph& g = d.heap->graph;
  const HeapIndex& index = loaded.index();
  std::string s = heading(d);
  s += "**" + plural(e.stats.count, "live object") + ", " + formatBytesLong(e.stats.shallowBytes) + "** allocated here — " +
       formatPercent(shareOfHeap(index, e.stats.shallowBytes)) + " of the live heap  \n";
  s += "Retained: " + formatBytesLong(e.stats.retainedBytes) + " (" + plural(e.stats.retainedObjects, "object") + ")\n";
  // Why it is alive comes before the detail, so a short hover still answers it.
  s += rootPathSection(loaded, e.representative, sourceMap) + "\n";

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
      const SourceLocation& loc = g.location(l);
      s += std::to_string(++i) + ". `" + std::string(g.str(loc.function)) + "` " +
           locationLink(g.str(loc.file), loc.line, sourceMap) + "\n";
      if (i == 12) break;
    }
  }
  return s;
}

std::string frameSection(const LoadedDump& loaded, const LineEntry& e, const SourceMap* sourceMap) {
  const Dump& d = loaded.dump();
  const HeapGraph& g = d.heap->graph;
  const HeapIndex& index = loaded.index();
  std::string name = "<anon>";
  if (!e.sites.empty() && !g.frames(e.sites.front()).empty())
    name = frameName(g, g.location(g.frames(e.sites.front()).front()));
  std::string s = heading(d);
  s += "**" + name + "** — " + entrySummary(d, &index, e) + "\n\n";

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
        lex.retained += d.heap->retained[t];
        if (lex.target == kNoNode || d.heap->retained[t] > d.heap->retained[lex.target]) lex.target = t;
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
           plural(index.retainedObjects(g, lex.target), "object") + ") | " + mostly + " |\n";
    }
    if (rows.size() > 12) s += "| … " + std::to_string(rows.size() - 12) + " more | | | |\n";
  } else {
    s += "These frames hold no named lexicals (Rakudo may have lowered them to locals).\n";
  }
  s += rootPathSection(loaded, e.representative, sourceMap);
  return s;
}

// Growth records that land on this line (a heap-diff file): the deltas and one retention path each.
std::string growthSection(const LoadedDump& loaded, const LineEntry& e) {
  const Dump& d = loaded.dump();
  std::string s = heading(d);
  for (uint32_t i : e.growthRecords) {
    const GrowthRecord& r = d.growth->records[i];
    s += "**" + r.type + "** grew " + formatSignedCount(r.countDelta, true) + " objects (" +
         formatCount(static_cast<uint64_t>(std::max<int64_t>(r.countBefore, 0))) + " → " +
         formatCount(static_cast<uint64_t>(std::max<int64_t>(r.countAfter, 0))) + "), " + formatSignedBytes(r.sizeDelta) + "\n";
    if (!r.retentionPaths.empty()) {
      std::string path;
      for (const std::string& step : r.retentionPaths.front()) path += (path.empty() ? "" : " → ") + step;
      s += "\n**Path from a root:** " + path + "\n";
    }
  }
  return s;
}

// A type declared on this line: instances now and across snapshots, under the name the dump uses.
std::string typeSection(const LoadedDump& loaded, const std::string& typeName, const SourceMap* sourceMap) {
  const Dump& d = loaded.dump();
  TypeId type = kNoType;
  if (loaded.hasHeap()) type = loaded.index().typeNamed(loaded.graph(), typeName);
  std::optional<size_t> timelineType;
  if (d.series) timelineType = d.series->types.indexOf(typeName);
  if (type == kNoType && !timelineType) return "";

  std::string s = heading(d) + "**" + typeName + "**";
  if (type != kNoType) {
    const GroupStats* found = loaded.index().typeStats(type);
    const GroupStats stats = found ? *found : GroupStats{};
    s += ": " + plural(stats.count, "instance");
    if (stats.count > 0) {
      s += ", " + formatBytes(stats.shallowBytes / stats.count) + " each, " + formatBytesLong(stats.shallowBytes) +
           " in all — " + formatPercent(shareOfHeap(loaded.index(), stats.shallowBytes)) + " of the live heap  \n";
      s += "Retained: " + formatBytesLong(stats.retainedBytes) + " (" + plural(stats.retainedObjects, "object") + ")\n";
    } else {
      s += "\n";
    }
  } else {
    s += ": no instances in this snapshot\n";
  }
  if (timelineType && d.series->snapshots.size() > 1) {
    const TypeTimeline& tl = d.series->types;
    s += "\n**Across snapshots:** ";
    for (size_t snap = 0; snap < d.series->snapshots.size(); ++snap) {
      if (snap) s += " → ";
      s += formatCount(tl.countAt(snap, *timelineType));
    }
    s += "\n";
    const SeriesGrowth growth = growingTypes(*d.series);
    if (const TypeGrowth* t = growth.find(typeName))
      s += "**Grows:** never decreased across " + std::to_string(growth.snapshots.size()) + " snapshots, " +
           formatSignedCount(t->countDelta(), true) + " instances, " + formatSignedBytes(t->bytesDelta()) + "\n";
  }
  // Why the instances are alive: the path to the one that retains the most.
  if (type != kNoType) s += rootPathSection(loaded, loaded.index().typeRepresentative[type], sourceMap);
  return s;
}

// Plain text for clients that ask for it (terminal editors): no markup, tables as aligned columns.
std::string markdownToPlain(const std::string& markdown) {
  std::string out;
  std::vector<std::vector<std::string>> table;
  auto flushTable = [&] {
    if (table.empty()) return;
    std::vector<size_t> width;
    for (const auto& row : table)
      for (size_t c = 0; c < row.size(); ++c) {
        if (width.size() <= c) width.push_back(0);
        width[c] = std::max(width[c], row[c].size());
      }
    for (const auto& row : table) {
      std::string line = " ";
      for (size_t c = 0; c < row.size(); ++c) line += " " + row[c] + std::string(width[c] - row[c].size() + 1, ' ');
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    table.clear();
  };
  for (std::string_view line : splitSourceLines(markdown)) {
    std::string l(line);
    auto erase = [&](const std::string& what) {
      for (size_t at; (at = l.find(what)) != std::string::npos;) l.erase(at, what.size());
    };
    if (l.starts_with("|")) {
      if (l.find("---") != std::string::npos && l.find_first_not_of("|-: ") == std::string::npos) continue;
      std::vector<std::string> cells;
      size_t start = 1;
      for (size_t bar; (bar = l.find('|', start)) != std::string::npos; start = bar + 1) {
        std::string cell = l.substr(start, bar - start);
        cell.erase(0, cell.find_first_not_of(' '));
        while (!cell.empty() && cell.back() == ' ') cell.pop_back();
        for (const char* m : {"**", "`"})
          for (size_t at; (at = cell.find(m)) != std::string::npos;) cell.erase(at, std::string_view(m).size());
        cells.push_back(cell);
      }
      table.push_back(std::move(cells));
      continue;
    }
    flushTable();
    if (l == "---") {
      out += "\n";
      continue;
    }
    if (l.starts_with("### ")) l.erase(0, 4);
    erase("**");
    erase("`");
    if (l.ends_with("  ")) l.erase(l.size() - 2);
    out += l + "\n";
  }
  flushTable();
  // Collapse runs of blank lines.
  std::string squeezed;
  for (char c : out)
    if (!(c == '\n' && squeezed.size() >= 2 && squeezed[squeezed.size() - 1] == '\n' && squeezed[squeezed.size() - 2] == '\n'))
      squeezed += c;
  while (!squeezed.empty() && squeezed.back() == '\n') squeezed.pop_back();
  return squeezed;
}

}  // namespace

protocol::MarkupContent shapeHover(std::string markdown, const FeatureSettings& settings) {
  protocol::MarkupContent content;
  content.kind = settings.plainTextHover ? "plaintext" : "markdown";
  content.value = settings.plainTextHover ? markdownToPlain(markdown) : std::move(markdown);
  // About a screenful (blank lines not counted): the rest is one command away.
  auto lines = splitSourceLines(content.value);
  size_t filled = 0, cut = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    if (++filled == settings.hoverMaxLines) {
      cut = i;  // this line and the rest give way to the "more" line
      break;
    }
  }
  if (cut < lines.size()) {
    size_t more = 0;
    for (size_t i = cut; i < lines.size(); ++i) more += !lines[i].empty();
    std::string kept;
    for (size_t i = 0; i < cut; ++i) kept += std::string(lines[i]) + "\n";
    kept += (settings.plainTextHover ? "… " : "\n_… ") + plural(more, "more line") +
            ": the full paths are in heaplens.showRetainers at this line" + (settings.plainTextHover ? "" : "_");
    content.value = std::move(kept);
  }
  return content;
}

std::optional<protocol::Hover> getHover(const FeatureContext& ctx, const Document& doc, protocol::Position pos) {
  const uint32_t line1 = pos.line + 1;
  std::vector<std::string> sections;
  if (const LoadedDump* file = dumpOfDocument(ctx, doc))
    if (auto s = dumpFileHover(*file, line1)) sections.push_back(std::move(*s));
  auto docLines = linesForDocument(ctx, doc);
  std::set<std::pair<const LoadedDump*, std::string>> typesShown;  // a type declared here, once per dump
  for (const LineHit& hit : entriesAt(docLines, line1)) {
    switch (hit.entry->kind) {
      case LineKind::Frame: sections.push_back(frameSection(*hit.dump, *hit.entry, ctx.sourceMap)); break;
      case LineKind::Creation: sections.push_back(creationSection(*hit.dump, *hit.entry)); break;
      case LineKind::Allocation: sections.push_back(allocationSection(*hit.dump, *hit.entry, ctx.sourceMap)); break;
      // What grew since the baseline is the news: first, so a long hover is not cut before it.
      case LineKind::Growth: sections.insert(sections.begin(), growthSection(*hit.dump, *hit.entry)); break;
      case LineKind::Definition:
        for (TypeId t : hit.entry->types) {
          std::string name(hit.dump->graph().str(hit.dump->graph().typeName[t]));
          if (!typesShown.insert({hit.dump, name}).second) continue;
          std::string s = typeSection(*hit.dump, name, ctx.sourceMap);
          // A type's own line speaks of the type first, then of what its constructor allocates.
          if (!s.empty()) sections.insert(sections.begin(), std::move(s));
        }
        break;
    }
  }
  // The document is split at most once, and only when the line's text is needed.
  std::vector<std::string_view> lines;
  auto lineText = [&]() -> const std::string_view* {
    if (lines.empty()) lines = splitSourceLines(doc.text);
    return pos.line < lines.size() ? &lines[pos.line] : nullptr;
  };
  const Language& language = languageFor(doc.languageId, doc.path);
  for (const SourceDeclaration& decl : language.declarationsAt(doc.text, pos.line)) {
    if (decl.kind != SourceDeclaration::Kind::Type) continue;
    for (const auto& loaded : ctx.dumps) {
      if (typesShown.count({loaded.get(), decl.qualifiedName})) continue;
      // The dump says this type is declared in another workspace file (this is the compiled .js of
      // that .ts class, or another class of the same name): its figures are shown there.
      if (loaded->hasHeap() && loaded->index().typeNamed(loaded->graph(), decl.qualifiedName) != kNoType &&
          typeForDeclaration(*loaded, decl.qualifiedName, doc.path, ctx.sourceMap) == kNoType)
        continue;
      std::string s = typeSection(*loaded, decl.qualifiedName, ctx.sourceMap);
      if (!s.empty()) sections.push_back(std::move(s));
    }
  }
  if (sections.empty()) return std::nullopt;
  protocol::Hover hover;
  for (size_t i = 0; i < sections.size(); ++i) hover.contents.value += (i ? "\n---\n\n" : "") + sections[i];
  hover.contents = shapeHover(std::move(hover.contents.value), ctx.settings);
  uint32_t lineLength = 0;
  if (const std::string_view* text = lineText()) lineLength = static_cast<uint32_t>(text->size());
  hover.range = protocol::Range{{pos.line, 0}, {pos.line, lineLength}};
  return hover;
}

}  // namespace heaplens::lsp
