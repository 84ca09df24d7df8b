// LoadedDump: a loaded Dump plus the indexes the editor features build on first use.
#include "lsp/Features.h"

namespace heaplens::lsp {

const PathFinder& LoadedDump::paths() const {
  std::call_once(pathsOnce_, [&] { paths_ = std::make_unique<PathFinder>(dump_->heap->graph); });
  return *paths_;
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
  if (!sources_ || sources_->generation != sourceMap.generation())
    sources_ = std::make_shared<const LineIndex>(buildLineIndex(*dump_, heapIndex(), sourceMap));
  return sources_;
}

}  // namespace heaplens::lsp
