// load_bench: the phases of loading any dump (format by content, as the server and the CLI load it),
// then the HeapIndex the report and the server build, with the peak RSS after each step, beside md5sum.
//
// Usage: load_bench FILE. One load per process, so each peak RSS means this load. It says where the
// time and the memory of `heaplens report` go; bench/report.sh measures the report itself.
//
// Threading: single-threaded (the load's own helper threads aside).
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "analysis/DumpFileIndex.h"
#include "analysis/LineIndex.h"
#include "analysis/formats/DumpFormat.h"
#include "bench/LoadBench.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: load_bench FILE\n");
    return 2;
  }
  const std::string path = argv[1];
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "load_bench: %s not found\n", path.c_str());
    return 2;
  }
  const double fileMB = static_cast<double>(st.st_size) / 1e6;
  const double md5 = loadbench::md5sumSeconds(path);

  loadbench::PhaseTimes phases;
  heaplens::TaskContext ctx = phases.start();
  std::unique_ptr<heaplens::Dump> dump = heaplens::loadDump(path, {}, ctx);
  const double load = phases.elapsed();
  const double peakLoad = loadbench::peakRssMB();
  double index = 0, peakIndex = peakLoad;
  if (dump->heap) {
    auto t = loadbench::Clock::now();
    heaplens::HeapIndex heapIndex(*dump->heap);
    index = loadbench::since(t);
    peakIndex = loadbench::peakRssMB();
  }
  double fileIndex = -1, peakFileIndex = peakIndex;
  size_t fileEntries = 0;
  if (dump->timeline || dump->pageMaps || dump->growth || !dump->lineProblems.empty()) {
    auto t = loadbench::Clock::now();
    heaplens::DumpFileIndex fi = heaplens::buildDumpFileIndex(*dump);
    fileIndex = loadbench::since(t);
    fileEntries = fi.entries.size();
    peakFileIndex = loadbench::peakRssMB();
  }
  std::printf("file            %s (%.1f MB, %s)\n", path.c_str(), fileMB, dump->format.c_str());
  std::printf("md5sum          %.3f s\n", md5);
  std::printf("load + finish   %.3f s (%.1f x md5sum), peak RSS %.1f MB (%.2f x file)\n", load, load / md5, peakLoad,
              peakLoad / fileMB);
  std::printf("HeapIndex       %.3f s, peak RSS %.1f MB (%.2f x file)\n", index, peakIndex, peakIndex / fileMB);
  if (fileIndex >= 0)
    std::printf("DumpFileIndex   %.3f s (%zu entries), peak RSS %.1f MB\n", fileIndex, fileEntries, peakFileIndex);
  std::printf("together        %.3f s = %.1f x md5sum\n", load + index, (load + index) / md5);
  phases.print(30, load);
  return 0;
}
