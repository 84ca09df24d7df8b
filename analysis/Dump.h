// Dump: one loaded heap dump, as every consumer (server, CLI) sees it.
//
// It holds the HeapGraph of the chosen snapshot, the results computed on it
// once at load time (dominators, retained sizes), and what the format knows
// beyond the graph in a format-neutral shape: facts (key/value), tables,
// warnings, the list of snapshots and per-snapshot type counts. Consumers
// render these without knowing the format, so adding a format touches
// nothing outside its folder and the registry.
//
// Threading: built on a worker thread, then immutable and shared through
// std::shared_ptr<const Dump>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/HeapGraph.h"
#include "analysis/TaskContext.h"

namespace heaplens {

// One cell of a Table: text, or a number (so JSON output keeps it numeric).
struct Cell {
  std::string text;
  std::optional<double> number;  // set for numeric cells; text holds its display form
  static Cell str(std::string s) { return Cell{std::move(s), std::nullopt}; }
  static Cell num(double v);      // display form with thousands separators
  static Cell bytes(uint64_t v);  // number of bytes, display form "640,000 B (625 KiB)"
};

struct Table {
  std::string id;     // stable key for JSON ("goroutines", "snapshots", ...)
  std::string title;  // human heading
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

struct Fact {
  std::string id;     // stable key for JSON ("goVersion")
  std::string label;  // human label ("Go version")
  Cell value;
};

// One snapshot of a multi-snapshot file (MoarVM). Single-snapshot formats leave the list empty.
struct SnapshotInfo {
  uint32_t index = 0;
  uint64_t gcSequence = 0;
  uint64_t timeMicros = 0;  // monotonic, only differences mean anything
  uint64_t objects = 0;     // collectables / nodes
  uint64_t references = 0;
  uint64_t heapBytes = 0;
  bool complete = true;
};

// Instances and bytes of each type name in each snapshot, for growth across snapshots.
struct TypeTimeline {
  std::vector<std::string> typeNames;
  // counts[s][t], bytes[s][t]: snapshot s, type t (index into typeNames)
  std::vector<std::vector<uint64_t>> counts;
  std::vector<std::vector<uint64_t>> bytes;

  // The index of a type name in typeNames, or none.
  std::optional<size_t> indexOf(std::string_view name) const {
    for (size_t t = 0; t < typeNames.size(); ++t)
      if (typeNames[t] == name) return t;
    return std::nullopt;
  }
  // counts[s][t] and bytes[s][t], 0 outside the recorded range.
  uint64_t countAt(size_t snapshot, size_t type) const { return cell(counts, snapshot, type); }
  uint64_t bytesAt(size_t snapshot, size_t type) const { return cell(bytes, snapshot, type); }

private:
  static uint64_t cell(const std::vector<std::vector<uint64_t>>& v, size_t s, size_t t) {
    return s < v.size() && t < v[s].size() ? v[s][t] : 0;
  }
};

struct Dump {
  std::string format;  // "go", "mvmheap", ...
  std::string formatDescription;  // "Go heap dump (runtime/debug.WriteHeapDump)"
  std::string path;
  HeapGraph graph;

  // Computed at load time over strong edges (see Dominators.h).
  std::vector<NodeId> idom;        // kNoNode for unreachable nodes and the super-root
  std::vector<uint64_t> retained;  // retained bytes (self + external + dominated)
  uint64_t unreachableObjects = 0;
  uint64_t unreachableBytes = 0;

  std::vector<Fact> facts;
  std::vector<Table> tables;
  std::vector<std::string> warnings;
  // Set when no source location can be attributed (e.g. a Go dump without memory-profile records).
  std::optional<std::string> attributionProblem;

  std::vector<SnapshotInfo> snapshots;
  uint32_t selectedSnapshot = 0;
  TypeTimeline typeTimeline;

  uint64_t objectCount() const;  // nodes of kind Object
  uint64_t totalBytes() const;   // shallow bytes of all Object nodes
};

// The analysis every format shares, run after a format has built its Dump: dominators,
// retained sizes and unreachable counts (a warning names them). Defined in FinishDump.cpp.
void finishDump(Dump& dump, const TaskContext& ctx = {});

}  // namespace heaplens
