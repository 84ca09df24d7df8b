// MemoryAdvice: asks the kernel for transparent huge pages on big, randomly accessed arrays.
//
// Graph algorithms on tens of millions of nodes touch their arrays at random;
// with 4 KiB pages nearly every access also misses the TLB. Where the kernel
// offers transparent huge pages on request (the common "madvise" setting),
// advising a freshly reserved, untouched buffer before it is filled makes it
// 2 MiB-backed. Elsewhere this is a no-op.
//
// Threading: stateless.
#pragma once

#include <cstddef>
#include <vector>

namespace heaplens {

// Advises the 2 MiB-aligned part of [p, p+bytes); ignores small ranges and errors.
void adviseHugePages(const void* p, size_t bytes);

// reserve(n), advised before the first touch. Use before assign()/resize()/push_back().
template <typename T>
void reserveHuge(std::vector<T>& v, size_t n) {
  v.reserve(n);
  adviseHugePages(v.data(), v.capacity() * sizeof(T));
}

// A vector of n copies of value, huge-page advised.
template <typename T>
std::vector<T> hugeVector(size_t n, const T& value) {
  std::vector<T> v;
  reserveHuge(v, n);
  v.assign(n, value);
  return v;
}

}  // namespace heaplens
