// GoExecutable: ELF, Go build info and DWARF of the program that wrote a Go heap dump (see GoExecutable.h).
//
// Everything DWARF goes through libdw: CU ranges are collected once (Go writes no
// .debug_aranges), and a PC's logical frames come from the line table plus the
// DW_TAG_inlined_subroutine scopes dwarf_getscopes() returns, each inlined scope's
// DW_AT_call_file/call_line being its caller's line. Types are walked on demand by DIE
// offset, with a depth bound, so a corrupt file with a type cycle ends the walk.
//
// Threading: see GoExecutable.h.
#include "analysis/formats/go/exe/GoExecutable.h"

#include "analysis/formats/go/exe/GoPclntab.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace heaplens::go {

namespace {
struct CuRange {
  uint64_t lo, hi;
  uint64_t cuOffset;  // offset of the CU DIE
};
}  // namespace

struct GoExecutable::Impl {
  struct ImageSection {
    uint64_t addr, size;
    const uint8_t* data;
  };
  std::vector<ImageSection> image;  // allocated sections with bytes in the file, as libelf maps them
  bool littleEndian = true;
  std::unique_ptr<GoPclntab> pclntab;
  std::string pclntabError;       // why there is no pclntab ("" when it was read, or absent)
  std::vector<CuRange> cuRanges;  // sorted by lo
  std::unordered_map<uint64_t, uint64_t> byRuntimeType;  // *_type address -> type DIE
  std::unordered_map<std::string, uint64_t> byName;      // type name -> type DIE (the first one)
};

namespace {

Elf* asElf(void* p) { return static_cast<Elf*>(p); }
Dwarf* asDwarf(void* p) { return static_cast<Dwarf*>(p); }

// The DIE an attribute refers to (DW_AT_type), following nothing else.
bool refDie(Dwarf_Die* die, unsigned name, Dwarf_Die* out) {
  Dwarf_Attribute attr;
  if (!dwarf_attr_integrate(die, name, &attr)) return false;
  return dwarf_formref_die(&attr, out) != nullptr;
}

bool udata(Dwarf_Die* die, unsigned name, uint64_t& out) {
  Dwarf_Attribute attr;
  Dwarf_Word w;
  if (!dwarf_attr_integrate(die, name, &attr) || dwarf_formudata(&attr, &w) != 0) return false;
  out = w;
  return true;
}

std::string dieName(Dwarf_Die* die) {
  const char* n = dwarf_diename(die);
  return n ? std::string(n) : std::string();
}

// Go's runtime representations whose first word is the value's pointer: a slice's array, a
// string's bytes, an interface's data word are not fields the user wrote.
bool isRuntimeRepresentation(std::string_view structName) {
  return structName.starts_with("[]") || structName == "string" || structName == "runtime.iface" ||
         structName == "runtime.eface";
}

}  // namespace

