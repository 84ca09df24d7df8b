// StringTable: one character buffer plus an open-addressing index of ids.
//
// The index stores ids only (4 bytes a slot) and compares candidates against
// the buffer, so rehashing on growth never copies strings and a string_view
// handed out by get() stays valid until the next intern() that grows chars_.
//
// Threading: filled on one thread (the builder's), then read-only.
#include "analysis/StringTable.h"

#include <functional>
#include <string>

namespace heaplens {

namespace {
constexpr uint32_t kEmptySlot = kNoString;

size_t hashOf(std::string_view s) { return std::hash<std::string_view>{}(s); }
}  // namespace

StringTable::StringTable() {
  offsets_.push_back(0);
  offsets_.push_back(0);  // id 0: the empty string
  slots_.assign(16, kEmptySlot);
  slots_[hashOf({}) & (slots_.size() - 1)] = 0;
}

void StringTable::grow() {
  std::vector<uint32_t> slots(slots_.size() * 2, kEmptySlot);
  const size_t mask = slots.size() - 1;
  for (StringId id = 0; id < size(); ++id) {
    size_t i = hashOf(get(id)) & mask;
    while (slots[i] != kEmptySlot) i = (i + 1) & mask;
    slots[i] = id;
  }
  slots_.swap(slots);
}

size_t StringTable::slotFor(std::string_view s) const {
  const size_t mask = slots_.size() - 1;
  size_t i = hashOf(s) & mask;
  while (slots_[i] != kEmptySlot && get(slots_[i]) != s) i = (i + 1) & mask;
  return i;
}

StringId StringTable::intern(std::string_view s) {
  // Keep the load factor at or below one half so probe chains stay short.
  if ((static_cast<size_t>(size()) + 1) * 2 > slots_.size()) grow();
  const size_t i = slotFor(s);
  if (slots_[i] != kEmptySlot) return slots_[i];
  std::string copy;
  if (!chars_.empty() && s.data() >= chars_.data() && s.data() < chars_.data() + chars_.size()) {
    copy = s;  // s views our own buffer, which insert() may reallocate: copy it first
    s = copy;
  }
  const StringId id = size();
  chars_.insert(chars_.end(), s.begin(), s.end());
  offsets_.push_back(chars_.size());
  slots_[i] = id;
  return id;
}

bool StringTable::find(std::string_view s, StringId& out) const {
  const size_t i = slotFor(s);
  if (slots_[i] == kEmptySlot) return false;
  out = slots_[i];
  return true;
}

uint64_t StringTable::memoryBytes() const {
  return chars_.capacity() + offsets_.capacity() * sizeof(uint64_t) + slots_.capacity() * sizeof(uint32_t);
}

}  // namespace heaplens
