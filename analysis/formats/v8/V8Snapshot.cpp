// V8Snapshot: the .heapsnapshot reader (see V8Format.h for the mapping).
//
// One pass over the file's top-level object. Each section is read as soon as
// what it needs is known (nodes need the meta, edges the nodes); in V8's own
// order that is the moment it is met, so the big arrays are read once,
// straight into the graph. A section met too early (a re-serialised file) is
// skipped and read after the pass. Then the strings give names: edge labels,
// node names, DevTools class names, the Script objects' URLs for the
// `locations`, and the allocation stacks of the trace tree.
//
// Threading: runs on the loading worker.
#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/MemoryAdvice.h"
#include "analysis/SiteTable.h"
#include "analysis/Text.h"
#include "analysis/formats/v8/JsonScanner.h"
#include "analysis/formats/v8/V8Format.h"

namespace heaplens::v8 {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

enum Section : uint8_t { kSnapshot, kNodes, kEdges, kTraceFunctionInfos, kTraceTree, kSamples, kLocations, kStrings, kSectionCount };
constexpr std::string_view kSectionNames[kSectionCount] = {"snapshot", "nodes",     "edges",     "trace_function_infos",
                                                           "trace_tree", "samples", "locations", "strings"};

std::optional<Section> sectionOf(std::string_view key) {
  for (uint8_t i = 0; i < kSectionCount; ++i)
    if (kSectionNames[i] == key) return static_cast<Section>(i);
  return std::nullopt;
}

// What snapshot.meta says: field offsets and type names, looked up by name.
struct Meta {
  std::vector<std::string> nodeFields, edgeFields, nodeTypes, edgeTypes;
  std::vector<std::string> traceFunctionFields, traceNodeFields, sampleFields, locationFields;
  uint64_t nodeCount = 0, edgeCount = 0, traceFunctionCount = 0;
};

uint32_t indexOf(const std::vector<std::string>& v, std::string_view name) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] == name) return static_cast<uint32_t>(i);
  return kNone;
}

// What a node type and an edge type mean for the model.
enum class NodeClass : uint8_t { Named, Function, System, Code, RegExp, Synthetic, Native, Other };

struct TraceNode {
  uint32_t id = 0;
  uint32_t function = 0;  // index into trace_function_infos records
  uint32_t parent = kNone;
};

class Reader {
public:
  Reader(std::span<const uint8_t> bytes, const TaskContext& ctx, const std::function<void(uint64_t)>& release)
      : s_(bytes), ctx_(ctx), release_(release) {}

  std::unique_ptr<Dump> run();

private:
  [[noreturn]] void failAt(uint64_t offset, const std::string& message) const { s_.failAt(offset, message); }
  bool ready(Section sec) const {
    switch (sec) {
      case kNodes: return have_[kSnapshot];
      case kEdges: return have_[kNodes];
      case kTraceFunctionInfos:
      case kTraceTree:
      case kSamples:
      case kLocations: return have_[kSnapshot];
      default: return true;
    }
  }
  void read(Section sec);
  void readMeta();
  void readNodes();
  void readEdges();
  void readFlat(std::string_view what, const std::vector<std::string>& fields, std::vector<uint32_t>& out);
  void readTraceTree();
  void readStrings();
  void tick(uint64_t offset, std::string_view phase, uint64_t sectionStart, uint64_t sectionEnd);

  // After the pass.
  StringId str(uint64_t v8Index, std::string_view what) const;
  void nameEverything(Dump& d);
  void recoverScripts();
  std::string scriptFile(uint32_t scriptId) const;
  void buildSitesAndTypes(Dump& d);
  void describe(Dump& d);

  JsonScanner s_;
  const TaskContext& ctx_;
  const std::function<void(uint64_t)>& release_;
  std::array<bool, kSectionCount> have_{};
  std::array<uint64_t, kSectionCount> at_{};
  Meta meta_;
  std::vector<std::string> warnings_;

  // Field offsets (kNone when absent).
  uint32_t nf_ = 0, nType_ = kNone, nName_ = kNone, nId_ = kNone, nSelf_ = kNone, nEdges_ = kNone, nTrace_ = kNone,
           nDetached_ = kNone;
  uint32_t ef_ = 0, eType_ = kNone, eName_ = kNone, eTo_ = kNone;
  std::vector<NodeClass> nodeClass_;
  std::vector<uint8_t> edgeKinds_;    // EdgeKind bits per edge type
  std::vector<uint8_t> edgeIndexed_;  // per edge type: name_or_index is an index
  uint32_t syntheticType_ = kNone;

  HeapGraph g_;
  std::vector<uint8_t> nodeType_;     // V8 node type per node
  std::vector<uint32_t> nameIndex_;   // V8 string index of each node's name
  std::vector<uint32_t> traceId_;     // trace_node_id per node; empty when the field is absent or all 0
  std::vector<uint8_t> detached_;     // detachedness per node; empty when absent or all 0
  std::vector<uint32_t> traceFunctions_, samples_, locations_;
  std::vector<TraceNode> traceNodes_;
  std::vector<StringId> strings_;     // V8 string index -> StringId
  bool stringsCut_ = false;
  uint64_t stringsCutAt_ = 0;
  StringId cutName_ = 0;
  std::unordered_map<uint32_t, std::string> scriptUrl_;  // script id -> URL
  std::unordered_map<uint32_t, uint32_t> scriptObjects_;  // script id -> located objects
};

void Reader::tick(uint64_t offset, std::string_view phase, uint64_t sectionStart, uint64_t sectionEnd) {
  ctx_.checkCancelled();
  const double span = static_cast<double>(std::max<uint64_t>(sectionEnd - sectionStart, 1));
  ctx_.report(phase, std::min(1.0, static_cast<double>(offset - sectionStart) / span));
  if (release_) release_(offset);
}

