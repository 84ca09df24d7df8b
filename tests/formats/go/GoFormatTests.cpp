// GoFormatTests: the Go heap dump parser on real dumps from Go 1.19 and Go 1.22.
//
// Every expected value comes from tests/data/go (copied from
// /work/shared/fixtures/go/README.md, which lists what each program
// allocated and what the dump must show), not from this parser's output.
// The dumps are loaded through the registry, so detection and finishDump()
// (dominators, retained sizes) run too.
//
// Threading: single-threaded tests; each dump is loaded once per process.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "analysis/Paths.h"
#include "analysis/formats/go/GoFormat.h"
#include "tests/formats/go/GoTestUtil.h"

namespace heaplens {
namespace {

using namespace gotest;

const Dump& cached(const std::string& rel) {
  static std::map<std::string, std::unique_ptr<Dump>> dumps;
  auto& slot = dumps[rel];
  if (!slot) slot = load(rel);
  return *slot;
}

struct LeakcacheCase {
  const char* file;
  uint64_t objectRecords;  // README "objects" column
  uint64_t bogus;          // README "(N bogus)"
  uint32_t holderLine;     // 89 on 1.19 (frame 0 not adjusted), 88 on ≥ 1.22
  const char* holderFrame; // the stack frame's function holding the 40,960-byte slice
  uint64_t samplesAtHeader;
};

class Leakcache : public ::testing::TestWithParam<LeakcacheCase> {
protected:
  const Dump& dump() const { return cached(GetParam().file); }
  const HeapGraph& graph() const { return dump().heap->graph; }
};

TEST_P(Leakcache, IsDetectedAsGo) {
  EXPECT_EQ(detectFormat(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("go1.7 heap dump\n"), 16)),
            &goFormat());
  EXPECT_EQ(dump().format, "go");
  EXPECT_EQ(factText(dump(), "format"), "Go heap dump");
  EXPECT_EQ(factText(dump(), "arch"), "amd64");
  EXPECT_EQ(factNumber(dump(), "pointerSize"), 8);
}

TEST_P(Leakcache, ParseReachesEofWithNoBytesLeft) {
  EXPECT_EQ(factText(dump(), "reachedEof"), "yes");
  EXPECT_EQ(factNumber(dump(), "bytesAfterEof"), 0);
  for (const std::string& w : dump().warnings) {
    EXPECT_EQ(w.find("truncated"), std::string::npos) << w;
    EXPECT_EQ(w.find("after the EOF"), std::string::npos) << w;
  }
}

TEST_P(Leakcache, ObjectCountsMatchReadmeAndMemStats) {
  const auto& c = GetParam();
  EXPECT_EQ(factNumber(dump(), "objectRecords"), c.objectRecords);
  EXPECT_EQ(dump().objectCount(), c.objectRecords - c.bogus);
  // README: for every Go ≥ 1.22 dump, objects − MemStats.HeapObjects equals the bogus count exactly,
  // and on 1.19 the two agree; either way the model's count must equal HeapObjects.
  EXPECT_EQ(factNumber(dump(), "memstatsHeapObjects"), c.objectRecords - c.bogus);
  EXPECT_EQ(factNumber(dump(), "heapObjects"), factNumber(dump(), "memstatsHeapObjects"));
  if (c.bogus > 0) {
    EXPECT_EQ(factNumber(dump(), "bogusObjects"), c.bogus);
  } else {
    EXPECT_EQ(findFact(dump(), "bogusObjects"), nullptr) << "bogus objects are a Go ≥ 1.22 matter";
  }
}

TEST_P(Leakcache, SessionsAtLine53) {
  auto sessions = objectsAtLine(graph(), 53, 64);
  EXPECT_EQ(sessions.size(), 10000u);
  for (NodeId n : sessions) {
    EXPECT_EQ(graph().str(siteFrame(graph(), n, 0)->function), "main.fillCache");
    EXPECT_TRUE(frameAt(graph(), n, 1, "/main.go", 102)) << "caller main.main main.go:102";
    ASSERT_NE(dump().heap->idom[n], kNoNode) << "the cache map keeps every session alive";
  }
}

TEST_P(Leakcache, BuffersAtLine61) {
  // 100 noscan 4096-byte []byte buffers; the [][]byte backing array (3072 B, or 4096 B on ≥ 1.22) holds pointers.
  auto buffers = objectsWhere(graph(), [&](NodeId n) {
    return graph().selfSize[n] == 4096 && frameAt(graph(), n, 0, "/main.go", 61) && graph().targets(n).empty();
  });
  EXPECT_EQ(buffers.size(), 100u);
  for (NodeId n : buffers) EXPECT_EQ(graph().str(siteFrame(graph(), n, 0)->function), "main.main");
}

TEST_P(Leakcache, BigRecordsAtLine67) {
  EXPECT_EQ(objectsAtLine(graph(), 67, 640).size(), 50u);
  EXPECT_EQ(factNumber(dump(), "samplesAtHeader"), GetParam().samplesAtHeader);
  EXPECT_EQ(factNumber(dump(), "samplesUnmatched"), 0);
}

TEST_P(Leakcache, InlinedNewSessionAtLine48HasThreeMainFrames) {
  auto objs = objectsAtLine(graph(), 48, 64);
  EXPECT_EQ(objs.size(), 1000u);
  for (NodeId n : objs) {
    ASSERT_TRUE(frameAt(graph(), n, 1, "/main.go", 75));
    ASSERT_TRUE(frameAt(graph(), n, 2, "/main.go", 105));
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(graph().str(siteFrame(graph(), n, i)->function), "main.main");
  }
}

TEST_P(Leakcache, StringsAtLine54) {
  // README: 9,900 16-byte strings whose first frame in package main (main.fillCache) has the file
  // strconv/itoa.go:35 (inlined formatBits), with main.go:54 as the next frame; 50 more (i < 100)
  // whose first main frame is main.go:54 itself. The frames inside strconv/runtime come first.
  auto firstMain = [&](NodeId n) -> size_t {
    auto frames = graph().frames(graph().site[n]);
    for (size_t i = 0; i < frames.size(); ++i)
      if (graph().str(graph().location(frames[i]).function).starts_with("main.")) return i;
    return SIZE_MAX;
  };
  auto viaItoa = objectsWhere(graph(), [&](NodeId n) {
    size_t k = firstMain(n);
    return k != SIZE_MAX && frameAt(graph(), n, k, "strconv/itoa.go", 35) && frameAt(graph(), n, k + 1, "/main.go", 54);
  });
  EXPECT_EQ(viaItoa.size(), 9900u);
  for (NodeId n : viaItoa) {
    EXPECT_EQ(graph().selfSize[n], 16u);
    EXPECT_EQ(graph().str(siteFrame(graph(), n, firstMain(n))->function), "main.fillCache");
  }
  auto direct = objectsWhere(graph(), [&](NodeId n) {
    size_t k = firstMain(n);
    return k != SIZE_MAX && frameAt(graph(), n, k, "/main.go", 54);
  });
  EXPECT_EQ(direct.size(), 50u);
}

TEST_P(Leakcache, HugeObjectAtLine83) {
  auto huge = objectsAtLine(graph(), 83, 1048576);
  ASSERT_EQ(huge.size(), 1u);
  EXPECT_EQ(graph().str(siteFrame(graph(), huge[0], 0)->function), "main.allocHuge");
  EXPECT_TRUE(frameAt(graph(), huge[0], 1, "/main.go", 106));
}

TEST_P(Leakcache, StackHeldSliceIsRetainedOnlyByTheHolderFrame) {
  const auto& c = GetParam();
  auto slices = objectsAtLine(graph(), c.holderLine, 40960);
  ASSERT_EQ(slices.size(), 1u);
  NodeId slice = slices[0];
  auto retainers = retainersOf(graph(), slice);
  ASSERT_EQ(retainers.size(), 1u);
  NodeId frame = retainers[0];
  EXPECT_EQ(graph().kind(frame), NodeKind::Frame);
  EXPECT_EQ(graph().typeNameOf(frame), c.holderFrame);
  // The frame hangs off its goroutine's root node, which the super-root names "goroutine N (chan receive)".
  auto up = retainersOf(graph(), frame);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(graph().kind(up[0]), NodeKind::Root);
  EXPECT_EQ(dump().heap->idom[slice], frame);
  bool labelled = false;
  for (EdgeIndex e = graph().firstEdge[kSuperRoot]; e < graph().firstEdge[kSuperRoot + 1]; ++e)
    if (graph().edgeTarget[e] == up[0]) {
      std::string label = graph().labelText(e);
      labelled = label.starts_with("goroutine ") && label.ends_with("(chan receive)");
      EXPECT_TRUE(labelled) << label;
    }
  EXPECT_TRUE(labelled);
  EXPECT_EQ(dump().heap->retained[frame], 40960u);

  // The shortest path from the roots reads: goroutine N (chan receive) → frame <holder> → the slice.
  PathFinder paths(graph());
  auto path = paths.shortestPath(slice);
  ASSERT_TRUE(path.has_value());
  ASSERT_EQ(path->steps.size(), 3u);
  EXPECT_TRUE(graph().labelText(path->steps[0].via).starts_with("goroutine ")) << graph().labelText(path->steps[0].via);
  EXPECT_EQ(path->steps[1].node, frame);
  EXPECT_EQ(path->steps[2].node, slice);
}

TEST_P(Leakcache, FinalizerRootHoldsTheLine110Session) {
  auto fin = objectsAtLine(graph(), 110, 64);
  ASSERT_EQ(fin.size(), 1u);
  bool byFinalizers = false;
  for (NodeId r : retainersOf(graph(), fin[0])) byFinalizers |= graph().typeNameOf(r) == "finalizers";
  EXPECT_TRUE(byFinalizers);
}

TEST_P(Leakcache, RootsIncludeSegmentsAndGoroutines) {
  auto labels = rootLabels(graph());
  std::set<std::string> set(labels.begin(), labels.end());
  EXPECT_TRUE(set.count("data"));
  EXPECT_TRUE(set.count("bss"));
  EXPECT_TRUE(set.count("finalizers"));
  EXPECT_EQ(factNumber(dump(), "goroutines"), 8);
  // The bss root's edges are labelled by offset into the segment ("+0x1a0").
  NodeId bss = kNoNode;
  for (EdgeIndex e = graph().firstEdge[kSuperRoot]; e < graph().firstEdge[kSuperRoot + 1]; ++e)
    if (graph().labelText(e) == "bss") bss = graph().edgeTarget[e];
  ASSERT_NE(bss, kNoNode);
  ASSERT_FALSE(graph().targets(bss).empty());
  EXPECT_TRUE(graph().labelText(graph().firstEdge[bss]).starts_with("+0x"));
}

TEST_P(Leakcache, ObjectsCarrySizeClassTypesAndAddresses) {
  auto sessions = objectsAtLine(graph(), 53, 64);
  ASSERT_FALSE(sessions.empty());
  EXPECT_EQ(graph().typeNameOf(sessions[0]), "64 B object");
  ASSERT_EQ(graph().address.size(), graph().nodeCount());
  // Objects are in address order (the parser sorts the span-ordered records).
  uint64_t prev = 0;
  for (NodeId n = 0; n < graph().nodeCount(); ++n) {
    if (graph().kind(n) != NodeKind::Object) continue;
    EXPECT_GT(graph().address[n], prev);
    prev = graph().address[n];
  }
  // README: amd64 heap arenas start at 0xc000000000.
  EXPECT_GE(graph().address[sessions[0]], 0xc000000000u);
}

TEST_P(Leakcache, MemProfBucketsAndSamples) {
  EXPECT_EQ(factNumber(dump(), "memprofBuckets"), 52);
  EXPECT_EQ(factNumber(dump(), "allocSamples"), 21122);
  EXPECT_FALSE(dump().attributionProblem.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Go, Leakcache,
    ::testing::Values(LeakcacheCase{"leakcache-go1.19.heapdump", 21247, 0, 89, "main.holder", 0},
                      LeakcacheCase{"leakcache-go1.22.heapdump", 21440, 234, 88, "main.main.gowrap1", 51}),
    [](const auto& info) { return std::string(info.param.file).find("1.19") != std::string::npos ? "go119" : "go122"; });

TEST(GoWorkers, RecordCountsFromReadme) {
  const Dump& d = cached("workers-go1.19.heapdump");
  EXPECT_EQ(factNumber(d, "objectRecords"), 1333);
  EXPECT_EQ(factNumber(d, "allocSamples"), 1209);
  EXPECT_EQ(factNumber(d, "memprofBuckets"), 66);
  EXPECT_EQ(factNumber(d, "goroutines"), 17);
  EXPECT_EQ(recordCount(d, "goroutine"), 17);
  EXPECT_EQ(recordCount(d, "defer"), 3);
  EXPECT_EQ(recordCount(d, "panic"), 1);
  EXPECT_EQ(recordCount(d, "finalizer"), 5);
  EXPECT_EQ(recordCount(d, "queued finalizer"), 3);
  EXPECT_EQ(recordCount(d, "EOF"), 1);
}

TEST(GoWorkers, PanicRootReachesThePanicInfo) {
  // README: the panic record's eface.data points to the 24-byte PanicInfo allocated at main.go:73.
  const Dump& d = cached("workers-go1.19.heapdump");
  const HeapGraph& g = d.heap->graph;
  auto infos = objectsAtLine(g, 73, 24);
  ASSERT_EQ(infos.size(), 1u);
  bool byPanic = false;
  for (NodeId r : retainersOf(g, infos[0])) byPanic |= g.typeNameOf(r) == "panic records";
  EXPECT_TRUE(byPanic);
}

TEST(GoWorkers, JobDataHeldOnlyByWorkFrames) {
  // README: 8 × 288 B at main.go:51, each referenced only from a main.work stack frame,
  // in 8 goroutines waiting on "chan receive".
  const Dump& d = cached("workers-go1.19.heapdump");
  const HeapGraph& g = d.heap->graph;
  auto data = objectsAtLine(g, 51, 288);
  ASSERT_EQ(data.size(), 8u);
  std::set<NodeId> frames;
  for (NodeId n : data) {
    auto r = retainersOf(g, n);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(g.kind(r[0]), NodeKind::Frame);
    EXPECT_EQ(g.typeNameOf(r[0]), "main.work");
    frames.insert(r[0]);
  }
  EXPECT_EQ(frames.size(), 8u);
  const Table* t = findTable(d, "goroutines");
  ASSERT_TRUE(t);
  double chanReceive = 0;
  for (const auto& row : t->rows)
    if (row[0].text == "waiting" && row[1].text == "chan receive") chanReceive = *row[2].number;
  EXPECT_GE(chanReceive, 8);
}

TEST(GoRates, UnlinkedDefaultLoadsButCannotAttribute) {
  const Dump& d = cached("rates/unlinked-default-go1.19.heapdump");
  EXPECT_GT(d.objectCount(), 20000u);  // README: ~21k objects
  EXPECT_EQ(factNumber(d, "allocSamples"), 0);
  ASSERT_TRUE(d.attributionProblem.has_value());
  EXPECT_NE(d.attributionProblem->find("runtime.MemProfileRate = 1"), std::string::npos);
  EXPECT_NE(d.attributionProblem->find("GODEBUG=memprofilerate=1"), std::string::npos);
  for (NodeId n = 0; n < d.heap->graph.nodeCount(); ++n) ASSERT_EQ(d.heap->graph.site[n], kNoSite);
}

TEST(GoRates, LinkedDefaultWarnsAboutLowCoverage) {
  // README: the linked binary at the default 512 KiB rate gives 3 samples on 1.19.
  const Dump& d = cached("rates/linked-default-go1.19.heapdump");
  EXPECT_EQ(factNumber(d, "allocSamples"), 3);
  EXPECT_FALSE(d.attributionProblem.has_value());
  bool warned = false;
  for (const std::string& w : d.warnings) warned |= w.find("have an alloc sample") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(GoRates, LinkedGodebugGo123) {
  // README: 21,150 samples on go1.23 with GODEBUG=memprofilerate=1 and the profiling code linked.
  const Dump& d = cached("rates/linked-godebug1-go1.23.heapdump");
  EXPECT_EQ(factNumber(d, "allocSamples"), 21150);
  EXPECT_EQ(factNumber(d, "heapObjects"), factNumber(d, "memstatsHeapObjects"));
  EXPECT_EQ(factNumber(d, "objectRecords") - factNumber(d, "bogusObjects"), factNumber(d, "memstatsHeapObjects"));
}

}  // namespace
}  // namespace heaplens
