// MoarTestWriter: writes small but well-formed .mvmheap v3 files for the tests.
//
// The layout follows /work/shared/reference/moar.md as MoarVM writes it:
// header, filemeta, per snapshot the JSON snapmeta, zstd column blocks
// (18-byte header, size field 0, frames without content size), strings /
// types / static frames added since the last snapshot, highscores, an inner
// toc and a full outer toc copy; at the end an empty inner toc and the final
// outer toc. Tests use it to plant exact faults (an out-of-range index) that
// cannot be made by flipping bits of a compressed real file.
//
// Threading: test-only, single thread.
#pragma once

#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace heaplens::moar::testing {

struct MiniSnapshot {
  std::vector<uint16_t> kind, size;
  std::vector<uint32_t> tofi, rfcnt;
  std::vector<uint64_t> rfstr, usize, descr, target;
  std::vector<uint64_t> topIds, topScore;  // 4 boards x 40; zeros when empty
  std::vector<std::string> newStrings;
  std::vector<std::array<uint32_t, 2>> newTypes;   // repr, type name (string indices)
  std::vector<std::array<uint32_t, 4>> newFrames;  // name, cuid, line, file
  uint64_t gcSeq = 1, time = 1000;
  std::optional<uint64_t> totalRefs;  // overrides the value computed from colrfcnt
};

