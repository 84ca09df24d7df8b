// go_load_bench: how long loading a big Go heap dump takes, and its peak memory, beside md5sum.
//
// Usage: go_load_bench [dump] (default $HEAPLENS_BIG_GO_DUMP, else /tmp/big/big.heapdump, the
// 319 MB dump /work/shared/fixtures/go/big/main.go writes). It first runs `md5sum` on the same file
// (the reference: reading every byte once, from the page cache after the first run), then the Go
// parser's load() and finishDump() (dominators, retained sizes), timing each phase from the
// progress reports, and prints wall times, the time per phase, and peak RSS against the file size.
// Targets: load + finishDump under 3 s, peak RSS under 1.5 × the file size.
//
// Threading: single-threaded, one run per process so that peak RSS means this load.
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/go/GoFormat.h"

using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : (std::getenv("HEAPLENS_BIG_GO_DUMP") ? std::getenv("HEAPLENS_BIG_GO_DUMP")
                                                                               : "/tmp/big/big.heapdump");
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "go_load_bench: %s not found; generate it with /work/shared/fixtures/go/big/main.go\n",
                 path.c_str());
    return 2;
  }
  const double fileMB = static_cast<double>(st.st_size) / 1e6;

  auto t = Clock::now();
  std::string cmd = "md5sum '" + path + "' > /dev/null";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "md5sum failed\n");
  double md5 = since(t);

  // Phase times from the progress reports: each phase runs until the next one starts.
  std::vector<std::pair<std::string, double>> phases;
  auto start = Clock::now();
  heaplens::TaskContext ctx({}, [&](std::string_view phase, double) {
    if (phases.empty() || phases.back().first != phase) phases.emplace_back(std::string(phase), since(start));
  });
  auto dump = heaplens::goFormat().load(path, {}, ctx);
  double load = since(start);
  heaplens::finishDump(*dump, ctx);
  double total = since(start);

  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  double peakMB = static_cast<double>(ru.ru_maxrss) * 1024 / 1e6;

  std::printf("file            %s (%.1f MB)\n", path.c_str(), fileMB);
  std::printf("objects         %llu, edges %u, nodes %u\n", static_cast<unsigned long long>(dump->objectCount()),
              dump->graph.edgeCount(), dump->graph.nodeCount());
  std::printf("md5sum          %.3f s\n", md5);
  std::printf("load()          %.3f s\n", load);
  std::printf("load+finishDump %.3f s  (target < 3 s; %.1f x md5sum)\n", total, total / md5);
  std::printf("peak RSS        %.1f MB  (%.2f x file size; target < 1.5)\n", peakMB, peakMB / fileMB);
  std::printf("model memory    %.1f MB (HeapGraph::memoryBytes)\n", static_cast<double>(dump->graph.memoryBytes()) / 1e6);
  std::printf("phases:\n");
  for (size_t i = 0; i < phases.size(); ++i) {
    double end = i + 1 < phases.size() ? phases[i + 1].second : total;
    std::printf("  %-26s %.3f s\n", phases[i].first.c_str(), end - phases[i].second);
  }
  return 0;
}
