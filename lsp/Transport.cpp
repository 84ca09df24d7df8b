// Transport: stdio and loopback TCP on Boost.Asio (see Transport.h).
#include "lsp/Transport.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "protocol/Framing.h"
#include "protocol/Message.h"

namespace heaplens::lsp {
namespace asio = boost::asio;

namespace {

// The read/write loop shared by both streams. Reads and writes are synchronous: the reader
// thread blocks in read_some, writers block in write under writeMutex_. A stream that was
// authenticated starts with the first body already read and the bytes after it in the parser.
template <typename InStream, typename OutStream>
class StreamTransport final : public Transport {
public:
  StreamTransport(std::unique_ptr<asio::io_context> io, std::unique_ptr<InStream> in, OutStream* out,
                  std::unique_ptr<OutStream> ownedOut = nullptr, protocol::FrameParser parser = protocol::FrameParser(),
                  std::optional<std::string> firstBody = std::nullopt)
      : io_(std::move(io)), in_(std::move(in)), out_(out), ownedOut_(std::move(ownedOut)), parser_(std::move(parser)),
        firstBody_(std::move(firstBody)) {}

  void loop(MessageHandler& handler) override {
    if (firstBody_) {
      std::string body = std::move(*firstBody_);
      firstBody_.reset();
      if (!handler.onBody(std::move(body))) return;
    }
    if (!drain(handler)) return;
    char buf[64 * 1024];
    for (;;) {
      boost::system::error_code ec;
      size_t n = in_->read_some(asio::buffer(buf), ec);
      if (ec == asio::error::interrupted) continue;
      if (n > 0) {
        parser_.feed(std::string_view(buf, n));
        if (!drain(handler)) return;
      }
      if (ec) break;  // eof or a broken stream: both end the session
    }
    if (auto event = parser_.finish()) handler.onFramingError(event->text);
  }

