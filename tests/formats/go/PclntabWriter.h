// PclntabWriter: a small Go PC table (.gopclntab) written from a description, in the Go 1.18–1.19
// or the Go 1.20+ layout, with the runtime's moduledata and an inline tree beside it; for the
// GoPclntab unit tests and the goexe fuzzer's seed (goexe_seed).
//
// The layout is written from the Go source (runtime/symtab.go, runtime/symtabinl.go,
// cmd/link/internal/ld/pcln.go), independently of analysis/formats/go/exe/GoPclntab.cpp: a header
// of 8 bytes and 8 pointer words, funcnametab, cutab, filetab, pctab, then the function table and
// the _func records. A pc-value table is a list of runs (value, up to PC offset).
//
// Threading: test code.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace heaplens::go::testing {

struct PclnRun {
  int32_t value;
  uint32_t end;  // the run covers PCs below entry + end
};

struct PclnInlinedCall {
  std::string name;  // the inlined function
  uint32_t parentPc;  // an offset in the outer function whose position is the call's
};

struct PclnFunc {
  std::string name;
  uint32_t entry = 0, size = 0;  // offset from the text start, length
  uint32_t cu = 0;               // first cutab entry of its compilation unit
  std::vector<PclnRun> file, line, inlIndex;
  std::vector<PclnInlinedCall> inlTree;
};

struct PclnImage {
  std::vector<uint8_t> pclntab;     // the section
  std::vector<uint8_t> moduledata;  // as it sits in .noptrdata
  std::vector<uint8_t> gofunc;      // go:func.*: the inline trees
};

class PclntabWriter {
public:
  PclntabWriter(bool go120, uint64_t addr, uint64_t textStart, uint64_t gofuncAddr)
      : go120_(go120), addr_(addr), text_(textStart), gofuncAddr_(gofuncAddr) {}

