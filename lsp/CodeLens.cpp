// CodeLens: one lens per hotspot line and per function that allocated live memory.
//
// Hotspot lenses carry a heaplens.showRetainers command for their line, so a
// click asks the server for retention paths. Function lenses sum the lines
// inside each function whose extent the document's Language knows. Frame
// declaration lines (MoarVM), lines that created root holders (a goroutine's
// go statement) and growth records always get a lens: they are the only
// source lines such a part knows.
//
// Threading: runs on a worker with immutable inputs.
#include <set>
#include <algorithm>
#include <unordered_set>

#include "analysis/Text.h"
#include "lsp/FeatureSupport.h"
#include "lsp/languages/Language.h"

namespace heaplens::lsp {
namespace {

constexpr size_t kMinLensesPerFile = 20;

nlohmann::json retainersArgument(const Document& doc, uint32_t line0) {
  return nlohmann::json::array(
      {{{"textDocument", {{"uri", doc.uri}}}, {"position", {{"line", line0}, {"character", 0}}}}});
}

std::string lensTitle(const Dump& d, const LineEntry& e) {
  switch (e.kind) {
    case LineKind::Frame:
      return plural(e.stats.count, "frame") + " · retain " + plural(e.stats.retainedObjects, "object") + ", " +
             formatBytes(e.stats.retainedBytes);
    case LineKind::Growth:
      return "grew " + formatSignedCount(e.countDelta, true) + " objects · " + formatSignedBytes(e.sizeDelta);
    case LineKind::Definition:
      return plural(e.stats.count, "instance") + " · " + formatBytes(e.stats.shallowBytes) + " · retain " +
             formatBytes(e.stats.retainedBytes);
    case LineKind::Creation:
      return "created " + createdText(d, e) + " · retain " + plural(e.stats.retainedObjects, "object") + ", " +
             formatBytes(e.stats.retainedBytes);
    case LineKind::Allocation:
      break;
  }
  return plural(e.stats.count, "live object") + " · " + formatBytes(e.stats.shallowBytes) + " · retains " +
         formatBytes(e.stats.retainedBytes);
}

}  // namespace

std::vector<protocol::CodeLens> getCodeLenses(const FeatureContext& ctx, const Document& doc) {
  std::vector<protocol::CodeLens> lenses;
  if (const LoadedDump* file = dumpOfDocument(ctx, doc)) lenses = dumpFileLenses(*file);
  auto docLines = linesForDocument(ctx, doc);
  const Language& language = languageFor(doc.languageId, doc.path);
  std::vector<SourceDeclaration> functions;  // with a known range, so allocations inside can be summed
  std::vector<SourceDeclaration> types;
  for (SourceDeclaration& decl : language.declarations(doc.text)) {
    if (decl.kind == SourceDeclaration::Kind::Function && decl.lastLine > decl.firstLine) functions.push_back(std::move(decl));
    else if (decl.kind == SourceDeclaration::Kind::Type) types.push_back(std::move(decl));
  }

  // Type declarations of the document that a dump has instances of: a lens on the declaration, whose
  // command shows the paths to the instance that retains the most.
  std::set<std::pair<const LoadedDump*, TypeId>> typesLensed;
  for (const auto& loaded : ctx.dumps) {
    if (!loaded->hasHeap() || types.empty()) continue;
    const HeapIndex& index = loaded->index();
    for (const SourceDeclaration& decl : types) {
      const TypeId t = typeForDeclaration(*loaded, decl.qualifiedName, doc.path, ctx.sourceMap);
      const GroupStats* stats = t == kNoType ? nullptr : index.typeStats(t);
      if (!stats || stats->count == 0 || index.typeRepresentative[t] == kNoNode) continue;
      typesLensed.insert({loaded.get(), t});
      protocol::CodeLens lens;
      lens.range = {{decl.firstLine, 0}, {decl.firstLine, 0}};
      std::string title = decl.name + ": " + plural(stats->count, "instance") + " · " + formatBytes(stats->shallowBytes) +
                          " · retain " + formatBytes(stats->retainedBytes);
      if (ctx.dumps.size() > 1) title += " (" + dumpName(loaded->dump()) + ")";
      nlohmann::json arg = {{"dump", loaded->dump().path}, {"node", index.typeRepresentative[t]}};
      lens.command = protocol::Command{title, "heaplens.showRetainers", nlohmann::json::array({arg})};
      lenses.push_back(std::move(lens));
    }
  }

  for (const DocumentLines& dl : docLines) {
    const Dump& d = dl.dump->dump();
    const HeapIndex* index = dl.dump->heapIndex();
    // The lines worth a lens: above the hotspot share, and at least the largest few of the file.
    std::vector<const LineEntry*> entries;
    for (const LineEntry& e : *dl.lines) entries.push_back(&e);
    auto weight = [](const LineEntry* e) { return e->retains() ? e->stats.retainedBytes : e->stats.shallowBytes; };
    std::stable_sort(entries.begin(), entries.end(), [&](auto* a, auto* b) { return weight(a) > weight(b); });
    for (size_t i = 0; i < entries.size(); ++i) {
      const LineEntry& e = *entries[i];
      // A type lensed at its declaration above needs no second lens where the dump says it is declared.
      if (e.kind == LineKind::Definition &&
          std::all_of(e.types.begin(), e.types.end(), [&](TypeId t) { return typesLensed.count({dl.dump, t}) > 0; }))
        continue;
      bool hot = e.kind == LineKind::Growth || shareOfHeap(index, weight(&e)) >= ctx.settings.hotspotShare;
      if (!e.retains() && !hot && i >= kMinLensesPerFile) continue;
      if (e.line == 0) continue;
      uint32_t line0 = e.line - 1;
      protocol::CodeLens lens;
      lens.range = {{line0, 0}, {line0, 0}};
      std::string title = lensTitle(d, e);
      if (docLines.size() > 1) title += " (" + dumpName(d) + ")";
      lens.command = protocol::Command{title, "heaplens.showRetainers", retainersArgument(doc, line0)};
      lenses.push_back(std::move(lens));
    }

    for (const SourceDeclaration& fn : functions) {
      GroupStats sum;
      const LineEntry* biggest = nullptr;
      for (const LineEntry& e : *dl.lines) {
        if (e.kind != LineKind::Allocation || e.line == 0 || e.line - 1 < fn.firstLine || e.line - 1 > fn.lastLine) continue;
        sum.count += e.stats.count;
        sum.shallowBytes += e.stats.shallowBytes;
        sum.retainedBytes += e.stats.retainedBytes;
        if (!biggest || e.stats.shallowBytes > biggest->stats.shallowBytes) biggest = &e;
      }
      if (!biggest) continue;
      protocol::CodeLens lens;
      lens.range = {{fn.firstLine, 0}, {fn.firstLine, 0}};
      std::string title = fn.name + ": " + plural(sum.count, "live object") + " · " +
                          formatBytes(sum.shallowBytes) + " allocated in this function · " +
                          formatPercent(shareOfHeap(index, sum.shallowBytes)) + " of the heap";
      if (docLines.size() > 1) title += " (" + dumpName(d) + ")";
      lens.command = protocol::Command{title, "heaplens.showRetainers", retainersArgument(doc, biggest->line - 1)};
      lenses.push_back(std::move(lens));
    }
  }
  std::stable_sort(lenses.begin(), lenses.end(),
                   [](const auto& a, const auto& b) { return a.range.start.line < b.range.start.line; });
  return lenses;
}

}  // namespace heaplens::lsp