std::unique_ptr<Dump> Reader::run() {
  ctx_.report("Reading the snapshot", 0);
  s_.expect('{', "'{' starting a V8 heap snapshot");
  struct Pending {
    Section section;
    uint64_t at;
  };
  std::vector<Pending> pending;
  std::string key;
  if (!s_.accept('}')) {
    for (;;) {
      if (s_.peek() != '"') s_.fail("expected a key (\"snapshot\", \"nodes\", ...) in the snapshot object");
      s_.readString(key);
      s_.expect(':', "':' after \"" + key + "\"");
      s_.skipSpace();
      const uint64_t at = s_.offset();
      std::optional<Section> sec = sectionOf(key);
      if (!sec) {
        s_.skipValue();
      } else if (have_[*sec] || std::any_of(pending.begin(), pending.end(), [&](const Pending& p) { return p.section == *sec; })) {
        failAt(at, "\"" + key + "\" appears twice");
      } else if (ready(*sec)) {
        read(*sec);
      } else {
        pending.push_back({*sec, at});
        s_.skipValue();
      }
      if (stringsCut_) break;
      if (s_.accept(',')) continue;
      s_.expect('}', "',' or '}' after the value of \"" + key + "\"");
      break;
    }
  }
  if (!stringsCut_) {
    s_.skipSpace();
    if (!s_.atEnd()) s_.fail("expected the end of the file after the snapshot object");
  }
  // Sections met before what they need, in dependency order.
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) { return a.section < b.section; });
  for (const Pending& p : pending) {
    if (!ready(p.section))
      failAt(p.at, "\"" + std::string(kSectionNames[p.section]) + "\" cannot be read without \"" +
                       std::string(p.section == kEdges ? "nodes" : "snapshot") + "\", which the file lacks");
    s_.seek(p.at);
    read(p.section);
  }
  for (Section need : {kSnapshot, kNodes, kEdges, kStrings})
    if (!have_[need])
      throw LoadError("v8 heapsnapshot: the file has no \"" + std::string(kSectionNames[need]) +
                      "\" section; a heap snapshot needs snapshot (with meta), nodes, edges and strings");

  auto dump = std::make_unique<Dump>();
  nameEverything(*dump);
  recoverScripts();
  buildSitesAndTypes(*dump);
  describe(*dump);
  dump->warnings.insert(dump->warnings.end(), warnings_.begin(), warnings_.end());
  dump->setGraph(std::move(g_));
  return dump;
}

void Reader::read(Section sec) {
  s_.skipSpace();
  at_[sec] = s_.offset();
  switch (sec) {
    case kSnapshot: readMeta(); break;
    case kNodes: readNodes(); break;
    case kEdges: readEdges(); break;
    case kStrings: readStrings(); break;
    default: {
      // Optional sections: a damaged one is dropped with a warning when its end can still be found.
      try {
        if (sec == kTraceTree) readTraceTree();
        else if (sec == kTraceFunctionInfos) readFlat("trace_function_infos", meta_.traceFunctionFields, traceFunctions_);
        else if (sec == kSamples) readFlat("samples", meta_.sampleFields, samples_);
        else readFlat("locations", meta_.locationFields, locations_);
      } catch (const CutError&) {
        throw;
      } catch (const LoadError& e) {
        s_.seek(at_[sec]);
        s_.skipValue();  // throws when the section's end cannot be found either
        if (sec == kTraceTree) traceNodes_.clear();
        else if (sec == kTraceFunctionInfos) traceFunctions_.clear();
        else if (sec == kSamples) samples_.clear();
        else locations_.clear();
        warnings_.push_back(std::string(e.what()) + "; \"" + std::string(kSectionNames[sec]) +
                            "\" was left out, the rest of the snapshot was read");
      }
    }
  }
  have_[sec] = true;
}

// ---- snapshot.meta ----

