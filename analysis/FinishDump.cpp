// FinishDump: the analysis every format shares once its parser has built the graph.
//
// Threading: runs on the loading worker, before the Dump is published.
#include <malloc.h>

#include "analysis/Dominators.h"
#include "analysis/Dump.h"
#include "analysis/Text.h"

namespace heaplens {

namespace {

void finishHeap(Dump& dump, HeapPart& heap, const TaskContext& ctx) {
  // The parser's scratch arrays are freed by now, but glibc keeps what came from its heap (once a big
  // block is freed its mmap threshold rises, so later arrays up to 32 MiB come from the heap): hand
  // it back before the dominators take their own scratch memory, or both count in the peak (V8
  // target snapshot: 374 -> 305 MB at this point).
  ::malloc_trim(0);
  DominatorResult dominators = computeDominatorsAndRetained(heap.graph, ctx);
  heap.idom = std::move(dominators.idom);
  heap.retained = std::move(dominators.retained);
  UnreachableStats unreachable = countUnreachable(heap.graph, heap.idom);
  heap.unreachableObjects = unreachable.nodes;
  heap.unreachableBytes = unreachable.bytes;
  if (unreachable.nodes > 0) {
    const bool one = unreachable.nodes == 1;
    dump.warnings.push_back(formatCount(unreachable.nodes) + (one ? " object (" : " objects (") +
                            formatBytes(unreachable.bytes) + (one ? ") is" : ") are") +
                            " not reachable from any root: reported as unreachable, not counted in any root's "
                            "retained size");
  }
}

}  // namespace

void finishDump(Dump& dump, const TaskContext& ctx) {
  if (dump.heap) {
    if (dump.heap->graph.sites != dump.sites) dump.sites = dump.heap->graph.sites;
    finishHeap(dump, *dump.heap, ctx);
  }
  // The other parts arrive complete from their parsers: nothing to derive at load time.
  ctx.report("Done", 1.0);
}

}  // namespace heaplens
