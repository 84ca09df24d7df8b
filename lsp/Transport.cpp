// Transport: stdio and loopback TCP on Boost.Asio (see Transport.h).
#include "lsp/Transport.h"

#include <unistd.h>

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
// thread blocks in read_some, writers block in write under writeMutex_.
template <typename InStream, typename OutStream>
class StreamTransport final : public Transport {
public:
  StreamTransport(std::unique_ptr<asio::io_context> io, std::unique_ptr<InStream> in, OutStream* out,
                  std::unique_ptr<OutStream> ownedOut = nullptr)
      : io_(std::move(io)), in_(std::move(in)), out_(out), ownedOut_(std::move(ownedOut)) {}

  void loop(MessageHandler& handler) override {
    protocol::FrameParser parser;
    char buf[64 * 1024];
    for (;;) {
      boost::system::error_code ec;
      size_t n = in_->read_some(asio::buffer(buf), ec);
      if (ec == asio::error::interrupted) continue;
      if (n > 0) {
        parser.feed(std::string_view(buf, n));
        while (auto event = parser.next()) {
          if (event->kind == protocol::FrameEvent::Kind::Error) {
            handler.onFramingError(event->text);
          } else if (!handler.onBody(std::move(event->text))) {
            return;
          }
        }
      }
      if (ec) break;  // eof or a broken stream: both end the session
    }
    if (auto event = parser.finish()) handler.onFramingError(event->text);
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
  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<InStream> in_;
  OutStream* out_;
  std::unique_ptr<OutStream> ownedOut_;
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

}  // namespace

std::unique_ptr<Transport> makeStdioTransport() {
  auto io = std::make_unique<asio::io_context>();
  auto in = descriptor(*io, STDIN_FILENO);
  auto out = descriptor(*io, STDOUT_FILENO);
  auto* outPtr = out.get();
  return std::make_unique<StreamTransport<asio::posix::stream_descriptor, asio::posix::stream_descriptor>>(
      std::move(io), std::move(in), outPtr, std::move(out));
}

std::unique_ptr<Transport> makeLoopbackTransport(uint16_t port, const std::function<void(uint16_t)>& announce) {
  auto io = std::make_unique<asio::io_context>();
  asio::ip::tcp::acceptor acceptor(*io);
  asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(1, ec);
  if (ec) throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
  if (announce) announce(acceptor.local_endpoint().port());
  auto socket = std::make_unique<asio::ip::tcp::socket>(*io);
  acceptor.accept(*socket, ec);
  if (ec) throw std::runtime_error("accept on 127.0.0.1:" + std::to_string(port) + " failed: " + ec.message());
  auto* sock = socket.get();
  return std::make_unique<StreamTransport<asio::ip::tcp::socket, asio::ip::tcp::socket>>(std::move(io), std::move(socket),
                                                                                          sock);
}

}  // namespace heaplens::lsp
