// GoRecordsTests: the Go parser on small synthetic dumps: record decoding, the errors and
// warnings bad input gets (what, where), version parsing, Go ≥ 1.22 bogus-object exclusion
// (including Green Tea spans) and alloc samples at object+8.
//
// Threading: single-threaded tests.
#include <gtest/gtest.h>

#include <stop_token>

#include "analysis/formats/go/GoFormat.h"
#include "analysis/formats/go/GoRecords.h"
#include "tests/formats/go/GoDumpWriter.h"
#include "tests/formats/go/GoTestUtil.h"

namespace heaplens {
namespace {

using namespace gotest;

constexpr uint64_t kHeap = 0xc000000000;

std::unique_ptr<Dump> parse(const GoDumpWriter& w) { return loadGoDump(w.bytes, "synthetic.heapdump"); }

// A pointer from the bss segment to A; A (16 B) points into the middle of B (32 B).
GoDumpWriter small() {
  GoDumpWriter w;
  w.header().params();
  w.object(kHeap + 0x100, {kHeap + 0x208, 7}, {0});
  w.object(kHeap + 0x200, {0, 0, 0, 0});
  w.segment(true, 0x530000, {0, kHeap + 0x100}, {1});
  w.memstats(2);
  w.memprof(0xb1, 16, "main.make", "/src/app/main.go", 12);
  w.sample(kHeap + 0x100, 0xb1);
  w.eof();
  return w;
}

TEST(GoRecords, SmallDumpBuildsObjectsEdgesAndRoots) {
  auto d = parse(small());
  const HeapGraph& g = d->heap->graph;
  ASSERT_EQ(d->objectCount(), 2u);
  EXPECT_EQ(d->totalBytes(), 48u);
  // Nodes 1 and 2 are the objects in address order.
  EXPECT_EQ(g.address[1], kHeap + 0x100);
  EXPECT_EQ(g.address[2], kHeap + 0x200);
  ASSERT_EQ(g.targets(1).size(), 1u);
  EXPECT_EQ(g.targets(1)[0], 2u) << "an interior pointer resolves to the containing object";
  auto labels = rootLabels(g);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0], "bss");
  NodeId bss = g.edgeTarget[g.firstEdge[kSuperRoot]];
  ASSERT_EQ(g.targets(bss).size(), 1u);
  EXPECT_EQ(g.labelText(g.firstEdge[bss]), "+0x8");
  const SourceLocation* l = siteFrame(g, 1, 0);
  ASSERT_TRUE(l);
  EXPECT_EQ(g.str(l->function), "main.make");
  EXPECT_EQ(l->line, 12u);
  EXPECT_EQ(g.site[2], kNoSite);
  EXPECT_EQ(g.typeNameOf(1), "16 B object");
  EXPECT_TRUE(d->warnings.empty()) << d->warnings.front();
}

TEST(GoRecords, UnknownTagNamesTagOffsetAndPreviousRecord) {
  GoDumpWriter w;
  w.header().params().object(kHeap, {0, 0});
  uint64_t at = w.bytes.size();
  w.uv(23).eof();
  try {
    parse(w);
    FAIL() << "expected a LoadError";
  } catch (const LoadError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("record tag 23"), std::string::npos) << m;
    EXPECT_NE(m.find("at byte " + std::to_string(at)), std::string::npos) << m;
    EXPECT_NE(m.find("after an object record"), std::string::npos) << m;
    ASSERT_TRUE(e.offset.has_value());
    EXPECT_EQ(*e.offset, at);
  }
}

TEST(GoRecords, CutDumpKeepsRecordsBeforeTheCut) {
  GoDumpWriter full = small();
  // Cut inside the second object's contents.
  GoDumpWriter first;
  first.header().params().object(kHeap + 0x100, {kHeap + 0x208, 7}, {0});
  size_t cut = first.bytes.size() + 6;
  GoDumpWriter w;
  w.bytes.assign(full.bytes.begin(), full.bytes.begin() + static_cast<long>(cut));
  auto d = parse(w);
  EXPECT_EQ(d->objectCount(), 1u);
  ASSERT_FALSE(d->warnings.empty());
  EXPECT_TRUE(d->warnings[0].starts_with("truncated at byte " + std::to_string(cut) + ":")) << d->warnings[0];
  EXPECT_NE(d->warnings[0].find("object record at byte " + std::to_string(first.bytes.size())), std::string::npos)
      << d->warnings[0];
  EXPECT_EQ(factText(*d, "reachedEof"), "no");
}

