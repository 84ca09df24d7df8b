// MoarRakuTests: format v2 heap snapshots written at test time by Debian's rakudo, checked against
// what the programs' source says (tests/data/moar/programs/).
//
// Each program runs once per build (make-v2-dump.sh, ~7 s and ~80 MB each, into the build
// directory; rerun when the program changes). Nothing here is copied from HeapLens' own output:
// counts and lines are the programs' (5,000 Points made at points.raku:10 held by the frame of
// make-points, declared at :9; a 3,000,000-byte buf8 held by `$buffer` and a 20,000-element
// Array by `@seen`, the captured lexicals of make-reader, :4).
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "analysis/Text.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/moar/MoarFile.h"
#include "analysis/formats/moar/MoarFormat.h"
#include "lsp/Features.h"
#include "lsp/FeatureSupport.h"
#include "lsp/Report.h"
#include "tests/formats/moar/MoarTestData.h"
#include "tests/unit/lsp/TestWorkspace.h"

namespace heaplens {
namespace {

namespace fs = std::filesystem;

fs::path programPath(const std::string& program) {
  return fs::path(HEAPLENS_TEST_DATA) / "moar/programs" / (program + ".raku");
}

// The v2 dump of tests/data/moar/programs/<program>.raku, made by Debian's raku when missing or older than the program.
std::string v2Dump(const std::string& program) {
  const fs::path src = programPath(program);
  const fs::path out = fs::path(HEAPLENS_V2_DUMPS) / (program + ".mvmheap");
  std::error_code ec;
  if (fs::exists(out, ec) && fs::last_write_time(out, ec) >= fs::last_write_time(src, ec)) return out.string();
  const std::string cmd = "bash '" + std::string(HEAPLENS_SOURCE_DIR) + "/tests/formats/moar/raku/make-v2-dump.sh' '" +
                          src.string() + "' '" + out.string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return out.string();
}

// The snapshot nqp::force_gc() took: each program forces one GC and then ends, and MoarVM takes the
// last snapshot when profiling ends, so it is the one before the last.
std::unique_ptr<Dump> loadForcedSnapshot(const std::string& path) {
  auto all = loadDump(path, {}, {});
  const uint32_t n = static_cast<uint32_t>(all->series->snapshots.size());
  EXPECT_GE(n, 2u);
  LoadOptions o;
  o.snapshot = n - 2;
  return loadDump(path, o, {});
}

// Frame nodes whose site is function `name` at line `line` of a file ending in `file`.
std::vector<NodeId> framesAt(const HeapGraph& g, std::string_view name, std::string_view file, uint32_t line) {
  std::vector<NodeId> out;
  for (NodeId n = 1; n < g.nodeCount(); ++n) {
    if (g.kind(n) != NodeKind::Frame || g.site[n] == kNoSite) continue;
    const SourceLocation& loc = g.location(g.frames(g.site[n]).front());
    if (g.str(loc.function) == name && g.str(loc.file).ends_with(file) && loc.line == line) out.push_back(n);
  }
  return out;
}

// The target of `from`'s reference named `name`, or kNoNode.
NodeId named(const HeapGraph& g, NodeId from, std::string_view name) {
  for (EdgeIndex e = g.firstEdge[from]; e < g.firstEdge[from + 1]; ++e)
    if (g.label(e).kind() == EdgeLabel::Kind::Name && g.str(g.label(e).value()) == name) return g.edgeTarget[e];
  return kNoNode;
}

// Nodes of type `type` reachable from `start` (plain BFS: an independent count, not the dominator tree's).
uint64_t reachableOfType(const HeapGraph& g, NodeId start, std::string_view type) {
  std::vector<bool> seen(g.nodeCount());
  std::deque<NodeId> queue{start};
  seen[start] = true;
  uint64_t count = 0;
  while (!queue.empty()) {
    NodeId n = queue.front();
    queue.pop_front();
    if (g.kind(n) == NodeKind::Object && g.typeNameOf(n) == type) ++count;
    for (NodeId t : g.targets(n))
      if (!seen[t]) seen[t] = true, queue.push_back(t);
  }
  return count;
}

class MoarRakuPoints : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    path = new std::string(v2Dump("points"));
    dump = loadForcedSnapshot(*path).release();
  }
  static void TearDownTestSuite() {
    delete dump;
    delete path;
  }
  static std::string* path;
  static Dump* dump;
};
std::string* MoarRakuPoints::path;
Dump* MoarRakuPoints::dump;