  bool send(const nlohmann::json& message) override {
    std::string body = protocol::toText(message);
    std::string frame = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::lock_guard lock(writeMutex_);
    if (broken_) return false;
    boost::system::error_code ec;
    asio::write(*out_, asio::buffer(frame), ec);
    if (ec) broken_ = true;
    return !broken_;
  }

private:
  // Hands out every event the parser holds; false when the handler asks to stop.
  bool drain(MessageHandler& handler) {
    while (auto event = parser_.next()) {
      if (event->kind == protocol::FrameEvent::Kind::Error) {
        handler.onFramingError(event->text);
        if (event->fatal) return false;  // the parser reads no more: end the session
      } else if (!handler.onBody(std::move(event->text))) {
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<InStream> in_;
  OutStream* out_;
  std::unique_ptr<OutStream> ownedOut_;
  protocol::FrameParser parser_;
  std::optional<std::string> firstBody_;
  std::mutex writeMutex_;
  bool broken_ = false;
};

// A descriptor Asio reads with ::read; regular files (stdin redirected from a file) work too,
// since the synchronous calls never need the reactor.
std::unique_ptr<asio::posix::stream_descriptor> descriptor(asio::io_context& io, int fd) {
  int copy = ::dup(fd);
  if (copy < 0) throw std::runtime_error("cannot duplicate descriptor " + std::to_string(fd));
  auto d = std::make_unique<asio::posix::stream_descriptor>(io);
  boost::system::error_code ec;
  d->assign(copy, ec);
  if (ec) throw std::runtime_error("cannot use descriptor " + std::to_string(fd) + ": " + ec.message());
  return d;
}

// An unauthenticated peer may send at most this much before its first message is complete;
// an initialize request is a few KiB.
constexpr size_t kMaxFirstMessage = 1u << 20;

// Reads the first body of a new connection into `body`, leaving the bytes after it in `parser`.
// Returns why it could not ("" on success): a framing error, end of input or the deadline.
std::string readFirstBody(asio::ip::tcp::socket& socket, protocol::FrameParser& parser,
                          std::chrono::milliseconds timeout, std::string& body) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[16 * 1024];
  bool closed = false;
  for (;;) {
    if (auto event = parser.next()) {
      if (event->kind == protocol::FrameEvent::Kind::Error) return "framing error: " + event->text;
      body = std::move(event->text);
      return "";
    }
    if (closed) return "closed before sending a whole message";
    // Asio's blocking read has no deadline; wait for readability here instead.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "no complete first message within " + std::to_string(timeout.count()) + " ms";
    pollfd p{socket.native_handle(), POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return std::string("poll failed: ") + std::strerror(errno);
    if (ready == 0) continue;  // the deadline check above ends it
    boost::system::error_code ec;
    size_t n = socket.read_some(asio::buffer(buf), ec);
    if (n > 0) parser.feed(std::string_view(buf, n));
    if (ec && ec != asio::error::interrupted) closed = true;
  }
}

}  // namespace

std::unique_ptr<Transport> makeStdioTransport(size_t maxMessageSize) {
  auto io = std::make_unique<asio::io_context>();
  auto in = descriptor(*io, STDIN_FILENO);
  auto out = descriptor(*io, STDOUT_FILENO);
  auto* outPtr = out.get();
  return std::make_unique<StreamTransport<asio::posix::stream_descriptor, asio::posix::stream_descriptor>>(
      std::move(io), std::move(in), outPtr, std::move(out), protocol::FrameParser(maxMessageSize));
}

bool carriesToken(const nlohmann::json& message, std::string_view token) {
  if (token.empty() || !message.is_object()) return false;
  auto method = message.find("method");
  if (method == message.end() || *method != "initialize" || !message.contains("id")) return false;
  const nlohmann::json* given = nullptr;
  auto params = message.find("params");
  if (params != message.end() && params->is_object()) {
    auto options = params->find("initializationOptions");
    if (options != params->end() && options->is_object()) {
      auto ours = options->find("heaplens");
      if (ours != options->end() && ours->is_object()) {
        auto t = ours->find("token");
        if (t != ours->end() && t->is_string()) given = &*t;
      }
    }
  }
  if (!given) return false;
  const std::string& g = given->get_ref<const std::string&>();
  // Constant time in the expected token: every byte is compared, the first difference does not end the loop.
  unsigned diff = g.size() == token.size() ? 0u : 1u;
  for (size_t i = 0; i < token.size(); ++i) {
    unsigned char a = i < g.size() ? static_cast<unsigned char>(g[i]) : 0;
    diff |= a ^ static_cast<unsigned char>(token[i]);
  }
  return diff == 0;
}

std::string generateToken() {
  unsigned char bytes[16];
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("cannot open /dev/urandom for a token: ") + std::strerror(errno));
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::read(fd, bytes + got, sizeof bytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot read /dev/urandom for a token");
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

std::unique_ptr<Transport> makeLoopbackTransport(const LoopbackOptions& options) {
  if (options.token.empty()) throw std::runtime_error("a loopback connection needs a token");
  auto io = std::make_unique<asio::io_context>();
  asio::ip::tcp::acceptor acceptor(*io);
  asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(), options.port);
  std::string where = "127.0.0.1:" + std::to_string(options.port);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(4, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  const uint16_t bound = acceptor.local_endpoint().port();
  where = "127.0.0.1:" + std::to_string(bound);
  if (options.announce) options.announce(bound);
  for (;;) {
    auto socket = std::make_unique<asio::ip::tcp::socket>(*io);
    acceptor.accept(*socket, ec);
    if (ec) throw std::runtime_error("accept on " + where + " failed: " + ec.message());
    protocol::FrameParser parser(std::min(kMaxFirstMessage, options.maxMessageSize));
    std::string body;
    std::string refusal = readFirstBody(*socket, parser, options.firstMessageTimeout, body);
    if (refusal.empty()) {
      nlohmann::json first = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
      if (!first.is_discarded() && carriesToken(first, options.token)) {
        parser.setMaxBody(options.maxMessageSize);
        auto* sock = socket.get();
        return std::make_unique<StreamTransport<asio::ip::tcp::socket, asio::ip::tcp::socket>>(
            std::move(io), std::move(socket), sock, nullptr, std::move(parser), std::move(body));
      }
      refusal = "its first message is not an initialize request with the connection token in "
                "initializationOptions.heaplens.token";
    }
    if (options.log) options.log("refused a connection on " + where + ": " + refusal + "; nothing of it was processed");
    socket->close(ec);
  }
}

}  // namespace heaplens::lsp
