// V8SourceMapTests: snapshots of a compiled TypeScript program (tests/data/js/ts-app: tsc's output and an
// esbuild bundle, run under Node 20) put their figures on the .ts lines once the generated JavaScript and
// its map are found in a workspace at another path than the snapshot records.
//
// Expected figures come from the program (src/main.ts: SESSIONS, ENTRIES, LISTENERS instances and
// closures; BASELINE_* before the baseline) and expected lines from the .ts and .js sources themselves
// (V8 places a class's instances at its constructor, so the line of `constructor(` in class Session),
// never from HeapLens' output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "analysis/GeneratedSources.h"
#include "analysis/LineIndex.h"
#include "analysis/SnapshotDiff.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/heapdiff/HeapDiffFormat.h"
#include "tests/formats/v8/V8TestData.h"

namespace heaplens::v8 {
namespace {

namespace fs = std::filesystem;

const fs::path kApp = fs::path(HEAPLENS_TEST_DATA) / "js/ts-app";

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The 1-based line of the first line of `file` that contains `text`; 0 when none does.
uint32_t lineOf(const fs::path& file, std::string_view text) {
  std::istringstream in(readText(file));
  std::string line;
  for (uint32_t n = 1; std::getline(in, line); ++n)
    if (line.find(text) != std::string::npos) return n;
  return 0;
}

// `export const NAME = 123;` in src/main.ts.
uint64_t programConstant(const std::string& name) {
  std::smatch m;
  const std::string text = readText(kApp / "src/main.ts");
  if (!std::regex_search(text, m, std::regex("export const " + name + " = (\\d+);"))) return 0;
  return std::stoull(m[1]);
}

// A workspace holding the program's sources and generated files (no snapshots), and the snapshots
// decompressed beside it; the snapshots record /tmp/heaplens-ts-app/..., which is not here.
struct AppWorkspace {
  fs::path root = fs::temp_directory_path() / ("heaplens-tsapp-" + std::to_string(::getpid()));
  fs::path app = root / "ws/app";
  std::shared_ptr<SourceMap> map = std::make_shared<SourceMap>();
  AppWorkspace() {
    fs::remove_all(root);
    fs::create_directories(app);
    for (const char* d : {"src", "out", "bundle"}) fs::copy(kApp / d, app / d, fs::copy_options::recursive);
    map->setWorkspaceRoots({(root / "ws").string()});
  }
  ~AppWorkspace() { fs::remove_all(root); }
  std::unique_ptr<Dump> load(const std::string& snapshot, bool follow = true) {
    const std::vector<uint8_t>& bytes = testing::snapshotBytes("ts-app/" + snapshot);
    const fs::path file = root / (snapshot + ".heapsnapshot");
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    LoadOptions options;
    options.followSourceMaps = follow;
    options.locateFile = workspaceLocator(map);
    return loadDump(file.string(), options, {});
  }
};

// What a test counts on a line: instances of the class `name` (their type), or closures of the
// function `name` (DevTools names their type `Function`).
struct Named {
  std::string_view name;
  bool closure = false;
  bool operator()(const HeapGraph& g, NodeId v) const {
    return closure ? g.typeNameOf(v) == "Function" && g.nameOf(v) == name : g.typeNameOf(v) == name;
  }
};
Named instances(std::string_view name) { return {name, false}; }
Named closures(std::string_view name) { return {name, true}; }

// Of the entries on `line` of `file`, how many nodes are `what`; -1 when the file has no entry at all.
int64_t onLine(const Dump& d, const HeapIndex& index, const LineIndex& lines, const fs::path& file, uint32_t line,
               Named what) {
  const std::vector<LineEntry>* entries = lines.linesOf(file.string());
  if (!entries) return -1;
  int64_t n = 0;
  for (const LineEntry& e : *entries)
    if (e.line == line)
      for (SiteId s : e.sites)
        for (NodeId v : index.nodesOfSite(s)) n += what(d.heap->graph, v) ? 1 : 0;
  return n;
}

uint64_t nodesOfType(const Dump& d, std::string_view name) {
  const HeapGraph& g = d.heap->graph;
  uint64_t n = 0;
  for (NodeId v = 0; v < g.nodeCount(); ++v)
    if (g.kind(v) == NodeKind::Object && g.typeNameOf(v) == name) ++n;
  return n;
}

class CompiledApp : public ::testing::TestWithParam<const char*> {};

// tsc's out/*.js and esbuild's bundle.js: the classes' instances and the closures are on the .ts lines,
// and none of them is left on the generated files, though the workspace holds them too. (esbuild's own
// helpers, __export and the like, come from no source: they stay on bundle.js.)
TEST_P(CompiledApp, FiguresSitOnTheTypeScriptLines) {
  AppWorkspace ws;
  std::unique_ptr<Dump> d = ws.load(GetParam());
  ASSERT_TRUE(d->heap);
  EXPECT_TRUE(d->warnings.empty() || d->warnings[0].find("source map") == std::string::npos) << d->warnings[0];
  HeapIndex index(*d->heap);
  LineIndex lines = buildLineIndex(*d, &index, *ws.map);

  const uint64_t sessions = programConstant("SESSIONS"), entries = programConstant("ENTRIES"),
                 listeners = programConstant("LISTENERS");
  ASSERT_EQ(sessions, 1500u);
  ASSERT_EQ(nodesOfType(*d, "Session"), sessions);
  ASSERT_EQ(nodesOfType(*d, "CacheEntry"), entries);

  const fs::path sessionTs = ws.app / "src/session.ts", cacheTs = ws.app / "src/cache.ts";
  const uint32_t sessionLine = lineOf(sessionTs, "constructor(options: SessionOptions");
  ASSERT_EQ(sessionLine, 17u);
  EXPECT_EQ(onLine(*d, index, lines, sessionTs, sessionLine, instances("Session")), static_cast<int64_t>(sessions));
  EXPECT_EQ(onLine(*d, index, lines, cacheTs, lineOf(cacheTs, "constructor(key: Key"), instances("CacheEntry")),
            static_cast<int64_t>(entries));
  EXPECT_EQ(onLine(*d, index, lines, cacheTs, lineOf(cacheTs, "const onEvent"), closures("onEvent")),
            static_cast<int64_t>(listeners));

  for (const auto& [file, entriesOfFile] : lines.byFile) {
    if (!file.ends_with(".js")) continue;
    for (const LineEntry& e : entriesOfFile)
      for (SiteId s : e.sites)
        for (NodeId v : index.nodesOfSite(s)) {
          const std::string_view name = d->heap->graph.nameOf(v);
          for (const char* mine : {"Session", "CacheEntry", "onEvent", "openSession", "remember", "addListener", "growTo"})
            EXPECT_NE(name, mine) << "left on " << file << ":" << e.line;
        }
  }

  // The report's figures come from the same site table: the class's site names the .ts line.
  bool sessionSite = false;
  const HeapGraph& g = d->heap->graph;
  for (TypeId t = 0; t < g.typeCount(); ++t) {
    if (g.str(g.typeName[t]) != "Session" || g.typeSiteOf(t) == kNoSite) continue;
    const SourceLocation& loc = g.location(g.frames(g.typeSiteOf(t)).front());
    EXPECT_EQ(fs::path(g.str(loc.file)), sessionTs);
    EXPECT_EQ(loc.line, sessionLine);
    sessionSite = true;
  }
  EXPECT_TRUE(sessionSite);
  bool fact = false;
  for (const Fact& f : d->facts) fact |= f.id == "sourceMaps";
  EXPECT_TRUE(fact);
}

INSTANTIATE_TEST_SUITE_P(TscAndEsbuild, CompiledApp, ::testing::Values("tsc", "esbuild"));

// Without following maps, the same snapshot puts Session on the constructor's line in the generated
// session.js: that is the line the map moves away from.
TEST(CompiledAppTsc, WithoutMapsTheFiguresStayOnTheGeneratedLines) {
  AppWorkspace ws;
  std::unique_ptr<Dump> d = ws.load("tsc", false);
  HeapIndex index(*d->heap);
  LineIndex lines = buildLineIndex(*d, &index, *ws.map);
  const fs::path sessionJs = ws.app / "out/session.js";
  const uint32_t jsLine = lineOf(sessionJs, "constructor(options, now)");
  ASSERT_NE(jsLine, lineOf(ws.app / "src/session.ts", "constructor(options: SessionOptions"));
  EXPECT_EQ(onLine(*d, index, lines, sessionJs, jsLine, instances("Session")), 1500);
  EXPECT_EQ(lines.linesOf((ws.app / "src/session.ts").string()), nullptr);
}

// A broken map (a character outside base64 in session.js.map's mappings) keeps session.js's lines and
// says which map, what and where; cache.js's good map is still followed.
TEST(CompiledAppTsc, ABrokenMapKeepsTheGeneratedLineWithAWarning) {
  AppWorkspace ws;
  const fs::path mapFile = ws.app / "out/session.js.map";
  std::string map = readText(mapFile);
  const size_t at = map.find("\"mappings\":\"") + 12;
  map.insert(at + 2, "!");
  std::ofstream(mapFile, std::ios::binary) << map;

  std::unique_ptr<Dump> d = ws.load("tsc");
  HeapIndex index(*d->heap);
  LineIndex lines = buildLineIndex(*d, &index, *ws.map);
  const fs::path sessionJs = ws.app / "out/session.js", cacheTs = ws.app / "src/cache.ts";
  EXPECT_EQ(onLine(*d, index, lines, sessionJs, lineOf(sessionJs, "constructor(options, now)"), instances("Session")), 1500);
  EXPECT_EQ(onLine(*d, index, lines, cacheTs, lineOf(cacheTs, "constructor(key: Key"), instances("CacheEntry")), 700);
  std::string warning;
  for (const std::string& w : d->warnings)
    if (w.find("source map") != std::string::npos) warning = w;
  EXPECT_NE(warning.find("the source map " + mapFile.string() + " (named by " + sessionJs.string() + ")"),
            std::string::npos)
      << warning;
  // The mappings begin ";AAAA,": line 1 has no segment, so character 2 is in line 2's first segment.
  ASSERT_TRUE(std::string_view(map).substr(at, 7) == ";A!AAA,") << map.substr(at, 7);
  EXPECT_NE(warning.find("/mappings: generated line 2, segment 1 (character 2 of mappings): not a base64 digit"),
            std::string::npos)
      << warning;
  EXPECT_NE(warning.find("stay on the generated lines"), std::string::npos) << warning;
}

// Growth between the baseline and the target: Session grew by SESSIONS - BASELINE_SESSIONS, and the
// record's location (heap-diff's `location`) is the .ts line.
TEST(CompiledAppTsc, GrowthRecordsCarryTheTypeScriptLocation) {
  AppWorkspace ws;
  std::unique_ptr<Dump> base = ws.load("tsc-baseline");
  std::unique_ptr<Dump> target = ws.load("tsc");
  GrowthRecords growth = diffHeaps(*base->heap, *target->heap);
  const GrowthRecord* session = nullptr;
  for (const GrowthRecord& r : growth.records)
    if (r.type == "Session") session = &r;
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->countDelta,
            static_cast<int64_t>(programConstant("SESSIONS") - programConstant("BASELINE_SESSIONS")));
  std::ostringstream out;
  heapdiff::writeHeapDiff(out, growth, *target->sites);
  const fs::path sessionTs = ws.app / "src/session.ts";
  const std::string expected = "\"constructor\":\"Session\"";
  std::istringstream in(out.str());
  std::string line, sessionLine;
  while (std::getline(in, line))
    if (line.find("\"type\":\"growth\"") != std::string::npos && line.find(expected) != std::string::npos) sessionLine = line;
  EXPECT_NE(sessionLine.find("\"location\":{\"url\":\"" + sessionTs.string() + "\",\"line\":" +
                             std::to_string(lineOf(sessionTs, "constructor(options: SessionOptions"))),
            std::string::npos)
      << sessionLine;
}

// The step is the format's business in no way: a heap-diff file from another tool whose record's
// location is the generated session.js (the constructor's line and column, 1-based, as heap-diff
// writes them; recorded at a path not on this machine) is moved to session.ts the same way.
TEST(CompiledAppTsc, AHeapDiffLocationInGeneratedCodeIsMappedToo) {
  AppWorkspace ws;
  const fs::path sessionJs = ws.app / "out/session.js", sessionTs = ws.app / "src/session.ts";
  const uint32_t jsLine = lineOf(sessionJs, "constructor(options, now)");
  const fs::path file = ws.root / "other-tool.heapdiff.ndjson";
  std::ofstream(file) << R"({"type":"header","format":"heap-diff","version":"0.1","baseline":"a","target":"b"})" "\n"
                      << R"({"type":"growth","constructor":"Session","count_before":500,"count_after":1500,)"
                      << R"("count_delta":1000,"size_before":24000,"size_after":72000,"size_delta":48000,)"
                      << R"("location":{"url":"/tmp/heaplens-ts-app/out/session.js","line":)" << jsLine
                      << R"(,"column":5}})" "\n";
  LoadOptions options;
  options.locateFile = workspaceLocator(ws.map);
  std::unique_ptr<Dump> d = loadDump(file.string(), options, {});
  ASSERT_TRUE(d->growth);
  ASSERT_EQ(d->growth->records.size(), 1u);
  auto frames = d->sites->frames(d->growth->records[0].site);
  ASSERT_EQ(frames.size(), 1u);
  const SourceLocation& loc = d->sites->location(frames.front());
  EXPECT_EQ(fs::path(d->sites->str(loc.file)), sessionTs);
  EXPECT_EQ(loc.line, lineOf(sessionTs, "constructor(options: SessionOptions"));
}

}  // namespace
}  // namespace heaplens::v8
