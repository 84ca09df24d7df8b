// MoarFileV2: reads MoarVM heap snapshot files of format v2 ("MoarHeapDumpv002") into MoarFile's columns.
//
// A MoarVM built without libzstd (Debian's and Ubuntu's moarvm package) writes
// v2 (MoarVM's src/profiler/heapsnapshot.c, the *_ver2 writers). The file is
// the 16-byte header, then per snapshot, in the order it was taken:
//
//   "coll" u64 n  u64 28   n x {u16 kind, u32 type_or_frame, u16 size, u64 unmanaged, u64 refs_start, u32 num_refs}
//   "refs" u64 n  u64 17   n x {char width ('0' '1' '3' '6': 1, 2, 4, 8 bytes), u8 ref kind, uW index, uW target}
//   "strs" u64 first       {u64 length, bytes}* up to the next tag (the strings added since the last "strs")
//   "type" u64 n  u64 16   n x {u64 repr name, u64 type name}       (types added since the last "type")
//   "fram" u64 n  u64 32   n x {u64 name, u64 cuid, u64 line, u64 file}  (static frames added since)
//
// The type and static-frame fields are 32-bit in MoarVM's structs but written
// with fwrite(&field, 8, ...): each u64 holds its field in the low half and
// the struct's next field (or whatever follows the array) in the high half.
// Only the low 32 bits are the value.
//
// and at profile end one more strs/type/fram group (normally empty) and an
// index: per snapshot {collectables bytes, refs bytes, refs midpoint, 0}, then
// the last group's three sizes and the number of snapshots. A snapshot refers
// to strings, types and static frames written in its own group or before, as
// in v3; the tables are global to the file. Tags are 4 bytes with no NUL and
// nothing has a compressed form, so the file is read in one sequential pass
// that records where each snapshot's two big blocks lie (the variable-width
// reference records are stepped over, not decoded) and reads the tables; the
// index only confirms the sizes. A group cut short (a killed process) ends the
// pass and the snapshots before it are kept. readColumnsV2() decodes one
// snapshot's records into the same columns v3 hands out (the same widths and
// the same packing of reference kinds and indices), so MoarFormat builds the
// same model from either version.
//
// Threading: as MoarFile; readColumnsV2 decodes the two blocks on two threads.
#include <algorithm>
#include <cstring>
#include <exception>
#include <thread>

#include "analysis/HeapGraph.h"
#include "analysis/Text.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/moar/MoarFile.h"

