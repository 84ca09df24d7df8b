// Dump: one loaded dump, as every consumer (server, CLI) sees it: a set of optional parts.
//
// Formats differ in what they hold. A Go or MoarVM dump has an object graph;
// a MoarVM file also a series of snapshots; a heap-diff file only growth
// records; an allocator's page dump a heap timeline and page maps, and no
// objects at all. So a Dump is its metadata (format, path, facts, tables,
// warnings), a SiteTable of strings, locations and stacks that every part may
// point into, and one optional member per kind of part. Analyses run only on
// the parts that are present (finishDump), and features read indexes built
// from the parts (LineIndex.h), never the format's name.
//
// Threading: built on a worker thread, then immutable and shared through
// std::shared_ptr<const Dump>.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/HeapGraph.h"
#include "analysis/SiteTable.h"
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
  std::optional<uint64_t> gcSequence;  // none where the format records none (MoarVM v2)
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

// The object graph and what is computed on it once at load time.
struct HeapPart {
  HeapGraph graph;
  // Computed by finishDump() over essential edges (EdgeRules.h, Dominators.h).
  std::vector<NodeId> idom;        // kNoNode for unreachable nodes and the super-root
  std::vector<uint64_t> retained;  // retained bytes (self + external + dominated)
  uint64_t unreachableObjects = 0;
  uint64_t unreachableBytes = 0;

  uint64_t objectCount() const;  // nodes of kind Object
  uint64_t totalBytes() const;   // shallow bytes of all Object nodes
  uint64_t liveBytes() const { return retained.empty() ? 0 : retained[kSuperRoot]; }
};

// Several snapshots of one process (MoarVM writes one per GC): a summary of
// each and a per-type timeline. The heap part, if any, is the selected one.
struct SnapshotSeries {
  std::vector<SnapshotInfo> snapshots;
  uint32_t selected = 0;  // index into snapshots (0-based; shown 1-based, see snapshotLabel)
  TypeTimeline types;
};

// Heap size over time (an allocator's "heap use" samples).
struct HeapSample {
  std::string time;     // as written in the file (a timestamp or an id); the sample's number when it has none
  double timeValue = 0; // numeric form of `time`, for ordering and nearest-sample matching
  uint64_t bytes = 0;
  uint32_t line = 0;    // 1-based line of the dump file, 0 when not a text format
  bool gcMarker = false;  // the file flags this sample as taken at a GC (a `<bytes>,true` sample)
};
struct HeapTimeline {
  std::vector<HeapSample> samples;
  std::string timeUnit;    // "µs", "sample" when the file gives none, "" when the times are ids of unknown unit
  std::string fieldOrder;  // the columns of a sample line as written: "bytes,timestamp" or "timestamp,bytes"
  // The block of the text file that holds the samples: its heading line ("phase1: heap use") as written,
  // the heading's 1-based line (the first sample's when there is no heading) and the last line. 0: not text.
  std::string heading;
  uint32_t line = 0, endLine = 0;
};

// What kind of pages a size class holds, for what its occupancy means.
enum class PageKind : uint8_t {
  FixedBlock,    // fixed-size blocks (blockBytes); occupancy = allocated blocks / blocks per page
  NextFit,       // medium objects, next-fit in the page's free blocks; occupancy = allocated bytes / usable bytes
  SingleObject,  // one large object per page, sized to it; occupancy is 0 or 1
  ExtraObject,   // per-object side data (finalizers, weak references, interop); occupancy = cells in use
  Other,         // a group the allocator names but HeapLens does not know
};

// Pages of one size class at one moment: counts and one occupancy per page.
struct PageClass {
  std::string name;      // as written in the file ("16", "nextFitPages")
  std::string meaning;   // "fixed blocks of 16 cells (128 B)", "next-fit pages", ...
  PageKind kind = PageKind::Other;
  uint64_t blockBytes = 0;  // block size for fixed-block classes, 0 otherwise
  // Per page, in the order written, its occupancy in whole percent (0..100): a byte per page keeps the
  // millions of pages of a long run small.
  std::vector<uint8_t> percent;
  // How the pages were written: full (`+`), empty (`-`) and partial (`(NN%)`) tokens. A class built
  // without them (all 0) is counted by occupancy: 100% full, 0% empty, the rest partial.
  uint32_t fullTokens = 0, emptyTokens = 0, partialTokens = 0;
  uint32_t line = 0;     // 1-based dump-file line
};
struct PageMap {
  std::vector<PageClass> classes;
  uint32_t headerLine = 0;  // 1-based dump-file line of the header
  std::string header;       // the header as written, trimmed ("-------before GC 1 -------")
  // When the dump was taken, as the file says (`Heap Dump at: <time>[, <bytes>]`): the time as written,
  // its numeric form if it has one, the heap bytes if given, and the 1-based line (0 when absent).
  std::string time;
  std::optional<double> timeValue;
  std::optional<uint64_t> heapBytes;
  uint32_t timeLine = 0;
};
// How a GC was tied to a timeline sample.
enum class SampleMatch : uint8_t {
  None,     // no sample: no timestamp, or nothing to match it against
  Exact,    // a sample's time is the GC's time, string for string
  Nearest,  // the sample whose numeric time is nearest the GC's
  Marker,   // the n-th GC in file order is the n-th sample flagged as a GC (`<bytes>,true`)
};
// One collection: the pages before and after it.
struct GcPages {
  std::string index;  // the GC number as written in the file
  std::optional<PageMap> before, after;
  std::optional<size_t> sample;  // the timeline sample this GC is tied to
  SampleMatch match = SampleMatch::None;
};
struct PageMaps {
  std::vector<GcPages> gcs;
  uint64_t pageBytes = 256 * 1024;
  // The block of the text file that holds the page maps (see HeapTimeline::heading).
  std::string heading;
  uint32_t line = 0, endLine = 0;
};

