// GoFormat: detection, file mapping and the two-pass load of Go heap dumps (see GoFormat.h).
//
// The file is mapped read-only rather than read: pass 1 touches every byte
// once, front to back, and keeps only offsets and pointer words, so the
// pages it has passed are dropped from the mapping as it goes (madvise),
// which keeps resident memory near the size of the model rather than the
// model plus the file.
//
// Threading: load() runs on the loading worker.
#include "analysis/formats/go/GoFormat.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "analysis/formats/go/GoGraph.h"
#include "analysis/formats/go/GoRecords.h"

namespace heaplens {
namespace {

// A read-only private mapping of a whole file.
class MappedFile {
public:
  explicit MappedFile(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw LoadError("cannot open " + path + ": " + std::strerror(errno));
    struct stat st;
    if (::fstat(fd_, &st) != 0) {
      int e = errno;
      ::close(fd_);
      throw LoadError("cannot stat " + path + ": " + std::strerror(e));
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0) return;
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd_);
      throw LoadError("cannot map " + path + ": " + std::strerror(e));
    }
    data_ = static_cast<const uint8_t*>(p);
    ::madvise(p, size_, MADV_SEQUENTIAL);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  // Drops the pages below `upTo` from this process; they are read again from the page cache if touched.
  void dropBelow(uint64_t upTo) const {
    long page = ::sysconf(_SC_PAGESIZE);
    uint64_t end = upTo / static_cast<uint64_t>(page) * static_cast<uint64_t>(page);
    if (data_ && end > 0) ::madvise(const_cast<uint8_t*>(data_), end, MADV_DONTNEED);
  }

private:
  int fd_ = -1;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

class GoDumpFormat final : public DumpFormat {
public:
  std::string_view name() const override { return "go"; }
  std::string_view description() const override { return "Go heap dump (runtime/debug.WriteHeapDump)"; }
  bool detect(std::span<const uint8_t> head) const override {
    return head.size() >= go::kGoDumpHeader.size() &&
           std::memcmp(head.data(), go::kGoDumpHeader.data(), go::kGoDumpHeader.size()) == 0;
  }
  std::unique_ptr<Dump> load(const std::string& path, const LoadOptions&, const TaskContext& ctx) const override {
    go::GoScan scan;
    {
      MappedFile file(path);
      scan = go::scanGoDump(file.bytes(), ctx, [&](uint64_t upTo) { file.dropBelow(upTo); });
    }  // the mapping is gone before the graph is built
    std::unique_ptr<Dump> dump = go::buildGoDump(std::move(scan), ctx);
    dump->path = path;
    return dump;
  }
};

}  // namespace

const DumpFormat& goFormat() {
  static const GoDumpFormat format;
  return format;
}

std::unique_ptr<Dump> loadGoDump(std::span<const uint8_t> bytes, const std::string& path, const TaskContext& ctx) {
  std::unique_ptr<Dump> dump = go::buildGoDump(go::scanGoDump(bytes, ctx), ctx);
  dump->path = path;
  return dump;
}

}  // namespace heaplens
