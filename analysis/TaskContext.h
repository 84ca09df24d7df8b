// TaskContext: cancellation and progress for every long step.
//
// Parsers and algorithms take a `const TaskContext&` and call
// `checkCancelled()` every few thousand iterations and `report()` when a
// phase advances. Cancellation unwinds with OperationCancelled, so a
// cancelled load never publishes a half-built model: the caller keeps the
// previous one.
//
// Threading: the token is set from the dispatch thread and read from the
// worker; the progress callback runs on the worker and must be thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <stop_token>
#include <string_view>

namespace heaplens {

struct OperationCancelled : std::runtime_error {
  OperationCancelled() : std::runtime_error("operation cancelled") {}
};

// phase: a short UI text such as "Reading objects"; fraction in [0, 1] within that phase.
using ProgressFn = std::function<void(std::string_view phase, double fraction)>;

// Loops over nodes or edges poll `checkCancelled()` when `(i & kPollMask) == 0`: every 64k iterations.
inline constexpr uint32_t kPollMask = 0xFFFF;

class TaskContext {
public:
  TaskContext() = default;
  TaskContext(std::stop_token stop, ProgressFn progress) : stop_(std::move(stop)), progress_(std::move(progress)) {}

  bool cancelled() const { return stop_.stop_requested(); }
  void checkCancelled() const {
    if (stop_.stop_requested()) throw OperationCancelled();
  }
  void report(std::string_view phase, double fraction) const {
    if (progress_) progress_(phase, fraction);
  }

private:
  std::stop_token stop_;
  ProgressFn progress_;
};

}  // namespace heaplens
