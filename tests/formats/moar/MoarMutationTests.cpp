// MoarMutationTests: damaged .mvmheap files end in a Dump or a LoadError, never a crash or a hang.
//
// Bases: leaky.mvmheap cut right after snapshot 0's intermediate outer toc
// (a valid one-snapshot file of ~2.8 MB: 100 cuts, 30 flips), a file
// rewritten from its first 5,000 collectables and real tables (300 flips,
// 100 cuts; cheap enough for ASan), and a small written two-snapshot file
// cut and flipped at every byte, which reaches every header, toc entry and
// JSON field.
// Runs in the sanitizer build of `make test`.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "analysis/formats/moar/MoarFile.h"
#include "analysis/formats/moar/MoarFormat.h"
#include "tests/formats/moar/MoarTestData.h"
#include "tests/formats/moar/MoarTestWriter.h"

namespace heaplens::moar {
namespace {

// leaky.mvmheap up to the end of the outer toc written after snapshot 0; cut
// once per test binary (tests that mutate it take a copy).
std::vector<uint8_t> cutAfterFirstSnapshot() {
  const std::vector<uint8_t>& all = testing::leakyBytes();
  MoarFile f(all, {});
  const BlockRef& inner = f.snapshots().at(0).innerToc;
  const uint64_t outerAt = inner.end + 8;  // right after the inner toc's trailer
  uint64_t n;
  std::memcpy(&n, all.data() + outerAt + 8, 8);
  const uint64_t outerEnd = outerAt + 16 + 24 * n + 8;
  EXPECT_EQ(std::memcmp(all.data() + outerAt, "toc\0\0\0\0\0", 8), 0);
  return std::vector<uint8_t>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(outerEnd));
}

const std::vector<uint8_t>& firstSnapshotOfLeaky() {
  static const std::vector<uint8_t> bytes = cutAfterFirstSnapshot();
  return bytes;
}

// The real-data subset's collectables. 5,000 keep every block, toc, JSON field and table of a real
// file and load in about 9 ms under ASan; 20,000 took 29 ms a load (11.8 s for this file's 400).
constexpr uint32_t kSubset = 5000;

// A smaller file made of real data: snapshot 0's first `keep` collectables
// with the references among them, and the file's real strings, types and
// static frames, written afresh. Loads in milliseconds, so hundreds of
// mutations stay cheap under ASan.
std::vector<uint8_t> realSubset(const std::vector<uint8_t>& base, uint32_t keep) {
  MoarFile f(base, {});
  const Column all[] = {kColKind, kColSize,  kColToFi,   kColRefCount, kColRefStart,
                        kColUnmanagedSize, kRefDescr, kRefTarget};
  SnapshotColumns c = f.readColumns(0, all, {}, "subset");
  testing::MiniSnapshot s;
  s.gcSeq = 2;
  for (uint32_t i = 0; i < keep; ++i) {
    s.kind.push_back(c.col[kColKind].as<uint16_t>()[i]);
    s.size.push_back(c.col[kColSize].as<uint16_t>()[i]);
    s.tofi.push_back(c.col[kColToFi].as<uint32_t>()[i]);
    s.usize.push_back(c.col[kColUnmanagedSize].as<uint64_t>()[i]);
    const uint64_t start = c.col[kColRefStart].as<uint32_t>()[i], cnt = c.col[kColRefCount].as<uint32_t>()[i];
    s.rfstr.push_back(s.target.size());
    uint32_t kept = 0;
    for (uint64_t j = start; j < start + cnt; ++j) {
      const uint64_t t = c.col[kRefTarget].as<uint32_t>()[j];
      if (t >= keep) continue;
      s.target.push_back(t);
      const uint32_t d = c.col[kRefDescr].as<uint32_t>()[j];
      s.descr.push_back((uint64_t{refIndex(d)} << 2) | refKind(d));
      ++kept;
    }
    s.rfcnt.push_back(kept);
  }
  for (uint32_t i = 0; i < f.stringCount(); ++i) s.newStrings.emplace_back(f.string(i));
  for (const auto& t : f.types()) s.newTypes.push_back({t.reprName, t.typeName});
  for (const auto& fr : f.staticFrames()) s.newFrames.push_back({fr.name, fr.cuid, fr.line, fr.file});
  return testing::MoarTestWriter().write({s});
}

struct Outcome {
  size_t loaded = 0, rejected = 0;
};

// Byte offsets worth flipping: the header, the first 40 bytes of every block
// of snapshot 0 (kind, sizes, zstd frame header) and the bytes from its inner
// toc up to `tocEnd`.
std::vector<uint64_t> structureOffsets(const MoarFile& f, uint64_t tocEnd) {
  std::vector<uint64_t> structure;
  for (uint64_t p = 0; p < 16; ++p) structure.push_back(p);
  const SnapshotEntry& s = f.snapshots()[0];
  for (const BlockRef& b : s.blocks)
    for (uint64_t p = b.start; p < std::min(b.end, b.start + 40); ++p) structure.push_back(p);
  for (uint64_t p = s.innerToc.start; p < tocEnd; ++p) structure.push_back(p);
  return structure;
}

// Loads one mutated file; only a Dump or a LoadError is acceptable.
void tryLoad(const std::vector<uint8_t>& bytes, const std::string& what, Outcome& o) {
  ReadLimits limits;
  limits.maxTotalBytes = uint64_t{512} << 20;
  try {
    auto d = loadMoarDump(bytes, {}, {}, limits);
    ASSERT_FALSE(d->series->snapshots.empty()) << what;
    ASSERT_EQ(d->heap->graph.nodeCount(), d->series->snapshots[d->series->selected].objects + 1) << what;
    ++o.loaded;
  } catch (const LoadError& e) {
    ASSERT_NE(std::string(e.what()).find("mvmheap"), std::string::npos) << what << ": " << e.what();
    ++o.rejected;
  } catch (const std::exception& e) {
    FAIL() << what << ": unexpected " << typeid(e).name() << ": " << e.what();
  }
}

// XORs the byte at `pos` with `mask`, loads, and restores it.
void xorAndLoad(std::vector<uint8_t>& bytes, uint64_t pos, uint8_t mask, Outcome& o) {
  bytes[pos] ^= mask;
  tryLoad(bytes, "xor " + std::to_string(mask) + " at byte " + std::to_string(pos), o);
  bytes[pos] ^= mask;
}

// Loads the first `cut` bytes of `base`.
void cutAndLoad(const std::vector<uint8_t>& base, uint64_t cut, Outcome& o) {
  std::vector<uint8_t> m(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(cut));
  tryLoad(m, "cut at " + std::to_string(cut), o);
}

TEST(MoarMutation, BaseFileLoads) {
  const std::vector<uint8_t>& base = firstSnapshotOfLeaky();
  auto d = loadMoarDump(base, {}, {});
  ASSERT_EQ(d->series->snapshots.size(), 1u);
  EXPECT_EQ(d->series->snapshots[0].objects, 489954u);  // expected-small.json, snapshot 0
  EXPECT_TRUE(d->warnings.empty());
}

TEST(MoarMutation, CutsOfARealSnapshot) {
  const std::vector<uint8_t>& base = firstSnapshotOfLeaky();
  std::mt19937_64 rng(5);
  Outcome o;
  std::vector<uint64_t> cuts = {0, 1, 15, 16, 17, 24, 100, base.size() - 1, base.size() - 8, base.size() - 9};
  while (cuts.size() < 100) cuts.push_back(rng() % base.size());
  for (uint64_t cut : cuts) {
    cutAndLoad(base, cut, o);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(o.rejected, 90u);  // the only toc is at the end: a cut file has none
}

// Flips on the full real snapshot are costly (each surviving one loads
// 490,000 collectables); a few dozen, aimed at the structure, then the
// bulk on the real-data subset below.
TEST(MoarMutation, BitFlipsOfARealSnapshot) {
  std::vector<uint8_t> base = firstSnapshotOfLeaky();
  MoarFile f(base, {});
  std::vector<uint64_t> structure = structureOffsets(f, f.snapshots()[0].innerToc.end + 8);
  for (uint64_t p = base.size() - 8; p < base.size(); ++p) structure.push_back(p);
  std::mt19937_64 rng(3);
  Outcome o;
  for (int i = 0; i < 30; ++i) {
    const uint64_t pos = structure[rng() % structure.size()];
    const uint8_t bit = static_cast<uint8_t>(1u << (rng() % 8));
    xorAndLoad(base, pos, bit, o);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(o.rejected, 0u);
}

TEST(MoarMutation, BitFlipsAndCutsOfRealData) {
  std::vector<uint8_t> base = realSubset(firstSnapshotOfLeaky(), kSubset);
  {
    auto d = loadMoarDump(base, {}, {});
    ASSERT_EQ(d->series->snapshots[0].objects, kSubset);
  }
  // Half the flips land on structure (block headers, tocs, JSON, zstd frame
  // headers), half anywhere; a flip inside compressed data mostly ends as a
  // zstd error or an out-of-range index.
  MoarFile f(base, {});
  const std::vector<uint64_t> structure = structureOffsets(f, base.size());
  std::mt19937_64 rng(7);
  Outcome o;
  for (int i = 0; i < 300; ++i) {
    const uint64_t pos = i % 2 ? structure[rng() % structure.size()] : rng() % base.size();
    const uint8_t bit = static_cast<uint8_t>(1u << (rng() % 8));
    xorAndLoad(base, pos, bit, o);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(o.rejected, 100u);
  EXPECT_GT(o.loaded, 0u);  // flips in unused bytes (e.g. kind-name padding after the NUL) are harmless
  for (int i = 0; i < 100; ++i) {
    const uint64_t cut = rng() % base.size();
    cutAndLoad(base, cut, o);
    if (HasFatalFailure()) return;
  }
}

TEST(MoarMutation, EveryCutAndByteFlipOfASmallFile) {
  testing::MiniSnapshot a = testing::tinySnapshot(true), b = testing::tinySnapshot(false);
  b.gcSeq = 2;
  b.topIds = {0};
  b.topScore = {1};
  const std::vector<uint8_t> base = testing::MoarTestWriter().write({a, b});
  Outcome o;
  for (size_t cut = 0; cut < base.size(); ++cut) {
    cutAndLoad(base, cut, o);
    if (HasFatalFailure()) return;
  }
  std::vector<uint8_t> m = base;
  for (size_t pos = 0; pos < base.size(); ++pos) {
    for (uint8_t x : {uint8_t{0xFF}, uint8_t{0x01}}) {
      xorAndLoad(m, pos, x, o);
      if (HasFatalFailure()) return;
    }
  }
  // Cutting keeps the snapshot-0 toc in the middle: some cuts still load one snapshot.
  EXPECT_GT(o.loaded, 0u);
}

// Format v2 (no compression, no toc): every cut and every byte flipped two ways. A cut keeps the
// snapshots before it; a flip in a count, a width marker or a table index is refused or reported.
TEST(MoarMutation, EveryCutAndByteFlipOfASmallV2File) {
  testing::MiniSnapshot a = testing::tinySnapshot(true), b = testing::tinySnapshot(false);
  b.descr[2] = (300ull << 2) | 1;  // a 2-byte record beside the 1-byte ones
  const std::vector<uint8_t> base = testing::writeV2({a, b});
  Outcome o;
  size_t keptOne = 0;
  for (size_t cut = 0; cut < base.size(); ++cut) {
    std::vector<uint8_t> m(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(cut));
    try {
      auto d = loadMoarDump(m, {}, {});
      keptOne += d->series->snapshots.size() == 1;
    } catch (const LoadError&) {
    }
    tryLoad(m, "v2 cut at " + std::to_string(cut), o);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(keptOne, 0u);  // cuts inside snapshot 1 keep snapshot 0
  std::vector<uint8_t> m = base;
  for (size_t pos = 0; pos < base.size(); ++pos) {
    for (uint8_t x : {uint8_t{0xFF}, uint8_t{0x01}}) {
      xorAndLoad(m, pos, x, o);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(o.rejected, 0u);
  EXPECT_GT(o.loaded, 0u);
}

// A real-data v2 file: the first kSubset collectables of leaky's snapshot 0 with its real tables,
// written as v2; 300 flips and 100 cuts, as for v3 above.
TEST(MoarMutation, BitFlipsAndCutsOfRealDataV2) {
  const std::vector<uint8_t> v3Bytes = realSubset(firstSnapshotOfLeaky(), kSubset);
  MoarFile v3(v3Bytes, {});  // (holds a view of the bytes)
  // realSubset wrote one v3 snapshot; rewrite the same columns and tables as v2.
  const Column all[] = {kColKind, kColSize, kColToFi, kColRefCount, kColRefStart, kColUnmanagedSize, kRefDescr, kRefTarget};
  SnapshotColumns c = v3.readColumns(0, all, {}, "subset");
  testing::MiniSnapshot s;
  for (uint64_t i = 0; i < c.collectables; ++i) {
    s.kind.push_back(c.col[kColKind].as<uint16_t>()[i]);
    s.size.push_back(c.col[kColSize].as<uint16_t>()[i]);
    s.tofi.push_back(c.col[kColToFi].as<uint32_t>()[i]);
    s.usize.push_back(c.col[kColUnmanagedSize].as<uint64_t>()[i]);
    s.rfstr.push_back(c.col[kColRefStart].as<uint32_t>()[i]);
    s.rfcnt.push_back(c.col[kColRefCount].as<uint32_t>()[i]);
  }
  for (uint64_t j = 0; j < c.references; ++j) {
    const uint32_t d = c.col[kRefDescr].as<uint32_t>()[j];
    s.descr.push_back((uint64_t{refIndex(d)} << 2) | refKind(d));
    s.target.push_back(c.col[kRefTarget].as<uint32_t>()[j]);
  }
  for (uint32_t i = 0; i < v3.stringCount(); ++i) s.newStrings.emplace_back(v3.string(i));
  for (const auto& t : v3.types()) s.newTypes.push_back({t.reprName, t.typeName});
  for (const auto& fr : v3.staticFrames()) s.newFrames.push_back({fr.name, fr.cuid, fr.line, fr.file});
  std::vector<uint8_t> base = testing::writeV2({s});
  {
    auto d = loadMoarDump(base, {}, {});
    ASSERT_EQ(d->series->snapshots[0].objects, kSubset);
    EXPECT_TRUE(d->warnings.empty());
  }
  MoarFile f(base, {});
  std::vector<uint64_t> structure;
  for (uint64_t p = 0; p < 16; ++p) structure.push_back(p);
  for (const BlockRef& b : f.snapshots()[0].blocks)
    for (uint64_t p = b.start; p < b.start + 40; ++p) structure.push_back(p);
  for (uint64_t p = f.snapshots()[0].blocks[1].end; p < base.size(); p += 7) structure.push_back(p);  // the tables
  std::mt19937_64 rng(11);
  Outcome o;
  for (int i = 0; i < 300; ++i) {
    const uint64_t pos = i % 2 ? structure[rng() % structure.size()] : rng() % base.size();
    xorAndLoad(base, pos, static_cast<uint8_t>(1u << (rng() % 8)), o);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(o.rejected, 30u);
  EXPECT_GT(o.loaded, 0u);
  for (int i = 0; i < 100; ++i) {
    cutAndLoad(base, rng() % base.size(), o);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace heaplens::moar
