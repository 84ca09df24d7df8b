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

// Skips a UTF-8 byte-order mark and leading white space.
std::string_view trimLeading(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
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

bool isV8Snapshot(std::string_view s) {
  s = trimLeading(s);
  if (!s.starts_with("{")) return false;
  s = trimLeading(s.substr(1));
  return s.starts_with("\"snapshot\"");
}

bool isHeapDiff(std::string_view s) {
  s = trimLeading(s);
  std::string_view first = s.substr(0, s.find('\n'));
  // Keys come in any order (andrewimm/spaa writes them alphabetically), so look for both pairs.
  auto has = [&](std::string_view key, std::string_view value) {
    for (size_t at = first.find(key); at != std::string_view::npos; at = first.find(key, at + 1)) {
      std::string_view rest = first.substr(at + key.size());
      size_t i = 0;
      while (i < rest.size() && (rest[i] == ' ' || rest[i] == ':')) ++i;
      if (rest.substr(i).starts_with(value)) return true;
    }
    return false;
  };
  return first.starts_with("{") && has("\"format\"", "\"heap-diff\"") && has("\"type\"", "\"header\"");
}

const Recognised kMoarV2("mvmheap-v2", "a MoarVM heap snapshot in format v2 (\"MoarHeapDumpv002\")",
                         "format v2 is not supported: HeapLens reads format v3. Debian's own moarvm package is "
                         "built without zstd and writes v2; take the snapshot with a MoarVM built with libzstd "
                         "(its Configure.pl prints -DMVM_HEAPSNAPSHOT_FORMAT=3)",
                         isMoarV2, {"mvmheap"}, {"raku"});
const Recognised kV8("v8-heapsnapshot", "a V8 heap snapshot (.heapsnapshot)",
                     "V8 heap snapshots are not supported yet", isV8Snapshot, {"heapsnapshot"},
                     {"javascript"});
const Recognised kHeapDiff("heap-diff", "a heap-diff NDJSON file", "heap-diff files are not supported yet",
                           isHeapDiff, {"ndjson", "jsonl"}, {"javascript"});
const DumpFormat* const kAll[] = {&kMoarV2, &kV8, &kHeapDiff};

}  // namespace

std::span<const DumpFormat* const> recognisedFormats() { return kAll; }

}  // namespace heaplens
