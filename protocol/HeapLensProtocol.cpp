// HeapLensProtocol: JSON mappings of the custom types, their specs, and the TypeScript generator.
//
// Threading: pure functions; the spec table is built once.
#include "protocol/HeapLensProtocol.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "protocol/Message.h"

namespace heaplens::protocol {

using nlohmann::json;

namespace {
template <typename T>
void putOptional(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
}  // namespace

void to_json(json& j, const LoadDumpArgument& v) {
  j = json{{"path", v.path}};
  putOptional(j, "snapshot", v.snapshot);
  putOptional(j, "baseline", v.baseline);
  putOptional(j, "executable", v.executable);
}

void from_json(const json& j, LoadDumpArgument& v) {
  if (!j.is_object()) throw ParamsError("", "object {path, snapshot?, baseline?, executable?}, got " + typeName(j));
  v.path = getString(j, "path");
  v.snapshot.reset();
  if (auto s = optInteger(j, "snapshot")) {
    if (*s < 0 || *s > UINT32_MAX) throw ParamsError("/snapshot", "integer from 0");
    v.snapshot = static_cast<uint32_t>(*s);
  }
  v.baseline.reset();
  v.executable.reset();
  if (j.contains("baseline") && !j["baseline"].is_null()) v.baseline = getString(j, "baseline");
  if (j.contains("executable") && !j["executable"].is_null()) v.executable = getString(j, "executable");
}

void to_json(json& j, const DumpSummary& v) {
  j = json{{"format", v.format},       {"description", v.description},
           {"path", v.path},           {"objects", v.objects},
           {"totalBytes", v.totalBytes}, {"sites", v.sites},
           {"unreachableObjects", v.unreachableObjects},
           {"snapshot", v.snapshot ? json(*v.snapshot) : json(nullptr)},
           {"snapshotCount", v.snapshotCount}, {"parts", v.parts},
           {"warnings", v.warnings}};
  putOptional(j, "attributionProblem", v.attributionProblem);
  putOptional(j, "baseline", v.baseline);
  putOptional(j, "executable", v.executable);
}

void to_json(json& j, const SummaryResult& v) { j = json{{"dumps", v.dumps}, {"loading", v.loading}}; }

void to_json(json& j, const UnloadResult& v) { j = json{{"unloaded", v.unloaded}}; }

void to_json(json& j, const RetainersParams& v) {
  j = json::object();
  if (v.textDocument) j["textDocument"] = json{{"uri", v.textDocument->uri}};
  putOptional(j, "position", v.position);
  putOptional(j, "dump", v.dump);
  putOptional(j, "node", v.node);
  putOptional(j, "k", v.k);
}

void to_json(json& j, const RetainerStep& v) {
  j = json{{"label", v.label}, {"node", v.node},   {"kind", v.kind},         {"type", v.type},
           {"description", v.description}, {"size", v.size}, {"retained", v.retained}};
  putOptional(j, "location", v.location);
}

void to_json(json& j, const RetainerPath& v) {
  j = json{{"dump", v.dump}, {"text", v.text}, {"throughInterGenerational", v.throughInterGenerational},
           {"steps", v.steps}};
}

void to_json(json& j, const RetainersResult& v) {
  j = json{{"paths", v.paths}};
  putOptional(j, "message", v.message);
}

void to_json(json& j, const FormatInfo& v) {
  j = json{{"name", v.name}, {"description", v.description}, {"extensions", v.extensions},
           {"languages", v.languages}, {"parsed", v.parsed}};
}

void to_json(json& j, const FormatsResult& v) { j = json{{"formats", v.formats}}; }

void from_json(const json& j, BrowseParams& v) {
  if (!j.is_object()) throw ParamsError("", "object {dump, sortBy?, node?, offset?, limit?}, got " + typeName(j));
  v.dump = getString(j, "dump");
  v.sortBy = j.contains("sortBy") && !j["sortBy"].is_null() ? std::optional(getString(j, "sortBy")) : std::nullopt;
  v.node.reset();
  if (auto n = optInteger(j, "node")) {
    if (*n < 0) throw ParamsError("/node", "a node id (integer from 0)");
    v.node = static_cast<uint64_t>(*n);
  }
  auto offset = optInteger(j, "offset").value_or(0);
  if (offset < 0) throw ParamsError("/offset", "integer from 0");
  v.offset = static_cast<uint64_t>(offset);
  auto limit = optInteger(j, "limit").value_or(100);
  if (limit < 1 || limit > 1000) throw ParamsError("/limit", "integer from 1 to 1000");
  v.limit = static_cast<uint64_t>(limit);
}

void to_json(json& j, const BrowseParams& v) {
  j = json{{"dump", v.dump}, {"offset", v.offset}, {"limit", v.limit}};
  putOptional(j, "sortBy", v.sortBy);
  putOptional(j, "node", v.node);
}

void to_json(json& j, const SiteItem& v) {
  j = json{{"site", v.site},   {"function", v.function},         {"where", v.where},
           {"count", v.count}, {"shallowBytes", v.shallowBytes}, {"retainedBytes", v.retainedBytes}};
  putOptional(j, "node", v.node);
  putOptional(j, "location", v.location);
}

void to_json(json& j, const TypeItem& v) {
  j = json{{"type", v.type}, {"count", v.count}, {"shallowBytes", v.shallowBytes}, {"retainedBytes", v.retainedBytes}};
  putOptional(j, "countDelta", v.countDelta);
  putOptional(j, "sizeDelta", v.sizeDelta);
  putOptional(j, "node", v.node);
  putOptional(j, "location", v.location);
}

void to_json(json& j, const DominatorItem& v) {
  j = json{{"node", v.node}, {"type", v.type},         {"description", v.description},
           {"size", v.size}, {"retained", v.retained}, {"children", v.children}};
  putOptional(j, "location", v.location);
}

void to_json(json& j, const TopSitesResult& v) { j = json{{"total", v.total}, {"items", v.items}}; }
void to_json(json& j, const TypesResult& v) { j = json{{"total", v.total}, {"growth", v.growth}, {"items", v.items}}; }
void to_json(json& j, const DominatorsResult& v) { j = json{{"total", v.total}, {"items", v.items}}; }

void from_json(const json& j, PageDumpHtmlParams& v) {
  if (!j.is_object()) throw ParamsError("", "object {dump, nonce, cspSource?}, got " + typeName(j));
  v.dump = getString(j, "dump");
  v.nonce = getString(j, "nonce");
  // The nonce goes into an attribute and a CSP header: letters and digits only.
  if (v.nonce.size() < 16 || v.nonce.size() > 128 ||
      !std::all_of(v.nonce.begin(), v.nonce.end(), [](unsigned char c) { return std::isalnum(c); }))
    throw ParamsError("/nonce", "16 to 128 letters and digits");
  v.cspSource = j.contains("cspSource") && !j["cspSource"].is_null() ? std::optional(getString(j, "cspSource")) : std::nullopt;
  if (v.cspSource && v.cspSource->find_first_of(";\"'<>\n\r") != std::string::npos)
    throw ParamsError("/cspSource", "a CSP source expression (no ; quotes or angle brackets)");
}

void to_json(json& j, const PageDumpHtmlParams& v) {
  j = json{{"dump", v.dump}, {"nonce", v.nonce}};
  putOptional(j, "cspSource", v.cspSource);
}

void to_json(json& j, const PageDumpHtmlResult& v) { j = json{{"html", v.html}}; }

const std::vector<TypeSpec>& heapLensTypes() {
  static const std::vector<TypeSpec> types = {
      {"LoadDumpArgument", "heaplens.loadDump's argument in object form (a bare path string is accepted too).",
       {{"path", "string", false, ""},
        {"snapshot", "number", true, "0-based index, for formats holding several snapshots"},
        {"baseline", "string", true, "a dump of the same format to compare against (growth)"},
        {"executable", "string", true, "the program that wrote the dump (Go: types and names)"}}},
      {"DumpSummary", "What heaplens.loadDump answers, and one entry of heaplens/summary.",
       {{"format", "string", false, ""},
        {"description", "string", false, ""},
        {"path", "string", false, ""},
        {"objects", "number", false, ""},
        {"totalBytes", "number", false, ""},
        {"sites", "number", false, ""},
        {"unreachableObjects", "number", false, ""},
        {"snapshot", "number | null", false, "0-based index of the snapshot loaded; null for single-snapshot formats"},
        {"snapshotCount", "number", false, ""},
        {"parts", "string[]", false, "\"heap\", \"snapshots\", \"timeline\", \"pageMaps\", \"growth\""},
        {"warnings", "string[]", false, ""},
        {"attributionProblem", "string", true, "why objects could not be put on source lines"},
        {"baseline", "string", true, "the dump this one is compared against, if any"},
        {"executable", "string", true, "the executable read beside the dump, if any"}}},
      {"SummaryResult", "heaplens/summary's answer.",
       {{"dumps", "DumpSummary[]", false, ""}, {"loading", "string[]", false, "paths whose load is still running"}}},
      {"UnloadResult", "heaplens.unloadDump's answer.", {{"unloaded", "string", false, ""}}},
      {"RetainersParams", "heaplens/retainers params: a document position, or a dump and a node id.",
       {{"textDocument", "TextDocumentIdentifier", true, ""},
        {"position", "Position", true, ""},
        {"dump", "string", true, "the path of a loaded dump"},
        {"node", "number", true, "a node id of that dump"},
        {"k", "number", true, "how many paths at most; the maxPaths setting otherwise"}}},
      {"RetainerStep", "One step of a retention path.",
       {{"label", "string", false, "the edge or root name that leads here (empty for an anonymous slot)"},
        {"node", "number", false, ""},
        {"kind", "string", false, "\"object\", \"frame\", \"root\" or \"synthetic\""},
        {"type", "string", false, ""},
        {"description", "string", false, "what the node is, e.g. \"64 B object (main.go:53)\""},
        {"size", "number", false, ""},
        {"retained", "number", false, ""},
        {"location", "Location", true, "the step's source line in the workspace, when known"}}},
      {"RetainerPath", "A path from a root to the node asked about.",
       {{"dump", "string", false, ""},
        {"text", "string", false, ""},
        {"throughInterGenerational", "boolean", false, ""},
        {"steps", "RetainerStep[]", false, ""}}},
      {"RetainersResult", "heaplens/retainers' answer.",
       {{"paths", "RetainerPath[]", false, ""}, {"message", "string", true, "why there are none, when there are none"}}},
      {"FormatInfo", "A dump format the server knows, from its format registry.",
       {{"name", "string", false, ""},
        {"description", "string", false, ""},
        {"extensions", "string[]", false, "file name extensions without the dot, for open dialogs"},
        {"languages", "string[]", false, "language ids of the programs that write such dumps"},
        {"parsed", "boolean", false, "false: recognised only; loading it says why it cannot be read"}}},
      {"FormatsResult", "heaplens/formats' answer.", {{"formats", "FormatInfo[]", false, ""}}},
      {"BrowseParams", "heaplens/topSites, heaplens/types and heaplens/dominators: one page of a loaded dump's list.",
       {{"dump", "string", false, "the path of a loaded dump"},
        {"sortBy", "string", true, "topSites: live, retained or count; types: count, shallow, retained or growth"},
        {"node", "number", true, "dominators: whose children (the roots' when absent)"},
        {"offset", "number", false, ""},
        {"limit", "number", false, "at most 1000"}}},
      {"SiteItem", "An allocation site, attributed to its innermost workspace frame.",
       {{"site", "number", false, ""},
        {"function", "string", false, ""},
        {"where", "string", false, "\"main.go:53\", or the recorded file when it is not in the workspace"},
        {"count", "number", false, ""},
        {"shallowBytes", "number", false, ""},
        {"retainedBytes", "number", false, ""},
        {"node", "number", true, "the instance that retains the most, for retention paths"},
        {"location", "Location", true, ""}}},
      {"TypeItem", "One row of the types histogram.",
       {{"type", "string", false, ""},
        {"count", "number", false, ""},
        {"shallowBytes", "number", false, ""},
        {"retainedBytes", "number", false, ""},
        {"countDelta", "number", true, "growth since the baseline (or the heap-diff record)"},
        {"sizeDelta", "number", true, ""},
        {"node", "number", true, "the instance that retains the most"},
        {"location", "Location", true, "where the type is declared, when the dump says"}}},
      {"DominatorItem", "A node of the dominator tree.",
       {{"node", "number", false, ""},
        {"type", "string", false, ""},
        {"description", "string", false, "e.g. \"64 B object (main.go:53)\""},
        {"size", "number", false, ""},
        {"retained", "number", false, ""},
        {"children", "number", false, "nodes it immediately dominates"},
        {"location", "Location", true, ""}}},
      {"TopSitesResult", "heaplens/topSites' answer.",
       {{"total", "number", false, "items in the whole list"}, {"items", "SiteItem[]", false, ""}}},
      {"TypesResult", "heaplens/types' answer.",
       {{"total", "number", false, ""},
        {"growth", "boolean", false, "the dump has growth (a baseline, or heap-diff records)"},
        {"items", "TypeItem[]", false, ""}}},
      {"DominatorsResult", "heaplens/dominators' answer.",
       {{"total", "number", false, ""}, {"items", "DominatorItem[]", false, ""}}},
      {"PageDumpHtmlParams", "heaplens/pageDumpHtml params: the page `heaplens report --html` writes, for a webview.",
       {{"dump", "string", false, "the path of a loaded dump with a heap timeline or page maps"},
        {"nonce", "string", false, "the nonce of the page's script and style: 16 to 128 letters and digits"},
        {"cspSource", "string", true, "the webview's cspSource, allowed for styles and images"}}},
      {"PageDumpHtmlResult", "heaplens/pageDumpHtml's answer.", {{"html", "string", false, ""}}},
  };
  return types;
}

std::string typescriptDeclarations() {
  std::ostringstream out;
  out << "// protocol.generated.ts: GENERATED by `heaplens protocol --typescript` from\n"
         "// protocol/HeapLensProtocol.cpp. Do not edit: change the C++ types and regenerate\n"
         "// (npm run protocol). The extension's tests fail when this file and the server differ.\n"
         "import type { TextDocumentIdentifier, Position, Location } from 'vscode-languageserver-protocol';\n\n";
  out << "export const Commands = {\n"
      << "  loadDump: '" << kLoadDumpCommand << "',\n"
      << "  unloadDump: '" << kUnloadDumpCommand << "',\n"
      << "  showRetainers: '" << kShowRetainersCommand << "',\n"
      << "} as const;\n\n";
  out << "export const Methods = {\n"
      << "  summary: '" << kSummaryMethod << "',\n"
      << "  retainers: '" << kRetainersMethod << "',\n"
      << "  formats: '" << kFormatsMethod << "',\n"
      << "  topSites: '" << kTopSitesMethod << "',\n"
      << "  types: '" << kTypesMethod << "',\n"
      << "  dominators: '" << kDominatorsMethod << "',\n"
      << "  pageDumpHtml: '" << kPageDumpHtmlMethod << "',\n"
      << "} as const;\n\n";
  out << "export const Notifications = {\n"
      << "  dumpsChanged: '" << kDumpsChangedNotification << "',\n"
      << "} as const;\n";
  for (const TypeSpec& t : heapLensTypes()) {
    out << "\n/** " << t.doc << " */\nexport interface " << t.name << " {\n";
    for (const FieldSpec& f : t.fields) {
      if (!f.doc.empty()) out << "  /** " << f.doc << " */\n";
      out << "  " << f.name << (f.optional ? "?" : "") << ": " << f.tsType << ";\n";
    }
    out << "}\n";
  }
  return out.str();
}

}  // namespace heaplens::protocol
