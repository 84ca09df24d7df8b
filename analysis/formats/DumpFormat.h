// DumpFormat: the interface each dump format folder implements, and the registry.
//
// A format recognises its files by content (never by file name) and turns a
// file into a Dump: it fills the parts it has (a graph through GraphBuilder,
// a snapshot series, a timeline, page maps, growth records), the
// format-neutral facts, tables and warnings, and leaves the common analysis
// (dominators, retained sizes) to finishDump(). It also declares what the
// editor needs to offer it: the file extensions for open dialogs and the
// source languages its programs are written in. Adding a format means a new
// folder under formats/ (CMake picks it up) plus one line in Registry.cpp;
// the server's format list and the VS Code extension's filters are checked
// against that list by tests.
//
// Threading: load() runs on a worker thread; formats hold no shared state.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/Dump.h"
#include "analysis/GeneratedSources.h"
#include "analysis/TaskContext.h"

namespace heaplens {

struct LoadOptions {
  std::optional<uint32_t> snapshot;  // multi-snapshot formats: which one (default: last complete)
  // Memory budget in bytes: a file whose estimated peak (DumpFormat::estimatePeakMemory) is above
  // it is refused before it is parsed. 0: defaultMemoryBudget().
  uint64_t maxMemory = 0;
  std::optional<uint64_t> pageBytes;
  // The program that wrote the dump (Go: global, local and type names, frame lines). A file that
  // cannot be read or is not the same build is reported in the dump's warnings; the load goes on.
  std::optional<std::string> executable;  // page-dump formats: the allocator's page size (default 256 KiB; OHOS 128 KiB)
  // Locations in generated JavaScript move to the TypeScript (or other) source its source map names
  // (GeneratedSources.h). The generated file is looked for with `locateFile` first (the editor's
  // workspace), then at the recorded path itself.
  bool followSourceMaps = true;
  FileLocator locateFile;
};

// Three quarters of the physical memory (or of the cgroup's memory.max, when that is lower).
uint64_t defaultMemoryBudget();

// True when `head` starts with the bytes of `prefix` (a format's magic header).
inline bool hasPrefix(std::span<const uint8_t> head, std::string_view prefix) {
  return head.size() >= prefix.size() && std::memcmp(head.data(), prefix.data(), prefix.size()) == 0;
}

// A load that cannot produce a model. `offset` is the byte offset the problem was found at, if any.
struct LoadError : std::runtime_error {
  explicit LoadError(const std::string& message, std::optional<uint64_t> offset = std::nullopt)
      : std::runtime_error(message), offset(offset) {}
  std::optional<uint64_t> offset;
};

class DumpFormat {
public:
  virtual ~DumpFormat() = default;
  virtual std::string_view name() const = 0;         // "go"
  virtual std::string_view description() const = 0;  // "Go heap dump (runtime/debug.WriteHeapDump)"
  // True when the first bytes of a file belong to this format.
  virtual bool detect(std::span<const uint8_t> head) const = 0;
  // File name extensions without the dot ("heapdump"), for open dialogs; detection never uses them.
  virtual std::vector<std::string_view> extensions() const = 0;
  // Language ids (lsp/languages) of the programs that write such dumps ("go", "raku", "javascript").
  virtual std::vector<std::string_view> languages() const = 0;
  // False for a format that is only recognised, so its load explains why it cannot be read.
  virtual bool parsed() const { return true; }
  // Peak memory a load of a file of `fileSize` bytes needs, from factors measured on real dumps
  // (see each format); 0 when unknown, which skips the budget check.
  virtual uint64_t estimatePeakMemory(uint64_t fileSize) const { return 0; }
  // Throws LoadError (bad input) or OperationCancelled. Never crashes on bad input.
  virtual std::unique_ptr<Dump> load(const std::string& path, const LoadOptions& options,
                                     const TaskContext& ctx) const = 0;
};

// Every registered format, in detection order.
std::span<const DumpFormat* const> dumpFormats();
// The format whose detect() accepts the file's first bytes, or nullptr.
const DumpFormat* detectFormat(std::span<const uint8_t> head);
// Reads the head of `path`, detects the format and loads it, then runs finishDump().
// Errors: unreadable file, not a regular file (a FIFO, device, socket or directory: refused before
// anything is read), unknown content (the message names the formats
// expected, never the file's bytes),
// a recognised format that is not parsed yet (the message names it), an estimate over the memory
// budget (refused before parsing), running out of memory anyway (std::bad_alloc becomes a
// LoadError), or the format's own LoadError.
std::unique_ptr<Dump> loadDump(const std::string& path, const LoadOptions& options, const TaskContext& ctx);

}  // namespace heaplens