  // `files`: the file names; every CU uses cutab entries [cu, cu + files.size()) mapping to them.
  PclnImage write(const std::vector<std::string>& files, const std::vector<PclnFunc>& funcs) const {
    PclnImage out;
    std::vector<uint8_t> names{0};  // offset 0: no name
    auto nameOff = [&](const std::string& n) {
      uint32_t at = static_cast<uint32_t>(names.size());
      names.insert(names.end(), n.begin(), n.end());
      names.push_back(0);
      return at;
    };
    std::vector<uint8_t> filetab, cutab;
    for (const std::string& f : files) {
      put(cutab, static_cast<uint32_t>(filetab.size()), 4);
      filetab.insert(filetab.end(), f.begin(), f.end());
      filetab.push_back(0);
    }
    std::vector<uint8_t> pctab{0};  // offset 0: no table
    auto table = [&](const std::vector<PclnRun>& runs) -> uint32_t {
      if (runs.empty()) return 0;
      uint32_t at = static_cast<uint32_t>(pctab.size());
      int32_t prev = -1;
      uint32_t pc = 0;
      for (const PclnRun& r : runs) {
        int32_t d = r.value - prev;
        uvarint(pctab, d < 0 ? (static_cast<uint32_t>(-d - 1) << 1) | 1 : static_cast<uint32_t>(d) << 1);
        uvarint(pctab, r.end - pc);  // minimum instruction size 1
        prev = r.value;
        pc = r.end;
      }
      pctab.push_back(0);
      return at;
    };
    struct Placed {
      uint32_t name, file, line, inl, tree;
    };
    std::vector<Placed> placed;
    for (const PclnFunc& f : funcs) {
      Placed p{nameOff(f.name), table(f.file), table(f.line), table(f.inlIndex), ~uint32_t{0}};
      if (!f.inlTree.empty()) {
        p.tree = static_cast<uint32_t>(out.gofunc.size());
        for (const PclnInlinedCall& c : f.inlTree) {
          uint32_t callee = nameOff(c.name);
          if (go120_) {  // funcID, 3 pad, nameOff, parentPc, startLine
            put(out.gofunc, 0, 4);
            put(out.gofunc, callee, 4);
            put(out.gofunc, c.parentPc, 4);
            put(out.gofunc, 0, 4);
          } else {  // parent, funcID, pad, file, line, nameOff, parentPc
            put(out.gofunc, 0xffff, 2);
            put(out.gofunc, 0, 2);
            put(out.gofunc, 0, 4);
            put(out.gofunc, 0, 4);
            put(out.gofunc, callee, 4);
            put(out.gofunc, c.parentPc, 4);
          }
        }
      }
      placed.push_back(p);
    }
    // The function table: (entry, record offset) pairs, the end, then the records.
    std::vector<uint8_t> functab;
    uint32_t recordAt = static_cast<uint32_t>((funcs.size() + 1) * 8);
    std::vector<uint8_t> records;
    for (size_t i = 0; i < funcs.size(); ++i) {
      const PclnFunc& f = funcs[i];
      put(functab, f.entry, 4);
      put(functab, recordAt + static_cast<uint32_t>(records.size()), 4);
      const uint32_t npcdata = f.inlIndex.empty() ? 0 : 3, nfuncdata = f.inlTree.empty() ? 0 : 4;
      put(records, f.entry, 4);
      put(records, placed[i].name, 4);
      put(records, 0, 4);  // args
      put(records, 0, 4);  // deferreturn
      put(records, 0, 4);  // pcsp
      put(records, placed[i].file, 4);
      put(records, placed[i].line, 4);
      put(records, npcdata, 4);
      put(records, f.cu, 4);
      if (go120_) put(records, 0, 4);  // startLine
      put(records, 0, 3);              // funcID, flag, pad
      records.push_back(static_cast<uint8_t>(nfuncdata));
      if (npcdata) {
        put(records, 0, 4);
        put(records, 0, 4);
        put(records, placed[i].inl, 4);
      }
      if (nfuncdata) {
        for (int k = 0; k < 3; ++k) put(records, ~uint32_t{0}, 4);
        put(records, placed[i].tree, 4);
      }
    }
    put(functab, funcs.empty() ? 0 : funcs.back().entry + funcs.back().size, 4);
    put(functab, 0, 4);  // the end entry's record offset is never read
    functab.resize(recordAt);
    functab.insert(functab.end(), records.begin(), records.end());

    std::vector<uint8_t>& t = out.pclntab;
    const uint64_t header = 8 + 8 * 8;
    put(t, go120_ ? 0xfffffff1u : 0xfffffff0u, 4);
    t.insert(t.end(), {0, 0, 1, 8});
    const uint64_t funcnameOff = header, cuOff = funcnameOff + names.size(), filetabOff = cuOff + cutab.size(),
                   pctabOff = filetabOff + filetab.size(), pclnOff = pctabOff + pctab.size();
    for (uint64_t w : {uint64_t{funcs.size()}, uint64_t{files.size()}, text_, funcnameOff, cuOff, filetabOff, pctabOff,
                       pclnOff})
      put(t, w, 8);
    for (const auto* part : {&names, &cutab, &filetab, &pctab, &functab}) t.insert(t.end(), part->begin(), part->end());

    // moduledata: pcHeader, funcnametab's data pointer, ..., text at word 22, gofunc at word 40
    // (Go 1.20+: covctrs/ecovctrs come before end) or 38.
    out.moduledata.assign(8 * 48, 0);
    auto word = [&](unsigned i, uint64_t v) {
      for (int k = 0; k < 8; ++k) out.moduledata[i * 8 + k] = static_cast<uint8_t>(v >> (8 * k));
    };
    word(0, addr_);
    word(1, addr_ + funcnameOff);
    word(22, text_);
    word(go120_ ? 40 : 38, gofuncAddr_);
    return out;
  }

private:
  static void put(std::vector<uint8_t>& v, uint64_t x, int n) {
    for (int k = 0; k < n; ++k) v.push_back(static_cast<uint8_t>(x >> (8 * k)));
  }
  static void uvarint(std::vector<uint8_t>& v, uint32_t x) {
    while (x >= 0x80) {
      v.push_back(static_cast<uint8_t>(x | 0x80));
      x >>= 7;
    }
    v.push_back(static_cast<uint8_t>(x));
  }
  bool go120_;
  uint64_t addr_, text_, gofuncAddr_;
};

// The example of the tests and the fuzz seed: main.outer (a.go) inlines main.inner (b.go) at its
// line 10; main.inner also has its own copy. Lines from the runs below.
inline std::vector<PclnFunc> exampleFuncs() {
  PclnFunc outer{"main.outer", 0, 0x40, 0, {}, {}, {}, {}};
  outer.file = {{0, 0x10}, {1, 0x20}, {0, 0x40}};      // a.go, then b.go (the inlined body), a.go
  outer.line = {{10, 0x10}, {300, 0x20}, {12, 0x40}};  // 300: a two-byte varint; 12: a negative delta
  outer.inlIndex = {{-1, 0x10}, {0, 0x20}, {-1, 0x40}};
  outer.inlTree = {{"main.inner", 0x08}};  // the call is at outer+8: a.go:10
  PclnFunc inner{"main.inner", 0x40, 0x10, 0, {}, {}, {}, {}};
  inner.file = {{1, 0x10}};
  inner.line = {{299, 0x10}};
  return {outer, inner};
}

}  // namespace heaplens::go::testing
