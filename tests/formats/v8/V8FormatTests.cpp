// V8FormatTests: real Node 20 snapshots (shared/fixtures/js) read with the counts, sizes, lines and
// script URLs their README gives, and hand-written snapshots for layout and error handling.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "analysis/EdgeRules.h"
#include "analysis/LineIndex.h"
#include "analysis/Paths.h"
#include "analysis/formats/DumpFormat.h"
#include "tests/formats/v8/V8TestData.h"

namespace heaplens::v8 {
namespace {

using testing::asBytes;
using testing::load;
using testing::snapshotBytes;

struct TypeTotals {
  uint64_t count = 0, bytes = 0;
};

std::map<std::string, TypeTotals> totals(const HeapGraph& g) {
  std::map<std::string, TypeTotals> out;
  for (NodeId v = 0; v < g.nodeCount(); ++v) {
    if (g.kind(v) != NodeKind::Object) continue;
    TypeTotals& t = out[std::string(g.typeNameOf(v))];
    ++t.count;
    t.bytes += g.selfSize[v];
  }
  return out;
}

NodeId firstOfType(const HeapGraph& g, std::string_view type) {
  for (NodeId v = 0; v < g.nodeCount(); ++v)
    if (g.kind(v) == NodeKind::Object && g.typeNameOf(v) == type) return v;
  return kNoNode;
}

const SourceLocation* siteLocation(const HeapGraph& g, SiteId s) {
  auto frames = g.frames(s);
  return frames.empty() ? nullptr : &g.location(frames.front());
}

TEST(V8Format, DetectsByContentOnly) {
  EXPECT_EQ(detectFormat(asBytes("{\"snapshot\":{\"meta\":{}}}"))->name(), "v8-heapsnapshot");
  EXPECT_EQ(detectFormat(asBytes("\n  { \"nodes\": [1,2]}"))->name(), "v8-heapsnapshot");  // re-serialised, keys sorted
  EXPECT_EQ(detectFormat(asBytes("{\"type\":\"header\",\"format\":\"heap-diff\"}\n"))->name(), "heap-diff");
  EXPECT_FALSE(looksLikeSnapshot(asBytes("{\"other\": 1}")));
}

// Counts and raw self sizes per DevTools class: fixtures/js/README.md, "What a correct heap-diff shows".
TEST(V8Format, PlainTargetClassesMatchTheReadme) {
  auto d = load(snapshotBytes("plain-target"));
  ASSERT_TRUE(d->heap);
  const HeapGraph& g = d->heap->graph;
  EXPECT_EQ(g.nodeCount(), 62606u);
  EXPECT_EQ(g.edgeCount(), 253681u);
  auto t = totals(g);
  const std::map<std::string, std::pair<uint64_t, uint64_t>> expected = {
      {"LeakyRecord", {2100, 117600}}, {"SessionState", {2100, 84000}}, {"Function", {7313, 443016}},
      {"system / Context", {2826, 147616}}, {"Array", {4323, 138336}}, {"(array)", {3141, 925744}},
      {"(string)", {14602, 486400}}, {"(number)", {2170, 34720}}, {"(system)", {5379, 253784}}};
  for (const auto& [name, cb] : expected) {
    EXPECT_EQ(t[name].count, cb.first) << name;
    EXPECT_EQ(t[name].bytes, cb.second) << name;
  }
  EXPECT_EQ(d->heap->unreachableObjects, 0u);
}

TEST(V8Format, PlainBaselineClassesMatchTheReadme) {
  auto d = load(snapshotBytes("plain-baseline"));
  auto t = totals(d->heap->graph);
  EXPECT_EQ(d->heap->graph.nodeCount(), 40481u);
  EXPECT_EQ(t["LeakyRecord"].count, 100u);
  EXPECT_EQ(t["SessionState"].count, 100u);
  EXPECT_EQ(t["Function"].count, 5313u);
  EXPECT_EQ(t["(array)"].bytes, 694984u);
  EXPECT_EQ(t["(string)"].count, 10600u);
}

TEST(V8Format, NodesKeepIdsNamesAndEdgeKinds) {
  auto d = load(snapshotBytes("plain-target"));
  const HeapGraph& g = d->heap->graph;
  ASSERT_EQ(g.address.size(), g.nodeCount());
  EXPECT_EQ(g.address[0], 1u);  // V8's root has id 1
  EXPECT_EQ(g.kind(0), NodeKind::Synthetic);
  // The root's children: (GC roots) by element, global by shortcut; synthetic roots come after user roots.
  std::map<std::string, uint8_t> rootEdges;
  for (EdgeIndex e = g.firstEdge[0]; e < g.firstEdge[1]; ++e) rootEdges[std::string(g.nameOf(g.edgeTarget[e]))] = g.edgeKind(e);
  EXPECT_TRUE(rootEdges.at("(GC roots)") & kEdgeElement);
  EXPECT_TRUE(rootEdges.at("global") & kEdgeShortcut);
  for (EdgeIndex e = g.firstEdge[0]; e < g.firstEdge[1]; ++e) {
    const NodeId t = g.edgeTarget[e];
    EXPECT_EQ(g.hasFlag(t, kAvoidInPaths), g.nameOf(t) != "global") << g.nameOf(t);
  }
  // A closure's name is kept beside its class.
  bool onTick = false;
  for (NodeId v = 0; v < g.nodeCount() && !onTick; ++v) onTick = g.typeNameOf(v) == "Function" && g.nameOf(v) == "onTick";
  EXPECT_TRUE(onTick);
  uint64_t weak = 0;
  for (EdgeIndex e = 0; e < g.edgeCount(); ++e) weak += (g.edgeKind(e) & kEdgeWeak) != 0;
  EXPECT_GT(weak, 0u);
}

// Source lines: locations are 0-based in the file, 1-based in the model (README "Source lines").
TEST(V8Format, LocationsGiveClassAndClosureLinesWithScriptUrls) {
  auto d = load(snapshotBytes("plain-target"));
  const HeapGraph& g = d->heap->graph;
  const SourceLocation* leaky = siteLocation(g, g.site[firstOfType(g, "LeakyRecord")]);
  ASSERT_TRUE(leaky);
  EXPECT_TRUE(g.str(leaky->file).ends_with("/lib/records.js")) << g.str(leaky->file);
  EXPECT_EQ(leaky->line, 6u);
  EXPECT_EQ(leaky->column, 14u);
  const SourceLocation* session = siteLocation(g, g.site[firstOfType(g, "SessionState")]);
  ASSERT_TRUE(session);
  EXPECT_TRUE(g.str(session->file).ends_with("/lib/sessions.js"));
  EXPECT_EQ(session->line, 11u);
  // The class declaration is kept per type.
  const SourceLocation* declared = siteLocation(g, g.typeSiteOf(g.type[firstOfType(g, "LeakyRecord")]));
  ASSERT_TRUE(declared);
  EXPECT_EQ(declared->line, 6u);
  // onTick closures: sessions.js:19, column 33.
  uint64_t ticks = 0;
  for (NodeId v = 0; v < g.nodeCount(); ++v) {
    if (g.nameOf(v) != "onTick" || g.typeNameOf(v) != "Function") continue;
    const SourceLocation* l = siteLocation(g, g.site[v]);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->line, 19u);
    EXPECT_EQ(l->column, 33u);
    EXPECT_TRUE(g.str(l->file).ends_with("/lib/sessions.js"));
    ++ticks;
  }
  EXPECT_EQ(ticks, 2100u);
  // Script ids -> URLs (README: 81 leaky_app.js, 105 records.js, 106 sessions.js).
  const Table* scripts = nullptr;
  for (const Table& t : d->tables)
    if (t.id == "scripts") scripts = &t;
  ASSERT_TRUE(scripts);
  std::map<int, std::string> url;
  for (const auto& row : scripts->rows) url[static_cast<int>(*row[0].number)] = row[1].text;
  EXPECT_TRUE(url[81].ends_with("/leaky_app.js"));
  EXPECT_TRUE(url[105].ends_with("/lib/records.js"));
  EXPECT_TRUE(url[106].ends_with("/lib/sessions.js"));
}

// With --track-heap-objects, a node's site is its allocation stack (README "tracked-* pairs").
TEST(V8Format, TrackedSnapshotGivesAllocationStacks) {
  auto d = load(snapshotBytes("tracked-target"));
  const HeapGraph& g = d->heap->graph;
  uint64_t viaCacheRecord = 0, leaky = 0;
  for (NodeId v = 0; v < g.nodeCount(); ++v) {
    if (g.kind(v) != NodeKind::Object || g.typeNameOf(v) != "LeakyRecord") continue;
    ++leaky;
    auto frames = g.frames(g.site[v]);
    if (frames.size() < 4) continue;
    const SourceLocation& f0 = g.location(frames[0]);
    if (g.str(f0.function) != "cacheRecord") continue;
    EXPECT_TRUE(g.str(f0.file).ends_with("/lib/records.js"));
    EXPECT_EQ(f0.line, 16u);
    EXPECT_EQ(f0.column, 21u);
    const SourceLocation& f1 = g.location(frames[1]);
    EXPECT_EQ(g.str(f1.function), "handleRequest");
    EXPECT_EQ(f1.line, 18u);
    EXPECT_EQ(f1.column, 23u);
    const SourceLocation& f2 = g.location(frames[2]);
    EXPECT_EQ(g.str(f2.function), "main");
    EXPECT_EQ(f2.line, 29u);
    const SourceLocation& f3 = g.location(frames[3]);
    EXPECT_EQ(g.str(f3.function), "processImmediate");
    EXPECT_EQ(g.str(f3.file), "node:internal/timers");
    EXPECT_EQ(f3.line, 438u);
    ++viaCacheRecord;
  }
  EXPECT_EQ(leaky, 2100u);
  EXPECT_GE(viaCacheRecord, 2000u);
  bool tracking = false;
  for (const Fact& f : d->facts) tracking |= f.id == "allocationTracking" && f.value.text.starts_with("recorded");
  EXPECT_TRUE(tracking);
}

TEST(V8Format, TinySnapshotLayout) {
  auto d = load(asBytes(testing::tinySnapshot()));
  const HeapGraph& g = d->heap->graph;
  ASSERT_EQ(g.nodeCount(), 5u);
  EXPECT_EQ(g.kind(1), NodeKind::Root);
  EXPECT_EQ(g.nameOf(1), "(GC roots)");
  EXPECT_EQ(g.typeNameOf(2), "Foo");
  EXPECT_EQ(g.typeNameOf(3), "(string)");
  EXPECT_EQ(g.nameOf(3), "payload-\xc3\xa9");
  EXPECT_EQ(g.address[2], 61u);
  EXPECT_EQ(g.labelText(g.firstEdge[0]), "[1]");
  EXPECT_EQ(g.labelText(g.firstEdge[2]), "name");
  EXPECT_TRUE(g.edgeKind(g.firstEdge[2] + 1) & kEdgeWeak);
  const SourceLocation* l = siteLocation(g, g.site[2]);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->line, 5u);
  EXPECT_EQ(l->column, 3u);
  EXPECT_EQ(g.str(l->file), "script 7");
  // Bar is held only by a weak edge.
  EXPECT_EQ(d->heap->unreachableObjects, 1u);
  EXPECT_EQ(d->heap->retained[2], 56u + 32u);
}

