// PageDumpFormat: detection and file loading for Kotlin/Native page dumps (see PageDumpFormat.h).
//
// The file is mapped and parsed in place; the parser keeps only what it needs.
//
// Threading: load() runs on the loading worker.
#include "analysis/formats/pagedump/PageDumpFormat.h"

#include "analysis/formats/MappedFile.h"

namespace heaplens {
namespace {

class PageDumpFormat final : public DumpFormat {
public:
  std::string_view name() const override { return "kn-pagedump"; }
  std::string_view description() const override {
    return "Kotlin/Native allocator heap timeline and page dump (\"phase1: heap use\", memdump.log)";
  }
  bool detect(std::span<const uint8_t> head) const override {
    return pagedump::looksLikePageDump({reinterpret_cast<const char*>(head.data()), head.size()});
  }
  std::vector<std::string_view> extensions() const override { return {"log", "txt"}; }
  std::vector<std::string_view> languages() const override { return {}; }
  std::unique_ptr<Dump> load(const std::string& path, const LoadOptions& options,
                             const TaskContext& ctx) const override {
    MappedFile file(path);
    file.adviseSequential();
    file.populate();
    std::span<const uint8_t> bytes = file.bytes();
    std::unique_ptr<Dump> dump =
        pagedump::parsePageDump({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, options, ctx);
    dump->path = path;
    return dump;
  }
};

}  // namespace

const DumpFormat& pageDumpFormat() {
  static const PageDumpFormat format;
  return format;
}

}  // namespace heaplens
