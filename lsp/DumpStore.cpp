// DumpStore: loaded dumps, loads in flight, baselines and generations, under one lock.
//
// Threading: see DumpStore.h.
#include "lsp/DumpStore.h"

#include <algorithm>

namespace heaplens::lsp {

std::vector<std::shared_ptr<const LoadedDump>> DumpStore::dumps() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const LoadedDump>> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.dump);
  return out;
}

protocol::SummaryResult DumpStore::summary() const {
  std::lock_guard lock(mutex_);
  protocol::SummaryResult r;
  for (const Entry& e : entries_) r.dumps.push_back(e.summary);
  r.loading = loading_;
  return r;
}

bool DumpStore::isLoaded(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.dump->dump().path == path; });
}

bool DumpStore::isLoadedOrLoading(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.dump->dump().path == path; }) ||
         std::find(loading_.begin(), loading_.end(), path) != loading_.end();
}

void DumpStore::beginLoading(const std::string& path) {
  std::lock_guard lock(mutex_);
  loading_.push_back(path);
}

void DumpStore::endLoading(const std::string& path) {
  std::lock_guard lock(mutex_);
  if (auto it = std::find(loading_.begin(), loading_.end(), path); it != loading_.end()) loading_.erase(it);
}

uint64_t DumpStore::install(std::shared_ptr<const LoadedDump> dump, protocol::DumpSummary summary) {
  std::lock_guard lock(mutex_);
  const std::string path = dump->dump().path;
  std::erase_if(entries_, [&](const Entry& e) { return e.dump->dump().path == path; });
  entries_.push_back({std::move(dump), std::move(summary)});
  if (auto it = std::find(loading_.begin(), loading_.end(), path); it != loading_.end()) loading_.erase(it);
  return ++generation_;
}

bool DumpStore::unload(const std::string& path) {
  std::shared_ptr<const LoadedDump> gone;  // released after the lock, so a big dump is not freed under it
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.dump->dump().path == path; });
    if (it == entries_.end()) return false;
    gone = std::move(it->dump);
    entries_.erase(it);
    baselines_.erase(path);
    std::erase_if(baselines_, [&](const auto& kv) { return kv.second == path; });
    ++generation_;
  }
  return true;
}

void DumpStore::setBaseline(const std::string& target, std::optional<std::string> baseline) {
  std::lock_guard lock(mutex_);
  if (baseline) baselines_[target] = *baseline;
  else baselines_.erase(target);
  ++generation_;
}

std::optional<std::string> DumpStore::baselineOf(const std::string& target) const {
  std::lock_guard lock(mutex_);
  auto it = baselines_.find(target);
  return it == baselines_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

uint64_t DumpStore::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

protocol::DumpSummary dumpSummary(const Dump& d) {
  protocol::DumpSummary s;
  s.format = d.format;
  s.description = d.formatDescription;
  s.path = d.path;
  s.objects = d.objectCount();
  s.totalBytes = d.totalBytes();
  s.sites = d.sites->siteCount();
  s.unreachableObjects = d.heap ? d.heap->unreachableObjects : 0;
  if (d.series) s.snapshot = d.series->selected;
  s.snapshotCount = d.series ? d.series->snapshots.size() : 0;
  if (d.heap) s.parts.push_back("heap");
  if (d.series) s.parts.push_back("snapshots");
  if (d.timeline) s.parts.push_back("timeline");
  if (d.pageMaps) s.parts.push_back("pageMaps");
  if (d.growth) s.parts.push_back("growth");
  s.warnings = d.warnings;
  s.attributionProblem = d.attributionProblem;
  return s;
}

}  // namespace heaplens::lsp