void Reader::readMeta() {
  const uint64_t start = s_.offset();
  s_.skipValue();
  const uint64_t end = s_.offset();
  // The header is small (a few KB): nlohmann parses the slice.
  const nlohmann::json j = nlohmann::json::parse(s_.slice(start, end), nullptr, false);
  auto bad = [&](const std::string& what) { failAt(start, "snapshot header: " + what); };
  if (!j.is_object()) bad("expected an object {\"meta\": ..., \"node_count\": ...}");
  const auto meta = j.find("meta");
  if (meta == j.end() || !meta->is_object()) bad("expected \"meta\", the description of the arrays' fields");
  auto strings = [&](std::string_view key, bool required) {
    std::vector<std::string> out;
    const auto it = meta->find(key);
    if (it == meta->end()) {
      if (required) bad("meta has no \"" + std::string(key) + "\"");
      return out;
    }
    if (!it->is_array()) bad("meta." + std::string(key) + " should be an array of names");
    for (const auto& v : *it) {
      if (!v.is_string()) bad("meta." + std::string(key) + " should be an array of names");
      out.push_back(v.get<std::string>());
    }
    return out;
  };
  meta_.nodeFields = strings("node_fields", true);
  meta_.edgeFields = strings("edge_fields", true);
  meta_.traceFunctionFields = strings("trace_function_info_fields", false);
  meta_.traceNodeFields = strings("trace_node_fields", false);
  meta_.sampleFields = strings("sample_fields", false);
  meta_.locationFields = strings("location_fields", false);
  auto typeList = [&](std::string_view key, uint32_t typeField) {
    std::vector<std::string> out;
    const auto it = meta->find(key);
    if (it == meta->end() || !it->is_array() || typeField >= it->size() || !(*it)[typeField].is_array())
      bad("meta." + std::string(key) + "[" + std::to_string(typeField) + "] should list the type names");
    for (const auto& v : (*it)[typeField]) {
      if (!v.is_string()) bad("meta." + std::string(key) + " holds a type name that is not a string");
      out.push_back(v.get<std::string>());
    }
    if (out.empty() || out.size() > 255) bad("meta." + std::string(key) + " lists " + std::to_string(out.size()) + " types (expected 1-255)");
    return out;
  };
  auto count = [&](std::string_view key, bool required) -> uint64_t {
    const auto it = j.find(key);
    if (it == j.end()) {
      if (required) bad("expected \"" + std::string(key) + "\"");
      return 0;
    }
    if (!it->is_number_unsigned()) bad("\"" + std::string(key) + "\" should be an unsigned integer");
    return it->get<uint64_t>();
  };
  meta_.nodeCount = count("node_count", true);
  meta_.edgeCount = count("edge_count", true);
  meta_.traceFunctionCount = count("trace_function_count", false);
  if (const auto r = j.find("root_index"); r != j.end() && !(r->is_number_unsigned() && r->get<uint64_t>() == 0))
    bad("root_index is not 0: HeapLens reads snapshots whose first node is the root (as V8 writes them)");

  nf_ = static_cast<uint32_t>(meta_.nodeFields.size());
  ef_ = static_cast<uint32_t>(meta_.edgeFields.size());
  auto field = [&](const std::vector<std::string>& fields, std::string_view name, std::string_view list) {
    const uint32_t i = indexOf(fields, name);
    if (i == kNone) bad("meta." + std::string(list) + " has no \"" + std::string(name) + "\"");
    return i;
  };
  nType_ = field(meta_.nodeFields, "type", "node_fields");
  nName_ = field(meta_.nodeFields, "name", "node_fields");
  nId_ = field(meta_.nodeFields, "id", "node_fields");
  nSelf_ = field(meta_.nodeFields, "self_size", "node_fields");
  nEdges_ = field(meta_.nodeFields, "edge_count", "node_fields");
  nTrace_ = indexOf(meta_.nodeFields, "trace_node_id");
  nDetached_ = indexOf(meta_.nodeFields, "detachedness");
  eType_ = field(meta_.edgeFields, "type", "edge_fields");
  eName_ = field(meta_.edgeFields, "name_or_index", "edge_fields");
  eTo_ = field(meta_.edgeFields, "to_node", "edge_fields");
  meta_.nodeTypes = typeList("node_types", nType_);
  meta_.edgeTypes = typeList("edge_types", eType_);

  for (const std::string& t : meta_.nodeTypes) {
    NodeClass c = NodeClass::Other;
    if (t == "object") c = NodeClass::Named;
    else if (t == "native") c = NodeClass::Native;
    else if (t == "closure") c = NodeClass::Function;
    else if (t == "hidden") c = NodeClass::System;
    else if (t == "code") c = NodeClass::Code;
    else if (t == "regexp") c = NodeClass::RegExp;
    else if (t == "synthetic") c = NodeClass::Synthetic;
    nodeClass_.push_back(c);
  }
  syntheticType_ = indexOf(meta_.nodeTypes, "synthetic");
  std::string unknownEdges;
  for (const std::string& t : meta_.edgeTypes) {
    uint8_t k = 0;
    bool indexed = false;
    if (t == "context") k = kEdgeContext;
    else if (t == "element") k = kEdgeElement, indexed = true;
    else if (t == "property") k = kEdgeProperty;
    else if (t == "internal") k = kEdgeInternal;
    else if (t == "hidden") k = kEdgeHidden, indexed = true;
    else if (t == "shortcut") k = kEdgeShortcut;
    else if (t == "weak") k = kEdgeWeak;
    else unknownEdges += (unknownEdges.empty() ? "" : ", ") + t;
    edgeKinds_.push_back(k);
    edgeIndexed_.push_back(indexed ? 1 : 0);
  }
  if (!unknownEdges.empty())
    warnings_.push_back("v8 heapsnapshot: edge types not known to HeapLens (" + unknownEdges +
                        ") are read as strong, named references");
  if (meta_.nodeCount == 0) bad("node_count is 0, but a snapshot has at least its root node");
  if (meta_.nodeCount >= kNoNode - 1 || meta_.edgeCount >= kNoNode - 1)
    bad("node_count " + formatCount(meta_.nodeCount) + " / edge_count " + formatCount(meta_.edgeCount) +
        " is more than HeapLens holds (2^32 - 2)");
}

// ---- nodes and edges, straight into the graph ----

