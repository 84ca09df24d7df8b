// moar_fuzz: libFuzzer entry for the MoarVM heap snapshot reader (in memory, no file).
//
// Any input must end in a Dump or a LoadError. Decompression is capped so a
// zstd bomb in a 256 KB input cannot exhaust the fuzzer's RSS limit.
#include <cstddef>
#include <cstdint>

#include "analysis/formats/moar/MoarFormat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  heaplens::moar::ReadLimits limits;
  limits.maxRatio = 4096;
  limits.maxTotalBytes = uint64_t{128} << 20;
  try {
    auto dump = heaplens::moar::loadMoarDump(std::span<const uint8_t>(data, size), {}, {}, limits);
    (void)dump;
  } catch (const heaplens::LoadError&) {
  }
  return 0;
}
