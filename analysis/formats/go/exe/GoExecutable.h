// GoExecutable: what the program that wrote a Go heap dump tells about it (its ELF file).
//
// A Go heap dump holds addresses and raw words only: no global names, no frame lines, no
// local names (reference/go.md §4.2). The executable has them. This reader takes:
//   - the ELF section headers (addresses of .text/.rodata/.data/.bss, for the same-build check);
//   - the Go build ID (.note.go.buildid) and the Go version (.go.buildinfo);
//   - the symbol table (.symtab: globals by address, when DWARF is absent);
//   - DWARF, through elfutils libdw: global variables and their types (root names with
//     `.field` / `[i]` paths), functions' locals and parameters with their frame offsets at a
//     PC, the line table and inlined-subroutine scopes (frame PC → file:line, inlines expanded).
// libdw rather than libdwarf: elfutils is what the Debian toolchain itself uses (eu-readelf,
// eu-addr2line, systemtap), it decompresses Go's SHF_COMPRESSED .zdebug sections itself,
// evaluates DWARF 4 location lists and DWARF 5 loclists the same way, and dwarf_getscopes()
// gives the inlined scopes of a PC in one call; libdwarf would need all three written here.
// The Go-specific tables no library reads (.go.buildinfo, and .gopclntab in GoPclntab.h) are read
// here. A stripped binary keeps .gopclntab: its frame PCs still map to function, file and line,
// inlined calls expanded. linesAt() answers from .gopclntab whenever it can, with DWARF present or
// not (it is what the runtime's own tracebacks read; a lookup decodes a few table bytes where
// dwarf_getscopes() walks the CU's DIE tree); locals and types still come from DWARF.
// GoExecutableTest.*PclntabAgreesWithDwarf compares the two tables.
//
// Bad input: open() throws ExecutableError for a missing file, a non-ELF file, a truncated or
// corrupt ELF (section outside the file), and never crashes; a stripped binary opens with
// hasDwarf()/hasSymbols() false and a note saying what is missing. A corrupt .gopclntab is not an
// open error: pclntabProblem() says which table and byte, and lines come from DWARF or nowhere. Broken DWARF (a reference
// outside .debug_info, a type cycle) loses the name it was needed for, nothing more.
//
// Threading: open on the loading worker; queries are const but use libdw caches, so one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace heaplens::go {

class GoPclntab;

struct ExecutableError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ExeSection {
  std::string name;
  uint64_t addr = 0, size = 0;
  uint64_t fileOffset = 0;  // where its bytes are in the file (none for SHT_NOBITS)
  bool alloc = false;  // SHF_ALLOC: occupies memory when the program runs
};

// One logical frame of a PC: function, file, line. Several per PC when calls were inlined.
struct ExeLine {
  std::string function, file;
  uint32_t line = 0;
};

// A global variable: a DWARF variable with a fixed address, or a data/bss symbol.
struct ExeGlobal {
  uint64_t addr = 0, size = 0;
  std::string name;         // "example.com/app/cart.all"
  uint64_t typeDie = 0;     // DWARF offset of its type, 0 when unknown (symbol table only)
};

// A stack slot's variable: its name with the field path of the slot ("it.Name"), its type and
// the slot's offset inside it.
struct ExeVar {
  std::string path;
  uint64_t typeDie = 0;
  uint64_t within = 0;
};

// What one pointer-sized word of a typed value holds, for type propagation.
enum class ExeWordKind : uint8_t {
  None,        // no pointer, or one nothing can be said about (unsafe.Pointer, func)
  Ptr,         // *T: points at a T (pointee)
  SliceArray,  // a slice's array: points at an array of T (pointee)
  StringData,  // a string's bytes
  ChanBuf,     // a channel's buffer: an array of its element type (pointee)
  IfaceTab,    // an interface's itab pointer (the next word is its data)
  EfaceType,   // an empty interface's *_type (the next word is its data)
  IfaceData,   // an interface's data word: its type is the dynamic type of the word before
};
struct ExeWord {
  ExeWordKind kind = ExeWordKind::None;
  uint64_t pointee = 0;  // DWARF type pointed at (Ptr, SliceArray, ChanBuf)
};
// A type flattened to its pointer-sized words (empty for types over 64 KiB).
struct ExeLayout {
  std::string name;
  uint64_t size = 0;
  std::vector<ExeWord> words;
};

