// LoadBench: what go_load_bench and moar_load_bench share: the md5sum reference, the time of each
// progress phase of a load, and peak RSS.
//
// Threading: for a benchmark's main thread; PhaseTimes records the reports the load makes
// through its TaskContext, as they arrive.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/TaskContext.h"

namespace loadbench {

using Clock = std::chrono::steady_clock;

inline double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Seconds `md5sum` takes over the file: every byte read once, the reference a load is held against.
inline double md5sumSeconds(const std::string& path) {
  auto t = Clock::now();
  std::string cmd = "md5sum '" + path + "' > /dev/null";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "md5sum failed\n");
  return since(t);
}

// Peak resident set size of this process so far, in MB (10^6 bytes).
inline double peakRssMB() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) * 1024 / 1e6;
}

// Resident set size of this process now, in MB (10^6 bytes).
inline double rssMB() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * 4096 / 1e6;
}

// Phase times from the progress reports: each phase runs until the next one starts.
class PhaseTimes {
public:
  PhaseTimes() = default;
  PhaseTimes(const PhaseTimes&) = delete;  // the context's callback points at this object
  PhaseTimes& operator=(const PhaseTimes&) = delete;

  // Starts the clock; the returned context records every new phase it is told about.
  heaplens::TaskContext start() {
    start_ = Clock::now();
    return heaplens::TaskContext({}, [this](std::string_view phase, double) {
      if (phases_.empty() || phases_.back().first != phase) {
        phases_.emplace_back(std::string(phase), since(start_));
        peaks_.push_back(peakRssMB());  // the peak up to the end of the phase before
        now_.push_back(rssMB());
      }
    });
  }

  // Seconds since start().
  double elapsed() const { return since(start_); }

  // "phases:" and one line per phase, names padded to nameWidth, with the process's peak RSS at the
  // phase's end; the last phase ends at `total`.
  void print(int nameWidth, double total) const {
    std::printf("phases:%*s  time     peak RSS at its end (RSS at its start)\n", nameWidth - 5, "");
    for (size_t i = 0; i < phases_.size(); ++i) {
      double end = i + 1 < phases_.size() ? phases_[i + 1].second : total;
      double peak = i + 1 < peaks_.size() ? peaks_[i + 1] : peakRssMB();
      std::printf("  %-*s %.3f s  %7.1f MB  (%.1f MB)\n", nameWidth, phases_[i].first.c_str(), end - phases_[i].second,
                  peak, now_[i]);
    }
  }

private:
  Clock::time_point start_;
  std::vector<std::pair<std::string, double>> phases_;
  std::vector<double> peaks_, now_;
};

}  // namespace loadbench
