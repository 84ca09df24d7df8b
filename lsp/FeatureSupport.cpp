// FeatureSupport: shared naming, path rendering and declaration finding for the editor features.
#include "lsp/FeatureSupport.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>

#include "analysis/Text.h"
#include "lsp/Uri.h"
#include "lsp/languages/Language.h"

namespace heaplens::lsp {

std::vector<DocumentLines> linesForDocument(const FeatureContext& ctx, const Document& doc) {
  std::vector<DocumentLines> out;
  if (!ctx.sourceMap) return out;
  for (const auto& loaded : ctx.dumps) {
    DocumentLines dl;
    dl.dump = loaded.get();
    dl.sources = loaded->sources(*ctx.sourceMap);
    dl.lines = dl.sources->linesOf(doc.path);
    if (!dl.lines) {
      std::string normal = std::filesystem::path(doc.path).lexically_normal().string();
      dl.lines = dl.sources->linesOf(normal);
    }
    if (dl.lines) out.push_back(std::move(dl));
  }
  return out;
}

std::vector<LineHit> entriesAt(const std::vector<DocumentLines>& docLines, uint32_t line1) {
  std::vector<LineHit> hits;
  for (const DocumentLines& dl : docLines) {
    auto it = std::lower_bound(dl.lines->begin(), dl.lines->end(), line1,
                               [](const LineEntry& e, uint32_t l) { return e.line < l; });
    for (; it != dl.lines->end() && it->line == line1; ++it) hits.push_back({dl.dump, &*it});
  }
  return hits;
}

std::string dumpName(const Dump& d) { return std::filesystem::path(d.path).filename().string(); }

std::string readablePath(std::string_view recorded) {
  std::string p = SourceMap::normalise(recorded);
  // GOROOT and module caches: from the import path on. node_modules: from the package on.
  for (std::string_view marker : {"/pkg/mod/", "/node_modules/", "/src/"}) {
    if (marker == "/src/" && SourceMap::classifyPath(p) != FrameOrigin::Runtime) continue;
    if (auto at = p.rfind(marker); at != std::string::npos) {
      std::string tail = p.substr(at + marker.size());
      return marker == "/node_modules/" ? "node_modules/" + tail : tail;
    }
  }
  return p;
}

std::string locationLink(std::string_view recordedFile, uint32_t line, const SourceMap* sourceMap) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on chains of string concatenation.
  std::string lineSuffix;
  if (line) lineSuffix.append(":").append(std::to_string(line));
  const FrameOrigin origin = SourceMap::classifyPath(recordedFile);
  if (sourceMap && origin != FrameOrigin::Runtime && origin != FrameOrigin::Library) {
    if (auto mapped = sourceMap->map(recordedFile)) {
      std::string link = "[";
      link.append(std::filesystem::path(mapped->localPath).filename().string()).append(lineSuffix);
      link.append("](").append(pathToUri(mapped->localPath));
      if (line) link.append("#L").append(std::to_string(line));
      return link.append(")");
    }
  }
  return readablePath(recordedFile).append(lineSuffix);
}

std::string shortLocation(const HeapGraph& g, const SourceLocation& loc) {
  std::string_view file = g.str(loc.file);
  if (file.empty()) return "";
  std::string name = std::filesystem::path(SourceMap::normalise(file)).filename().string();
  if (loc.line == 0) return name;
  return name + ":" + std::to_string(loc.line);
}

std::optional<SourceLocation> nodeLocation(const HeapGraph& g, NodeId n, const SourceMap* sourceMap) {
  auto frames = g.frames(g.site[n]);
  if (frames.empty()) return std::nullopt;
  if (g.kind(n) == NodeKind::Frame) return g.location(frames.front());
  if (sourceMap) {
    for (LocationId l : frames)
      if (sourceMap->isWorkspace(g.str(g.location(l).file))) return g.location(l);
  }
  for (LocationId l : frames) {
    std::string_view file = g.str(g.location(l).file);
    if (!file.empty() && file != "?" && SourceMap::classifyPath(file) != FrameOrigin::Runtime) return g.location(l);
  }
  return g.location(frames.front());
}