void Reader::readNodes() {
  const uint64_t n = meta_.nodeCount;
  const uint64_t total = n * nf_;
  enum Role : uint8_t { kOther, kType, kName, kId, kSelf, kEdgeCount, kTrace, kDetached };
  std::vector<Role> role(nf_, kOther);
  role[nType_] = kType;
  role[nName_] = kName;
  role[nId_] = kId;
  role[nSelf_] = kSelf;
  role[nEdges_] = kEdgeCount;
  if (nTrace_ != kNone) role[nTrace_] = kTrace;
  if (nDetached_ != kNone) role[nDetached_] = kDetached;

  reserveHuge(g_.selfSize, n);
  reserveHuge(g_.address, n);
  reserveHuge(g_.firstEdge, n + 1);
  reserveHuge(nameIndex_, n);
  nodeType_.reserve(n);
  g_.firstEdge.push_back(0);
  uint64_t edges = 0;
  uint32_t field = 0;
  uint64_t node = 0;
  const uint32_t types = static_cast<uint32_t>(meta_.nodeTypes.size());
  const uint64_t start = s_.offset();
  const uint64_t estimatedEnd = start + total * 3;
  const uint64_t read = s_.readUintArray(
      "nodes", total,
      [&](uint64_t v) {
        switch (role[field]) {
          case kType:
            if (v >= types)
              throw BadValue{"node " + std::to_string(node) + " has type " + std::to_string(v) + " but meta.node_types lists " +
                             std::to_string(types)};
            nodeType_.push_back(static_cast<uint8_t>(v));
            break;
          case kName:
            if (v > std::numeric_limits<uint32_t>::max()) throw BadValue{"node " + std::to_string(node) + " has a name index past 2^32"};
            nameIndex_.push_back(static_cast<uint32_t>(v));
            break;
          case kId: g_.address.push_back(v); break;
          case kSelf: g_.selfSize.push_back(v); break;
          case kEdgeCount:
            edges += v;
            if (edges > meta_.edgeCount)
              throw BadValue{"the edge_count fields of nodes 0-" + std::to_string(node) + " add up to " + formatCount(edges) +
                             ", more than snapshot.edge_count " + formatCount(meta_.edgeCount)};
            g_.firstEdge.push_back(static_cast<EdgeIndex>(edges));
            break;
          case kTrace:
            if (v != 0) {
              if (v > std::numeric_limits<uint32_t>::max()) throw BadValue{"node " + std::to_string(node) + " has a trace_node_id past 2^32"};
              if (traceId_.empty()) traceId_.assign(n, 0);
              traceId_[node] = static_cast<uint32_t>(v);
            }
            break;
          case kDetached:
            if (v != 0) {
              if (detached_.empty()) detached_.assign(n, 0);
              detached_[node] = static_cast<uint8_t>(std::min<uint64_t>(v, 255));
            }
            break;
          case kOther: break;
        }
        if (++field == nf_) {
          field = 0;
          ++node;
        }
      },
      [&](uint64_t offset) { tick(offset, "Reading nodes", start, estimatedEnd); });
  if (read != total)
    failAt(s_.offset() - 1, "nodes holds " + formatCount(read) + " numbers but snapshot.node_count " + formatCount(n) + " × " +
                                std::to_string(nf_) + " node fields needs " + formatCount(total));
  if (edges != meta_.edgeCount)
    failAt(start, "the nodes' edge_count fields add up to " + formatCount(edges) + " but snapshot.edge_count is " +
                      formatCount(meta_.edgeCount));
  g_.kindAndFlags.assign(n, static_cast<uint8_t>(NodeKind::Object));
  g_.kindAndFlags[0] = static_cast<uint8_t>(NodeKind::Synthetic);
  for (uint64_t i = 1; i < n; ++i)
    if (nodeType_[i] == syntheticType_) g_.kindAndFlags[i] = static_cast<uint8_t>(NodeKind::Root);
  ctx_.report("Reading nodes", 1);
}

void Reader::readEdges() {
  const uint64_t e = meta_.edgeCount;
  const uint64_t total = e * ef_;
  const uint64_t n = meta_.nodeCount;
  enum Role : uint8_t { kOther, kType, kName, kTo };
  std::vector<Role> role(ef_, kOther);
  role[eType_] = kType;
  role[eName_] = kName;
  role[eTo_] = kTo;
  reserveHuge(g_.edgeTarget, e);
  reserveHuge(g_.edgeLabel, e);
  reserveHuge(g_.edgeKinds, e);
  const uint32_t types = static_cast<uint32_t>(meta_.edgeTypes.size());
  uint32_t field = 0;
  uint64_t type = 0, name = 0, to = 0;
  const uint64_t start = s_.offset();
  const uint64_t estimatedEnd = start + total * 3;
  auto sourceOf = [&](uint64_t edge) {
    return static_cast<uint64_t>(std::upper_bound(g_.firstEdge.begin(), g_.firstEdge.end(), edge) - g_.firstEdge.begin() - 1);
  };
  const uint64_t read = s_.readUintArray(
      "edges", total,
      [&](uint64_t v) {
        switch (role[field]) {
          case kType:
            if (v >= types) {
              const uint64_t edge = g_.edgeTarget.size();
              throw BadValue{"edge " + std::to_string(edge) + " (of node " + std::to_string(sourceOf(edge)) + ") has type " +
                             std::to_string(v) + " but meta.edge_types lists " + std::to_string(types)};
            }
            type = v;
            break;
          case kName: name = v; break;
          case kTo:
            to = v;
            if (to % nf_ != 0 || to / nf_ >= n) {
              const uint64_t edge = g_.edgeTarget.size();
              throw BadValue{"edge " + std::to_string(edge) + " (of node " + std::to_string(sourceOf(edge)) +
                             ") points at node offset " + std::to_string(to) +
                             (to % nf_ != 0 ? ", which is not a multiple of the " + std::to_string(nf_) + " node fields"
                                            : ", past the " + formatCount(n) + " nodes (offsets up to " +
                                                  std::to_string((n - 1) * nf_) + ")")};
            }
            break;
          case kOther: break;
        }
        if (++field == ef_) {
          field = 0;
          g_.edgeTarget.push_back(static_cast<NodeId>(to / nf_));
          g_.edgeKinds.push_back(edgeKinds_[type]);
          if (edgeIndexed_[type]) {
            g_.edgeLabel.push_back(EdgeLabel::index(name).raw());
          } else {
            if (name > EdgeLabel::kValueMask) {
              const uint64_t edge = g_.edgeTarget.size() - 1;
              throw BadValue{"edge " + std::to_string(edge) + " (of node " + std::to_string(sourceOf(edge)) +
                             ") names string " + std::to_string(name) + ", past what HeapLens holds (2^29)"};
            }
            // The V8 string index for now; nameEverything() turns it into a StringId.
            g_.edgeLabel.push_back(EdgeLabel::name(static_cast<StringId>(name)).raw());
          }
        }
      },
      [&](uint64_t offset) { tick(offset, "Reading edges", start, estimatedEnd); });
  if (read != total)
    failAt(s_.offset() - 1, "edges holds " + formatCount(read) + " numbers but snapshot.edge_count " + formatCount(e) + " × " +
                                std::to_string(ef_) + " edge fields needs " + formatCount(total));
  ctx_.report("Reading edges", 1);
}

