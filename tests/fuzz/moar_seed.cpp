// moar_seed: writes a small, well-formed two-snapshot .mvmheap to seed the MoarVM fuzzer.
//
// A prefix of a real file has no table of contents (it is at the end), so
// nearly every mutation of it is rejected at the first check; this file is
// complete, so mutations reach the columns, tables and references.
#include <cstdio>

#include "tests/formats/moar/MoarTestWriter.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: moar_seed OUTPUT\n");
    return 2;
  }
  using namespace heaplens::moar::testing;
  MiniSnapshot a = tinySnapshot(true), b = tinySnapshot(false);
  b.gcSeq = 2;
  const std::vector<uint8_t> bytes = MoarTestWriter().write({a, b});
  FILE* f = std::fopen(argv[1], "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    std::perror(argv[1]);
    return 1;
  }
  return std::fclose(f) == 0 ? 0 : 1;
}