GoExecutable::~GoExecutable() {
  if (dwarf_) dwarf_end(asDwarf(dwarf_));
  if (elf_) elf_end(asElf(elf_));
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<GoExecutable> GoExecutable::open(const std::string& path) {
  std::unique_ptr<GoExecutable> exe(new GoExecutable());
  exe->path_ = path;
  exe->impl_ = std::make_unique<Impl>();
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0)
    throw ExecutableError("cannot open the executable " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw ExecutableError("the executable " + path + " is not a regular file");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw ExecutableError("cannot open the executable " + path + ": " + std::strerror(errno));
  exe->fd_ = fd;
  exe->readElf(fd);
  exe->readDwarf();
  exe->readPclntab();
  return exe;
}

void GoExecutable::readElf(int fd) {
  elf_version(EV_CURRENT);
  struct stat st{};
  ::fstat(fd, &st);
  const uint64_t fileSize = static_cast<uint64_t>(st.st_size);
  unsigned char magic[4] = {};
  if (fileSize < 4 || ::pread(fd, magic, 4, 0) != 4 || std::memcmp(magic, "\x7f" "ELF", 4) != 0)
    throw ExecutableError("the executable " + path_ +
                          " is not an ELF file (expected the bytes 7f 45 4c 46 at byte 0); HeapLens reads Linux "
                          "executables");
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (!elf) elf = elf_begin(fd, ELF_C_READ, nullptr);
  elf_ = elf;  // owned from here on: the destructor ends it, also when a check below throws
  if (!elf || elf_kind(elf) != ELF_K_ELF)
    throw ExecutableError("the executable " + path_ + " is not a readable ELF file: " + elf_errmsg(-1));
  GElf_Ehdr eh;
  if (!gelf_getehdr(elf, &eh))
    throw ExecutableError("the executable " + path_ + " has a corrupt ELF header: " + elf_errmsg(-1));
  ptrSize_ = eh.e_ident[EI_CLASS] == ELFCLASS32 ? 4 : 8;
  impl_->littleEndian = eh.e_ident[EI_DATA] == ELFDATA2LSB;
  pie_ = eh.e_type == ET_DYN;
  if (eh.e_shoff > fileSize)
    throw ExecutableError("the executable " + path_ + " is truncated: its section headers start at byte " +
                          std::to_string(eh.e_shoff) + " of a " + std::to_string(fileSize) + "-byte file");
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0)
    throw ExecutableError("the executable " + path_ + " has no section-name table: " + elf_errmsg(-1));

  Elf_Scn* symtab = nullptr;
  size_t symStrIndex = 0;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      throw ExecutableError("the executable " + path_ + " has a corrupt section header: " + elf_errmsg(-1));
    const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
    std::string sname = name && *name ? name : "number " + std::to_string(elf_ndxscn(scn));
    if (sh.sh_type != SHT_NOBITS && (sh.sh_offset > fileSize || sh.sh_size > fileSize - sh.sh_offset))
      throw ExecutableError("the executable " + path_ + " is truncated or corrupt: section " + sname +
                            " (file bytes " + std::to_string(sh.sh_offset) + " to " +
                            std::to_string(sh.sh_offset + sh.sh_size) + ") ends past the end of the " +
                            std::to_string(fileSize) + "-byte file");
    sections_.push_back({sname, sh.sh_addr, sh.sh_size, sh.sh_offset, (sh.sh_flags & SHF_ALLOC) != 0});
    if ((sh.sh_flags & SHF_ALLOC) && sh.sh_type != SHT_NOBITS && sh.sh_size > 0) {
      Elf_Data* d = elf_getdata(scn, nullptr);
      if (d && d->d_buf && d->d_size == sh.sh_size)
        impl_->image.push_back({sh.sh_addr, sh.sh_size, static_cast<const uint8_t*>(d->d_buf)});
    }
    if (sh.sh_type == SHT_SYMTAB) {
      symtab = scn;
      symStrIndex = sh.sh_link;
    }
    if (sname == ".note.go.buildid") {
      Elf_Data* d = elf_getdata(scn, nullptr);
      // One note: namesz, descsz, type (4 bytes each), "Go\0\0", then the ID.
      if (d && d->d_size >= 16) {
        const auto* p = static_cast<const uint8_t*>(d->d_buf);
        uint32_t namesz, descsz;
        std::memcpy(&namesz, p, 4);
        std::memcpy(&descsz, p + 4, 4);
        uint64_t descAt = 12 + ((uint64_t{namesz} + 3) & ~uint64_t{3});
        if (descAt <= d->d_size && descsz <= d->d_size - descAt)
          buildId_.assign(reinterpret_cast<const char*>(p + descAt), descsz);
      }
    }
    if (sname == ".go.buildinfo") {
      // "\xff Go buildinf:", pointer size, flags; with flags & 2 (Go ≥ 1.18) the version follows
      // at byte 32 as a uvarint-prefixed string. Older layouts point at it instead: not read.
      Elf_Data* d = elf_getdata(scn, nullptr);
      if (d && d->d_size >= 33) {
        const auto* p = static_cast<const uint8_t*>(d->d_buf);
        if (std::memcmp(p, "\xff Go buildinf:", 14) == 0 && (p[15] & 2)) {
          uint64_t len = 0;
          size_t i = 32;
          for (unsigned shift = 0; i < d->d_size && shift < 64; shift += 7) {
            uint8_t b = p[i++];
            len |= uint64_t{b & 0x7fu} << shift;
            if (!(b & 0x80)) break;
          }
          if (len <= 64 && len <= d->d_size - i) goVersion_.assign(reinterpret_cast<const char*>(p + i), len);
        }
      }
    }
  }

  if (symtab) {
    Elf_Data* d = elf_getdata(symtab, nullptr);
    GElf_Shdr sh;
    gelf_getshdr(symtab, &sh);
    size_t count = d && sh.sh_entsize ? d->d_size / sh.sh_entsize : 0;
    for (size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(d, static_cast<int>(i), &sym)) break;
      const char* n = elf_strptr(elf, symStrIndex, sym.st_name);
      if (!n || !*n) continue;
      if (std::strcmp(n, "runtime.types") == 0) runtimeTypes_ = sym.st_value;
      if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_size == 0) continue;
      const ExeSection* sec = sectionAt(sym.st_value);
      if (!sec || sec->name == ".rodata" || sec->name == ".gopclntab" || sec->name == ".typelink") continue;
      globals_.push_back({sym.st_value, sym.st_size, n, 0});
    }
    hasSymtab_ = !globals_.empty();
  }
}

