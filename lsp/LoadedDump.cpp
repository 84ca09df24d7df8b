// LoadedDump: a loaded Dump plus the indexes the editor features build on first use.
#include "lsp/Features.h"

#include <set>

#include "lsp/WorkspaceDeclarations.h"

namespace heaplens::lsp {

const PathFinder& LoadedDump::paths(const TaskContext& ctx) const {
  // A cancel throws out of call_once, which leaves the flag unset (and the load drops this object).
  std::call_once(pathsOnce_, [&] { paths_ = std::make_unique<PathFinder>(dump_->heap->graph, ctx); });
  return *paths_;
}

void LoadedDump::prepare(const SourceMap& sourceMap, const TaskContext& ctx) const {
  ctx.report("Indexing", 0.0);
  (void)heapIndex();
  if (hasHeap()) (void)paths(ctx);
  ctx.checkCancelled();
  (void)sources(sourceMap);
}

const HeapIndex& LoadedDump::index() const {
  std::call_once(indexOnce_, [&] { index_ = std::make_unique<HeapIndex>(*dump_->heap); });
  return *index_;
}

const DumpFileIndex& LoadedDump::dumpFileIndex() const {
  std::call_once(fileIndexOnce_, [&] { fileIndex_ = std::make_unique<DumpFileIndex>(buildDumpFileIndex(*dump_)); });
  return *fileIndex_;
}

std::shared_ptr<const LineIndex> LoadedDump::sources(const SourceMap& sourceMap) const {
  std::lock_guard<std::mutex> lock(sourcesMutex_);
  if (!sources_ || sources_->generation != sourceMap.generation()) {
    // Growth records that name a class or function but carry no location go on its one declaration.
    std::set<std::string> unplaced;
    if (dump_->growth)
      for (const GrowthRecord& r : dump_->growth->records)
        if (dump_->sites->frames(r.site).empty()) unplaced.insert(r.type);
    DeclarationLookup lookup;
    std::shared_ptr<const WorkspaceDeclarations> found;
    if (!unplaced.empty()) {
      found = std::make_shared<const WorkspaceDeclarations>(
          WorkspaceDeclarations::find(sourceMap.files(), dump_->languages, unplaced));
      lookup = [found](std::string_view name) { return found->unique(name); };
    }
    sources_ = std::make_shared<const LineIndex>(buildLineIndex(*dump_, heapIndex(), sourceMap, lookup));
  }
  return sources_;
}

}  // namespace heaplens::lsp
