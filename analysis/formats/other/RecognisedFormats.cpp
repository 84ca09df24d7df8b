// RecognisedFormats: detection of formats that are not parsed yet, with a clear error for each.
#include "analysis/formats/other/RecognisedFormats.h"

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace heaplens {
namespace {

std::string_view asText(std::span<const uint8_t> head) {
  return {reinterpret_cast<const char*>(head.data()), head.size()};
}

class Recognised : public DumpFormat {
public:
  Recognised(std::string_view name, std::string_view description, std::string_view why,
             bool (*detector)(std::string_view), std::vector<std::string_view> extensions,
             std::vector<std::string_view> languages)
      : name_(name), description_(description), why_(why), detector_(detector), extensions_(std::move(extensions)),
        languages_(std::move(languages)) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  bool detect(std::span<const uint8_t> head) const override { return detector_(asText(head)); }
  std::vector<std::string_view> extensions() const override { return extensions_; }
  std::vector<std::string_view> languages() const override { return languages_; }
  bool parsed() const override { return false; }
  std::unique_ptr<Dump> load(const std::string& path, const LoadOptions&, const TaskContext&) const override {
    throw LoadError(path + ": recognised as " + std::string(description_) + ", but " + std::string(why_));
  }

private:
  std::string_view name_, description_, why_;
  bool (*detector_)(std::string_view);
  std::vector<std::string_view> extensions_, languages_;
};

bool isMoarV2(std::string_view s) { return s.starts_with("MoarHeapDumpv002") || s.starts_with("MoarHeapDumpv001"); }

const Recognised kMoarV2("mvmheap-v2", "a MoarVM heap snapshot in format v2 (\"MoarHeapDumpv002\")",
                         "format v2 is not supported: HeapLens reads format v3. Debian's own moarvm package is "
                         "built without zstd and writes v2; take the snapshot with a MoarVM built with libzstd "
                         "(its Configure.pl prints -DMVM_HEAPSNAPSHOT_FORMAT=3)",
                         isMoarV2, {"mvmheap"}, {"raku"});
const DumpFormat* const kAll[] = {&kMoarV2};

}  // namespace

std::span<const DumpFormat* const> recognisedFormats() { return kAll; }

}  // namespace heaplens
