// moar_seed: writes a small, well-formed two-snapshot .mvmheap to seed the MoarVM fuzzer
// (format v3, and with a second argument the same snapshots in format v2).
//
// A prefix of a real file has no table of contents (it is at the end), so
// nearly every mutation of it is rejected at the first check; this file is
// complete, so mutations reach the columns, tables and references.
#include <cstdio>

#include "tests/formats/moar/MoarTestWriter.h"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: moar_seed OUTPUT [OUTPUT-V2]\n");
    return 2;
  }
  using namespace heaplens::moar::testing;
  MiniSnapshot a = tinySnapshot(true), b = tinySnapshot(false);
  b.gcSeq = 2;
  auto save = [](const char* path, const std::vector<uint8_t>& bytes) {
    FILE* f = std::fopen(path, "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      std::perror(path);
      if (f) std::fclose(f);
      return false;
    }
    return std::fclose(f) == 0;
  };
  if (!save(argv[1], MoarTestWriter().write({a, b}))) return 1;
  if (argc == 3 && !save(argv[2], writeV2({a, b}))) return 1;
  return 0;
}