TEST(V8Format, SectionsInAnyOrder) {
  // Keys sorted as `jq -S` writes them: edges and nodes before snapshot.
  const std::string tiny = testing::tinySnapshot();
  auto section = [&](const std::string& key) {
    const size_t at = tiny.find("\"" + key + "\":");
    size_t end = at;
    int depth = 0;
    bool inString = false;
    for (size_t i = tiny.find(':', at) + 1; i < tiny.size(); ++i) {
      const char c = tiny[i];
      if (inString) {
        if (c == '\\') ++i;
        else if (c == '"') inString = false;
        continue;
      }
      if (c == '"') inString = true;
      else if (c == '[' || c == '{') ++depth;
      else if (c == ']' || c == '}') {
        if (--depth == 0) {
          end = i + 1;
          break;
        }
      }
    }
    return tiny.substr(at, end - at);
  };
  std::string sorted = "{";
  for (const char* k : {"edges", "locations", "nodes", "samples", "snapshot", "strings", "trace_function_infos", "trace_tree"})
    sorted += (sorted.size() > 1 ? ",\n" : "") + section(k);
  sorted += "}";
  auto d = load(asBytes(sorted));
  EXPECT_EQ(d->heap->graph.typeNameOf(2), "Foo");
  EXPECT_EQ(d->heap->graph.labelText(d->heap->graph.firstEdge[2]), "name");
}

