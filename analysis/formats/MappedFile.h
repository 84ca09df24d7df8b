// MappedFile: opening a dump file (regular files only) and a read-only private mapping of it.
//
// openDumpFile() refuses anything but a regular file before reading a byte: a
// FIFO or /dev/stdin would block the load forever (and read the server's own
// input), a device or a directory holds no dump. It stat()s the path first
// (following symlinks), so nothing else is even opened, then opens with
// O_NONBLOCK and checks the opened descriptor again, so a file swapped for a
// FIFO in between cannot block either.
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

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "analysis/formats/DumpFormat.h"

namespace heaplens {

// "a FIFO", "a directory", ...: what a file that is not a regular file is, for an error message.
inline const char* fileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

inline LoadError notRegular(const std::string& path, mode_t mode) {
  return LoadError(path + ": is " + std::string(fileKind(mode)) + "; expected a regular file holding a heap dump");
}

// A read-only descriptor (O_CLOEXEC) of the regular file at `path`, with its size in `size`.
// Throws LoadError when the path does not exist, cannot be opened, or is not a regular file.
inline int openDumpFile(const std::string& path, uint64_t& size) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw LoadError("cannot open " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw notRegular(path, st.st_mode);
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw LoadError("cannot open " + path + ": " + std::strerror(errno));
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw LoadError("cannot stat " + path + ": " + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw notRegular(path, st.st_mode);
  }
  size = static_cast<uint64_t>(st.st_size);
  return fd;
}

class MappedFile {
public:
  // Throws LoadError when the file is not a regular file or cannot be opened or mapped.
  explicit MappedFile(const std::string& path) {
    uint64_t size = 0;
    fd_ = openDumpFile(path, size);
    size_ = static_cast<size_t>(size);
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
  // populate() for [offset, offset + length) only (clipped to the file): a reader that streams the file
  // maps the window ahead of it.
  void populate(uint64_t offset, uint64_t length) const {
#ifdef MADV_POPULATE_READ
    if (!data_ || offset >= size_) return;
    const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    const uint64_t begin = offset / page * page;
    const uint64_t end = std::min<uint64_t>(size_, offset + length);
    ::madvise(const_cast<uint8_t*>(data_) + begin, end - begin, MADV_POPULATE_READ);
#else
    (void)offset;
    (void)length;
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
