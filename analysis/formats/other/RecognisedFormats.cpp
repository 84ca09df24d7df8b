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

// A MoarVM heap snapshot of another version than the two read (v2 and v3, analysis/formats/moar/), such as a
// future v4. (MoarVM's first binary format was already v2, in 2017.)
bool isOtherMoarVersion(std::string_view s) {
  return s.starts_with("MoarHeapDumpv") && !s.starts_with("MoarHeapDumpv002") && !s.starts_with("MoarHeapDumpv003");
}

const Recognised kMoarOther("mvmheap-other", "a MoarVM heap snapshot of a version other than v2 and v3",
                            "HeapLens reads formats v2 (\"MoarHeapDumpv002\") and v3 (\"MoarHeapDumpv003\") only",
                            isOtherMoarVersion, {"mvmheap"}, {"raku"});
const DumpFormat* const kAll[] = {&kMoarOther};

}  // namespace

std::span<const DumpFormat* const> recognisedFormats() { return kAll; }

}  // namespace heaplens
