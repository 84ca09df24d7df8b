// Diff: what changed between two dumps of the same program.
//
// Types and sites are matched by name (a type's name; a site's frames as
// function/file/line text), since ordinals differ between dumps. Where the
// format has stable object identities (addresses, ids), objects are matched
// by identity too: new, freed and surviving objects.
//
// Threading: pure functions over immutable Dumps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/Dump.h"

namespace heaplens {

struct DiffRow {
  std::string key;  // type name, or the site's frames as text
  uint64_t countBefore = 0, countAfter = 0;
  uint64_t bytesBefore = 0, bytesAfter = 0;
  int64_t countDelta() const { return static_cast<int64_t>(countAfter) - static_cast<int64_t>(countBefore); }
  int64_t bytesDelta() const { return static_cast<int64_t>(bytesAfter) - static_cast<int64_t>(bytesBefore); }
};

// Sorted by bytes delta, largest growth first.
std::vector<DiffRow> diffByType(const Dump& before, const Dump& after);
std::vector<DiffRow> diffBySite(const Dump& before, const Dump& after);

struct IdentityDiff {
  bool available = false;  // both dumps carry object identities
  uint64_t newObjects = 0, newBytes = 0;
  uint64_t freedObjects = 0, freedBytes = 0;
  uint64_t keptObjects = 0, keptBytes = 0;
};
IdentityDiff diffByIdentity(const Dump& before, const Dump& after);

// "main.fillCache main.go:53 <- main.main main.go:102"
std::string siteText(const HeapGraph& g, SiteId site);

}  // namespace heaplens
