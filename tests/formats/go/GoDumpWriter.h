// GoDumpWriter: writes small synthetic Go heap dumps, record by record, for parser edge cases.
//
// The encoding follows the runtime's heapdump.go (see /work/shared/reference/go.md §1): uvarints,
// length-prefixed strings and memory ranges, field lists ending in 0. Real dumps cover the normal
// path; these cover what real dumps never show (bad tags, cut records, Green Tea spans).
//
// Threading: test code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace heaplens::gotest {

class GoDumpWriter {
public:
  std::vector<uint8_t> bytes;

  GoDumpWriter& header() {
    raw("go1.7 heap dump\n");
    return *this;
  }
  GoDumpWriter& uv(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  GoDumpWriter& raw(std::string_view s) {
    // Byte by byte: GCC 12's -Wstringop-overflow misreads a range insert into an empty vector.
    for (char c : s) bytes.push_back(static_cast<uint8_t>(c));
    return *this;
  }
  GoDumpWriter& str(std::string_view s) {
    uv(s.size());
    return raw(s);
  }
  GoDumpWriter& params(std::string_view version = "go1.19.8") {
    uv(6).uv(0).uv(8).uv(0xc000000000).uv(0xc004000000).str("amd64").str(version).uv(2);
    return *this;
  }
  // An object whose contents hold `words` (little-endian, 8 bytes each); `ptrWords` are the
  // indices of the words listed as pointer fields.
  GoDumpWriter& object(uint64_t addr, const std::vector<uint64_t>& words, const std::vector<uint64_t>& ptrWords = {}) {
    uv(1).uv(addr);
    memrange(words);
    for (uint64_t w : ptrWords) uv(1).uv(w * 8);
    return uv(0);
  }
  GoDumpWriter& segment(bool bss, uint64_t addr, const std::vector<uint64_t>& words,
                        const std::vector<uint64_t>& ptrWords) {
    uv(bss ? 13 : 12).uv(addr);
    memrange(words);
    for (uint64_t w : ptrWords) uv(1).uv(w * 8);
    return uv(0);
  }
  GoDumpWriter& goroutine(uint64_t goid, uint64_t status, std::string_view waitReason) {
    uv(4).uv(0xc000001000 + goid).uv(0xc000100000).uv(goid).uv(0x401000).uv(status).uv(0).uv(0).uv(0);
    str(waitReason);
    return uv(0).uv(0).uv(0).uv(0);
  }
  GoDumpWriter& frame(uint64_t depth, std::string_view function, const std::vector<uint64_t>& words,
                      const std::vector<uint64_t>& ptrWords) {
    uv(5).uv(0xc000100000 + depth * 0x100).uv(depth).uv(depth ? 0xc000100000 : 0);
    memrange(words);
    uv(0x401000).uv(0x401010).uv(0x401010).str(function);
    for (uint64_t w : ptrWords) uv(1).uv(w * 8);
    return uv(0);
  }
  GoDumpWriter& memstats(uint64_t heapObjects) {
    uv(10);
    for (int i = 0; i < 281; ++i) uv(i == 11 ? heapObjects : 0);
    return *this;
  }
  GoDumpWriter& memprof(uint64_t id, uint64_t size, std::string_view function, std::string_view file, uint64_t line) {
    uv(16).uv(id).uv(size).uv(1).str(function).str(file).uv(line).uv(1).uv(0);
    return *this;
  }
  GoDumpWriter& sample(uint64_t addr, uint64_t bucket) { return uv(17).uv(addr).uv(bucket); }
  GoDumpWriter& type(uint64_t addr, uint64_t size, std::string_view name) {
    uv(3).uv(addr).uv(size).str(name);
    return uv(1);
  }
  GoDumpWriter& itab(uint64_t addr, uint64_t type) { return uv(8).uv(addr).uv(type); }
  GoDumpWriter& otherRoot(std::string_view description, uint64_t ptr) {
    uv(2).str(description);
    return uv(ptr);
  }
  GoDumpWriter& eof() { return uv(0); }

private:
  void memrange(const std::vector<uint64_t>& words) {
    uv(words.size() * 8);
    for (uint64_t w : words)
      for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(w >> (8 * i)));
  }
};

}  // namespace heaplens::gotest
