// DumpFileFeatures: the editor features on a text dump file itself, from its DumpFileIndex.
//
// When the document open in the editor is a loaded dump (an allocator's page
// dump, a heap-diff NDJSON file), its own lines carry the findings:
// malformed lines become Error diagnostics that say what was expected, the
// blocks of the file (phases, GC pairs, their before/after maps) become the
// outline and folding ranges, a hover on a line gives the entry's figures,
// and each "before" page map gets a lens summing its GC. Nothing here asks
// which format the dump is: everything comes from the index, which every
// part with line numbers feeds (analysis/DumpFileIndex.h).
//
// Threading: runs on a worker with immutable inputs.
#include <algorithm>
#include <filesystem>

#include "analysis/Text.h"
#include "lsp/FeatureSupport.h"
#include "lsp/Uri.h"
#include "lsp/languages/Language.h"

namespace heaplens::lsp {
namespace {

protocol::Range wholeLine(const std::vector<std::string_view>& lines, uint32_t line1) {
  const uint32_t line0 = line1 > 0 ? line1 - 1 : 0;
  const uint32_t length = line0 < lines.size() ? static_cast<uint32_t>(lines[line0].size()) : 0;
  return {{line0, 0}, {line0, length}};
}

protocol::Range block(const std::vector<std::string_view>& lines, const DumpLineEntry& e) {
  protocol::Range r = wholeLine(lines, e.line);
  r.end = wholeLine(lines, std::max(e.endLine, e.line)).end;
  return r;
}

int symbolKind(DumpLineKind k) {
  switch (k) {
    case DumpLineKind::Section: return 3;     // Namespace
    case DumpLineKind::PageMap: return 23;    // Struct
    case DumpLineKind::PageClass: return 8;   // Field
    case DumpLineKind::Growth: return 5;      // Class
    case DumpLineKind::Sample: return 13;     // Variable
    case DumpLineKind::Problem: return 24;    // Event
  }
  return 13;
}

}  // namespace

const LoadedDump* dumpOfDocument(const FeatureContext& ctx, const Document& doc) {
  if (doc.path.empty()) return nullptr;
  const std::string normal = std::filesystem::path(doc.path).lexically_normal().string();
  for (const auto& loaded : ctx.dumps)
    if (loaded->dump().path == doc.path || loaded->dump().path == normal) return loaded.get();
  return nullptr;
}

std::vector<protocol::Diagnostic> dumpFileDiagnostics(const LoadedDump& loaded, const Document& doc) {
  std::vector<protocol::Diagnostic> out;
  auto lines = splitSourceLines(doc.text);
  for (const DumpLineEntry& e : loaded.dumpFileIndex().entries) {
    if (e.kind != DumpLineKind::Problem) continue;
    protocol::Diagnostic d;
    d.range = wholeLine(lines, e.line);
    d.severity = protocol::DiagnosticSeverity::Error;
    d.code = "heaplens.malformedLine";
    d.message = "line " + std::to_string(e.line) + ": " + e.detail;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<protocol::DocumentSymbol> getDocumentSymbols(const FeatureContext& ctx, const Document& doc) {
  const LoadedDump* loaded = dumpOfDocument(ctx, doc);
  if (!loaded) return {};
  const DumpFileIndex& index = loaded->dumpFileIndex();
  auto lines = splitSourceLines(doc.text);
  // Blocks only (sections, page maps, growth records): single lines of data would drown the outline.
  auto shown = [](const DumpLineEntry& e) {
    return e.kind == DumpLineKind::Section || e.kind == DumpLineKind::PageMap || e.kind == DumpLineKind::Growth;
  };
  // Children are built before their parents: entries are sorted by line, parents first, so walk backwards.
  std::vector<std::vector<protocol::DocumentSymbol>> children(index.entries.size());
  std::vector<protocol::DocumentSymbol> top;
  for (size_t i = index.entries.size(); i-- > 0;) {
    const DumpLineEntry& e = index.entries[i];
    if (!shown(e)) continue;
    protocol::DocumentSymbol s;
    s.name = e.title;
    s.detail = e.detail;
    s.kind = symbolKind(e.kind);
    s.range = block(lines, e);
    s.selectionRange = wholeLine(lines, e.line);
    s.children = std::move(children[i]);
    std::reverse(s.children.begin(), s.children.end());
    int32_t parent = e.parent;
    while (parent >= 0 && !shown(index.entries[static_cast<size_t>(parent)]))
      parent = index.entries[static_cast<size_t>(parent)].parent;
    if (parent >= 0) children[static_cast<size_t>(parent)].push_back(std::move(s));
    else top.push_back(std::move(s));
  }
  std::reverse(top.begin(), top.end());
  return top;
}

std::vector<protocol::FoldingRange> getFoldingRanges(const FeatureContext& ctx, const Document& doc) {
  std::vector<protocol::FoldingRange> out;
  const LoadedDump* loaded = dumpOfDocument(ctx, doc);
  if (!loaded) return out;
  for (const DumpLineEntry& e : loaded->dumpFileIndex().entries)
    if (e.endLine > e.line && e.line > 0) out.push_back({e.line - 1, e.endLine - 1, "region"});
  return out;
}

std::optional<std::string> dumpFileHover(const LoadedDump& loaded, uint32_t line1) {
  auto entries = loaded.dumpFileIndex().at(line1);
  if (entries.empty()) return std::nullopt;
  std::string s = "### HeapLens · " + dumpName(loaded.dump()) + "\n\n";
  for (const DumpLineEntry* e : entries) s += "**" + e->title + "**: " + e->detail + "\n\n";
  return s;
}

std::vector<protocol::CodeLens> dumpFileLenses(const LoadedDump& loaded) {
  std::vector<protocol::CodeLens> out;
  const DumpFileIndex& index = loaded.dumpFileIndex();
  for (const DumpLineEntry& e : index.entries) {
    // One lens per GC block, on its first line (the "before" header): the block's summary.
    if (e.kind != DumpLineKind::Section || e.detail.empty() || e.line == 0) continue;
    protocol::CodeLens lens;
    lens.range = {{e.line - 1, 0}, {e.line - 1, 0}};
    lens.command = protocol::Command{e.title + ": " + e.detail, "heaplens.showPageDump",
                                     nlohmann::json::array({{{"dump", loaded.dump().path}, {"line", e.line}}})};
    out.push_back(std::move(lens));
  }
  return out;
}

}  // namespace heaplens::lsp
