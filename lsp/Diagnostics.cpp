// Diagnostics: hotspots of the loaded dumps on the open document's lines.
//
// Allocation lines and MoarVM frames above the configured share of the live
// heap get an Information diagnostic (Warning above warningShare) whose
// related information walks the shortest retention path, each step at its
// source line where one is known. Types that grow across a dump's snapshots
// (Growth.h's one rule) are flagged at their declaration, found by the
// document's Language under the name the dump uses; so are growth records
// (a heap-diff file, a dump against its baseline) of at least
// growthWarningObjects more objects, on their line. Hotspots are never
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

// A finding of one dump, before it is named: its message does not say the dump yet.
struct Finding {
  protocol::Diagnostic diag;
  std::string dump;  // the dump's name; empty for findings that name it themselves
};

// Two dumps that say the same thing about a line (the same figures, e.g. one dump loaded under two
// names, or a baseline and a target that agree) give one diagnostic naming both dumps; every
// finding ends with the names of the dumps it comes from.
std::vector<protocol::Diagnostic> nameAndMerge(std::vector<Finding> findings) {
  std::vector<protocol::Diagnostic> out;
  std::vector<std::vector<std::string>> names;  // dump names of out[i]
  for (Finding& f : findings) {
    size_t i = 0;
    if (!f.dump.empty())
      for (; i < out.size(); ++i)
        if (!names[i].empty() && out[i].range.start.line == f.diag.range.start.line && out[i].code == f.diag.code &&
            out[i].message == f.diag.message)
          break;
    if (f.dump.empty() || i == out.size()) {
      out.push_back(std::move(f.diag));
      names.push_back(f.dump.empty() ? std::vector<std::string>{} : std::vector<std::string>{f.dump});
    } else {
      names[i].push_back(f.dump);
      out[i].severity = std::min(out[i].severity, f.diag.severity);
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (names[i].empty()) continue;
    std::string list;
    for (const std::string& n : names[i]) list += (list.empty() ? "" : ", ") + n;
    out[i].message += " [" + list + "]";
  }
  return out;
}

}  // namespace

std::vector<protocol::Diagnostic> getDiagnostics(const FeatureContext& ctx, const Document& doc) {
  std::vector<Finding> found;
  if (const LoadedDump* file = dumpOfDocument(ctx, doc))
    for (protocol::Diagnostic& diag : dumpFileDiagnostics(*file, doc)) found.push_back({std::move(diag), ""});
  auto lines = splitSourceLines(doc.text);

  for (const DocumentLines& dl : linesForDocument(ctx, doc)) {
    const Dump& d = dl.dump->dump();
    const HeapIndex* index = dl.dump->heapIndex();
    for (const LineEntry& e : *dl.lines) {
      if (e.kind == LineKind::Growth) {
        // Growth between two snapshots (a heap-diff file, or a dump against its baseline).
        const uint64_t threshold = ctx.settings.growthWarningObjects;
        if (threshold == 0 || e.line == 0 || e.countDelta < static_cast<int64_t>(threshold)) continue;
        protocol::Diagnostic diag;
        diag.range = lineRange(lines, e.line - 1);
        diag.severity = protocol::DiagnosticSeverity::Warning;
        diag.code = "heaplens.growth";
        std::string what;
        for (uint32_t i : e.growthRecords) {
          const GrowthRecord& r = d.growth->records[i];
          if (!what.empty()) what += "; ";
          what += r.type + " grew " + formatSignedCount(r.countDelta, true) + " objects (" +
                  formatCount(static_cast<uint64_t>(std::max<int64_t>(r.countBefore, 0))) + " → " +
                  formatCount(static_cast<uint64_t>(std::max<int64_t>(r.countAfter, 0))) + "), " +
                  formatSignedBytes(r.sizeDelta);
        }
        diag.message = what;
        found.push_back({std::move(diag), dumpName(d)});
        continue;
      }
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
      addPath(diag, *dl.dump, e.representative, doc, ctx.sourceMap);
      found.push_back({std::move(diag), dumpName(d)});
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
      found.push_back({std::move(diag), ""});
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
                     formatCount(t->lastCount);
      found.push_back({std::move(diag), dumpName(d)});
    }
  }

  std::vector<protocol::Diagnostic> out = nameAndMerge(std::move(found));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.severity < b.severity; });
  if (out.size() > ctx.settings.maxDiagnosticsPerFile) out.resize(ctx.settings.maxDiagnosticsPerFile);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.range.start.line < b.range.start.line; });
  return out;
}

}  // namespace heaplens::lsp