void Reader::readFlat(std::string_view what, const std::vector<std::string>& fields, std::vector<uint32_t>& out) {
  out.clear();
  const uint64_t start = s_.offset();
  const uint64_t read = s_.readUintArray(what, std::numeric_limits<uint64_t>::max(), [&](uint64_t v) {
    if (v > std::numeric_limits<uint32_t>::max()) throw BadValue{std::string(what) + " holds a number past 2^32"};
    out.push_back(static_cast<uint32_t>(v));
  });
  if (read == 0) return;
  if (fields.empty()) failAt(start, std::string(what) + " has numbers but meta does not name its fields");
  if (read % fields.size() != 0)
    failAt(s_.offset() - 1, std::string(what) + " holds " + formatCount(read) + " numbers, not a whole number of " +
                                std::to_string(fields.size()) + "-field records");
}

void Reader::readTraceTree() {
  traceNodes_.clear();
  const std::vector<std::string>& f = meta_.traceNodeFields;
  const uint32_t idF = indexOf(f, "id"), fnF = indexOf(f, "function_info_index"), childF = indexOf(f, "children");
  const uint64_t start = s_.offset();
  s_.expect('[', "'[' starting trace_tree");
  if (s_.accept(']')) return;
  if (idF == kNone || fnF == kNone || childF != f.size() - 1)
    failAt(start, "trace_tree has nodes but meta.trace_node_fields does not list id, function_info_index and, last, children");
  struct Level {
    uint32_t parent;  // trace node whose children this array holds (kNone for the outermost)
    uint32_t field = 0;
    uint64_t id = 0, fn = 0;
    bool needValue = false;
  };
  std::vector<Level> levels{{kNone}};
  while (!levels.empty()) {
    Level& l = levels.back();
    const char c = s_.peek();
    const uint64_t at = s_.offset();
    if (c == ']') {
      if (l.field != 0 || l.needValue) failAt(at, "trace_tree: a trace node ends before its children array");
      s_.accept(']');
      levels.pop_back();
      if (!levels.empty()) levels.back().field = 0;  // that node's record is complete
    } else if (c == ',') {
      s_.accept(',');
      l.needValue = true;
    } else if (c == '[') {
      if (l.field != childF) failAt(at, "trace_tree: expected a number (field " + f[l.field] + " of a trace node)");
      if (l.id > std::numeric_limits<uint32_t>::max() || l.fn > std::numeric_limits<uint32_t>::max())
        failAt(at, "trace_tree: a trace node's id or function index is past 2^32");
      traceNodes_.push_back({static_cast<uint32_t>(l.id), static_cast<uint32_t>(l.fn), l.parent});
      const uint32_t self = static_cast<uint32_t>(traceNodes_.size() - 1);
      l.needValue = false;
      s_.accept('[');
      levels.push_back({self});
    } else if (c >= '0' && c <= '9') {
      if (l.field == childF) failAt(at, "trace_tree: expected '[' (the children of a trace node)");
      const uint64_t v = s_.readUint("trace_tree");
      if (l.field == idF) l.id = v;
      if (l.field == fnF) l.fn = v;
      ++l.field;
      l.needValue = false;
    } else if (c == '\0' && s_.atEnd()) {
      s_.cutAt(start, "trace_tree, which starts here");
    } else {
      failAt(at, "trace_tree: expected a number, '[' or ']'");
    }
    if ((traceNodes_.size() & kPollMask) == 0) ctx_.checkCancelled();
  }
}

void Reader::readStrings() {
  const uint64_t start = s_.offset();
  s_.expect('[', "'[' starting strings");
  strings_.clear();
  SiteTableBuilder table(*g_.sites);
  std::string text;
  try {
    if (s_.accept(']')) return;
    for (;;) {
      s_.readString(text);
      strings_.push_back(table.intern(text));
      if ((strings_.size() & 0xFFFF) == 0) tick(s_.offset(), "Reading strings", start, s_.size());
      if (s_.accept(',')) continue;
      s_.expect(']', "',' or ']' in strings");
      break;
    }
  } catch (const CutError& e) {
    // The strings come last: a snapshot cut inside them still has its whole graph.
    stringsCut_ = true;
    stringsCutAt_ = e.offset.value_or(s_.size());
  }
  ctx_.report("Reading strings", 1);
}

// ---- names ----

StringId Reader::str(uint64_t v8Index, std::string_view what) const {
  if (v8Index < strings_.size()) return strings_[v8Index];
  if (stringsCut_) return cutName_;
  throw LoadError("v8 heapsnapshot: " + std::string(what) + " names string " + std::to_string(v8Index) +
                      " but the file has only " + formatCount(strings_.size()) + " strings",
                  at_[kStrings]);
}

