// Retainers: heaplens/retainers — the paths from the roots that keep a line's objects alive.
//
// Params: {textDocument, position, k?} for the objects attributed to a line,
// or {dump, node, k?} for one node. Each step carries its edge label, sizes
// and, where the node has a source line in the workspace, a location the
// client can jump to.
//
// Threading: runs on a worker with immutable inputs.
#include "analysis/Text.h"
#include "lsp/FeatureSupport.h"
#include "protocol/HeapLensProtocol.h"
#include "protocol/Message.h"

namespace heaplens::lsp {
namespace {

size_t readK(const nlohmann::json& params, size_t fallback) {
  if (!params.contains("k") || params["k"].is_null()) return fallback;
  if (!params["k"].is_number_unsigned() || params["k"].get<uint64_t>() == 0)
    throw protocol::ParamsError("/k", "a positive integer");
  return std::min<size_t>(params["k"].get<uint64_t>(), 100);
}

protocol::RetainerPath pathOf(const LoadedDump& loaded, const RetentionPath& path, const SourceMap* sourceMap) {
  const Dump& d = loaded.dump();
  const HeapGraph& g = loaded.graph();
  static const char* kinds[] = {"object", "frame", "root", "synthetic"};
  protocol::RetainerPath out;
  out.dump = d.path;
  out.text = pathText(g, path, sourceMap);
  out.throughInterGenerational = path.throughAvoided;
  for (const PathStep& step : path.steps) {
    protocol::RetainerStep s;
    s.label = step.via == kNoEdge ? "" : g.labelText(step.via);
    s.node = step.node;
    s.kind = kinds[static_cast<int>(g.kind(step.node)) & 3];
    s.type = std::string(g.typeNameOf(step.node));
    s.description = describeNode(g, step.node, sourceMap);
    s.size = g.shallowSize(step.node);
    s.retained = loaded.heap().retained[step.node];
    s.location = stepLocation(g, step.node, sourceMap);
    out.steps.push_back(std::move(s));
  }
  return out;
}

std::vector<protocol::RetainerPath> pathsOf(const LoadedDump& loaded, NodeId node, size_t k, const SourceMap* sourceMap) {
  std::vector<protocol::RetainerPath> paths;
  for (const RetentionPath& p : loaded.paths().retainerPaths(node, k)) paths.push_back(pathOf(loaded, p, sourceMap));
  return paths;
}

}  // namespace

protocol::RetainersResult getRetainers(const FeatureContext& ctx, const nlohmann::json& params,
                                       const std::optional<Document>& doc) {
  if (!params.is_object()) throw protocol::ParamsError("", "an object with textDocument and position, or dump and node");
  const size_t k = readK(params, ctx.settings.maxPaths);
  protocol::RetainersResult result;

  if (params.contains("node")) {
    if (!params.contains("dump") || !params["dump"].is_string()) throw protocol::ParamsError("/dump", "string (the path of a loaded dump)");
    if (!params["node"].is_number_unsigned()) throw protocol::ParamsError("/node", "a node id (unsigned integer)");
    std::string path = params["dump"].get<std::string>();
    for (const auto& loaded : ctx.dumps) {
      if (loaded->dump().path != path) continue;
      if (!loaded->hasHeap()) throw protocol::ParamsError("/dump", "a dump with an object graph (" + path + " has none)");
      uint64_t node = params["node"].get<uint64_t>();
      if (node >= loaded->graph().nodeCount()) throw protocol::ParamsError("/node", "a node id below " + std::to_string(loaded->graph().nodeCount()));
      result.paths = pathsOf(*loaded, static_cast<NodeId>(node), k, ctx.sourceMap);
      return result;
    }
    throw protocol::ParamsError("/dump", "the path of a loaded dump (" + path + " is not loaded)");
  }

  if (!params.contains("position")) throw protocol::ParamsError("/position", "object {line, character}");
  protocol::Position pos;
  try {
    pos = params["position"].get<protocol::Position>();
  } catch (const protocol::ParamsError& e) {
    throw e.within("position");
  }
  if (!doc) throw protocol::ParamsError("/textDocument/uri", "the URI of an open document");

  auto docLines = linesForDocument(ctx, *doc);
  for (const LineHit& hit : entriesAt(docLines, pos.line + 1)) {
    if (hit.entry->representative == kNoNode) continue;
    for (auto& p : pathsOf(*hit.dump, hit.entry->representative, k, ctx.sourceMap)) result.paths.push_back(std::move(p));
  }
  if (result.paths.empty()) result.message = "no heap data is attributed to this line";
  return result;
}

}  // namespace heaplens::lsp