void GoExecutable::readDwarf() {
  Dwarf* dbg = dwarf_begin_elf(asElf(elf_), DWARF_C_READ, nullptr);
  if (!dbg) return;  // stripped (-w), or DWARF libdw cannot read: names from the symbol table only
  dwarf_ = dbg;
  std::vector<ExeGlobal> dwarfGlobals;
  Dwarf_Off off = 0, next = 0;
  size_t hsize = 0;
  size_t cus = 0;
  while (dwarf_nextcu(dbg, off, &next, &hsize, nullptr, nullptr, nullptr) == 0) {
    if (++cus > 1'000'000) break;
    Dwarf_Die cu;
    if (dwarf_offdie(dbg, off + hsize, &cu)) {
      // The CU's code ranges.
      Dwarf_Addr base, lo, hi;
      ptrdiff_t it = 0;
      while ((it = dwarf_ranges(&cu, it, &base, &lo, &hi)) > 0)
        if (hi > lo) impl_->cuRanges.push_back({lo, hi, dwarf_dieoffset(&cu)});
      // Its global variables: DW_TAG_variable children located by one DW_OP_addr.
      Dwarf_Die child;
      if (dwarf_child(&cu, &child) == 0) {
        do {
          int childTag = dwarf_tag(&child);
          if (childTag != DW_TAG_variable) {
            // A type: index it by name, and by runtime descriptor (DW_AT_go_runtime_type, 0x2904).
            if (childTag == DW_TAG_subprogram || childTag == DW_TAG_inlined_subroutine) continue;
            const char* tn = dwarf_diename(&child);
            if (!tn) continue;
            impl_->byName.emplace(tn, dwarf_dieoffset(&child));
            Dwarf_Attribute rt;
            Dwarf_Word off = 0;
            if (dwarf_attr(&child, 0x2904, &rt) && dwarf_formudata(&rt, &off) == 0 && off != 0)
              impl_->byRuntimeType.emplace(off, dwarf_dieoffset(&child));
            continue;
          }
          // The location is one DW_OP_addr. Go writes it as a DW_FORM_block1, which
          // dwarf_getlocation() refuses for a CU-level variable, so the block is read as it is.
          Dwarf_Attribute attr;
          Dwarf_Block block;
          if (!dwarf_attr(&child, DW_AT_location, &attr) || dwarf_formblock(&attr, &block) != 0 ||
              block.length != 1 + ptrSize_ || block.data[0] != DW_OP_addr)
            continue;
          uint64_t addr = 0;
          for (unsigned k = 0; k < ptrSize_; ++k) addr |= uint64_t{block.data[1 + k]} << (8 * k);  // ELF LSB only
          Dwarf_Die type;
          ExeGlobal g{addr, 0, dieName(&child), 0};
          if (refDie(&child, DW_AT_type, &type)) {
            g.typeDie = dwarf_dieoffset(&type);
            Dwarf_Word sz;
            if (dwarf_aggregate_size(&type, &sz) == 0) g.size = sz;
          }
          if (!g.name.empty()) dwarfGlobals.push_back(std::move(g));
        } while (dwarf_siblingof(&child, &child) == 0);
      }
    }
    off = next;
  }
  std::sort(impl_->cuRanges.begin(), impl_->cuRanges.end(),
            [](const CuRange& a, const CuRange& b) { return a.lo < b.lo; });
  // Symbols give every global's extent; DWARF adds the type. DWARF-only globals (no .symtab) are added.
  std::sort(globals_.begin(), globals_.end(), [](const ExeGlobal& a, const ExeGlobal& b) { return a.addr < b.addr; });
  for (ExeGlobal& d : dwarfGlobals) {
    auto it = std::lower_bound(globals_.begin(), globals_.end(), d.addr,
                               [](const ExeGlobal& g, uint64_t a) { return g.addr < a; });
    if (it != globals_.end() && it->addr == d.addr) {
      it->typeDie = d.typeDie;
      if (it->size == 0) it->size = d.size;
    } else if (!hasSymtab_ && d.size > 0) {
      globals_.push_back(std::move(d));
    }
  }
  if (!hasSymtab_)
    std::sort(globals_.begin(), globals_.end(), [](const ExeGlobal& a, const ExeGlobal& b) { return a.addr < b.addr; });
}

