// JsonScanner: strings, skipping and error text (the number loop is inline in the header).
//
// Threading: see JsonScanner.h.
#include "analysis/formats/v8/JsonScanner.h"

#include <cctype>
#include <cstdio>

#include "analysis/Text.h"

namespace heaplens::v8 {

namespace {

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string JsonScanner::describeAt(uint64_t offset) const {
  if (offset >= size()) return "the end of the file";
  const unsigned char c = static_cast<unsigned char>(begin_[offset]);
  char buf[16];
  if (c >= 0x20 && c < 0x7F) std::snprintf(buf, sizeof buf, "'%c'", c);
  else std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
  return buf;
}

void JsonScanner::failAt(uint64_t offset, const std::string& message) const {
  throw LoadError("v8 heapsnapshot: " + message + " at byte " + formatCount(offset) + ", found " + describeAt(offset),
                  offset);
}

void JsonScanner::cutAt(uint64_t offset, const std::string& inside) const {
  throw CutError("v8 heapsnapshot: the file ends at byte " + formatCount(size()) + " inside " + inside + " at byte " +
                     formatCount(offset) + " (the snapshot is cut)",
                 offset);
}

void JsonScanner::readString(std::string& out) {
  out.clear();
  if (peek() != '"') fail("expected a string");
  const uint64_t start = offset();
  ++p_;
  for (;;) {
    // Copy the run of plain bytes at once.
    const char* run = p_;
    while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) ++p_;
    out.append(run, static_cast<size_t>(p_ - run));
    if (p_ >= end_) cutAt(start, "the string that starts here");
    const char c = *p_;
    if (c == '"') {
      ++p_;
      return;
    }
    if (c != '\\') fail("expected a character of a string (control characters must be escaped)");
    if (p_ + 1 >= end_) cutAt(start, "the string that starts here");
    const char e = p_[1];
    p_ += 2;
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        auto hex4 = [&]() -> int {
          if (end_ - p_ < 4) cutAt(start, "the string that starts here");
          int v = 0;
          for (int i = 0; i < 4; ++i) {
            const int h = hexValue(p_[i]);
            if (h < 0) fail("expected four hex digits after \\u");
            v = v * 16 + h;
          }
          p_ += 4;
          return v;
        };
        uint32_t cp = static_cast<uint32_t>(hex4());
        if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
          const char* save = p_;
          p_ += 2;
          const uint32_t lo = static_cast<uint32_t>(hex4());
          if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          else p_ = save;  // the next escape is not a low surrogate: read it on its own
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // an unpaired surrogate (V8's serializer writes them)
        appendUtf8(out, cp);
        break;
      }
      default:
        p_ -= 1;
        fail("expected an escape character (\" \\ / b f n r t u) after '\\'");
    }
  }
}

uint64_t JsonScanner::readUint(std::string_view what) {
  const char c = peek();
  if (c < '0' || c > '9') fail("expected an unsigned integer in " + std::string(what));
  uint64_t v = 0;
  const char* start = p_;
  while (p_ < end_ && *p_ >= '0' && *p_ <= '9') v = v * 10 + static_cast<unsigned>(*p_++ - '0');
  if (p_ - start > 19) failAt(static_cast<uint64_t>(start - begin_), std::string(what) + " holds a number too large for 64 bits");
  if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E'))
    failAt(static_cast<uint64_t>(start - begin_), "expected an unsigned integer in " + std::string(what));
  return v;
}

uint64_t JsonScanner::skipValue() {
  const uint64_t start = (skipSpace(), offset());
  // A stack of the open containers' closing characters, so nesting depth costs heap, not stack.
  std::string open;
  std::string scratch;
  bool first = true;
  while (first || !open.empty()) {
    first = false;
    const char c = peek();
    switch (c) {
      case '{':
      case '[':
        open += c == '{' ? '}' : ']';
        ++p_;
        break;
      case '}':
      case ']':
        if (open.empty() || open.back() != c) fail("expected a value");
        open.pop_back();
        ++p_;
        break;
      case '"':
        readString(scratch);
        break;
      case ',':
      case ':':
        if (open.empty()) fail("expected a value");
        ++p_;
        break;
      case '\0':
        if (atEnd()) cutAt(start, "the value that starts here");
        fail("expected a value");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          ++p_;
          while (p_ < end_ && (std::isdigit(static_cast<unsigned char>(*p_)) || *p_ == '.' || *p_ == 'e' ||
                               *p_ == 'E' || *p_ == '+' || *p_ == '-'))
            ++p_;
        } else if (std::string_view(p_, static_cast<size_t>(end_ - p_)).starts_with("true")) {
          p_ += 4;
        } else if (std::string_view(p_, static_cast<size_t>(end_ - p_)).starts_with("false")) {
          p_ += 5;
        } else if (std::string_view(p_, static_cast<size_t>(end_ - p_)).starts_with("null")) {
          p_ += 4;
        } else {
          fail("expected a JSON value");
        }
    }
  }
  return start;
}

}  // namespace heaplens::v8
