// SourceMap: normalises dump paths, classifies them, and maps them onto workspace files.
//
// Mapping order: explicit prefix mappings (longest prefix first, only when
// the mapped file exists), then the longest path-component suffix shared
// with a workspace file, found through an index by basename. Equal best
// suffixes are reported as ambiguous and resolved deterministically (the
// shortest local path, then lexical order) so the same dump always lands
// on the same file.
//
// Threading: configured on the dispatch thread; map() is const and guards
// its result cache with a mutex, so features may call it from any thread.
// scanWorkspace() is free of SourceMap state and runs on the server's
// indexing thread.
#include "analysis/SourceMap.h"

#include <algorithm>
#include <atomic>
#include <array>
#include <filesystem>
#include <system_error>

namespace heaplens {

namespace fs = std::filesystem;

namespace {

// Path components, skipping empty ones and ".".
std::vector<std::string_view> components(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view c = p.substr(i, j - i);
    if (!c.empty() && c != ".") out.push_back(c);
    i = j + 1;
  }
  return out;
}

std::string_view basename(std::string_view p) {
  const size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

// Top-level packages of the Go standard library: a relative "fmt/print.go"
// is GOROOT code, while "leakcache/main.go" (a -trimpath module) is not.
constexpr std::array<std::string_view, 51> kGoStdRoots = {
    "archive", "bufio",  "builtin", "bytes",   "cmp",     "compress", "container", "context", "crypto",
    "database", "debug", "embed",   "encoding", "errors", "expvar",   "flag",      "fmt",     "go",
    "hash",    "html",   "image",   "index",   "internal", "io",      "iter",      "log",     "maps",
    "math",    "mime",   "net",     "os",      "path",    "plugin",   "reflect",   "regexp",  "runtime",
    "slices",  "sort",   "strconv", "strings", "structs", "sync",     "syscall",   "testing", "text",
    "time",    "unicode", "unique", "unsafe",  "vendor",  "weak"};

bool isGoStdRoot(std::string_view first) {
  return std::find(kGoStdRoots.begin(), kGoStdRoots.end(), first) != kGoStdRoots.end();
}

// Source files worth indexing; everything else in a workspace is noise for mapping.
bool isSourceFile(std::string_view name) {
  static constexpr std::string_view kExt[] = {
      ".go",  ".raku", ".rakumod", ".rakutest", ".rakudoc", ".pm6", ".p6",  ".pl6", ".t6",   ".pm",  ".pl",
      ".t",   ".nqp",  ".js",      ".mjs",      ".cjs",     ".ts",  ".mts", ".cts", ".jsx",  ".tsx", ".kt",
      ".kts", ".java", ".scala",   ".c",        ".cc",      ".cpp", ".cxx", ".h",   ".hh",   ".hpp", ".hxx",
      ".py",  ".rb",   ".rs",      ".swift",    ".cs",      ".php", ".lua", ".zig", ".s"};
  for (std::string_view e : kExt)
    if (name.ends_with(e)) return true;
  return false;
}

bool skipDirectory(std::string_view name) {
  return name.empty() || name[0] == '.' || name == "node_modules" || name.starts_with("build") || name == "dist";
}

// Pseudo-file systems: thousands of entries, never source, some slow to list.
bool skipAbsolute(const fs::path& p) { return p == "/proc" || p == "/sys" || p == "/dev"; }

std::string trimSlash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string SourceMap::normalise(std::string_view dumpPath) {
  std::string s(dumpPath);
  std::replace(s.begin(), s.end(), '\\', '/');
  if (s.starts_with("file://")) s.erase(0, 7);
  // MoarVM: "/abs/lib/Mod.rakumod (Mod::Sub)"
  if (!s.empty() && s.back() == ')') {
    const size_t open = s.rfind(" (");
    if (open != std::string::npos) {
      std::string_view inner = std::string_view(s).substr(open + 2, s.size() - open - 3);
      if (!inner.empty() && inner.find('/') == std::string_view::npos) s.erase(open);
    }
  }
  while (s.starts_with("./")) s.erase(0, 2);
  return s;
}

FrameOrigin SourceMap::classifyPath(std::string_view dumpPath) {
  const std::string p = normalise(dumpPath);
  if (p.empty()) return FrameOrigin::Unknown;
  // Libraries first: a module cache path may also contain "/go/src/"-like parts.
  if (p.find("/pkg/mod/") != std::string::npos || p.starts_with("pkg/mod/") ||
      p.find("node_modules/") != std::string::npos || p.find("/site/") != std::string::npos ||
      p.starts_with("site#") || p.starts_with("site/"))
    return FrameOrigin::Library;
  if (p.starts_with("SETTING::") || p.find("gen/moar/") != std::string::npos ||
      p.find("src/vm/moar/") != std::string::npos || p.ends_with(".moarvm") || p.starts_with("node:") ||
      p.starts_with("<GOROOT>/src/") || p.starts_with("$GOROOT/src/") || p.find("/go/src/") != std::string::npos)
    return FrameOrigin::Runtime;
  if (p.starts_with("/usr/lib/go")) {
    const size_t src = p.find("/src/");
    const size_t next = p.find('/', 1 + std::string_view("/usr/lib/").size());
    if (src != std::string::npos && src == next) return FrameOrigin::Runtime;  // /usr/lib/go-1.19/src/...
  }
  if (p[0] != '/' && p.ends_with(".go")) {
    const size_t slash = p.find('/');
    if (slash != std::string::npos) {
      std::string_view first = std::string_view(p).substr(0, slash);
      if (first.find('.') == std::string_view::npos && isGoStdRoot(first)) return FrameOrigin::Runtime;
    }
  }
  return FrameOrigin::Unknown;
}

WorkspaceScan scanWorkspace(const std::vector<std::string>& roots, const ScanLimits& limits, std::stop_token stop) {
  WorkspaceScan out;
  for (const std::string& root : roots) {
    std::error_code ec;
    fs::path base = fs::absolute(fs::path(SourceMap::normalise(root)), ec).lexically_normal();
    if (ec || !fs::is_directory(base, ec)) continue;
    if (limits.onDirectory) limits.onDirectory(base.generic_string());
    fs::recursive_directory_iterator it(base, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (stop.stop_requested()) {
        out.cancelled = true;
        return out;
      }
      if (out.files.size() >= limits.maxFiles) {
        out.truncated = true;
        break;
      }
      const fs::directory_entry& e = *it;
      const std::string name = e.path().filename().string();
      std::error_code sec;
      if (e.is_directory(sec)) {
        bool skip = (skipDirectory(name) && !limits.keepDirectories.contains(name)) || skipAbsolute(e.path()) ||
                    static_cast<size_t>(it.depth()) + 1 >= limits.maxDepth;
        if (skip) it.disable_recursion_pending();
        else if (limits.onDirectory) limits.onDirectory(e.path().generic_string());
        continue;
      }
      if (e.is_regular_file(sec) && isSourceFile(name)) out.files.push_back(e.path().generic_string());
    }
  }
  std::sort(out.files.begin(), out.files.end());
  out.files.erase(std::unique(out.files.begin(), out.files.end()), out.files.end());
  return out;
}

std::set<std::string> skippedDirectoriesIn(const std::vector<std::string>& recordedPaths) {
  std::set<std::string> out;
  for (const std::string& p : recordedPaths) {
    std::string n = SourceMap::normalise(p);
    std::vector<std::string_view> parts = components(n);
    if (!parts.empty()) parts.pop_back();  // the file itself
    for (std::string_view c : parts)
      if (c != ".." && skipDirectory(c)) out.emplace(c);
  }
  return out;
}

SourceMap::SourceMap(const SourceMap& other)
    : extraFiles_(other.extraFiles_),
      maxFiles_(other.maxFiles_),
      files_(other.files_),
      mappings_(other.mappings_),
      byBasename_(other.byBasename_) {
  bumpGeneration();
}

void SourceMap::setWorkspaceRoots(std::vector<std::string> roots, size_t maxFiles) {
  ScanLimits limits;
  limits.maxFiles = maxFiles;
  setWorkspaceFiles(scanWorkspace(roots, limits).files, maxFiles);
}

void SourceMap::setWorkspaceFiles(std::vector<std::string> scanned, size_t maxFiles) {
  maxFiles_ = maxFiles;
  rebuildIndex(std::move(scanned));
}

void SourceMap::addWorkspaceFile(const std::string& absolutePath) {
  std::string p = fs::path(normalise(absolutePath)).lexically_normal().generic_string();
  if (std::find(extraFiles_.begin(), extraFiles_.end(), p) != extraFiles_.end()) return;
  extraFiles_.push_back(p);
  // One file more needs no rescan of the roots: add it to the index unless a root already holds it.
  std::vector<uint32_t>& sameName = byBasename_[std::string(basename(p))];
  for (uint32_t i : sameName)
    if (files_[i] == p) return;
  if (files_.size() >= maxFiles_) return;
  sameName.push_back(static_cast<uint32_t>(files_.size()));
  files_.push_back(p);
  bumpGeneration();
}

void SourceMap::bumpGeneration() {
  // Unique across all SourceMap instances, so a cache keyed on it never confuses a new map with an old one.
  static std::atomic<uint64_t> counter{0};
  generation_ = ++counter;
  std::lock_guard lock(cacheMutex_);
  cache_.clear();
}

void SourceMap::setMappings(std::vector<PathMapping> mappings) {
  mappings_.clear();
  for (PathMapping& m : mappings) {
    m.from = trimSlash(normalise(m.from));
    m.to = trimSlash(normalise(m.to));
    if (!m.from.empty()) mappings_.push_back(std::move(m));
  }
  std::stable_sort(mappings_.begin(), mappings_.end(),
                   [](const PathMapping& a, const PathMapping& b) { return a.from.size() > b.from.size(); });
  bumpGeneration();
}

void SourceMap::rebuildIndex(std::vector<std::string> scanned) {
  files_ = std::move(scanned);
  if (files_.size() > maxFiles_) files_.resize(maxFiles_);
  byBasename_.clear();
  auto addFile = [&](std::string path) {
    if (files_.size() >= maxFiles_) return;
    files_.push_back(std::move(path));
  };
  for (const std::string& f : extraFiles_) addFile(f);
  std::sort(files_.begin(), files_.end());
  files_.erase(std::unique(files_.begin(), files_.end()), files_.end());
  for (uint32_t i = 0; i < files_.size(); ++i) byBasename_[std::string(basename(files_[i]))].push_back(i);
  bumpGeneration();
}

std::optional<MappedPath> SourceMap::map(std::string_view dumpPath) const {
  const std::string p = normalise(dumpPath);
  {
    std::lock_guard lock(cacheMutex_);
    auto it = cache_.find(p);
    if (it != cache_.end()) return it->second;
  }
  std::optional<MappedPath> result;

  for (const PathMapping& m : mappings_) {
    if (!p.starts_with(m.from)) continue;
    if (p.size() > m.from.size() && p[m.from.size()] != '/' && m.from.back() != '/') continue;  // component boundary
    std::string local = m.to + p.substr(m.from.size());
    local = fs::path(local).lexically_normal().generic_string();
    std::error_code ec;
    if (!fs::is_regular_file(local, ec)) continue;
    result = MappedPath{local, components(p).size(), true, false, {}};
    break;
  }

  if (!result) {
    const std::vector<std::string_view> want = components(p);
    auto candidates = want.empty() ? byBasename_.end() : byBasename_.find(std::string(want.back()));
    if (candidates != byBasename_.end()) {
      size_t best = 0;
      std::vector<uint32_t> bestFiles;
      for (uint32_t f : candidates->second) {
        const std::vector<std::string_view> have = components(files_[f]);
        size_t k = 0;
        while (k < want.size() && k < have.size() && want[want.size() - 1 - k] == have[have.size() - 1 - k]) ++k;
        if (k > best) {
          best = k;
          bestFiles.assign(1, f);
        } else if (k == best && k != 0) {
          bestFiles.push_back(f);
        }
      }
      if (best != 0) {
        std::sort(bestFiles.begin(), bestFiles.end(), [&](uint32_t a, uint32_t b) {
          return files_[a].size() != files_[b].size() ? files_[a].size() < files_[b].size() : files_[a] < files_[b];
        });
        MappedPath mp;
        mp.localPath = files_[bestFiles.front()];
        mp.matchedComponents = best;
        mp.ambiguous = bestFiles.size() > 1;
        for (size_t i = 1; i < bestFiles.size(); ++i) mp.alternatives.push_back(files_[bestFiles[i]]);
        result = std::move(mp);
      }
    }
  }

  std::lock_guard lock(cacheMutex_);
  if (cache_.size() > 100000) cache_.clear();  // bounded; paths repeat heavily, so this rarely triggers
  cache_.emplace(p, result);
  return result;
}

bool SourceMap::isWorkspace(std::string_view dumpPath) const {
  const FrameOrigin o = classifyPath(dumpPath);
  if (o == FrameOrigin::Runtime || o == FrameOrigin::Library) return false;
  return map(dumpPath).has_value();
}

}  // namespace heaplens