TEST_F(MoarRakuPoints, IsReadAsFormatV2WithEverySnapshotComplete) {
  ASSERT_NE(dump, nullptr);
  EXPECT_EQ(dump->format, "mvmheap-v2");
  EXPECT_TRUE(dump->warnings.empty()) << (dump->warnings.empty() ? "" : dump->warnings.front());
  for (const SnapshotInfo& s : dump->series->snapshots) {
    EXPECT_TRUE(s.complete) << s.index;
    EXPECT_GT(s.objects, 100000u) << s.index;  // the Rakudo runtime alone is ~500,000 collectables
    EXPECT_FALSE(s.gcSequence.has_value()) << s.index;  // v2 records none (MoarVM's v2 writer)
  }
  // The report says so rather than showing "GC seq 0".
  const nlohmann::json r = lsp::reportJson(*dump);
  ASSERT_FALSE(r["snapshots"].empty());
  EXPECT_TRUE(r["snapshots"][0]["gcSequence"].is_null());
  // In the text, the first snapshot's row (after the heading and the column names) has "-" there.
  const std::string text = lsp::reportText(*dump);
  const size_t table = text.find("Snapshots (* selected)");
  ASSERT_NE(table, std::string::npos);
  std::istringstream lines(text.substr(table));
  std::string heading, columns, row, number, gcSeq;
  std::getline(lines, heading);
  std::getline(lines, columns);
  std::getline(lines, row);
  ASSERT_NE(columns.find("GC seq"), std::string::npos) << columns;
  std::istringstream(row) >> number >> gcSeq;
  EXPECT_EQ(gcSeq, "-") << row;
}

TEST_F(MoarRakuPoints, FiveThousandPointsHeldByTheLexicalOfMakePoints) {
  ASSERT_NE(dump, nullptr);
  const HeapGraph& g = dump->heap->graph;
  // points.raku: `sub make-points` is line 9; its frame is live during nqp::force_gc() at line 11.
  std::vector<NodeId> frames = framesAt(g, "make-points", "points.raku", 9);
  ASSERT_EQ(frames.size(), 1u);
  // Rakudo lowers `my @points` to a local (only lexicals a closure captures keep their names), so
  // the Array hangs off a register of the frame: count the Points the frame reaches.
  EXPECT_EQ(reachableOfType(g, frames[0], "Point"), 5000u);
  // And the type timeline of the chosen snapshot counts the same 5,000 `Point`s, declared at :4.
  const TypeTimeline& tl = dump->series->types;
  auto t = tl.indexOf("Point");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(tl.countAt(dump->series->selected, *t), 5000u);
}

TEST_F(MoarRakuPoints, StaticFramesNameTheProgramsLines) {
  std::vector<uint8_t> bytes = moar::testing::readAll(*path);
  moar::MoarFile f(bytes, {});
  EXPECT_EQ(f.version(), 2);
  std::set<std::string> found;
  for (const auto& sf : f.staticFrames()) {
    if (!f.string(sf.file).ends_with("points.raku")) continue;
    std::string name(f.string(sf.name));
    found.insert((name.empty() ? "<anon>" : name) + ":" + std::to_string(sf.line));
  }
  for (const char* want : {"<unit>:1", "make-points:9"}) EXPECT_TRUE(found.count(want)) << want;
  bool pointType = false;
  for (const auto& t : f.types())
    if (f.string(t.typeName) == "Point" && f.string(t.reprName) == "P6opaque") pointType = true;
  EXPECT_TRUE(pointType);
}

// A process killed while writing: every cut keeps exactly the snapshots whose blocks are complete.
TEST_F(MoarRakuPoints, ACutFileKeepsItsCompleteSnapshots) {
  std::vector<uint8_t> bytes = moar::testing::readAll(*path);
  moar::MoarFile whole(bytes, {});
  const auto& snaps = whole.snapshots();
  ASSERT_GE(snaps.size(), 2u);
  // Inside the last snapshot's reference records, and right after its "fram" block (no index).
  const uint64_t insideRefs = snaps.back().blocks[1].start + 1000;
  std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(insideRefs));
  auto d = moar::loadMoarDump(cut, {}, {});
  EXPECT_EQ(d->series->snapshots.size(), snaps.size() - 1);
  ASSERT_FALSE(d->warnings.empty());
  EXPECT_NE(d->warnings.front().find("inside the \"refs\" block of snapshot " + std::to_string(snaps.size() - 1)),
            std::string::npos)
      << d->warnings.front();
  EXPECT_NE(d->warnings.front().find(formatCount(snaps.back().blocks[1].start)), std::string::npos) << d->warnings.front();

  std::vector<uint8_t> noIndex(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(snaps.back().innerToc.end));
  auto e = moar::loadMoarDump(noIndex, {}, {});
  EXPECT_EQ(e->series->snapshots.size(), snaps.size());
  ASSERT_EQ(e->warnings.size(), 1u);
  EXPECT_NE(e->warnings.front().find("without the index"), std::string::npos) << e->warnings.front();
}

