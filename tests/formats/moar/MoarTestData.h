// MoarTestData: the real leaky.mvmheap fixture, read from disk once per test binary.
//
// Both test files of moar_tests start from its bytes (19.5 MB); the copy here
// is shared, so tests that mutate it take their own copy.
//
// Threading: test-only, single thread.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "analysis/formats/DumpFormat.h"

namespace heaplens::moar::testing {

// The message of the LoadError `f` throws; a test failure when it throws none.
template <typename F>
std::string loadError(F&& f) {
  try {
    f();
  } catch (const LoadError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a LoadError";
  return {};
}

inline const std::string kLeakyPath = std::string(HEAPLENS_TEST_DATA) + "/moar/leaky.mvmheap";

inline std::vector<uint8_t> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline const std::vector<uint8_t>& leakyBytes() {
  static const std::vector<uint8_t> bytes = readAll(kLeakyPath);
  return bytes;
}

}  // namespace heaplens::moar::testing
