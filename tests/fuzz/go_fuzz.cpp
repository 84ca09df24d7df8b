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
#include <cstring>
#include <vector>

#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/go/GoFormat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr char kHeader[] = "go1.7 heap dump\n";
  std::vector<uint8_t> bytes;
  if (size > 0 && (data[0] & 1) && (size < 16 || std::memcmp(data, kHeader, 16) != 0)) {
    bytes.assign(kHeader, kHeader + 16);
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