class MoarRakuReader : public ::testing::Test {
protected:
  static void SetUpTestSuite() { loaded = new std::shared_ptr<const lsp::LoadedDump>(
      std::make_shared<const lsp::LoadedDump>(std::shared_ptr<const Dump>(loadForcedSnapshot(v2Dump("reader"))))); }
  static void TearDownTestSuite() { delete loaded; }
  static std::shared_ptr<const lsp::LoadedDump>* loaded;
};
std::shared_ptr<const lsp::LoadedDump>* MoarRakuReader::loaded;

// Issue #16, "Raku frames and lexicals": the closure's outer frame (make-reader, :4) keeps the
// 3,000,000-byte buffer and the 20,000-element Array alive through its captured lexicals.
TEST_F(MoarRakuReader, FrameRetainsWhatItsCapturedLexicalsHold) {
  const Dump& d = (*loaded)->dump();
  const HeapGraph& g = d.heap->graph;
  std::vector<NodeId> frames = framesAt(g, "make-reader", "reader.raku", 4);
  ASSERT_EQ(frames.size(), 1u);
  const NodeId frame = frames[0];
  const NodeId buffer = named(g, frame, "$buffer"), seen = named(g, frame, "@seen");
  ASSERT_NE(buffer, kNoNode);
  ASSERT_NE(seen, kNoNode);
  EXPECT_EQ(g.typeNameOf(seen), "Array");
  EXPECT_GE(d.heap->retained[frame], 3000000u);
  EXPECT_GE(d.heap->retained[buffer], 3000000u);

  lsp::test::TestWorkspace ws(programPath("reader"), "src/reader.raku", "raku");
  lsp::FeatureContext ctx;
  ctx.dumps = {*loaded};
  ctx.sourceMap = &ws.sourceMap;
  auto hover = lsp::getHover(ctx, ws.doc, {3, 5});
  ASSERT_TRUE(hover.has_value());
  const std::string& text = hover->contents.value;
  // In total: the frame, the two containers, the buffer (56 B + 3,000,000 B unmanaged), the Array
  // and its 20,000 elements (Scalars holding Ints).
  if (std::getenv("HEAPLENS_SHOW")) std::cerr << text << "\n";
  const size_t total = text.find("**make-reader** — 1 frame · retain ");
  ASSERT_NE(total, std::string::npos) << text;
  const std::string summary = text.substr(total, text.find('\n', total) - total);
  EXPECT_NE(summary.find(" MiB"), std::string::npos) << summary;  // not "280 B", as before the fix
  // Per lexical: `$buffer` retains the buffer, `@seen` the Array of 20,000 Scalars.
  const size_t bufferRow = text.find("| `$buffer` |");
  ASSERT_NE(bufferRow, std::string::npos) << text;
  const std::string bufferLine = text.substr(bufferRow, text.find('\n', bufferRow) - bufferRow);
  EXPECT_NE(bufferLine.find("1 × Buf[uint8]"), std::string::npos) << bufferLine;
  EXPECT_NE(bufferLine.find("2.86 MiB"), std::string::npos) << bufferLine;  // 3,000,000 B and its containers
  const size_t seenRow = text.find("| `@seen` |");
  ASSERT_NE(seenRow, std::string::npos) << text;
  const std::string seenLine = text.substr(seenRow, text.find('\n', seenRow) - seenRow);
  EXPECT_NE(seenLine.find("20,000 × Scalar"), std::string::npos) << seenLine;
  EXPECT_TRUE(seenLine.starts_with("| `@seen` | Array |")) << seenLine;

  // The lens on the `sub make-reader` line says the same total.
  bool lens = false;
  for (const auto& l : lsp::getCodeLenses(ctx, ws.doc))
    if (l.range.start.line == 3 && l.command && l.command->title.find(" MiB") != std::string::npos) lens = true;
  EXPECT_TRUE(lens) << "no lens with the frame's retained MiB on line 4";
}

}  // namespace
}  // namespace heaplens