void GoExecutable::setLoadBias(uint64_t bias) {
  const uint64_t delta = bias - bias_;
  for (ExeSection& s : sections_)
    if (s.alloc) s.addr += delta;
  for (ExeGlobal& g : globals_) g.addr += delta;
  if (runtimeTypes_) runtimeTypes_ += delta;
  bias_ = bias;
}

void GoExecutable::readPclntab() {
  // A position-independent build keeps it among its relocated read-only data.
  const ExeSection* sec = section(".gopclntab");
  if (!sec) sec = section(".data.rel.ro.gopclntab");
  if (!sec) return;  // not a Go program, or one whose table is elsewhere (not ELF-linked by Go)
  const Impl::ImageSection* bytes = nullptr;
  for (const Impl::ImageSection& s : impl_->image)
    if (s.addr == sec->addr && s.size == sec->size) bytes = &s;
  if (!bytes) {
    impl_->pclntabError = "its .gopclntab section has no bytes in the file";
    return;
  }
  if (!impl_->littleEndian) {
    impl_->pclntabError = "its .gopclntab is big-endian, which HeapLens does not read";
    return;
  }
  std::string error;
  impl_->pclntab = GoPclntab::parse({bytes->data, bytes->size}, bytes->addr, error);
  if (!impl_->pclntab) {
    impl_->pclntabError = error;
    return;
  }
  // moduledata (in .noptrdata) gives go:func.*, where the inline trees are.
  if (const ExeSection* nd = section(".noptrdata"))
    for (const Impl::ImageSection& s : impl_->image)
      if (s.addr == nd->addr && s.size == nd->size && impl_->pclntab->findModuledata({s.data, s.size})) {
        const Impl* impl = impl_.get();
        impl_->pclntab->setImage([impl](uint64_t addr, uint64_t n) -> const uint8_t* {
          for (const Impl::ImageSection& s : impl->image)
            if (addr >= s.addr && addr - s.addr <= s.size && n <= s.size - (addr - s.addr)) return s.data + (addr - s.addr);
          return nullptr;
        });
        break;
      }
}

const GoPclntab* GoExecutable::pclntab() const { return impl_->pclntab.get(); }

std::string GoExecutable::pclntabProblem() const {
  if (!impl_->pclntabError.empty()) return impl_->pclntabError;
  return impl_->pclntab ? impl_->pclntab->problem() : std::string();
}

