// Diagnostics: hotspots of the loaded dumps on the open document's lines.
//
// Allocation lines and MoarVM frames above the configured share of the live
// heap get an Information diagnostic (Warning above warningShare) whose
// related information walks the shortest retention path, each step at its
// source line where one is known. Types that grow across a dump's snapshots
// (Growth.h's one rule) are flagged at their declaration, found by the
// document's Language under the name the dump uses. Hotspots are never
// tagged Unnecessary: that greys the line out.
//
// Threading: runs on a worker with immutable inputs.
#include <algorithm>

#include "analysis/Text.h"
#include "analysis/Growth.h"
#include "lsp/FeatureSupport.h"
#include "lsp/languages/Language.h"

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
  const HeapGraph& g = loaded.graph();
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

// Two dumps that say the same thing about a line (the same figures, e.g. one dump loaded under two
// names, or a baseline and a target that agree) give one diagnostic naming both dumps.
std::vector<protocol::Diagnostic> mergeIdentical(std::vector<protocol::Diagnostic> in) {
  // The dump names are the message's trailing "[a.heapdump]" / "(a.heapdump)".
  auto split = [](const std::string& m) -> std::pair<std::string, std::string> {
    if (m.size() > 2 && (m.back() == ']' || m.back() == ')')) {
      const char open = m.back() == ']' ? '[' : '(';
      if (auto at = m.rfind(std::string(" ") + open); at != std::string::npos)
        return {m.substr(0, at), m.substr(at + 2, m.size() - at - 3)};
    }
    return {m, ""};
  };
  std::vector<protocol::Diagnostic> out;
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;  // body, dump names of out[i]
  for (protocol::Diagnostic& d : in) {
    auto [body, dumpNames] = split(d.message);
    bool merged = false;
    for (size_t i = 0; i < out.size() && !dumpNames.empty(); ++i) {
      if (out[i].range.start.line != d.range.start.line || out[i].code != d.code || keys[i].first != body ||
          keys[i].second.empty())
        continue;
      keys[i].second.push_back(dumpNames);
      std::string names;
      for (const std::string& n : keys[i].second) names += (names.empty() ? "" : ", ") + n;
      out[i].message = body + " [" + names + "]";
      out[i].severity = std::min(out[i].severity, d.severity);
      merged = true;
      break;
    }
    if (merged) continue;
    keys.push_back({body, dumpNames.empty() ? std::vector<std::string>{} : std::vector<std::string>{dumpNames}});
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

std::vector<protocol::Diagnostic> getDiagnostics(const FeatureContext& ctx, const Document& doc) {
  std::vector<protocol::Diagnostic> out;
  if (const LoadedDump* file = dumpOfDocument(ctx, doc)) out = dumpFileDiagnostics(*file, doc);
  auto lines = splitLines(doc.text);

  for (const DocumentLines& dl : linesForDocument(ctx, doc)) {
    const Dump& d = dl.dump->dump();
    const HeapIndex* index = dl.dump->heapIndex();
    for (const LineEntry& e : *dl.lines) {
      if (e.kind != LineKind::Allocation && e.kind != LineKind::Frame) continue;
      uint64_t bytes = e.isFrame() ? e.stats.retainedBytes : e.stats.shallowBytes;
      double share = shareOfHeap(index, bytes);
      if (share < ctx.settings.hotspotShare || e.line == 0) continue;
      protocol::Diagnostic diag;
      diag.range = lineRange(lines, e.line - 1);
      diag.severity = share >= ctx.settings.warningShare ? protocol::DiagnosticSeverity::Warning
                                                          : protocol::DiagnosticSeverity::Information;
      diag.code = e.isFrame() ? "heaplens.frame" : "heaplens.hotspot";
      diag.message = entrySummary(d, index, e);
      diag.message += " [" + dumpName(d) + "]";
      addPath(diag, *dl.dump, e.representative, doc, ctx.sourceMap);
      out.push_back(std::move(diag));
    }
  }

  // Type declarations of the document, found once, when some dump has a series to grow across.
  const Language& language = languageFor(doc.languageId, doc.path);
  std::vector<SourceDeclaration> types;
  const bool anySeries = std::any_of(ctx.dumps.begin(), ctx.dumps.end(), [](const auto& loaded) {
    return loaded->dump().series && loaded->dump().series->snapshots.size() >= 2;
  });
  if (anySeries)
    for (SourceDeclaration& decl : language.declarations(doc.text))
      if (decl.kind == SourceDeclaration::Kind::Type) types.push_back(std::move(decl));

  for (const auto& loaded : ctx.dumps) {
    const Dump& d = loaded->dump();
    const bool dumpSpeaksThisLanguage =
        std::find(d.languages.begin(), d.languages.end(), language.id()) != d.languages.end();
    if (dumpSpeaksThisLanguage && d.attributionProblem) {
      protocol::Diagnostic diag;
      diag.range = lineRange(lines, 0);
      diag.severity = protocol::DiagnosticSeverity::Information;
      diag.code = "heaplens.noAttribution";
      diag.message = dumpName(d) + ": " + *d.attributionProblem;
      out.push_back(std::move(diag));
    }
    if (!d.series || types.empty()) continue;
    const SeriesGrowth growth = growingTypes(*d.series);
    for (const SourceDeclaration& decl : types) {
      const TypeGrowth* t = growth.find(decl.qualifiedName);
      if (!t) continue;
      protocol::Diagnostic diag;
      diag.range = lineRange(lines, decl.firstLine);
      diag.severity = protocol::DiagnosticSeverity::Warning;
      diag.code = "heaplens.growth";
      diag.message = decl.qualifiedName + " instances never decreased across " +
                     std::to_string(growth.snapshots.size()) + " snapshots: " + formatCount(t->firstCount) + " → " +
                     formatCount(t->lastCount) + " [" + dumpName(d) + "]";
      out.push_back(std::move(diag));
    }
  }

  out = mergeIdentical(std::move(out));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.severity < b.severity; });
  if (out.size() > ctx.settings.maxDiagnosticsPerFile) out.resize(ctx.settings.maxDiagnosticsPerFile);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.range.start.line < b.range.start.line; });
  return out;
}

}  // namespace heaplens::lsp
