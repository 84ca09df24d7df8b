// GoFormat: detection, file mapping and the two-pass load of Go heap dumps (see GoFormat.h).
//
// The file is mapped read-only rather than read: pass 1 touches every byte
// once, front to back, and keeps only offsets and pointer words, so the
// pages it has passed are dropped from the mapping as it goes (madvise),
// which keeps resident memory near the size of the model rather than the
// model plus the file, and the pages ahead of it are mapped a window at a
// time (MADV_POPULATE_READ), which costs one call instead of thousands of
// page faults.
//
// Threading: load() runs on the loading worker.
#include "analysis/formats/go/GoFormat.h"

#include "analysis/formats/MappedFile.h"
#include "analysis/formats/go/GoGraph.h"
#include "analysis/formats/go/GoRecords.h"
#include "analysis/formats/go/exe/GoExecutable.h"

namespace heaplens {
namespace {

class GoDumpFormat final : public DumpFormat {
public:
  std::string_view name() const override { return "go"; }
  std::string_view description() const override { return "Go heap dump (runtime/debug.WriteHeapDump)"; }
  bool detect(std::span<const uint8_t> head) const override {
    return hasPrefix(head, go::kGoDumpHeader);
  }
  std::vector<std::string_view> extensions() const override { return {"heapdump"}; }
  std::vector<std::string_view> languages() const override { return {"go"}; }
  // Measured peak RSS of a load (heaplens report, and serve with a code lens) minus the process's
  // own: 0.9x to 1.65x the file on the Go 1.19-1.23 fixtures (the Go 1.23 one is the highest). The
  // file is read through a mapping whose pages are dropped as the scan passes them, so the peak is
  // the scan's arrays plus the graph, then the graph plus the dominator arrays; 2x covers both.
  uint64_t estimatePeakMemory(uint64_t fileSize) const override { return 2 * fileSize; }
  std::unique_ptr<Dump> load(const std::string& path, const LoadOptions& options, const TaskContext& ctx) const override {
    // The executable is opened before the dump is read, so a bad one is reported at once; the
    // same-build check needs the scan and runs in buildGoDump().
    std::unique_ptr<go::GoExecutable> exe;
    go::GoExeInput exeIn;
    if (options.executable) {
      exeIn.path = *options.executable;
      try {
        exe = go::GoExecutable::open(*options.executable);
        exeIn.exe = exe.get();
      } catch (const go::ExecutableError& e) {
        exeIn.openError = e.what();
      }
    }
    go::GoScan scan;
    {
      MappedFile file(path);
      file.adviseSequential();
      // A window of the file is mapped at a time: every 8 MiB the pages behind the scan are dropped
      // and the next 32 MiB are mapped in one call rather than faulted in a page at a time.
      constexpr uint64_t kAhead = 32u << 20;
      file.populate(0, kAhead);
      scan = go::scanGoDump(
          file.bytes(), ctx,
          [&](uint64_t upTo) {
            file.dropBelow(upTo);
            file.populate(upTo, kAhead);
          },
          exe && exe->hasDwarf());
    }  // the mapping is gone before the graph is built
    std::unique_ptr<Dump> dump = go::buildGoDump(std::move(scan), ctx, exeIn);
    dump->path = path;
    return dump;
  }
};

}  // namespace

const DumpFormat& goFormat() {
  static const GoDumpFormat format;
  return format;
}

std::unique_ptr<Dump> loadGoDump(std::span<const uint8_t> bytes, const std::string& path, const TaskContext& ctx,
                                 const go::GoExeInput& exe) {
  std::unique_ptr<Dump> dump = go::buildGoDump(go::scanGoDump(bytes, ctx, {}, exe.exe != nullptr), ctx, exe);
  dump->path = path;
  return dump;
}

}  // namespace heaplens
