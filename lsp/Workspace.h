// Workspace: open documents, workspace folders, settings and the source map built from them.
//
// The server feeds it document sync, folder changes and configuration; the
// features get immutable snapshots of it (a Document copy, a shared
// SourceMap, FeatureSettings). The SourceMap is never changed after it has
// been handed out: a change builds a new one (lazily, at the next snapshot),
// so a feature running on a worker never sees it move.
//
// The workspace folders are scanned for source files on an indexing thread
// of the workspace's own, never on the caller's: a folder such as "/" takes
// seconds. A scan starts when the folders, the file limit or the directories
// loaded dumps point into change; a newer scan stops an older one. Until a
// scan finishes, snapshots use the files of the last one that did (plus open
// documents); then the next snapshot is a new SourceMap (a new generation,
// so the features' per-dump line indexes are rebuilt) and onIndexed runs.
//
// Threading: every public member locks the workspace's mutex; the dispatch
// thread mutates, workers take snapshots, the indexing thread scans without
// the lock and installs its result under it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <stop_token>
#include <thread>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/SourceMap.h"
#include "lsp/Features.h"
#include "protocol/LspTypes.h"

namespace heaplens::lsp {

struct Settings {
  FeatureSettings features;
  std::vector<PathMapping> pathMappings;
  std::vector<std::string> dumps;  // paths to load (initializationOptions / configuration)
  bool loadMessages = true;        // window/showMessage when a load finishes or fails
  size_t maxWorkspaceFiles = 200000;  // source files indexed from the workspace folders
  uint64_t maxMemory = 0;          // memory budget of a load in bytes; 0: the default (LoadOptions)
};

// Reads {"heaplens": {...}}, {"settings": {"heaplens": {...}}} or a flat settings object into `into`,
// changing only the keys present. Throws protocol::ParamsError with the path of a bad value.
void readSettings(const nlohmann::json& value, Settings& into);

// Byte offset in UTF-8 `text` of an LSP position counted in UTF-16 code units; positions beyond
// the end of a line or of the text clamp to it.
size_t utf16ToOffset(std::string_view text, protocol::Position pos);
// Applies one contentChanges entry: {range, text} (incremental) or {text} (full).
// Throws protocol::ParamsError (relative paths) when it has neither shape.
void applyContentChange(std::string& text, const nlohmann::json& change);

// What a finished workspace scan found, for the log.
struct IndexReport {
  size_t files = 0;
  size_t folders = 0;
  bool truncated = false;  // stopped at Settings::maxWorkspaceFiles
  double seconds = 0;
};

class Workspace {
public:
  Workspace() = default;
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  void setFolders(std::vector<std::string> paths);
  void changeFolders(const std::vector<std::string>& added, const std::vector<std::string>& removed);
  std::vector<std::string> folders() const;

  // Throws protocol::ParamsError.
  void updateSettings(const nlohmann::json& value);
  Settings settings() const;

  void open(Document doc);
  // Applies contentChanges in order; false when the document is not open. Throws ParamsError.
  bool change(const std::string& uri, int version, const nlohmann::json& changes);
  void close(const std::string& uri);
  std::optional<Document> document(const std::string& uri) const;
  std::vector<Document> documents() const;

  // The current source map, rebuilt if the index, mappings or open files changed. Never scans.
  std::shared_ptr<const SourceMap> sourceMap();

  // The file paths loaded dumps record: a scan enters the skipped directories (build, .cache, ...)
  // they pass through. Rescans only when that set of directory names changes.
  void setRecordedPaths(const std::vector<std::string>& paths);
  // Runs on the indexing thread after each scan that was not superseded (set once, before folders).
  void onIndexed(std::function<void(const IndexReport&)> callback);
  // Test hook: passed to the scan (ScanLimits::onDirectory).
  void setScanHook(std::function<void(const std::string&)> hook);
  // True while a scan is requested or running.
  bool indexing() const;
  // Stops any scan and the indexing thread, and waits for it (before what onIndexed uses goes away).
  void stopIndexing();

private:
  void requestScanLocked();
  void indexLoop(std::stop_token stop);

  mutable std::mutex mutex_;
  std::vector<std::string> folders_;
  Settings settings_;
  std::map<std::string, Document> documents_;
  std::shared_ptr<SourceMap> sourceMap_;
  bool mapDirty_ = true;  // the index or the mappings changed since sourceMap_ was built
  std::vector<std::string> extraFiles_;
  std::vector<std::string> pendingFiles_;  // opened since the source map was built, not in it yet

  // Indexing (guarded by mutex_).
  std::vector<std::string> indexedFiles_;  // the last finished scan's files
  std::set<std::string> keepDirectories_;
  std::function<void(const IndexReport&)> onIndexed_;
  std::function<void(const std::string&)> scanHook_;
  uint64_t scanRequested_ = 0, scanStarted_ = 0, scanFinished_ = 0;
  std::stop_source scanStop_;  // the running scan's; a new request stops it
  std::condition_variable_any scanWake_;
  bool indexingStopped_ = false;
  std::jthread indexer_;  // started at the first scan; last member, so it stops first
};

}  // namespace heaplens::lsp
