// MoarFile: reads the TOC, metadata, global tables and zstd columns of a .mvmheap v3 file.
//
// See MoarFile.h for the role. All multi-byte values are little-endian (MoarVM
// writes host order and every producer in practice is little-endian); the
// static_assert below makes a big-endian build fail loudly instead of misreading.
#include "analysis/formats/moar/MoarFile.h"

#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <thread>

#include "analysis/HeapGraph.h"
#include "analysis/Text.h"
#include "analysis/formats/DumpFormat.h"

static_assert(std::endian::native == std::endian::little, "mvmheap reader assumes a little-endian host");

namespace heaplens::moar {
namespace {

constexpr uint64_t kTocEntryBytes = 24;  // kind[8], u64 start, u64 end

uint64_t readU64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
uint16_t readU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

// Kind names are NUL-padded to 8 bytes; some MoarVM versions left garbage after the NUL.
std::string kindName(const uint8_t* p) {
  size_t n = 0;
  while (n < 8 && p[n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(p), n);
}


[[noreturn]] void fail(const std::string& msg, std::optional<uint64_t> offset = std::nullopt) {
  throw LoadError("mvmheap: " + msg, offset);
}

// Minimal lookups in MoarVM's fixed-shape metadata JSON: the writer uses
// fprintf with known keys, so a key search plus a number/array scan is
// enough, and it cannot be led out of the block's bounds.
size_t findKey(std::string_view json, std::string_view key) {
  std::string quoted(1, '"');
  quoted.append(key).push_back('"');
  size_t at = json.find(quoted);
  if (at == std::string_view::npos) return at;
  at += quoted.size();
  while (at < json.size() && (json[at] == ' ' || json[at] == '\t' || json[at] == '\n' || json[at] == '\r')) ++at;
  if (at >= json.size() || json[at] != ':') return std::string_view::npos;
  ++at;
  while (at < json.size() && (json[at] == ' ' || json[at] == '\t' || json[at] == '\n' || json[at] == '\r')) ++at;
  return at;
}

std::optional<uint64_t> jsonUInt(std::string_view json, std::string_view key) {
  size_t at = findKey(json, key);
  if (at == std::string_view::npos || at >= json.size() || json[at] < '0' || json[at] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; at < json.size() && json[at] >= '0' && json[at] <= '9'; ++at) {
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(json[at] - '0');
  }
  return v;
}

std::vector<std::string> jsonStrings(std::string_view json, std::string_view key) {
  std::vector<std::string> out;
  size_t at = findKey(json, key);
  if (at == std::string_view::npos || at >= json.size() || json[at] != '[') return out;
  ++at;
  while (at < json.size() && json[at] != ']') {
    if (json[at] == '"') {
      size_t close = json.find('"', at + 1);
      if (close == std::string_view::npos) break;
      out.emplace_back(json.substr(at + 1, close - at - 1));
      at = close + 1;
    } else {
      ++at;
    }
  }
  return out;
}

// One zstd frame in [payload, end) of the file, read as a stream, with the
// errors both decompressors below report in the same words.
class BlockStream {
public:
  BlockStream(std::span<const uint8_t> file, uint64_t payload, uint64_t end, const std::string& what,
              const TaskContext& ctx)
      : payload_(payload), end_(end), what_(what), ctx_(ctx) {
    if (payload > end || end > file.size()) fail(what + ": block bounds are outside the file", payload);
    ds_.reset(ZSTD_createDStream());
    if (!ds_) throw std::bad_alloc();
    ZSTD_initDStream(ds_.get());
    in_ = {file.data() + payload, static_cast<size_t>(end - payload), 0};
  }

  uint64_t compressedBytes() const { return end_ - payload_; }
  bool inputConsumed() const { return in_.pos == in_.size; }

  // Decompresses what fits into `o`; returns 0 once the frame is complete.
  // `decompressed` (the bytes produced so far) only goes into the error message.
  size_t step(ZSTD_outBuffer& o, uint64_t decompressed) {
    if ((++rounds_ & 63) == 0) ctx_.checkCancelled();
    const size_t ret = ZSTD_decompressStream(ds_.get(), &o, &in_);
    // zstd running out of memory is not the data's fault: loadDump reports it as running out of memory.
    if (ZSTD_isError(ret) && ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation) throw std::bad_alloc();
    if (ZSTD_isError(ret))
      fail(what_ + ": corrupt zstd data in the block at byte " + formatCount(payload_) + " (" +
               ZSTD_getErrorName(ret) + ") after " + formatCount(decompressed) + " decompressed bytes",
           payload_);
    return ret;
  }
  [[noreturn]] void tooLarge(uint64_t maxBytes) const {
    fail(what_ + ": decompressed data exceeds " + formatCount(maxBytes) + " bytes (the limit for a block of " +
             formatCount(compressedBytes()) + " compressed bytes); refusing to expand it further",
         payload_);
  }
  [[noreturn]] void cutShort() const {
    fail(what_ + ": zstd frame is cut short at byte " + formatCount(end_) + " (the block ends before the frame does)",
         end_);
  }

private:
  struct DStreamFree {
    void operator()(ZSTD_DStream* d) const { ZSTD_freeDStream(d); }
  };
  std::unique_ptr<ZSTD_DStream, DStreamFree> ds_;
  ZSTD_inBuffer in_{};
  uint64_t payload_, end_;
  const std::string& what_;
  const TaskContext& ctx_;
  unsigned rounds_ = 0;
};

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

uint64_t ColumnBuffer::at(uint64_t i) const {
  const uint8_t* p = data_ + i * entrySize_;
  switch (entrySize_) {
    case 1: return *p;
    case 2: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

void ColumnBuffer::release() {
  std::free(data_);
  data_ = nullptr;
  size_ = capacity_ = 0;
}

// Plain malloc/realloc: glibc serves big blocks with mmap and grows them with
// mremap, so growing a column copies nothing. (Transparent huge pages were
// tried and were slower here: the kernel compacts memory to find them.)
uint8_t* ColumnBuffer::grow(uint64_t newCapacity) {
  if (newCapacity <= capacity_) return data_;
  void* p = std::realloc(data_, static_cast<size_t>(newCapacity));
  if (!p) throw std::bad_alloc();
  data_ = static_cast<uint8_t*>(p);
  capacity_ = newCapacity;
  return data_;
}

void decompressBlock(std::span<const uint8_t> file, uint64_t payload, uint64_t end, uint64_t sizeHint,
                     uint64_t maxBytes, const std::string& what, ColumnBuffer& out, const TaskContext& ctx) {
  BlockStream stream(file, payload, end, what, ctx);
  uint64_t capacity = sizeHint ? std::min(sizeHint, maxBytes)
                               : std::min<uint64_t>(maxBytes, std::max<uint64_t>(1 << 16, stream.compressedBytes() * 8));
  out.setSize(0);
  out.grow(std::max<uint64_t>(capacity, 64));
  capacity = out.capacity();
  uint64_t size = 0;
  uint8_t probe[256];
  for (;;) {
    if (size == capacity) {
      // The buffer is full: probe with a small scratch buffer so an exactly
      // sized column is not reallocated just to see the end of the frame.
      ZSTD_outBuffer o{probe, sizeof probe, 0};
      size_t ret = stream.step(o, size);
      if (o.pos > 0) {
        if (size + o.pos > maxBytes) stream.tooLarge(maxBytes);
        capacity = std::min(maxBytes, std::max(size + o.pos, capacity + capacity / 2));
        std::memcpy(out.grow(capacity) + size, probe, o.pos);
        size += o.pos;
      }
      if (ret == 0) break;
      if (o.pos == 0 && stream.inputConsumed()) stream.cutShort();
      continue;
    }
    ZSTD_outBuffer o{out.grow(capacity), static_cast<size_t>(capacity), static_cast<size_t>(size)};
    size_t ret = stream.step(o, size);
    size = o.pos;
    if (ret == 0) break;  // frame complete
    if (stream.inputConsumed() && o.pos < o.size) stream.cutShort();
  }
  out.setSize(size);
}

// Decompresses a column of 8-byte values straight into 4-byte values through
// a small scratch buffer, so the 8-byte column never exists in memory.
template <typename Convert>
void decompressNarrow(std::span<const uint8_t> file, uint64_t payload, uint64_t end, uint64_t sizeHint,
                      uint64_t maxBytes, const std::string& what, ColumnBuffer& out, const TaskContext& ctx,
                      Convert convert) {
  BlockStream stream(file, payload, end, what, ctx);
  // Up to 256 KiB, less for a small column; not zero-filled (zstd writes each byte before it is read):
  // a load of a small file makes many of these, and zeroing 256 KiB each time was most of its time.
  constexpr uint64_t kChunk = uint64_t{1} << 18;
  const size_t chunkBytes =
      static_cast<size_t>(sizeHint ? std::clamp<uint64_t>((sizeHint + 15) / 8 * 8, 4096, kChunk) : kChunk);
  std::unique_ptr<uint8_t[]> chunk(new uint8_t[chunkBytes]);
  size_t carry = 0;
  uint64_t count = 0;  // 4-byte entries written
  out.setSize(0);
  uint64_t capacity = std::max<uint64_t>(std::min(sizeHint, maxBytes / 2), 64);
  out.grow(capacity);
  capacity = out.capacity();
  for (;;) {
    ZSTD_outBuffer o{chunk.get() + carry, chunkBytes - carry, 0};
    const size_t ret = stream.step(o, count * 8);
    const size_t avail = carry + o.pos, whole = avail / 8;
    if ((count + whole) * 8 > maxBytes) stream.tooLarge(maxBytes);
    if ((count + whole) * 4 > capacity) capacity = std::max((count + whole) * 4, capacity + capacity / 2);
    uint8_t* dst = out.grow(capacity) + count * 4;
    for (size_t k = 0; k < whole; ++k) {
      const uint64_t v = readU64(chunk.get() + k * 8);
      uint32_t w;
      if (!convert(v, w))
        fail(what + ": entry " + std::to_string(count + k) + " = " + std::to_string(v) +
                 " is out of range (indices must fit in 32 bits, string indices in 30)",
             payload);
      std::memcpy(dst + k * 4, &w, 4);
    }
    count += whole;
    carry = avail - whole * 8;
    if (carry) std::memmove(chunk.get(), chunk.get() + whole * 8, carry);
    if (ret == 0) break;
    if (stream.inputConsumed() && o.pos < o.size) stream.cutShort();
  }
  if (carry)
    fail(what + ": " + formatCount(count * 8 + carry) + " decompressed bytes are not a multiple of the entry size 8", payload);
  out.setSize(count * 4);
  out.setEntrySize(4);
}

// ---------------------------------------------------------------------------

MoarFile::MoarFile(std::span<const uint8_t> bytes, const TaskContext& ctx, ReadLimits limits)
    : bytes_(bytes), limits_(limits) {
  parseHeader();
  if (version_ == 2) {
    parseV2(ctx);
    return;
  }
  parseToc();
  parseTables(ctx);
}

void MoarFile::parseHeader() {
  if (bytes_.size() < kMagicV3.size())
    fail("file has " + std::to_string(bytes_.size()) + " bytes, fewer than the 16-byte header \"MoarHeapDumpv003\"", 0);
  std::string_view head(reinterpret_cast<const char*>(bytes_.data()), kMagicV3.size());
  if (head == kMagicV3) return;
  if (head == kMagicV2) {
    version_ = 2;
    return;
  }
  if (head.substr(0, 15) == "MoarHeapDumpv00") {
    fail("header \"" + printable(head) + "\": heap snapshot format v" + std::string(1, head[15]) +
             " is not supported (formats v3, \"MoarHeapDumpv003\", and v2, \"MoarHeapDumpv002\", are read)",
         0);
  }
  if (head.substr(0, 12) == "MoarHeapDump")
    fail("header \"" + printable(head) + "\" is not a supported MoarVM heap snapshot version (expected \"MoarHeapDumpv003\")", 0);
  fail("expected the header \"MoarHeapDumpv003\" at byte 0, found \"" + printable(head) + "\"", 0);
}

// Reads a toc block at `offset`: "toc" kind, u64 n, n entries. `end`, when
// non-zero, is where the entries must end (the TOC's own entry in its parent).
bool MoarFile::readTocAt(uint64_t offset, uint64_t end, std::vector<BlockRef>& entries, std::string* why) const {
  const uint64_t size = bytes_.size();
  auto no = [&](std::string msg) {
    if (why) *why = std::move(msg);
    return false;
  };
  if (offset > size || size - offset < 16) return no("the toc at byte " + formatCount(offset) + " lies outside the file");
  if (kindName(bytes_.data() + offset) != "toc")
    return no("expected a \"toc\" block at byte " + formatCount(offset) + ", found \"" +
              printable(kindName(bytes_.data() + offset)) + "\"");
  uint64_t n = readU64(bytes_.data() + offset + 8);
  if (n > (size - offset - 16) / kTocEntryBytes)
    return no("the toc at byte " + formatCount(offset) + " claims " + formatCount(n) + " entries, more than fit in the file");
  uint64_t entriesEnd = offset + 16 + n * kTocEntryBytes;
  if (end != 0 && entriesEnd != end)
    return no("the toc at byte " + formatCount(offset) + " has " + formatCount(n) + " entries ending at byte " +
              formatCount(entriesEnd) + ", but its parent says it ends at byte " + formatCount(end));
  entries.clear();
  entries.reserve(static_cast<size_t>(n));
  for (uint64_t i = 0; i < n; ++i) {
    const uint8_t* e = bytes_.data() + offset + 16 + i * kTocEntryBytes;
    BlockRef b{kindName(e), readU64(e + 8), readU64(e + 16)};
    entries.push_back(std::move(b));
  }
  return true;
}

bool MoarFile::tryOuterToc(uint64_t offset, bool requireAtEnd, std::vector<BlockRef>& entries) const {
  if (!readTocAt(offset, 0, entries, nullptr)) return false;
  uint64_t trailerAt = offset + 16 + entries.size() * kTocEntryBytes;
  if (trailerAt + 8 > bytes_.size()) return false;
  if (readU64(bytes_.data() + trailerAt) != offset) return false;
  if (requireAtEnd && trailerAt + 8 != bytes_.size()) return false;
  if (entries.empty() || entries[0].kind != "filemeta") return false;
  // Every entry must lie before the toc itself.
  for (const BlockRef& b : entries)
    if (b.start > b.end || b.end > offset) return false;
  return true;
}

void MoarFile::parseToc() {
  const uint64_t size = bytes_.size();
  if (size < kMagicV3.size() + 8) fail("file has only " + formatCount(size) + " bytes: no table of contents", size);
  uint64_t trailer = readU64(bytes_.data() + size - 8);
  if (!tryOuterToc(trailer, true, outer_)) {
    // A process killed while writing leaves no final TOC; MoarVM writes a
    // full outer TOC after every snapshot, so the last intact one recovers
    // every snapshot before it.
    uint64_t found = UINT64_MAX;
    for (uint64_t p = size - 8; p-- > kMagicV3.size();) {
      if (bytes_[p] != 't') continue;
      if (p + 8 > size || std::memcmp(bytes_.data() + p, "toc\0\0\0\0\0", 8) != 0) continue;
      if (tryOuterToc(p, false, outer_)) {
        found = p;
        break;
      }
    }
    if (found == UINT64_MAX)
      fail("no table of contents: the last 8 bytes point to byte " + formatCount(trailer) +
               ", which is not a toc ending the file, and no intact intermediate outer toc was found (file has " +
               formatCount(size) + " bytes)",
           size - 8);
    uint64_t tocEnd = found + 16 + outer_.size() * kTocEntryBytes + 8;
    warnings_.push_back("mvmheap: the file is cut short or damaged: it ends at byte " + formatCount(size) +
                        " and its last 8 bytes (" + formatCount(trailer) +
                        ") do not point to a table of contents. Recovered the outer toc at byte " + formatCount(found) +
                        " (written after " + std::to_string(outer_.size() - 1) +
                        " inner tocs); the " + formatCount(size - tocEnd) + " bytes from byte " + formatCount(tocEnd) +
                        " to the end (a snapshot being written) were ignored");
  }
  if (outer_.empty() || outer_[0].kind != "filemeta") fail("the outer toc does not start with filemeta", trailer);

  std::string json = readJson(outer_[0]);
  fileMeta_.startTime = jsonUInt(json, "start_time");
  fileMeta_.pid = jsonUInt(json, "pid");
  fileMeta_.entryCount = jsonUInt(json, "entry_count");
  fileMeta_.dataOrder = jsonStrings(json, "data_order");

  // Inner tocs, in file order. Snapshots are the inner tocs that hold a
  // snapmeta: the final one written at profile end is normally empty and is
  // not a snapshot, but one recovered from an intermediate outer toc is.
  uint32_t innerIndex = 0;
  for (size_t i = 1; i < outer_.size(); ++i, ++innerIndex) {
    const BlockRef& t = outer_[i];
    if (t.kind != "toc") {
      warnings_.push_back("mvmheap: outer toc entry " + std::to_string(i) + " has kind \"" + printable(t.kind) +
                          "\" (expected \"toc\"); skipped");
      continue;
    }
    SnapshotEntry s;
    s.innerToc = t;
    std::string why;
    if (!readTocAt(t.start, t.end, s.blocks, &why)) {
      warnings_.push_back("mvmheap: inner toc " + std::to_string(innerIndex) + " is damaged (" + why +
                          "); it and everything after it were ignored (" + std::to_string(snapshots_.size()) +
                          " snapshots kept)");
      break;
    }
    bool bad = false;
    for (const BlockRef& b : s.blocks) {
      if (b.start > b.end || b.end > size || b.end - b.start < 16) {
        warnings_.push_back("mvmheap: block " + printable(b.kind) + " of inner toc " + std::to_string(innerIndex) +
                            " spans bytes " + formatCount(b.start) + "-" + formatCount(b.end) + " of a " +
                            formatCount(size) + "-byte file; it and everything after it were ignored (" +
                            std::to_string(snapshots_.size()) + " snapshots kept)");
        bad = true;
        break;
      }
    }
    if (bad) break;
    const BlockRef* meta = findBlock(s, "snapmeta");
    if (meta) {
      std::string mj = readJson(*meta);
      s.meta.snapTime = jsonUInt(mj, "snap_time");
      s.meta.gcSeqNum = jsonUInt(mj, "gc_seq_num");
      s.meta.totalHeapSize = jsonUInt(mj, "total_heap_size");
      s.meta.totalObjects = jsonUInt(mj, "total_objects");
      s.meta.totalRefs = jsonUInt(mj, "total_refs");
      s.index = static_cast<uint32_t>(snapshots_.size());
    } else {
      s.index = UINT32_MAX;  // table leftovers only
    }
    snapshots_.push_back(std::move(s));
  }
}

std::string MoarFile::readJson(const BlockRef& b) const {
  if (b.start > b.end || b.end > bytes_.size() || b.end - b.start < 16)
    fail("block " + b.kind + " at byte " + formatCount(b.start) + " lies outside the file", b.start);
  uint64_t len = readU64(bytes_.data() + b.start + 8);
  uint64_t avail = b.end - b.start - 16;
  if (len > avail)
    fail("block " + b.kind + " at byte " + formatCount(b.start) + " says its JSON has " + formatCount(len) +
             " bytes but the toc leaves " + formatCount(avail),
         b.start + 8);
  std::string s(reinterpret_cast<const char*>(bytes_.data() + b.start + 16), static_cast<size_t>(len));
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

const BlockRef* MoarFile::findBlock(const SnapshotEntry& s, std::string_view kind) const {
  for (const BlockRef& b : s.blocks)
    if (b.kind == kind) return &b;
  return nullptr;
}

uint32_t MoarFile::columnEntrySize(const BlockRef& b, const std::string& at) const {
  if (b.end - b.start < 18) fail(b.kind + " of " + at + " is shorter than its 18-byte header", b.start);
  const uint32_t entrySize = readU16(bytes_.data() + b.start + 8);
  if (entrySize != 1 && entrySize != 2 && entrySize != 4 && entrySize != 8)
    fail(b.kind + " of " + at + " has entry size " + std::to_string(entrySize) + " (expected 1, 2, 4 or 8)",
         b.start + 8);
  return entrySize;
}

void MoarFile::parseTables(const TaskContext& ctx) {
  // Strings, types and static frames accumulate over the inner tocs in file
  // order. Each snapshot may refer only to entries written up to its own toc.
  std::vector<SnapshotEntry> kept;
  auto where = [](const SnapshotEntry& s, size_t innerIdx) {
    return s.index == UINT32_MAX ? "the final inner toc (" + std::to_string(innerIdx) + ")"
                                 : "snapshot " + std::to_string(s.index);
  };
  auto readU32Column = [&](const BlockRef& b, const std::string& at, std::vector<uint32_t>& out) {
    const uint32_t es = columnEntrySize(b, at);
    ColumnBuffer buf;
    decompressBlock(bytes_, b.start + 18, b.end, 0, limits_.blockMax(b.end - b.start - 18),
                    "block " + b.kind + " of " + at, buf, ctx);
    buf.setEntrySize(es);
    if (buf.bytes() % es != 0)
      fail(b.kind + " of " + at + ": " + formatCount(buf.bytes()) + " decompressed bytes are not a multiple of the entry size " +
               std::to_string(es),
           b.start);
    out.resize(static_cast<size_t>(buf.count()));
    for (uint64_t i = 0; i < buf.count(); ++i) {
      uint64_t v = buf.at(i);
      if (v > UINT32_MAX) fail(b.kind + " of " + at + ": entry " + std::to_string(i) + " = " + std::to_string(v) + " exceeds 32 bits", b.start);
      out[i] = static_cast<uint32_t>(v);
    }
  };

  size_t innerIdx = 0;
  for (SnapshotEntry& s : snapshots_) {
    ctx.checkCancelled();
    const std::string at = where(s, innerIdx++);
    std::vector<uint32_t> cols[6];  // reprname typename sfname sfcuid sfline sffile
    static constexpr std::string_view kTableCols[6] = {"reprname", "typename", "sfname", "sfcuid", "sfline", "sffile"};
    bool present[6] = {};
    for (const BlockRef& b : s.blocks) {
      if (b.kind == "strings") {
        ColumnBuffer buf;
        decompressBlock(bytes_, b.start + 16, b.end, 0, limits_.blockMax(b.end - b.start - 16),
                        "block strings of " + at, buf, ctx);
        const uint8_t* p = buf.data();
        uint64_t pos = 0, n = buf.bytes();
        while (pos < n) {
          if (n - pos < 4)
            fail("strings of " + at + ": a string length is cut off at decompressed byte " + formatCount(pos) +
                     " of " + formatCount(n),
                 b.start);
          uint32_t len;
          std::memcpy(&len, p + pos, 4);
          pos += 4;
          if (len > n - pos)
            fail("strings of " + at + ": string " + formatCount(stringCount()) + " has length " + formatCount(len) +
                     " but only " + formatCount(n - pos) + " decompressed bytes remain",
                 b.start);
          if (stringCount() == UINT32_MAX - 1) fail("more than 2^32 strings", b.start);
          stringChars_.insert(stringChars_.end(), p + pos, p + pos + len);
          stringOffsets_.push_back(stringChars_.size());
          pos += len;
        }
      } else {
        for (int c = 0; c < 6; ++c) {
          if (b.kind == kTableCols[c]) {
            readU32Column(b, at, cols[c]);
            present[c] = true;
          }
        }
      }
    }
    const uint32_t nStrings = stringCount();
    auto checkString = [&](int c, size_t row, uint32_t idx, std::string_view table, size_t base) {
      if (idx >= nStrings)
        fail("column " + std::string(kTableCols[c]) + " of " + at + ": " + std::string(table) + " " +
                 std::to_string(base + row) + " refers to string " + std::to_string(idx) + " but only " +
                 std::to_string(nStrings) + " strings exist at that point");
    };
    if (present[0] || present[1]) {
      if (!present[0] || !present[1] || cols[0].size() != cols[1].size())
        fail("types of " + at + ": reprname has " + std::to_string(cols[0].size()) + " entries but typename has " +
             std::to_string(cols[1].size()));
      size_t base = types_.size();
      for (size_t i = 0; i < cols[0].size(); ++i) {
        checkString(0, i, cols[0][i], "type", base);
        checkString(1, i, cols[1][i], "type", base);
        types_.push_back(Type{cols[0][i], cols[1][i]});
      }
    }
    if (present[2] || present[3] || present[4] || present[5]) {
      size_t n = cols[2].size();
      for (int c = 2; c < 6; ++c)
        if (!present[c] || cols[c].size() != n)
          fail("static frames of " + at + ": sfname has " + std::to_string(n) + " entries but " +
               std::string(kTableCols[c]) + " has " + std::to_string(cols[c].size()));
      size_t base = frames_.size();
      for (size_t i = 0; i < n; ++i) {
        checkString(2, i, cols[2][i], "static frame", base);
        checkString(3, i, cols[3][i], "static frame", base);
        checkString(5, i, cols[5][i], "static frame", base);
        frames_.push_back(StaticFrame{cols[2][i], cols[3][i], cols[4][i], cols[5][i]});
      }
    }
    if (types_.size() > UINT32_MAX || frames_.size() > UINT32_MAX) fail("more than 2^32 types or static frames");
    s.stringsAvailable = nStrings;
    s.typesAvailable = static_cast<uint32_t>(types_.size());
    s.framesAvailable = static_cast<uint32_t>(frames_.size());
    if (s.index != UINT32_MAX) kept.push_back(std::move(s));
  }
  snapshots_ = std::move(kept);
}

// ---------------------------------------------------------------------------

SnapshotColumns MoarFile::readColumns(uint32_t snap, std::span<const Column> which, const TaskContext& ctx,
                                      std::string_view phase) const {
  SnapshotColumns out;
  readColumnsInto(snap, which, ctx, phase, out, 0);
  return out;
}

void MoarFile::readColumnsInto(uint32_t snap, std::span<const Column> which, const TaskContext& ctx,
                               std::string_view phase, SnapshotColumns& out, unsigned maxThreads) const {
  if (snap >= snapshots_.size()) fail("snapshot " + std::to_string(snap) + " does not exist");
  const SnapshotEntry& s = snapshots_[snap];
  if (version_ == 2) {
    readColumnsV2(s, which, ctx, phase, out, maxThreads);
    return;
  }
  const std::string at = "snapshot " + std::to_string(snap);
  static constexpr uint32_t kExpectedEntry[kColumnCount] = {2, 2, 4, 4, 4, 8, 4, 4, 8, 8};

  struct Job {
    Column col;
    const BlockRef* block;
    uint32_t entrySize;
  };
  std::vector<Job> jobs;
  bool wantKind = false;
  for (Column c : which) {
    const BlockRef* b = findBlock(s, kColumnNames[c]);
    if (!b) fail(at + " has no " + std::string(kColumnNames[c]) + " block in its toc", s.innerToc.start);
    jobs.push_back(Job{c, b, columnEntrySize(*b, at)});
    if (c == kColKind) wantKind = true;
  }
  // colkind first: its length gives every other collectable column's exact
  // size. Then the big ones, so two workers stay busy until the end.
  std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    auto rank = [](Column c) {
      if (c == kColKind) return 0;
      if (c == kRefDescr || c == kRefTarget) return 1;
      if (c == kColRefStart || c == kColUnmanagedSize) return 2;
      return 3;
    };
    return rank(a.col) < rank(b.col);
  });

  for (ColumnBuffer& b : out.col) b.setSize(0);
  out.collectables = out.references = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool kindDone = !wantKind;
  uint64_t kindCount = 0;
  std::exception_ptr error;
  std::atomic<bool> abort{false};
  std::atomic<size_t> next{0};
  size_t finished = 0;
  uint64_t totalBytes = 0;
  const uint64_t refsHint = s.meta.totalRefs.value_or(0);

  auto work = [&] {
    for (;;) {
      size_t j = next.fetch_add(1);
      if (j >= jobs.size() || abort.load()) return;
      const Job& job = jobs[j];
      try {
        uint64_t hint = 0;
        bool collectableCol = job.col <= kColUnmanagedSize;
        if (collectableCol && job.col != kColKind && wantKind) {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return kindDone || abort.load(); });
          if (abort.load()) return;
          hint = kindCount * job.entrySize;
        } else if (job.col == kRefDescr || job.col == kRefTarget) {
          hint = refsHint <= UINT64_MAX / 8 ? refsHint * job.entrySize : 0;
        }
        const uint64_t maxBytes = limits_.blockMax(job.block->end - job.block->start - 18);
        ColumnBuffer& buf = out.col[job.col];
        const std::string what = "block " + std::string(kColumnNames[job.col]) + " of " + at;
        const bool narrowed = job.col == kColRefStart || job.col == kRefDescr || job.col == kRefTarget;
        auto convert = [&](uint64_t v, uint32_t& w) {
          if (job.col != kRefDescr) {
            w = static_cast<uint32_t>(v);
            return v <= UINT32_MAX;
          }
          const uint64_t kind = v & 3, idx = v >> 2;
          if (kind == 2 && idx > kRefIndexMask) return false;
          w = static_cast<uint32_t>(kind << 30) |
              static_cast<uint32_t>(kind == 0 ? 0 : std::min<uint64_t>(idx, kind == 1 ? EdgeLabel::kValueMask : kRefIndexMask));
          return true;
        };
        if (narrowed && job.entrySize == 8) {
          decompressNarrow(bytes_, job.block->start + 18, job.block->end, hint / 2, maxBytes, what, buf, ctx, convert);
        } else {
          decompressBlock(bytes_, job.block->start + 18, job.block->end, hint, maxBytes, what, buf, ctx);
          buf.setEntrySize(job.entrySize);
          if (buf.bytes() % job.entrySize != 0)
            fail(std::string(kColumnNames[job.col]) + " of " + at + ": " + formatCount(buf.bytes()) +
                     " decompressed bytes are not a multiple of the entry size " + std::to_string(job.entrySize),
                 job.block->start);
          // Honour the recorded entry size, but hand out the width the code reads.
          uint32_t want = kExpectedEntry[job.col];
          if (job.entrySize != want || narrowed) {
            ColumnBuffer conv;
            uint64_t n = buf.count();
            if (n > UINT64_MAX / want || n * want > maxBytes * 8) fail(std::string(kColumnNames[job.col]) + " of " + at + " is too large", job.block->start);
            uint8_t* d = conv.grow(std::max<uint64_t>(n * want, 8));
            for (uint64_t i = 0; i < n; ++i) {
              uint64_t v = buf.at(i);
              uint32_t w32;
              if (narrowed ? !convert(v, w32) : (want < 8 && v >> (want * 8)))
                fail(std::string(kColumnNames[job.col]) + " of " + at + ": entry " + std::to_string(i) + " = " +
                         std::to_string(v) + " does not fit in " + std::to_string(want) + " bytes",
                     job.block->start);
              if (narrowed) std::memcpy(d + i * 4, &w32, 4);
              else std::memcpy(d + i * want, &v, want);
            }
            conv.setSize(n * want);
            conv.setEntrySize(want);
            buf = std::move(conv);
          }
        }
        std::lock_guard lock(mu);
        totalBytes += buf.bytes();
        if (totalBytes > limits_.maxTotalBytes)
          fail(at + ": decompressed columns exceed " + formatCount(limits_.maxTotalBytes) + " bytes");
        if (job.col == kColKind) {
          kindCount = buf.count();
          kindDone = true;
          cv.notify_all();
        }
        ++finished;
        ctx.report(phase, static_cast<double>(finished) / static_cast<double>(jobs.size()));
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        abort.store(true);
        cv.notify_all();
        return;
      }
    }
  };

  unsigned threads = maxThreads ? maxThreads : std::max(1u, std::min(std::thread::hardware_concurrency(), 4u));
  threads = std::min<unsigned>(threads, static_cast<unsigned>(std::max<size_t>(jobs.size(), 1)));
  uint64_t compressedTotal = 0;
  for (const Job& j : jobs) compressedTotal += j.block->end - j.block->start;
  if (compressedTotal < (uint64_t{1} << 20)) threads = 1;  // a thread hand-off costs more than small blocks
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);