TEST(GoRecords, MissingEofRecordIsATruncation) {
  GoDumpWriter w;
  w.header().params().object(kHeap, {0, 0});
  auto d = parse(w);
  EXPECT_EQ(d->objectCount(), 1u);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].find("without the EOF record"), std::string::npos) << d->warnings[0];
}

TEST(GoRecords, HugeLengthIsCheckedAgainstBytesLeft) {
  GoDumpWriter w;
  w.header().params();
  uint64_t at = w.bytes.size();
  w.uv(1).uv(kHeap).uv(uint64_t{1} << 50).raw("abcd");  // claims a 1 PiB object
  auto d = parse(w);
  EXPECT_EQ(d->objectCount(), 0u);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].find("object record at byte " + std::to_string(at)), std::string::npos) << d->warnings[0];
  EXPECT_NE(d->warnings[0].find("1125899906842624 bytes but only 4 remain"), std::string::npos) << d->warnings[0];
}

TEST(GoRecords, CutInsideAMultiByteTagIsATruncation) {
  // Found by go_fuzz: a tag varint cut after its continuation byte.
  GoDumpWriter w;
  w.header().params().raw("\x80");
  auto d = parse(w);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].find("inside the record tag"), std::string::npos) << d->warnings[0];
}

TEST(GoRecords, HugeStackDepthIsCheckedAgainstBytesLeft) {
  GoDumpWriter w;
  w.header().params();
  w.uv(16).uv(1).uv(16).uv(uint64_t{1} << 60).raw("xyz");
  auto d = parse(w);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].find("memory profile bucket record"), std::string::npos) << d->warnings[0];
}

TEST(GoRecords, TrailingBytesAfterEofWarn) {
  GoDumpWriter w = small();
  w.raw("junk");
  auto d = parse(w);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].find("4 bytes follow the EOF record"), std::string::npos) << d->warnings[0];
  EXPECT_EQ(factNumber(*d, "bytesAfterEof"), 4);
}

TEST(GoRecords, BadFieldKindIsAnError) {
  GoDumpWriter w;
  w.header().params().uv(1).uv(kHeap).uv(16).raw(std::string(16, '\0'));
  uint64_t at = w.bytes.size();
  w.uv(2).uv(0).uv(0).eof();
  try {
    parse(w);
    FAIL() << "expected a LoadError";
  } catch (const LoadError& e) {
    EXPECT_EQ(e.offset, at);
    EXPECT_NE(std::string(e.what()).find("field kind 2"), std::string::npos) << e.what();
  }
}

TEST(GoRecords, FieldOutsideObjectIsAnError) {
  GoDumpWriter w;
  w.header().params().uv(1).uv(kHeap).uv(16).raw(std::string(16, '\0')).uv(1).uv(12).uv(0).eof();
  EXPECT_THROW(parse(w), LoadError);
}

TEST(GoRecords, ObjectBeforeParamsIsAnError) {
  GoDumpWriter w;
  w.header().object(kHeap, {0}).eof();
  EXPECT_THROW(parse(w), LoadError);
}

TEST(GoRecords, WrongHeaderIsAnError) {
  GoDumpWriter w;
  w.raw("go1.4 heap dump\n").eof();
  EXPECT_THROW(parse(w), LoadError);
  EXPECT_FALSE(goFormat().detect(w.bytes));
  EXPECT_TRUE(goFormat().detect(small().bytes));
}

TEST(GoRecords, OverlongVarintIsAnError) {
  GoDumpWriter w;
  w.header().params().raw(std::string(11, '\xff')).raw("\x01");
  EXPECT_THROW(parse(w), LoadError);
}

