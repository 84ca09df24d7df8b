// mutants: a mutation campaign over real dumps, in one process, for the ASan/UBSan build.
//
// Usage: mutants OUT-DIR FIRST COUNT SEED-FILE...
// Mutant i (FIRST <= i < FIRST+COUNT) is seed i % seeds with 1 to 4 random edits drawn from a
// generator seeded with i, so any mutant can be made again from its number. Each is written to
// OUT-DIR/mutant, loaded the way the server and the CLI load a file (loadDump: format by content,
// then finishDump), and, when it has a heap, indexed as the report does (HeapIndex). Before each
// mutant its number goes to OUT-DIR/progress, so a script that sees this process die (a sanitizer
// report, an out-of-memory kill) knows which mutant did it and can go on after it.
// A mutant still running after HANG_SECONDS (default 20) is a hang: it is copied to
// OUT-DIR/hang-<i> and the process exits with status 3.
// At the end one line says how the mutants ended: loaded, refused with a LoadError (the expected
// answer to bad input), or anything else escaping (a finding; the first few are printed).
//
// Threading: the campaign runs on the main thread; a watchdog thread only reads the clock.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

#include <unistd.h>

#include "analysis/LineIndex.h"
#include "analysis/formats/DumpFormat.h"

namespace {

using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

Bytes readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

bool writeFile(const std::string& path, const Bytes& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  return static_cast<bool>(out);
}

// One random edit: the kinds a damaged or hostile file shows (flipped bits, boundary values,
// garbage runs, cuts, lost or repeated chunks, huge numbers where digits were).
void mutate(Bytes& b, std::mt19937_64& rng) {
  auto below = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  if (b.empty()) {
    b.push_back(static_cast<uint8_t>(rng()));
    return;
  }
  static const uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, '"', '[', ']', ',', '-', '\n', '{', '}'};
  switch (below(9)) {
    case 0:  // flip a bit
      b[below(b.size())] ^= static_cast<uint8_t>(1u << below(8));
      break;
    case 1:  // a boundary value
      b[below(b.size())] = kInteresting[below(sizeof kInteresting)];
      break;
    case 2: {  // overwrite 1-8 bytes with garbage
      size_t at = below(b.size()), n = 1 + below(8);
      for (size_t k = 0; k < n && at + k < b.size(); ++k) b[at + k] = static_cast<uint8_t>(rng());
      break;
    }
    case 3:  // cut the file
      b.resize(below(b.size()));
      break;
    case 4: {  // lose a chunk
      size_t at = below(b.size()), n = 1 + below(4096);
      b.erase(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(std::min(b.size(), at + n)));
      break;
    }
    case 5: {  // repeat a chunk somewhere else
      size_t at = below(b.size()), n = 1 + below(std::min<size_t>(4096, b.size() - at));
      Bytes chunk(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + n));
      size_t to = below(b.size() + 1);
      b.insert(b.begin() + static_cast<ptrdiff_t>(to), chunk.begin(), chunk.end());
      break;
    }
    case 6: {  // insert garbage
      size_t to = below(b.size() + 1), n = 1 + below(16);
      Bytes junk(n);
      for (uint8_t& c : junk) c = static_cast<uint8_t>(rng());
      b.insert(b.begin() + static_cast<ptrdiff_t>(to), junk.begin(), junk.end());
      break;
    }
    case 7: {  // a huge number where a digit was (text formats), or a long varint (binary ones)
      size_t at = below(b.size());
      for (size_t k = 0; k < 256 && at + k < b.size(); ++k)
        if (b[at + k] >= '0' && b[at + k] <= '9') {
          static const std::string kBig[] = {"99999999999999999999", "4294967296", "18446744073709551615", "-1", "1e308"};
          const std::string& big = kBig[below(std::size(kBig))];
          b.insert(b.begin() + static_cast<ptrdiff_t>(at + k), big.begin(), big.end());
          return;
        }
      static const uint8_t kVarint[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
      b.insert(b.begin() + static_cast<ptrdiff_t>(at), std::begin(kVarint), std::begin(kVarint) + 1 + below(10));
      break;
    }
    default: {  // swap two chunks' bytes
      size_t a = below(b.size()), c = below(b.size()), n = 1 + below(64);
      for (size_t k = 0; k < n && a + k < b.size() && c + k < b.size(); ++k) std::swap(b[a + k], b[c + k]);
      break;
    }
  }
}

std::atomic<int64_t> g_started{-1};  // steady-clock ms when the current mutant started; -1 between mutants
std::atomic<long> g_current{-1};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: mutants OUT-DIR FIRST COUNT SEED-FILE...\n");
    return 2;
  }
  const std::string out = argv[1];
  const long first = std::atol(argv[2]), count = std::atol(argv[3]);
  std::vector<Bytes> seeds;
  for (int i = 4; i < argc; ++i) seeds.push_back(readFile(argv[i]));
  const char* hangEnv = std::getenv("HANG_SECONDS");
  const int64_t hangMs = 1000 * (hangEnv ? std::atol(hangEnv) : 20);
  const std::string mutantPath = out + "/mutant";

  std::thread([&] {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const int64_t started = g_started.load();
      const int64_t now =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
      if (started >= 0 && now - started > hangMs) {
        const long i = g_current.load();
        std::fprintf(stdout, "HANG mutant %ld: still loading after %lld s; kept as %s/hang-%ld\n", i,
                     static_cast<long long>(hangMs / 1000), out.c_str(), i);
        std::fflush(stdout);
        std::string cmd = "cp '" + mutantPath + "' '" + out + "/hang-" + std::to_string(i) + "'";
        if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not keep the hang\n");
        _exit(3);
      }
    }
  }).detach();

  heaplens::LoadOptions options;
  options.maxMemory = uint64_t{2} << 30;  // refuse what would need more than 2 GiB, as a user's budget would
  long loaded = 0, refused = 0, other = 0;
  double slowestMs = 0;
  long slowest = -1;
  for (long i = first; i < first + count; ++i) {
    std::mt19937_64 rng(static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull + 1);
    Bytes b = seeds[static_cast<size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) mutate(b, rng);
    if (!writeFile(mutantPath, b)) {
      std::fprintf(stderr, "mutants: cannot write %s\n", mutantPath.c_str());
      return 2;
    }
    if (FILE* p = std::fopen((out + "/progress").c_str(), "w")) {
      std::fprintf(p, "%ld\n", i);
      std::fclose(p);
    }
    const auto t0 = Clock::now();
    g_current = i;
    g_started = std::chrono::duration_cast<std::chrono::milliseconds>(t0.time_since_epoch()).count();
    try {
      std::unique_ptr<heaplens::Dump> dump = heaplens::loadDump(mutantPath, options, {});
      if (dump->heap) heaplens::HeapIndex index(*dump->heap);
      ++loaded;
    } catch (const heaplens::LoadError&) {
      ++refused;
    } catch (const std::exception& e) {
      if (++other <= 5) std::printf("FINDING mutant %ld: %s escaped: %.200s\n", i, typeid(e).name(), e.what());
    }
    g_started = -1;
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (ms > slowestMs) {
      slowestMs = ms;
      slowest = i;
    }
  }
  std::printf("mutants %ld-%ld: loaded %ld, refused with a LoadError %ld, other exceptions %ld; slowest %.0f ms (mutant %ld)\n",
              first, first + count - 1, loaded, refused, other, slowestMs, slowest);
  return other > 0 ? 1 : 0;
}
