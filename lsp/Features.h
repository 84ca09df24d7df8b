// Features: the editor features as free functions over the loaded dumps and one document.
//
// The server only schedules these (clangd's getHover(AST, Pos) pattern): each
// takes a FeatureContext (the dumps loaded at the moment the request was
// read, the workspace's source map and settings) and a document, and returns
// protocol values. None of them blocks on a load in progress.
//
// Threading: called on worker threads with immutable inputs.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/Dump.h"
#include "analysis/Paths.h"
#include "analysis/SourceMap.h"
#include "analysis/DumpFileIndex.h"
#include "analysis/LineIndex.h"
#include "protocol/HeapLensProtocol.h"
#include "protocol/LspTypes.h"

namespace heaplens::lsp {

// A dump as the server holds it: the immutable Dump plus indexes built on first use (the server asks for
// them when a load ends, on the load's thread, before it publishes the dump).
class LoadedDump {
public:
  explicit LoadedDump(std::shared_ptr<const Dump> dump) : dump_(std::move(dump)) {}
  const Dump& dump() const { return *dump_; }
  std::shared_ptr<const Dump> shared() const { return dump_; }
  bool hasHeap() const { return dump_->heap.has_value(); }
  const HeapGraph& graph() const { return dump_->heap->graph; }  // only when hasHeap()
  const HeapPart& heap() const { return *dump_->heap; }          // only when hasHeap()
  // Built once, on first use, thread-safe. paths() and index() only when hasHeap(). `ctx` is the
  // paths' search's progress and cancel when this call is the one that builds them.
  const PathFinder& paths(const TaskContext& ctx = {}) const;
  const HeapIndex& index() const;
  const HeapIndex* heapIndex() const { return hasHeap() ? &index() : nullptr; }
  const DumpFileIndex& dumpFileIndex() const;
  // Rebuilt when the source map's generation changes.
  std::shared_ptr<const LineIndex> sources(const SourceMap& sourceMap) const;
  // Builds all of the above now (the server calls it on the load's thread, before it publishes the
  // dump). The root paths' search reports progress and stops at a cancel (OperationCancelled); the
  // other two do not (the HeapIndex took 0.8 s on the 4.5-million-object Go bench dump).
  void prepare(const SourceMap& sourceMap, const TaskContext& ctx) const;

private:
  std::shared_ptr<const Dump> dump_;
  mutable std::once_flag pathsOnce_, indexOnce_, fileIndexOnce_;
  mutable std::unique_ptr<DumpFileIndex> fileIndex_;
  mutable std::unique_ptr<PathFinder> paths_;
  mutable std::unique_ptr<HeapIndex> index_;
  mutable std::mutex sourcesMutex_;
  mutable std::shared_ptr<const LineIndex> sources_;
};

struct FeatureSettings {
  double warningShare = 0.10;   // Warning severity at or above this share of the heap
  double hotspotShare = 0.005;  // lines below this share of the heap get no diagnostic
  size_t maxDiagnosticsPerFile = 50;
  size_t maxPaths = 5;          // retention paths per heaplens/retainers answer
  size_t hoverMaxLines = 15;    // longer hovers are cut, with a line saying how to see the rest
  bool inlayHints = false;      // textDocument/inlayHint answers only when on
  size_t maxDiagnosticFiles = 50;  // workspace files (open or not) that get diagnostics after a load
  uint64_t growthWarningObjects = 100;  // growth records (baseline or heap-diff) of at least this many more objects warn; 0: none
  // From the client's capabilities, not a setting: hover.contentFormat prefers plain text.
  bool plainTextHover = false;
};

struct Document {
  std::string uri;
  std::string path;  // absolute local path
  std::string languageId;
  int version = 0;
  std::string text;
};

struct FeatureContext {
  std::vector<std::shared_ptr<const LoadedDump>> dumps;
  const SourceMap* sourceMap = nullptr;
  FeatureSettings settings;
};

std::optional<protocol::Hover> getHover(const FeatureContext& ctx, const Document& doc, protocol::Position pos);
// A hover's text as the client reads it: plain text or markdown, at most settings.hoverMaxLines lines.
protocol::MarkupContent shapeHover(std::string markdown, const FeatureSettings& settings);
// textDocument/inlayHint: the figures at the end of annotated lines in [first, last] (0-based), when on.
nlohmann::json getInlayHints(const FeatureContext& ctx, const Document& doc, uint32_t first, uint32_t last);
std::vector<protocol::CodeLens> getCodeLenses(const FeatureContext& ctx, const Document& doc);
std::vector<protocol::Diagnostic> getDiagnostics(const FeatureContext& ctx, const Document& doc);

// A text dump file open in the editor: the loaded dump whose path is the document's, or nullptr.
const LoadedDump* dumpOfDocument(const FeatureContext& ctx, const Document& doc);
// Features on such a document, from the dump's DumpFileIndex (DumpFileFeatures.cpp).
std::vector<protocol::Diagnostic> dumpFileDiagnostics(const LoadedDump& loaded, const Document& doc);
std::vector<protocol::DocumentSymbol> getDocumentSymbols(const FeatureContext& ctx, const Document& doc);
std::vector<protocol::FoldingRange> getFoldingRanges(const FeatureContext& ctx, const Document& doc);
std::optional<std::string> dumpFileHover(const LoadedDump& loaded, uint32_t line1);
std::vector<protocol::CodeLens> dumpFileLenses(const LoadedDump& loaded);

// heaplens/retainers: params {textDocument, position} or {dump, site} or {dump, node}, k.
// Answers {paths: [{steps: [{label, node, type, size, retained, location?}]}]}.
// Throws protocol::ParamsError on bad params.
protocol::RetainersResult getRetainers(const FeatureContext& ctx, const nlohmann::json& params,
                                       const std::optional<Document>& doc);

// The side bar's lists, one page each (Browse.cpp). Throw protocol::ParamsError on bad params.
protocol::TopSitesResult getTopSites(const FeatureContext& ctx, const protocol::BrowseParams& params);
protocol::TypesResult getTypes(const FeatureContext& ctx, const protocol::BrowseParams& params);
protocol::DominatorsResult getDominators(const FeatureContext& ctx, const protocol::BrowseParams& params);
// heaplens/pageDumpHtml: the page-dump page of a loaded dump, under the caller's nonce.
protocol::PageDumpHtmlResult getPageDumpHtml(const FeatureContext& ctx, const protocol::PageDumpHtmlParams& params);

}  // namespace heaplens::lsp
