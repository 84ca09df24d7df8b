// DiffTests: two small dumps of "the same program", compared by type, site and identity.
#include "analysis/Diff.h"

#include <gtest/gtest.h>

#include "TestGraphs.h"

namespace heaplens {
namespace {

// sessions Session objects (64 B) from main.fillCache main.go:53 <- main.main main.go:102,
// plus buffers []byte (1000 B) from main.go:60; addresses from `firstAddress` on.
Dump makeDump(int sessions, int buffers, uint64_t firstAddress, bool withAddresses = true,
              uint64_t bufferAddress = 0x100000) {
  GraphBuilder b;
  // Different registration order than the other dump, so ordinals differ.
  TypeId bytes = b.addType(sessions % 2 ? "[]byte" : "main.Session");
  TypeId session = b.addType(sessions % 2 ? "main.Session" : "[]byte");
  if (sessions % 2 == 0) std::swap(bytes, session);
  LocationId fill = b.addLocation("main.fillCache", "/home/ci/app/main.go", 53);
  LocationId mainFn = b.addLocation("main.main", "/home/ci/app/main.go", 102);
  LocationId buf = b.addLocation("main.buf", "/home/ci/app/main.go", 60);
  SiteId s1 = b.addSite(std::vector<LocationId>{fill, mainFn});
  SiteId s2 = b.addSite(std::vector<LocationId>{buf});
  uint64_t addr = firstAddress;
  for (int i = 0; i < sessions; ++i) {
    NodeId n = b.addNode(NodeKind::Object, 64, session, s1);
    if (withAddresses) b.setAddress(n, addr);
    addr += 64;
    b.addRoot(n, "bss");
  }
  addr = bufferAddress;
  for (int i = 0; i < buffers; ++i) {
    NodeId n = b.addNode(NodeKind::Object, 1000, bytes, s2);
    if (withAddresses) b.setAddress(n, addr);
    addr += 1000;
  }
  b.addNode(NodeKind::Root, 0);  // not an object: never counted
  return test::makeDump(b.finish());
}

TEST(Diff, ByTypeSortedByGrowth) {
  Dump before = makeDump(10, 3, 0x1000);
  Dump after = makeDump(25, 2, 0x1000);
  auto rows = diffByType(before, after);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key, "main.Session");
  EXPECT_EQ(rows[0].countBefore, 10u);
  EXPECT_EQ(rows[0].countAfter, 25u);
  EXPECT_EQ(rows[0].bytesDelta(), 15 * 64);
  EXPECT_EQ(rows[1].key, "[]byte");
  EXPECT_EQ(rows[1].countDelta(), -1);
  EXPECT_EQ(rows[1].bytesDelta(), -1000);
}

TEST(Diff, BySiteMatchesFramesAsText) {
  Dump before = makeDump(10, 3, 0x1000);
  Dump after = makeDump(25, 2, 0x1000);
  auto rows = diffBySite(before, after);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key, "main.fillCache main.go:53 <- main.main main.go:102");
  EXPECT_EQ(rows[0].bytesBefore, 640u);
  EXPECT_EQ(rows[0].bytesAfter, 1600u);
  EXPECT_EQ(rows[1].key, "main.buf main.go:60");
  EXPECT_EQ(siteText(before.graph, kNoSite), "(no site)");
}

TEST(Diff, TypesOnlyOnOneSide) {
  Dump before = makeDump(0, 3, 0x1000);
  Dump after = makeDump(4, 0, 0x1000);
  auto rows = diffByType(before, after);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key, "main.Session");
  EXPECT_EQ(rows[0].countBefore, 0u);
  EXPECT_EQ(rows[1].key, "[]byte");
  EXPECT_EQ(rows[1].countAfter, 0u);
}

TEST(Diff, ByIdentity) {
  // Before: 10 sessions at 0x1000.., 3 buffers at 0x100000... After: 12 sessions from the same
  // start, so the first 10 survive and 2 are new; the buffers moved (3 freed, 2 new).
  Dump before = makeDump(10, 3, 0x1000);
  Dump after = makeDump(12, 2, 0x1000, true, 0x200000);
  IdentityDiff d = diffByIdentity(before, after);
  EXPECT_TRUE(d.available);
  EXPECT_EQ(d.keptObjects, 10u);
  EXPECT_EQ(d.keptBytes, 640u);
  EXPECT_EQ(d.newObjects, 4u);
  EXPECT_EQ(d.newBytes, 2u * 64 + 2u * 1000);
  EXPECT_EQ(d.freedObjects, 3u);
  EXPECT_EQ(d.freedBytes, 3000u);
}

TEST(Diff, IdentityNeedsAddressesOnBothSides) {
  IdentityDiff d = diffByIdentity(makeDump(3, 0, 0x1000, false), makeDump(3, 0, 0x1000));
  EXPECT_FALSE(d.available);
  EXPECT_EQ(d.newObjects + d.freedObjects + d.keptObjects, 0u);
}

}  // namespace
}  // namespace heaplens
