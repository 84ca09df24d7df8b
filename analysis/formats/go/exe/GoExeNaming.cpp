// GoExeNaming: the same-build check and the names pass 2 takes from the executable (see GoExeNaming.h).
//
// Threading: see GoExeNaming.h.
#include "analysis/formats/go/exe/GoExeNaming.h"

#include <cinttypes>
#include <cstdio>

namespace heaplens::go {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

std::string firstWord(const std::string& s) { return s.substr(0, s.find(' ')); }

std::string baseName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string applyLoadBias(const GoScan& scan, GoExecutable& exe) {
  const GoSegment* data = nullptr;
  for (const GoSegment& seg : scan.segments)
    if (!seg.bss) data = &seg;
  const ExeSection* s = exe.section(".data");
  if (!data || !s)
    return std::string("it is a position-independent executable, and without ") +
           (data ? "a .data section" : "a data segment in the dump") + " its load address cannot be found";
  const uint64_t bias = data->addr - (s->addr - exe.loadBias());
  if (bias % 4096 != 0)
    return "it is a position-independent executable whose .data is at " + hex(s->addr - exe.loadBias()) +
           " in the file, but the dump's data segment is at " + hex(data->addr) +
           ", not a whole number of pages away, so no load address fits";
  for (const GoSegment& seg : scan.segments) {
    const ExeSection* bss = seg.bss ? exe.section(".bss") : nullptr;
    if (bss && seg.addr - (bss->addr - exe.loadBias()) != bias)
      return "it is a position-independent executable, and the dump's data segment puts it " + hex(bias) +
             " from its file addresses but the bss segment " + hex(seg.addr - (bss->addr - exe.loadBias()));
  }
  exe.setLoadBias(bias);
  return {};
}

std::vector<std::string> sameBuildProblems(const GoScan& scan, const GoExecutable& exe) {
  std::vector<std::string> problems;
  const std::string& dumpVersion = scan.params.version;
  if (exe.goVersion().empty()) {
    problems.push_back("it has no Go build info (.go.buildinfo), so it is not a Go ≥ 1.18 program");
  } else if (scan.params.seen && firstWord(dumpVersion) != firstWord(exe.goVersion())) {
    problems.push_back("it was built by " + exe.goVersion() + " but the dump was written by " + dumpVersion);
  }
  if (scan.params.seen && exe.pointerSize() != scan.params.ptrSize)
    problems.push_back("its pointers are " + std::to_string(exe.pointerSize()) + " bytes but the dump's are " +
                       std::to_string(scan.params.ptrSize));
  for (const GoSegment& seg : scan.segments) {
    const char* name = seg.bss ? ".bss" : ".data";
    const ExeSection* s = exe.section(name);
    if (!s) {
      problems.push_back(std::string("it has no ") + name + " section");
    } else if (s->addr != seg.addr || s->size != seg.size) {
      problems.push_back(std::string("its ") + name + " section is " + std::to_string(s->size) + " bytes at " +
                         hex(s->addr) + " but the dump's " + (seg.bss ? "bss" : "data") + " segment is " +
                         std::to_string(seg.size) + " bytes at " + hex(seg.addr));
    }
  }
  uint64_t typesOutside = 0, example = 0;
  for (const auto& [addr, type] : scan.types) {
    // Type descriptors are read-only data; a position-independent build relocates them (.data.rel.ro).
    const ExeSection* s = exe.sectionAt(addr);
    if (!s || (s->name != ".rodata" && s->name != ".data.rel.ro")) {
      if (typesOutside++ == 0) example = addr;
    }
  }
  if (typesOutside > 0)
    problems.push_back(std::to_string(typesOutside) + " of the dump's " + std::to_string(scan.types.size()) +
                       " type addresses (e.g. " + hex(example) + ") are not in its .rodata or .data.rel.ro");
  const ExeSection* text = exe.section(".text");
  uint64_t pcsOutside = 0;
  for (const GoFrame& f : scan.frames)
    if (f.pc != 0 && (!text || f.pc < text->addr || f.pc - text->addr > text->size)) {
      if (pcsOutside++ == 0) example = f.pc;
    }
  if (pcsOutside > 0)
    problems.push_back(std::to_string(pcsOutside) + " of the dump's " + std::to_string(scan.frames.size()) +
                       " frame PCs (e.g. " + hex(example) + ") are outside its .text");
  return problems;
}

std::vector<std::string> executableGaps(const GoExecutable& exe) {
  std::vector<std::string> gaps;
  const std::string pclnProblem = exe.pclntabProblem();
  const bool pcln = exe.pclntab() != nullptr;
  if (!exe.hasDwarf() && !exe.hasSymbols()) {
    gaps.push_back("the executable " + exe.path() +
                   " is stripped (no symbol table and no DWARF, as with -ldflags='-s -w'): globals, locals and "
                   "object types stay unnamed" +
                   (pcln ? std::string("; frame lines come from its .gopclntab")
                         : "; frame lines too, as its .gopclntab cannot be read") +
                   "; rebuild without -s -w to get them all");
  } else if (!exe.hasDwarf()) {
    gaps.push_back("the executable " + exe.path() +
                   " has no DWARF (built with -ldflags=-w?): globals are named from the symbol table, but their "
                   "fields, locals and object types stay unnamed" +
                   (pcln ? std::string("; frame lines come from its .gopclntab") : std::string()));
  }
  if (!pclnProblem.empty())
    gaps.push_back("the executable " + exe.path() + "'s .gopclntab (Go's PC table) is corrupt: " + pclnProblem +
                   (exe.hasDwarf() ? "; frame lines come from DWARF" : "; frames it cannot place keep no line"));
  return gaps;
}

std::vector<GoGlobalRun> GoExeNaming::globalRuns(const GoSegment& seg, const std::vector<GoRootPtr>& ptrs) const {
  std::vector<GoGlobalRun> runs;
  const ExeGlobal* current = nullptr;
  for (uint64_t k = 0; k < seg.ptrCount; ++k) {
    const GoRootPtr& p = ptrs[seg.ptrBegin + k];
    const ExeGlobal* g = exe_.globalAt(seg.addr + p.offset);
    if (runs.empty() || g != current || (!g && runs.back().addr != 0)) {
      GoGlobalRun r;
      r.begin = seg.ptrBegin + k;
      if (g) {
        r.name = g->name;
        r.addr = g->addr;
        r.typeDie = g->typeDie;
        r.typeName = exe_.typeName(g->typeDie);
      } else {
        r.name = std::string(seg.bss ? "bss" : "data") + " (no symbol)";
      }
      runs.push_back(std::move(r));
      current = g;
    }
    ++runs.back().count;
  }
  return runs;
}

std::string GoExeNaming::globalLabel(const GoGlobalRun& run, uint64_t segAddr, uint64_t offset) const {
  if (run.addr == 0) return std::string("+").append(hex(offset));
  return exe_.fieldPath(run.typeDie, segAddr + offset - run.addr);
}

std::string GoExeNaming::frameLabel(const GoFrame& f, const GoFrame* callee, uint64_t offset) const {
  // The CFA (the caller's SP) is the frame's fp: sp + the length of [sp, fp).
  if (auto v = exe_.variableAt(lookupPc(f), static_cast<int64_t>(offset) - static_cast<int64_t>(f.size)))
    return *v;
  // The outgoing-argument area at the bottom of the frame holds the callee's parameters, at
  // offsets from the callee's CFA, which is this frame's sp.
  if (callee)
    if (auto v = exe_.variableAt(lookupPc(*callee), static_cast<int64_t>(offset), true)) return *v;
  return {};
}

std::string GoExeNaming::createdBy(const GoGoroutine& g) const {
  if (g.gopc == 0) return {};
  std::vector<ExeLine> lines = exe_.linesAt(g.gopc - 1);
  if (lines.empty()) return {};
  const ExeLine& l = lines.front();
  std::string s = l.function;
  if (!l.file.empty()) {
    if (!s.empty()) s += ' ';
    s.append(baseName(l.file)).append(":").append(std::to_string(l.line));
  }
  return s;
}

}  // namespace heaplens::go
