// FeaturesTests: hover, code lenses, diagnostics and retainers on real dumps, with the program's
// source in a workspace at another path than the dump records.
//
// Expected values come from shared/fixtures/go/README.md and shared/fixtures/moar/README.md.
#include <filesystem>
#include <set>


#include <gtest/gtest.h>
#include <zstd.h>

#include <fstream>

#include "analysis/formats/DumpFormat.h"
#include "lsp/FeatureSupport.h"
#include "lsp/Features.h"
#include "lsp/Uri.h"
#include "TestWorkspace.h"

namespace heaplens::lsp {
namespace {

namespace fs = std::filesystem;

using test::TestWorkspace;

std::shared_ptr<const LoadedDump> load(const std::string& relative, std::optional<uint32_t> snapshot = {}) {
  LoadOptions options;
  options.snapshot = snapshot;
  std::shared_ptr<const Dump> dump = loadDump(std::string(HEAPLENS_TEST_DATA) + "/" + relative, options, {});
  return std::make_shared<const LoadedDump>(dump);
}

const protocol::Diagnostic* diagnosticAt(const std::vector<protocol::Diagnostic>& diags, uint32_t line0) {
  for (const auto& d : diags)
    if (d.range.start.line == line0) return &d;
  return nullptr;
}

class GoFeatures : public ::testing::TestWithParam<const char*> {};

TEST_P(GoFeatures, SessionLineShowsTenThousandObjects) {
  TestWorkspace ws(fs::path(HEAPLENS_TEST_DATA) / "go/leakcache/main.go", "cmd/leakcache/main.go", "go");
  FeatureContext ctx;
  ctx.dumps = {load(GetParam())};
  ctx.sourceMap = &ws.sourceMap;

  // Hover at main.go:53 (0-based 52): 10,000 live 64-byte objects.
  auto hover = getHover(ctx, ws.doc, {52, 10});
  ASSERT_TRUE(hover.has_value());
  EXPECT_NE(hover->contents.value.find("10,000 live objects, 640,000 B (625 KiB)"), std::string::npos)
      << hover->contents.value;
  EXPECT_NE(hover->contents.value.find("| — | 64 B | 10,000 |"), std::string::npos) << hover->contents.value;
  EXPECT_NE(hover->contents.value.find("main.fillCache"), std::string::npos);
  EXPECT_NE(hover->contents.value.find("Path from a root"), std::string::npos);

  // A diagnostic on that line with the retention path in relatedInformation.
  auto diags = getDiagnostics(ctx, ws.doc);
  const protocol::Diagnostic* d = diagnosticAt(diags, 52);
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("10,000 live objects, 640,000 B (625 KiB) allocated here"), std::string::npos) << d->message;
  EXPECT_FALSE(d->relatedInformation.empty());

  // A lens at the line, and one at fillCache's declaration.
  auto lenses = getCodeLenses(ctx, ws.doc);
  bool lineLens = false, functionLens = false;
  for (const auto& lens : lenses) {
    ASSERT_TRUE(lens.command.has_value());
    if (lens.range.start.line == 52 && lens.command->title.starts_with("10,000 live objects")) lineLens = true;
    if (lens.command->title.starts_with("fillCache:")) functionLens = true;
  }
  EXPECT_TRUE(lineLens);
  EXPECT_TRUE(functionLens);

