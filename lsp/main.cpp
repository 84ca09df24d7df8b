// main: the heaplens command line — `serve` (the language server) and `report` (a dump summary).
//
// CLI11 parses the command line; errors go to stderr with a non-zero exit.
// `serve` speaks LSP on stdio, or on one loopback TCP connection with
// --port. `report` loads a dump on this thread and prints the format-neutral
// report (Report.h), with the load's phases on stderr when it is a terminal.
//
// Threading: main thread, plus the server's workers.
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <mutex>

#include <CLI/CLI.hpp>

#include <fstream>

#include "analysis/SnapshotDiff.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/heapdiff/HeapDiffFormat.h"
#include "lsp/Report.h"
#include "lsp/Server.h"
#include "lsp/Transport.h"

using namespace heaplens;

namespace {

int serve(std::optional<uint16_t> port, int testLoadDelayMs) {
  // A client that goes away must not kill us with SIGPIPE mid-write; the write fails instead.
  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<lsp::Transport> transport;
  try {
    if (port) {
      transport = lsp::makeLoopbackTransport(*port, [](uint16_t bound) {
        std::cerr << "heaplens: listening on 127.0.0.1:" << bound << std::endl;
      });
    } else {
      transport = lsp::makeStdioTransport();
    }
  } catch (const std::exception& e) {
    std::cerr << "heaplens: " << e.what() << std::endl;
    return 2;
  }
  lsp::ServerOptions options;
  options.testLoadDelay = std::chrono::milliseconds(testLoadDelayMs);
  lsp::Server server(*transport, options);
  return server.run();
}

// Loads a dump on this thread, showing the load's phases on stderr when it is a terminal.
// Prints the error and returns nullptr when the dump cannot be loaded.
std::unique_ptr<Dump> loadForCli(const std::string& path, std::optional<uint32_t> snapshot) {
  bool showPhases = ::isatty(STDERR_FILENO) != 0;
  std::mutex mutex;
  std::string lastPhase;
  int lastPercent = -1;
  ProgressFn progress = [&](std::string_view phase, double fraction) {
    if (!showPhases) return;
    std::lock_guard lock(mutex);
    int percent = static_cast<int>(fraction * 100);
    if (phase == lastPhase && percent == lastPercent) return;
    lastPhase = phase;
    lastPercent = percent;
    std::cerr << "\r\033[K" << phase << " " << percent << "%" << std::flush;
  };
  LoadOptions options;
  options.snapshot = snapshot;
  std::unique_ptr<Dump> dump;
  try {
    dump = loadDump(path, options, TaskContext({}, progress));
  } catch (const LoadError& e) {
    if (showPhases) std::cerr << "\r\033[K";
    std::cerr << "heaplens: cannot load " << path << ": " << lsp::loadErrorText(e) << std::endl;
    return nullptr;
  } catch (const std::exception& e) {
    if (showPhases) std::cerr << "\r\033[K";
    std::cerr << "heaplens: cannot load " << path << ": " << e.what() << std::endl;
    return nullptr;
  }
  if (showPhases) std::cerr << "\r\033[K" << std::flush;
  return dump;
}

int report(const std::string& path, bool asJson, size_t top, std::optional<uint32_t> snapshot) {
  std::unique_ptr<Dump> dump = loadForCli(path, snapshot);
  if (!dump) return 1;
  lsp::ReportOptions ro;
  ro.top = top;
  if (asJson) std::cout << lsp::reportJson(*dump, ro).dump(2) << "\n";
  else std::cout << lsp::reportText(*dump, ro);
  return 0;
}

// `heaplens diff BASE TARGET`: objects matched by id; growth per type and sampled new objects
// with their shortest paths, as heap-diff NDJSON (default), the report's text, or its JSON.
int diff(const std::string& basePath, const std::string& targetPath, const std::string& format,
         const std::string& outPath, size_t top) {
  std::unique_ptr<Dump> base = loadForCli(basePath, std::nullopt);
  if (!base) return 1;
  std::unique_ptr<Dump> target = loadForCli(targetPath, std::nullopt);
  if (!target) return 1;
  for (const Dump* d : {base.get(), target.get()}) {
    if (!d->heap || d->heap->graph.address.empty()) {
      std::cerr << "heaplens: cannot compare " << d->path << ": it is a " << d->formatDescription
                << ", which has no objects with ids to match (diff needs two heap snapshots of one process)" << std::endl;
      return 1;
    }
  }
  if (base->format != target->format)
    std::cerr << "heaplens: warning: comparing a " << base->formatDescription << " with a " << target->formatDescription << std::endl;
  Dump result;
  result.format = "heap-diff";
  result.formatDescription = "heap-diff (" + base->formatDescription + ", compared by object id)";
  result.path = targetPath;
  result.languages = target->languages;
  result.sites = target->sites;
  try {
    result.growth = diffHeaps(*base->heap, *target->heap);
  } catch (const std::exception& e) {
    std::cerr << "heaplens: cannot compare: " << e.what() << std::endl;
    return 1;
  }
  result.growth->baseline = basePath;
  result.growth->target = targetPath;
  std::ofstream file;
  if (!outPath.empty()) {
    file.open(outPath, std::ios::binary);
    if (!file) {
      std::cerr << "heaplens: cannot write " << outPath << ": " << std::strerror(errno) << std::endl;
      return 1;
    }
  }
  std::ostream& out = outPath.empty() ? std::cout : file;
  lsp::ReportOptions ro;
  ro.top = top;
  if (format == "heap-diff") heapdiff::writeHeapDiff(out, *result.growth, *result.sites);
  else if (format == "json") out << lsp::reportJson(result, ro).dump(2) << "\n";
  else out << lsp::reportText(result, ro);
  out.flush();
  if (!out) {
    std::cerr << "heaplens: cannot write " << (outPath.empty() ? "the output" : outPath) << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"HeapLens: heap dumps on your source lines (language server and report)", "heaplens"};
  app.set_version_flag("--version", std::string("heaplens ") + HEAPLENS_VERSION);
  app.require_subcommand(1);

  auto* serveCmd = app.add_subcommand("serve", "Run the language server (LSP 3.17 over stdio)");
  int port = -1;
  serveCmd->add_option("--port", port, "Listen on 127.0.0.1:PORT for one connection instead of stdio")
      ->check(CLI::Range(0, 65535));
  int testLoadDelayMs = 0;
  serveCmd->add_option("--test-load-delay-ms", testLoadDelayMs, "")->group("")->check(CLI::Range(0, 600000));

  auto* reportCmd = app.add_subcommand("report", "Print what a heap dump holds");
  std::string file;
  bool asJson = false;
  size_t top = 10;
  int snapshot = -1;
  reportCmd->add_option("FILE", file, "The heap dump (Go WriteHeapDump, MoarVM .mvmheap, ...)")->required();
  reportCmd->add_flag("--json", asJson, "Print the report as JSON");
  reportCmd->add_option("--top", top, "Rows per ranking")->check(CLI::Range(1, 100000));
  reportCmd->add_option("--snapshot", snapshot, "Snapshot index (multi-snapshot formats)")->check(CLI::NonNegativeNumber);

  auto* diffCmd = app.add_subcommand("diff", "Compare two heap snapshots of one process (objects matched by id)");
  std::string baseFile, targetFile, diffFormat = "heap-diff", outFile;
  diffCmd->add_option("BASE", baseFile, "The earlier snapshot")->required();
  diffCmd->add_option("TARGET", targetFile, "The later snapshot")->required();
  diffCmd->add_option("--format", diffFormat, "heap-diff (NDJSON, the default), text or json")
      ->check(CLI::IsMember({"heap-diff", "text", "json"}));
  diffCmd->add_option("-o,--output", outFile, "Write to FILE instead of standard output");
  diffCmd->add_option("--top", top, "Rows per ranking (text and json)")->check(CLI::Range(1, 100000));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (serveCmd->parsed())
    return serve(port >= 0 ? std::optional<uint16_t>(static_cast<uint16_t>(port)) : std::nullopt, testLoadDelayMs);
  if (diffCmd->parsed()) return diff(baseFile, targetFile, diffFormat, outFile, top);
  return report(file, asJson, top, snapshot >= 0 ? std::optional<uint32_t>(static_cast<uint32_t>(snapshot)) : std::nullopt);
}
