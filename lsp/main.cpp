// main: the heaplens command line — `serve` (the language server), `report` (a dump summary),
// `formats` (what this build reads) and `protocol --typescript` (the extension's generated types).
//
// CLI11 parses the command line; errors go to stderr with a non-zero exit.
// `serve` speaks LSP on stdio, or with --port on one loopback TCP connection
// that proves it knows the connection token (Transport.h). `report` loads a dump on this thread and prints the format-neutral
// report (Report.h), with the load's phases on stderr when it is a terminal.
//
// Threading: main thread, plus the server's workers.
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>

#include <CLI/CLI.hpp>

#include "analysis/GeneratedSources.h"
#include "analysis/SnapshotDiff.h"
#include "analysis/SourceMap.h"
#include "analysis/Text.h"
#include "analysis/ReferenceProfile.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/heapdiff/HeapDiffFormat.h"
#include "lsp/PageDumpHtml.h"
#include "lsp/Report.h"
#include "lsp/Server.h"
#include "lsp/Transport.h"
#include "protocol/HeapLensProtocol.h"
#include "protocol/Message.h"

using namespace heaplens;

namespace {

int serve(std::optional<uint16_t> port, int testLoadDelayMs, size_t maxMessageSize) {
  // A client that goes away must not kill us with SIGPIPE mid-write; the write fails instead.
  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<lsp::Transport> transport;
  try {
    if (port) {
      lsp::LoopbackOptions lo;
      lo.port = *port;
      lo.maxMessageSize = maxMessageSize;
      const char* fromEnv = std::getenv("HEAPLENS_TOKEN");
      bool given = fromEnv && *fromEnv;
      lo.token = given ? std::string(fromEnv) : lsp::generateToken();
      lo.announce = [&](uint16_t bound) {
        // The token is printed once, here: a client must send it in initializationOptions.heaplens.token.
        std::cerr << "heaplens: listening on 127.0.0.1:" << bound << "; token "
                  << (given ? std::string("from HEAPLENS_TOKEN") : lo.token) << std::endl;
      };
      lo.log = [](const std::string& m) { std::cerr << "heaplens: " << m << std::endl; };
      transport = lsp::makeLoopbackTransport(lo);
    } else {
      transport = lsp::makeStdioTransport(maxMessageSize);
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

struct ReportArgs {
  std::string path;
  bool asJson = false;
  size_t top = 10;
  std::optional<uint32_t> snapshot;
  std::optional<uint64_t> pageBytes;
  std::string html;  // --html OUT; empty: none
  uint64_t maxMemory = 0;  // --max-memory; 0: the default budget
  std::string executable;  // --executable EXE; empty: none
  std::string pprof;       // --pprof OUT; empty: none
  std::vector<std::string> workspace;  // --workspace DIR...: where the dump's files are on this machine
};

// Finds generated JavaScript (for its source maps) in the --workspace folders, by the same path
// matching as the editor; none when no folder was given (the recorded paths are then tried as they are).
FileLocator cliLocator(const std::vector<std::string>& folders) {
  if (folders.empty()) return {};
  auto map = std::make_shared<SourceMap>();
  map->setWorkspaceRoots(folders);
  return workspaceLocator(std::move(map));
}

// Loads a dump on this thread, showing the load's phases on stderr when it is a terminal.
// Prints the error and returns nullptr when the dump cannot be loaded.
std::unique_ptr<Dump> loadForCli(const std::string& path, const LoadOptions& options) {
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

int report(const ReportArgs& args) {
  const std::string& path = args.path;
  LoadOptions options;
  options.snapshot = args.snapshot;
  options.pageBytes = args.pageBytes;
  options.maxMemory = args.maxMemory;
  if (!args.executable.empty()) options.executable = args.executable;
  options.locateFile = cliLocator(args.workspace);
  std::unique_ptr<Dump> dump = loadForCli(path, options);
  if (!dump) return 1;
  if (!args.html.empty()) {
    if (!lsp::hasPageDumpView(*dump)) {
      std::cerr << "heaplens: --html: " << path << " (" << dump->formatDescription
                << ") has no heap timeline or page maps; the page shows allocator page dumps" << std::endl;
      return 2;
    }
    std::ofstream out(args.html, std::ios::binary);
    if (out) lsp::writePageDumpHtml(out, *dump);
    out.close();
    if (!out) {
      std::cerr << "heaplens: --html: cannot write " << args.html << ": " << std::strerror(errno) << std::endl;
      return 1;
    }
    std::cerr << "heaplens: wrote " << args.html << std::endl;
  }
  if (!args.pprof.empty()) {
    if (!dump->heap) {
      std::cerr << "heaplens: --pprof: " << path << " (" << dump->formatDescription << ") has no object graph" << std::endl;
      return 2;
    }
    std::ofstream out(args.pprof, std::ios::binary);
    ReferenceProfileStats st;
    if (out) st = writeReferenceProfile(*dump->heap, out);
    out.close();
    if (!out) {
      std::cerr << "heaplens: --pprof: cannot write " << args.pprof << ": " << std::strerror(errno) << std::endl;
      return 1;
    }
    std::cerr << "heaplens: wrote " << args.pprof << " (" << st.samples << " reference chains, " << st.objects
              << " objects; go tool pprof -top " << args.pprof << ")" << std::endl;
  }
  lsp::ReportOptions ro;
  ro.top = args.top;
  // Text from the dump may not be UTF-8: replace what is not, rather than fail.
  std::ios::sync_with_stdio(false);  // only this thread writes to stdout from here on
  if (args.asJson) {
    // Streamed, not built as one string first: a page dump's report can be megabytes.
    nlohmann::detail::serializer<nlohmann::json> out(nlohmann::detail::output_adapter<char>(std::cout), ' ',
                                                     nlohmann::json::error_handler_t::replace);
    out.dump(lsp::reportJson(*dump, ro), true, false, 2);
    std::cout << "\n";
  }
  else std::cout << lsp::reportText(*dump, ro);
  return 0;
}

// `heaplens diff BASE TARGET`: objects matched by id; growth per type and sampled new objects
// with their shortest paths, as heap-diff NDJSON (default), the report's text, or its JSON.
int diff(const std::string& basePath, const std::string& targetPath, const std::string& format,
         const std::string& outPath, size_t top, const std::vector<std::string>& workspace) {
  LoadOptions options;
  options.locateFile = cliLocator(workspace);
  std::unique_ptr<Dump> base = loadForCli(basePath, options);
  if (!base) return 1;
  std::unique_ptr<Dump> target = loadForCli(targetPath, options);
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
  serveCmd->add_option("--port", port, "Listen on 127.0.0.1:PORT for one connection instead of stdio; the client's initialize must "
                  "carry the token printed on stderr (or set in HEAPLENS_TOKEN) in initializationOptions.heaplens.token")
      ->check(CLI::Range(0, 65535));
  int testLoadDelayMs = 0;
  serveCmd->add_option("--test-load-delay-ms", testLoadDelayMs, "")->group("")->check(CLI::Range(0, 600000));
  std::string maxMessageSize;
  serveCmd
      ->add_option("--max-message-size", maxMessageSize,
                   "Largest JSON-RPC message accepted (64M, 1G, bytes; default 64M); a larger one is answered "
                   "with an error and ends the session")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            auto bytes = parseByteSize(v);
            return bytes && *bytes >= 1024 && *bytes <= SIZE_MAX / 2
                       ? ""
                       : "expected a size of at least 1K such as 64M, 1G or a number of bytes, got '" + v + "'";
          },
          "SIZE"));

  auto* reportCmd = app.add_subcommand("report", "Print what a heap dump holds");
  ReportArgs args;
  int snapshot = -1;
  uint64_t pageKib = 0;
  reportCmd->add_option("FILE", args.path, "The heap dump (Go WriteHeapDump, MoarVM .mvmheap, Kotlin/Native memdump.log, ...)")
      ->required();
  reportCmd->add_flag("--json", args.asJson, "Print the report as JSON");
  reportCmd->add_option("--top", args.top, "Rows per ranking")->check(CLI::Range(1, 100000));
  reportCmd->add_option("--snapshot", snapshot, "Snapshot index (multi-snapshot formats)")->check(CLI::NonNegativeNumber);
  std::string maxMemory;
  reportCmd
      ->add_option("--max-memory", maxMemory,
                   "Refuse a dump whose load is estimated to need more memory than SIZE (4G, 512M, bytes); "
                   "default: 75% of physical memory")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            auto bytes = parseByteSize(v);
            return bytes && *bytes > 0 ? "" : "expected a size above 0 such as 4G, 512M or a number of bytes, got '" + v + "'";
          },
          "SIZE"));
  reportCmd->add_option("--executable", args.executable,
                        "The program that wrote the dump (Go): names globals, locals and frame lines; a file that "
                        "is not the same build is reported and the dump is shown without it");
  reportCmd->add_option("--pprof", args.pprof,
                        "Also write a pprof profile whose stacks are reference chains (root variable -> fields -> "
                        "type), for go tool pprof; most telling with --executable");
  reportCmd->add_option("--html", args.html,
                        "Also write a self-contained HTML page of the heap timeline and page maps (page dumps)");
  reportCmd->add_option("--page-kib", pageKib,
                        "Page dumps: the allocator's page size in KiB for the simulated compaction (default 256; "
                        "128 for OHOS builds)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30));
  const char* workspaceHelp =
      "A folder holding the program's files, when the dump's recorded paths are not on this machine: "
      "generated JavaScript is found there (matched by path suffix) and its source map followed to the "
      "TypeScript lines (repeatable)";
  reportCmd->add_option("--workspace", args.workspace, workspaceHelp)->check(CLI::ExistingDirectory);

  auto* formatsCmd = app.add_subcommand("formats", "List the dump formats this build reads (from the format registry)");
  bool formatsJson = false;
  formatsCmd->add_flag("--json", formatsJson, "Print the list as JSON (the heaplens/formats answer)");

  auto* protocolCmd = app.add_subcommand("protocol", "Print HeapLens' custom protocol types");
  bool typescript = false;
  protocolCmd->add_flag("--typescript", typescript, "As TypeScript (vscode-extension/src/protocol.generated.ts)")->required();

  auto* diffCmd = app.add_subcommand("diff", "Compare two heap snapshots of one process (objects matched by id)");
  std::string baseFile, targetFile, diffFormat = "heap-diff", outFile;
  diffCmd->add_option("BASE", baseFile, "The earlier snapshot")->required();
  diffCmd->add_option("TARGET", targetFile, "The later snapshot")->required();
  diffCmd->add_option("--format", diffFormat, "heap-diff (NDJSON, the default), text or json")
      ->check(CLI::IsMember({"heap-diff", "text", "json"}));
  diffCmd->add_option("-o,--output", outFile, "Write to FILE instead of standard output");
  diffCmd->add_option("--top", args.top, "Rows per ranking (text and json)")->check(CLI::Range(1, 100000));
  diffCmd->add_option("--workspace", args.workspace, workspaceHelp)->check(CLI::ExistingDirectory);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (formatsCmd->parsed()) {
    const protocol::FormatsResult formats = lsp::supportedFormats();
    if (formatsJson) {
      std::cout << nlohmann::json(formats).dump(2) << "\n";
      return 0;
    }
    for (const auto& f : formats.formats) {
      std::cout << f.name << (f.parsed ? "" : " (recognised, not read)") << ": " << f.description << "\n";
      std::string ext;
      for (const auto& e : f.extensions) ext += (ext.empty() ? "" : ", ") + ("." + e);
      std::cout << "    files: " << ext << "\n";
    }
    return 0;
  }
  if (protocolCmd->parsed()) {
    std::cout << protocol::typescriptDeclarations();
    return 0;
  }
  if (serveCmd->parsed())
    return serve(port >= 0 ? std::optional<uint16_t>(static_cast<uint16_t>(port)) : std::nullopt, testLoadDelayMs,
                 maxMessageSize.empty() ? protocol::FrameParser::kDefaultMaxBody
                                        : static_cast<size_t>(parseByteSize(maxMessageSize).value_or(0)));
  if (diffCmd->parsed()) return diff(baseFile, targetFile, diffFormat, outFile, args.top, args.workspace);
  if (snapshot >= 0) args.snapshot = static_cast<uint32_t>(snapshot);
  if (pageKib) args.pageBytes = pageKib * 1024;
  if (!maxMemory.empty()) args.maxMemory = parseByteSize(maxMemory).value_or(0);
  return report(args);
}