class GoExecutable {
public:
  // Throws ExecutableError (what was expected, where) for a file that cannot be read as an ELF.
  static std::unique_ptr<GoExecutable> open(const std::string& path);
  ~GoExecutable();
  GoExecutable(const GoExecutable&) = delete;
  GoExecutable& operator=(const GoExecutable&) = delete;

  const std::string& path() const { return path_; }
  const std::string& goVersion() const { return goVersion_; }  // "go1.22.12", "" when not found
  const std::string& buildId() const { return buildId_; }      // Go build ID, "" when not found
  bool hasDwarf() const { return dwarf_ != nullptr; }
  // A position-independent executable (ELF type ET_DYN, as -buildmode=pie makes): it runs at its
  // file's addresses plus a load bias that only the running process knew.
  bool isPie() const { return pie_; }
  // Moves the executable to where the process had it: section, global and runtime.types addresses
  // gain `bias`, and PC queries (linesAt, variableSlot) take run-time PCs. Once, before queries.
  void setLoadBias(uint64_t bias);
  uint64_t loadBias() const { return bias_; }
  bool hasSymbols() const { return hasSymtab_; }
  unsigned pointerSize() const { return ptrSize_; }
  const std::vector<ExeSection>& sections() const { return sections_; }
  const ExeSection* section(std::string_view name) const;
  const ExeSection* sectionAt(uint64_t addr) const;  // the allocated section containing addr

  const std::vector<ExeGlobal>& globals() const { return globals_; }
  // The global variable containing addr, or nullptr.
  const ExeGlobal* globalAt(uint64_t addr) const;
  // The Go name of a DWARF type ("[]*example.com/app/cart.Item"), "" when unknown.
  std::string typeName(uint64_t typeDie) const;
  // The path of the word at byte `offset` inside a value of the type: "Items", "[3].Name", ""
  // for the value's own pointer word (also a slice's array, a string's bytes, an interface's data).
  std::string fieldPath(uint64_t typeDie, uint64_t offset) const;

  // The logical frames at pc, innermost first (inlined calls expanded); empty when unknown. From
  // .gopclntab when it places pc (every frame the runtime could walk), else from DWARF.
  std::vector<ExeLine> linesAt(uint64_t pc) const;
  // The same from DWARF only: the line table, and inlined scopes as dwarf_getscopes() gives them
  // (with libdw 0.188, none for a PC in code Go inlined: see docs/architecture.md).
  std::vector<ExeLine> dwarfLinesAt(uint64_t pc) const;
  // Go's PC table (.gopclntab), nullptr when absent or unreadable (then pclntabProblem() says why).
  const GoPclntab* pclntab() const;
  // Why .gopclntab gives nothing or less than all (the first corruption a lookup met); "" when fine.
  std::string pclntabProblem() const;
  // The local variable or parameter of the function at pc whose value covers the stack word at
  // `cfaOffset` from the frame's CFA (the caller's SP), with the field path inside it:
  // "local", "it.Name", "p[2]"; nullopt when none does. `paramsOnly`: only formal parameters.
  std::optional<std::string> variableAt(uint64_t pc, int64_t cfaOffset, bool paramsOnly = false) const;
  std::optional<ExeVar> variableSlot(uint64_t pc, int64_t cfaOffset, bool paramsOnly = false) const;

  // The DWARF type of a runtime type descriptor (*_type) address: Go's DW_AT_go_runtime_type
  // is the descriptor's offset from runtime.types. 0 when unknown.
  uint64_t typeForRuntimeType(uint64_t addr) const;
  ExeLayout layout(uint64_t typeDie) const;
  // The DWARF type named `name` ("*example.com/app/cart.Item"), 0 when none.
  uint64_t typeByName(std::string_view name) const;

private:
  GoExecutable() = default;
  struct Impl;
  void readElf(int fd);
  void readDwarf();
  void readPclntab();
  std::string path_, goVersion_, buildId_;
  int fd_ = -1;
  void* elf_ = nullptr;    // Elf*
  void* dwarf_ = nullptr;  // Dwarf*
  bool hasSymtab_ = false;
  bool pie_ = false;
  uint64_t bias_ = 0;
  uint64_t runtimeTypes_ = 0;  // address of runtime.types (the start of the type descriptors)
  unsigned ptrSize_ = 8;
  std::vector<ExeSection> sections_;
  std::vector<ExeGlobal> globals_;  // sorted by address, no overlaps
  std::unique_ptr<Impl> impl_;
};

}  // namespace heaplens::go
