// SourceMap: from the file paths a dump records to files in the user's workspace.
//
// Dumps record paths as they were on the machine that ran the program
// (`/home/ci/build/app/store/store.go`, `leaky.raku` relative to the process's
// cwd, `/abs/lib/Mod.rakumod (Mod)`, `SETTING::src/core.c/Str.pm6`). The
// workspace sits elsewhere. Mapping tries explicit prefix mappings first,
// then the longest matching path suffix against the workspace's files; ties
// are reported as ambiguous. Frames are also classified as workspace,
// runtime or library so annotations land on the user's code.
//
// Threading: configured on the dispatch thread; lookups are const and the
// result cache is guarded, so features may map from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace heaplens {

struct PathMapping {
  std::string from;  // prefix as recorded in the dump
  std::string to;    // local prefix
};

enum class FrameOrigin : uint8_t { Workspace, Runtime, Library, Unknown };

// Bounds of a workspace scan: a root such as "/" must not walk the whole machine.
struct ScanLimits {
  size_t maxFiles = 200000;
  size_t maxDepth = 24;  // directory levels below a root
  // Directory names a scan normally skips (dot-directories such as .git, node_modules, build*, dist)
  // but enters here, because a loaded dump records paths through them (skippedDirectoriesIn).
  std::set<std::string> keepDirectories;
  // Called with each directory about to be entered, on the scanning thread (tests hold a scan with it).
  std::function<void(const std::string&)> onDirectory;
};

struct WorkspaceScan {
  std::vector<std::string> files;  // absolute, sorted, unique
  bool truncated = false;          // stopped at maxFiles
  bool cancelled = false;          // stopped because `stop` was requested; files is partial
};

// Walks `roots` for source files, skipping /proc, /sys and /dev too. Touches no SourceMap, so it
// may run on any thread; checks `stop` at every entry.
WorkspaceScan scanWorkspace(const std::vector<std::string>& roots, const ScanLimits& limits,
                            std::stop_token stop = {});
// The directory names in dump-recorded paths that a scan would skip ("build" in /ci/build/x.go).
std::set<std::string> skippedDirectoriesIn(const std::vector<std::string>& recordedPaths);

struct MappedPath {
  std::string localPath;           // absolute path of the workspace file
  size_t matchedComponents = 0;    // path components that matched (for suffix matches)
  bool viaExplicitMapping = false;
  bool ambiguous = false;          // other workspace files matched equally well
  std::vector<std::string> alternatives;  // the other equally good candidates, if ambiguous
};

class SourceMap {
public:
  SourceMap() = default;
  // Copies the index (not the lookup cache), so adding one file to a copy needs no rescan.
  SourceMap(const SourceMap& other);
  SourceMap& operator=(const SourceMap&) = delete;

  // Workspace roots are scanned for source files (skipping .git, node_modules and build output),
  // at most maxFiles in all, on the calling thread: scanWorkspace() then setWorkspaceFiles().
  void setWorkspaceRoots(std::vector<std::string> roots, size_t maxFiles = 200000);
  // The files of a scan of the roots done elsewhere (a background thread), at most maxFiles with
  // the single files added.
  void setWorkspaceFiles(std::vector<std::string> scanned, size_t maxFiles = 200000);
  // Adds single files (documents opened outside the roots, or tests).
  void addWorkspaceFile(const std::string& absolutePath);
  void setMappings(std::vector<PathMapping> mappings);

  // Strips decorations a dump adds to a path: MoarVM's " (Module::Name)" suffix, "file://".
  static std::string normalise(std::string_view dumpPath);
  // Runtime: GOROOT (…/go/src/…, /usr/lib/go-*/src, runtime/… without a module), SETTING::, gen/moar/,
  // src/vm/moar/, *.moarvm, node:internal. Library: Go module cache (…/pkg/mod/…), node_modules, site/.
  static FrameOrigin classifyPath(std::string_view dumpPath);

  std::optional<MappedPath> map(std::string_view dumpPath) const;
  // True when map() finds a workspace file and the path is not runtime/library.
  bool isWorkspace(std::string_view dumpPath) const;

  // Changes on every change, and is unique across instances, for caches.
  uint64_t generation() const { return generation_; }
  const std::vector<std::string>& files() const { return files_; }

private:
  void rebuildIndex(std::vector<std::string> scanned);
  void bumpGeneration();
  std::vector<std::string> extraFiles_;  // added one by one; survive a rescan of the roots
  size_t maxFiles_ = 200000;
  std::vector<std::string> files_;
  std::vector<PathMapping> mappings_;
  std::unordered_map<std::string, std::vector<uint32_t>> byBasename_;
  uint64_t generation_ = 0;
  mutable std::mutex cacheMutex_;
  mutable std::unordered_map<std::string, std::optional<MappedPath>> cache_;
};

}  // namespace heaplens
