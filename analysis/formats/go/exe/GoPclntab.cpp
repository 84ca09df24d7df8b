// GoPclntab: function, file and line of a PC from Go's .gopclntab (see GoPclntab.h).
//
// Threading: see GoPclntab.h.
#include "analysis/formats/go/exe/GoPclntab.h"

#include <algorithm>
#include <cstdio>

namespace heaplens::go {
namespace {

constexpr uint32_t kMagic118 = 0xfffffff0u, kMagic120 = 0xfffffff1u;
constexpr uint32_t kPcdataInlTreeIndex = 2, kFuncdataInlTree = 3;
constexpr int kMaxInlineDepth = 64;

uint64_t le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned k = 0; k < n; ++k) v |= uint64_t{p[k]} << (8 * k);
  return v;
}

std::string at(const char* table, uint64_t byte) {
  return std::string(table) + " at byte " + std::to_string(byte) + " of .gopclntab";
}

}  // namespace

uint32_t GoPclntab::u32(uint64_t off) const { return static_cast<uint32_t>(le(b_.data() + off, 4)); }

void GoPclntab::note(std::string what) const {
  if (problem_.empty()) problem_ = std::move(what);
}

std::unique_ptr<GoPclntab> GoPclntab::parse(std::span<const uint8_t> bytes, uint64_t addr, std::string& error) {
  std::unique_ptr<GoPclntab> t(new GoPclntab());
  t->b_ = bytes;
  t->addr_ = addr;
  const uint64_t size = bytes.size();
  if (size < 8) {
    error = "the header at byte 0 of .gopclntab is cut short: expected at least 8 bytes, found " + std::to_string(size);
    return nullptr;
  }
  const uint8_t* p = bytes.data();
  t->magic_ = static_cast<uint32_t>(le(p, 4));
  if (t->magic_ != kMagic118 && t->magic_ != kMagic120) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%08x", t->magic_);
    error = std::string("the header at byte 0 of .gopclntab has magic 0x") + hex +
            ", expected 0xfffffff0 (Go 1.18–1.19) or 0xfffffff1 (Go 1.20+)" +
            (t->magic_ == 0xfffffffau || t->magic_ == 0xfffffffbu ? "; older Go versions' tables are not read" : "");
    return nullptr;
  }
  t->minLC_ = p[6];
  t->ptrSize_ = p[7];
  if (p[4] != 0 || p[5] != 0 || (t->minLC_ != 1 && t->minLC_ != 2 && t->minLC_ != 4) ||
      (t->ptrSize_ != 4 && t->ptrSize_ != 8)) {
    error = "the header at byte 4 of .gopclntab is corrupt: expected two zero bytes, an instruction size of 1, 2 or "
            "4 and a pointer size of 4 or 8, found " +
            std::to_string(p[4]) + ", " + std::to_string(p[5]) + ", " + std::to_string(p[6]) + ", " +
            std::to_string(p[7]);
    return nullptr;
  }
  const unsigned w = t->ptrSize_;
  const uint64_t headerSize = 8 + 8 * uint64_t{w};
  if (size < headerSize) {
    error = "the header at byte 0 of .gopclntab is cut short: expected " + std::to_string(headerSize) +
            " bytes, the section has " + std::to_string(size);
    return nullptr;
  }
  auto word = [&](unsigned i) { return le(p + 8 + uint64_t{i} * w, w); };
  t->nfunc_ = word(0);
  t->textStart_ = word(2);
  t->funcnameOff_ = word(3);
  t->cuOff_ = word(4);
  t->filetabOff_ = word(5);
  t->pctabOff_ = word(6);
  t->pclnOff_ = word(7);
  // The tables follow the header in this order (cmd/link/internal/ld/pcln.go).
  const uint64_t offs[] = {headerSize, t->funcnameOff_, t->cuOff_, t->filetabOff_, t->pctabOff_, t->pclnOff_, size};
  const char* names[] = {"header", "funcnametab", "cutab", "filetab", "pctab", "functab", "end of the section"};
  for (int i = 1; i < 7; ++i)
    if (offs[i] < offs[i - 1]) {
      error = "the header of .gopclntab is corrupt: it puts the " + std::string(names[i]) + " at byte " +
              std::to_string(offs[i]) + ", before the " + names[i - 1] + " at byte " + std::to_string(offs[i - 1]) +
              " (the tables follow the header in the order funcnametab, cutab, filetab, pctab, functab, inside the " +
              std::to_string(size) + "-byte section)";
      return nullptr;
    }
  if (t->nfunc_ > (size - t->pclnOff_) / 8 || (t->nfunc_ + 1) * 8 > size - t->pclnOff_) {
    error = "the functab at byte " + std::to_string(t->pclnOff_) + " of .gopclntab is cut short: the header says " +
            std::to_string(t->nfunc_) + " functions, whose (entry, offset) pairs need " +
            std::to_string((t->nfunc_ + 1) * 8) + " bytes, but " + std::to_string(size - t->pclnOff_) + " remain";
    return nullptr;
  }
  // Every function record inside the table, its entries sorted, its names and CU inside theirs.
  uint64_t prevEntry = 0;
  for (uint64_t i = 0; i < t->nfunc_; ++i) {
    const uint64_t pair = t->pclnOff_ + i * 8;
    const uint32_t entryOff = t->u32(pair);
    if (entryOff < prevEntry) {
      error = at("the functab entry", pair) + " is out of order: function " + std::to_string(i) +
              " starts at text offset " + std::to_string(entryOff) + ", before the previous one's " +
              std::to_string(prevEntry);
      return nullptr;
    }
    prevEntry = entryOff;
    if (!t->readFunc(i, &error)) return nullptr;
  }
  return t;
}