// Meta-driven: an older layout (6 node fields, no detachedness) with fields in another order.
TEST(V8Format, FieldOffsetsComeFromTheMeta) {
  std::string s = testing::tinySnapshot();
  auto replace = [&](const std::string& from, const std::string& to) {
    const size_t at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
  };
  replace(R"(["type","name","id","self_size","edge_count","trace_node_id","detachedness"])",
          R"(["type","name","self_size","id","edge_count","trace_node_id"])");
  replace(R"("string","number","number","number","number","number"])", R"("string","number","number","number","number"])");
  replace("[9,0,1,0,2,0,0\n,9,1,3,0,1,0,0\n,3,2,61,56,2,0,0\n,2,3,63,32,0,0,0\n,3,4,65,24,0,0,0]",
          "[9,0,0,1,2,0\n,9,1,0,3,1,0\n,3,2,56,61,2,0\n,2,3,32,63,0,0\n,3,4,24,65,0,0]");
  // to_node offsets are multiples of 6 now.
  replace("[1,1,7\n,5,2,14\n,1,0,14\n,2,5,21\n,6,6,28]", "[1,1,6\n,5,2,12\n,1,0,12\n,2,5,18\n,6,6,24]");
  replace("\"locations\":[14,7,4,2]", "\"locations\":[12,7,4,2]");
  auto d = load(asBytes(s));
  const HeapGraph& g = d->heap->graph;
  EXPECT_EQ(g.typeNameOf(2), "Foo");
  EXPECT_EQ(g.selfSize[2], 56u);
  EXPECT_EQ(g.address[2], 61u);
  EXPECT_EQ(g.edgeTarget[g.firstEdge[2]], 3u);
  EXPECT_EQ(siteLocation(g, g.site[2])->line, 5u);
}

