// pagedump_fuzz: libFuzzer target for the Kotlin/Native page-dump reader.
//
// Feeds arbitrary text to the in-memory entry point (what load() runs on a mapped file), then the
// figures every consumer computes from the result (PageStats, the dump-file index). The reader never
// throws on bad text: it records line problems. So anything escaping, and any sanitizer report, is a bug.
//
// Threading: libFuzzer's single thread.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analysis/DumpFileIndex.h"
#include "analysis/PageStats.h"
#include "analysis/formats/pagedump/PageDumpFormat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto dump = heaplens::pagedump::parsePageDump(text, {}, {});
  for (const heaplens::GcPages& gc : dump->pageMaps->gcs) heaplens::gcStats(gc, dump->pageMaps->pageBytes, &*dump->timeline);
  heaplens::timelineStats(*dump->timeline);
  heaplens::buildDumpFileIndex(*dump);
  return 0;
}