const ExeSection* GoExecutable::section(std::string_view name) const {
  for (const ExeSection& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

const ExeSection* GoExecutable::sectionAt(uint64_t addr) const {
  for (const ExeSection& s : sections_)
    if (s.alloc && s.size > 0 && addr >= s.addr && addr - s.addr < s.size) return &s;
  return nullptr;
}

const ExeGlobal* GoExecutable::globalAt(uint64_t addr) const {
  auto it = std::upper_bound(globals_.begin(), globals_.end(), addr,
                             [](uint64_t a, const ExeGlobal& g) { return a < g.addr; });
  if (it == globals_.begin()) return nullptr;
  --it;
  return addr - it->addr < it->size ? &*it : nullptr;
}

std::string GoExecutable::typeName(uint64_t typeDie) const {
  if (!dwarf_ || typeDie == 0) return {};
  Dwarf_Die die;
  if (!dwarf_offdie(asDwarf(dwarf_), typeDie, &die)) return {};
  return dieName(&die);
}

std::string GoExecutable::fieldPath(uint64_t typeDie, uint64_t offset) const {
  if (!dwarf_ || typeDie == 0) return {};
  Dwarf_Die die;
  if (!dwarf_offdie(asDwarf(dwarf_), typeDie, &die)) return {};
  std::string path;
  for (int depth = 0; depth < 32; ++depth) {
    int tag = dwarf_tag(&die);
    if (tag == DW_TAG_typedef) {
      // Interfaces are typedefs of runtime.iface/eface; maps and channels of pointers.
      Dwarf_Die under;
      if (!refDie(&die, DW_AT_type, &under)) break;
      die = under;
      continue;
    }
    if (tag == DW_TAG_structure_type) {
      std::string sname = dieName(&die);
      if (isRuntimeRepresentation(sname)) break;
      Dwarf_Die m;
      bool found = false;
      if (dwarf_child(&die, &m) == 0) {
        do {
          if (dwarf_tag(&m) != DW_TAG_member) continue;
          uint64_t mo = 0;
          if (!udata(&m, DW_AT_data_member_location, mo)) continue;
          Dwarf_Die mt;
          Dwarf_Word msize = ptrSize_;
          if (!refDie(&m, DW_AT_type, &mt)) continue;
          if (dwarf_aggregate_size(&mt, &msize) != 0) msize = ptrSize_;
          if (offset >= mo && offset - mo < msize) {
            std::string mname = dieName(&m);
            if (!path.empty()) path += '.';
            path += mname;
            offset -= mo;
            die = mt;
            found = true;
            break;
          }
        } while (dwarf_siblingof(&m, &m) == 0);
      }
      if (!found) break;
      continue;
    }
    if (tag == DW_TAG_array_type) {
      Dwarf_Die elem;
      if (!refDie(&die, DW_AT_type, &elem)) break;
      Dwarf_Word esize = 0;
      if (dwarf_aggregate_size(&elem, &esize) != 0 || esize == 0) break;
      path += "[" + std::to_string(offset / esize) + "]";
      offset %= esize;
      die = elem;
      continue;
    }
    break;  // a pointer, map, channel, func or scalar: the word itself
  }
  return path;
}

namespace {

bool cuDie(Dwarf* dbg, const std::vector<CuRange>& ranges, uint64_t pc, Dwarf_Die* out) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), pc,
                             [](uint64_t p, const CuRange& r) { return p < r.lo; });
  // Ranges of one CU may interleave with another's; look back a little for one that contains pc.
  for (int back = 0; back < 64 && it != ranges.begin(); ++back) {
    --it;
    if (pc >= it->lo && pc < it->hi) return dwarf_offdie(dbg, it->cuOffset, out) != nullptr;
  }
  return false;
}

std::string callFile(Dwarf_Die* cu, Dwarf_Die* scope) {
  uint64_t idx = 0;
  if (!udata(scope, DW_AT_call_file, idx)) return {};
  Dwarf_Files* files = nullptr;
  size_t nfiles = 0;
  if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || idx >= nfiles) return {};
  const char* f = dwarf_filesrc(files, idx, nullptr, nullptr);
  return f ? std::string(f) : std::string();
}

}  // namespace

std::vector<ExeLine> GoExecutable::linesAt(uint64_t pc) const {
  // Every Go function is in .gopclntab, so a PC it does not place is padding or not Go code; DWARF
  // is asked only when the table is corrupt. (libdw 0.188 leaks 32 bytes when dwarf_getsrc_die() is
  // asked for padding inside a CU's range, seen under LeakSanitizer.)
  if (impl_->pclntab) {
    std::vector<ExeLine> out = impl_->pclntab->linesAt(pc - bias_);
    if (!out.empty() || impl_->pclntab->problem().empty()) return out;
  }
  return dwarfLinesAt(pc);
}

std::vector<ExeLine> GoExecutable::dwarfLinesAt(uint64_t pc) const {
  std::vector<ExeLine> out;
  if (!dwarf_) return out;
  pc -= bias_;
  Dwarf_Die cu;
  if (!cuDie(asDwarf(dwarf_), impl_->cuRanges, pc, &cu)) return out;
  std::string file;
  uint32_t line = 0;
  if (Dwarf_Line* l = dwarf_getsrc_die(&cu, pc)) {
    int n = 0;
    dwarf_lineno(l, &n);
    line = n > 0 ? static_cast<uint32_t>(n) : 0;
    const char* f = dwarf_linesrc(l, nullptr, nullptr);
    if (f) file = f;
  }
  Dwarf_Die* scopes = nullptr;
  int n = dwarf_getscopes(&cu, pc, &scopes);
  for (int i = 0; i < n; ++i) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag == DW_TAG_inlined_subroutine) {
      out.push_back({dieName(&scopes[i]), file, line});
      file = callFile(&cu, &scopes[i]);
      uint64_t cl = 0;
      udata(&scopes[i], DW_AT_call_line, cl);
      line = static_cast<uint32_t>(std::min<uint64_t>(cl, UINT32_MAX));
    } else if (tag == DW_TAG_subprogram) {
      out.push_back({dieName(&scopes[i]), file, line});
      break;
    }
  }
  std::free(scopes);
  if (out.empty() && !file.empty()) out.push_back({"", file, line});
  return out;
}