std::string frameName(const HeapGraph& g, const SourceLocation& loc) {
  std::string_view fn = g.str(loc.function);
  return fn.empty() ? "<anon>" : std::string(fn);
}

std::string describeNode(const HeapGraph& g, NodeId n, const SourceMap* sourceMap) {
  std::string type(g.typeNameOf(n));
  switch (g.kind(n)) {
    case NodeKind::Frame: {
      auto frames = g.frames(g.site[n]);
      if (!frames.empty()) {
        const SourceLocation& loc = g.location(frames.front());
        return frameName(g, loc) + " " + shortLocation(g, loc) + " (Frame)";
      }
      return type.empty() || type == "(unknown)" ? "frame" : type;
    }
    case NodeKind::Root:
    case NodeKind::Synthetic:
      return type.empty() || type == "(unknown)" ? "root" : type;
    case NodeKind::Object:
      break;
  }
  std::string text = (type.empty() || type == "(unknown)") ? formatBytes(g.shallowSize(n)) + " object" : type;
  if (auto loc = nodeLocation(g, n, sourceMap)) {
    std::string where = shortLocation(g, *loc);
    if (!where.empty()) text += " (" + where + ")";
  }
  return text;
}

std::string pathText(const HeapGraph& g, const RetentionPath& path, const SourceMap* sourceMap) {
  std::string text;
  for (size_t i = 0; i < path.steps.size(); ++i) {
    const PathStep& step = path.steps[i];
    if (i == 0) {
      // The super-root's edge names the root's kind; say it once, then the root itself if it differs.
      std::string kind = step.via == kNoEdge ? "" : g.labelText(step.via);
      std::string node = describeNode(g, step.node, sourceMap);
      // Say the root once: "bss segment", not "bss bss segment".
      if (kind.empty() || node.find(kind) != std::string::npos) text = node;
      else if (kind.find(node) != std::string::npos || node == "root") text = kind;
      else text = kind + " " + node;
      continue;
    }
    std::string label = step.via == kNoEdge ? "" : g.labelText(step.via);
    text += label.empty() ? " → " : " --[" + label + "]--> ";
    text += describeNode(g, step.node, sourceMap);
  }
  return text;
}

std::optional<protocol::Location> stepLocation(const HeapGraph& g, NodeId n, const SourceMap* sourceMap) {
  if (!sourceMap) return std::nullopt;
  auto loc = nodeLocation(g, n, sourceMap);
  if (!loc || loc->line == 0) return std::nullopt;
  auto mapped = sourceMap->map(g.str(loc->file));
  if (!mapped) return std::nullopt;
  protocol::Location out;
  out.uri = pathToUri(mapped->localPath);
  uint32_t line0 = loc->line - 1;
  out.range = {{line0, loc->column > 0 ? loc->column - 1 : 0}, {line0, loc->column > 0 ? loc->column - 1 : 0}};
  return out;
}

TypeId typeForDeclaration(const LoadedDump& loaded, std::string_view name, const std::string& docPath,
                          const SourceMap* sourceMap) {
  if (!loaded.hasHeap()) return kNoType;
  const HeapGraph& g = loaded.graph();
  const std::string doc = std::filesystem::path(docPath).lexically_normal().string();
  TypeId first = kNoType;
  bool elsewhere = false;
  for (TypeId t = 1; t < g.typeCount(); ++t) {
    if (g.str(g.typeName[t]) != name) continue;
    if (first == kNoType) first = t;
    auto frames = g.frames(g.typeSiteOf(t));
    if (frames.empty() || !sourceMap) continue;
    auto mapped = sourceMap->map(g.str(g.location(frames.front()).file));
    if (!mapped) continue;
    if (std::filesystem::path(mapped->localPath).lexically_normal().string() == doc) return t;
    elsewhere = true;
  }
  return elsewhere ? kNoType : first;
}

double shareOfHeap(const HeapIndex* index, uint64_t bytes) {
  if (!index || index->liveBytes == 0) return 0.0;
  return static_cast<double>(bytes) / static_cast<double>(index->liveBytes);
}

