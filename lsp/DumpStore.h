// DumpStore: the loaded dumps, the loads in flight, and their generation counters.
//
// The server's state about dumps lives here and nowhere else (clangd keeps
// its TUScheduler apart from the wire layer the same way): which dumps are
// loaded, with their summaries; which paths are loading; load (begin/finish),
// unload and replace of a dump by a newer load of the same path; the
// baseline each target is compared against; and a generation number that
// changes on every change, so features and clients can tell that what they
// showed is stale. Features never see the store: the server hands them a
// snapshot of the dumps (a vector of shared pointers) taken under its lock.
//
// Threading: every member is safe to call from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lsp/Features.h"
#include "protocol/HeapLensProtocol.h"

namespace heaplens::lsp {

class DumpStore {
public:
  // The dumps loaded now, in load order.
  std::vector<std::shared_ptr<const LoadedDump>> dumps() const;
  protocol::SummaryResult summary() const;
  bool isLoaded(const std::string& path) const;
  bool isLoadedOrLoading(const std::string& path) const;

  // A load of `path` starts / ends (successful or not); loading() lists the paths in between.
  void beginLoading(const std::string& path);
  void endLoading(const std::string& path);
  // Installs a loaded dump, replacing one of the same path, and ends its loading in the same step
  // (so a summary never shows a path both loaded and loading). Returns the new generation.
  uint64_t install(std::shared_ptr<const LoadedDump> dump, protocol::DumpSummary summary);
  // Removes the dump of `path`; false when none is loaded. Its baseline pairing goes with it.
  bool unload(const std::string& path);

  // Baselines: `target` is shown against `baseline` (both paths of loaded dumps, or nullopt to clear).
  void setBaseline(const std::string& target, std::optional<std::string> baseline);
  std::optional<std::string> baselineOf(const std::string& target) const;

  // Changes on every install, unload or baseline change.
  uint64_t generation() const;

private:
  struct Entry {
    std::shared_ptr<const LoadedDump> dump;
    protocol::DumpSummary summary;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  std::vector<std::string> loading_;
  std::map<std::string, std::string> baselines_;  // target path -> baseline path
  uint64_t generation_ = 0;
};

// The summary a load answers with, from the Dump's parts.
protocol::DumpSummary dumpSummary(const Dump& dump);

}  // namespace heaplens::lsp