class MoarTestWriter {
public:
  std::vector<uint8_t> write(const std::vector<MiniSnapshot>& snaps, bool finalToc = true) {
    out_.clear();
    put("MoarHeapDumpv003", 16);
    std::vector<Entry> outer;
    outer.push_back(json("filemeta",
                         "{ \"subversion\": 1, \"start_time\": 500, \"pid\": 42, \"highscore_structure\": { "
                         "\"entry_count\": 40, \"data_order\": [\"types_by_count\", \"frames_by_count\", "
                         "\"types_by_size\", \"frames_by_size\"]}}"));
    for (const MiniSnapshot& s : snaps) {
      std::vector<Entry> inner;
      uint64_t refs = 0, heap = 0, objs = 0;
      for (size_t i = 0; i < s.kind.size(); ++i) {
        refs += i < s.rfcnt.size() ? s.rfcnt[i] : 0;
        heap += (i < s.size.size() ? s.size[i] : 0) + (i < s.usize.size() ? s.usize[i] : 0);
        objs += s.kind[i] == 1;
      }
      std::string meta = "{ \"snap_time\": " + std::to_string(s.time) + ", \"gc_seq_num\": " + std::to_string(s.gcSeq) +
                         ", \"total_heap_size\": " + std::to_string(heap) + ", \"total_objects\": " + std::to_string(objs) +
                         ", \"total_typeobjects\": 0, \"total_stables\": 0, \"total_frames\": 0, \"total_refs\": " +
                         std::to_string(s.totalRefs.value_or(refs)) + " }";
      inner.push_back(json("snapmeta", meta));
      inner.push_back(column("colkind", s.kind));
      inner.push_back(column("colsize", s.size));
      inner.push_back(column("coltofi", s.tofi));
      inner.push_back(column("colrfcnt", s.rfcnt));
      inner.push_back(column("colrfstr", s.rfstr));
      inner.push_back(column("colusize", s.usize));
      inner.push_back(column("refdescr", s.descr));
      inner.push_back(column("reftrget", s.target));
      if (!s.newStrings.empty()) {
        std::vector<uint8_t> raw;
        for (const std::string& str : s.newStrings) {
          uint32_t len = static_cast<uint32_t>(str.size());
          raw.insert(raw.end(), reinterpret_cast<uint8_t*>(&len), reinterpret_cast<uint8_t*>(&len) + 4);
          raw.insert(raw.end(), str.begin(), str.end());
        }
        Entry e{"strings", out_.size(), 0};
        putKind("strings");
        putU64(0);
        putBytes(compress(raw));
        e.end = out_.size();
        inner.push_back(e);
      }
      if (!s.newTypes.empty()) {
        std::vector<uint32_t> repr, name;
        for (auto& t : s.newTypes) repr.push_back(t[0]), name.push_back(t[1]);
        inner.push_back(column("reprname", repr));
        inner.push_back(column("typename", name));
      }
      if (!s.newFrames.empty()) {
        std::vector<uint32_t> c[4];
        for (auto& f : s.newFrames)
          for (int k = 0; k < 4; ++k) c[k].push_back(f[k]);
        inner.push_back(column("sfname", c[0]));
        inner.push_back(column("sfcuid", c[1]));
        inner.push_back(column("sfline", c[2]));
        inner.push_back(column("sffile", c[3]));
      }
      std::vector<uint64_t> ids = s.topIds, scores = s.topScore;
      ids.resize(160, 0);
      scores.resize(160, 0);
      inner.push_back(column("topIDs", ids));
      inner.push_back(column("topscore", scores));
      outer.push_back(toc(inner));
      toc(outer);  // the intermediate full outer toc MoarVM writes after every snapshot
    }
    if (finalToc) {
      outer.push_back(toc({}));
      toc(outer);
    }
    return out_;
  }

private:
  struct Entry {
    std::string kind;
    uint64_t start, end;
  };
  void put(const void* p, size_t n) { out_.insert(out_.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n); }
  void putBytes(const std::vector<uint8_t>& v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void putU64(uint64_t v) { put(&v, 8); }
  void putKind(const std::string& k) {
    char name[8] = {};
    std::memcpy(name, k.data(), std::min<size_t>(8, k.size()));
    put(name, 8);
  }
  static std::vector<uint8_t> compress(const std::vector<uint8_t>& raw) {
    // Like MoarVM's streaming writer: no content size in the frame header.
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 9);
    ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
    std::vector<uint8_t> out(ZSTD_compressBound(raw.size()));
    size_t n = ZSTD_compress2(c, out.data(), out.size(), raw.data(), raw.size());
    ZSTD_freeCCtx(c);
    if (ZSTD_isError(n)) throw std::runtime_error("zstd compress failed");
    out.resize(n);
    return out;
  }
  template <typename T>
  Entry column(const std::string& kind, const std::vector<T>& values) {
    Entry e{kind, out_.size(), 0};
    putKind(kind);
    uint16_t es = sizeof(T);
    put(&es, 2);
    putU64(0);
    std::vector<uint8_t> raw(values.size() * sizeof(T));
    if (!raw.empty()) std::memcpy(raw.data(), values.data(), raw.size());
    putBytes(compress(raw));
    e.end = out_.size();
    return e;
  }
  Entry json(const std::string& kind, const std::string& text) {
    Entry e{kind, out_.size(), 0};
    putKind(kind);
    putU64(text.size() + 1);
    put(text.c_str(), text.size() + 1);
    e.end = out_.size();
    return e;
  }
  // Writes a toc; returns its entry for the parent (end = offset of its trailer).
  Entry toc(const std::vector<Entry>& entries) {
    Entry e{"toc", out_.size(), 0};
    putKind("toc");
    putU64(entries.size());
    for (const Entry& x : entries) {
      putKind(x.kind);
      putU64(x.start);
      putU64(x.end);
    }
    e.end = out_.size();
    putU64(e.start);
    return e;
  }
  std::vector<uint8_t> out_;
};

