// V8Format: registration of the .heapsnapshot reader (V8Snapshot.cpp does the reading).
//
// Threading: load() runs on a worker thread; no shared state.
#include "analysis/formats/v8/V8Format.h"

#include "analysis/formats/MappedFile.h"

namespace heaplens {
namespace {

class V8Format : public DumpFormat {
public:
  std::string_view name() const override { return "v8-heapsnapshot"; }
  std::string_view description() const override { return "V8 heap snapshot (.heapsnapshot: Node.js, Chrome)"; }
  bool detect(std::span<const uint8_t> head) const override { return v8::looksLikeSnapshot(head); }
  std::vector<std::string_view> extensions() const override { return {"heapsnapshot"}; }
  std::vector<std::string_view> languages() const override { return {"javascript"}; }
  std::unique_ptr<Dump> load(const std::string& path, const LoadOptions&, const TaskContext& ctx) const override {
    MappedFile file(path);
    file.adviseSequential();
    // Pages already parsed are dropped every 64 MB, so the mapping does not hold the whole file.
    uint64_t released = 0;
    std::function<void(uint64_t)> release = [&](uint64_t offset) {
      if (offset >= released + (uint64_t{64} << 20)) {
        file.dropBelow(offset);
        released = offset;
      }
    };
    return v8::loadSnapshot(file.bytes(), ctx, release);
  }
};

}  // namespace

const DumpFormat& v8Format() {
  static const V8Format format;
  return format;
}

}  // namespace heaplens