// Bad input: a LoadError naming the byte offset and what was expected, never a crash.
struct BadCase {
  std::string name, from, to, message;
};

TEST(V8Format, BadInputNamesTheByteAndWhatWasExpected) {
  const std::string tiny = testing::tinySnapshot();
  const std::vector<BadCase> cases = {
      {"edge past the nodes", "[1,1,7\n,5,2,14", "[1,1,7\n,5,2,35", "points at node offset 35, past the 5 nodes"},
      {"edge not at a node", "[1,1,7\n,5,2,14", "[1,1,7\n,5,2,15", "not a multiple of the 7 node fields"},
      {"non-number in nodes", ",3,2,61,56,2,0,0", ",3,2,\"x\",56,2,0,0", "expected an unsigned integer in nodes"},
      {"negative number", ",3,2,61,56,2,0,0", ",3,2,-61,56,2,0,0", "expected an unsigned integer in nodes"},
      {"float", ",3,2,61,56,2,0,0", ",3,2,61.5,56,2,0,0", "expected an unsigned integer in nodes"},
      {"missing node field", R"("node_fields":["type","name","id","self_size")", R"("node_fields":["type","name","id","size")",
       "meta.node_fields has no \"self_size\""},
      {"missing meta", R"({"snapshot":{"meta":)", R"({"snapshot":{"mota":)", "expected \"meta\""},
      {"node count too high", R"("node_count":5)", R"("node_count":6)", "needs 42"},
      {"edge count mismatch", R"("edge_count":5)", R"("edge_count":6)", "edge_count"},
      {"node type out of range", "\n,3,4,65,24,0,0,0]", "\n,77,4,65,24,0,0,0]", "has type 77 but meta.node_types lists 16"},
      {"edge type out of range", ",6,6,28]", ",9,6,28]", "has type 9 but meta.edge_types lists 7"},
      {"string index past strings", "[1,1,7\n,5,2,14", "[1,1,7\n,5,99,14", "names string 99 but the file has only 7 strings"},
      {"no strings", std::string(",\n") + R"J("strings":["<dummy>","(GC roots)","Foo","payload-\u00e9","Bar","name","cache"]})J", "}",
       "no \"strings\" section"},
  };
  for (const BadCase& c : cases) {
    std::string s = tiny;
    const size_t at = s.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.name;
    s.replace(at, c.from.size(), c.to);
    try {
      load(asBytes(s));
      ADD_FAILURE() << c.name << ": loaded";
    } catch (const LoadError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << c.name << ": " << e.what();
      if (c.name != "string index past strings" && c.name != "no strings") {
        EXPECT_TRUE(e.offset.has_value()) << c.name;
        EXPECT_NE(std::string(e.what()).find("at byte"), std::string::npos) << c.name << ": " << e.what();
      }
    }
  }
}

