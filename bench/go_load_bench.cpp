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
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "analysis/LineIndex.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/go/GoFormat.h"
#include "bench/LoadBench.h"

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

  double md5 = loadbench::md5sumSeconds(path);

  loadbench::PhaseTimes phases;
  heaplens::TaskContext ctx = phases.start();
  auto dump = heaplens::goFormat().load(path, {}, ctx);
  double load = phases.elapsed();
  double peakLoadMB = loadbench::peakRssMB();
  heaplens::finishDump(*dump, ctx);
  double total = phases.elapsed();
  double peakMB = loadbench::peakRssMB();
  // What `heaplens report` and the server build next: nodes by site, the dominator tree, objects per
  // subtree, per-type and per-site stats.
  auto indexStart = loadbench::Clock::now();
  heaplens::HeapIndex index(*dump->heap);
  double indexSeconds = loadbench::since(indexStart);
  double peakWithIndexMB = loadbench::peakRssMB();

  std::printf("file            %s (%.1f MB)\n", path.c_str(), fileMB);
  std::printf("objects         %llu, edges %u, nodes %u\n", static_cast<unsigned long long>(dump->objectCount()),
              dump->heap->graph.edgeCount(), dump->heap->graph.nodeCount());
  std::printf("md5sum          %.3f s\n", md5);
  std::printf("load()          %.3f s\n", load);
  std::printf("load+finishDump %.3f s  (target < 3 s; %.1f x md5sum)\n", total, total / md5);
  std::printf("peak RSS        %.1f MB  (%.2f x file size; target < 1.5); %.1f MB at the end of load()\n", peakMB,
              peakMB / fileMB, peakLoadMB);
  std::printf("model memory    %.1f MB (HeapGraph::memoryBytes)\n", static_cast<double>(dump->heap->graph.memoryBytes()) / 1e6);
  phases.print(26, total);
  std::printf("HeapIndex       %.3f s  (%zu types, %zu sites); load+finishDump+HeapIndex %.3f s = %.1f x md5sum\n",
              indexSeconds, index.aggregates.types.size(), index.aggregates.sites.size(), total + indexSeconds,
              (total + indexSeconds) / md5);
  std::printf("peak RSS        %.1f MB with the HeapIndex (%.2f x file size)\n", peakWithIndexMB, peakWithIndexMB / fileMB);
  return 0;
}