  // 100 × 4096 B buffers at :61, plus the [][]byte backing array: 3,072 B on Go 1.19, 4,096 B on Go 1.22.
  const bool go119 = std::string(GetParam()).find("1.19") != std::string::npos;
  auto buffers = getHover(ctx, ws.doc, {60, 0});
  ASSERT_TRUE(buffers.has_value());
  EXPECT_NE(buffers->contents.value.find(go119 ? "| — | 4 KiB | 100 |" : "| — | 4 KiB | 101 |"), std::string::npos)
      << buffers->contents.value;
  if (go119) {
    EXPECT_NE(buffers->contents.value.find("| — | 3 KiB | 1 |"), std::string::npos) << buffers->contents.value;
  }
  auto big = getHover(ctx, ws.doc, {66, 0});
  ASSERT_TRUE(big.has_value());
  EXPECT_NE(big->contents.value.find("| — | 640 B | 50 |"), std::string::npos) << big->contents.value;
}

TEST_P(GoFeatures, StackHeldSliceIsRetainedByHolderFrame) {
  TestWorkspace ws(fs::path(HEAPLENS_TEST_DATA) / "go/leakcache/main.go", "main.go", "go");
  FeatureContext ctx;
  ctx.dumps = {load(GetParam())};
  ctx.sourceMap = &ws.sourceMap;
  // Go 1.19 reports the 40,960-byte slice at :89 (unadjusted return PC) in a frame of main.holder;
  // Go 1.22 at :88, in the frame of the wrapper main.main.gowrap1 that holder was inlined into.
  const bool go119 = std::string(GetParam()).find("1.19") != std::string::npos;
  uint32_t line0 = go119 ? 88 : 87;
  const char* holderFrame = go119 ? "main.holder" : "main.main.gowrap1";
  nlohmann::json params = {{"textDocument", {{"uri", ws.doc.uri}}}, {"position", {{"line", line0}, {"character", 0}}}};
  nlohmann::json result = getRetainers(ctx, params, ws.doc);
  ASSERT_FALSE(result["paths"].empty()) << result.dump();
  const nlohmann::json& steps = result["paths"][0]["steps"];
  ASSERT_GE(steps.size(), 2u);
  EXPECT_EQ(steps.back()["size"], 40960) << result.dump(2);
    EXPECT_NE(result["paths"][0]["text"].get<std::string>().find(holderFrame), std::string::npos) << result.dump(2);
  // The frame is the only retainer: the path's second-to-last step is that frame.
  EXPECT_EQ(steps[steps.size() - 2]["kind"], "frame") << result.dump(2);
}

// What the server does when a load ends: prepare() builds the indexes and the root paths, saying so in the
// progress; a cancel stops it with OperationCancelled, and the same object still answers afterwards
// (call_once retries a build that threw).
TEST_P(GoFeatures, PrepareReportsItsPhasesAndStopsAtACancel) {
  TestWorkspace ws(fs::path(HEAPLENS_TEST_DATA) / "go/leakcache/main.go", "cmd/leakcache/main.go", "go");
  auto loaded = load(GetParam());

  std::stop_source cancelled;
  cancelled.request_stop();
  EXPECT_THROW(loaded->prepare(ws.sourceMap, TaskContext(cancelled.get_token(), {})), OperationCancelled);

  std::vector<std::string> phases;
  std::stop_source running;
  loaded->prepare(ws.sourceMap, TaskContext(running.get_token(), [&](std::string_view phase, double) {
    if (phases.empty() || phases.back() != phase) phases.emplace_back(phase);
  }));
  EXPECT_EQ(phases, (std::vector<std::string>{"Indexing", "Finding paths from the roots"}));

  FeatureContext ctx;
  ctx.dumps = {loaded};
  ctx.sourceMap = &ws.sourceMap;
  auto hover = getHover(ctx, ws.doc, {52, 10});
  ASSERT_TRUE(hover.has_value());
  EXPECT_NE(hover->contents.value.find("10,000 live objects"), std::string::npos) << hover->contents.value;
  EXPECT_NE(hover->contents.value.find("Path from a root"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(RealDumps, GoFeatures,
                         ::testing::Values("go/leakcache-go1.19.heapdump", "go/leakcache-go1.22.heapdump"));

TEST(GoFeaturesNoProfile, SaysLinesCannotBeAttributed) {
  TestWorkspace ws(fs::path(HEAPLENS_TEST_DATA) / "go/leakcache/main.go", "main.go", "go");
  FeatureContext ctx;
  ctx.dumps = {load("go/rates/unlinked-default-go1.19.heapdump")};
  ctx.sourceMap = &ws.sourceMap;
  auto diags = getDiagnostics(ctx, ws.doc);
  bool told = false;
  for (const auto& d : diags)
    if (d.code == "heaplens.noAttribution" && d.message.find("MemProfileRate = 1") != std::string::npos) told = true;
  EXPECT_TRUE(told);
}

class MoarFeatures : public ::testing::Test {
protected:
  static void SetUpTestSuite() { snapshot5 = load("moar/leaky.mvmheap", 5); }
  static void TearDownTestSuite() { snapshot5.reset(); }
  static std::shared_ptr<const LoadedDump> snapshot5;
};
std::shared_ptr<const LoadedDump> MoarFeatures::snapshot5;

TEST_F(MoarFeatures, FrameLinesHaveLensesAndLexicals) {
  TestWorkspace ws(fs::path(HEAPLENS_TEST_DATA) / "moar/leaky.raku", "leaky.raku", "raku");
  FeatureContext ctx;
  ctx.dumps = {snapshot5};
  ctx.sourceMap = &ws.sourceMap;

  auto lenses = getCodeLenses(ctx, ws.doc);
  std::set<uint32_t> lensLines;
  for (const auto& lens : lenses) lensLines.insert(lens.range.start.line);
  // <unit> :1, make-leaks :11 and hold-and-snapshot :17 are frames in snapshot 5.
  EXPECT_TRUE(lensLines.count(0)) << "no lens at <unit> line 1";
  EXPECT_TRUE(lensLines.count(10)) << "no lens at make-leaks line 11";
  EXPECT_TRUE(lensLines.count(16)) << "no lens at hold-and-snapshot line 17";

  // <unit> holds @LEAKS, which retains the Leaky objects.
  auto hover = getHover(ctx, ws.doc, {0, 0});
  ASSERT_TRUE(hover.has_value());
  EXPECT_NE(hover->contents.value.find("`@LEAKS`"), std::string::npos) << hover->contents.value;
  EXPECT_NE(hover->contents.value.find("Leaky"), std::string::npos) << hover->contents.value;
}

TEST_F(MoarFeatures, ClassHoverShowsInstancesAndGrowth) {
  TestWorkspace ws(fs::path(HEAPLENS_TEST_DATA) / "moar/leaky.raku", "leaky.raku", "raku");
  FeatureContext ctx;
  ctx.dumps = {snapshot5};
  ctx.sourceMap = &ws.sourceMap;
  // `class Leaky {` is line 4 (0-based 3): 23,000 instances of 48 B in snapshot 5.
  auto hover = getHover(ctx, ws.doc, {3, 7});
  ASSERT_TRUE(hover.has_value());
  const std::string& text = hover->contents.value;
  EXPECT_NE(text.find("23,000 instances, 48 B each"), std::string::npos) << text;
  EXPECT_NE(text.find("770 → 7,701 → 10,723 → 16,655 → 21,158 → 23,000 → 23,000"), std::string::npos) << text;

  auto diags = getDiagnostics(ctx, ws.doc);
  const protocol::Diagnostic* growth = diagnosticAt(diags, 3);
  ASSERT_NE(growth, nullptr);
  EXPECT_EQ(growth->code, "heaplens.growth");
  EXPECT_NE(growth->message.find("770 → 23,000"), std::string::npos) << growth->message;
}


// A V8 snapshot with allocation stacks (fixtures/js/README.md, "Source lines the editor should get"):
// the class LeakyRecord's constructor line, records.js:6, gets its 2,100 live instances (56 B each) in
// the hover and a lens, with a path from a root.
TEST(V8Features, ClassLineShowsItsInstances) {
  // The committed snapshot is zstd-compressed; the server reads plain .heapsnapshot files.
  const fs::path packed = fs::path(HEAPLENS_TEST_DATA) / "js/tracked-target.heapsnapshot.zst";
  std::string bytes = test::readFile(packed);
  const unsigned long long size = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
  ASSERT_NE(size, ZSTD_CONTENTSIZE_ERROR);
  std::string plain(size, '\0');
  ASSERT_EQ(ZSTD_decompress(plain.data(), plain.size(), bytes.data(), bytes.size()), size);
  const fs::path file = fs::temp_directory_path() / ("heaplens-v8-" + std::to_string(::getpid()) + ".heapsnapshot");
  { std::ofstream(file, std::ios::binary) << plain; }
  std::shared_ptr<const Dump> dump = loadDump(file.string(), LoadOptions{}, {});
  fs::remove(file);

  TestWorkspace ws(fs::path(HEAPLENS_TEST_DATA) / "js/lib/records.js", "web/lib/records.js", "javascript");
  FeatureContext ctx;
  ctx.dumps = {std::make_shared<const LoadedDump>(dump)};
  ctx.sourceMap = &ws.sourceMap;

  auto hover = getHover(ctx, ws.doc, {5, 4});
  ASSERT_TRUE(hover.has_value());
  const std::string& text = hover->contents.value;
  EXPECT_NE(text.find("**LeakyRecord**: 2,100 instances, 56 B each"), std::string::npos) << text;
  EXPECT_NE(text.find("Path from a root"), std::string::npos) << text;
  EXPECT_NE(text.find("recordCache"), std::string::npos) << text;  // the README's path: ... > recordCache > table > ...

  // One lens with the instances, on the `class LeakyRecord` line (records.js:5), and not a second one
  // on the constructor line where the dump says the class is declared. Its command asks for the
  // paths of an instance. 2,100 × 56 B = 117,600 B = 115 KiB.
  int classLenses = 0, constructorLenses = 0;
  for (const auto& l : getCodeLenses(ctx, ws.doc)) {
    if (!l.command) continue;
    if (l.range.start.line == 4 && l.command->title.starts_with("LeakyRecord: 2,100 instances · 115 KiB")) {
      ++classLenses;
      ASSERT_TRUE(l.command->arguments.is_array());
      const NodeId node = l.command->arguments[0].at("node").get<NodeId>();
      EXPECT_EQ(dump->heap->graph.typeNameOf(node), "LeakyRecord");
    }
    if (l.range.start.line == 5 && l.command->title.find("instances") != std::string::npos) ++constructorLenses;
  }
  EXPECT_EQ(classLenses, 1);
  EXPECT_EQ(constructorLenses, 0);

  // The class line's hover, found by the class's name: the same instances and a path.
  auto classHover = getHover(ctx, ws.doc, {4, 8});
  ASSERT_TRUE(classHover.has_value());
  EXPECT_NE(classHover->contents.value.find("**LeakyRecord**: 2,100 instances"), std::string::npos)
      << classHover->contents.value;
  EXPECT_NE(classHover->contents.value.find("recordCache"), std::string::npos) << classHover->contents.value;
}


// A heap-diff file alone (fixtures/js: diff.py's and spaa's output for the plain pair), whose records
// name a constructor and carry no location: each growth lands on the one declaration of that name in
// the workspace. LeakyRecord grew 100 -> 2,100 (+112,000 B) and is declared at records.js:5; spaa
// names the listener closures `onTick` (+2,000), declared at sessions.js:19. A name declared twice
// is placed on neither declaration.
TEST(HeapDiffFeatures, GrowthLandsOnTheOneDeclarationOfItsName) {
  const fs::path root = fs::temp_directory_path() / ("heaplens-hd-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "app/lib");
  for (const char* f : {"records.js", "sessions.js"})
    fs::copy_file(fs::path(HEAPLENS_TEST_DATA) / "js/lib" / f, root / "app/lib" / f);
  SourceMap map;
  map.setWorkspaceRoots({root.string()});
  auto docOf = [&](const fs::path& p) {
    Document doc;
    doc.path = p.string();
    doc.uri = pathToUri(doc.path);
    doc.languageId = "javascript";
    doc.text = test::readFile(p);
    return doc;
  };
  FeatureContext ctx;
  ctx.sourceMap = &map;

  ctx.dumps = {load("js/plain.heapdiff.ndjson")};
  Document records = docOf(root / "app/lib/records.js");
  auto hover = getHover(ctx, records, {4, 6});
  ASSERT_TRUE(hover.has_value());
  EXPECT_NE(hover->contents.value.find("**LeakyRecord** grew +2,000 objects (100 → 2,100)"), std::string::npos)
      << hover->contents.value;
  bool lens = false;
  for (const auto& l : getCodeLenses(ctx, records))
    if (l.range.start.line == 4 && l.command && l.command->title.starts_with("grew +2,000 objects")) lens = true;
  EXPECT_TRUE(lens) << "no growth lens on records.js:5";
  // A Warning there, at the default threshold (100 objects), and none when the threshold is above the growth.
  auto diags = getDiagnostics(ctx, records);
  const protocol::Diagnostic* grew = diagnosticAt(diags, 4);
  ASSERT_NE(grew, nullptr);
  EXPECT_EQ(grew->severity, protocol::DiagnosticSeverity::Warning);
  EXPECT_NE(grew->message.find("LeakyRecord grew +2,000 objects (100 → 2,100), +109 KiB"), std::string::npos)  // 112,000 B
      << grew->message;
  ctx.settings.growthWarningObjects = 2001;
  EXPECT_EQ(diagnosticAt(getDiagnostics(ctx, records), 4), nullptr);
  ctx.settings.growthWarningObjects = 100;

  ctx.dumps = {load("js/spaa-plain.heapdiff.ndjson")};
  Document sessions = docOf(root / "app/lib/sessions.js");
  auto tick = getHover(ctx, sessions, {18, 40});
  ASSERT_TRUE(tick.has_value());
  EXPECT_NE(tick->contents.value.find("**onTick** grew +2,000 objects"), std::string::npos) << tick->contents.value;

  // A second declaration of the class: the record is placed on neither.
  {
    std::ofstream(root / "app/lib/other.js") << "class LeakyRecord {}\n";
  }
  SourceMap twice;
  twice.setWorkspaceRoots({root.string()});
  ctx.sourceMap = &twice;
  ctx.dumps = {load("js/plain.heapdiff.ndjson")};
  auto none = getHover(ctx, records, {4, 6});
  EXPECT_TRUE(!none || none->contents.value.find("grew") == std::string::npos) << none->contents.value;
  fs::remove_all(root);
}

}  // namespace
}  // namespace heaplens::lsp
