// GoPclntab: Go's own PC table (.gopclntab), the part of an executable that survives stripping.
//
// `go build -ldflags='-s -w'` drops .symtab and DWARF, but the runtime needs its PC table for
// tracebacks, so .gopclntab (and the runtime's moduledata in .noptrdata) stay. This reader maps a
// PC to its function, file and line, and expands inlined calls, from that table alone. The layout
// was read from the Go source of each version (runtime/symtab.go, runtime/symtabinl.go,
// cmd/link/internal/ld/pcln.go; never copied):
//   - a header (runtime.pcHeader): magic 0xfffffff0 for Go 1.18–1.19, 0xfffffff1 for Go 1.20 and
//     later (checked unchanged up to 1.25-dev), pointer size, minimum instruction size, function
//     count, the text start, and the offsets of the five tables below, in this order;
//   - funcnametab (NUL-terminated names), cutab (per compilation unit, uint32 offsets into
//     filetab), filetab (NUL-terminated file names), pctab (pc-value tables: pairs of a zig-zag
//     uvarint value delta and a uvarint PC delta × the instruction size, ending in a zero value
//     delta), and the function table: (entry offset from text start, _func offset) uint32 pairs
//     sorted by entry, then each _func record (1.20 added startLine: 44 bytes, 40 before);
//   - inlined calls: a function's FUNCDATA_InlTree (number 3) is an array of inlinedCall records
//     in go:func.* (.rodata), at an offset from moduledata.gofunc; its PCDATA_InlTreeIndex (number
//     2) table gives, at each PC, the innermost inlined call (−1: none). Each call's parentPc is
//     a PC of its caller's position, where the walk continues (the runtime's inlineUnwinder).
//     moduledata is not in the section: findModuledata() locates it by its first word, which
//     points at the pcHeader, and checks its text and funcnametab words against the header.
//
// Bad input: parse() checks the header and the function table (every _func inside the table,
// every name inside funcnametab, every CU range inside cutab) and says which table is wrong and
// at which byte of the section. A query that then meets a corrupt pc-value table or string
// returns what it found up to there, and problem() keeps the first such error. Nothing reads
// outside the section's bytes (or the image reader's ranges), and every loop is bounded.
//
// Threading: built on the loading worker; queries are const and keep a first-problem string, so
// one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/formats/go/exe/GoExecutable.h"

namespace heaplens::go {

// `n` bytes of the program's image at virtual address `addr`, or nullptr when they are not all in
// one section of the file (the inline trees live in .rodata).
using ImageReader = std::function<const uint8_t*(uint64_t addr, uint64_t n)>;

class GoPclntab {
public:
  // The table of a section loaded at `addr`. nullptr, with `error` saying what was expected and at
  // which byte, when the bytes are not a Go 1.18+ little-endian pclntab. `bytes` must outlive it.
  static std::unique_ptr<GoPclntab> parse(std::span<const uint8_t> bytes, uint64_t addr, std::string& error);

  // Finds the runtime's moduledata in `data` (the bytes of the .noptrdata section): the
  // pointer-aligned word equal to this table's address whose text and funcnametab words agree with
  // the header. Gives go:func.* (for inlined calls) and runtime.types; false when none agrees.
  bool findModuledata(std::span<const uint8_t> data);
  // Enables inlined frames: reads inline trees through `image`, at moduledata.gofunc + offset.
  void setImage(ImageReader image) { image_ = std::move(image); }

  bool go120() const { return magic_ == 0xfffffff1u; }  // Go 1.20+ layout (else 1.18–1.19)
  uint64_t textStart() const { return textStart_; }
  uint64_t gofunc() const { return gofunc_; }              // 0 until findModuledata() succeeds
  uint64_t runtimeTypes() const { return types_; }         // 0 until findModuledata() succeeds
  uint64_t functionCount() const { return nfunc_; }

  // The logical frames at pc, innermost first: inlined calls expanded when the inline tree can be
  // read. Empty when no function contains pc.
  std::vector<ExeLine> linesAt(uint64_t pc) const;
  // The first corruption a query met ("pctab at byte 1234: ..."), "" when none.
  const std::string& problem() const { return problem_; }

private:
  GoPclntab() = default;
  struct Func {
    uint64_t entry = 0;
    uint32_t at = 0;  // byte of the _func record in the section
    uint32_t nameOff = 0, pcfile = 0, pcln = 0, npcdata = 0, cuOffset = 0;
    uint8_t nfuncdata = 0;
  };
  std::optional<Func> funcAt(uint64_t pc) const;
  std::optional<Func> readFunc(uint64_t index, std::string* error) const;
  // The value of the pc-value table at pctab offset `off` for `target`; nullopt when the table is
  // absent or does not cover target (and on corruption, after noting it).
  std::optional<int32_t> pcvalue(const Func& f, uint32_t off, uint64_t target) const;
  std::string_view cstring(uint64_t tableStart, uint64_t tableEnd, uint64_t off, const char* table) const;
  std::string_view funcName(uint32_t nameOff) const;
  std::string fileName(const Func& f, int32_t fileno) const;
  uint32_t u32(uint64_t at) const;  // at + 4 <= size, checked by callers
  void note(std::string what) const;

  std::span<const uint8_t> b_;
  uint64_t addr_ = 0;
  uint32_t magic_ = 0;
  unsigned ptrSize_ = 8, minLC_ = 1;
  uint64_t nfunc_ = 0, textStart_ = 0;
  uint64_t funcnameOff_ = 0, cuOff_ = 0, filetabOff_ = 0, pctabOff_ = 0, pclnOff_ = 0;
  uint64_t gofunc_ = 0, types_ = 0;
  ImageReader image_;
  mutable std::string problem_;
};

}  // namespace heaplens::go
