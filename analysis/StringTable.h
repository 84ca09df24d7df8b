// StringTable: interned strings for type names, labels, functions and files.
//
// Strings are appended to one character buffer and found again through a hash
// index, so each distinct string is stored once and named by a dense id.
// Id 0 is always the empty string.
//
// Threading: filled on one thread (the builder's), then read-only.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace heaplens {

using StringId = uint32_t;
// Never a string's id (the table's empty hash slots hold it): free for "no string yet".
inline constexpr StringId kNoString = 0xFFFFFFFFu;

class StringTable {
public:
  StringTable();

  StringId intern(std::string_view s);
  // Id of s if it was interned, otherwise returns false.
  bool find(std::string_view s, StringId& out) const;
  std::string_view get(StringId id) const {
    return std::string_view(chars_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  uint32_t size() const { return static_cast<uint32_t>(offsets_.size() - 1); }
  uint64_t memoryBytes() const;

private:
  void grow();
  // The slot holding s, or the empty slot where it would go.
  size_t slotFor(std::string_view s) const;
  std::vector<char> chars_;
  std::vector<uint64_t> offsets_;  // size()+1 entries
  // Open-addressing hash index of ids (0xFFFFFFFF = empty slot); a power-of-two size.
  std::vector<uint32_t> slots_;
};

}  // namespace heaplens
