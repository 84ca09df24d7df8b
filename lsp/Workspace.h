// Workspace: open documents, workspace folders, settings and the source map built from them.
//
// The server feeds it document sync, folder changes and configuration; the
// features get immutable snapshots of it (a Document copy, a shared
// SourceMap, FeatureSettings). The SourceMap is never changed after it has
// been handed out: a change builds a new one (lazily, at the next snapshot),
// so a feature running on a worker never sees it move.
//
// Threading: every public member locks the workspace's mutex; the dispatch
// thread mutates, workers take snapshots.
#pragma once

#include <cstdint>
#include <map>
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

class Workspace {
public:
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

  // The current source map, rebuilt if folders, mappings or open files changed.
  std::shared_ptr<const SourceMap> sourceMap();

private:
  mutable std::mutex mutex_;
  std::vector<std::string> folders_;
  Settings settings_;
  std::map<std::string, Document> documents_;
  std::shared_ptr<SourceMap> sourceMap_;
  bool rootsDirty_ = true;
  std::vector<std::string> extraFiles_;
  std::vector<std::string> pendingFiles_;  // opened since the source map was built, not in it yet
};

}  // namespace heaplens::lsp