std::optional<std::string> GoExecutable::variableAt(uint64_t pc, int64_t cfaOffset, bool paramsOnly) const {
  auto v = variableSlot(pc, cfaOffset, paramsOnly);
  return v ? std::optional<std::string>(v->path) : std::nullopt;
}

uint64_t GoExecutable::typeForRuntimeType(uint64_t addr) const {
  const ExeSection* rodata = section(".rodata");
  uint64_t base = runtimeTypes_ ? runtimeTypes_ : (rodata ? rodata->addr : 0);
  if (!dwarf_ || base == 0 || addr <= base) return 0;
  auto it = impl_->byRuntimeType.find(addr - base);
  return it == impl_->byRuntimeType.end() ? 0 : it->second;
}

uint64_t GoExecutable::typeByName(std::string_view name) const {
  auto it = impl_->byName.find(std::string(name));
  return it == impl_->byName.end() ? 0 : it->second;
}

namespace {

// Adds the words of the value of type `die` at byte `base` to `words`.
void flatten(const GoExecutable& exe, Dwarf* dbg, Dwarf_Die die, uint64_t base, std::vector<ExeWord>& words,
             unsigned ptrSize, int depth) {
  if (depth > 24) return;
  for (int strip = 0; strip < 16 && dwarf_tag(&die) == DW_TAG_typedef; ++strip) {
    Dwarf_Die under;
    if (!refDie(&die, DW_AT_type, &under)) return;
    die = under;
  }
  auto word = [&](uint64_t off, ExeWordKind kind, uint64_t pointee) {
    uint64_t w = (base + off) / ptrSize;
    if (w < words.size()) words[w] = {kind, pointee};
  };
  switch (dwarf_tag(&die)) {
    case DW_TAG_pointer_type: {
      Dwarf_Die to;
      if (refDie(&die, DW_AT_type, &to)) word(0, ExeWordKind::Ptr, dwarf_dieoffset(&to));
      return;
    }
    case DW_TAG_array_type: {
      Dwarf_Die elem;
      Dwarf_Word esize = 0, size = 0;
      if (!refDie(&die, DW_AT_type, &elem) || dwarf_aggregate_size(&elem, &esize) != 0 || esize == 0 ||
          dwarf_aggregate_size(&die, &size) != 0)
        return;
      for (uint64_t off = 0; off + esize <= size && (base + off) / ptrSize < words.size(); off += esize)
        flatten(exe, dbg, elem, base + off, words, ptrSize, depth + 1);
      return;
    }
    case DW_TAG_structure_type: {
      std::string name = dieName(&die);
      if (name == "string") {
        word(0, ExeWordKind::StringData, 0);
        return;
      }
      if (name == "runtime.iface" || name == "runtime.eface") {
        word(0, name == "runtime.iface" ? ExeWordKind::IfaceTab : ExeWordKind::EfaceType, 0);
        word(ptrSize, ExeWordKind::IfaceData, 0);
        return;
      }
      uint64_t chanElem = 0;
      if (name.starts_with("hchan<") && name.ends_with(">"))
        chanElem = exe.typeByName(std::string_view(name).substr(6, name.size() - 7));
      Dwarf_Die m;
      if (dwarf_child(&die, &m) != 0) return;
      do {
        if (dwarf_tag(&m) != DW_TAG_member) continue;
        uint64_t mo = 0;
        Dwarf_Die mt;
        if (!udata(&m, DW_AT_data_member_location, mo) || !refDie(&m, DW_AT_type, &mt)) continue;
        std::string mname = dieName(&m);
        if (name.starts_with("[]") && mname == "array") {
          Dwarf_Die elem;
          if (dwarf_tag(&mt) == DW_TAG_pointer_type && refDie(&mt, DW_AT_type, &elem))
            word(mo, ExeWordKind::SliceArray, dwarf_dieoffset(&elem));
          continue;
        }
        if (chanElem && mname == "buf") {
          word(mo, ExeWordKind::ChanBuf, chanElem);
          continue;
        }
        flatten(exe, dbg, mt, base + mo, words, ptrSize, depth + 1);
      } while (dwarf_siblingof(&m, &m) == 0);
      return;
    }
    default:
      return;
  }
}

}  // namespace

