// Transport: LSP messages over a byte stream (stdio or one loopback TCP connection), on Boost.Asio.
//
// The transport cuts the input into bodies with protocol::FrameParser and
// hands each to a MessageHandler; it writes framed messages under a mutex so
// that replies and notifications from worker threads never interleave.
// Framing errors are passed to the handler, which reports them; the stream
// goes on. clangd's Transport / MessageHandler split, minus the delimited
// test mode.
//
// Threading: loop() runs on the calling (reader) thread until end of input or
// until the handler asks to stop; send() may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace heaplens::lsp {

class MessageHandler {
public:
  virtual ~MessageHandler() = default;
  // One body; return false to stop reading (exit).
  virtual bool onBody(std::string body) = 0;
  virtual void onFramingError(const std::string& message) = 0;
};

class Transport {
public:
  virtual ~Transport() = default;
  // Reads until end of input or until the handler returns false.
  virtual void loop(MessageHandler& handler) = 0;
  // Serialises and writes one message; false once the peer has gone.
  virtual bool send(const nlohmann::json& message) = 0;
};

// stdin/stdout.
std::unique_ptr<Transport> makeStdioTransport();
// Listens on 127.0.0.1:port, accepts one connection, then serves it. Reports the bound port on
// `announce` (useful with port 0). Throws std::runtime_error when it cannot listen.
std::unique_ptr<Transport> makeLoopbackTransport(uint16_t port, const std::function<void(uint16_t)>& announce);

}  // namespace heaplens::lsp
