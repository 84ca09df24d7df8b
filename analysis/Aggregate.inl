// Template definitions for Aggregate.h.
#pragma once

#include <algorithm>
#include <numeric>

namespace heaplens {

template <typename T, typename Key>
std::vector<size_t> topN(std::span<const T> items, size_t n, Key key) {
  std::vector<size_t> idx(items.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  n = std::min(n, idx.size());
  auto greater = [&](size_t a, size_t b) {
    auto ka = key(items[a]);
    auto kb = key(items[b]);
    return ka != kb ? ka > kb : a < b;
  };
  if (n < idx.size()) std::nth_element(idx.begin(), idx.begin() + n, idx.end(), greater);
  idx.resize(n);
  std::sort(idx.begin(), idx.end(), greater);
  return idx;
}

}  // namespace heaplens