ExeLayout GoExecutable::layout(uint64_t typeDie) const {
  ExeLayout out;
  Dwarf_Die die;
  if (!dwarf_ || typeDie == 0 || !dwarf_offdie(asDwarf(dwarf_), typeDie, &die)) return out;
  out.name = dieName(&die);
  Dwarf_Word size = 0;
  if (dwarf_aggregate_size(&die, &size) != 0) {
    // Pointers and typedefs of pointers may have no size of their own.
    Dwarf_Die d = die;
    for (int strip = 0; strip < 16 && dwarf_tag(&d) == DW_TAG_typedef && refDie(&d, DW_AT_type, &d);) ++strip;
    size = dwarf_tag(&d) == DW_TAG_pointer_type ? ptrSize_ : 0;
  }
  out.size = size;
  if (size == 0 || size > 65536) return out;
  out.words.assign((size + ptrSize_ - 1) / ptrSize_, ExeWord{});
  flatten(*this, asDwarf(dwarf_), die, 0, out.words, ptrSize_, 0);
  return out;
}

std::optional<ExeVar> GoExecutable::variableSlot(uint64_t pc, int64_t cfaOffset, bool paramsOnly) const {
  if (!dwarf_) return std::nullopt;
  pc -= bias_;
  Dwarf_Die cu;
  if (!cuDie(asDwarf(dwarf_), impl_->cuRanges, pc, &cu)) return std::nullopt;
  Dwarf_Die* scopes = nullptr;
  int n = dwarf_getscopes(&cu, pc, &scopes);
  std::optional<ExeVar> found;
  auto make = [&](Dwarf_Die* v, uint64_t typeDie, uint64_t within) {
    std::string p = fieldPath(typeDie, within);
    found = ExeVar{dieName(v) + (p.empty() ? "" : (p[0] == '[' ? "" : ".") + p), typeDie, within};
  };
  for (int i = 0; i < n && !found; ++i) {
    int scopeTag = dwarf_tag(&scopes[i]);
    Dwarf_Die v;
    if (dwarf_child(&scopes[i], &v) == 0) {
      do {
        int tag = dwarf_tag(&v);
        if (tag != DW_TAG_formal_parameter && (paramsOnly || tag != DW_TAG_variable)) continue;
        Dwarf_Attribute attr;
        if (!dwarf_attr(&v, DW_AT_location, &attr)) continue;
        Dwarf_Op* expr = nullptr;
        size_t len = 0;
        if (dwarf_getlocation_addr(&attr, pc, &expr, &len, 1) != 1 || len == 0) continue;
        Dwarf_Die type;
        uint64_t typeDie = refDie(&v, DW_AT_type, &type) ? dwarf_dieoffset(&type) : 0;
        Dwarf_Word size = ptrSize_;
        if (typeDie && dwarf_aggregate_size(&type, &size) != 0) size = ptrSize_;
        // Pieces: "fbreg k, piece s" per part held in the frame; parts in registers have no fbreg.
        uint64_t pieceStart = 0;
        int64_t base = 0;  // valid when hasBase (an optional here draws a false gcc warning)
        bool hasBase = false;
        bool pieces = false;
        for (size_t k = 0; k < len && !found; ++k) {
          const Dwarf_Op& op = expr[k];
          if (op.atom == DW_OP_fbreg) {
            base = static_cast<int64_t>(op.number);
            hasBase = true;
          } else if (op.atom == DW_OP_piece) {
            pieces = true;
            if (hasBase && cfaOffset >= base && static_cast<uint64_t>(cfaOffset - base) < op.number)
              make(&v, typeDie, pieceStart + static_cast<uint64_t>(cfaOffset - base));
            pieceStart += op.number;
            hasBase = false;
          } else if (op.atom != DW_OP_call_frame_cfa) {
            hasBase = false;
          }
        }
        if (!found && !pieces && hasBase && cfaOffset >= base && static_cast<uint64_t>(cfaOffset - base) < size)
          make(&v, typeDie, static_cast<uint64_t>(cfaOffset - base));
      } while (!found && dwarf_siblingof(&v, &v) == 0);
    }
    if (scopeTag == DW_TAG_subprogram) break;
  }
  std::free(scopes);
  return found;
}

}  // namespace heaplens::go
