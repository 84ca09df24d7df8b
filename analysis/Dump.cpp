// Dump: display helpers for cells and whole-dump totals.
//
// Threading: the Dump is immutable once published; these are const reads.
#include "analysis/Dump.h"

#include "analysis/Text.h"

namespace heaplens {

Cell Cell::num(double v) { return Cell{formatNumber(v), v}; }

Cell Cell::bytes(uint64_t v) { return Cell{formatBytesLong(v), static_cast<double>(v)}; }

void Dump::setGraph(HeapGraph graph) {
  sites = graph.sites;
  heap.emplace();
  heap->graph = std::move(graph);
}

std::string snapshotLabel(const SnapshotSeries& series, uint32_t index) {
  return std::to_string(index + 1) + " of " + std::to_string(series.snapshots.size());
}

uint64_t HeapPart::objectCount() const {
  uint64_t n = 0;
  for (uint32_t i = 0; i < graph.nodeCount(); ++i) n += graph.kind(i) == NodeKind::Object;
  return n;
}

uint64_t HeapPart::totalBytes() const {
  uint64_t total = 0;
  for (uint32_t i = 0; i < graph.nodeCount(); ++i)
    if (graph.kind(i) == NodeKind::Object) total += graph.shallowSize(i);
  return total;
}

}  // namespace heaplens
