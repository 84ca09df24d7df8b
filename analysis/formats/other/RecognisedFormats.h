// RecognisedFormats: formats HeapLens can tell apart by content but does not parse yet.
//
// Each one detects its files and answers load() with a LoadError that names
// the format, so the user learns what the file is and why nothing more can
// be said, rather than "unknown file".
//
// Threading: stateless.
#pragma once

#include <span>

#include "analysis/formats/DumpFormat.h"

namespace heaplens {

// MoarVM heap snapshots of versions other than v2 and v3 ("MoarHeapDumpv004", ...).
std::span<const DumpFormat* const> recognisedFormats();

}  // namespace heaplens
