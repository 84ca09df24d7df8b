// GoPrograms: the Go programs of tests/data/go/programs/, built with each installed Go toolchain
// and run to write their dumps, for the tests that read a dump with its executable.
//
// The programs are built once into build-go-programs/ at the top of the source tree, shared by
// every build directory (native, ASan) and test process under a lock, and rebuilt when their
// source changes. A missing toolchain is an error naming it (scripts/setup.sh installs them).
//
// Threading: test code; one build per version per process.
#pragma once

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "analysis/formats/DumpFormat.h"

namespace heaplens::gotest {

namespace programs_fs = std::filesystem;

inline const std::string kProgram = std::string(HEAPLENS_SOURCE_DIR) + "/tests/data/go/programs/cartapp";

struct Built {
  std::string exe, dump, strippedExe, strippedDump, error;
};

inline std::string shellQuote(const std::string& s) { return "'" + s + "'"; }

// Go's build cache: one per user, shared by every clone and build directory on the machine (Go's
// cache is content-addressed, keyed by toolchain and flags, and safe to share between processes),
// so only the first run on a machine compiles the runtime with each toolchain: about 13 CPU seconds
// a version. HEAPLENS_GOCACHE chooses another; with neither XDG_CACHE_HOME nor HOME set it stays in
// the build-go-programs folder.
inline std::string goCache(const std::string& dir) {
  if (const char* c = std::getenv("HEAPLENS_GOCACHE"); c && *c) return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/heaplens/go-build";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/heaplens/go-build";
  return dir + "/cache";
}

// "cd <program> && <environment> <go>": the start of every build command, offline and reproducible.
inline std::string goCommand(const std::string& version, const std::string& dir) {
  return "cd " + shellQuote(kProgram) + " && GOCACHE=" + shellQuote(goCache(dir)) + " GOPATH=" +
         shellQuote(dir + "/gopath") + " GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off GO111MODULE=on GOWORK=off " +
         "/usr/lib/go-" + version + "/bin/go";
}

// Tests of these suites run as separate processes side by side: one builds a version at a time.
struct FileLock {
  int fd;
  explicit FileLock(const std::string& path) : fd(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
    if (fd >= 0) ::flock(fd, LOCK_EX);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() {
    if (fd >= 0) ::close(fd);
  }
};

// Built already (by this build directory's tests or another's) from the current source: every file
// exists and is newer than the newest file of the program, and each dump is no older than the
// executable before it (pairs: exe, dump, exe, dump...). Reused, never rewritten while another
// process may be reading it.
inline bool builtFromCurrentSource(std::initializer_list<std::string> exeDumpPairs) {
  auto newestSource = programs_fs::file_time_type::min();
  for (const auto& e : programs_fs::recursive_directory_iterator(kProgram))
    if (e.is_regular_file()) newestSource = std::max(newestSource, e.last_write_time());
  const std::string* exe = nullptr;
  for (const std::string& f : exeDumpPairs) {
    if (!programs_fs::exists(f) || programs_fs::last_write_time(f) <= newestSource) return false;
    if (exe && programs_fs::last_write_time(f) < programs_fs::last_write_time(*exe)) return false;
    exe = exe ? nullptr : &f;
  }
  return true;
}

// Builds cartapp with Go `version` (once per process) and runs it to write its dump.
inline const Built& build(const std::string& version, bool stripped = false) {
  static std::map<std::string, Built> built;
  auto [it, fresh] = built.emplace(version, Built{});
  Built& b = it->second;
  if (!fresh) return b;
  const std::string go = "/usr/lib/go-" + version + "/bin/go";
  if (!programs_fs::exists(go)) {
    b.error = "Go " + version + " is not installed at " + go + "; scripts/setup.sh installs it (bookworm-backports)";
    return b;
  }
  const std::string dir = std::string(HEAPLENS_GO_WORK_DIR) + "/go" + version;
  programs_fs::create_directories(dir);
  FileLock lock(dir + "/.lock");
  b.exe = dir + "/cartapp";
  b.dump = dir + "/cartapp.heapdump";
  b.strippedExe = dir + "/cartapp-stripped";
  b.strippedDump = dir + "/cartapp-stripped.heapdump";
  if (builtFromCurrentSource({b.exe, b.dump, b.strippedExe, b.strippedDump})) return b;
  std::string cmd = goCommand(version, dir) + " build -o " + shellQuote(b.exe) + " . > " + shellQuote(dir + "/build.log") +
                    " 2>&1 && " + shellQuote(b.exe) + " " + shellQuote(b.dump);
  if (std::system(cmd.c_str()) != 0) {
    b.error = "building or running cartapp with Go " + version + " failed: " + cmd + " (see " + dir + "/build.log)";
    return b;
  }
  // A stripped build lays out its sections a little differently (seen: .data 32 bytes apart), so it
  // writes its own dump, as it would for a user who ships stripped binaries.
  cmd = goCommand(version, dir) + " build -ldflags='-s -w' -o " + shellQuote(b.strippedExe) + " . >> " +
        shellQuote(dir + "/build.log") + " 2>&1 && " + shellQuote(b.strippedExe) + " " + shellQuote(b.strippedDump);
  if (std::system(cmd.c_str()) != 0)
    b.error = "building or running the stripped cartapp with Go " + version + " failed: " + cmd;
  return b;
}

// The same program built position-independent (-buildmode=pie) and run to write its own dump.
struct BuiltPie {
  std::string exe, dump, error;
};
inline const BuiltPie& buildPie(const std::string& version) {
  static std::map<std::string, BuiltPie> built;
  auto [it, fresh] = built.emplace(version, BuiltPie{});
  BuiltPie& b = it->second;
  if (!fresh) return b;
  const Built& plain = build(version);
  if (!plain.error.empty()) {
    b.error = plain.error;
    return b;
  }
  const std::string dir = std::string(HEAPLENS_GO_WORK_DIR) + "/go" + version;
  FileLock lock(dir + "/.lock-pie");
  b.exe = dir + "/cartapp-pie";
  b.dump = dir + "/cartapp-pie.heapdump";
  if (builtFromCurrentSource({b.exe, b.dump})) return b;
  const std::string cmd = goCommand(version, dir) + " build -buildmode=pie -o " + shellQuote(b.exe) + " . >> " +
                          shellQuote(dir + "/build.log") + " 2>&1 && " + shellQuote(b.exe) + " " + shellQuote(b.dump);
  if (std::system(cmd.c_str()) != 0) b.error = "building or running the PIE cartapp with Go " + version + " failed: " + cmd;
  return b;
}

inline uint32_t sourceLine(const std::string& file, std::string_view text) {
  std::ifstream in(kProgram + "/" + file);
  std::string line;
  for (uint32_t n = 1; std::getline(in, line); ++n)
    if (line.find(text) != std::string::npos) return n;
  ADD_FAILURE() << "no line containing '" << text << "' in " << file;
  return 0;
}

inline std::unique_ptr<Dump> loadWith(const std::string& dump, const std::string& exe) {
  LoadOptions o;
  if (!exe.empty()) o.executable = exe;
  return loadDump(dump, o, {});
}

}  // namespace heaplens::gotest
