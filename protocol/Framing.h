// Framing: the incremental Content-Length parser that cuts a byte stream into JSON-RPC bodies.
//
// Bytes arrive in arbitrary chunks (a pipe, a socket); feed() appends them and
// next() hands out whole bodies or framing errors in stream order. Headers may
// come in any order and any letter case, unknown headers are ignored, a
// duplicate Content-Length takes the last value (as clangd does). A header
// block that cannot be used (no Content-Length, a value that is not a number,
// a header section without an end) yields one FrameEvent::Error, and the
// parser resynchronises at the next "Content-Length" it sees, so one bad frame
// never stops the stream. finish() reports a body cut short at end of input.
//
// A body announced as longer than the limit (64 MiB unless the server is told
// otherwise) is a fatal error: the parser stops. Skipping it would mean either
// reading up to 2^64 bytes of it or searching its content for the next header,
// where any text can pass for one; the connection ends instead.
//
// A body shorter than its header says swallows the start of the next message.
// When a body holds a "Content-Length" that the bytes before it show cannot
// belong to it (they are already a whole JSON value, or the whole body is not
// JSON), the parser reports the broken message and resynchronises at that
// header, so the next request is still answered, without waiting for the bytes
// the wrong length still claims when the first test already tells. A header
// name split across two reads at that very point is not recognised.
//
// Threading: one instance per reader thread; not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace heaplens::protocol {

struct FrameEvent {
  enum class Kind { Body, Error };
  Kind kind = Kind::Body;
  std::string text;  // the body, or a human description of the framing error
  bool fatal = false;  // an Error after which the parser reads nothing more: end the connection
};

class FrameParser {
public:
  static constexpr size_t kDefaultMaxBody = 64u << 20;  // 64 MiB
  static constexpr size_t kMaxHeaderBytes = 64u << 10;  // a header block longer than this is garbage

  explicit FrameParser(size_t maxBody = kDefaultMaxBody) : maxBody_(maxBody) {}
  // The limit for headers parsed from now on (a connection raises it once it is authenticated).
  void setMaxBody(size_t maxBody) { maxBody_ = maxBody; }

  void feed(std::string_view bytes);
  // The next complete body or framing error, if the bytes fed so far contain one.
  std::optional<FrameEvent> next();
  // End of input: an error if a frame was cut short, otherwise nothing. Call after next() runs dry.
  std::optional<FrameEvent> finish();

private:
  enum class State { Headers, Body, Resync, Closed };
  std::optional<FrameEvent> parseHeaders();
  // Offset in buffer_ of a Content-Length header that the current body swallowed (see above).
  std::optional<size_t> swallowedHeader();
  void drop(size_t n);
  FrameEvent fail(std::string message);

  size_t maxBody_;
  std::string buffer_;
  State state_ = State::Headers;
  size_t bodyLength_ = 0;
  uint64_t consumed_ = 0;    // stream offset of buffer_[0]
  uint64_t frameStart_ = 0;  // stream offset where the current header block began
  // The current body's search for a swallowed header: where it goes on, and the first one found.
  size_t scanFrom_ = 0;
  std::optional<size_t> firstEmbedded_;
};

}  // namespace heaplens::protocol
