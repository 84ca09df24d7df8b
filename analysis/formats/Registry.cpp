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
#include <fstream>
#include <vector>

#include "analysis/formats/go/GoFormat.h"
#include "analysis/formats/heapdiff/HeapDiffFormat.h"
#include "analysis/formats/moar/MoarFormat.h"
#include "analysis/formats/other/RecognisedFormats.h"
#include "analysis/formats/v8/V8Format.h"

namespace heaplens {
namespace {

std::vector<const DumpFormat*> makeFormats() {
  std::vector<const DumpFormat*> all = {&goFormat(), &moarFormat(), &v8Format(), &heapDiffFormat()};
  for (const DumpFormat* f : recognisedFormats()) all.push_back(f);
  return all;
}

// `"PK\x03\x04..." (50 4b 03 04 ...)`: the first bytes both as text and as hex.
std::string describeHead(std::span<const uint8_t> head) {
  constexpr size_t kShown = 16;
  std::string text = "\"";
  std::string hex;
  for (size_t i = 0; i < head.size() && i < kShown; ++i) {
    uint8_t c = head[i];
    char buf[8];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      text += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      text += buf;
    }
    std::snprintf(buf, sizeof buf, i ? " %02x" : "%02x", c);
    hex += buf;
  }
  text += head.size() > kShown ? "...\"" : "\"";
  return text + " (" + hex + (head.size() > kShown ? " ..." : "") + ")";
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
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError("cannot open " + path + ": " + std::strerror(errno));
  std::vector<uint8_t> head(4096);
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.empty()) throw LoadError(path + ": the file is empty; expected a heap dump", 0);

  const DumpFormat* format = detectFormat(head);
  if (!format) {
    throw LoadError(path + ": unknown file format: the first bytes are " + describeHead(head) +
                        "; expected a Go heap dump (\"go1.7 heap dump\\n\"), a MoarVM heap snapshot "
                        "(\"MoarHeapDumpv003\"), a V8 .heapsnapshot ({\"snapshot\": ...), a heap-diff NDJSON file, "
                        "or a Kotlin/Native page dump (\"phase1: heap use\")",
                    0);
  }
  std::unique_ptr<Dump> dump = format->load(path, options, ctx);
  dump->path = path;
  if (dump->format.empty()) dump->format = std::string(format->name());
  if (dump->formatDescription.empty()) dump->formatDescription = std::string(format->description());
  if (dump->languages.empty())
    for (std::string_view l : format->languages()) dump->languages.emplace_back(l);
  finishDump(*dump, ctx);
  return dump;
}

}  // namespace heaplens