void Reader::nameEverything(Dump&) {
  ctx_.report("Naming nodes", 0);
  SiteTableBuilder table(*g_.sites);
  cutName_ = table.intern("(name cut off)");
  if (stringsCut_)
    warnings_.push_back("v8 heapsnapshot: the file ends at byte " + formatCount(stringsCutAt_) + " inside \"strings\" after " +
                        formatCount(strings_.size()) +
                        " strings (the snapshot is cut): the graph is whole, names past that are shown as \"(name cut off)\"");
  const uint32_t n = static_cast<uint32_t>(meta_.nodeCount);
  reserveHuge(g_.nodeName, n);
  for (uint32_t i = 0; i < n; ++i) g_.nodeName.push_back(str(nameIndex_[i], "node " + std::to_string(i)));
  for (size_t e = 0; e < g_.edgeLabel.size(); ++e) {
    const EdgeLabel l = EdgeLabel::fromRaw(g_.edgeLabel[e]);
    if (l.kind() == EdgeLabel::Kind::Name) g_.edgeLabel[e] = EdgeLabel::name(str(l.value(), "edge " + std::to_string(e))).raw();
  }
  // Node 0's synthetic children other than DevTools' user roots are searched after them (EdgeRules.h).
  StringId domTrees = kNoString;
  g_.sites->strings.find("(Document DOM trees)", domTrees);
  for (EdgeIndex e = g_.firstEdge[0]; e < g_.firstEdge[1]; ++e) {
    const NodeId t = g_.edgeTarget[e];
    if (t != 0 && g_.kind(t) == NodeKind::Root && g_.nodeName[t] != domTrees)
      g_.kindAndFlags[t] = static_cast<uint8_t>(g_.kindAndFlags[t] | (kAvoidInPaths << 2));
  }
  // DevTools' distance filters: a NativeContext's sloppy_function_map, a descriptor array's key slots.
  StringId nativeContext = kNoString, sloppy = kNoString, descriptors = kNoString;
  g_.sites->strings.find("system / NativeContext", nativeContext);
  g_.sites->strings.find("sloppy_function_map", sloppy);
  g_.sites->strings.find("(map descriptors)", descriptors);
  if (nativeContext != kNoString || descriptors != kNoString) {
    for (NodeId v = 0; v < n; ++v) {
      const StringId name = g_.nodeName[v];
      if (name != nativeContext && name != descriptors) continue;
      for (EdgeIndex e = g_.firstEdge[v]; e < g_.firstEdge[v + 1]; ++e) {
        const EdgeLabel l = g_.label(e);
        bool skip = false;
        if (name == nativeContext) {
          skip = l.kind() == EdgeLabel::Kind::Name && l.value() == sloppy;
        } else {
          std::optional<uint64_t> index;
          if (l.kind() == EdgeLabel::Kind::Index) index = l.value();
          else if (l.kind() == EdgeLabel::Kind::Name) {
            std::string_view s = g_.str(l.value());
            if (!s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
              index = std::stoull(std::string(s));
          }
          skip = index && *index >= 2 && *index % 3 == 1;
        }
        if (skip) g_.edgeKinds[e] = static_cast<uint8_t>(g_.edgeKinds[e] | kEdgeSkipInPaths);
      }
    }
  }
  std::vector<uint32_t>().swap(nameIndex_);
}

// Script ids -> URLs: a located closure --shared--> SharedFunctionInfo --script_or_debug_info (or
// script)--> Script, whose name is the URL; the trace function infos name theirs directly.
void Reader::recoverScripts() {
  const std::vector<std::string>& tf = meta_.traceFunctionFields;
  const uint32_t tfScriptName = indexOf(tf, "script_name"), tfScriptId = indexOf(tf, "script_id");
  if (!tf.empty() && tfScriptName != kNone && tfScriptId != kNone) {
    for (size_t r = 0; r + tf.size() <= traceFunctions_.size(); r += tf.size()) {
      const uint32_t id = traceFunctions_[r + tfScriptId];
      const std::string_view url = g_.str(str(traceFunctions_[r + tfScriptName], "trace function info"));
      if (id != 0 && !url.empty()) scriptUrl_.try_emplace(id, url);
    }
  }
  const std::vector<std::string>& lf = meta_.locationFields;
  const uint32_t lObject = indexOf(lf, "object_index"), lScript = indexOf(lf, "script_id");
  if (lf.empty() || lObject == kNone || lScript == kNone) return;
  StringId shared = kNoString, scriptOrDebug = kNoString, script = kNoString;
  g_.sites->strings.find("shared", shared);
  g_.sites->strings.find("script_or_debug_info", scriptOrDebug);
  g_.sites->strings.find("script", script);
  auto follow = [&](NodeId from, StringId a, StringId b) -> NodeId {
    for (EdgeIndex e = g_.firstEdge[from]; e < g_.firstEdge[from + 1]; ++e) {
      const EdgeLabel l = g_.label(e);
      if (l.kind() == EdgeLabel::Kind::Name && (l.value() == a || l.value() == b) && !(g_.edgeKind(e) & kEdgeWeak))
        return g_.edgeTarget[e];
    }
    return kNoNode;
  };
  const uint32_t closureType = indexOf(meta_.nodeTypes, "closure");
  for (size_t r = 0; r + lf.size() <= locations_.size(); r += lf.size()) {
    const uint32_t id = locations_[r + lScript];
    const uint64_t offset = locations_[r + lObject];
    if (scriptUrl_.count(id) || offset % nf_ != 0 || offset / nf_ >= meta_.nodeCount) continue;
    const NodeId node = static_cast<NodeId>(offset / nf_);
    if (nodeType_[node] != closureType) continue;
    const NodeId sfi = follow(node, shared, shared);
    if (sfi == kNoNode) continue;
    const NodeId scriptNode = follow(sfi, scriptOrDebug, script);
    if (scriptNode == kNoNode) continue;
    const std::string_view url = g_.str(g_.nodeName[scriptNode]);
    if (!url.empty()) scriptUrl_.emplace(id, url);
  }
}

std::string Reader::scriptFile(uint32_t scriptId) const {
  auto it = scriptUrl_.find(scriptId);
  return it != scriptUrl_.end() ? it->second : "script " + std::to_string(scriptId);
}

std::string baseName(std::string_view url) {
  const size_t slash = url.find_last_of('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

// DevTools' class names (HeapSnapshot.ts calculateObjectNames), sites from locations and the trace
// tree, and each object's class split by declaration location when one name has several.
void Reader::buildSitesAndTypes(Dump&) {
  ctx_.report("Naming classes", 0);
  const uint32_t n = static_cast<uint32_t>(meta_.nodeCount);
  SiteTableBuilder table(*g_.sites);

  // The location entry of each node.
  const std::vector<std::string>& lf = meta_.locationFields;
  const uint32_t lObject = indexOf(lf, "object_index"), lScript = indexOf(lf, "script_id"), lLine = indexOf(lf, "line"),
                 lColumn = indexOf(lf, "column");
  std::vector<uint32_t> locationOf;
  uint64_t badLocations = 0;
  if (!locations_.empty() && lObject != kNone && lScript != kNone && lLine != kNone) {
    locationOf.assign(n, kNone);
    for (size_t r = 0; r + lf.size() <= locations_.size(); r += lf.size()) {
      const uint64_t offset = locations_[r + lObject];
      if (offset % nf_ != 0 || offset / nf_ >= n) {
        ++badLocations;
        continue;
      }
      locationOf[offset / nf_] = static_cast<uint32_t>(r);
      ++scriptObjects_[locations_[r + lScript]];
    }
  }
  if (badLocations)
    warnings_.push_back("v8 heapsnapshot: " + plural(badLocations, "location entry names", "location entries name") +
                        " no node (object_index is not a node offset); left out");

  // Sites of locations: the function (closures) or class (objects) declared there, 1-based.
  std::unordered_map<uint32_t, SiteId> locationSite;  // location record offset -> site
  auto siteOfLocation = [&](NodeId v, uint32_t r) {
    auto [it, inserted] = locationSite.try_emplace(r, kNoSite);
    if (inserted) {
      const uint32_t line = locations_[r + lLine] + 1;
      const uint32_t column = lColumn != kNone ? locations_[r + lColumn] + 1 : 0;
      const LocationId loc = table.addLocation(g_.str(g_.nodeName[v]), scriptFile(locations_[r + lScript]), line, column);
      it->second = table.addSite(std::span<const LocationId>(&loc, 1));
    }
    return it->second;
  };

  // Allocation stacks of the trace tree (innermost first, without the tree's root).
  const std::vector<std::string>& tf = meta_.traceFunctionFields;
  const uint32_t tfName = indexOf(tf, "name"), tfScriptName = indexOf(tf, "script_name"), tfScriptId = indexOf(tf, "script_id"),
                 tfLine = indexOf(tf, "line"), tfColumn = indexOf(tf, "column");
  std::unordered_map<uint32_t, uint32_t> traceIndex;  // trace node id -> index in traceNodes_
  for (uint32_t i = 0; i < traceNodes_.size(); ++i) traceIndex.emplace(traceNodes_[i].id, i);
  std::vector<SiteId> traceSite(traceNodes_.size(), kNoSite);
  const size_t functions = tf.empty() ? 0 : traceFunctions_.size() / tf.size();
  auto siteOfTrace = [&](uint32_t index) -> SiteId {
    if (traceSite[index] != kNoSite) return traceSite[index];
    std::vector<LocationId> frames;
    for (uint32_t t = index; t != kNone && traceNodes_[t].parent != kNone; t = traceNodes_[t].parent) {
      const uint32_t fn = traceNodes_[t].function;
      if (fn >= functions || tfName == kNone) continue;
      const uint32_t* rec = traceFunctions_.data() + size_t{fn} * tf.size();
      std::string file = tfScriptName != kNone ? std::string(g_.str(str(rec[tfScriptName], "trace function info"))) : "";
      if (file.empty() && tfScriptId != kNone && rec[tfScriptId] != 0) file = scriptFile(rec[tfScriptId]);
      std::string_view name = g_.str(str(rec[tfName], "trace function info"));
      frames.push_back(table.addLocation(name.empty() ? "(anonymous)" : name, file, tfLine != kNone ? rec[tfLine] : 0,
                                         tfColumn != kNone ? rec[tfColumn] : 0));
      if (frames.size() == 10000) break;  // a cycle in a damaged tree
    }
    if (frames.empty()) return kNoSite;
    return traceSite[index] = table.addSite(frames);
  };

  // Class names per V8 type.
  std::vector<StringId> fixedName(meta_.nodeTypes.size(), kNoString);
  for (size_t t = 0; t < meta_.nodeTypes.size(); ++t) {
    switch (nodeClass_[t]) {
      case NodeClass::Function: fixedName[t] = table.intern("Function"); break;
      case NodeClass::System: fixedName[t] = table.intern("(system)"); break;
      case NodeClass::Code: fixedName[t] = table.intern("(compiled code)"); break;
      case NodeClass::RegExp: fixedName[t] = table.intern("RegExp"); break;
      case NodeClass::Other: fixedName[t] = table.intern("(" + meta_.nodeTypes[t] + ")"); break;
      default: break;
    }
  }
  const StringId anonymousObject = table.intern("(object)");
  auto className = [&](NodeId v) -> StringId {
    const uint8_t t = nodeType_[v];
    if (fixedName[t] != kNoString) return fixedName[t];
    const StringId name = g_.nodeName[v];
    if (nodeClass_[t] == NodeClass::Synthetic) return name;  // roots: "(GC roots)", "(Stack roots)"
    if (nodeClass_[t] == NodeClass::Native) {
      std::string s(g_.str(name));
      if (s.starts_with('<')) {
        const size_t space = s.find(' ');
        if (space != std::string::npos) s = s.substr(0, space) + ">";
      }
      if (!detached_.empty() && detached_[v] == 2) s = "Detached " + s;
      return table.intern(s);
    }
    return g_.str(name).empty() ? anonymousObject : name;
  };

  // Objects of one name declared in several places are different classes (DevTools keys them by
  // location): find the names with more than one declaration.
  const uint32_t objectType = indexOf(meta_.nodeTypes, "object");
  auto declKey = [&](uint32_t r) {
    return (uint64_t{locations_[r + lScript]} << 40) ^ (uint64_t{locations_[r + lLine]} << 20) ^
           (lColumn != kNone ? locations_[r + lColumn] : 0);
  };
  std::unordered_map<StringId, std::pair<uint64_t, bool>> declared;  // class name -> first declaration, several?
  if (!locationOf.empty()) {
    for (NodeId v = 1; v < n; ++v) {
      if (nodeType_[v] != objectType || locationOf[v] == kNone) continue;
      const uint64_t key = declKey(locationOf[v]);
      auto [it, inserted] = declared.try_emplace(g_.nodeName[v], key, false);
      if (!inserted && it->second.first != key) it->second.second = true;
    }
  }

  std::unordered_map<StringId, TypeId> typeOf;
  g_.typeName.assign(1, table.intern("(unknown)"));
  g_.typeSite.assign(1, kNoSite);
  auto typeFor = [&](StringId name, SiteId declaredAt) {
    auto [it, inserted] = typeOf.try_emplace(name, static_cast<TypeId>(g_.typeName.size()));
    if (inserted) {
      g_.typeName.push_back(name);
      g_.typeSite.push_back(declaredAt);
    }
    return it->second;
  };
  reserveHuge(g_.type, n);
  reserveHuge(g_.site, n);
  uint64_t unknownTrace = 0;
  for (NodeId v = 0; v < n; ++v) {
    if ((v & 0xFFFFF) == 0) {
      ctx_.checkCancelled();
      ctx_.report("Naming classes", static_cast<double>(v) / n);
    }
    StringId name = className(v);
    const uint32_t r = locationOf.empty() ? kNone : locationOf[v];
    SiteId declaredAt = kNoSite;
    if (r != kNone && nodeType_[v] == objectType) {
      declaredAt = siteOfLocation(v, r);
      auto d = declared.find(name);
      if (d != declared.end() && d->second.second) {
        const std::string where = baseName(scriptFile(locations_[r + lScript])) + ":" + std::to_string(locations_[r + lLine] + 1);
        name = table.intern(std::string(g_.str(name)) + " (" + where + ")");
      }
    }
    g_.type.push_back(v == 0 ? kNoType : typeFor(name, declaredAt));
    SiteId site = kNoSite;
    if (!traceId_.empty() && traceId_[v] != 0) {
      auto it = traceIndex.find(traceId_[v]);
      if (it != traceIndex.end()) site = siteOfTrace(it->second);
      else ++unknownTrace;
    }
    if (site == kNoSite && r != kNone) site = siteOfLocation(v, r);
    g_.site.push_back(site);
  }
  if (unknownTrace)
    warnings_.push_back("v8 heapsnapshot: " + plural(unknownTrace, "node names a trace node", "nodes name trace nodes") +
                        " that trace_tree does not hold; their allocation stacks are unknown");
  table.shrink();
}

void Reader::describe(Dump& d) {
  auto fact = [&](std::string id, std::string label, Cell value) { d.facts.push_back({std::move(id), std::move(label), std::move(value)}); };
  fact("nodes", "Nodes", Cell::num(static_cast<double>(meta_.nodeCount)));
  fact("edges", "Edges", Cell::num(static_cast<double>(meta_.edgeCount)));
  fact("strings", "Strings", Cell::num(static_cast<double>(strings_.size())));
  const size_t functions = meta_.traceFunctionFields.empty() ? 0 : traceFunctions_.size() / meta_.traceFunctionFields.size();
  fact("allocationTracking", "Allocation stacks",
       Cell::str(traceNodes_.size() > 1 ? "recorded (" + plural(functions, "function") + ", " + plural(traceNodes_.size(), "trace node") + ")"
                                        : "not recorded (take the snapshot with node --track-heap-objects or DevTools' allocation instrumentation)"));
  if (!samples_.empty())
    fact("samples", "Timeline samples", Cell::num(static_cast<double>(samples_.size() / std::max<size_t>(meta_.sampleFields.size(), 1))));
  uint64_t named = 0;
  for (const auto& [id, count] : scriptObjects_) named += scriptUrl_.count(id);
  fact("scripts", "Scripts named", Cell::str(std::to_string(named) + " of " + std::to_string(scriptObjects_.size()) + " script ids with located objects"));
  if (!scriptObjects_.empty()) {
    Table t{"scripts", "Scripts (from the Script objects in the snapshot)", {"script id", "URL", "located objects"}, {}};
    std::vector<std::pair<uint32_t, uint32_t>> ids(scriptObjects_.begin(), scriptObjects_.end());
    std::sort(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    for (const auto& [id, count] : ids) {
      auto it = scriptUrl_.find(id);
      t.rows.push_back({Cell::num(id), Cell::str(it != scriptUrl_.end() ? it->second : "(not found)"), Cell::num(count)});
    }
    d.tables.push_back(std::move(t));
  }
}

}  // namespace

bool looksLikeSnapshot(std::span<const uint8_t> head) {
  std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  auto trim = [&] {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
  };
  trim();
  if (!s.starts_with('{')) return false;
  s.remove_prefix(1);
  trim();
  for (std::string_view key : kSectionNames) {
    std::string quoted = "\"" + std::string(key) + "\"";
    if (s.starts_with(quoted)) return true;
  }
  return false;
}

std::unique_ptr<Dump> loadSnapshot(std::span<const uint8_t> bytes, const TaskContext& ctx,
                                   const std::function<void(uint64_t)>& release) {
  if (bytes.empty()) throw LoadError("v8 heapsnapshot: the file is empty", 0);
  Reader reader(bytes, ctx, release);
  return reader.run();
}

}  // namespace heaplens::v8
