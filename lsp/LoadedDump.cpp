// LoadedDump: a loaded Dump plus the indexes the editor features build on first use.
#include "lsp/Features.h"

namespace heaplens::lsp {

const PathFinder& LoadedDump::paths() const {
  std::call_once(pathsOnce_, [&] { paths_ = std::make_unique<PathFinder>(dump_->graph); });
  return *paths_;
}

const DumpIndex& LoadedDump::index() const {
  std::call_once(indexOnce_, [&] { index_ = std::make_unique<DumpIndex>(*dump_); });
  return *index_;
}

std::shared_ptr<const SourceIndex> LoadedDump::sources(const SourceMap& sourceMap) const {
  std::lock_guard<std::mutex> lock(sourcesMutex_);
  if (!sources_ || sources_->generation != sourceMap.generation())
    sources_ = std::make_shared<const SourceIndex>(buildSourceIndex(*dump_, index(), sourceMap));
  return sources_;
}

}  // namespace heaplens::lsp