namespace heaplens::moar {
namespace {

constexpr uint64_t kBlockHeader = 20;       // tag[4], u64 count, u64 entry size
constexpr uint64_t kCollRecord = 28;        // 2 + 4 + 2 + 8 + 8 + 4, written field by field (no padding)
constexpr uint64_t kRefsHeaderEntry = 17;   // what MoarVM writes as the refs "entry size" (2 x u64 + 1)
constexpr uint64_t kIndexEntry = 32;        // four u64 per snapshot

template <typename T> T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

[[noreturn]] void failV2(const std::string& msg, std::optional<uint64_t> offset = std::nullopt) {
  throw LoadError("mvmheap v2: " + msg, offset);
}

// The byte width of a reference record's two integers, from its marker; 0 when the marker is unknown.
unsigned refWidth(uint8_t marker) {
  switch (marker) {
    case '0': return 1;
    case '1': return 2;
    case '3': return 4;
    case '6': return 8;
    default: return 0;
  }
}

uint64_t readWidth(const uint8_t* p, unsigned w) {
  switch (w) {
    case 1: return *p;
    case 2: return load<uint16_t>(p);
    case 4: return load<uint32_t>(p);
    default: return load<uint64_t>(p);
  }
}

std::string tagText(std::span<const uint8_t> bytes, uint64_t at) {
  if (at >= bytes.size()) return {};
  const size_t n = static_cast<size_t>(std::min<uint64_t>(4, bytes.size() - at));
  return printable({reinterpret_cast<const char*>(bytes.data() + at), n});
}

// Why the sequential pass stopped before the end of the file.
struct Stop {
  std::string why;
  uint64_t offset = 0;
  bool cutShort = false;  // the file ends inside a block (rather than holding something unexpected)
};

}  // namespace

void MoarFile::parseV2(const TaskContext& ctx) {
  const uint8_t* d = bytes_.data();
  const uint64_t size = bytes_.size();
  uint64_t pos = kMagicV2.size();
  std::optional<Stop> stop;
  auto stopAt = [&](std::string why, uint64_t offset, bool cutShort) { stop = Stop{std::move(why), offset, cutShort}; };
  auto isTag = [&](uint64_t at, const char* tag) { return at + 4 <= size && std::memcmp(d + at, tag, 4) == 0; };
  // The name of the group being read, for messages: a snapshot, or the tables written at profile end.
  bool sawIndex = false;

  while (pos < size && !stop) {
    ctx.checkCancelled();
    const std::string snapName = "snapshot " + std::to_string(snapshots_.size());
    // The index that ends a finished file: 32 bytes per snapshot and four u64, the last one the count.
    if (size - pos >= 32 && (size - pos) % kIndexEntry == 0 && load<uint64_t>(d + size - 8) == (size - pos) / kIndexEntry - 1 &&
        !isTag(pos, "coll") && !isTag(pos, "strs")) {
      const uint64_t entries = (size - pos) / kIndexEntry - 1;
      if (entries != snapshots_.size())
        warnings_.push_back("mvmheap v2: the index at byte " + formatCount(pos) + " lists " + formatCount(entries) +
                            " snapshots but the file holds " + formatCount(snapshots_.size()));
      for (uint64_t i = 0; i < std::min<uint64_t>(entries, snapshots_.size()); ++i) {
        const SnapshotEntry& s = snapshots_[i];
        const uint64_t collBytes = load<uint64_t>(d + pos + i * kIndexEntry);
        const uint64_t refsBytes = load<uint64_t>(d + pos + i * kIndexEntry + 8);
        const uint64_t haveColl = s.blocks[0].end - s.blocks[0].start, haveRefs = s.blocks[1].end - s.blocks[1].start;
        if (collBytes != haveColl || refsBytes != haveRefs) {
          warnings_.push_back("mvmheap v2: the index at byte " + formatCount(pos) + " gives snapshot " +
                              std::to_string(i) + " " + formatCount(collBytes) + " bytes of collectables and " +
                              formatCount(refsBytes) + " of references, but its blocks have " + formatCount(haveColl) +
                              " and " + formatCount(haveRefs));
          break;
        }
      }
      sawIndex = true;
      pos = size;
      break;
    }

    // One group: [coll refs] strs type fram.
    SnapshotEntry s;
    const uint64_t groupStart = pos;
    const bool hasSnapshot = isTag(pos, "coll");
    const std::string group = hasSnapshot ? snapName : "the tables written at profile end (byte " + formatCount(pos) + ")";
    // Reads a block header at `pos` with the expected tag; false (and `stop` set) when it is not there.
    auto header = [&](const char* tag, uint64_t headerBytes) {
      if (size - pos < headerBytes) {
        stopAt("the file ends at byte " + formatCount(size) + " inside the header of the \"" + tag + "\" block of " +
                   group + " (at byte " + formatCount(pos) + ")",
               pos, true);
        return false;
      }
      if (!isTag(pos, tag)) {
        stopAt("expected the \"" + std::string(tag) + "\" block of " + group + " at byte " + formatCount(pos) +
                   ", found \"" + tagText(bytes_, pos) + "\"",
               pos, false);
        return false;
      }
      return true;
    };
    auto entrySize = [&](const char* tag, uint64_t expected) {
      const uint64_t es = load<uint64_t>(d + pos + 12);
      if (es == expected) return true;
      stopAt("the \"" + std::string(tag) + "\" block of " + group + " at byte " + formatCount(pos) +
                 " says its entries have " + formatCount(es) + " bytes (expected " + std::to_string(expected) + ")",
             pos + 12, false);
      return false;
    };
    auto cutShort = [&](const char* tag, uint64_t blockStart, const std::string& what) {
      stopAt("the file ends at byte " + formatCount(size) + " inside the \"" + std::string(tag) + "\" block of " + group +
                 " (which starts at byte " + formatCount(blockStart) + "): " + what,
             blockStart, true);
    };

    if (hasSnapshot) {
      // coll: fixed-size records.
      if (!header("coll", kBlockHeader) || !entrySize("coll", kCollRecord)) break;
      const uint64_t n = load<uint64_t>(d + pos + 4);
      const uint64_t collStart = pos;
      if (n > (size - pos - kBlockHeader) / kCollRecord) {
        cutShort("coll", collStart, formatCount(n) + " collectables of 28 bytes do not fit in the " +
                                        formatCount(size - pos - kBlockHeader) + " bytes left");
        break;
      }
      pos += kBlockHeader + n * kCollRecord;
      s.blocks.push_back(BlockRef{"coll", collStart, pos});
      s.collectableCount = n;

      // refs: variable-width records, stepped over here and decoded by readColumnsV2.
      if (!header("refs", kBlockHeader) || !entrySize("refs", kRefsHeaderEntry)) break;
      const uint64_t r = load<uint64_t>(d + pos + 4);
      const uint64_t refsStart = pos;
      if (r > (size - pos - kBlockHeader) / 4) {  // the smallest record has 4 bytes
        cutShort("refs", refsStart, formatCount(r) + " references of at least 4 bytes do not fit in the " +
                                        formatCount(size - pos - kBlockHeader) + " bytes left");
        break;
      }
      uint64_t p = pos + kBlockHeader;
      bool ok = true;
      for (uint64_t j = 0; j < r; ++j) {
        if ((j & 0xFFFFF) == 0) ctx.checkCancelled();
        if (p + 2 > size) {
          cutShort("refs", refsStart, "reference " + formatCount(j) + " of " + formatCount(r) + " is missing");
          ok = false;
          break;
        }
        const unsigned w = refWidth(d[p]);
        if (w == 0) {
          stopAt("reference " + formatCount(j) + " of " + snapName + " at byte " + formatCount(p) +
                     " has the width marker \"" + tagText(bytes_, p).substr(0, 4) +
                     "\" (expected '0', '1', '3' or '6'); the \"refs\" block starts at byte " + formatCount(refsStart),
                 p, false);
          ok = false;
          break;
        }
        if (size - p < 2 + 2 * uint64_t{w}) {
          cutShort("refs", refsStart, "reference " + formatCount(j) + " of " + formatCount(r) + " is incomplete");
          ok = false;
          break;
        }
        p += 2 + 2 * w;
      }
      if (!ok) break;
      pos = p;
      s.blocks.push_back(BlockRef{"refs", refsStart, pos});
      s.referenceCount = r;
      s.meta.totalRefs = r;
    }

    // strs: u64 index of its first string, then strings up to the next tag ("type"). A length whose
    // low 4 bytes spell "type" would be over 1.7 GB: it cannot be a string of a real heap snapshot.
    if (!header("strs", 12)) break;
    const uint64_t first = load<uint64_t>(d + pos + 4);
    const uint64_t strsStart = pos;
    if (first != stringCount()) {
      stopAt("the \"strs\" block of " + group + " at byte " + formatCount(pos) + " starts at string " +
                 formatCount(first) + ", but " + formatCount(stringCount()) +
                 " strings came before it (a block is missing or damaged)",
             pos + 4, false);
      break;
    }
    pos += 12;
    bool ok = true;
    while (!isTag(pos, "type")) {
      if (size - pos < 8) {
        cutShort("strs", strsStart, "string " + formatCount(stringCount()) + " is missing");
        ok = false;
        break;
      }
      const uint64_t len = load<uint64_t>(d + pos);
      if (len > size - pos - 8) {
        cutShort("strs", strsStart, "string " + formatCount(stringCount()) + " at byte " + formatCount(pos) +
                                        " says it has " + formatCount(len) + " bytes but only " +
                                        formatCount(size - pos - 8) + " remain");
        ok = false;
        break;
      }
      if (stringCount() == UINT32_MAX - 1) failV2("more than 2^32 strings", pos);
      stringChars_.insert(stringChars_.end(), d + pos + 8, d + pos + 8 + len);
      stringOffsets_.push_back(stringChars_.size());
      pos += 8 + len;
    }
    if (!ok) break;
    const uint32_t nStrings = stringCount();
    auto checkString = [&](const char* tag, uint64_t at, const char* field, uint64_t row, uint64_t idx) {
      if (idx >= nStrings)
        failV2("the \"" + std::string(tag) + "\" block of " + group + ": entry " + formatCount(row) + " at byte " +
                 formatCount(at) + " has " + field + " string " + formatCount(idx) + " but only " +
                 formatCount(nStrings) + " strings exist at that point",
             at);
    };

    // type: (repr name, type name) string indices.
    if (!header("type", kBlockHeader) || !entrySize("type", 16)) break;
    {
      const uint64_t n = load<uint64_t>(d + pos + 4);
      const uint64_t start = pos;
      if (n > (size - pos - kBlockHeader) / 16) {
        cutShort("type", start, formatCount(n) + " types of 16 bytes do not fit in the " +
                                    formatCount(size - pos - kBlockHeader) + " bytes left");
        break;
      }
      if (types_.size() + n > UINT32_MAX) failV2("more than 2^32 types", start);
      for (uint64_t i = 0; i < n; ++i) {
        const uint64_t at = pos + kBlockHeader + i * 16;
        const uint64_t repr = load<uint32_t>(d + at), type = load<uint32_t>(d + at + 8);  // low halves (see above)
        checkString("type", at, "repr name", types_.size(), repr);
        checkString("type", at + 8, "type name", types_.size(), type);
        types_.push_back(Type{static_cast<uint32_t>(repr), static_cast<uint32_t>(type)});
      }
      pos += kBlockHeader + n * 16;
    }

    // fram: static frames (name, cuid, line, file).
    if (!header("fram", kBlockHeader) || !entrySize("fram", 32)) break;
    {
      const uint64_t n = load<uint64_t>(d + pos + 4);
      const uint64_t start = pos;
      if (n > (size - pos - kBlockHeader) / 32) {
        cutShort("fram", start, formatCount(n) + " static frames of 32 bytes do not fit in the " +
                                    formatCount(size - pos - kBlockHeader) + " bytes left");
        break;
      }
      if (frames_.size() + n > UINT32_MAX) failV2("more than 2^32 static frames", start);
      for (uint64_t i = 0; i < n; ++i) {
        const uint64_t at = pos + kBlockHeader + i * 32;
        const uint64_t name = load<uint32_t>(d + at), cuid = load<uint32_t>(d + at + 8),  // low halves (see above)
                       line = load<uint32_t>(d + at + 16), file = load<uint32_t>(d + at + 24);
        checkString("fram", at, "name", frames_.size(), name);
        checkString("fram", at + 8, "cuid", frames_.size(), cuid);
        checkString("fram", at + 24, "file", frames_.size(), file);
        frames_.push_back(StaticFrame{static_cast<uint32_t>(name), static_cast<uint32_t>(cuid),
                                      static_cast<uint32_t>(line), static_cast<uint32_t>(file)});
      }
      pos += kBlockHeader + n * 32;
    }

    if (hasSnapshot) {
      s.index = static_cast<uint32_t>(snapshots_.size());
      s.innerToc = BlockRef{"snapshot", groupStart, pos};
      s.stringsAvailable = stringCount();
      s.typesAvailable = static_cast<uint32_t>(types_.size());
      s.framesAvailable = static_cast<uint32_t>(frames_.size());
      snapshots_.push_back(std::move(s));
    }
  }

  if (stop) {
    if (snapshots_.empty()) failV2(stop->why + "; the file holds no complete snapshot", stop->offset);
    warnings_.push_back("mvmheap v2: " + stop->why + (stop->cutShort ? " (the process was probably stopped while writing it)" : "") +
                        ". Kept the " + formatCount(snapshots_.size()) + " complete snapshots before it; the " +
                        formatCount(size - stop->offset) + " bytes from byte " + formatCount(stop->offset) +
                        " to the end were ignored");
  } else if (!sawIndex && !snapshots_.empty()) {
    warnings_.push_back("mvmheap v2: the file ends at byte " + formatCount(size) +
                        " without the index MoarVM writes when profiling ends (the process was probably stopped); "
                        "all " + formatCount(snapshots_.size()) + " snapshots in it are complete");
  }
}

void MoarFile::readColumnsV2(const SnapshotEntry& s, std::span<const Column> which, const TaskContext& ctx,
                             std::string_view phase, SnapshotColumns& out, unsigned maxThreads) const {
  const std::string at = "snapshot " + std::to_string(s.index);
  bool want[kColumnCount] = {};
  for (Column c : which) want[c] = true;
  bool wantColl = false;
  for (int c = kColKind; c <= kColUnmanagedSize; ++c) wantColl |= want[c];
  const bool wantRefs = want[kRefDescr] || want[kRefTarget];

  // The widths v3's readColumns hands out (reference columns narrowed to 32 bits).
  static constexpr uint32_t kWidth[kColumnCount] = {2, 2, 4, 4, 4, 8, 4, 4, 8, 8};
  for (int c = 0; c < kColumnCount; ++c) {
    out.col[c].setSize(0);
    out.col[c].setEntrySize(kWidth[c]);
  }
  out.collectables = out.references = 0;
  const uint64_t n = s.collectableCount, r = s.referenceCount;
  auto prepare = [&](Column c, uint64_t count) -> uint8_t* {
    if (!want[c]) return nullptr;
    uint8_t* p = out.col[c].grow(std::max<uint64_t>(count * kWidth[c], 8));
    out.col[c].setSize(count * kWidth[c]);
    return p;
  };

  auto decodeColl = [&](bool report) {
    const BlockRef& b = s.blocks[0];
    uint16_t* kind = reinterpret_cast<uint16_t*>(prepare(kColKind, n));
    uint16_t* size = reinterpret_cast<uint16_t*>(prepare(kColSize, n));
    uint32_t* tofi = reinterpret_cast<uint32_t*>(prepare(kColToFi, n));
    uint32_t* rfcnt = reinterpret_cast<uint32_t*>(prepare(kColRefCount, n));
    uint32_t* rfstr = reinterpret_cast<uint32_t*>(prepare(kColRefStart, n));
    uint64_t* usize = reinterpret_cast<uint64_t*>(prepare(kColUnmanagedSize, n));
    const uint8_t* p = bytes_.data() + b.start + kBlockHeader;
    for (uint64_t i = 0; i < n; ++i, p += kCollRecord) {
      if ((i & kPollMask) == 0) {
        ctx.checkCancelled();
        if (report) ctx.report(phase, 0.5 * static_cast<double>(i) / static_cast<double>(n));
      }
      if (kind) kind[i] = load<uint16_t>(p);
      if (tofi) tofi[i] = load<uint32_t>(p + 2);
      if (size) size[i] = load<uint16_t>(p + 6);
      if (usize) usize[i] = load<uint64_t>(p + 8);
      if (rfstr) {
        const uint64_t v = load<uint64_t>(p + 16);
        if (v > UINT32_MAX)
          failV2("the \"coll\" block of " + at + ": collectable " + formatCount(i) + " at byte " +
                   formatCount(b.start + kBlockHeader + i * kCollRecord) + " says its references start at " +
                   formatCount(v) + " (more than 32 bits)",
               b.start + kBlockHeader + i * kCollRecord + 16);
        rfstr[i] = static_cast<uint32_t>(v);
      }
      if (rfcnt) rfcnt[i] = load<uint32_t>(p + 24);
    }
  };

  // Packs as v3's readColumns does: the kind in the top 2 bits, the index below
  // (index kinds clamped as EdgeLabel does; string indices must fit in 30 bits).
  auto decodeRefs = [&] {
    const BlockRef& b = s.blocks[1];
    uint32_t* descr = reinterpret_cast<uint32_t*>(prepare(kRefDescr, r));
    uint32_t* target = reinterpret_cast<uint32_t*>(prepare(kRefTarget, r));
    const uint8_t* base = bytes_.data();
    uint64_t p = b.start + kBlockHeader;
    for (uint64_t j = 0; j < r; ++j) {
      if ((j & kPollMask) == 0) ctx.checkCancelled();
      const unsigned w = refWidth(base[p]);
      if (w == 0 || b.end - p < 2 + 2 * uint64_t{w})  // parseV2 checked this; the bytes are the same
        failV2("the \"refs\" block of " + at + ": reference " + formatCount(j) + " at byte " + formatCount(p) +
                 " is malformed",
             p);
      const uint8_t kindBits = base[p + 1];
      const uint64_t idx = readWidth(base + p + 2, w), tgt = readWidth(base + p + 2 + w, w);
      if (kindBits > 3)
        failV2("the \"refs\" block of " + at + ": reference " + formatCount(j) + " at byte " + formatCount(p) +
                 " has description kind " + std::to_string(kindBits) + " (expected 0-3)",
             p + 1);
      if (kindBits == 2 && idx > kRefIndexMask)
        failV2("the \"refs\" block of " + at + ": reference " + formatCount(j) + " at byte " + formatCount(p) +
                 " names string " + formatCount(idx) + " (string indices must fit in 30 bits)",
             p + 2);
      if (tgt > UINT32_MAX)
        failV2("the \"refs\" block of " + at + ": reference " + formatCount(j) + " at byte " + formatCount(p) +
                 " points to collectable " + formatCount(tgt) + " (more than 32 bits)",
             p + 2 + w);
      if (descr)
        descr[j] = (uint32_t{kindBits} << 30) |
                   static_cast<uint32_t>(kindBits == 0 ? 0
                                                       : std::min<uint64_t>(idx, kindBits == 1 ? EdgeLabel::kValueMask
                                                                                               : kRefIndexMask));
      if (target) target[j] = static_cast<uint32_t>(tgt);
      p += 2 + 2 * w;
    }
    if (p != b.end)
      failV2("the \"refs\" block of " + at + ": its " + formatCount(r) + " references end at byte " + formatCount(p) +
               " but the block ends at byte " + formatCount(b.end),
           p);
  };

  const uint64_t blockBytes = (wantColl ? s.blocks[0].end - s.blocks[0].start : 0) +
                              (wantRefs ? s.blocks[1].end - s.blocks[1].start : 0);
  const unsigned threads = maxThreads ? maxThreads : std::max(1u, std::thread::hardware_concurrency());
  if (wantColl && wantRefs && threads > 1 && blockBytes >= (uint64_t{1} << 20)) {
    std::exception_ptr refsError;
    std::thread helper([&] {
      try {
        decodeRefs();
      } catch (...) {
        refsError = std::current_exception();
      }
    });
    std::exception_ptr collError;
    try {
      decodeColl(true);
    } catch (...) {
      collError = std::current_exception();
    }
    helper.join();
    if (collError) std::rethrow_exception(collError);
    if (refsError) std::rethrow_exception(refsError);
  } else {
    if (wantColl) decodeColl(true);
    if (wantRefs) decodeRefs();
  }
  ctx.report(phase, 1);

  if (wantColl) out.collectables = n;
  if (wantRefs) {
    out.references = r;
  } else if (want[kColRefCount]) {
    uint64_t sum = 0;
    const uint32_t* cnt = out.col[kColRefCount].as<uint32_t>();
    for (uint64_t i = 0; i < n; ++i) sum += cnt[i];
    out.references = sum;
  }
}

}  // namespace heaplens::moar
