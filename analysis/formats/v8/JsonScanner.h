// JsonScanner: a hand-written, non-recursive JSON reader over bytes in memory, for big V8 snapshots.
//
// A .heapsnapshot is one JSON object whose big members are flat arrays of
// unsigned integers and one array of strings. Building a JSON DOM of a
// 324 MB file would take gigabytes; this scanner instead walks the bytes in
// place: numbers of a flat array go one by one to a callback (straight into
// the graph's columns), strings are decoded one at a time, and anything else
// can be skipped or handed to nlohmann::json as a small slice (the
// `snapshot` header). Every error names the byte offset and what was
// expected there.
//
// Threading: one scanner per thread; it only reads the bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/formats/DumpFormat.h"

namespace heaplens::v8 {

// Thrown by an array sink for a value it cannot take; readUintArray turns it into a LoadError at the
// number's byte offset.
struct BadValue {
  std::string message;
};

// The file ends before the value being read does (a cut snapshot).
struct CutError : LoadError {
  using LoadError::LoadError;
};

class JsonScanner {
public:
  explicit JsonScanner(std::span<const uint8_t> bytes)
      : begin_(reinterpret_cast<const char*>(bytes.data())), p_(begin_), end_(begin_ + bytes.size()) {}

  uint64_t offset() const { return static_cast<uint64_t>(p_ - begin_); }
  uint64_t size() const { return static_cast<uint64_t>(end_ - begin_); }
  void seek(uint64_t offset) { p_ = begin_ + offset; }
  bool atEnd() const { return p_ >= end_; }

  void skipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  // The next non-space byte, or 0 at the end of the input.
  char peek() {
    skipSpace();
    return p_ < end_ ? *p_ : '\0';
  }
  // Consumes `c` (after white space) or throws "expected <what>".
  void expect(char c, std::string_view what) {
    if (peek() != c) {
      if (atEnd())
        throw CutError("v8 heapsnapshot: the file ends at byte " + std::to_string(offset()) + ": expected " +
                           std::string(what) + " (the snapshot is cut)",
                       offset());
      fail("expected " + std::string(what));
    }
    ++p_;
  }
  // Consumes `c` if it comes next.
  bool accept(char c) {
    if (peek() != c) return false;
    ++p_;
    return true;
  }

  std::string_view slice(uint64_t from, uint64_t to) const { return {begin_ + from, static_cast<size_t>(to - from)}; }
  // One unsigned integer (after white space).
  uint64_t readUint(std::string_view what);
  // A JSON string, decoded to UTF-8 (unpaired surrogates as U+FFFD). The scanner must be at '"'.
  void readString(std::string& out);
  // Skips any JSON value (iteratively: deep nesting cannot overflow the stack) and returns where it began.
  uint64_t skipValue();

  // Reads a flat array of unsigned integers, calling sink(value) for each, and returns how many
  // it read. Stops with an error past `limit` values (the count the header promised). Every 2^20
  // values, tick(offset) is called (progress, cancellation, releasing the bytes read).
  template <typename Sink, typename Tick>
  uint64_t readUintArray(std::string_view what, uint64_t limit, Sink&& sink, Tick&& tick);
  template <typename Sink>
  uint64_t readUintArray(std::string_view what, uint64_t limit, Sink&& sink) {
    return readUintArray(what, limit, sink, [](uint64_t) {});
  }

  // Throws LoadError "v8 heapsnapshot: <message> at byte <offset>, found <what is there>".
  [[noreturn]] void fail(const std::string& message) const { failAt(offset(), message); }
  [[noreturn]] void failAt(uint64_t offset, const std::string& message) const;
  // Throws CutError: the file ends inside `inside`, which starts at `offset`.
  [[noreturn]] void cutAt(uint64_t offset, const std::string& inside) const;
  // What is at `offset`, for messages: "'x'", "the end of the file".
  std::string describeAt(uint64_t offset) const;

private:
  const char* begin_;
  const char* p_;
  const char* end_;
};

template <typename Sink, typename Tick>
uint64_t JsonScanner::readUintArray(std::string_view what, uint64_t limit, Sink&& sink, Tick&& tick) {
  expect('[', "'[' starting " + std::string(what));
  uint64_t count = 0;
  const char* p = p_;
  const char* const end = end_;
  bool needValue = false;  // after a ',' a value must follow
  for (;;) {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
    if (p >= end) {
      p_ = p;
      throw CutError("v8 heapsnapshot: the file ends inside " + std::string(what) + " after " +
                         std::to_string(count) + " numbers, at byte " + std::to_string(offset()) +
                         ": expected more numbers and ']' (the snapshot is cut)",
                     offset());
    }
    const char c = *p;
    if (static_cast<unsigned>(c - '0') <= 9) {
      if (count != 0 && !needValue) {
        p_ = p;
        fail("expected ',' or ']' between the numbers of " + std::string(what));
      }
      uint64_t v = static_cast<unsigned>(c - '0');
      const char* start = p++;
      while (p < end && static_cast<unsigned>(*p - '0') <= 9) v = v * 10 + static_cast<unsigned>(*p++ - '0');
      if (p - start > 19) {
        p_ = start;
        fail(std::string(what) + " holds a number too large for 64 bits");
      }
      if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) {
        p_ = start;
        fail("expected an unsigned integer in " + std::string(what) + " (number " + std::to_string(count) + ")");
      }
      if (count == limit) {
        p_ = start;
        fail(std::string(what) + " holds more than the " + std::to_string(limit) + " numbers the header announces");
      }
      try {
        sink(v);
      } catch (const BadValue& bad) {
        p_ = start;
        fail(bad.message);
      }
      if ((++count & 0xFFFFF) == 0) tick(static_cast<uint64_t>(p - begin_));
      needValue = false;
    } else if (c == ',') {
      if (count == 0 || needValue) {
        p_ = p;
        fail("expected a number in " + std::string(what));
      }
      needValue = true;
      ++p;
    } else if (c == ']') {
      if (needValue) {
        p_ = p;
        fail("expected a number after ',' in " + std::string(what));
      }
      p_ = p + 1;
      return count;
    } else {
      p_ = p;
      fail("expected an unsigned integer in " + std::string(what) + " (number " + std::to_string(count) + ")");
    }
  }
}

}  // namespace heaplens::v8
