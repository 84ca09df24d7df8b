// go_fuzz: libFuzzer target for the Go heap dump parser.
//
// Feeds arbitrary bytes to the in-memory entry point (the same two passes load() runs on a
// mapped file) and then the shared analysis (dominators, retained sizes) on whatever graph
// comes out. A LoadError is the expected answer to bad input; anything else escaping, and any
// sanitizer report, is a bug. Inputs that do not start with the header are given one half the
// time, so mutations reach the records instead of stopping at the header check.
//
// Threading: libFuzzer's single thread.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/go/GoFormat.h"
#include "analysis/formats/go/GoRecords.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header = heaplens::go::kGoDumpHeader;
  std::vector<uint8_t> bytes;
  if (size > 0 && (data[0] & 1) && !heaplens::hasPrefix({data, size}, header)) {
    bytes.assign(header.begin(), header.end());
    bytes.insert(bytes.end(), data + 1, data + size);
  } else {
    bytes.assign(data, data + size);
  }
  try {
    auto dump = heaplens::loadGoDump(bytes, "fuzz");
    heaplens::finishDump(*dump, {});
  } catch (const heaplens::LoadError&) {
  }
  return 0;
}
