// GoTyping: types for a Go dump's objects, propagated from typed roots through pointer fields.
//
// A Go heap dump's objects carry no type (reference/go.md §1.3). As viewcore does for core files,
// types flow from what the executable's DWARF types: a global variable or a stack slot gives the
// type of what each of its pointer words points at; an object so typed gives the types of its
// own pointees, breadth first, the first type to reach an object winning. Go ≥ 1.22's malloc
// header (*_type at the start of pointerful objects over 512 B) types an object outright and
// seeds the walk too. Per word of a type (ExeLayout):
//   - *T types the object pointed at as T; when the object is at least twice T's size, as an array
//     of T (a map's bucket array, an append-grown backing array);
//   - a slice's array word types its object as an array of the element type, a channel's buffer
//     as an array of its element type, a string's word as string bytes;
//   - an interface's data word takes the dynamic type from the word before it: the itab (through
//     the dump's itab records) or the *_type, mapped to DWARF by DW_AT_go_runtime_type; a pointer
//     type types the pointee, any other type is a boxed value of that type.
// Maps are typed from the runtime's DWARF layouts (hash<K,V> with its buckets, bucket<K,V> with
// keys, values and overflow) of Go ≤ 1.23; Go 1.24's swiss tables (groups of slots behind a
// directory) have other DWARF names and stay untyped below the map header.
//
// An object is named "example.com/app/cart.Item", or "[N]T" for an array, or "string" for string
// bytes; its edges are labelled by field path ("Items", "Tags") or element index ("[12]").
//
// Threading: on the loading worker.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/formats/go/GoGraph.h"
#include "analysis/formats/go/GoRecords.h"
#include "analysis/TaskContext.h"
#include "analysis/formats/go/exe/GoExecutable.h"

namespace heaplens::go {

class GoTyping {
public:
  static constexpr uint32_t kUntyped = UINT32_MAX;

  // `scan.objects` sorted by address, `scan.objectPtrs` resolved in place (GoResolvedWord): the walk
  // reuses the graph's lookups instead of its own. `lookup` is for the roots' and headers' words.
  GoTyping(const GoExecutable& exe, const GoScan& scan, const GoObjectLookup& lookup);

  // A root's pointer word: `slotType` is the DWARF type of the variable holding it, `within` the
  // word's offset in it, `prevValue` the word before it (an interface's itab or type).
  void seedRoot(uint64_t slotType, uint64_t within, uint64_t value, uint64_t prevValue);
  // Malloc headers, then the walk from everything seeded.
  void run(const TaskContext& ctx);

  bool typed(uint32_t obj) const { return state_[obj] != kUntyped; }
  // The object's type name ("example.com/app/cart.Item", "[64]*example.com/app/cart.Item", "string").
  std::string typeName(uint32_t obj) const;
  // A key for typeName(): equal keys, equal names (for caching type ids).
  uint64_t typeKey(uint32_t obj) const;
  // The label of the object's pointer at byte `offset`: a field path, or an element index
  // (index >= 0), or nothing ("" and -1).
  struct Label {
    const std::string* name = nullptr;
    int64_t index = -1;
  };
  Label label(uint32_t obj, uint64_t offset) const;
  uint64_t typedBytes() const { return typedBytes_; }
  uint64_t typedObjects() const { return typedObjects_; }

private:
  static constexpr uint32_t kNotYet = UINT32_MAX - 1;
  struct Type {
    ExeLayout layout;
    uint64_t die = 0;
    std::vector<uint32_t> pointee;  // per word, typeOfDie(its pointee) once asked (kNotYet before)
  };
  uint32_t typeOfDie(uint64_t die);
  uint32_t pointeeType(uint32_t type, size_t word);
  uint32_t dynamicType(bool itab, uint64_t word, bool& pointee);
  void assign(uint32_t obj, uint32_t type, uint64_t base, bool array);
  // Word `w` of type `type` points into object `obj` (GoObjectLookup::kNone: none), `base` bytes in.
  void fromWord(uint32_t type, size_t w, uint32_t obj, uint64_t base, uint64_t prevValue);
  // An object pointer word's value as it was before it was resolved.
  uint64_t rawValue(uint64_t resolved) const;

  const GoExecutable& exe_;
  const GoScan& scan_;
  const GoObjectLookup& lookup_;
  const unsigned ptr_;
  std::vector<Type> types_;
  std::unordered_map<uint64_t, uint32_t> byDie_;
  std::unordered_map<uint64_t, uint64_t> itabType_;
  uint32_t stringType_ = kUntyped;
  // Per object, one word (one cache miss): bits 0-21 the type, bit 22 "an array of it", bits 23-30
  // the offset of the typed value in the object (8 after a malloc header); kUntyped when untyped.
  std::vector<uint32_t> state_;
  static constexpr uint32_t kTypeMask = 0x3fffff;
  uint32_t typeOf(uint32_t obj) const { return state_[obj] & kTypeMask; }
  bool arrayOf(uint32_t obj) const { return (state_[obj] >> 22) & 1; }
  uint32_t baseOf(uint32_t obj) const { return (state_[obj] >> 23) & 0xff; }
  std::vector<uint32_t> queue_;
  uint64_t typedBytes_ = 0, typedObjects_ = 0;
  mutable std::vector<std::vector<std::string>> labelCache_;
};

}  // namespace heaplens::go
