// StringTableTests: interning, lookup, and ids that survive growth.
#include "analysis/StringTable.h"

#include <gtest/gtest.h>

#include <string>

namespace heaplens {
namespace {

TEST(StringTable, EmptyStringIsIdZero) {
  StringTable t;
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.get(0), "");
  EXPECT_EQ(t.intern(""), 0u);
}

TEST(StringTable, InternIsIdempotentAcrossGrowth) {
  StringTable t;
  std::vector<StringId> ids;
  auto name = [](int i) { return std::string("s").append(std::to_string(i)); };
  for (int i = 0; i < 100000; ++i) ids.push_back(t.intern(name(i)));
  for (int i = 0; i < 100000; ++i) {
    ASSERT_EQ(t.intern(name(i)), ids[i]);
    ASSERT_EQ(t.get(ids[i]), name(i));
  }
  EXPECT_EQ(t.size(), 100001u);
  StringId out = 0;
  EXPECT_TRUE(t.find("s4242", out));
  EXPECT_EQ(out, ids[4242]);
  EXPECT_FALSE(t.find("nope", out));
}

TEST(StringTable, InterningAViewOfItself) {
  StringTable t;
  StringId a = t.intern("main.Session");
  for (int i = 0; i < 1000; ++i) t.intern(std::to_string(i));
  // A substring of a stored string, taken from the table's own buffer.
  StringId b = t.intern(t.get(a).substr(5));
  EXPECT_EQ(t.get(b), "Session");
  EXPECT_EQ(t.get(a), "main.Session");
}

}  // namespace
}  // namespace heaplens
