// MoarFormatTests: the MoarVM heap snapshot reader on the real leaky.mvmheap and on planted faults.
//
// Expected values come from /work/shared/fixtures/moar/README.md and
// tests/data/moar/expected-small.json (written by the fixture's own
// reference reader), never from this reader's output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <unistd.h>

#include "analysis/Growth.h"
#include "analysis/Paths.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/moar/MoarFile.h"
#include "analysis/formats/moar/MoarFormat.h"
#include "tests/formats/moar/MoarTestData.h"
#include "tests/formats/moar/MoarTestWriter.h"

namespace heaplens::moar {
namespace {

using testing::loadError;
using testing::kLeakyPath;
using testing::leakyBytes;

nlohmann::json expectedLeaky() {
  std::ifstream in(std::string(HEAPLENS_TEST_DATA) + "/moar/expected-small.json");
  nlohmann::json all = nlohmann::json::parse(in);
  for (auto& f : all)
    if (f["file"] == "leaky.mvmheap") return f;
  ADD_FAILURE() << "expected-small.json has no entry for leaky.mvmheap";
  return {};
}

// One dump per snapshot index, loaded once for the whole suite (release: ~0.3 s each).
const Dump& leakyDump(std::optional<uint32_t> snapshot) {
  static std::map<int, std::unique_ptr<Dump>> cache;
  int key = snapshot ? static_cast<int>(*snapshot) : -1;
  auto it = cache.find(key);
  if (it == cache.end()) {
    LoadOptions o;
    o.snapshot = snapshot;
    it = cache.emplace(key, moarFormat().load(kLeakyPath, o, {})).first;
  }
  return *it->second;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += x + "\n";
  return s;
}

std::string writeTemp(const std::vector<uint8_t>& bytes, const std::string& name) {
  std::string path = (std::filesystem::temp_directory_path() / ("heaplens-moar-" + std::to_string(::getpid()) + "-" + name)).string();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(MoarFormat, DetectsV3AndNotV2) {  // v2 is its own registry entry (MoarV2Tests.cpp)
  const auto& fmt = moarFormat();
  EXPECT_EQ(fmt.name(), "mvmheap");
  std::string v3 = "MoarHeapDumpv003....", v2 = "MoarHeapDumpv002....";
  EXPECT_TRUE(fmt.detect({reinterpret_cast<const uint8_t*>(v3.data()), v3.size()}));
  EXPECT_FALSE(fmt.detect({reinterpret_cast<const uint8_t*>(v2.data()), v2.size()}));
  EXPECT_FALSE(fmt.detect(std::span<const uint8_t>(leakyBytes().data(), 10)));
  EXPECT_TRUE(fmt.detect(std::span<const uint8_t>(leakyBytes().data(), 4096)));
}

TEST(MoarFormat, OtherVersionsGetAClearError) {
  // MoarVM's binary formats are v2 (2017) and v3 (2019): anything else is named, not guessed at.
  for (std::string head : {"MoarHeapDumpv001", "MoarHeapDumpv004"}) {
    std::string bytes = head + std::string(64, ' ');
    std::string msg = loadError([&] { loadMoarDump({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, {}, {}); });
    EXPECT_NE(msg.find(std::string("v").append(head.substr(15))), std::string::npos) << msg;
    EXPECT_NE(msg.find("not supported"), std::string::npos) << msg;
    EXPECT_NE(msg.find("v2"), std::string::npos) << msg;  // says which versions are read
  }
}

TEST(MoarFormat, TableOfContentsAndTablesOfLeaky) {
  MoarFile f(leakyBytes(), {});
  nlohmann::json ex = expectedLeaky();
  EXPECT_TRUE(f.warnings().empty()) << joined(f.warnings());
  ASSERT_EQ(f.snapshots().size(), 7u);
  EXPECT_EQ(f.stringCount(), ex["strings"].get<uint32_t>());
  EXPECT_EQ(f.types().size(), ex["types"].get<size_t>());
  EXPECT_EQ(f.staticFrames().size(), ex["static_frames"].get<size_t>());
  EXPECT_EQ(f.fileMeta().pid, ex["filemeta"]["pid"].get<uint64_t>());
  EXPECT_EQ(f.fileMeta().startTime, ex["filemeta"]["start_time"].get<uint64_t>());
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(f.snapshots()[i].stringsAvailable, ex["snapshots"][i]["cumulative_strings"].get<uint32_t>()) << i;
    EXPECT_EQ(f.snapshots()[i].typesAvailable, ex["snapshots"][i]["cumulative_types"].get<uint32_t>()) << i;
    EXPECT_EQ(f.snapshots()[i].framesAvailable, ex["snapshots"][i]["cumulative_frames"].get<uint32_t>()) << i;
  }
}

TEST(MoarFormat, StaticFramesOfLeakyRaku) {
  MoarFile f(leakyBytes(), {});
  std::set<std::string> found;
  for (const auto& sf : f.staticFrames()) {
    std::string name(f.string(sf.name));
    if (f.string(sf.file) != "leaky.raku") continue;
    found.insert((name.empty() ? "<anon>" : name) + ":" + std::to_string(sf.line));
  }
  for (const char* want : {"make-leaks:11", "<anon>:12", "hold-and-snapshot:17", "BUILDALL:4", "<unit>:1",
                           "<unit-outer>:1", "<anon>:18"})
    EXPECT_TRUE(found.count(want)) << want;
}

TEST(MoarFormat, EverySnapshotSummarisedAsTheFixtureSays) {
  const Dump& d = leakyDump(std::nullopt);
  nlohmann::json ex = expectedLeaky();
  EXPECT_EQ(d.format, "mvmheap");
  ASSERT_EQ(d.series->snapshots.size(), 7u);
  EXPECT_EQ(d.series->selected, 6u);  // the last complete one
  for (uint32_t i = 0; i < 7; ++i) {
    const auto& e = ex["snapshots"][i];
    const SnapshotInfo& s = d.series->snapshots[i];
    EXPECT_EQ(s.index, i);
    EXPECT_TRUE(s.complete);
    EXPECT_EQ(s.gcSequence, i + 2) << i;
    EXPECT_EQ(s.gcSequence, e["meta"]["gc_seq_num"].get<uint64_t>());
    EXPECT_EQ(s.timeMicros, e["meta"]["snap_time"].get<uint64_t>());
    EXPECT_EQ(s.objects, e["collectables"].get<uint64_t>()) << i;
    EXPECT_EQ(s.references, e["references"].get<uint64_t>()) << i;
    EXPECT_EQ(s.heapBytes, e["meta"]["total_heap_size"].get<uint64_t>()) << i;
  }
  EXPECT_TRUE(d.warnings.empty()) << joined(d.warnings);
  // The graph of the selected snapshot: super-root plus one node per collectable.
  EXPECT_EQ(d.heap->graph.nodeCount(), ex["snapshots"][6]["collectables"].get<uint32_t>() + 1);
  EXPECT_EQ(d.heap->graph.edgeCount(), ex["snapshots"][6]["references"].get<uint32_t>() + 1);  // + super-root -> Root
}

TEST(MoarFormat, LeakyGrowsInTheTypeTimeline) {
  const Dump& d = leakyDump(std::nullopt);
  const TypeTimeline& tl = d.series->types;
  auto it = std::find(tl.typeNames.begin(), tl.typeNames.end(), "Leaky");
  ASSERT_NE(it, tl.typeNames.end());
  size_t t = static_cast<size_t>(it - tl.typeNames.begin());
  const uint64_t want[7] = {770, 7701, 10723, 16655, 21158, 23000, 23000};
  ASSERT_EQ(tl.counts.size(), 7u);
  for (size_t s = 0; s < 7; ++s) {
    EXPECT_EQ(tl.counts[s][t], want[s]) << "snapshot " << s;
    EXPECT_EQ(tl.bytes[s][t], want[s] * 48) << "snapshot " << s;
  }
  // Other types as expected-small.json lists them.
  nlohmann::json ex = expectedLeaky();
  for (size_t s = 0; s < 7; ++s)
    for (auto& [name, cb] : ex["snapshots"][s]["objects_of_type"].items()) {
      auto jt = std::find(tl.typeNames.begin(), tl.typeNames.end(), name);
      ASSERT_NE(jt, tl.typeNames.end()) << name;
      size_t k = static_cast<size_t>(jt - tl.typeNames.begin());
      EXPECT_EQ(tl.counts[s][k], cb[0].get<uint64_t>()) << name << " in snapshot " << s;
      EXPECT_EQ(tl.bytes[s][k], cb[1].get<uint64_t>()) << name << " in snapshot " << s;
    }
  // And the one growth rule (Growth.h) names Leaky 770 -> 23,000 over all seven snapshots.
  const SeriesGrowth growth = growingTypes(*d.series);
  EXPECT_EQ(growth.snapshots, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6}));
  const TypeGrowth* leaky = growth.find("Leaky");
  ASSERT_NE(leaky, nullptr);
  EXPECT_EQ(leaky->firstCount, 770u);
  EXPECT_EQ(leaky->lastCount, 23000u);
  EXPECT_EQ(leaky->lastBytes, 23000u * 48);
}

void expectLeakyNodes(const Dump& d, uint64_t want) {
  const HeapGraph& g = d.heap->graph;
  uint64_t n = 0;
  for (NodeId i = 0; i < g.nodeCount(); ++i)
    if (g.kind(i) == NodeKind::Object && g.typeNameOf(i) == "Leaky") {
      ++n;
      EXPECT_EQ(g.selfSize[i], 48u);
      EXPECT_EQ(g.external(i), 0u);
    }
  EXPECT_EQ(n, want);
}

TEST(MoarFormat, GraphOfSnapshots5And6Holds23000Leaky) {
  expectLeakyNodes(leakyDump(5), 23000);
  expectLeakyNodes(leakyDump(6), 23000);
  EXPECT_EQ(leakyDump(5).series->selected, 5u);
  // Type objects and STables do not mix with instance counts.
  const HeapGraph& g = leakyDump(5).heap->graph;
  bool typeObject = false, stable = false;
  for (TypeId t = 0; t < g.typeCount(); ++t) {
    typeObject |= g.str(g.typeName[t]) == "Leaky (type object)";
    stable |= g.str(g.typeName[t]) == "Leaky (STable)";
  }
  EXPECT_TRUE(typeObject);
  EXPECT_TRUE(stable);
}

TEST(MoarFormat, GraphShapeOfSnapshot5) {
  const Dump& d = leakyDump(5);
  const HeapGraph& g = d.heap->graph;
  nlohmann::json ex = expectedLeaky()["snapshots"][5];
  // Node 1 is collectable 0, the Root, the super-root's only child.
  ASSERT_EQ(g.targets(kSuperRoot).size(), 1u);
  EXPECT_EQ(g.targets(kSuperRoot)[0], 1u);
  EXPECT_EQ(g.kind(1), NodeKind::Root);
  EXPECT_EQ(g.typeNameOf(1), "Root");
  std::map<std::string, uint64_t> roots;
  uint64_t frames = 0, objects = 0, avoided = 0;
  std::map<std::string, uint64_t> userFrames;
  for (NodeId i = 1; i < g.nodeCount(); ++i) {
    switch (g.kind(i)) {
      case NodeKind::Root:
        ++roots[std::string(g.typeNameOf(i))];
        if (g.hasFlag(i, kAvoidInPaths)) {
          ++avoided;
          EXPECT_EQ(g.typeNameOf(i), "Inter-generational Roots");
        }
        break;
      case NodeKind::Frame: {
        ++frames;
        EXPECT_EQ(g.typeNameOf(i), "Frame");
        auto fr = g.frames(g.site[i]);
        ASSERT_EQ(fr.size(), 1u);
        const SourceLocation& loc = g.location(fr[0]);
        if (g.str(loc.file) == "leaky.raku")
          ++userFrames[std::string(g.str(loc.function)) + " leaky.raku:" + std::to_string(loc.line)];
        break;
      }
      case NodeKind::Object: ++objects; break;
      default: ADD_FAILURE() << "unexpected node kind at " << i;
    }
  }
  const auto& bk = ex["by_kind"];
  EXPECT_EQ(frames, bk["Frame"].get<uint64_t>());
  EXPECT_EQ(objects, bk["Object"].get<uint64_t>() + bk["TypeObject"].get<uint64_t>() + bk["STable"].get<uint64_t>());
  EXPECT_EQ(roots["Thread Roots"], bk["ThreadRoots"].get<uint64_t>());
  EXPECT_EQ(roots["Inter-generational Roots"], bk["InterGenRoots"].get<uint64_t>());
  EXPECT_EQ(roots["Thread Call Stack Roots"], bk["CallStackRoots"].get<uint64_t>());
  EXPECT_EQ(roots["Permanent Roots"], 1u);
  EXPECT_EQ(roots["VM Instance Roots"], 1u);
  EXPECT_EQ(roots["C Stack Roots"], bk["CStackRoots"].get<uint64_t>());
  EXPECT_EQ(avoided, bk["InterGenRoots"].get<uint64_t>());
  for (auto& [name, count] : ex["user_frames"].items()) EXPECT_EQ(userFrames[name], count.get<uint64_t>()) << name;
  // The frame of <unit> holds @LEAKS by name.
  bool leaksEdge = false;
  for (NodeId i = 1; i < g.nodeCount() && !leaksEdge; ++i) {
    if (g.kind(i) != NodeKind::Frame) continue;
    for (EdgeIndex e = g.firstEdge[i]; e < g.firstEdge[i + 1]; ++e)
      if (g.labelText(e) == "@LEAKS" && g.typeNameOf(g.edgeTarget[e]) == "Array") leaksEdge = true;
  }
  EXPECT_TRUE(leaksEdge);
}

TEST(MoarFormat, HighscoresEqualTheRecount) {
  MoarFile f(leakyBytes(), {});
  const Column cols[] = {kColKind, kColSize, kColToFi, kColRefCount, kColUnmanagedSize, kTopIds, kTopScore};
  for (uint32_t s = 0; s < f.snapshots().size(); ++s) {
    SnapshotColumns c = f.readColumns(s, cols, {}, "test");
    SnapshotSummary sum = summarizeSnapshot(f, s, c);
    EXPECT_GE(sum.highscoreEntriesChecked, 120u) << s;  // types boards are full; frame boards mostly
    EXPECT_EQ(sum.highscoreMismatches, 0u) << s << ": " << joined(sum.warnings);
    EXPECT_TRUE(sum.warnings.empty()) << joined(sum.warnings);
    // sum(colrfcnt) == total_refs
    EXPECT_EQ(sum.info.references, *f.snapshots()[s].meta.totalRefs);
  }
}

TEST(MoarFormat, HighscoreMismatchIsAWarning) {
  testing::MiniSnapshot s = testing::tinySnapshot(true);
  s.topIds = {0};
  s.topScore = {7};  // there is one Foo, not seven
  std::vector<uint8_t> bytes = testing::MoarTestWriter().write({s});
  auto d = loadMoarDump(bytes, {}, {});
  std::string w = joined(d->warnings);
  EXPECT_NE(w.find("highscore"), std::string::npos) << w;
  EXPECT_NE(w.find("Foo"), std::string::npos) << w;
}

TEST(MoarFormat, TruncatedFileRecoversFiveSnapshots) {
  const auto& all = leakyBytes();
  std::vector<uint8_t> cut(all.begin(), all.begin() + 15000000);
  std::string path = writeTemp(cut, "truncated.mvmheap");
  std::unique_ptr<Dump> d = moarFormat().load(path, {}, {});
  std::remove(path.c_str());
  ASSERT_EQ(d->series->snapshots.size(), 5u);
  EXPECT_EQ(d->series->selected, 4u);  // the last real snapshot is kept
  EXPECT_EQ(d->series->snapshots[4].gcSequence, 6u);
  nlohmann::json ex = expectedLeaky();
  EXPECT_EQ(d->series->snapshots[4].objects, ex["snapshots"][4]["collectables"].get<uint64_t>());
  std::string w = joined(d->warnings);
  EXPECT_NE(w.find("15,000,000"), std::string::npos) << w;  // where the file ends
  EXPECT_NE(w.find("cut short"), std::string::npos) << w;
  auto it = std::find(d->series->types.typeNames.begin(), d->series->types.typeNames.end(), "Leaky");
  ASSERT_NE(it, d->series->types.typeNames.end());
  EXPECT_EQ(d->series->types.counts[4][static_cast<size_t>(it - d->series->types.typeNames.begin())], 21158u);
}

// Offset of block `kind` of snapshot `snap` in leaky.mvmheap.
BlockRef blockOf(const std::vector<uint8_t>& bytes, uint32_t snap, const std::string& kind) {
  MoarFile f(bytes, {});
  for (const BlockRef& b : f.snapshots().at(snap).blocks)
    if (b.kind == kind) return b;
  ADD_FAILURE() << "no block " << kind;
  return {};
}

TEST(MoarFormat, CorruptZstdInTheSelectedSnapshotIsAnErrorNamingTheBlock) {
  std::vector<uint8_t> bytes = leakyBytes();
  BlockRef b = blockOf(bytes, 6, "reftrget");
  // Break the frame header's block descriptors after the magic.
  for (uint64_t p = b.start + 18 + 4; p < b.start + 18 + 64; ++p) bytes[p] ^= 0xA5;
  std::string msg = loadError([&] { loadMoarDump(bytes, {}, {}); });
  EXPECT_NE(msg.find("reftrget"), std::string::npos) << msg;
  EXPECT_NE(msg.find("snapshot 6"), std::string::npos) << msg;
  EXPECT_NE(msg.find("zstd"), std::string::npos) << msg;
}

TEST(MoarFormat, CorruptZstdInAnotherSnapshotLeavesItOutOfTheSummaries) {
  std::vector<uint8_t> bytes = leakyBytes();
  BlockRef b = blockOf(bytes, 2, "colsize");
  for (uint64_t p = b.start + 18 + 4; p < b.start + 18 + 64; ++p) bytes[p] ^= 0x5A;
  auto d = loadMoarDump(bytes, {}, {});
  ASSERT_EQ(d->series->snapshots.size(), 7u);
  EXPECT_FALSE(d->series->snapshots[2].complete);
  EXPECT_TRUE(d->series->snapshots[3].complete);
  std::string w = joined(d->warnings);
  EXPECT_NE(w.find("colsize of snapshot 2"), std::string::npos) << w;
}

TEST(MoarFormat, RequestedSnapshotOutOfRange) {
  LoadOptions o;
  o.snapshot = 7;
  std::string msg = loadError([&] { loadMoarDump(leakyBytes(), o, {}); });
  EXPECT_NE(msg.find("snapshot 7"), std::string::npos) << msg;
  EXPECT_NE(msg.find("0-6"), std::string::npos) << msg;
}

// ---- planted faults in small written files ----

TEST(MoarFormat, TinyFileBuildsTheExpectedGraph) {
  std::vector<uint8_t> bytes = testing::MoarTestWriter().write({testing::tinySnapshot(true)});
  auto d = loadMoarDump(bytes, {}, {});
  const HeapGraph& g = d->heap->graph;
  ASSERT_EQ(g.nodeCount(), 5u);
  EXPECT_EQ(g.typeNameOf(3), "Foo");
  EXPECT_EQ(g.selfSize[3], 48u);
  EXPECT_EQ(g.external(3), 16u);
  EXPECT_EQ(g.kind(4), NodeKind::Frame);
  const SourceLocation& loc = g.location(g.frames(g.site[4])[0]);
  EXPECT_EQ(g.str(loc.function), "main");
  EXPECT_EQ(g.str(loc.file), "t.raku");
  EXPECT_EQ(loc.line, 7u);
  // Root -[5]-> Thread Roots -[Thread Roots]-> frame -[$x]-> Foo
  ASSERT_EQ(g.targets(1).size(), 1u);
  EXPECT_EQ(g.targets(1)[0], 2u);
  EXPECT_EQ(g.labelText(g.firstEdge[1]), "[5]");
  EXPECT_EQ(g.labelText(g.firstEdge[2]), "Thread Roots");
  EXPECT_EQ(g.targets(4)[0], 3u);
  EXPECT_EQ(g.labelText(g.firstEdge[4]), "$x");
  EXPECT_EQ(d->series->snapshots[0].heapBytes, 48u + 16u + 168u);
}

TEST(MoarFormat, OutOfRangeTypeIndexNamesColumnSnapshotAndIndex) {
  testing::MiniSnapshot a = testing::tinySnapshot(true), b = testing::tinySnapshot(false);
  b.tofi[2] = 9;  // only one type exists
  b.gcSeq = 2;
  std::vector<uint8_t> bytes = testing::MoarTestWriter().write({a, b});
  std::string msg = loadError([&] { loadMoarDump(bytes, {}, {}); });
  EXPECT_NE(msg.find("coltofi"), std::string::npos) << msg;
  EXPECT_NE(msg.find("snapshot 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("type 9"), std::string::npos) << msg;
}

TEST(MoarFormat, OutOfRangeFrameIndex) {
  testing::MiniSnapshot s = testing::tinySnapshot(true);
  s.tofi[3] = 5;
  std::string msg = loadError([&] { loadMoarDump(testing::MoarTestWriter().write({s}), {}, {}); });
  EXPECT_NE(msg.find("coltofi"), std::string::npos) << msg;
  EXPECT_NE(msg.find("static frame 5"), std::string::npos) << msg;
}

TEST(MoarFormat, OutOfRangeReferenceTarget) {
  testing::MiniSnapshot s = testing::tinySnapshot(true);
  s.target[0] = 4;  // four collectables: 0..3
  std::string msg = loadError([&] { loadMoarDump(testing::MoarTestWriter().write({s}), {}, {}); });
  EXPECT_NE(msg.find("reftrget"), std::string::npos) << msg;
  EXPECT_NE(msg.find("snapshot 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("collectable 4"), std::string::npos) << msg;
}

TEST(MoarFormat, OutOfRangeStringInReferenceDescription) {
  testing::MiniSnapshot s = testing::tinySnapshot(true);
  s.descr[0] = (100ull << 2) | 2;
  std::string msg = loadError([&] { loadMoarDump(testing::MoarTestWriter().write({s}), {}, {}); });
  EXPECT_NE(msg.find("refdescr"), std::string::npos) << msg;
  EXPECT_NE(msg.find("string 100"), std::string::npos) << msg;
}

TEST(MoarFormat, ReferenceSliceOutsideTheReferences) {
  testing::MiniSnapshot s = testing::tinySnapshot(true);
  s.rfstr[3] = 3;  // three references; [3, 4) is past the end
  std::string msg = loadError([&] { loadMoarDump(testing::MoarTestWriter().write({s}), {}, {}); });
  EXPECT_NE(msg.find("colrfstr"), std::string::npos) << msg;
  EXPECT_NE(msg.find("collectable 3"), std::string::npos) << msg;
}

TEST(MoarFormat, ColumnLengthsMustAgree) {
  testing::MiniSnapshot s = testing::tinySnapshot(true);
  s.usize.pop_back();
  std::string msg = loadError([&] { loadMoarDump(testing::MoarTestWriter().write({s}), {}, {}); });
  EXPECT_NE(msg.find("colusize"), std::string::npos) << msg;
  EXPECT_NE(msg.find("colkind has 4"), std::string::npos) << msg;
}

TEST(MoarFormat, RefCountSumDifferentFromTotalRefsWarns) {
  testing::MiniSnapshot s = testing::tinySnapshot(true);
  s.totalRefs = 5;  // colrfcnt sums to 3
  auto d = loadMoarDump(testing::MoarTestWriter().write({s}), {}, {});
  EXPECT_EQ(d->series->snapshots[0].references, 3u);
  std::string w = joined(d->warnings);
  EXPECT_NE(w.find("sum of colrfcnt is 3"), std::string::npos) << w;
  EXPECT_NE(w.find("total_refs 5"), std::string::npos) << w;
}

TEST(MoarFormat, FileWithoutFinalTocUsesTheLastIntermediateOne) {
  testing::MiniSnapshot a = testing::tinySnapshot(true), b = testing::tinySnapshot(false);
  b.gcSeq = 9;
  std::vector<uint8_t> bytes = testing::MoarTestWriter().write({a, b}, /*finalToc=*/false);
  auto d = loadMoarDump(bytes, {}, {});
  ASSERT_EQ(d->series->snapshots.size(), 2u);  // the last snapshot is not mistaken for the empty final toc
  EXPECT_EQ(d->series->snapshots[1].gcSequence, 9u);
  bytes.resize(bytes.size() - 3);  // now its trailer is broken too: recover the one after snapshot 0
  d = loadMoarDump(bytes, {}, {});
  ASSERT_EQ(d->series->snapshots.size(), 1u);
  EXPECT_NE(joined(d->warnings).find("cut short"), std::string::npos);
}

TEST(MoarFormat, DecompressionBombIsRefused) {
  testing::MiniSnapshot s = testing::tinySnapshot(true);
  std::vector<uint8_t> bytes = testing::MoarTestWriter().write({s});
  ReadLimits tight;
  tight.maxRatio = 1;
  tight.ratioSlack = 4;  // colkind's 8 bytes exceed 1x of its compressed size + 4
  std::string msg = loadError([&] { loadMoarDump(bytes, {}, {}, tight); });
  EXPECT_NE(msg.find("exceeds"), std::string::npos) << msg;
}

}  // namespace
}  // namespace heaplens::moar

namespace heaplens::moar {
namespace {

std::string describeStep(const HeapGraph& g, const PathStep& s) {
  std::string out;
  if (s.via != kNoEdge) out += "--[" + g.labelText(s.via) + "]--> ";
  out += std::string(g.typeNameOf(s.node));
  if (g.kind(s.node) == NodeKind::Frame) {
    const SourceLocation& loc = g.location(g.frames(g.site[s.node])[0]);
    out.append(" ").append(g.str(loc.function)).append(" ").append(g.str(loc.file)).append(":");
    out += std::to_string(loc.line);
  }
  return out;
}

TEST(MoarFormat, ShortestPathToALeakyInSnapshot5GoesThroughAtLEAKS) {
  const Dump& d = leakyDump(5);
  const HeapGraph& g = d.heap->graph;
  NodeId first = kNoNode;
  for (NodeId i = 1; i < g.nodeCount() && first == kNoNode; ++i)
    if (g.kind(i) == NodeKind::Object && g.typeNameOf(i) == "Leaky") first = i;
  ASSERT_NE(first, kNoNode);
  PathFinder paths(g);
  std::optional<RetentionPath> p = paths.shortestPath(first);
  ASSERT_TRUE(p.has_value());
  std::string text;
  for (const PathStep& s : p->steps) text.append(describeStep(g, s)).append(" ");
  EXPECT_FALSE(p->throughAvoided) << text;
  ASSERT_GE(p->steps.size(), 6u) << text;
  EXPECT_EQ(g.typeNameOf(p->steps[0].node), "Root") << text;
  for (const PathStep& s : p->steps) EXPECT_FALSE(g.hasFlag(s.node, kAvoidInPaths)) << text;
  // ... -> <unit> leaky.raku:1 (Frame) --[@LEAKS]--> Array -> IterationBuffer -> Scalar -> Leaky
  const size_t n = p->steps.size();
  const PathStep& frame = p->steps[n - 5];
  ASSERT_EQ(g.kind(frame.node), NodeKind::Frame) << text;
  const SourceLocation& loc = g.location(g.frames(g.site[frame.node])[0]);
  EXPECT_EQ(g.str(loc.function), "<unit>") << text;
  EXPECT_EQ(g.str(loc.file), "leaky.raku") << text;
  EXPECT_EQ(loc.line, 1u) << text;
  EXPECT_EQ(g.labelText(p->steps[n - 4].via), "@LEAKS") << text;
  EXPECT_EQ(g.typeNameOf(p->steps[n - 4].node), "Array") << text;
  EXPECT_EQ(g.typeNameOf(p->steps[n - 3].node), "IterationBuffer") << text;
  EXPECT_EQ(g.typeNameOf(p->steps[n - 2].node), "Scalar") << text;
  EXPECT_EQ(g.typeNameOf(p->steps[n - 1].node), "Leaky") << text;
  EXPECT_EQ(g.labelText(p->steps[n - 2].via), "[16655]") << text;  // the README names this element
  EXPECT_NE(text.find("Thread Roots"), std::string::npos) << text;
}

}  // namespace
}  // namespace heaplens::moar

namespace heaplens::moar {
namespace {

// Issue #16: the inter-generational roots (MoarVM's remembered set) list old objects that point
// into the nursery: a closure's outer frame and its captured lexicals' containers. They do not own
// them; the frame still retains what its lexicals hold. What only they hold stays theirs.
TEST(MoarFormat, InterGenerationalRootsDoNotOwnWhatTheyList) {
  testing::MiniSnapshot s;
  // 0 Root, 1 Thread Roots, 2 Inter-generational Roots, 3 BOOTCode (the closure), 4 its outer frame,
  // 5 Scalar ($buffer), 6 Buf (3,000,000 B unmanaged), 7 an old object only the remembered set lists.
  s.kind = {9, 8, 10, 1, 4, 1, 1, 1};
  s.size = {0, 0, 0, 64, 168, 48, 56, 40};
  s.tofi = {0, 0, 0, 0, 0, 1, 2, 0};
  s.usize = {0, 0, 0, 0, 0, 0, 3000000, 0};
  // refs: Root -> 1, 2; Thread Roots -> closure; intergen -> frame, Scalar, old; closure -> frame;
  // frame --[$buffer]--> Scalar; Scalar -> Buf.
  s.rfstr = {0, 2, 3, 6, 7, 8, 0, 0};
  s.rfcnt = {2, 1, 3, 1, 1, 1, 0, 0};
  s.target = {1, 2, 3, 4, 5, 7, 4, 5, 6};
  s.descr = {(1ull << 2) | 2, (2ull << 2) | 2, 0, (0ull << 2) | 1, (1ull << 2) | 1, (2ull << 2) | 1, 0,
             (0ull << 2) | 2, 0};
  s.newStrings = {"$buffer", "Thread Roots", "Inter-generational Roots", "P6opaque", "BOOTCode", "Scalar",
                  "Buf[uint8]", "make-reader", "r.raku", "1"};
  s.newTypes = {{3, 4}, {3, 5}, {3, 6}};
  s.newFrames = {{7, 9, 4, 8}};
  auto d = loadMoarDump(testing::MoarTestWriter().write({s}), {}, {});
  finishDump(*d);
  const std::vector<uint64_t>& retained = d->heap->retained;
  // Node = collectable + 1.
  EXPECT_EQ(retained[5], 168u + 48 + 56 + 3000000);  // the frame: itself, $buffer's Scalar and the Buf
  EXPECT_EQ(retained[4], 64u + retained[5]);         // the closure holds the frame
  EXPECT_EQ(retained[3], 40u);                        // the remembered set keeps only the object nothing else holds
  EXPECT_EQ(d->heap->idom[6], 5u);                    // the Scalar's dominator is the frame
}

}  // namespace
}  // namespace heaplens::moar
