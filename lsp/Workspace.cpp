// Workspace: documents, folders, settings and the source map (see Workspace.h).
#include "lsp/Workspace.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_set>

#include "analysis/Text.h"
#include "protocol/Message.h"

namespace heaplens::lsp {

using nlohmann::json;
using protocol::ParamsError;

void readSettings(const json& value, Settings& into) {
  if (value.is_null()) return;
  if (!value.is_object()) throw ParamsError("", "object, got " + protocol::typeName(value));
  const json* s = &value;
  std::string prefix;
  if (auto it = value.find("settings"); it != value.end() && it->is_object()) {
    s = &*it;
    prefix = "/settings";
  }
  if (auto it = s->find("heaplens"); it != s->end()) {
    if (it->is_null()) return;
    if (!it->is_object()) throw ParamsError(prefix + "/heaplens", "object, got " + protocol::typeName(*it));
    s = &*it;
    prefix += "/heaplens";
  }
  try {
    Settings next = into;
    auto share = [&](std::string_view key, double& out) {
      if (auto v = protocol::optNumber(*s, key)) {
        if (*v < 0 || *v > 1) throw ParamsError("/" + std::string(key), "number from 0 to 1");
        out = *v;
      }
    };
    share("warningShare", next.features.warningShare);
    share("hotspotShare", next.features.hotspotShare);
    if (auto v = protocol::optInteger(*s, "maxPaths")) {
      if (*v < 1 || *v > 1000) throw ParamsError("/maxPaths", "integer from 1 to 1000");
      next.features.maxPaths = static_cast<size_t>(*v);
    }
    auto integer = [&](std::string_view key, int64_t lo, int64_t hi, size_t& out) {
      if (auto v = protocol::optInteger(*s, key)) {
        if (*v < lo || *v > hi)
          throw ParamsError("/" + std::string(key), "integer from " + std::to_string(lo) + " to " + std::to_string(hi));
        out = static_cast<size_t>(*v);
      }
    };
    auto boolean = [&](std::string_view key, bool& out) {
      auto it = s->find(std::string(key));
      if (it == s->end() || it->is_null()) return;
      if (!it->is_boolean()) throw ParamsError("/" + std::string(key), "true or false, got " + protocol::typeName(*it));
      out = it->get<bool>();
    };
    integer("hoverMaxLines", 3, 10000, next.features.hoverMaxLines);
    integer("maxDiagnosticFiles", 0, 100000, next.features.maxDiagnosticFiles);
    if (auto v = protocol::optInteger(*s, "growthWarningObjects")) {
      if (*v < 0 || *v > 1'000'000'000'000) throw ParamsError("/growthWarningObjects", "integer from 0 (none) up");
      next.features.growthWarningObjects = static_cast<uint64_t>(*v);
    }
    boolean("inlayHints", next.features.inlayHints);
    boolean("loadMessages", next.loadMessages);
    if (auto v = protocol::optInteger(*s, "maxDiagnosticsPerFile")) {
      if (*v < 0 || *v > 100000) throw ParamsError("/maxDiagnosticsPerFile", "integer from 0 to 100000");
      next.features.maxDiagnosticsPerFile = static_cast<size_t>(*v);
    }
    if (auto it = s->find("maxMemory"); it != s->end() && !it->is_null()) {
      // Bytes as a number, or a size as text ("4G", "512M"), as on the command line.
      std::optional<uint64_t> bytes;
      if (it->is_number_unsigned() || (it->is_number_integer() && it->get<int64_t>() > 0)) bytes = it->get<uint64_t>();
      else if (it->is_string()) bytes = parseByteSize(it->get<std::string>());
      if (!bytes || *bytes == 0) throw ParamsError("/maxMemory", "a size above 0: bytes, or text such as \"4G\" or \"512M\"");
      next.maxMemory = *bytes;
    }
    if (auto v = protocol::optInteger(*s, "maxWorkspaceFiles")) {
      if (*v < 0 || *v > 100000000) throw ParamsError("/maxWorkspaceFiles", "integer from 0 to 100000000");
      next.maxWorkspaceFiles = static_cast<size_t>(*v);
    }
    if (const json* maps = protocol::optArray(*s, "pathMappings")) {
      next.pathMappings.clear();
      for (size_t i = 0; i < maps->size(); ++i) {
        try {
          const json& m = (*maps)[i];
          next.pathMappings.push_back({protocol::getString(m, "from"), protocol::getString(m, "to")});
        } catch (const ParamsError& e) {
          throw e.within(i).within("pathMappings");
        }
      }
    }
    if (const json* dumps = protocol::optArray(*s, "dumps")) {
      next.dumps.clear();
      for (size_t i = 0; i < dumps->size(); ++i) {
        if (!(*dumps)[i].is_string())
          throw ParamsError("/dumps/" + std::to_string(i), "string, got " + protocol::typeName((*dumps)[i]));
        next.dumps.push_back((*dumps)[i].get<std::string>());
      }
    }
    into = std::move(next);
  } catch (const ParamsError& e) {
    throw ParamsError(prefix + e.path, e.expected);
  }
}

size_t utf16ToOffset(std::string_view text, protocol::Position pos) {
  size_t offset = 0;
  for (uint32_t line = 0; line < pos.line; ++line) {
    size_t nl = text.find('\n', offset);
    if (nl == std::string_view::npos) return text.size();
    offset = nl + 1;
  }
  size_t units = 0;
  while (offset < text.size() && units < pos.character) {
    unsigned char c = static_cast<unsigned char>(text[offset]);
    if (c == '\n' || (c == '\r' && offset + 1 < text.size() && text[offset + 1] == '\n')) break;
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (offset + len > text.size()) len = text.size() - offset;  // truncated sequence: count bytes
    // Code points beyond the BMP take two UTF-16 units; a position inside the pair rounds up.
    units += len == 4 ? 2 : 1;
    offset += len;
  }
  return offset;
}

void applyContentChange(std::string& text, const json& change) {
  if (!change.is_object()) throw ParamsError("", "object, got " + protocol::typeName(change));
  std::string newText = protocol::getString(change, "text");
  if (!protocol::optObject(change, "range")) {
    text = std::move(newText);
    return;
  }
  auto range = protocol::getAs<protocol::Range>(change, "range");
  size_t start = utf16ToOffset(text, range.start);
  size_t end = utf16ToOffset(text, range.end);
  if (end < start) throw ParamsError("/range", "a range whose end is not before its start");
  text.replace(start, end - start, newText);
}

Workspace::~Workspace() { stopIndexing(); }

void Workspace::setFolders(std::vector<std::string> paths) {
  std::lock_guard lock(mutex_);
  folders_ = std::move(paths);
  requestScanLocked();
}

void Workspace::changeFolders(const std::vector<std::string>& added, const std::vector<std::string>& removed) {
  std::lock_guard lock(mutex_);
  for (const auto& r : removed) std::erase(folders_, r);
  for (const auto& a : added)
    if (std::find(folders_.begin(), folders_.end(), a) == folders_.end()) folders_.push_back(a);
  requestScanLocked();
}

std::vector<std::string> Workspace::folders() const {
  std::lock_guard lock(mutex_);
  return folders_;
}

void Workspace::updateSettings(const json& value) {
  std::lock_guard lock(mutex_);
  auto mappings = settings_.pathMappings;
  size_t maxFiles = settings_.maxWorkspaceFiles;
  readSettings(value, settings_);
  if (mappings.size() != settings_.pathMappings.size() ||
      !std::equal(mappings.begin(), mappings.end(), settings_.pathMappings.begin(),
                  [](const PathMapping& a, const PathMapping& b) { return a.from == b.from && a.to == b.to; }))
    mapDirty_ = true;  // no rescan: mappings apply to the files already indexed
  if (maxFiles != settings_.maxWorkspaceFiles) requestScanLocked();
}

void Workspace::setRecordedPaths(const std::vector<std::string>& paths) {
  std::set<std::string> keep = skippedDirectoriesIn(paths);
  std::lock_guard lock(mutex_);
  if (keep == keepDirectories_) return;
  keepDirectories_ = std::move(keep);
  requestScanLocked();
}

void Workspace::onIndexed(std::function<void(const IndexReport&)> callback) {
  std::lock_guard lock(mutex_);
  onIndexed_ = std::move(callback);
}

void Workspace::setScanHook(std::function<void(const std::string&)> hook) {
  std::lock_guard lock(mutex_);
  scanHook_ = std::move(hook);
}

bool Workspace::indexing() const {
  std::lock_guard lock(mutex_);
  return scanFinished_ != scanRequested_;
}

void Workspace::requestScanLocked() {
  if (indexingStopped_) return;
  scanStop_.request_stop();  // a scan of the old folders is of no use any more
  scanStop_ = std::stop_source();
  ++scanRequested_;
  if (folders_.empty()) {
    // Nothing to walk: no thread needed.
    indexedFiles_.clear();
    mapDirty_ = true;
    scanStarted_ = scanFinished_ = scanRequested_;
    return;
  }
  if (!indexer_.joinable()) indexer_ = std::jthread([this](std::stop_token stop) { indexLoop(stop); });
  scanWake_.notify_one();
}

void Workspace::indexLoop(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  for (;;) {
    scanWake_.wait(lock, stop, [&] { return scanStarted_ != scanRequested_; });
    if (stop.stop_requested()) return;
    const uint64_t id = scanStarted_ = scanRequested_;
    const std::vector<std::string> roots = folders_;
    ScanLimits limits;
    limits.maxFiles = settings_.maxWorkspaceFiles;
    limits.keepDirectories = keepDirectories_;
    limits.onDirectory = scanHook_;
    std::stop_token scanStop = scanStop_.get_token();
    lock.unlock();
    auto start = std::chrono::steady_clock::now();
    WorkspaceScan scan = scanWorkspace(roots, limits, scanStop);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    lock.lock();
    if (scan.cancelled || id != scanRequested_) continue;  // superseded: the newer request runs next
    indexedFiles_ = std::move(scan.files);
    mapDirty_ = true;
    scanFinished_ = id;
    IndexReport report{indexedFiles_.size(), roots.size(), scan.truncated, seconds};
    auto callback = onIndexed_;
    lock.unlock();
    if (callback) callback(report);  // without the lock: it takes snapshots of this workspace
    lock.lock();
  }
}

void Workspace::stopIndexing() {
  {
    std::lock_guard lock(mutex_);
    indexingStopped_ = true;
    scanStop_.request_stop();
  }
  if (indexer_.joinable()) {
    indexer_.request_stop();  // wakes the wait (condition_variable_any with a stop token)
    indexer_.join();
  }
}

Settings Workspace::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

void Workspace::open(Document doc) {
  std::lock_guard lock(mutex_);
  if (!doc.path.empty() && std::find(extraFiles_.begin(), extraFiles_.end(), doc.path) == extraFiles_.end()) {
    extraFiles_.push_back(doc.path);
    bool known = sourceMap_ && std::find(sourceMap_->files().begin(), sourceMap_->files().end(), doc.path) !=
                                   sourceMap_->files().end();
    if (!known) pendingFiles_.push_back(doc.path);
  }
  documents_[doc.uri] = std::move(doc);
}

bool Workspace::change(const std::string& uri, int version, const json& changes) {
  std::lock_guard lock(mutex_);
  auto it = documents_.find(uri);
  if (it == documents_.end()) return false;
  // Work on a copy: a bad change in the middle leaves the document as it was.
  std::string text = it->second.text;
  for (size_t i = 0; i < changes.size(); ++i) {
    try {
      applyContentChange(text, changes[i]);
    } catch (const ParamsError& e) {
      throw e.within(i).within("contentChanges");
    }
  }
  it->second.text = std::move(text);
  it->second.version = version;
  return true;
}

void Workspace::close(const std::string& uri) {
  std::lock_guard lock(mutex_);
  documents_.erase(uri);
}

std::optional<Document> Workspace::document(const std::string& uri) const {
  std::lock_guard lock(mutex_);
  auto it = documents_.find(uri);
  if (it == documents_.end()) return std::nullopt;
  return it->second;
}

std::vector<Document> Workspace::documents() const {
  std::lock_guard lock(mutex_);
  std::vector<Document> out;
  for (const auto& [uri, doc] : documents_) out.push_back(doc);
  return out;
}

std::shared_ptr<const SourceMap> Workspace::sourceMap() {
  std::lock_guard lock(mutex_);
  if (sourceMap_ && !mapDirty_ && pendingFiles_.empty()) return sourceMap_;
  if (sourceMap_ && !mapDirty_) {
    // Only newly opened files: extend a copy of the current map instead of re-indexing.
    auto map = std::make_shared<SourceMap>(*sourceMap_);
    for (const auto& f : pendingFiles_) map->addWorkspaceFile(f);
    pendingFiles_.clear();
    sourceMap_ = std::move(map);
    return sourceMap_;
  }
  pendingFiles_.clear();
  auto map = std::make_shared<SourceMap>();
  // The scan applied maxWorkspaceFiles already; open documents always count.
  map->setWorkspaceFiles(indexedFiles_, std::numeric_limits<size_t>::max());
  map->setMappings(settings_.pathMappings);
  for (const auto& f : extraFiles_) map->addWorkspaceFile(f);
  sourceMap_ = std::move(map);
  mapDirty_ = false;
  return sourceMap_;
}

}  // namespace heaplens::lsp
