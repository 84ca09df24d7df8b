// Framing: the incremental Content-Length parser (see Framing.h).
#include "protocol/Framing.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace heaplens::protocol {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

constexpr std::string_view kNeedle = "content-length";

// Offset of the first case-insensitive "content-length" in s, or npos.
size_t findContentLength(std::string_view s) {
  auto it = std::search(s.begin(), s.end(), kNeedle.begin(), kNeedle.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == y;
  });
  return it == s.end() ? std::string_view::npos : static_cast<size_t>(it - s.begin());
}

// Shortens a header value for an error message; it may be attacker-sized garbage.
std::string quoteValue(std::string_view v) {
  std::string out = "'";
  for (char c : v.substr(0, 40)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  if (v.size() > 40) out += "...";
  return out + "'";
}

}  // namespace

void FrameParser::feed(std::string_view bytes) {
  if (state_ != State::Closed) buffer_.append(bytes);
}

void FrameParser::drop(size_t n) {
  n = std::min(n, buffer_.size());
  buffer_.erase(0, n);
  consumed_ += n;
}

FrameEvent FrameParser::fail(std::string message) {
  state_ = State::Resync;
  return FrameEvent{FrameEvent::Kind::Error,
                    std::move(message) + " (header at byte " + std::to_string(frameStart_) +
                        "); skipping to the next Content-Length header"};
}

std::optional<FrameEvent> FrameParser::next() {
  for (;;) {
    switch (state_) {
    case State::Resync: {
      size_t at = findContentLength(buffer_);
      if (at == std::string::npos) {
        // Keep a tail that could be the start of a split "Content-Length".
        if (buffer_.size() > 13) drop(buffer_.size() - 13);
        return std::nullopt;
      }
      drop(at);
      state_ = State::Headers;
      continue;
    }
    case State::Headers: {
      // Blank lines and stray whitespace between messages are harmless.
      size_t skip = 0;
      while (skip < buffer_.size() && std::isspace(static_cast<unsigned char>(buffer_[skip]))) ++skip;
      drop(skip);
      if (buffer_.empty()) return std::nullopt;
      frameStart_ = consumed_;
      auto event = parseHeaders();
      if (event || state_ != State::Body) return event;
      continue;  // headers complete: fall through to the body
    }
    case State::Body: {
      if (auto at = swallowedHeader()) {
        FrameEvent e{FrameEvent::Kind::Error,
                     "the body announced as " + std::to_string(bodyLength_) + " bytes by the header at byte " +
                         std::to_string(frameStart_) + " is not a JSON message and holds another Content-Length "
                         "header at byte " + std::to_string(consumed_ + *at) +
                         ": the announced length was wrong; the message is dropped and reading goes on at that header"};
        drop(*at);
        state_ = State::Headers;
        return e;
      }
      if (buffer_.size() < bodyLength_) return std::nullopt;
      FrameEvent body{FrameEvent::Kind::Body, buffer_.substr(0, bodyLength_)};
      drop(bodyLength_);
      state_ = State::Headers;
      return body;
    }
    case State::Closed:
      return std::nullopt;
    }
  }
}