namespace heaplens::lsp {

nlohmann::json getInlayHints(const FeatureContext& ctx, const Document& doc, uint32_t first, uint32_t last) {
  nlohmann::json hints = nlohmann::json::array();
  if (!ctx.settings.inlayHints) return hints;
  auto docLines = linesForDocument(ctx, doc);
  auto text = splitSourceLines(doc.text);
  for (const DocumentLines& dl : docLines) {
    const HeapIndex* index = dl.dump->heapIndex();
    for (const LineEntry& e : *dl.lines) {
      if (e.line == 0 || e.line - 1 < first || e.line - 1 > last) continue;
      const uint32_t line0 = e.line - 1;
      const uint32_t end = line0 < text.size() ? static_cast<uint32_t>(text[line0].size()) : 0;
      std::string label;
      switch (e.kind) {
        case LineKind::Allocation:
          label = plural(e.stats.count, "object") + " · " + formatBytes(e.stats.shallowBytes) + " · " +
                  formatPercent(shareOfHeap(index, e.stats.shallowBytes));
          break;
        case LineKind::Frame:
          label = plural(e.stats.count, "frame") + " · retain " + formatBytes(e.stats.retainedBytes);
          break;
        case LineKind::Growth:
          label = "grew " + formatSignedCount(e.countDelta, true) + " · " + formatSignedBytes(e.sizeDelta);
          break;
        case LineKind::Creation:
          label = "created " + createdText(dl.dump->dump(), e) + " · retain " + formatBytes(e.stats.retainedBytes);
          break;
        case LineKind::Definition:
          label = plural(e.stats.count, "instance") + " · " + formatBytes(e.stats.shallowBytes) + " · " +
                  formatPercent(shareOfHeap(index, e.stats.shallowBytes));
          break;
      }
      if (docLines.size() > 1) label += " (" + dumpName(dl.dump->dump()) + ")";
      hints.push_back({{"position", {{"line", line0}, {"character", end}}}, {"label", label}, {"paddingLeft", true}});
    }
  }
  return hints;
}

}  // namespace heaplens::lsp