std::string createdText(const Dump& d, const LineEntry& e) {
  std::string s;
  for (const auto& [type, count] : e.created) {
    if (!s.empty()) s += ", ";
    std::string name = d.heap && type < d.heap->graph.typeCount() ? std::string(d.heap->graph.str(d.heap->graph.typeName[type]))
                                                                   : std::string("root holder");
    s += count == 1 ? "1 " + name : formatCount(count) + " × " + name;
  }
  return s.empty() ? plural(e.stats.count, "root holder") : s;
}

std::string entrySummary(const Dump& d, const HeapIndex* index, const LineEntry& entry) {
  const GroupStats& s = entry.stats;
  switch (entry.kind) {
    case LineKind::Frame:
      return plural(s.count, "frame") + " · retain " + plural(s.retainedObjects, "object") + ", " +
             formatBytes(s.retainedBytes) + " — " + formatPercent(shareOfHeap(index, s.retainedBytes)) +
             " of the live heap";
    case LineKind::Growth:
      return "grew by " + formatSignedCount(entry.countDelta, true) + " objects, " + formatSignedBytes(entry.sizeDelta);
    case LineKind::Definition:
      return plural(s.count, "instance") + " of the type declared here, " + formatBytesLong(s.shallowBytes) + " — " +
             formatPercent(shareOfHeap(index, s.shallowBytes)) + " of the live heap";
    case LineKind::Creation:
      return "created " + createdText(d, entry) + ", which retain " + plural(s.retainedObjects, "object") + ", " +
             formatBytes(s.retainedBytes) + " — " + formatPercent(shareOfHeap(index, s.retainedBytes)) +
             " of the live heap";
    case LineKind::Allocation:
      break;
  }
  return plural(s.count, "live object") + ", " + formatBytesLong(s.shallowBytes) + " allocated here — " +
         formatPercent(shareOfHeap(index, s.shallowBytes)) + " of the live heap";
}

std::string loadedMessage(const LoadedDump& loaded) {
  const Dump& d = loaded.dump();
  std::string m = "heaplens: loaded " + dumpName(d) + " (" + d.formatDescription + ")";
  if (d.series && d.series->snapshots.size() > 1) m += ", snapshot " + snapshotLabel(*d.series, d.series->selected);
  std::vector<std::string> what;
  if (d.heap) what.push_back(plural(d.objectCount(), "object") + ", " + formatBytes(d.totalBytes()));
  if (d.growth) what.push_back(plural(d.growth->records.size(), "growth record"));
  if (d.timeline) what.push_back(plural(d.timeline->samples.size(), "heap sample"));
  if (d.pageMaps) what.push_back(plural(d.pageMaps->gcs.size(), "collection") + " with page maps");
  if (!d.lineProblems.empty()) what.push_back(plural(d.lineProblems.size(), "malformed line"));
  for (size_t i = 0; i < what.size(); ++i) m += (i ? ", " : ": ") + what[i];
  if (d.heap) {
    // The largest allocation site by live bytes, named by its innermost non-runtime frame.
    const HeapIndex& index = loaded.index();
    const SiteAggregate* top = nullptr;
    for (const SiteAggregate& a : index.aggregates.sites)
      if (a.site < index.siteIsFrame.size() && !index.siteIsFrame[a.site] &&
          (!top || a.stats.shallowBytes > top->stats.shallowBytes))
        top = &a;
    const HeapGraph& g = loaded.graph();
    if (top) {
      std::optional<SourceLocation> where;
      for (LocationId l : g.frames(top->site)) {
        std::string_view file = g.str(g.location(l).file);
        if (!file.empty() && SourceMap::classifyPath(file) != FrameOrigin::Runtime) {
          where = g.location(l);
          break;
        }
      }
      if (where) m += "; most at " + shortLocation(g, *where) + " (" + formatBytes(top->stats.shallowBytes) + ", " +
                      formatPercent(shareOfHeap(index, top->stats.shallowBytes)) + ")";
    }
  }
  if (d.attributionProblem) m += ". " + *d.attributionProblem;
  return m;
}

}  // namespace heaplens::lsp
