// heapdiff_fuzz: libFuzzer entry for the heap-diff NDJSON reader (in memory, no file).
//
// Any input must end in a Dump: bad lines become line problems, never exceptions.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analysis/formats/heapdiff/HeapDiffFormat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto dump = heaplens::heapdiff::loadHeapDiff(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)dump;
  return 0;
}
