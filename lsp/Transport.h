// Transport: LSP messages over a byte stream (stdio or one loopback TCP connection), on Boost.Asio.
//
// The transport cuts the input into bodies with protocol::FrameParser and
// hands each to a MessageHandler; it writes framed messages under a mutex so
// that replies and notifications from worker threads never interleave.
// Framing errors are passed to the handler, which reports them; the stream
// goes on, except after a message over the size limit, which ends the loop
// (FrameParser says why). clangd's Transport / MessageHandler split, minus
// the delimited test mode.
//
// A TCP port on 127.0.0.1 is open to every local user and to web pages the
// user's browser runs, so the loopback transport serves only a connection
// whose first message proves it knows a token: an `initialize` request with
// params.initializationOptions.heaplens.token. It checks that before the
// server sees a byte; a connection that fails is closed unanswered and the
// next one is accepted.
//
// Threading: loop() runs on the calling (reader) thread until end of input or
// until the handler asks to stop; send() may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/Framing.h"

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

// stdin/stdout. A message whose Content-Length is above maxMessageSize ends the session.
std::unique_ptr<Transport> makeStdioTransport(size_t maxMessageSize = protocol::FrameParser::kDefaultMaxBody);

struct LoopbackOptions {
  uint16_t port = 0;  // 0: any free port
  // The first message of a connection must be `initialize` carrying this (see carriesToken).
  std::string token;
  // Reports the bound port once listening (useful with port 0).
  std::function<void(uint16_t)> announce;
  // Says why a connection was refused (stderr in main).
  std::function<void(const std::string&)> log;
  // A connection that has not sent its whole first message by then is refused.
  std::chrono::milliseconds firstMessageTimeout{10000};
  // A message whose Content-Length is above this ends the session (the first one: at most 1 MiB).
  size_t maxMessageSize = protocol::FrameParser::kDefaultMaxBody;
};

// Listens on 127.0.0.1, accepts connections until one authenticates, then serves that one.
// Throws std::runtime_error when it cannot listen or accept.
std::unique_ptr<Transport> makeLoopbackTransport(const LoopbackOptions& options);

// True when `message` is an `initialize` request whose params.initializationOptions.heaplens.token
// equals `token`. The comparison takes the same time wherever the first difference is.
bool carriesToken(const nlohmann::json& message, std::string_view token);
// A new connection token: 32 hex digits from /dev/urandom. Throws std::runtime_error if it cannot read.
std::string generateToken();

}  // namespace heaplens::lsp
