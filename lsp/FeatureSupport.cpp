// FeatureSupport: shared naming, path rendering and declaration finding for the editor features.
#include "lsp/FeatureSupport.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>

#include "analysis/Text.h"
#include "lsp/Uri.h"

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
  if (g.kind(n) == NodeKind::Frame) return g.locations[frames.front()];
  if (sourceMap) {
    for (LocationId l : frames)
      if (sourceMap->isWorkspace(g.str(g.locations[l].file))) return g.locations[l];
  }
  for (LocationId l : frames) {
    std::string_view file = g.str(g.locations[l].file);
    if (!file.empty() && file != "?" && SourceMap::classifyPath(file) != FrameOrigin::Runtime) return g.locations[l];
  }
  return g.locations[frames.front()];
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
        const SourceLocation& loc = g.locations[frames.front()];
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

double shareOfHeap(const DumpIndex& index, uint64_t bytes) {
  return index.liveBytes == 0 ? 0.0 : static_cast<double>(bytes) / static_cast<double>(index.liveBytes);
}

std::string entrySummary(const Dump& d, const DumpIndex& index, const LineEntry& entry) {
  const GroupStats& s = entry.stats;
  if (entry.frames) {
    return formatCount(s.count) + (s.count == 1 ? " frame" : " frames") + " · retain " +
           formatCount(entry.retainedObjects) + " objects, " + formatBytes(s.retainedBytes) + " — " +
           formatPercent(shareOfHeap(index, s.retainedBytes)) + " of the live heap";
  }
  return formatCount(s.count) + (s.count == 1 ? " live object, " : " live objects, ") +
         formatBytesLong(s.shallowBytes) + " allocated here — " + formatPercent(shareOfHeap(index, s.shallowBytes)) +
         " of the live heap";
}

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

std::vector<Declaration> goFunctions(std::string_view text) {
  static const std::regex funcRe(R"(^func\s*(\([^)]*\)\s*)?([A-Za-z_][A-Za-z0-9_]*))");
  std::vector<Declaration> out;
  auto lines = splitLines(text);
  for (uint32_t i = 0; i < lines.size(); ++i) {
    std::string line(lines[i]);
    std::smatch m;
    if (!std::regex_search(line, m, funcRe)) continue;
    Declaration d{m[2].str(), i, i};
    // A one-line function ends on its own line; otherwise at the first `}` in column 0.
    bool oneLine = line.find('{') != std::string::npos && line.rfind('}') != std::string::npos &&
                   line.rfind('}') > line.find('{');
    if (!oneLine) {
      for (uint32_t j = i + 1; j < lines.size(); ++j) {
        d.lastLine = j;
        if (!lines[j].empty() && lines[j][0] == '}') break;
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::optional<std::string> rakuTypeDeclaration(std::string_view lineView) {
  static const std::regex typeRe(R"(^\s*(?:(?:my|our|unit)\s+)?(?:class|role|grammar)\s+([A-Za-z_][\w:'-]*))");
  std::string line(lineView);
  std::smatch m;
  if (!std::regex_search(line, m, typeRe)) return std::nullopt;
  return m[1].str();
}

bool isRakuDocument(const Document& doc) {
  static const char* exts[] = {".raku", ".rakumod", ".rakutest", ".pm6", ".p6", ".pl6"};
  if (doc.languageId == "raku" || doc.languageId == "perl6") return true;
  std::string ext = std::filesystem::path(doc.path).extension().string();
  return std::any_of(std::begin(exts), std::end(exts), [&](const char* e) { return ext == e; });
}

bool isGoDocument(const Document& doc) { return doc.languageId == "go" || doc.path.ends_with(".go"); }

}  // namespace heaplens::lsp
