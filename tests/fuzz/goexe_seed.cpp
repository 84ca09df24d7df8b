// goexe_seed: writes the section bytes of a small Go PC table (.gopclntab) and of the runtime's
// moduledata (.noptrdata) whose functions start at TEXT, for run-smoke.sh to add to a small ELF
// file with objcopy: the goexe fuzzer's seed for GoPclntab (a Go program is over its length limit).
//
// usage: goexe_seed TEXT-ADDRESS PCLNTAB-ADDRESS GOFUNC-ADDRESS PCLNTAB-OUT NOPTRDATA-OUT GOFUNC-OUT
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "tests/formats/go/PclntabWriter.h"

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: goexe_seed TEXT-ADDRESS PCLNTAB-ADDRESS GOFUNC-ADDRESS PCLNTAB-OUT NOPTRDATA-OUT GOFUNC-OUT\n");
    return 2;
  }
  const uint64_t text = std::strtoull(argv[1], nullptr, 0), addr = std::strtoull(argv[2], nullptr, 0),
                 gofunc = std::strtoull(argv[3], nullptr, 0);
  using namespace heaplens::go::testing;
  PclnImage image = PclntabWriter(true, addr, text, gofunc).write({"/src/a.go", "/src/b.go"}, exampleFuncs());
  auto save = [](const char* path, const std::vector<uint8_t>& bytes) {
    FILE* f = std::fopen(path, "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      std::perror(path);
      if (f) std::fclose(f);
      return false;
    }
    return std::fclose(f) == 0;
  };
  return save(argv[4], image.pclntab) && save(argv[5], image.moduledata) && save(argv[6], image.gofunc) ? 0 : 1;
}
