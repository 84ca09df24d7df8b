// MoarV2Tests: format v2 ("MoarHeapDumpv002", MoarVM without libzstd) on files written as MoarVM's
// *_ver2 writers do (MoarTestWriter.h, writeV2): the same model as v3, every width of reference
// record, the tables' 64-bit fields, cut files, and errors that name block, snapshot and byte.
// Real v2 dumps, written by Debian's rakudo at test time, are in raku/MoarRakuTests.cpp.
#include <gtest/gtest.h>

#include <cstring>

#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/moar/MoarFile.h"
#include "analysis/formats/moar/MoarFormat.h"
#include "tests/formats/moar/MoarTestData.h"
#include "tests/formats/moar/MoarTestWriter.h"

namespace heaplens::moar {
namespace {

using testing::loadError;
using testing::MiniSnapshot;
using testing::tinySnapshot;
using testing::writeV2;

std::span<const uint8_t> span(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::vector<MiniSnapshot> twoSnapshots() {
  MiniSnapshot a = tinySnapshot(true), b = tinySnapshot(false);
  b.gcSeq = 2;
  // The second snapshot adds a string, a type and a static frame of its own (incremental tables).
  b.kind.push_back(1);
  b.size.push_back(32);
  b.tofi.push_back(1);
  b.rfcnt.push_back(0);
  b.rfstr.push_back(0);
  b.usize.push_back(3000000);
  b.rfcnt[2] = 1;  // Foo --[$buf]--> the new object
  b.rfstr[2] = 3;
  b.descr.push_back((7ull << 2) | 2);
  b.target.push_back(4);
  b.newStrings = {"$buf", "Buf[uint8]", "VMArray"};
  b.newTypes = {{9, 8}};
  b.newFrames = {{4, 6, 12, 5}};
  return {a, b};
}

TEST(MoarV2, DetectedByItsOwnFormatEntry) {
  const std::string v2 = "MoarHeapDumpv002coll", v3 = "MoarHeapDumpv003....", v4 = "MoarHeapDumpv004....";
  EXPECT_EQ(moarV2Format().name(), "mvmheap-v2");
  EXPECT_TRUE(moarV2Format().parsed());
  EXPECT_TRUE(moarV2Format().detect(span(v2)));
  EXPECT_FALSE(moarV2Format().detect(span(v3)));
  EXPECT_FALSE(moarFormat().detect(span(v2)));
  EXPECT_EQ(detectFormat(span(v2)), &moarV2Format());
  EXPECT_EQ(detectFormat(span(v3)), &moarFormat());
  // Another version is recognised as MoarVM's, and not read.
  const DumpFormat* other = detectFormat(span(v4));
  ASSERT_NE(other, nullptr);
  EXPECT_FALSE(other->parsed());
}

// The same snapshots written as v2 and as v3 give the same model: everything above MoarFile is shared.
TEST(MoarV2, SameModelAsV3) {
  const std::vector<MiniSnapshot> snaps = twoSnapshots();
  auto v2 = loadMoarDump(writeV2(snaps), {}, {});
  auto v3 = loadMoarDump(testing::MoarTestWriter().write(snaps), {}, {});
  finishDump(*v2);
  finishDump(*v3);
  EXPECT_EQ(v2->format, "mvmheap-v2");
  EXPECT_TRUE(v2->warnings.empty()) << v2->warnings.front();
  const HeapGraph &a = v2->heap->graph, &b = v3->heap->graph;
  ASSERT_EQ(a.nodeCount(), 6u);  // super-root + 5 collectables
  ASSERT_EQ(a.nodeCount(), b.nodeCount());
  ASSERT_EQ(a.edgeCount(), b.edgeCount());
  for (NodeId n = 0; n < a.nodeCount(); ++n) {
    EXPECT_EQ(a.typeNameOf(n), b.typeNameOf(n)) << n;
    EXPECT_EQ(a.shallowSize(n), b.shallowSize(n)) << n;
    EXPECT_EQ(v2->heap->retained[n], v3->heap->retained[n]) << n;
  }
  for (EdgeIndex e = 0; e < a.edgeCount(); ++e) {
    EXPECT_EQ(a.edgeTarget[e], b.edgeTarget[e]) << e;
    EXPECT_EQ(a.labelText(e), b.labelText(e)) << e;
  }
  // What the test snapshot says: Foo (48 B + 16 B unmanaged) holds $buf, a Buf[uint8] of 32 B + 3,000,000 B.
  EXPECT_EQ(a.typeNameOf(5), "Buf[uint8]");
  EXPECT_EQ(v2->heap->retained[3], 48u + 16 + 32 + 3000000);
  // The frame's site is its static frame: main at t.raku:1 (strings "main", "t.raku", line 1 after the high halves are dropped).
  const SourceLocation& loc = a.location(a.frames(a.site[4]).front());
  EXPECT_EQ(a.str(loc.function), "main");
  EXPECT_EQ(a.str(loc.file), "t.raku");
  EXPECT_EQ(loc.line, 7u);  // tinySnapshot's frame: {name 4, cuid 6, line 7, file 5}
  ASSERT_EQ(v2->series->snapshots.size(), 2u);
  for (int s = 0; s < 2; ++s) {
    EXPECT_EQ(v2->series->snapshots[s].objects, v3->series->snapshots[s].objects);
    EXPECT_EQ(v2->series->snapshots[s].references, v3->series->snapshots[s].references);
    EXPECT_EQ(v2->series->snapshots[s].heapBytes, v3->series->snapshots[s].heapBytes);
  }
  EXPECT_EQ(v2->series->types.typeNames, v3->series->types.typeNames);
  EXPECT_EQ(v2->series->types.counts, v3->series->types.counts);
}

// MoarVM picks each reference record's width from the larger of its index and target: 1, 2, 4 or 8 bytes.
TEST(MoarV2, EveryReferenceWidth) {
  MiniSnapshot s = tinySnapshot(true);
  s.rfcnt[3] = 4;  // the frame: four indexed references to the Foo object, one per width
  s.rfstr[3] = 3;
  for (uint64_t idx : {uint64_t{5}, uint64_t{300}, uint64_t{70000}, uint64_t{1} << 33}) {
    s.descr.push_back(idx << 2 | 1);
    s.target.push_back(2);
  }
  const std::vector<uint8_t> bytes = writeV2({s});
  for (char w : {'0', '1', '3', '6'}) {
    bool found = false;
    for (size_t i = 0; i + 1 < bytes.size(); ++i) found |= bytes[i] == static_cast<uint8_t>(w) && bytes[i + 1] == 1;
    EXPECT_TRUE(found) << "no record of width marker " << w;
  }
  auto d = loadMoarDump(bytes, {}, {});
  const HeapGraph& g = d->heap->graph;
  std::vector<std::string> labels;
  for (EdgeIndex e = g.firstEdge[4]; e < g.firstEdge[5]; ++e) labels.push_back(g.labelText(e));
  const std::vector<std::string> want = {"[5]", "[300]", "[70000]", "[536870911]"};  // 2^33 clamps as in v3
  EXPECT_EQ(labels, want);
}

TEST(MoarV2, ACutFileKeepsItsCompleteSnapshots) {
  const std::vector<uint8_t> whole = writeV2(twoSnapshots());
  MoarFile f(whole, {});
  ASSERT_EQ(f.snapshots().size(), 2u);
  EXPECT_TRUE(f.warnings().empty());
  const BlockRef& refs1 = f.snapshots()[1].blocks[1];
  ASSERT_EQ(refs1.kind, "refs");
  std::vector<uint8_t> cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(refs1.start + 25));
  auto d = loadMoarDump(cut, {}, {});
  ASSERT_EQ(d->series->snapshots.size(), 1u);
  ASSERT_EQ(d->warnings.size(), 1u);
  const std::string& w = d->warnings[0];
  EXPECT_NE(w.find("inside the \"refs\" block of snapshot 1 (which starts at byte " + std::to_string(refs1.start) + ")"),
            std::string::npos)
      << w;
  EXPECT_NE(w.find("Kept the 1 complete snapshots"), std::string::npos) << w;

  // Cut before anything complete: an error, naming where.
  std::vector<uint8_t> early(whole.begin(), whole.begin() + 40);
  std::string msg = loadError([&] { loadMoarDump(early, {}, {}); });
  EXPECT_NE(msg.find("\"coll\" block of snapshot 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no complete snapshot"), std::string::npos) << msg;
}

TEST(MoarV2, IndexThatDisagreesIsReported) {
  std::vector<uint8_t> bytes = writeV2(twoSnapshots());
  // The index's first entry: snapshot 0's collectables bytes, 32 x 2 + 32 bytes before the end.
  const size_t at = bytes.size() - 32 * 3;
  uint64_t v;
  std::memcpy(&v, bytes.data() + at, 8);
  v += 1;
  std::memcpy(bytes.data() + at, &v, 8);
  MoarFile f(bytes, {});
  ASSERT_EQ(f.warnings().size(), 1u);
  EXPECT_NE(f.warnings()[0].find("gives snapshot 0"), std::string::npos) << f.warnings()[0];
}

TEST(MoarV2, ErrorsNameBlockSnapshotAndByte) {
  // A reference record with an unknown width marker.
  {
    std::vector<uint8_t> bytes = writeV2({tinySnapshot(true)});
    MoarFile f(bytes, {});
    const uint64_t rec = f.snapshots()[0].blocks[1].start + 20;
    bytes[rec] = 'x';
    std::string msg = loadError([&] { loadMoarDump(bytes, {}, {}); });
    EXPECT_NE(msg.find("reference 0 of snapshot 0 at byte " + std::to_string(rec)), std::string::npos) << msg;
    EXPECT_NE(msg.find("width marker"), std::string::npos) << msg;
  }
  // A type naming a string that does not exist.
  {
    MiniSnapshot s = tinySnapshot(true);
    s.newTypes = {{2, 99}};
    std::string msg = loadError([&] { loadMoarDump(writeV2({s}), {}, {}); });
    EXPECT_NE(msg.find("the \"type\" block of snapshot 0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("type name string 99 but only 7 strings exist"), std::string::npos) << msg;
  }
  // A "strs" block that does not continue where the last one ended (a block lost).
  {
    std::vector<MiniSnapshot> snaps = twoSnapshots();
    std::vector<uint8_t> bytes = writeV2(snaps);
    MoarFile f(bytes, {});
    const uint64_t strs = f.snapshots()[1].blocks[1].end;
    ASSERT_EQ(std::memcmp(bytes.data() + strs, "strs", 4), 0);
    bytes[strs + 4] += 1;
    MoarFile g(bytes, {});
    EXPECT_EQ(g.snapshots().size(), 1u);
    ASSERT_FALSE(g.warnings().empty());
    EXPECT_NE(g.warnings()[0].find("starts at string 8, but 7 strings came before it"), std::string::npos) << g.warnings()[0];
  }
  // A reference kind MoarVM never writes (the byte after the width marker is the kind, 0-3).
  {
    std::vector<uint8_t> bytes = writeV2({tinySnapshot(true)});
    MoarFile f(bytes, {});
    const uint64_t rec = f.snapshots()[0].blocks[1].start + 20;
    bytes[rec + 1] = 9;
    std::string msg = loadError([&] { loadMoarDump(bytes, {}, {}); });
    EXPECT_NE(msg.find("\"refs\" block of snapshot 0: reference 0 at byte " + std::to_string(rec)), std::string::npos) << msg;
    EXPECT_NE(msg.find("description kind 9"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace heaplens::moar
