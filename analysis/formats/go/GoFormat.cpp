// GoFormat: detection, file mapping and the two-pass load of Go heap dumps (see GoFormat.h).
//
// The file is mapped read-only rather than read: pass 1 touches every byte
// once, front to back, and keeps only offsets and pointer words, so the
// pages it has passed are dropped from the mapping as it goes (madvise),
// which keeps resident memory near the size of the model rather than the
// model plus the file.
//
// Threading: load() runs on the loading worker.
#include "analysis/formats/go/GoFormat.h"

#include "analysis/formats/MappedFile.h"
#include "analysis/formats/go/GoGraph.h"
#include "analysis/formats/go/GoRecords.h"

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
  std::unique_ptr<Dump> load(const std::string& path, const LoadOptions&, const TaskContext& ctx) const override {
    go::GoScan scan;
    {
      MappedFile file(path);
      file.adviseSequential();
      scan = go::scanGoDump(file.bytes(), ctx, [&](uint64_t upTo) { file.dropBelow(upTo); });
    }  // the mapping is gone before the graph is built
    std::unique_ptr<Dump> dump = go::buildGoDump(std::move(scan), ctx);
    dump->path = path;
    return dump;
  }
};

}  // namespace

const DumpFormat& goFormat() {
  static const GoDumpFormat format;
  return format;
}

std::unique_ptr<Dump> loadGoDump(std::span<const uint8_t> bytes, const std::string& path, const TaskContext& ctx) {
  std::unique_ptr<Dump> dump = go::buildGoDump(go::scanGoDump(bytes, ctx), ctx);
  dump->path = path;
  return dump;
}

}  // namespace heaplens