// Writes the same snapshots in format v2, as MoarVM's *_ver2 writers do (src/profiler/heapsnapshot.c):
// per snapshot "coll" (28-byte records), "refs" (records of the narrowest width, '0' '1' '3' '6',
// that holds both the index and the target), "strs" (the index of its first string, then
// u64-length strings), "type" and "fram" (each 32-bit field written as 8 bytes from its address,
// so the high half is the struct's next field); at the end an empty strs/type/fram group and
// the index. `finish` false leaves out what MoarVM writes when profiling ends (a killed process).
inline std::vector<uint8_t> writeV2(const std::vector<MiniSnapshot>& snaps, bool finish = true) {
  std::vector<uint8_t> out;
  auto put = [&](const void* p, size_t n) {
    out.insert(out.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  };
  auto u64 = [&](uint64_t v) { put(&v, 8); };
  put("MoarHeapDumpv002", 16);
  uint64_t strings = 0;
  std::vector<std::array<uint64_t, 4>> index;
  auto tables = [&](const MiniSnapshot* s) {
    put("strs", 4);
    u64(strings);
    if (s)
      for (const std::string& str : s->newStrings) {
        u64(str.size());
        put(str.data(), str.size());
        ++strings;
      }
    put("type", 4);
    u64(s ? s->newTypes.size() : 0);
    u64(16);
    if (s)
      for (size_t i = 0; i < s->newTypes.size(); ++i) {
        const uint32_t next = i + 1 < s->newTypes.size() ? s->newTypes[i + 1][0] : 0;
        u64(s->newTypes[i][0] | uint64_t{s->newTypes[i][1]} << 32);
        u64(s->newTypes[i][1] | uint64_t{next} << 32);
      }
    put("fram", 4);
    u64(s ? s->newFrames.size() : 0);
    u64(32);
    if (s)
      for (size_t i = 0; i < s->newFrames.size(); ++i) {
        const auto& f = s->newFrames[i];
        const uint32_t next = i + 1 < s->newFrames.size() ? s->newFrames[i + 1][0] : 0;
        for (int k = 0; k < 4; ++k) u64(f[k] | uint64_t{k < 3 ? f[k + 1] : next} << 32);
      }
  };
  for (const MiniSnapshot& s : snaps) {
    const uint64_t collStart = out.size();
    put("coll", 4);
    u64(s.kind.size());
    u64(28);
    for (size_t i = 0; i < s.kind.size(); ++i) {
      const uint16_t kind = s.kind[i], size = i < s.size.size() ? s.size[i] : 0;
      const uint32_t tofi = i < s.tofi.size() ? s.tofi[i] : 0, cnt = i < s.rfcnt.size() ? s.rfcnt[i] : 0;
      put(&kind, 2);
      put(&tofi, 4);
      put(&size, 2);
      u64(i < s.usize.size() ? s.usize[i] : 0);
      u64(cnt && i < s.rfstr.size() ? s.rfstr[i] : 0);
      put(&cnt, 4);
    }
    const uint64_t refsStart = out.size();
    put("refs", 4);
    u64(s.target.size());
    u64(17);
    for (size_t j = 0; j < s.target.size(); ++j) {
      const uint8_t kind = static_cast<uint8_t>(s.descr[j] & 3);
      const uint64_t idx = s.descr[j] >> 2, tgt = s.target[j], mx = std::max(idx, tgt);
      if (mx + 1 >= uint64_t{1} << 32) {
        put("6", 1), put(&kind, 1), u64(idx), u64(tgt);
      } else if (mx + 1 >= 1u << 16) {
        const uint32_t a = static_cast<uint32_t>(idx), b = static_cast<uint32_t>(tgt);
        put("3", 1), put(&kind, 1), put(&a, 4), put(&b, 4);
      } else if (mx + 1 >= 1u << 8) {
        const uint16_t a = static_cast<uint16_t>(idx), b = static_cast<uint16_t>(tgt);
        put("1", 1), put(&kind, 1), put(&a, 2), put(&b, 2);
      } else {
        const uint8_t a = static_cast<uint8_t>(idx), b = static_cast<uint8_t>(tgt);
        put("0", 1), put(&kind, 1), put(&a, 1), put(&b, 1);
      }
    }
    index.push_back({refsStart - collStart, out.size() - refsStart, 0, 0});
    tables(&s);
  }
  if (finish) {
    tables(nullptr);
    for (const auto& e : index)
      for (uint64_t v : e) u64(v);
    u64(12);  // the last group's strs, type and fram sizes
    u64(20);
    u64(20);
    u64(index.size());
  }
  return out;
}

// A three-collectable snapshot: Root -> Thread Roots -> one Foo object, with one named ref.
inline MiniSnapshot tinySnapshot(bool withTables) {
  MiniSnapshot s;
  s.kind = {9, 8, 1, 4};
  s.size = {0, 0, 48, 168};
  s.tofi = {0, 0, 0, 0};
  s.rfcnt = {1, 1, 0, 1};
  s.rfstr = {2, 1, 0, 0};  // deliberately not in collectable order
  s.usize = {0, 0, 16, 0};
  s.descr = {(0ull << 2) | 2, (1ull << 2) | 2, (5ull << 2) | 1};  // $x, Thread Roots, [5]
  s.target = {2, 3, 1};
  if (withTables) {
    s.newStrings = {"$x", "Thread Roots", "P6opaque", "Foo", "main", "t.raku", "1"};
    s.newTypes = {{2, 3}};
    s.newFrames = {{4, 6, 7, 5}};
  }
  return s;
}

}  // namespace heaplens::moar::testing
