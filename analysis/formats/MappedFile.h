// MappedFile: a read-only private mapping of a whole dump file.
//
// Formats that read their input in place (Go's single front-to-back pass,
// MoarVM's zstd blocks decompressed straight from the page cache) map the file
// instead of copying it. An empty file is not mapped: bytes() is then empty and
// the format says what it expected.
//
// Threading: one owner; bytes() may be read from any thread while it lives.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "analysis/formats/DumpFormat.h"

namespace heaplens {

class MappedFile {
public:
  // Throws LoadError when the file cannot be opened, stat'ed or mapped.
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
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  // For a reader that touches every byte once, front to back: more read-ahead.
  void adviseSequential() const {
    if (data_) ::madvise(const_cast<uint8_t*>(data_), size_, MADV_SEQUENTIAL);
  }
  // For a reader that will touch every page soon: map them all now, in one call, rather than one fault
  // each (on a virtual machine a fault can cost microseconds). Best effort: kernels before 5.14 ignore it.
  void populate() const {
#ifdef MADV_POPULATE_READ
    if (data_) ::madvise(const_cast<uint8_t*>(data_), size_, MADV_POPULATE_READ);
#endif
  }
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

}  // namespace heaplens
