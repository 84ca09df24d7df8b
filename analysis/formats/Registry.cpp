// Registry: the list of dump formats, detection by content, and the common load pipeline.
//
// loadDump() reads a file's first bytes, picks the format whose detect()
// accepts them, lets it build the Dump, and then runs the analysis every
// format shares (finishDump). Adding a format is its folder plus one line in
// makeFormats().
//
// Threading: stateless; called on worker threads.
#include "analysis/formats/DumpFormat.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

#include <unistd.h>

#include "analysis/Text.h"
#include "analysis/formats/MappedFile.h"
#include "analysis/formats/go/GoFormat.h"
#include "analysis/formats/heapdiff/HeapDiffFormat.h"
#include "analysis/formats/moar/MoarFormat.h"
#include "analysis/formats/other/RecognisedFormats.h"
#include "analysis/formats/pagedump/PageDumpFormat.h"
#include "analysis/formats/v8/V8Format.h"

namespace heaplens {
namespace {

std::vector<const DumpFormat*> makeFormats() {
  std::vector<const DumpFormat*> all = {&goFormat(), &moarFormat(), &moarV2Format(), &v8Format(), &heapDiffFormat(), &pageDumpFormat()};
  for (const DumpFormat* f : recognisedFormats()) all.push_back(f);
  return all;
}

}  // namespace

std::span<const DumpFormat* const> dumpFormats() {
  static const std::vector<const DumpFormat*> formats = makeFormats();
  return formats;
}

const DumpFormat* detectFormat(std::span<const uint8_t> head) {
  for (const DumpFormat* f : dumpFormats())
    if (f->detect(head)) return f;
  return nullptr;
}

std::unique_ptr<Dump> loadDump(const std::string& path, const LoadOptions& options, const TaskContext& ctx) {
  uint64_t fileSize = 0;
  std::vector<uint8_t> head(4096);
  {
    int fd = openDumpFile(path, fileSize);
    size_t got = 0;
    while (got < head.size()) {
      ssize_t n = ::read(fd, head.data() + got, head.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int e = errno;
        ::close(fd);
        throw LoadError("cannot read " + path + ": " + std::strerror(e), 0);
      }
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    ::close(fd);
    head.resize(got);
  }
  if (head.empty()) throw LoadError(path + ": the file is empty; expected a heap dump", 0);

  const DumpFormat* format = detectFormat(head);
  if (!format) {
    // Never quote the file's bytes: the path may name any file (a key, a password file), and the
    // message goes to the client and its logs. Say what was expected instead.
    throw LoadError(path + ": unknown file format; expected a Go heap dump (starting \"go1.7 heap dump\\n\"), a MoarVM "
                           "heap snapshot (\"MoarHeapDumpv003\" or \"MoarHeapDumpv002\"), a V8 .heapsnapshot ({\"snapshot\": ...), a heap-diff "
                           "NDJSON file, or a Kotlin/Native page dump (\"phase1: heap use\")");
  }
  const uint64_t budget = options.maxMemory ? options.maxMemory : defaultMemoryBudget();
  const uint64_t estimate = format->estimatePeakMemory(fileSize);
  if (estimate > budget)
    throw LoadError(path + ": loading this " + formatBytes(fileSize) + " " + std::string(format->description()) +
                    " needs about " + formatBytes(estimate) + ", over the memory budget of " + formatBytes(budget) +
                    " (--max-memory / heaplens.maxMemory); nothing was read beyond its header");
  try {
    std::unique_ptr<Dump> dump = format->load(path, options, ctx);
    dump->path = path;
    if (dump->format.empty()) dump->format = std::string(format->name());
    if (dump->formatDescription.empty()) dump->formatDescription = std::string(format->description());
    if (dump->languages.empty())
      for (std::string_view l : format->languages()) dump->languages.emplace_back(l);
    if (options.followSourceMaps) followSourceMaps(*dump, options.locateFile);
    finishDump(*dump, ctx);
    return dump;
  } catch (const std::bad_alloc&) {
    // Whatever the load had built is freed by now; say so instead of a bare "std::bad_alloc".
    throw LoadError(path + ": ran out of memory while loading it (estimated " +
                    (estimate ? "about " + formatBytes(estimate) : std::string("unknown")) + ", memory budget " +
                    formatBytes(budget) + "); nothing was kept");
  }
}

uint64_t defaultMemoryBudget() {
  long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGE_SIZE);
  uint64_t total = pages > 0 && pageSize > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize)
                                             : uint64_t{4} << 30;
  // In a container the cgroup's limit is what counts ("max" when there is none).
  std::FILE* f = std::fopen("/sys/fs/cgroup/memory.max", "re");
  if (f) {
    unsigned long long limit = 0;
    if (std::fscanf(f, "%llu", &limit) == 1 && limit > 0 && limit < total) total = limit;
    std::fclose(f);
  }
  return total / 4 * 3;
}

}  // namespace heaplens