TEST(GoRecords, VersionParsing) {
  auto v = go::parseGoVersion("go1.22.12");
  EXPECT_TRUE(v.known);
  EXPECT_EQ(v.major, 1u);
  EXPECT_EQ(v.minor, 22u);
  EXPECT_EQ(v.patch, 12u);
  EXPECT_TRUE(v.atLeast(1, 22));
  EXPECT_FALSE(go::parseGoVersion("go1.19.8").atLeast(1, 22));
  auto x = go::parseGoVersion("go1.25.0 X:newinliner,greenteagc");
  EXPECT_TRUE(x.atLeast(1, 25));
  EXPECT_TRUE(x.hasExperiment("greenteagc"));
  EXPECT_TRUE(x.hasExperiment("newinliner"));
  EXPECT_TRUE(go::parseGoVersion("go1.23").atLeast(1, 23));
  EXPECT_FALSE(go::parseGoVersion("").known);                  // ≤ 1.16: GOEXPERIMENT string
  EXPECT_FALSE(go::parseGoVersion("fieldtrack").known);
}

// A one-page span of 64-byte objects: 128 slots, of which (8192 − 128)/64 = 126 are real on ≥ 1.22.
GoDumpWriter scanSpan(std::string_view version) {
  GoDumpWriter w;
  w.header().params(version);
  std::vector<uint64_t> contents(8, 0);
  std::vector<uint64_t> withPtr = contents;
  withPtr[0] = kHeap + 64;
  w.object(kHeap, withPtr, {0});
  w.object(kHeap + 64, contents);
  w.object(kHeap + 126 * 64, {0x4a4a4a4a, 0, 0, 0, 0, 0, 0, 0});  // bitmap words, no fields
  w.object(kHeap + 127 * 64, {0x4a4a4a4a, 0, 0, 0, 0, 0, 0, 0});
  w.memstats(2);
  w.eof();
  return w;
}

TEST(GoRecords, Go122HeapBitmapObjectsAreExcluded) {
  auto d = parse(scanSpan("go1.22.12"));
  EXPECT_EQ(factNumber(*d, "objectRecords"), 4);
  EXPECT_EQ(d->objectCount(), 2u);
  EXPECT_EQ(factNumber(*d, "bogusObjects"), 2);
  EXPECT_EQ(factNumber(*d, "heapObjects"), factNumber(*d, "memstatsHeapObjects"));
  bool warned = false;
  for (const std::string& w : d->warnings) warned |= w.find("heap bitmap") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(GoRecords, Go119KeepsEveryObject) {
  auto d = parse(scanSpan("go1.19.8"));
  EXPECT_EQ(d->objectCount(), 4u);
  EXPECT_EQ(findFact(*d, "bogusObjects"), nullptr);
}

TEST(GoRecords, GreenTeaNoscanSpansReserveMarkBits) {
  // Green Tea: 32-byte noscan objects; (8192 − 128)/32 = 252 real slots, so slots 252..255 are not objects.
  GoDumpWriter w;
  w.header().params("go1.25.0 X:greenteagc");
  for (uint64_t slot : {0, 1, 251, 252, 255}) w.object(kHeap + slot * 32, {1, 2, 3, 4});
  w.eof();
  auto d = parse(w);
  EXPECT_EQ(d->objectCount(), 3u);
  EXPECT_EQ(factNumber(*d, "bogusObjects"), 2);
  // Without the experiment a noscan span reserves nothing.
  GoDumpWriter plain;
  plain.header().params("go1.25.0");
  for (uint64_t slot : {0, 1, 251, 252, 255}) plain.object(kHeap + slot * 32, {1, 2, 3, 4});
  plain.eof();
  EXPECT_EQ(parse(plain)->objectCount(), 5u);
}

TEST(GoRecords, SampleAtObjectPlus8MatchesTheObject) {
  GoDumpWriter w;
  w.header().params("go1.22.12");
  std::vector<uint64_t> big(80, 0);  // 640 B with a malloc header word and a pointer field
  big[0] = 0x4951c0;
  w.object(kHeap + 0x2000, big, {1});
  w.memprof(0xb2, 640, "main.main", "/src/app/main.go", 67);
  w.sample(kHeap + 0x2008, 0xb2);
  w.eof();
  auto d = parse(w);
  ASSERT_EQ(d->objectCount(), 1u);
  EXPECT_TRUE(frameAt(d->heap->graph, 1, 0, "/main.go", 67));
  EXPECT_EQ(factNumber(*d, "samplesAtHeader"), 1);
  EXPECT_TRUE(d->attributionProblem == std::nullopt);
}

TEST(GoRecords, MallocHeaderNamesTheTypeWhenItIsDumped) {
  // ≥ 1.22: the first word of a pointerful object > 512 B is its *_type; Type records (itab types only)
  // give the name. Objects whose header names no dumped type keep their size-class name.
  GoDumpWriter w;
  w.header().params("go1.22.12");
  w.type(0x4951c0, 584, "main.BigRecord").itab(0x4a0000, 0x4951c0);
  w.type(0x4951c0, 584, "main.BigRecord");  // re-dumped after falling out of the runtime's cache
  std::vector<uint64_t> big(80, 0);
  big[0] = 0x4951c0;
  w.object(kHeap + 0x2000, big, {1});
  std::vector<uint64_t> other(80, 0);
  other[0] = 0x777777;
  w.object(kHeap + 0x4000, other, {1});
  w.eof();
  auto d = parse(w);
  EXPECT_EQ(d->heap->graph.typeNameOf(1), "main.BigRecord");
  EXPECT_EQ(d->heap->graph.typeNameOf(2), "640 B object");
  EXPECT_EQ(factNumber(*d, "types"), 1);
  EXPECT_EQ(recordCount(*d, "type"), 2);
  EXPECT_EQ(recordCount(*d, "itab"), 1);
}

TEST(GoRecords, OtherRootsBecomeLabelledRootEdges) {
  GoDumpWriter w;
  w.header().params().object(kHeap, {0, 0}).otherRoot("cgo handle", kHeap + 8).eof();
  auto d = parse(w);
  auto labels = rootLabels(d->heap->graph);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0], "other roots");
  NodeId root = d->heap->graph.edgeTarget[d->heap->graph.firstEdge[kSuperRoot]];
  ASSERT_EQ(d->heap->graph.targets(root).size(), 1u);
  EXPECT_EQ(d->heap->graph.labelText(d->heap->graph.firstEdge[root]), "cgo handle");
}

