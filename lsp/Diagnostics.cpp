// Diagnostics: hotspots of the loaded dumps on the open document's lines.
//
// Allocation lines and MoarVM frames above the configured share of the live
// heap get an Information diagnostic (Warning above warningShare) whose
// related information walks the shortest retention path, each step at its
// source line where one is known. Raku types whose instance count never fell
// across snapshots are flagged at their declaration. Hotspots are never
// tagged Unnecessary: that greys the line out.
//
// Threading: runs on a worker with immutable inputs.
#include <algorithm>

#include "analysis/Text.h"
#include "lsp/FeatureSupport.h"

namespace heaplens::lsp {
namespace {

protocol::Range lineRange(const std::vector<std::string_view>& lines, uint32_t line0) {
  uint32_t length = line0 < lines.size() ? static_cast<uint32_t>(lines[line0].size()) : 0;
  uint32_t indent = 0;
  if (line0 < lines.size())
    while (indent < length && (lines[line0][indent] == ' ' || lines[line0][indent] == '\t')) ++indent;
  return {{line0, indent}, {line0, length}};
}

void addPath(protocol::Diagnostic& diag, const LoadedDump& loaded, NodeId node, const Document& doc,
             const SourceMap* sourceMap) {
  if (node == kNoNode) return;
  auto path = loaded.paths().shortestPath(node);
  if (!path) return;
  const HeapGraph& g = loaded.dump().graph;
  for (size_t i = 0; i < path->steps.size(); ++i) {
    const PathStep& step = path->steps[i];
    std::string label = step.via == kNoEdge ? "" : g.labelText(step.via);
    std::string node = describeNode(g, step.node, sourceMap);
    std::string prefix;
    if (!label.empty() && label != node) prefix = i == 0 ? label + ": " : "[" + label + "] ";
    std::string text = std::to_string(i + 1) + ". " + prefix + node;
    protocol::DiagnosticRelatedInformation info;
    if (auto loc = stepLocation(g, step.node, sourceMap)) {
      info.location = *loc;
    } else {
      info.location = protocol::Location{doc.uri, diag.range};
    }
    info.message = "retained via " + text;
    diag.relatedInformation.push_back(std::move(info));
  }
}

}  // namespace

std::vector<protocol::Diagnostic> getDiagnostics(const FeatureContext& ctx, const Document& doc) {
  std::vector<protocol::Diagnostic> out;
  auto lines = splitLines(doc.text);
  const bool isGo = isGoDocument(doc);

  for (const DocumentLines& dl : linesForDocument(ctx, doc)) {
    const Dump& d = dl.dump->dump();
    const DumpIndex& index = dl.dump->index();
    for (const LineEntry& e : *dl.lines) {
      uint64_t bytes = e.frames ? e.stats.retainedBytes : e.stats.shallowBytes;
      double share = shareOfHeap(index, bytes);
      if (share < ctx.settings.hotspotShare || e.line == 0) continue;
      protocol::Diagnostic diag;
      diag.range = lineRange(lines, e.line - 1);
      diag.severity = share >= ctx.settings.warningShare ? protocol::DiagnosticSeverity::Warning
                                                          : protocol::DiagnosticSeverity::Information;
      diag.code = e.frames ? "heaplens.frame" : "heaplens.hotspot";
      diag.message = entrySummary(d, index, e);
      if (ctx.dumps.size() > 1) diag.message += " [" + dumpName(d) + "]";
      addPath(diag, *dl.dump, e.representative, doc, ctx.sourceMap);
      out.push_back(std::move(diag));
    }
  }

  // Raku type declarations (0-based line, name), found once for every dump with a timeline.
  std::vector<std::pair<uint32_t, std::string>> rakuTypes;
  const bool anyTimeline = std::any_of(ctx.dumps.begin(), ctx.dumps.end(), [](const auto& loaded) {
    return loaded->dump().typeTimeline.counts.size() >= 2;
  });
  if (anyTimeline && isRakuDocument(doc)) {
    for (uint32_t line0 = 0; line0 < lines.size(); ++line0)
      if (auto typeName = rakuTypeDeclaration(lines[line0])) rakuTypes.emplace_back(line0, std::move(*typeName));
  }

  for (const auto& loaded : ctx.dumps) {
    const Dump& d = loaded->dump();
    if (isGo && d.attributionProblem && d.format == "go") {
      protocol::Diagnostic diag;
      diag.range = lineRange(lines, 0);
      diag.severity = protocol::DiagnosticSeverity::Information;
      diag.code = "heaplens.noAttribution";
      diag.message = dumpName(d) + ": " + *d.attributionProblem;
      out.push_back(std::move(diag));
    }
    const TypeTimeline& tl = d.typeTimeline;
    if (tl.counts.size() < 2) continue;
    for (const auto& [line0, typeName] : rakuTypes) {
      const std::optional<size_t> t = tl.indexOf(typeName);
      if (!t) continue;
      bool neverFell = true;
      for (size_t s = 1; s < tl.counts.size(); ++s) neverFell = neverFell && tl.countAt(s, *t) >= tl.countAt(s - 1, *t);
      uint64_t first = tl.countAt(0, *t), last = tl.countAt(tl.counts.size() - 1, *t);
      if (!neverFell || last <= first) continue;
      protocol::Diagnostic diag;
      diag.range = lineRange(lines, line0);
      diag.severity = protocol::DiagnosticSeverity::Warning;
      diag.code = "heaplens.growth";
      diag.message = typeName + " instances never decreased across " + std::to_string(tl.counts.size()) +
                     " snapshots: " + formatCount(first) + " → " + formatCount(last) + " (" + dumpName(d) + ")";
      out.push_back(std::move(diag));
    }
  }

  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.severity < b.severity; });
  if (out.size() > ctx.settings.maxDiagnosticsPerFile) out.resize(ctx.settings.maxDiagnosticsPerFile);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.range.start.line < b.range.start.line; });
  return out;
}

}  // namespace heaplens::lsp
