// Progress: how a load tells the editor what it is doing.
//
// With a client that advertises window.workDoneProgress, a load asks for a
// token (window/workDoneProgress/create), waits for the answer as clangd
// does, then sends $/progress begin / report / end. Reports carry a
// percentage that only rises and the phase name ("Reading objects") as the
// message, and are sent only when the whole percent or the phase changes.
// Without that capability (Eglot), or when the create request fails, each
// phase becomes one window/logMessage line.
//
// Threading: one reporter per load, used on the worker running it; the
// channel it talks through is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace heaplens::lsp {

// What a reporter needs from the server: notifications, and requests to the client with replies.
class ClientChannel {
public:
  virtual ~ClientChannel() = default;
  virtual void notify(std::string_view method, nlohmann::json params) = 0;
  // The future holds the result, or throws protocol::ResponseError when the client answered an error
  // or the request was dropped.
  virtual std::future<nlohmann::json> call(std::string_view method, nlohmann::json params) = 0;
};

class ProgressReporter {
public:
  // token: a fresh, unique token; workDone: the client advertised window.workDoneProgress.
  ProgressReporter(ClientChannel& channel, bool workDone, std::string token, std::string title, std::string subject);
  // Creates the token (waiting up to `timeout` or until stop) and sends begin, or logs the start.
  void begin(std::stop_token stop, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Thread-safe; cheap when nothing visible changes.
  void update(std::string_view phase, double fraction);
  void end(const std::string& message);

private:
  ClientChannel& channel_;
  bool workDone_;
  bool live_ = false;
  std::string token_, title_, subject_;
  std::mutex mutex_;
  std::string phase_;
  int phaseIndex_ = -1;
  double phaseStart_ = 0, phaseSpan_ = 0;
  int lastPercent_ = 0;
  bool ended_ = false;
};

}  // namespace heaplens::lsp
