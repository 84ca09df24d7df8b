// MoarFile: the container layer of MoarVM heap snapshot files (formats v3 and v2).
//
// Turns the bytes of a `.mvmheap` file into its table of contents (outer toc,
// inner tocs, blocks), the file-global tables that accumulate across snapshots
// (strings, types, static frames) and, on request, the decompressed columns of
// one snapshot. Format v2 (MoarFileV2.cpp: uncompressed fixed-size collectable
// records, variable-width reference records, no TOC) is read by the same class
// and handed out as the same columns, so nothing above it knows the version. It knows nothing about HeapGraph; MoarFormat.cpp builds the
// model from what this reader hands out. Layout per
// /work/shared/reference/moar.md: 8-byte kind names compared up to the first
// NUL, zstd column blocks with a u16 entry size and a u64 size that is always
// 0, one zstd frame without content size per block, bounded by the TOC's end
// offset; the `strings` block has no entry-size field.
//
// Every index and size is validated before use; problems are LoadErrors that
// name the block, the snapshot and the byte offset. A file whose final TOC is
// missing (a killed process) is recovered from the last intermediate outer TOC;
// a v2 file cut short keeps every snapshot whose blocks are complete.
//
// Threading: open() runs on the loading worker. readColumns() decompresses the
// requested columns of one snapshot on a small pool of std::threads (the
// machine has 2 cores); the MoarFile itself is read-only after open().
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/TaskContext.h"

namespace heaplens::moar {

// The first 16 bytes of every v3 file.
inline constexpr std::string_view kMagicV3 = "MoarHeapDumpv003";

// Bytes for an error message: printable ASCII as is, anything else as \xNN.
std::string printable(std::string_view s);
// The first 16 bytes of a v2 file (a MoarVM built without libzstd, such as Debian's).
inline constexpr std::string_view kMagicV2 = "MoarHeapDumpv002";

// Where a block sits in the file: [start, end) as the TOC says.
struct BlockRef {
  std::string kind;  // up to the first NUL
  uint64_t start = 0;
  uint64_t end = 0;
};

// Limits against decompression bombs. Real files compress about 26x overall and
// no column beyond a few thousand x; a block may not expand beyond
// `maxRatio` times its compressed size plus `ratioSlack`, and all blocks of one
// readColumns() call together may not exceed `maxTotalBytes`.
struct ReadLimits {
  uint64_t maxRatio = 8192;
  uint64_t ratioSlack = 1 << 20;
  uint64_t maxTotalBytes = uint64_t{64} << 30;

  // The most one block of `compressed` bytes may expand to.
  uint64_t blockMax(uint64_t compressed) const {
    const uint64_t byRatio =
        compressed > (UINT64_MAX - ratioSlack) / maxRatio ? UINT64_MAX : compressed * maxRatio + ratioSlack;
    return std::min(byRatio, maxTotalBytes);
  }
};

// Values of the per-snapshot JSON block; absent keys stay nullopt.
struct SnapMeta {
  std::optional<uint64_t> snapTime, gcSeqNum, totalHeapSize, totalObjects, totalRefs;
};

struct FileMeta {
  std::optional<uint64_t> startTime, pid, entryCount;
  std::vector<std::string> dataOrder;  // highscore boards, e.g. "types_by_count"
};

// One snapshot as the TOC lists it (blocks only; columns come from readColumns()).
struct SnapshotEntry {
  uint32_t index = 0;      // position among snapshots
  BlockRef innerToc;
  std::vector<BlockRef> blocks;  // inner toc entries
  SnapMeta meta;
  // Sizes of the global tables once this snapshot's blocks are counted: the
  // snapshot may only refer to entries below these.
  uint32_t stringsAvailable = 0, typesAvailable = 0, framesAvailable = 0;
  // v2 only: the counts its `coll` and `refs` headers give (v3 learns them from the columns).
  uint64_t collectableCount = 0, referenceCount = 0;
};

// A decompressed column: malloc'd storage (no zero fill; exactly sized when the
// size is known in advance), viewed as values of its entry size.
class ColumnBuffer {
public:
  ColumnBuffer() = default;
  ColumnBuffer(ColumnBuffer&& o) noexcept { *this = std::move(o); }
  ColumnBuffer& operator=(ColumnBuffer&& o) noexcept {
    if (this != &o) {
      release();
      data_ = o.data_; size_ = o.size_; capacity_ = o.capacity_; entrySize_ = o.entrySize_;
      o.data_ = nullptr; o.size_ = o.capacity_ = 0;
    }
    return *this;
  }
  ColumnBuffer(const ColumnBuffer&) = delete;
  ColumnBuffer& operator=(const ColumnBuffer&) = delete;
  ~ColumnBuffer() { release(); }

  uint64_t bytes() const { return size_; }
  uint32_t entrySize() const { return entrySize_; }
  uint64_t count() const { return entrySize_ ? size_ / entrySize_ : 0; }
  const uint8_t* data() const { return data_; }
  // Value i widened to 64 bits, honouring the column's own entry size (1, 2, 4 or 8).
  uint64_t at(uint64_t i) const;
  template <typename T> const T* as() const { return reinterpret_cast<const T*>(data_); }

