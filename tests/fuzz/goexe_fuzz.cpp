// goexe_fuzz: libFuzzer target for the reader of the executable beside a Go dump (ELF, Go build
// info, DWARF through libdw, Go's PC table .gopclntab with moduledata and inline trees).
//
// The bytes become a file (a memfd, opened by its /proc path like any executable), which is
// opened and then asked what a load asks: globals and their field paths, lines and variables at
// PCs in .text, and the same PCs in .gopclntab (what a stripped binary answers from). ExecutableError is the expected answer to bad input; anything else escaping, and
// any sanitizer report, is a bug. Seeds: small Go programs (run-smoke.sh builds them).
//
// Threading: libFuzzer's single thread.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/formats/go/exe/GoExecutable.h"
#include "analysis/formats/go/exe/GoPclntab.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_create("goexe", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  try {
    auto exe = heaplens::go::GoExecutable::open("/proc/self/fd/" + std::to_string(fd));
    size_t asked = 0;
    for (const heaplens::go::ExeGlobal& g : exe->globals()) {
      if (++asked > 64) break;
      exe->typeName(g.typeDie);
      exe->fieldPath(g.typeDie, g.size / 2);
    }
    if (const heaplens::go::ExeSection* text = exe->section(".text"))
      for (uint64_t k = 0; k < 16 && text->size > 0; ++k) {
        uint64_t pc = text->addr + (text->size / 16) * k;
        exe->linesAt(pc);
        exe->variableAt(pc, -8);
        if (const heaplens::go::GoPclntab* pcln = exe->pclntab()) pcln->linesAt(pc);
      }
    exe->pclntabProblem();
  } catch (const heaplens::go::ExecutableError&) {
  }
  close(fd);
  return 0;
}