TEST(V8Format, CutSnapshot) {
  const std::vector<uint8_t>& all = snapshotBytes("plain-baseline");
  // Cut inside the edges: nothing usable, an error with the offset.
  const std::string text(all.begin(), all.end());
  const size_t edges = text.find("\"edges\":");
  ASSERT_NE(edges, std::string::npos);
  try {
    load(std::span<const uint8_t>(all.data(), edges + 1000));
    ADD_FAILURE() << "loaded a snapshot cut inside its edges";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("the file ends inside edges"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cut"), std::string::npos) << e.what();
    EXPECT_EQ(e.offset, edges + 1000);
  }
  // Cut inside the strings (the last section): the graph is whole, the missing names say so.
  const size_t strings = text.find("\"strings\":");
  auto d = load(std::span<const uint8_t>(all.data(), strings + (all.size() - strings) / 2));
  EXPECT_EQ(d->heap->graph.nodeCount(), 40481u);
  ASSERT_FALSE(d->warnings.empty());
  bool said = false;
  for (const std::string& w : d->warnings) said |= w.find("inside \"strings\"") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(V8Format, DamagedOptionalSectionIsLeftOutWithAWarning) {
  std::string s = testing::tinySnapshot();
  s.replace(s.find("\"locations\":[14,7,4,2]"), 22, "\"locations\":[14,7,\"x\",2]");
  auto d = load(asBytes(s));
  EXPECT_EQ(d->heap->graph.site[2], kNoSite);
  bool said = false;
  for (const std::string& w : d->warnings) said |= w.find("\"locations\" was left out") != std::string::npos;
  EXPECT_TRUE(said);
}


// The line index in a workspace holding the program's sources (fixtures/js/README.md, "Source lines the
// editor should get"): with allocation stacks (tracked), LeakyRecord's 2,100 instances are allocated in
// cacheRecord (records.js:16) and the class's own line (the constructor, records.js:6) gets a
// Definition entry with all of them. Without stacks (plain), the instances are placed at that line
// already, as an Allocation entry, and no Definition entry repeats it.
TEST(V8Format, ClassDeclarationLinesGetTheirInstances) {
  SourceMap map;
  map.setWorkspaceRoots({std::string(HEAPLENS_TEST_DATA) + "/js"});
  auto entryAt = [](const LineIndex& lines, uint32_t line, LineKind kind) -> const LineEntry* {
    for (const auto& [path, entries] : lines.byFile) {
      if (!path.ends_with("/lib/records.js")) continue;
      for (const LineEntry& e : entries)
        if (e.line == line && e.kind == kind) return &e;
    }
    return nullptr;
  };
  {
    auto d = load(snapshotBytes("tracked-target"));
    HeapIndex index(*d->heap);
    LineIndex lines = buildLineIndex(*d, &index, map);
    const LineEntry* def = entryAt(lines, 6, LineKind::Definition);
    ASSERT_TRUE(def) << "no Definition entry at records.js:6";
    ASSERT_EQ(def->types.size(), 1u);
    EXPECT_EQ(d->heap->graph.str(d->heap->graph.typeName[def->types[0]]), "LeakyRecord");
    EXPECT_EQ(def->stats.count, 2100u);
    EXPECT_EQ(def->stats.shallowBytes, 2100u * 56u);
    ASSERT_NE(def->representative, kNoNode);
    EXPECT_EQ(d->heap->graph.typeNameOf(def->representative), "LeakyRecord");
  }
  {
    auto d = load(snapshotBytes("plain-target"));
    HeapIndex index(*d->heap);
    LineIndex lines = buildLineIndex(*d, &index, map);
    EXPECT_FALSE(entryAt(lines, 6, LineKind::Definition));
    const LineEntry* alloc = entryAt(lines, 6, LineKind::Allocation);
    ASSERT_TRUE(alloc);
    // The 2,100 instances and the class's own function object, declared at the same position (the
    // README's note on spaa's 2,101).
    EXPECT_EQ(alloc->stats.count, 2101u);
  }
}

}  // namespace
}  // namespace heaplens::v8
