// WorkspaceDeclarations: where names are declared in the workspace's source files, for records
// that name a class or function but carry no location (a heap-diff growth record).
//
// Only files of the dump's languages are read (by each Language's own file rule), each only when
// it holds one of the names as a word; then the Language lists the file's declarations. A name
// declared in exactly one place is placed there; a name declared in several is placed nowhere (a
// hover could not say which one the record meant), and the count says so.
//
// Threading: built on the worker that builds a dump's line index; immutable afterwards.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/LineIndex.h"

namespace heaplens::lsp {

struct DeclarationSearchLimits {
  size_t maxFiles = 20000;                // files of the dump's languages read at most
  size_t maxFileBytes = size_t{4} << 20;  // larger files (bundles, generated code) are skipped
};

class WorkspaceDeclarations {
public:
  // `names`: what to look for ("LeakyRecord", "onTick"); names that cannot be identifiers
  // ("(array)", "system / Context") are never looked for.
  static WorkspaceDeclarations find(const std::vector<std::string>& files, const std::vector<std::string>& languages,
                                    const std::set<std::string>& names, const DeclarationSearchLimits& limits = {});

  // The one declaration of `name`, or nullopt when there is none or several.
  std::optional<DeclarationPlace> unique(std::string_view name) const;
  size_t count(std::string_view name) const;
  size_t filesRead() const { return filesRead_; }

private:
  std::unordered_map<std::string, std::vector<DeclarationPlace>> places_;
  size_t filesRead_ = 0;
};

// True for a name a source file could declare (letters, digits, _, $, and . or :: between parts).
bool isDeclarableName(std::string_view name);

}  // namespace heaplens::lsp