std::optional<GoPclntab::Func> GoPclntab::readFunc(uint64_t index, std::string* error) const {
  const uint64_t size = b_.size();
  const uint64_t pair = pclnOff_ + index * 8;
  const uint64_t rec = pclnOff_ + u32(pair + 4);
  const uint64_t fixed = go120() ? 44 : 40;
  auto fail = [&](std::string what) -> std::optional<Func> {
    if (error) *error = std::move(what);
    else note(std::move(what));
    return std::nullopt;
  };
  if (rec > size || size - rec < fixed)
    return fail(at("the functab entry", pair + 4) + " points function " + std::to_string(index) +
                "'s record at byte " + std::to_string(rec) + ", past the end of the " + std::to_string(size) +
                "-byte section");
  Func f;
  f.at = static_cast<uint32_t>(rec);
  f.entry = textStart_ + u32(rec);
  f.nameOff = u32(rec + 4);
  f.pcfile = u32(rec + 20);
  f.pcln = u32(rec + 24);
  f.npcdata = u32(rec + 28);
  f.cuOffset = u32(rec + 32);
  f.nfuncdata = b_[rec + fixed - 1];
  if (u32(rec) != u32(pair))
    return fail(at("the function record", rec) + " says it starts at text offset " + std::to_string(u32(rec)) +
                " but its functab entry says " + std::to_string(u32(pair)));
  const uint64_t tail = (uint64_t{f.npcdata} + f.nfuncdata) * 4;
  if (f.npcdata > 1024 || tail > size - rec - fixed)
    return fail(at("the function record", rec) + " has " + std::to_string(f.npcdata) + " pcdata and " +
                std::to_string(f.nfuncdata) + " funcdata entries, which run past the end of the section");
  if (f.nameOff >= cuOff_ - funcnameOff_)
    return fail(at("the function record", rec) + " names its function at funcnametab byte " + std::to_string(f.nameOff) +
                ", outside the " + std::to_string(cuOff_ - funcnameOff_) + "-byte funcnametab");
  if (uint64_t{f.cuOffset} * 4 >= filetabOff_ - cuOff_ && f.pcfile != 0)
    return fail(at("the function record", rec) + " has compilation unit " + std::to_string(f.cuOffset) +
                ", outside the " + std::to_string((filetabOff_ - cuOff_) / 4) + "-entry cutab");
  const uint64_t pctabSize = pclnOff_ - pctabOff_;
  if (f.pcfile >= pctabSize || f.pcln >= pctabSize)
    return fail(at("the function record", rec) + " puts its file or line table at pctab byte " +
                std::to_string(std::max(f.pcfile, f.pcln)) + ", outside the " + std::to_string(pctabSize) +
                "-byte pctab");
  return f;
}