  // Cross-column consistency.
  out.collectables = out.col[kColKind].count();
  for (Column c : which) {
    if (c == kColKind || c > kColUnmanagedSize) continue;
    if (wantKind && out.col[c].count() != out.collectables)
      fail(std::string(kColumnNames[c]) + " of " + at + " has " + formatCount(out.col[c].count()) +
               " entries but colkind has " + formatCount(out.collectables),
           findBlock(s, kColumnNames[c])->start);
  }
  bool haveDescr = std::find(which.begin(), which.end(), kRefDescr) != which.end();
  bool haveTarget = std::find(which.begin(), which.end(), kRefTarget) != which.end();
  if (haveDescr && haveTarget && out.col[kRefDescr].count() != out.col[kRefTarget].count())
    fail("refdescr of " + at + " has " + formatCount(out.col[kRefDescr].count()) + " entries but reftrget has " +
             formatCount(out.col[kRefTarget].count()),
         findBlock(s, "refdescr")->start);
  if (haveTarget) {
    out.references = out.col[kRefTarget].count();
  } else if (std::find(which.begin(), which.end(), kColRefCount) != which.end()) {
    uint64_t sum = 0;
    const uint32_t* cnt = out.col[kColRefCount].as<uint32_t>();
    for (uint64_t i = 0; i < out.col[kColRefCount].count(); ++i) sum += cnt[i];
    out.references = sum;
  }
}

}  // namespace heaplens::moar