// Growth of one type between two heaps (a heap-diff "growth" record), with
// sample retention paths of new objects.
struct GrowthRecord {
  std::string type;  // constructor / class name
  int64_t countBefore = 0, countAfter = 0, countDelta = 0;
  int64_t sizeBefore = 0, sizeAfter = 0, sizeDelta = 0;
  SiteId site = kNoSite;  // where the type or its allocation is declared, in the Dump's SiteTable
  std::vector<std::vector<std::string>> retentionPaths;  // each from a root, outermost first
  uint32_t line = 0;      // 1-based dump-file line of the record, 0 when not from a text file
};
// One new object of a growing type (a heap-diff "retained" record): its size and why it is alive.
struct RetainedObject {
  std::string type;
  int64_t size = 0;
  std::optional<int64_t> retainedSize;  // bytes it dominates in the target, when known
  std::vector<std::string> path;        // from a root, outermost first; "..." ends a cut one
  SiteId site = kNoSite;                // where it was allocated or its class is declared
  uint64_t address = 0;                 // its object id in the target, 0 when not known
  uint32_t line = 0;                    // 1-based dump-file line, 0 when not from a text file
};
struct GrowthRecords {
  std::string baseline, target;  // what was compared (paths as the producer wrote them)
  std::vector<GrowthRecord> records;
  std::vector<RetainedObject> retained;  // samples; their paths are also in records[].retentionPaths
};

// A problem tied to one line of a text dump file, kept beside everything the parser could keep.
struct LineProblem {
  uint32_t line = 0;  // 1-based
  std::string message;
  // 1-based character columns of the offending text, end exclusive; 0 when the whole line is meant.
  uint32_t column = 0, endColumn = 0;
};

struct Dump {
  std::string format;  // "go", "mvmheap", ...
  std::string formatDescription;  // "Go heap dump (runtime/debug.WriteHeapDump)"
  std::string path;
  // Source languages the dump's program was written in (Language ids: "go", "raku", "javascript"),
  // from the format's registration; features use it to decide where dump-wide findings belong.
  std::vector<std::string> languages;

  std::vector<Fact> facts;
  std::vector<Table> tables;
  std::vector<std::string> warnings;
  // Set when no source location can be attributed (e.g. a Go dump without memory-profile records).
  std::optional<std::string> attributionProblem;

  // Strings, locations and stacks; shared with heap->graph when there is a graph. Never null.
  std::shared_ptr<SiteTable> sites = std::make_shared<SiteTable>();

  // ---- parts: each present only when the format has it ----
  std::optional<HeapPart> heap;
  std::optional<SnapshotSeries> series;
  std::optional<HeapTimeline> timeline;
  std::optional<PageMaps> pageMaps;
  std::optional<GrowthRecords> growth;
  std::vector<LineProblem> lineProblems;  // text formats: malformed lines, parsing went on past them

  // Installs a graph as the heap part and shares its site table.
  void setGraph(HeapGraph graph);

  uint64_t objectCount() const { return heap ? heap->objectCount() : 0; }
  uint64_t totalBytes() const { return heap ? heap->totalBytes() : 0; }
};

// "2 of 3": how a snapshot is named to a human, everywhere (1-based).
std::string snapshotLabel(const SnapshotSeries& series, uint32_t index);

// The analyses every format shares, run after a format has built its Dump, on
// the parts present: for a heap part, dominators, retained sizes and
// unreachable counts (a warning names them). Defined in FinishDump.cpp.
void finishDump(Dump& dump, const TaskContext& ctx = {});

}  // namespace heaplens