std::optional<GoPclntab::Func> GoPclntab::funcAt(uint64_t pc) const {
  if (nfunc_ == 0 || pc < textStart_) return std::nullopt;
  const uint64_t off = pc - textStart_;
  // The entry after the last function is the end of the text.
  if (off >= u32(pclnOff_ + nfunc_ * 8)) return std::nullopt;
  uint64_t lo = 0, hi = nfunc_;  // first entry > off, minus one
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    if (u32(pclnOff_ + mid * 8) <= off) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return std::nullopt;
  return readFunc(lo - 1, nullptr);
}

std::optional<int32_t> GoPclntab::pcvalue(const Func& f, uint32_t off, uint64_t target) const {
  if (off == 0) return std::nullopt;
  const uint64_t end = pclnOff_;
  uint64_t i = pctabOff_ + off;
  uint64_t pc = f.entry;
  int32_t val = -1;
  auto uvarint = [&](uint32_t& out) {
    out = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
      if (i >= end) return false;
      uint8_t byte = b_[i++];
      out |= uint32_t{byte & 0x7fu} << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  };
  for (bool first = true;; first = false) {
    const uint64_t start = i;
    uint32_t vdelta = 0, pcdelta = 0;
    if (!uvarint(vdelta)) {
      note(at("the pctab value", start) + " runs past the end of the pctab (a table of the function at text "
                                          "offset " + std::to_string(f.entry - textStart_) + ")");
      return std::nullopt;
    }
    if (vdelta == 0 && !first) return std::nullopt;  // the table ends before target
    if (!uvarint(pcdelta)) {
      note(at("the pctab PC delta", i) + " runs past the end of the pctab");
      return std::nullopt;
    }
    val += static_cast<int32_t>((vdelta & 1) ? ~(vdelta >> 1) : (vdelta >> 1));
    pc += uint64_t{pcdelta} * minLC_;
    if (target < pc) return val;
  }
}

std::string_view GoPclntab::cstring(uint64_t tableStart, uint64_t tableEnd, uint64_t off, const char* table) const {
  if (off >= tableEnd - tableStart) {
    note(std::string(table) + " offset " + std::to_string(off) + " is outside the " +
         std::to_string(tableEnd - tableStart) + "-byte " + table + " of .gopclntab");
    return {};
  }
  const uint8_t* s = b_.data() + tableStart + off;
  const uint8_t* e = b_.data() + tableEnd;
  const uint8_t* nul = std::find(s, e, uint8_t{0});
  if (nul == e) {
    note(at((std::string("the ") + table + " string").c_str(), tableStart + off) + " has no NUL before the end of the " +
         table);
    return {};
  }
  return {reinterpret_cast<const char*>(s), static_cast<size_t>(nul - s)};
}

std::string_view GoPclntab::funcName(uint32_t nameOff) const {
  return cstring(funcnameOff_, cuOff_, nameOff, "funcnametab");
}

std::string GoPclntab::fileName(const Func& f, int32_t fileno) const {
  if (fileno < 0) return {};
  const uint64_t index = uint64_t{f.cuOffset} + static_cast<uint64_t>(fileno);
  if (index >= (filetabOff_ - cuOff_) / 4) {
    note(at("the cutab", cuOff_) + " has no entry " + std::to_string(index) + " (the file table of the function at "
                                                                            "text offset " +
         std::to_string(f.entry - textStart_) + ")");
    return {};
  }
  const uint32_t fileOff = u32(cuOff_ + index * 4);
  if (fileOff == ~uint32_t{0}) return {};
  return std::string(cstring(filetabOff_, pctabOff_, fileOff, "filetab"));
}

