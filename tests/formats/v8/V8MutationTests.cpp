// V8MutationTests: damaged .heapsnapshot files end in a Dump or a LoadError, never a crash or a hang.
//
// Bases: the tiny hand-written snapshot cut at every byte and with every byte replaced by a few
// others (reaches every section and every error path of the scanner), and the real
// plain-baseline snapshot (4.1 MB) cut and flipped at random places. Runs in the sanitizer build
// of `make test` too.
#include <gtest/gtest.h>

#include <random>

#include "tests/formats/v8/V8TestData.h"

namespace heaplens::v8 {
namespace {

struct Outcome {
  size_t loaded = 0, rejected = 0;
};

void loadOrReject(std::span<const uint8_t> bytes, Outcome& o, const std::string& what) {
  try {
    auto d = testing::load(bytes);
    ASSERT_TRUE(d->heap) << what;
    const HeapGraph& g = d->heap->graph;
    // Whatever loads is a consistent graph.
    ASSERT_EQ(g.firstEdge.size(), g.nodeCount() + 1u) << what;
    for (NodeId t : g.edgeTarget) ASSERT_LT(t, g.nodeCount()) << what;
    ++o.loaded;
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("v8 heapsnapshot"), std::string::npos) << what << ": " << e.what();
    ++o.rejected;
  }
}

TEST(V8Mutation, TinySnapshotCutAtEveryByte) {
  const std::string s = testing::tinySnapshot();
  Outcome o;
  for (size_t cut = 0; cut < s.size(); ++cut) {
    const std::string part = s.substr(0, cut);
    loadOrReject(testing::asBytes(part), o, "cut at " + std::to_string(cut));
  }
  EXPECT_GT(o.rejected, s.size() / 2);
}

TEST(V8Mutation, TinySnapshotEveryByteReplaced) {
  const std::string s = testing::tinySnapshot();
  Outcome o;
  for (size_t i = 0; i < s.size(); ++i) {
    for (char c : {'0', '9', ',', ']', '"', '{', '\\', 'x', '\0'}) {
      if (s[i] == c) continue;
      std::string m = s;
      m[i] = c;
      loadOrReject(testing::asBytes(m), o, "byte " + std::to_string(i) + " -> " + std::string(1, c));
    }
  }
  EXPECT_GT(o.loaded, 0u);
  EXPECT_GT(o.rejected, 0u);
}

TEST(V8Mutation, RealSnapshotCutAndFlipped) {
  const std::vector<uint8_t>& base = testing::snapshotBytes("plain-baseline");
  std::mt19937_64 rng(13);
  Outcome o;
  for (int i = 0; i < 20; ++i) {
    const size_t cut = std::uniform_int_distribution<size_t>(0, base.size() - 1)(rng);
    loadOrReject(std::span<const uint8_t>(base.data(), cut), o, "cut at " + std::to_string(cut));
  }
  std::vector<uint8_t> m = base;
  for (int i = 0; i < 20; ++i) {
    const size_t at = std::uniform_int_distribution<size_t>(0, base.size() - 1)(rng);
    const uint8_t was = m[at];
    m[at] = static_cast<uint8_t>(std::uniform_int_distribution<int>(0, 255)(rng));
    loadOrReject(m, o, "byte " + std::to_string(at) + " flipped");
    m[at] = was;
  }
  EXPECT_EQ(o.loaded + o.rejected, 40u);
}

}  // namespace
}  // namespace heaplens::v8
