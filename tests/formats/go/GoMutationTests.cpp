// GoMutationTests: the real Go dumps cut short and bit-flipped; every case must end in a Dump
// or a LoadError, never a crash, a hang or another exception.
//
// These run in `make test` under AddressSanitizer and UndefinedBehaviorSanitizer (build-asan),
// which turns any out-of-bounds read or overflow into a failure. Cuts go through the file path
// (temp file, mmap) and must always load with a truncation warning naming the cut; flips go
// through the in-memory entry point. Positions are deterministic (evenly spread plus a fixed seed),
// and every 8th case also runs finishDump() so the graph the parser built is walked end to end.
// HEAPLENS_MUTATION_SCALE (default 1) multiplies the number of cases for longer local runs.
//
// Threading: single-threaded tests.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <set>

#include "analysis/formats/go/GoFormat.h"
#include "tests/formats/go/GoTestUtil.h"

namespace heaplens {
namespace {

using namespace gotest;

std::vector<uint8_t> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

size_t scaled(size_t n) {
  const char* s = std::getenv("HEAPLENS_MUTATION_SCALE");
  int k = s ? std::atoi(s) : 1;
  return n * static_cast<size_t>(k > 0 ? k : 1);
}

// Cut positions: all of the header, every byte around the first records, EOF−1, and the rest spread
// evenly plus seeded random, `count` in all.
std::vector<size_t> cutPoints(size_t size, size_t count, uint64_t seed) {
  std::set<size_t> cuts;
  for (size_t i = 0; i <= 40 && i < size; ++i) cuts.insert(i);
  cuts.insert(size - 1);
  cuts.insert(size - 2);
  std::mt19937_64 rng(seed);
  size_t even = count / 2;
  for (size_t i = 1; i <= even; ++i) cuts.insert(size * i / (even + 1));
  while (cuts.size() < count) cuts.insert(std::uniform_int_distribution<size_t>(0, size - 1)(rng));
  return {cuts.begin(), cuts.end()};
}

struct TempFile {
  std::string path;
  TempFile() {
    char tmpl[] = "/tmp/heaplens-go-mutation-XXXXXX";
    int fd = ::mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    if (fd >= 0) ::close(fd);
    path = tmpl;
  }
  ~TempFile() { std::remove(path.c_str()); }
  void write(const uint8_t* data, size_t n) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
  }
};

class GoMutation : public ::testing::TestWithParam<const char*> {};

TEST_P(GoMutation, EveryCutLoadsWhatCameBeforeIt) {
  const std::vector<uint8_t> bytes = readAll(dataPath(GetParam()));
  ASSERT_GT(bytes.size(), 1000u);
  TempFile tmp;
  double lastRecords = -1;
  size_t n = 0;
  for (size_t cut : cutPoints(bytes.size(), scaled(200), 0x90c07))  {
    SCOPED_TRACE("cut at byte " + std::to_string(cut));
    tmp.write(bytes.data(), cut);
    std::unique_ptr<Dump> d;
    try {
      d = goFormat().load(tmp.path, {}, {});
    } catch (const LoadError& e) {
      // Only an empty file has nothing to keep; everything else is a valid prefix.
      EXPECT_EQ(cut, 0u) << e.what();
      continue;
    }
    ASSERT_TRUE(d);
    ASSERT_FALSE(d->warnings.empty());
    EXPECT_TRUE(d->warnings[0].starts_with("truncated at byte " + std::to_string(cut) + ":")) << d->warnings[0];
    // Records are kept up to the cut, so a later cut never keeps fewer objects.
    double records = factNumber(*d, "objectRecords");
    EXPECT_GE(records, lastRecords);
    lastRecords = records;
    if (++n % 8 == 0) finishDump(*d, {});
  }
}

TEST_P(GoMutation, FlippedBytesEndInADumpOrALoadError) {
  std::vector<uint8_t> bytes = readAll(dataPath(GetParam()));
  ASSERT_GT(bytes.size(), 1000u);
  std::mt19937_64 rng(0xf11b5);
  // 500 flips on the small dump; 100 on each 4 MB one, whose every case re-parses the whole file
  // (68 ms a case under ASan: 250 cases took 17 s; half of the 100 still land in the first 64 KiB,
  // and the libFuzzer smoke mutates these dumps' heads too).
  const size_t cases = scaled(bytes.size() < 1000000 ? 500 : 100);
  for (size_t i = 0; i < cases; ++i) {
    // Half the positions in the first 64 KiB (params, itabs, the first objects), half anywhere.
    size_t limit = (i % 2 == 0) ? std::min<size_t>(bytes.size(), 65536) : bytes.size();
    size_t pos = std::uniform_int_distribution<size_t>(0, limit - 1)(rng);
    uint8_t old = bytes[pos];
    switch (i % 4) {
      case 0: bytes[pos] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;  // one bit
      case 1: bytes[pos] = static_cast<uint8_t>(rng()); break;               // any byte
      case 2: bytes[pos] = 0xff; break;                                      // a varint that goes on
      case 3: bytes[pos] = 0x00; break;                                      // a varint that stops
    }
    SCOPED_TRACE("case " + std::to_string(i) + ": byte " + std::to_string(pos) + " " + std::to_string(old) + " -> " +
                 std::to_string(bytes[pos]));
    try {
      std::unique_ptr<Dump> d = loadGoDump(bytes, "mutated");
      ASSERT_TRUE(d);
      if (i % 8 == 0) finishDump(*d, {});
    } catch (const LoadError& e) {
      EXPECT_NE(std::string(e.what()), "");
    }
    bytes[pos] = old;
  }
}

INSTANTIATE_TEST_SUITE_P(RealDumps, GoMutation,
                         ::testing::Values("leakcache-go1.19.heapdump", "leakcache-go1.22.heapdump",
                                           "workers-go1.19.heapdump"),
                         [](const auto& info) {
                           std::string s = info.param;
                           std::string out;
                           for (char c : s.substr(0, s.find(".heapdump")))
                             if (std::isalnum(static_cast<unsigned char>(c))) out += c;
                           return out;
                         });

}  // namespace
}  // namespace heaplens
