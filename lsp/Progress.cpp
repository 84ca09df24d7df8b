// Progress: $/progress or log lines for a load (see Progress.h).
#include "lsp/Progress.h"

#include <algorithm>
#include <cmath>

namespace heaplens::lsp {

using nlohmann::json;

ProgressReporter::ProgressReporter(ClientChannel& channel, bool workDone, std::string token, std::string title,
                                   std::string subject)
    : channel_(channel), workDone_(workDone), token_(std::move(token)), title_(std::move(title)),
      subject_(std::move(subject)) {}

void ProgressReporter::begin(std::stop_token stop, std::chrono::milliseconds timeout) {
  if (workDone_) {
    try {
      auto reply = channel_.call("window/workDoneProgress/create", json{{"token", token_}});
      auto deadline = std::chrono::steady_clock::now() + timeout;
      // Wait in slices so a cancelled load does not sit out the whole timeout.
      while (reply.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
        if (stop.stop_requested() || std::chrono::steady_clock::now() > deadline) break;
      }
      if (reply.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        reply.get();  // throws when the client refused
        live_ = true;
      }
    } catch (const std::exception&) {
      live_ = false;  // the client refused the token: fall back to log lines
    }
  }
  if (live_) {
    channel_.notify("$/progress", json{{"token", token_},
                                       {"value", {{"kind", "begin"}, {"title", title_}, {"message", subject_},
                                                  {"percentage", 0}, {"cancellable", true}}}});
  } else {
    channel_.notify("window/logMessage", json{{"type", 3}, {"message", "heaplens: " + title_ + ": " + subject_}});
  }
}

void ProgressReporter::update(std::string_view phase, double fraction) {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  if (!std::isfinite(fraction)) fraction = 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  bool newPhase = phase != phase_;
  if (newPhase) {
    // Phases are not known up front. The first (reading the file) is the long one and gets 0-80%;
    // each later phase gets half of what is left, so the percentage only rises.
    ++phaseIndex_;
    phase_ = phase;
    double start = phaseIndex_ == 0 ? 0.0 : phaseStart_ + phaseSpan_;
    phaseStart_ = start;
    phaseSpan_ = phaseIndex_ == 0 ? 80.0 : (100.0 - start) / 2;
  }
  int percent = std::max(lastPercent_, static_cast<int>(phaseStart_ + fraction * phaseSpan_));
  percent = std::min(percent, 99);  // 100 is for end
  if (!newPhase && percent == lastPercent_) return;
  lastPercent_ = percent;
  if (live_) {
    channel_.notify("$/progress", json{{"token", token_},
                                       {"value", {{"kind", "report"}, {"message", phase_}, {"percentage", percent}}}});
  } else if (newPhase) {
    channel_.notify("window/logMessage",
                    json{{"type", 3}, {"message", "heaplens: " + subject_ + ": " + phase_}});
  }
}

void ProgressReporter::end(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  ended_ = true;
  if (live_) {
    channel_.notify("$/progress", json{{"token", token_}, {"value", {{"kind", "end"}, {"message", message}}}});
  } else {
    channel_.notify("window/logMessage", json{{"type", 3}, {"message", "heaplens: " + subject_ + ": " + message}});
  }
}

}  // namespace heaplens::lsp
