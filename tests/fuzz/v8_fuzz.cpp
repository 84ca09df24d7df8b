// v8_fuzz: libFuzzer entry for the V8 .heapsnapshot reader (in memory, no file).
//
// Any input must end in a Dump or a LoadError.
#include <cstddef>
#include <cstdint>

#include "analysis/formats/v8/V8Format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto dump = heaplens::v8::loadSnapshot(std::span<const uint8_t>(data, size), {});
    heaplens::finishDump(*dump);
  } catch (const heaplens::LoadError&) {
  }
  return 0;
}
