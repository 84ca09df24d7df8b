// GoTyping: type propagation over a Go dump's objects (see GoTyping.h).
//
// Threading: see GoTyping.h.
#include "analysis/formats/go/exe/GoTyping.h"

#include <algorithm>

namespace heaplens::go {

GoTyping::GoTyping(const GoExecutable& exe, const GoScan& scan, const GoObjectLookup& lookup)
    : exe_(exe), scan_(scan), lookup_(lookup), ptr_(static_cast<unsigned>(scan.params.ptrSize)) {
  state_.assign(scan.objects.size(), kUntyped);
  for (const auto& [itab, type] : scan.itabs) itabType_.emplace(itab, type);
  Type s;
  s.layout.name = "string";
  s.layout.size = 1;
  stringType_ = static_cast<uint32_t>(types_.size());
  types_.push_back(std::move(s));
}

uint32_t GoTyping::typeOfDie(uint64_t die) {
  if (die == 0) return kUntyped;
  auto [it, fresh] = byDie_.emplace(die, kUntyped);
  if (!fresh) return it->second;
  Type t;
  t.die = die;
  t.layout = exe_.layout(die);
  if (t.layout.size == 0 || t.layout.name.empty()) return kUntyped;  // void, unsafe.Pointer targets
  if (types_.size() >= kTypeMask) return kUntyped;
  it->second = static_cast<uint32_t>(types_.size());
  types_.push_back(std::move(t));
  return it->second;
}

// The DWARF type behind an interface's first word, and whether the data word points at a value
// of it (a boxed value) or is itself a pointer of that type (then the pointee's type is returned).
uint32_t GoTyping::dynamicType(bool itab, uint64_t word, bool& pointer) {
  pointer = false;
  if (word == 0) return kUntyped;
  uint64_t typeAddr = word;
  if (itab) {
    auto it = itabType_.find(word);
    if (it == itabType_.end()) return kUntyped;
    typeAddr = it->second;
  }
  uint64_t die = exe_.typeForRuntimeType(typeAddr);
  if (die == 0) return kUntyped;
  uint32_t t = typeOfDie(die);
  if (t == kUntyped) return kUntyped;
  // A pointer-shaped type (*T, and map/chan typedefs of pointers) is stored in the data word itself.
  const ExeLayout& l = types_[t].layout;
  if (l.size == ptr_ && l.words.size() == 1 && l.words[0].kind == ExeWordKind::Ptr) {
    pointer = true;
    return typeOfDie(l.words[0].pointee);
  }
  return t;
}

uint32_t GoTyping::pointeeType(uint32_t type, size_t word) {
  std::vector<uint32_t>& cache = types_[type].pointee;
  if (cache.empty()) cache.assign(types_[type].layout.words.size(), kNotYet);
  if (cache[word] != kNotYet) return cache[word];
  const uint32_t t = typeOfDie(types_[type].layout.words[word].pointee);  // may grow types_
  types_[type].pointee[word] = t;
  return t;
}

void GoTyping::assign(uint32_t obj, uint32_t type, uint64_t base, bool array) {
  if (obj >= state_.size() || state_[obj] != kUntyped || type == kUntyped) return;
  const GoObjectRec& o = scan_.objects[obj];
  const uint64_t size = types_[type].layout.size;
  if (base >= o.size || size == 0) return;
  if (base > 255) return;   // deep inside a bigger value: left to a pointer at its start
  if (!array && o.size - base < size) return;  // the type does not fit: a wrong guess
  const uint32_t isArray = (array || o.size - base >= 2 * size) ? 1 : 0;
  state_[obj] = type | isArray << 22 | static_cast<uint32_t>(base) << 23;
  typedBytes_ += o.size;
  ++typedObjects_;
  queue_.push_back(obj);
}

void GoTyping::fromWord(uint32_t type, size_t w, uint32_t obj, uint64_t base, uint64_t prevValue) {
  if (obj == GoObjectLookup::kNone) return;
  switch (types_[type].layout.words[w].kind) {
    case ExeWordKind::Ptr:
      assign(obj, pointeeType(type, w), base, false);
      return;
    case ExeWordKind::SliceArray:
    case ExeWordKind::ChanBuf:
      assign(obj, pointeeType(type, w), base, true);
      return;
    case ExeWordKind::StringData:
      assign(obj, stringType_, base, true);
      return;
    case ExeWordKind::IfaceData: {
      // The word before says which: an itab (iface) or a *_type (eface); both are tried, itab first.
      bool pointer = false;
      uint32_t t = dynamicType(true, prevValue, pointer);
      if (t == kUntyped) t = dynamicType(false, prevValue, pointer);
      assign(obj, t, base, false);
      return;
    }
    default:
      return;
  }
}

uint64_t GoTyping::rawValue(uint64_t resolved) const {
  if (!GoResolvedWord::inObject(resolved)) return resolved;
  return scan_.objects[GoResolvedWord::object(resolved)].addr + GoResolvedWord::offset(resolved);
}

void GoTyping::seedRoot(uint64_t slotType, uint64_t within, uint64_t value, uint64_t prevValue) {
  uint32_t t = typeOfDie(slotType);
  if (t == kUntyped || value == 0) return;
  const uint64_t w = within / ptr_;
  if (w >= types_[t].layout.words.size()) return;
  const uint32_t obj = lookup_.find(value);
  if (obj == GoObjectLookup::kNone) return;
  fromWord(t, w, obj, value - scan_.objects[obj].addr, prevValue);
}

void GoTyping::run(const TaskContext& ctx) {
  // Go ≥ 1.22 malloc headers: the object's own *_type, authoritative; the value starts after it.
  for (const auto& [addr, typeAddr] : scan_.headerWords) {
    uint32_t obj = lookup_.find(addr);
    if (obj == GoObjectLookup::kNone || scan_.objects[obj].addr != addr) continue;
    uint32_t t = typeOfDie(exe_.typeForRuntimeType(typeAddr));
    if (t != kUntyped) assign(obj, t, ptr_, false);
  }
  const bool withOffsets = scan_.objectPtrWords.size() == scan_.objectPtrs.size();
  if (!withOffsets) return;
  const uint64_t* ptrs = scan_.objectPtrs.data();
  for (size_t q = 0; q < queue_.size(); ++q) {
    if ((q & kPollMask) == 0) ctx.checkCancelled();
    // The queue is in no address order: fetch ahead an object record, then its pointer words, then
    // the records and states of the objects they point into (the words say which: no lookup).
    if (q + 16 < queue_.size()) __builtin_prefetch(&scan_.objects[queue_[q + 16]]);
    if (q + 8 < queue_.size()) {
      const GoObjectRec& ahead = scan_.objects[queue_[q + 8]];
      if (ahead.ptrCount) {
        __builtin_prefetch(&ptrs[ahead.ptrBegin]);
        __builtin_prefetch(&scan_.objectPtrWords[ahead.ptrBegin]);
      }
    }
    if (q + 4 < queue_.size()) {
      const GoObjectRec& ahead = scan_.objects[queue_[q + 4]];
      for (uint32_t k = 0, end = std::min<uint32_t>(ahead.ptrCount, 8); k < end; ++k) {
        const uint64_t word = ptrs[ahead.ptrBegin + k];
        if (!GoResolvedWord::inObject(word)) continue;
        __builtin_prefetch(&state_[GoResolvedWord::object(word)]);
        __builtin_prefetch(&scan_.objects[GoResolvedWord::object(word)]);
      }
    }
    const uint32_t obj = queue_[q];
    const GoObjectRec& o = scan_.objects[obj];
    const uint32_t t = typeOf(obj);
    const uint64_t base = baseOf(obj);
    const uint64_t size = types_[t].layout.size;
    const bool array = arrayOf(obj);
    GoFieldOffsets offsets(scan_, o);
    uint64_t prevOff = UINT64_MAX;
    for (uint32_t k = 0; k < o.ptrCount; ++k) {
      const uint64_t off = offsets.next();
      const uint64_t before = prevOff;
      prevOff = off;
      const uint64_t word = ptrs[o.ptrBegin + k];
      if (!GoResolvedWord::inObject(word) || off < base) continue;
      uint64_t rel = off - base;
      if (!array && rel >= size) continue;
      uint64_t w = (rel % size) / ptr_;
      const std::vector<ExeWord>& words = types_[t].layout.words;
      if (w >= words.size() || words[w].kind == ExeWordKind::None) continue;
      uint64_t prev = 0;
      if (words[w].kind == ExeWordKind::IfaceData && k > 0 && before + ptr_ == off)
        prev = rawValue(ptrs[o.ptrBegin + k - 1]);
      // Prefetch the next pointee's state while this one is assigned (objects with many pointers).
      if (k + 4 < o.ptrCount && GoResolvedWord::inObject(ptrs[o.ptrBegin + k + 4]))
        __builtin_prefetch(&state_[GoResolvedWord::object(ptrs[o.ptrBegin + k + 4])]);
      fromWord(t, w, GoResolvedWord::object(word), GoResolvedWord::offset(word), prev);
    }
  }
  std::vector<uint32_t>().swap(queue_);
}

std::string GoTyping::typeName(uint32_t obj) const {
  const uint32_t t = typeOf(obj);
  const ExeLayout& l = types_[t].layout;
  if (!arrayOf(obj) || t == stringType_) return l.name;
  uint64_t n = (scan_.objects[obj].size - baseOf(obj)) / l.size;
  return std::string("[").append(std::to_string(n)).append("]").append(l.name);
}

uint64_t GoTyping::typeKey(uint32_t obj) const {
  const uint32_t t = typeOf(obj);
  if (!arrayOf(obj) || t == stringType_) return uint64_t{t} << 32 | 0xffffffffu;
  const uint64_t n = (scan_.objects[obj].size - baseOf(obj)) / types_[t].layout.size;
  return uint64_t{t} << 32 | std::min<uint64_t>(n, 0xfffffffeu);
}

GoTyping::Label GoTyping::label(uint32_t obj, uint64_t offset) const {
  Label out;
  if (!typed(obj)) return out;
  const uint32_t t = typeOf(obj);
  if (t == stringType_ || offset < baseOf(obj)) return out;
  const Type& type = types_[t];
  const uint64_t size = type.layout.size, rel = offset - baseOf(obj);
  if (arrayOf(obj) && size == ptr_) {
    out.index = static_cast<int64_t>(rel / size);
    return out;
  }
  if (!arrayOf(obj) && rel >= size) return out;
  uint64_t w = (rel % size) / ptr_;
  if (labelCache_.size() < types_.size()) labelCache_.resize(types_.size());
  std::vector<std::string>& cache = labelCache_[t];
  if (cache.empty()) {
    cache.resize(type.layout.words.size());
    for (size_t i = 0; i < cache.size(); ++i)
      if (type.layout.words[i].kind != ExeWordKind::None) cache[i] = exe_.fieldPath(type.die, i * ptr_);
  }
  if (w < cache.size() && !cache[w].empty()) out.name = &cache[w];
  return out;
}

}  // namespace heaplens::go
