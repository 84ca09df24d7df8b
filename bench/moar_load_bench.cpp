// moar_load_bench: loading the big MoarVM heap snapshot file, and summarising all its snapshots.
//
// Usage: moar_load_bench [file] [--summaries-only]
// (default file $HEAPLENS_BIG_MOAR_DUMP, else /work/shared/fixtures/moar/big.mvmheap: 69.5 MB,
// 4 snapshots of 6.5 M collectables and 17 M references, 1.8 GB of columns decompressed).
// Default mode: md5sum of the file as the reference (every byte read once), then load() of the
// last snapshot (which also summarises the other three) and finishDump() (dominators, retained),
// with the time per progress phase and peak RSS. Targets: load + finishDump < 3 s, peak RSS
// < 1.5 GB. --summaries-only: the container, then the summary columns of every snapshot
// (counts, bytes, per-type counts, highscore check) without any graph. Target < 8 s.
//
// Threading: the reader's own pool (2 cores here); one mode per process so peak RSS means it.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/moar/MoarFile.h"
#include "analysis/formats/moar/MoarFormat.h"
#include "bench/LoadBench.h"

using loadbench::Clock;
using loadbench::since;

int main(int argc, char** argv) {
  std::string path = std::getenv("HEAPLENS_BIG_MOAR_DUMP") ? std::getenv("HEAPLENS_BIG_MOAR_DUMP")
                                                           : "/work/shared/fixtures/moar/big.mvmheap";
  bool summariesOnly = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--summaries-only") == 0) summariesOnly = true;
    else path = argv[i];
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "moar_load_bench: %s not found\n", path.c_str());
    return 2;
  }
  const double fileMB = static_cast<double>(st.st_size) / 1e6;
  std::printf("file            %s (%.1f MB)\n", path.c_str(), fileMB);

  std::printf("md5sum          %.3f s (reference)\n", loadbench::md5sumSeconds(path));

  if (summariesOnly) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    auto start = Clock::now();
    heaplens::moar::MoarFile file(bytes, {});
    std::printf("toc + tables    %.3f s (%u strings, %zu types, %zu static frames)\n", since(start), file.stringCount(),
                file.types().size(), file.staticFrames().size());
    const heaplens::moar::Column cols[] = {heaplens::moar::kColKind,     heaplens::moar::kColSize,
                                           heaplens::moar::kColToFi,     heaplens::moar::kColRefCount,
                                           heaplens::moar::kColUnmanagedSize, heaplens::moar::kTopIds,
                                           heaplens::moar::kTopScore};
    heaplens::moar::SnapshotColumns c;
    for (uint32_t s = 0; s < file.snapshots().size(); ++s) {
      auto ts = Clock::now();
      file.readColumnsInto(s, cols, {}, "bench", c);
      auto sum = heaplens::moar::summarizeSnapshot(file, s, c);
      std::printf("snapshot %u      %.3f s: %llu collectables, %llu refs, %llu heap bytes, highscores %llu/%llu ok\n", s,
                  since(ts), static_cast<unsigned long long>(sum.info.objects),
                  static_cast<unsigned long long>(sum.info.references),
                  static_cast<unsigned long long>(sum.info.heapBytes),
                  static_cast<unsigned long long>(sum.highscoreEntriesChecked - sum.highscoreMismatches),
                  static_cast<unsigned long long>(sum.highscoreEntriesChecked));
    }
    std::printf("all summaries   %.3f s  (target < 8 s)\n", since(start));
    std::printf("peak RSS        %.1f MB (includes the %.1f MB file read into memory)\n", loadbench::peakRssMB(), fileMB);
    return 0;
  }

  loadbench::PhaseTimes phases;
  heaplens::TaskContext ctx = phases.start();
  auto dump = heaplens::moarFormat().load(path, {}, ctx);
  double load = phases.elapsed();
  heaplens::finishDump(*dump, ctx);
  double total = phases.elapsed();

  std::printf("snapshot        %u of %zu; nodes %u, edges %u\n", dump->series->selected, dump->series->snapshots.size(),
              dump->heap->graph.nodeCount(), dump->heap->graph.edgeCount());
  std::printf("load()          %.3f s (all %zu snapshots summarised, the last one as a graph)\n", load,
              dump->series->snapshots.size());
  std::printf("load+finishDump %.3f s  (target < 3 s)\n", total);
  std::printf("peak RSS        %.1f MB  (target < 1,500 MB)\n", loadbench::peakRssMB());
  std::printf("model memory    %.1f MB (HeapGraph::memoryBytes)\n", static_cast<double>(dump->heap->graph.memoryBytes()) / 1e6);
  phases.print(36, total);
  for (const std::string& w : dump->warnings) std::printf("warning: %s\n", w.c_str());
  return 0;
}
