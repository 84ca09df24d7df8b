// TransportTests: the loopback transport serves only a connection whose first message carries the token.
#include "lsp/Transport.h"

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

using namespace heaplens::lsp;
using nlohmann::json;
namespace asio = boost::asio;

namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

json initialize(json options) {
  json params = {{"processId", nullptr}, {"rootUri", nullptr}, {"capabilities", json::object()}};
  if (!options.is_null()) params["initializationOptions"] = std::move(options);
  return {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", params}};
}

std::string frame(const json& message) {
  std::string body = message.dump();
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(TransportTests, CarriesTokenOnlyForInitializeWithTheExactToken) {
  EXPECT_TRUE(carriesToken(initialize({{"heaplens", {{"token", kToken}}}}), kToken));
  EXPECT_FALSE(carriesToken(initialize({{"heaplens", {{"token", "0123456789abcdef0123456789abcdee"}}}}), kToken));
  EXPECT_FALSE(carriesToken(initialize({{"heaplens", {{"token", "0123456789abcdef"}}}}), kToken));  // a prefix
  EXPECT_FALSE(carriesToken(initialize({{"heaplens", {{"token", std::string(kToken) + "0"}}}}), kToken));
  EXPECT_FALSE(carriesToken(initialize({{"heaplens", {{"token", ""}}}}), kToken));
  EXPECT_FALSE(carriesToken(initialize({{"heaplens", {{"token", 42}}}}), kToken));
  EXPECT_FALSE(carriesToken(initialize({{"token", kToken}}), kToken));  // not under "heaplens"
  EXPECT_FALSE(carriesToken(initialize(nullptr), kToken));
  json summary = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "heaplens/summary"},
                  {"params", {{"initializationOptions", {{"heaplens", {{"token", kToken}}}}}}}};
  EXPECT_FALSE(carriesToken(summary, kToken));  // the right token, but not in initialize
  EXPECT_FALSE(carriesToken(initialize({{"heaplens", {{"token", ""}}}}), ""));  // an empty token never matches
}

TEST(TransportTests, GeneratedTokensAre32HexDigitsAndDiffer) {
  std::string a = generateToken(), b = generateToken();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
}

// What a client sees after sending `bytes`: everything the server writes until it closes the
// connection or `wait` passes, and whether it closed.
struct Seen {
  std::string bytes;
  bool closed = false;
};

Seen sendAndRead(uint16_t port, const std::string& bytes, std::chrono::milliseconds wait) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::address_v4::loopback(), port});
  if (!bytes.empty()) asio::write(s, asio::buffer(bytes));
  Seen seen;
  s.non_blocking(true);
  auto deadline = std::chrono::steady_clock::now() + wait;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    size_t n = s.read_some(asio::buffer(buf), ec);
    seen.bytes.append(buf, n);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (ec) {
      seen.closed = true;
      break;
    }
  }
  return seen;
}

class Recorder : public MessageHandler {
public:
  bool onBody(std::string body) override {
    bodies.push_back(std::move(body));
    return bodies.size() < 2;  // the initialize and one message after it
  }
  void onFramingError(const std::string& message) override { errors.push_back(message); }
  std::vector<std::string> bodies, errors;
};

TEST(TransportTests, LoopbackRefusesConnectionsWithoutTheTokenAndServesTheOneWithIt) {
  std::promise<uint16_t> portPromise;
  std::vector<std::string> log;
  LoopbackOptions options;
  options.token = kToken;
  options.announce = [&](uint16_t p) { portPromise.set_value(p); };
  options.log = [&](const std::string& m) { log.push_back(m); };
  options.firstMessageTimeout = std::chrono::milliseconds(500);
  auto transport = std::async(std::launch::async, [&] { return makeLoopbackTransport(options); });
  uint16_t port = portPromise.get_future().get();

  // No token, a wrong token, the token in another request, garbage, silence: each is closed unanswered.
  const std::string refused[] = {
      frame(initialize(nullptr)),
      frame(initialize({{"heaplens", {{"token", "ffffffffffffffffffffffffffffffff"}}}})),
      frame({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "shutdown"}}),
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      "",
  };
  for (const std::string& bytes : refused) {
    Seen seen = sendAndRead(port, bytes, std::chrono::seconds(5));
    EXPECT_TRUE(seen.closed) << "a connection sending " << bytes.substr(0, 60) << " was not closed";
    EXPECT_EQ(seen.bytes, "") << "the server answered an unauthenticated connection";
  }
  ASSERT_EQ(transport.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the transport was handed to the server for an unauthenticated connection";

  // The token: served, and the message sent in the same write after the initialize is not lost.
  json next = {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "heaplens/summary"}};
  asio::io_context io;
  asio::ip::tcp::socket client(io);
  client.connect({asio::ip::address_v4::loopback(), port});
  asio::write(client, asio::buffer(frame(initialize({{"heaplens", {{"token", kToken}}}})) + frame(next)));
  ASSERT_EQ(transport.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto t = transport.get();
  Recorder recorder;
  t->loop(recorder);
  ASSERT_EQ(recorder.bodies.size(), 2u);
  EXPECT_EQ(json::parse(recorder.bodies[0])["method"], "initialize");
  EXPECT_EQ(json::parse(recorder.bodies[1]), next);
  EXPECT_TRUE(recorder.errors.empty());
  ASSERT_TRUE(t->send(json{{"jsonrpc", "2.0"}, {"id", 2}, {"result", nullptr}}));
  ASSERT_EQ(log.size(), std::size(refused));
  EXPECT_NE(log[0].find("refused a connection on 127.0.0.1:" + std::to_string(port)), std::string::npos) << log[0];
  EXPECT_NE(log[0].find("initializationOptions.heaplens.token"), std::string::npos) << log[0];
  EXPECT_NE(log[4].find("no complete first message"), std::string::npos) << log[4];
  EXPECT_EQ(log[1].find("ffff"), std::string::npos) << "the log must not echo what was sent: " << log[1];
}

}  // namespace