std::optional<size_t> FrameParser::swallowedHeader() {
  // Headers starting inside the body whose name is wholly buffered; each byte is searched once.
  const size_t inBody = std::min(buffer_.size(), bodyLength_);
  while (scanFrom_ < inBody) {
    const size_t searchEnd = std::min(buffer_.size(), inBody + kNeedle.size() - 1);
    size_t at = findContentLength(std::string_view(buffer_).substr(scanFrom_, searchEnd - scanFrom_));
    if (at == std::string_view::npos) {
      // Go on next time where a name cut off by the end of the buffer could still begin.
      if (searchEnd >= kNeedle.size() - 1) scanFrom_ = std::max(scanFrom_, std::min(inBody, searchEnd - (kNeedle.size() - 1)));
      break;
    }
    const size_t p = scanFrom_ + at;
    scanFrom_ = p + 1;
    if (!firstEmbedded_) firstEmbedded_ = p;
    // The bytes before it are already a whole JSON value (a message ends with '}'): the body cannot
    // go on past it, so the header is the next message's. No need to wait for the rest of the body.
    size_t last = p;
    while (last > 0 && std::isspace(static_cast<unsigned char>(buffer_[last - 1]))) --last;
    if (last > 0 && buffer_[last - 1] == '}' && nlohmann::json::accept(std::string_view(buffer_).substr(0, p))) return p;
  }
  // The whole body is here and is not JSON: resynchronise at the first header inside it.
  if (firstEmbedded_ && buffer_.size() >= bodyLength_ &&
      !nlohmann::json::accept(std::string_view(buffer_).substr(0, bodyLength_)))
    return firstEmbedded_;
  return std::nullopt;
}

std::optional<FrameEvent> FrameParser::parseHeaders() {
  std::optional<size_t> length;
  size_t pos = 0;
  for (;;) {
    size_t nl = buffer_.find('\n', pos);
    if (nl == std::string::npos) {
      if (buffer_.size() > kMaxHeaderBytes) {
        drop(buffer_.size());
        return fail("header block longer than " + std::to_string(kMaxHeaderBytes) + " bytes without an empty line");
      }
      return std::nullopt;  // need more bytes
    }
    std::string_view line(buffer_.data() + pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (!length) {
        drop(nl + 1);
        return fail("header block without a Content-Length header");
      }
      drop(nl + 1);
      bodyLength_ = *length;
      scanFrom_ = 0;
      firstEmbedded_.reset();
      state_ = State::Body;
      return std::nullopt;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      std::string bad = quoteValue(line);
      drop(nl + 1);
      return fail("malformed header line " + bad + ": expected 'Name: value'");
    }
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (equalsIgnoreCase(name, "content-length")) {
      bool digits = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        std::string bad = quoteValue(value);
        drop(nl + 1);
        return fail("Content-Length " + bad + " is not a number");
      }
      // Compare digit counts first so a 30-digit value cannot overflow.
      std::string_view significant = value.substr(std::min(value.find_first_not_of('0'), value.size()));
      uint64_t n = 0;
      bool tooLarge = significant.size() > 18;
      if (!tooLarge)
        for (char c : significant) n = n * 10 + static_cast<uint64_t>(c - '0');
      if (tooLarge || n > maxBody_) {
        std::string bad = quoteValue(value);
        drop(buffer_.size());
        state_ = State::Closed;
        return FrameEvent{FrameEvent::Kind::Error,
                          "Content-Length " + bad + " exceeds the limit of " + std::to_string(maxBody_) +
                              " bytes (header at byte " + std::to_string(frameStart_) +
                              "); nothing more is read from this connection",
                          /*fatal=*/true};
      }
      length = static_cast<size_t>(n);  // a duplicate header: the last one wins
    }
    pos = nl + 1;
  }
}

std::optional<FrameEvent> FrameParser::finish() {
  if (state_ == State::Closed) return std::nullopt;
  if (state_ == State::Body && bodyLength_ > 0) {
    FrameEvent e{FrameEvent::Kind::Error,
                 "input ended inside a message body: read " + std::to_string(buffer_.size()) + " of " +
                     std::to_string(bodyLength_) + " bytes announced by the header at byte " +
                     std::to_string(frameStart_)};
    drop(buffer_.size());
    state_ = State::Headers;
    return e;
  }
  if (state_ == State::Headers) {
    bool onlySpace = std::all_of(buffer_.begin(), buffer_.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    if (!onlySpace) {
      FrameEvent e{FrameEvent::Kind::Error,
                   "input ended inside a header block (" + std::to_string(buffer_.size()) + " bytes at byte " +
                       std::to_string(consumed_) + ")"};
      drop(buffer_.size());
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace heaplens::protocol