TEST(GoRecords, NoMemProfRecordsSetsAttributionProblem) {
  GoDumpWriter w;
  w.header().params().object(kHeap, {0, 0}).eof();
  auto d = parse(w);
  ASSERT_TRUE(d->attributionProblem.has_value());
  EXPECT_NE(d->attributionProblem->find("runtime.MemProfileRate = 1"), std::string::npos);
}

TEST(GoRecords, GoroutineFramesBecomeFrameNodes) {
  GoDumpWriter w;
  w.header().params();
  w.object(kHeap, std::vector<uint64_t>(5120, 0));  // 40,960 B
  w.goroutine(18, 4, "chan receive");
  w.frame(0, "runtime.gopark", {0, 0}, {});
  w.frame(1, "main.holder", {0, kHeap + 16}, {1});
  w.eof();
  auto d = parse(w);
  const HeapGraph& g = d->heap->graph;
  auto labels = rootLabels(g);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0], "goroutine 18 (chan receive)");
  auto retainers = retainersOf(g, 1);
  ASSERT_EQ(retainers.size(), 1u);
  EXPECT_EQ(g.kind(retainers[0]), NodeKind::Frame);
  EXPECT_EQ(g.typeNameOf(retainers[0]), "main.holder");
  auto up = retainersOf(g, retainers[0]);
  ASSERT_EQ(up.size(), 1u);
  bool edgeFound = false;
  for (EdgeIndex e = g.firstEdge[up[0]]; e < g.firstEdge[up[0] + 1]; ++e) {
    if (g.edgeTarget[e] == retainers[0]) {
      EXPECT_EQ(g.labelText(e), "frame 1");
      edgeFound = true;
    }
  }
  EXPECT_TRUE(edgeFound);
  EXPECT_EQ(factNumber(*d, "goroutines"), 1);
}

TEST(GoRecords, CancellationStopsTheLoad) {
  std::stop_source stop;
  stop.request_stop();
  TaskContext ctx(stop.get_token(), {});
  EXPECT_THROW(loadGoDump(small().bytes, "x", ctx), OperationCancelled);
}

}  // namespace
}  // namespace heaplens
