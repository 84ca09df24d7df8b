// TextTests: the number formats users read in hovers, lenses and the report.
#include "analysis/Text.h"

#include <gtest/gtest.h>

#include "analysis/Dump.h"

namespace heaplens {
namespace {

TEST(Text, Counts) {
  EXPECT_EQ(formatCount(0), "0");
  EXPECT_EQ(formatCount(999), "999");
  EXPECT_EQ(formatCount(1000), "1,000");
  EXPECT_EQ(formatCount(10000), "10,000");
  EXPECT_EQ(formatCount(1234567), "1,234,567");
  EXPECT_EQ(formatSignedCount(-1234), "-1,234");
  EXPECT_EQ(formatSignedCount(1234, true), "+1,234");
  EXPECT_EQ(formatSignedCount(0, true), "0");
}

TEST(Text, BytesUseBinaryUnitsAndThreeDigits) {
  EXPECT_EQ(formatBytes(0), "0 B");
  EXPECT_EQ(formatBytes(512), "512 B");
  EXPECT_EQ(formatBytes(1023), "1023 B");
  EXPECT_EQ(formatBytes(1024), "1 KiB");
  EXPECT_EQ(formatBytes(1536), "1.5 KiB");
  EXPECT_EQ(formatBytes(640000), "625 KiB");
  EXPECT_EQ(formatBytes(10 * 1024 * 1024 + 300 * 1024), "10.3 MiB");
  EXPECT_EQ(formatBytes(1048575), "1 MiB");  // 1023.999 KiB rounds up a unit, not to "1024 KiB"
  EXPECT_EQ(formatBytes(3ull << 30), "3 GiB");
  EXPECT_EQ(formatSignedBytes(-640000), "-625 KiB");
  EXPECT_EQ(formatSignedBytes(1536), "+1.5 KiB");
}

TEST(Text, LongBytes) {
  EXPECT_EQ(formatBytesLong(640000), "640,000 B (625 KiB)");
  EXPECT_EQ(formatBytesLong(100), "100 B");
}

TEST(Text, Percent) {
  EXPECT_EQ(formatPercent(0.21), "21%");
  EXPECT_EQ(formatPercent(1.0), "100%");
  EXPECT_EQ(formatPercent(0.015), "1.5%");
  EXPECT_EQ(formatPercent(0.0), "0%");
  EXPECT_EQ(formatPercent(0.00001), "<0.01%");
}

TEST(Text, Numbers) {
  EXPECT_EQ(formatNumber(10000), "10,000");
  EXPECT_EQ(formatNumber(1234.5), "1,234.5");
  EXPECT_EQ(formatNumber(-2.25), "-2.25");
  EXPECT_EQ(formatNumber(0.999), "1");
}

TEST(Text, CellsKeepTheNumberAndShowTheText) {
  Cell c = Cell::bytes(640000);
  EXPECT_EQ(c.text, "640,000 B (625 KiB)");
  ASSERT_TRUE(c.number.has_value());
  EXPECT_EQ(*c.number, 640000.0);
  Cell n = Cell::num(10000);
  EXPECT_EQ(n.text, "10,000");
  EXPECT_EQ(*n.number, 10000.0);
}

TEST(Text, ByteSizesAsTyped) {
  EXPECT_EQ(parseByteSize("1048576"), 1048576u);
  EXPECT_EQ(parseByteSize("512M"), uint64_t{512} << 20);
  EXPECT_EQ(parseByteSize("4G"), uint64_t{4} << 30);
  EXPECT_EQ(parseByteSize("4g"), uint64_t{4} << 30);
  EXPECT_EQ(parseByteSize("4GiB"), uint64_t{4} << 30);
  EXPECT_EQ(parseByteSize("4GB"), uint64_t{4} << 30);
  EXPECT_EQ(parseByteSize("1.5G"), uint64_t{3} << 29);
  EXPECT_EQ(parseByteSize("300k"), 300u * 1024);
  EXPECT_EQ(parseByteSize("2T"), uint64_t{2} << 40);
  EXPECT_EQ(parseByteSize(" 64 M "), uint64_t{64} << 20);
  EXPECT_EQ(parseByteSize("10B"), 10u);
  EXPECT_FALSE(parseByteSize(""));
  EXPECT_FALSE(parseByteSize("G"));
  EXPECT_FALSE(parseByteSize("lots"));
  EXPECT_FALSE(parseByteSize("4X"));
  EXPECT_FALSE(parseByteSize("4Gx"));
  EXPECT_FALSE(parseByteSize("-4G"));
  EXPECT_FALSE(parseByteSize("99999999999T"));  // beyond 2^64 bytes
}

}  // namespace
}  // namespace heaplens