  // Used by the decompressor.
  uint8_t* grow(uint64_t newCapacity);  // keeps contents; returns data
  void setSize(uint64_t n) { size_ = n; }
  void setEntrySize(uint32_t e) { entrySize_ = e; }
  uint64_t capacity() const { return capacity_; }

private:
  void release();
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t capacity_ = 0;
  uint32_t entrySize_ = 0;
};

// The columns of one snapshot. Collectable columns have one entry per
// collectable, reference columns one per reference; columns not requested stay empty.
enum Column : uint8_t {
  kColKind, kColSize, kColToFi, kColRefCount, kColRefStart, kColUnmanagedSize, kRefDescr, kRefTarget,
  kTopIds, kTopScore, kColumnCount
};
inline constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "colkind", "colsize", "coltofi", "colrfcnt", "colrfstr", "colusize", "refdescr", "reftrget", "topIDs", "topscore"};

// The reference columns are narrowed to 32 bits while they are decompressed
// (half the memory of 17 M references): colrfstr and reftrget hold indices
// (< 2^32, else a LoadError), refdescr holds the kind in the top 2 bits and
// the index below (index-kind values clamped to 2^29-1 as EdgeLabel does;
// string indices must be < 2^30).
inline constexpr uint32_t kRefIndexMask = (1u << 30) - 1;
inline uint32_t refKind(uint32_t packed) { return packed >> 30; }
inline uint32_t refIndex(uint32_t packed) { return packed & kRefIndexMask; }

struct SnapshotColumns {
  std::array<ColumnBuffer, kColumnCount> col;
  uint64_t collectables = 0;  // entries of colkind
  uint64_t references = 0;    // entries of reftrget (or sum of colrfcnt when refs were not read)
};

class MoarFile {
public:
  // Parses the header, the TOC (recovering a truncated file), filemeta, every
  // snapmeta and the global tables. `bytes` must outlive the MoarFile.
  MoarFile(std::span<const uint8_t> bytes, const TaskContext& ctx, ReadLimits limits = {});

  // 3 or 2, from the header.
  int version() const { return version_; }
  const FileMeta& fileMeta() const { return fileMeta_; }
  const std::vector<SnapshotEntry>& snapshots() const { return snapshots_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Global tables (concatenation of all blocks in file order).
  uint32_t stringCount() const { return static_cast<uint32_t>(stringOffsets_.size() - 1); }
  std::string_view string(uint32_t i) const {
    return std::string_view(stringChars_.data() + stringOffsets_[i], stringOffsets_[i + 1] - stringOffsets_[i]);
  }
  struct Type { uint32_t reprName = 0, typeName = 0; };  // string indices (validated)
  struct StaticFrame { uint32_t name = 0, cuid = 0, line = 0, file = 0; };  // name/cuid/file: string indices
  const std::vector<Type>& types() const { return types_; }
  const std::vector<StaticFrame>& staticFrames() const { return frames_; }

  // Decompresses the listed columns of snapshot `s` in parallel and checks that
  // every collectable column has as many entries as colkind and every reference
  // column as many as the sum of colrfcnt (when those were requested).
  // `phase` is reported as progress per finished block.
  SnapshotColumns readColumns(uint32_t s, std::span<const Column> which, const TaskContext& ctx,
                              std::string_view phase) const;
  // The same into `out`, reusing its buffers (no new page faults for a series
  // of snapshots), on at most `threads` threads (0: one per core, up to 4).
  // A v2 file has no highscores: topIDs and topscore stay empty.
  void readColumnsInto(uint32_t s, std::span<const Column> which, const TaskContext& ctx, std::string_view phase,
                       SnapshotColumns& out, unsigned threads = 0) const;

private:
  void parseHeader();
  // Format v2 (MoarFileV2.cpp): one sequential pass over the blocks, and the decoding of one snapshot's records.
  void parseV2(const TaskContext& ctx);
  void readColumnsV2(const SnapshotEntry& s, std::span<const Column> which, const TaskContext& ctx,
                     std::string_view phase, SnapshotColumns& out, unsigned maxThreads) const;
  void parseToc();
  bool tryOuterToc(uint64_t offset, bool requireAtEnd, std::vector<BlockRef>& entries) const;
  bool readTocAt(uint64_t offset, uint64_t end, std::vector<BlockRef>& entries, std::string* why) const;
  void parseTables(const TaskContext& ctx);
  std::string readJson(const BlockRef& b) const;
  const BlockRef* findBlock(const SnapshotEntry& s, std::string_view kind) const;
  // The entry size in a column block's 18-byte header (1, 2, 4 or 8); `at` names the snapshot in errors.
  uint32_t columnEntrySize(const BlockRef& b, const std::string& at) const;

  std::span<const uint8_t> bytes_;
  ReadLimits limits_;
  int version_ = 3;
  FileMeta fileMeta_;
  std::vector<BlockRef> outer_;
  std::vector<SnapshotEntry> snapshots_;
  std::vector<std::string> warnings_;
  std::vector<char> stringChars_;
  std::vector<uint64_t> stringOffsets_{0};
  std::vector<Type> types_;
  std::vector<StaticFrame> frames_;
};

// Decompresses one zstd block whose frame starts at `payload` within [start, end)
// of the file. `sizeHint` (0: unknown) sizes the buffer exactly when right.
// Throws LoadError naming `what` on corrupt data or when the output would exceed `maxBytes`.
void decompressBlock(std::span<const uint8_t> file, uint64_t payload, uint64_t end, uint64_t sizeHint,
                     uint64_t maxBytes, const std::string& what, ColumnBuffer& out, const TaskContext& ctx);

}  // namespace heaplens::moar
