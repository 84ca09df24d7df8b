// Report: the format-neutral summary of a loaded Dump, as text and as JSON.
//
// What `heaplens report` prints: the header (format, path, counts), the
// format's own facts, warnings and tables rendered generically, the
// snapshots when there are several, then analyses over the common model —
// top allocation sites by live and by retained bytes (named after their
// innermost non-runtime frame), top types, the largest roots, the frames
// that retain most (formats with frame nodes), and types that grow across
// snapshots. The JSON form carries the same content with numbers as numbers.
//
// Threading: pure functions over an immutable Dump.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/Dump.h"
#include "analysis/LineIndex.h"

namespace heaplens::lsp {

struct ReportOptions {
  size_t top = 10;
};

// `index`: the dump's HeapIndex when the caller keeps one (the server's); nullptr builds it here.
nlohmann::json reportJson(const Dump& dump, const ReportOptions& options = {}, const HeapIndex* index = nullptr);
std::string reportText(const Dump& dump, const ReportOptions& options = {}, const HeapIndex* index = nullptr);

}  // namespace heaplens::lsp
