// PageDumpJson: the `pageDump` section of the report, from a Dump's timeline and page-map parts.
//
// Rendered whenever a dump has a heap timeline or page maps, whatever its
// format: sample count and field order, the timeline's peak and growth, and
// per GC the pages before and after (per class and in total, by token),
// pages released, occupancy and its change, fragmentation, the simulated
// compaction and the heap drop, with every figure's 1-based line in the
// dump file; then the malformed lines. The figures come from
// analysis/PageStats.h, which the dump-file hovers and the HTML page share.
//
// Threading: pure functions over an immutable Dump.
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/Dump.h"

namespace heaplens::lsp {

// Null when the dump has neither a timeline nor page maps.
nlohmann::json pageDumpJson(const Dump& dump);

// The GC number as written: a JSON number when it reads back the same, else the text.
nlohmann::json gcIndexJson(const std::string& index);

}  // namespace heaplens::lsp
