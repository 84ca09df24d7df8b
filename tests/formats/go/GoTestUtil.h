// GoTestUtil: helpers for the Go format tests: loading real dumps, reading facts, and asking
// the questions a user asks of a loaded dump (objects by source line, who retains a node).
//
// Threading: test code, single-threaded.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/Dump.h"
#include "analysis/HeapGraph.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/go/GoFormat.h"

namespace heaplens::gotest {

inline std::string dataPath(std::string_view rel) { return std::string(HEAPLENS_TEST_DATA) + "/go/" + std::string(rel); }

// The registry's full load: detection by content, the Go parser, then finishDump() (dominators,
// retained sizes, unreachable counts).
inline std::unique_ptr<Dump> load(std::string_view rel) { return loadDump(dataPath(rel), {}, {}); }

inline const Fact* findFact(const Dump& d, std::string_view id) {
  for (const Fact& f : d.facts)
    if (f.id == id) return &f;
  return nullptr;
}
// A numeric fact's value; fails the test (and returns -1) when it is missing.
inline double factNumber(const Dump& d, std::string_view id) {
  const Fact* f = findFact(d, id);
  EXPECT_TRUE(f && f->value.number) << "missing numeric fact " << id;
  return f && f->value.number ? *f->value.number : -1;
}
inline std::string factText(const Dump& d, std::string_view id) {
  const Fact* f = findFact(d, id);
  EXPECT_TRUE(f) << "missing fact " << id;
  return f ? f->value.text : std::string();
}
inline const Table* findTable(const Dump& d, std::string_view id) {
  for (const Table& t : d.tables)
    if (t.id == id) return &t;
  return nullptr;
}
// Count column of the "records" table for one record kind ("defer", "panic", ...).
inline double recordCount(const Dump& d, std::string_view kind) {
  const Table* t = findTable(d, "records");
  EXPECT_TRUE(t) << "no records table";
  if (!t) return -1;
  for (const auto& row : t->rows)
    if (row.size() == 3 && row[0].text == kind && row[2].number) return *row[2].number;
  ADD_FAILURE() << "no row for " << kind;
  return -1;
}

// Frame i (0 = innermost) of a node's allocation site, or nullptr.
inline const SourceLocation* siteFrame(const HeapGraph& g, NodeId n, size_t i) {
  auto frames = g.frames(g.site[n]);
  return i < frames.size() ? &g.location(frames[i]) : nullptr;
}
// True when frame i of the node's site is <file ending in fileSuffix>:line.
inline bool frameAt(const HeapGraph& g, NodeId n, size_t i, std::string_view fileSuffix, uint32_t line) {
  const SourceLocation* l = siteFrame(g, n, i);
  return l && l->line == line && g.str(l->file).ends_with(fileSuffix);
}

// Object nodes satisfying pred.
inline std::vector<NodeId> objectsWhere(const HeapGraph& g, const std::function<bool(NodeId)>& pred) {
  std::vector<NodeId> out;
  for (NodeId n = 0; n < g.nodeCount(); ++n)
    if (g.kind(n) == NodeKind::Object && pred(n)) out.push_back(n);
  return out;
}
// Objects of `size` bytes whose innermost site frame is main.go:line.
inline std::vector<NodeId> objectsAtLine(const HeapGraph& g, uint32_t line, uint64_t size) {
  return objectsWhere(g, [&](NodeId n) { return g.selfSize[n] == size && frameAt(g, n, 0, "/main.go", line); });
}

// Every node with an edge to `target` (by a plain scan of the forward edges).
inline std::vector<NodeId> retainersOf(const HeapGraph& g, NodeId target) {
  std::vector<NodeId> out;
  for (NodeId n = 0; n < g.nodeCount(); ++n)
    for (NodeId t : g.targets(n))
      if (t == target) {
        out.push_back(n);
        break;
      }
  return out;
}

// Labels of the super-root's edges (the root kinds).
inline std::vector<std::string> rootLabels(const HeapGraph& g) {
  std::vector<std::string> out;
  for (EdgeIndex e = g.firstEdge[kSuperRoot]; e < g.firstEdge[kSuperRoot + 1]; ++e) out.push_back(g.labelText(e));
  return out;
}

}  // namespace heaplens::gotest
