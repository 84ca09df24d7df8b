// HeapLensProtocol: every custom request, command argument and result of HeapLens, as C++ types.
//
// The wire names of HeapLens' own methods and commands, and the shapes they
// carry, are defined here once. Each type has its JSON mapping beside it and a
// TypeSpec (name, fields, TypeScript types) from which `heaplens protocol
// --typescript` generates the VS Code extension's protocol.generated.ts. Two
// tests keep the three in step: a unit test checks that each type's to_json
// writes exactly its spec's fields, and the extension's test checks that the
// committed TypeScript equals the generated text.
//
// Threading: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/LspTypes.h"

namespace heaplens::protocol {

// workspace/executeCommand commands.
inline constexpr const char* kLoadDumpCommand = "heaplens.loadDump";
inline constexpr const char* kUnloadDumpCommand = "heaplens.unloadDump";
inline constexpr const char* kShowRetainersCommand = "heaplens.showRetainers";
// Custom requests.
inline constexpr const char* kSummaryMethod = "heaplens/summary";
inline constexpr const char* kRetainersMethod = "heaplens/retainers";
inline constexpr const char* kFormatsMethod = "heaplens/formats";
// The side bar's trees, paged on the server.
inline constexpr const char* kTopSitesMethod = "heaplens/topSites";
inline constexpr const char* kTypesMethod = "heaplens/types";
inline constexpr const char* kDominatorsMethod = "heaplens/dominators";
// The page-dump page (heap timeline, page heat maps) of a loaded dump, for a webview.
inline constexpr const char* kPageDumpHtmlMethod = "heaplens/pageDumpHtml";
// Notifications from the server.
inline constexpr const char* kDumpsChangedNotification = "heaplens/dumpsChanged";  // params: SummaryResult

// heaplens.loadDump's argument in object form (a bare path string is accepted too).
struct LoadDumpArgument {
  std::string path;
  std::optional<uint32_t> snapshot;  // 0-based index, for formats holding several snapshots
  std::optional<std::string> baseline;    // a dump of the same format to compare against (growth)
  std::optional<std::string> executable;  // the program that wrote the dump (Go: types and names)
};

// What heaplens.loadDump answers, and one entry of heaplens/summary.
struct DumpSummary {
  std::string format;
  std::string description;
  std::string path;
  uint64_t objects = 0;
  uint64_t totalBytes = 0;
  uint64_t sites = 0;
  uint64_t unreachableObjects = 0;
  std::optional<uint32_t> snapshot;  // 0-based index of the snapshot loaded; absent for single-snapshot formats
  uint64_t snapshotCount = 0;
  std::vector<std::string> parts;    // "heap", "snapshots", "timeline", "pageMaps", "growth"
  std::vector<std::string> warnings;
  std::optional<std::string> attributionProblem;
  std::optional<std::string> baseline;    // the dump this one is compared against, if any
  std::optional<std::string> executable;  // the executable read beside the dump, if any
};

struct SummaryResult {
  std::vector<DumpSummary> dumps;
  std::vector<std::string> loading;  // paths whose load is still running
};

struct UnloadResult {
  std::string unloaded;
};

// heaplens/retainers params: a document position, or a dump and a node id.
struct RetainersParams {
  std::optional<TextDocumentIdentifier> textDocument;
  std::optional<Position> position;
  std::optional<std::string> dump;
  std::optional<uint64_t> node;
  std::optional<uint64_t> k;  // how many paths at most; the maxPaths setting otherwise
};

struct RetainerStep {
  std::string label;        // the edge or root name that leads here ("" for an anonymous slot)
  uint64_t node = 0;
  std::string kind;         // "object", "frame", "root", "synthetic"
  std::string type;
  std::string description;  // "64 B object (main.go:53)"
  uint64_t size = 0;
  uint64_t retained = 0;
  std::optional<Location> location;
};

struct RetainerPath {
  std::string dump;
  std::string text;
  bool throughInterGenerational = false;
  std::vector<RetainerStep> steps;
};

struct RetainersResult {
  std::vector<RetainerPath> paths;
  std::optional<std::string> message;  // why there are none, when there are none
};

// heaplens/formats: what the server reads, from the format registry.
struct FormatInfo {
  std::string name;
  std::string description;
  std::vector<std::string> extensions;
  std::vector<std::string> languages;
  bool parsed = true;  // false: recognised, and its load says why it cannot be read
};

struct FormatsResult {
  std::vector<FormatInfo> formats;
};

// heaplens/topSites, heaplens/types and heaplens/dominators: one page of a loaded dump's list.
struct BrowseParams {
  std::string dump;                   // the path of a loaded dump
  std::optional<std::string> sortBy;  // topSites: live|retained|count; types: count|shallow|retained|growth
  std::optional<uint64_t> node;       // dominators: whose children (the super-root's when absent)
  uint64_t offset = 0;
  uint64_t limit = 100;               // at most 1000
};

// An allocation site (a stack), attributed to its innermost workspace frame.
struct SiteItem {
  uint64_t site = 0;
  std::string function;
  std::string where;  // "main.go:53", or the recorded file when it is not in the workspace ("runtime/map.go:378")
  uint64_t count = 0;
  uint64_t shallowBytes = 0;
  uint64_t retainedBytes = 0;
  std::optional<uint64_t> node;  // the instance that retains the most, for retention paths
  std::optional<Location> location;
};

struct TypeItem {
  std::string type;
  uint64_t count = 0;
  uint64_t shallowBytes = 0;
  uint64_t retainedBytes = 0;
  std::optional<int64_t> countDelta;  // growth since the baseline (or the heap-diff record)
  std::optional<int64_t> sizeDelta;
  std::optional<uint64_t> node;       // the instance that retains the most
  std::optional<Location> location;   // where the type is declared, when the dump says
};

struct DominatorItem {
  uint64_t node = 0;
  std::string type;
  std::string description;  // "64 B object (main.go:53)"
  uint64_t size = 0;
  uint64_t retained = 0;
  uint64_t children = 0;    // nodes it immediately dominates
  std::optional<Location> location;
};

struct TopSitesResult {
  uint64_t total = 0;  // items in the whole list
  std::vector<SiteItem> items;
};
struct TypesResult {
  uint64_t total = 0;
  bool growth = false;  // the dump has growth (a baseline, or heap-diff records)
  std::vector<TypeItem> items;
};
struct DominatorsResult {
  uint64_t total = 0;
  std::vector<DominatorItem> items;
};

// heaplens/pageDumpHtml: the page `heaplens report --html` writes, under the webview's nonce.
struct PageDumpHtmlParams {
  std::string dump;   // the path of a loaded dump with a heap timeline or page maps
  std::string nonce;  // the nonce of the page's script and style (the webview's own)
  std::optional<std::string> cspSource;  // the webview's cspSource, allowed for styles and images
};
struct PageDumpHtmlResult {
  std::string html;
};

void to_json(nlohmann::json& j, const LoadDumpArgument& v);
void from_json(const nlohmann::json& j, LoadDumpArgument& v);  // throws ParamsError
void to_json(nlohmann::json& j, const DumpSummary& v);
void to_json(nlohmann::json& j, const SummaryResult& v);
void to_json(nlohmann::json& j, const UnloadResult& v);
void to_json(nlohmann::json& j, const RetainersParams& v);
void to_json(nlohmann::json& j, const RetainerStep& v);
void to_json(nlohmann::json& j, const RetainerPath& v);
void to_json(nlohmann::json& j, const RetainersResult& v);
void to_json(nlohmann::json& j, const FormatInfo& v);
void to_json(nlohmann::json& j, const FormatsResult& v);
void from_json(const nlohmann::json& j, BrowseParams& v);  // throws ParamsError
void to_json(nlohmann::json& j, const BrowseParams& v);
void to_json(nlohmann::json& j, const SiteItem& v);
void to_json(nlohmann::json& j, const TypeItem& v);
void to_json(nlohmann::json& j, const DominatorItem& v);
void to_json(nlohmann::json& j, const TopSitesResult& v);
void to_json(nlohmann::json& j, const TypesResult& v);
void to_json(nlohmann::json& j, const DominatorsResult& v);
void from_json(const nlohmann::json& j, PageDumpHtmlParams& v);  // throws ParamsError
void to_json(nlohmann::json& j, const PageDumpHtmlParams& v);
void to_json(nlohmann::json& j, const PageDumpHtmlResult& v);

// The description the TypeScript is generated from.
struct FieldSpec {
  std::string name;
  std::string tsType;
  bool optional = false;
  std::string doc;
};
struct TypeSpec {
  std::string name;
  std::string doc;
  std::vector<FieldSpec> fields;
};
const std::vector<TypeSpec>& heapLensTypes();
// protocol.generated.ts: the interfaces and the method and command names.
std::string typescriptDeclarations();

}  // namespace heaplens::protocol