std::vector<ExeLine> GoPclntab::linesAt(uint64_t pc) const {
  std::vector<ExeLine> out;
  std::optional<Func> f = funcAt(pc);
  if (!f) return out;
  auto pcdataOff = [&](uint32_t table) -> uint32_t {
    return table < f->npcdata ? u32(f->at + (go120() ? 44 : 40) + uint64_t{table} * 4) : 0;
  };
  // The inline tree: an array of inlinedCall records in go:func.*, when moduledata was found.
  uint64_t inlTree = 0;
  const uint32_t inlIndexTable = pcdataOff(kPcdataInlTreeIndex);
  if (gofunc_ && image_ && kFuncdataInlTree < f->nfuncdata && inlIndexTable != 0) {
    const uint32_t fd = u32(f->at + (go120() ? 44 : 40) + uint64_t{f->npcdata} * 4 + kFuncdataInlTree * 4);
    if (fd != ~uint32_t{0}) inlTree = gofunc_ + fd;
  }
  const uint64_t callSize = go120() ? 16 : 20;
  uint64_t at = pc;
  int32_t ix = inlTree ? pcvalue(*f, inlIndexTable, at).value_or(-1) : -1;
  for (int depth = 0; depth < kMaxInlineDepth; ++depth) {
    const std::optional<int32_t> fileno = pcvalue(*f, f->pcfile, at);
    const std::optional<int32_t> line = pcvalue(*f, f->pcln, at);
    // Past the end of the function's line table: padding before the next function (or a corrupt
    // table, which pcvalue noted). The runtime's funcline says "?" there too.
    if (depth == 0 && !line) return out;
    ExeLine l;
    if (fileno) l.file = fileName(*f, *fileno);
    if (line && *line > 0) l.line = static_cast<uint32_t>(*line);
    if (ix < 0) {
      l.function = std::string(funcName(f->nameOff));
      out.push_back(std::move(l));
      break;
    }
    const uint8_t* call = image_(inlTree + static_cast<uint64_t>(ix) * callSize, callSize);
    if (!call) {
      note("the inline tree of the function at text offset " + std::to_string(f->entry - textStart_) + " (go:func.* + " +
           std::to_string(inlTree - gofunc_) + ") has no entry " + std::to_string(ix) + " in the executable's image");
      l.function = std::string(funcName(f->nameOff));
      out.push_back(std::move(l));
      break;
    }
    // Go 1.20+: funcID, 3 pad, nameOff, parentPc, startLine. 1.18–1.19: parent, funcID, pad, file,
    // line, nameOff, parentPc.
    const uint32_t nameOff = static_cast<uint32_t>(le(call + (go120() ? 4 : 12), 4));
    const uint32_t parentPc = static_cast<uint32_t>(le(call + (go120() ? 8 : 16), 4));
    l.function = std::string(funcName(nameOff));
    out.push_back(std::move(l));
    at = f->entry + parentPc;
    ix = pcvalue(*f, inlIndexTable, at).value_or(-1);
  }
  return out;
}

bool GoPclntab::findModuledata(std::span<const uint8_t> data) {
  const unsigned w = ptrSize_;
  // Word indexes in runtime.moduledata: pcHeader 0, funcnametab 1–3, ..., text 22; Go 1.20 added
  // covctrs/ecovctrs before end, so types and gofunc move by two.
  const unsigned textWord = 22, typesWord = go120() ? 37 : 35, gofuncWord = go120() ? 40 : 38;
  const uint64_t need = uint64_t{gofuncWord + 1} * w;
  if (data.size() < need) return false;
  for (uint64_t off = 0; off + need <= data.size(); off += w) {
    const uint8_t* p = data.data() + off;
    if (le(p, w) != addr_) continue;
    if (le(p + uint64_t{textWord} * w, w) != textStart_ || le(p + w, w) != addr_ + funcnameOff_) continue;
    types_ = le(p + uint64_t{typesWord} * w, w);
    gofunc_ = le(p + uint64_t{gofuncWord} * w, w);
    return true;
  }
  return false;
}

}  // namespace heaplens::go
