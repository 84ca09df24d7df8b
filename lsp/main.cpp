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

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include <CLI/CLI.hpp>

#include "analysis/Text.h"
#include "analysis/formats/DumpFormat.h"
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

int report(const std::string& path, bool asJson, size_t top, std::optional<uint32_t> snapshot, uint64_t maxMemory) {
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
  options.maxMemory = maxMemory;
  std::unique_ptr<Dump> dump;
  try {
    dump = loadDump(path, options, TaskContext({}, progress));
  } catch (const LoadError& e) {
    if (showPhases) std::cerr << "\r\033[K";
    std::cerr << "heaplens: cannot load " << path << ": " << lsp::loadErrorText(e) << std::endl;
    return 1;
  } catch (const std::exception& e) {
    if (showPhases) std::cerr << "\r\033[K";
    std::cerr << "heaplens: cannot load " << path << ": " << e.what() << std::endl;
    return 1;
  }
  if (showPhases) std::cerr << "\r\033[K" << std::flush;
  lsp::ReportOptions ro;
  ro.top = top;
  if (asJson) std::cout << protocol::toText(lsp::reportJson(*dump, ro), 2) << "\n";
  else std::cout << lsp::reportText(*dump, ro);
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
  std::string file;
  bool asJson = false;
  size_t top = 10;
  int snapshot = -1;
  reportCmd->add_option("FILE", file, "The heap dump (Go WriteHeapDump, MoarVM .mvmheap, ...)")->required();
  reportCmd->add_flag("--json", asJson, "Print the report as JSON");
  reportCmd->add_option("--top", top, "Rows per ranking")->check(CLI::Range(1, 100000));
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

  auto* formatsCmd = app.add_subcommand("formats", "List the dump formats this build reads (from the format registry)");
  bool formatsJson = false;
  formatsCmd->add_flag("--json", formatsJson, "Print the list as JSON (the heaplens/formats answer)");

  auto* protocolCmd = app.add_subcommand("protocol", "Print HeapLens' custom protocol types");
  bool typescript = false;
  protocolCmd->add_flag("--typescript", typescript, "As TypeScript (vscode-extension/src/protocol.generated.ts)")->required();

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
  return report(file, asJson, top, snapshot >= 0 ? std::optional<uint32_t>(static_cast<uint32_t>(snapshot)) : std::nullopt,
                maxMemory.empty() ? 0 : parseByteSize(maxMemory).value_or(0));
}
