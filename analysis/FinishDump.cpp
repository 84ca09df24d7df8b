// FinishDump: the analysis every format shares once its parser has built the graph.
//
// Threading: runs on the loading worker, before the Dump is published.
#include "analysis/Dominators.h"
#include "analysis/Dump.h"
#include "analysis/Text.h"

namespace heaplens {

void finishDump(Dump& dump, const TaskContext& ctx) {
  DominatorResult dominators = computeDominatorsAndRetained(dump.graph, ctx);
  dump.idom = std::move(dominators.idom);
  dump.retained = std::move(dominators.retained);
  UnreachableStats unreachable = countUnreachable(dump.graph, dump.idom);
  dump.unreachableObjects = unreachable.nodes;
  dump.unreachableBytes = unreachable.bytes;
  if (unreachable.nodes > 0) {
    const bool one = unreachable.nodes == 1;
    dump.warnings.push_back(formatCount(unreachable.nodes) + (one ? " object (" : " objects (") +
                            formatBytes(unreachable.bytes) + (one ? ") is" : ") are") +
                            " not reachable from any root: reported as unreachable, not counted in any root's "
                            "retained size");
  }
  ctx.report("Done", 1.0);
}

}  // namespace heaplens
