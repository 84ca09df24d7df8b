// MoarFormat: summaries of every snapshot and the HeapGraph of the chosen one.
//
// See MoarFormat.h for the mapping. Non-selected snapshots are only
// summarised (the collectable columns, never the reference columns, are
// decompressed and dropped again), so a file of many big snapshots costs one
// snapshot's memory plus the graph.
//
// Threading: runs on the loading worker; MoarFile::readColumns() fans out.
#include "analysis/formats/moar/MoarFormat.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <exception>
#include <stop_token>
#include <thread>
#include <limits>
#include <unordered_map>

#include "analysis/GraphBuilder.h"
#include "analysis/Text.h"
#include "analysis/formats/MappedFile.h"

namespace heaplens {
namespace moar {
namespace {

constexpr std::string_view kFormatName = "mvmheap";
constexpr std::string_view kFormatDescription = "MoarVM heap snapshot (format v3)";
constexpr std::string_view kFormatNameV2 = "mvmheap-v2";
constexpr std::string_view kFormatDescriptionV2 = "MoarVM heap snapshot (format v2, MoarVM without zstd)";

constexpr uint16_t kKindObject = 1, kKindTypeObject = 2, kKindStable = 3, kKindFrame = 4, kKindInterGen = 10;
constexpr uint16_t kKindMax = 11;
// Names of the virtual root collectables (colkind 5..11), as MoarVM labels them.
constexpr std::string_view kRootKindNames[] = {"Permanent Roots",          "VM Instance Roots", "C Stack Roots",
                                               "Thread Roots",             "Root",              "Inter-generational Roots",
                                               "Thread Call Stack Roots"};

[[noreturn]] void failModel(const std::string& msg) { throw LoadError("mvmheap: " + msg); }

constexpr Column kSummaryColumns[] = {kColKind, kColSize, kColToFi, kColRefCount, kColUnmanagedSize, kTopIds, kTopScore};
constexpr Column kAllColumns[] = {kColKind,          kColSize,  kColToFi,   kColRefCount, kColRefStart,
                                  kColUnmanagedSize, kRefDescr, kRefTarget, kTopIds,      kTopScore};

std::string frameLabel(const MoarFile& f, uint32_t sf) {
  const auto& fr = f.staticFrames()[sf];
  std::string name(f.string(fr.name));
  if (name.empty()) name = "<anon>";
  return name + " " + std::string(f.string(fr.file)) + ":" + std::to_string(fr.line);
}

// Compares MoarVM's own leaderboards (topIDs/topscore) with counts from the columns.
void checkHighscores(const MoarFile& f, SnapshotSummary& sum, const SnapshotColumns& c) {
  const ColumnBuffer& ids = c.col[kTopIds];
  const ColumnBuffer& scores = c.col[kTopScore];
  const std::string at = "snapshot " + std::to_string(sum.info.index);
  if (f.version() == 2) return;  // v2 files have no highscores
  if (ids.count() != scores.count()) {
    sum.warnings.push_back("mvmheap: " + at + ": topIDs has " + std::to_string(ids.count()) +
                           " entries but topscore has " + std::to_string(scores.count()) + "; highscores not checked");
    return;
  }
  std::vector<std::string> order = f.fileMeta().dataOrder;
  if (order.empty()) order = {"types_by_count", "frames_by_count", "types_by_size", "frames_by_size"};
  const uint64_t per = f.fileMeta().entryCount.value_or(ids.count() / std::max<size_t>(order.size(), 1));
  if (per == 0 || per * order.size() != ids.count()) {
    sum.warnings.push_back("mvmheap: " + at + ": " + std::to_string(ids.count()) + " highscore entries do not make " +
                           std::to_string(order.size()) + " boards of " + std::to_string(per) + "; highscores not checked");
    return;
  }
  const uint64_t* idv = ids.as<uint64_t>();
  const uint64_t* sv = scores.as<uint64_t>();
  std::string firstMismatch;
  for (size_t b = 0; b < order.size(); ++b) {
    const std::vector<uint64_t>* recount = nullptr;
    bool frames = false;
    if (order[b] == "types_by_count") recount = &sum.typeCount;
    else if (order[b] == "types_by_size") recount = &sum.typeBytes;
    else if (order[b] == "frames_by_count") recount = &sum.frameCount, frames = true;
    else if (order[b] == "frames_by_size") recount = &sum.frameBytes, frames = true;
    if (!recount) continue;
    // MoarVM leaves stale boards when a snapshot has no frames at all.
    if (frames && sum.kindCount[kKindFrame] == 0) continue;
    for (uint64_t k = 0; k < per; ++k) {
      uint64_t id = idv[b * per + k], score = sv[b * per + k];
      if (score == 0) continue;  // zero-filled padding with arbitrary ids
      ++sum.highscoreEntriesChecked;
      uint64_t actual = id < recount->size() ? (*recount)[id] : 0;
      if (actual != score) {
        if (sum.highscoreMismatches++ == 0) {
          std::string what = id < recount->size() ? (frames ? frameLabel(f, static_cast<uint32_t>(id))
                                                            : std::string(f.string(f.types()[id].typeName)))
                                                  : "index " + std::to_string(id) + " (out of range)";
          firstMismatch = order[b] + " entry " + std::to_string(k) + " (" + what + ") says " + formatCount(score) +
                          " but the columns give " + formatCount(actual);
        }
      }
    }
  }
  if (sum.highscoreMismatches)
    sum.warnings.push_back("mvmheap: " + at + ": " + std::to_string(sum.highscoreMismatches) + " of " +
                           std::to_string(sum.highscoreEntriesChecked) +
                           " highscore entries differ from a recount of the columns, e.g. " + firstMismatch);
}

}  // namespace

SnapshotSummary summarizeSnapshot(const MoarFile& f, uint32_t snap, const SnapshotColumns& c) {
  const SnapshotEntry& s = f.snapshots().at(snap);
  const std::string at = "snapshot " + std::to_string(snap);
  SnapshotSummary sum;
  sum.info.index = snap;
  sum.info.gcSequence = s.meta.gcSeqNum;
  sum.info.timeMicros = s.meta.snapTime.value_or(0);
  const uint64_t n = c.collectables;
  sum.info.objects = n;
  sum.typeCount.assign(s.typesAvailable, 0);
  sum.typeBytes.assign(s.typesAvailable, 0);
  sum.frameCount.assign(s.framesAvailable, 0);
  sum.frameBytes.assign(s.framesAvailable, 0);

  const uint16_t* kind = c.col[kColKind].as<uint16_t>();
  const uint16_t* size = c.col[kColSize].as<uint16_t>();
  const uint32_t* tofi = c.col[kColToFi].as<uint32_t>();
  const uint32_t* rfcnt = c.col[kColRefCount].as<uint32_t>();
  const uint64_t* usize = c.col[kColUnmanagedSize].as<uint64_t>();
  uint64_t heap = 0, refs = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const uint16_t k = kind[i];
    if (k == 0 || k > kKindMax)
      failModel("column colkind of " + at + ": collectable " + std::to_string(i) + " has kind " + std::to_string(k) +
           " (expected 1-11)");
    const uint64_t bytes = uint64_t{size[i]} + usize[i];
    if (bytes < usize[i]) failModel("column colusize of " + at + ": collectable " + std::to_string(i) + " has an impossible size");
    heap += bytes;
    refs += rfcnt[i];
    ++sum.kindCount[k];
    if (k <= kKindStable) {
      if (tofi[i] >= s.typesAvailable)
        failModel("column coltofi of " + at + ": collectable " + std::to_string(i) + " refers to type " +
             std::to_string(tofi[i]) + " but only " + std::to_string(s.typesAvailable) + " types exist at that point");
      if (k == kKindObject) {
        ++sum.typeCount[tofi[i]];
        sum.typeBytes[tofi[i]] += bytes;
      }
    } else if (k == kKindFrame) {
      if (tofi[i] >= s.framesAvailable)
        failModel("column coltofi of " + at + ": collectable " + std::to_string(i) + " (a frame) refers to static frame " +
             std::to_string(tofi[i]) + " but only " + std::to_string(s.framesAvailable) +
             " static frames exist at that point");
      ++sum.frameCount[tofi[i]];
      sum.frameBytes[tofi[i]] += bytes;
    }
  }
  sum.info.references = refs;
  sum.info.heapBytes = heap;
  if (s.meta.totalRefs && *s.meta.totalRefs != refs)
    sum.warnings.push_back("mvmheap: " + at + ": the sum of colrfcnt is " + formatCount(refs) +
                           " but snapmeta says total_refs " + formatCount(*s.meta.totalRefs));
  if (s.meta.totalHeapSize && *s.meta.totalHeapSize != heap)
    sum.warnings.push_back("mvmheap: " + at + ": colsize + colusize sum to " + formatCount(heap) +
                           " bytes but snapmeta says total_heap_size " + formatCount(*s.meta.totalHeapSize));
  if (s.meta.totalObjects && *s.meta.totalObjects != sum.kindCount[kKindObject])
    sum.warnings.push_back("mvmheap: " + at + ": " + formatCount(sum.kindCount[kKindObject]) +
                           " objects in colkind but snapmeta says total_objects " + formatCount(*s.meta.totalObjects));
  checkHighscores(f, sum, c);
  return sum;
}

namespace {

// Builds the graph of one snapshot. Takes the columns by value so they are
// freed before the builder's own finish() allocates the CSR.
HeapGraph buildGraph(const MoarFile& f, uint32_t snap, SnapshotColumns c, const TaskContext& ctx,
                     std::vector<std::string>& warnings) {
  const SnapshotEntry& s = f.snapshots()[snap];
  const std::string at = "snapshot " + std::to_string(snap);
  const uint64_t n = c.collectables, r = c.col[kRefTarget].count();
  if (n == 0) failModel(at + " has no collectables");
  if (n >= UINT32_MAX - 1 || r >= UINT32_MAX - 1)
    failModel(at + " has " + formatCount(n) + " collectables and " + formatCount(r) + " references, more than a graph holds");

  GraphBuilder b;
  b.reserve(static_cast<uint32_t>(n + 1), r);
  const std::string phase = "Building graph";
  ctx.report(phase, 0);

  constexpr TypeId kUnset = std::numeric_limits<TypeId>::max();
  std::vector<TypeId> typeIds[3];  // objects, type objects, STables: by types-table index
  for (auto& v : typeIds) v.assign(s.typesAvailable, kUnset);
  std::vector<SiteId> frameSites(s.framesAvailable, kNoSite);  // addSite() never returns kNoSite
  const TypeId frameType = b.addType("Frame");
  TypeId rootTypes[7];
  for (int i = 0; i < 7; ++i) rootTypes[i] = b.addType(kRootKindNames[i]);

  const uint16_t* kind = c.col[kColKind].as<uint16_t>();
  const uint16_t* size = c.col[kColSize].as<uint16_t>();
  const uint32_t* tofi = c.col[kColToFi].as<uint32_t>();
  const uint64_t* usize = c.col[kColUnmanagedSize].as<uint64_t>();
  for (uint64_t i = 0; i < n; ++i) {
    if ((i & kPollMask) == 0) {
      ctx.checkCancelled();
      ctx.report(phase, 0.3 * static_cast<double>(i) / static_cast<double>(n));
    }
    const uint16_t k = kind[i];
    NodeId node;
    // Kinds and indices were validated by summarizeSnapshot().
    if (k <= kKindStable) {
      TypeId& t = typeIds[k - 1][tofi[i]];
      if (t == kUnset) {
        std::string name(f.string(f.types()[tofi[i]].typeName));
        if (k == kKindTypeObject) name += " (type object)";
        else if (k == kKindStable) name += " (STable)";
        t = b.addType(name);
      }
      node = b.addNode(NodeKind::Object, size[i], t);
    } else if (k == kKindFrame) {
      const uint32_t sf = tofi[i];
      if (frameSites[sf] == kNoSite) {
        const auto& fr = f.staticFrames()[sf];
        std::string_view name = f.string(fr.name);
        LocationId loc = b.addLocation(name.empty() ? std::string_view("<anon>") : name, f.string(fr.file), fr.line);
        frameSites[sf] = b.addSite(std::span<const LocationId>(&loc, 1));
      }
      node = b.addNode(NodeKind::Frame, size[i], frameType, frameSites[sf]);
    } else {
      node = b.addNode(NodeKind::Root, size[i], rootTypes[k - 5]);
      if (k == kKindInterGen) b.setFlag(node, kAvoidInPaths);
    }
    if (usize[i]) b.setExternalSize(node, usize[i]);
  }
  if (kind[0] != 9)
    warnings.push_back("mvmheap: " + at + ": collectable 0 has kind " + std::to_string(kind[0]) +
                       " (expected 9, the root); it is used as the root anyway");
  b.addRoot(1, "Root");

  // References: collectable i owns refs[colrfstr[i], colrfstr[i] + colrfcnt[i]).
  const uint32_t* rfcnt = c.col[kColRefCount].as<uint32_t>();
  const uint32_t* rfstr = c.col[kColRefStart].as<uint32_t>();
  const uint32_t* descr = c.col[kRefDescr].as<uint32_t>();
  const uint32_t* target = c.col[kRefTarget].as<uint32_t>();
  std::vector<StringId> labelIds(s.stringsAvailable, kNoString);
  uint64_t kind3 = 0;

  // The inter-generational roots are MoarVM's remembered set: old objects that point into the
  // nursery (a frame whose closure outlived it, the containers of its captured lexicals). They
  // are a GC bookkeeping list, not owners: what they list is alive through its real referrers.
  // Counted as owners, they would dominate everything they list, and a closure's outer frame
  // would retain nothing through its captured lexicals (issue #16). So their edges are weak for
  // what the other roots reach, and keep only what nothing else holds (garbage awaiting a full GC).
  std::vector<uint8_t> reachedOtherwise(n, 0);
  {
    std::vector<uint32_t> queue;
    queue.reserve(1024);
    reachedOtherwise[0] = 1;
    queue.push_back(0);
    for (size_t head = 0; head < queue.size(); ++head) {
      if ((head & kPollMask) == 0) ctx.checkCancelled();
      const uint32_t i = queue[head];
      if (kind[i] == kKindInterGen) continue;
      const uint64_t start = rfstr[i], cnt = rfcnt[i];
      if (start > r || cnt > r - start) continue;  // reported by the loop below
      for (uint64_t j = start; j < start + cnt; ++j) {
        const uint32_t t = target[j];
        if (t < n && !reachedOtherwise[t]) {
          reachedOtherwise[t] = 1;
          queue.push_back(t);
        }
      }
    }
  }
  for (uint64_t i = 0; i < n; ++i) {
    if ((i & kPollMask) == 0) {
      ctx.checkCancelled();
      ctx.report(phase, 0.3 + 0.6 * static_cast<double>(i) / static_cast<double>(n));
    }
    const uint64_t start = rfstr[i], cnt = rfcnt[i];
    if (start > r || cnt > r - start)
      failModel("columns colrfstr/colrfcnt of " + at + ": collectable " + std::to_string(i) + " has references " +
           formatCount(start) + " to " + formatCount(start + cnt) + " but the snapshot has " + formatCount(r));
    const NodeId from = static_cast<NodeId>(i + 1);
    for (uint64_t j = start; j < start + cnt; ++j) {
      const uint64_t t = target[j];
      if (t >= n)
        failModel("column reftrget of " + at + ": reference " + std::to_string(j) + " (of collectable " + std::to_string(i) +
             ") points to collectable " + std::to_string(t) + " but the snapshot has " + formatCount(n));
      const uint32_t d = descr[j];
      const uint32_t idx = refIndex(d);
      EdgeLabel label;
      switch (refKind(d)) {
        case 1: label = EdgeLabel::index(idx); break;
        case 2:
          if (idx >= s.stringsAvailable)
            failModel("column refdescr of " + at + ": reference " + std::to_string(j) + " (of collectable " +
                 std::to_string(i) + ") names string " + std::to_string(idx) + " but only " +
                 std::to_string(s.stringsAvailable) + " strings exist at that point");
          if (labelIds[idx] == kNoString) labelIds[idx] = b.intern(f.string(idx));
          label = EdgeLabel::name(labelIds[idx]);
          break;
        case 3: ++kind3; break;
        default: break;
      }
      const uint8_t edgeKinds = kind[i] == kKindInterGen && reachedOtherwise[t] ? kEdgeWeak : 0;
      b.addEdge(from, static_cast<NodeId>(t + 1), label, edgeKinds);
    }
  }
  if (kind3)
    warnings.push_back("mvmheap: " + at + ": " + formatCount(kind3) +
                       " references have description kind 3, which MoarVM never writes; shown unlabelled");
  // The columns are not needed any more; free them before the CSR is built.
  c = SnapshotColumns{};
  ctx.report(phase, 0.9);
  HeapGraph g = b.finish(ctx);
  ctx.report(phase, 1);
  return g;
}

std::string snapshotRange(size_t count) {
  return count == 1 ? "snapshot 0" : "snapshots 0-" + std::to_string(count - 1);
}

}  // namespace

std::unique_ptr<Dump> loadMoarDump(std::span<const uint8_t> bytes, const LoadOptions& options,
                                   const TaskContext& ctx, ReadLimits limits) {
  ctx.report("Reading table of contents", 0);
  MoarFile file(bytes, ctx, limits);
  auto dump = std::make_unique<Dump>();
  dump->format = file.version() == 2 ? kFormatNameV2 : kFormatName;
  dump->formatDescription = file.version() == 2 ? kFormatDescriptionV2 : kFormatDescription;
  dump->warnings = file.warnings();
  const auto& snaps = file.snapshots();
  if (snaps.empty()) failModel("the file holds no complete snapshot (its table of contents lists none)");
  uint32_t selected = static_cast<uint32_t>(snaps.size() - 1);
  if (options.snapshot) {
    if (*options.snapshot >= snaps.size())
      failModel("snapshot " + std::to_string(*options.snapshot) + " was requested but the file has " +
           std::to_string(snaps.size()) + " (" + snapshotRange(snaps.size()) + ")");
    selected = *options.snapshot;
  }

  // The other snapshots are only summarised, on a worker thread of their own
  // that reuses one set of column buffers, while this thread decompresses the
  // selected snapshot and builds its graph: on 2 cores the summaries then cost
  // little extra wall time. A damaged one is reported and left out.
  std::vector<SnapshotSummary> sums(snaps.size());
  std::vector<std::string> summaryErrors(snaps.size());
  std::stop_source workerStop;
  std::atomic<uint32_t> summarised{0};
  std::mutex doneMutex;
  std::condition_variable doneCv;
  bool workerDone = false;
  std::exception_ptr workerError;
  auto summariseOthers = [&] {
    try {
      const TaskContext workerCtx(workerStop.get_token(), nullptr);
      SnapshotColumns c;
      for (uint32_t i = 0; i < snaps.size(); ++i) {
        if (i == selected) continue;
        workerCtx.checkCancelled();
        try {
          file.readColumnsInto(i, kSummaryColumns, workerCtx, {}, c, 1);
          sums[i] = summarizeSnapshot(file, i, c);
        } catch (const LoadError& e) {
          SnapshotInfo& info = sums[i].info;
          info.index = i;
          info.gcSequence = snaps[i].meta.gcSeqNum;
          info.timeMicros = snaps[i].meta.snapTime.value_or(0);
          info.references = snaps[i].meta.totalRefs.value_or(0);
          info.heapBytes = snaps[i].meta.totalHeapSize.value_or(0);
          info.complete = false;
          summaryErrors[i] = std::string(e.what()) + " (snapshot " + std::to_string(i) + " is left out of the summaries)";
        }
        ++summarised;
      }
    } catch (...) {
      workerError = std::current_exception();
    }
    std::lock_guard lock(doneMutex);
    workerDone = true;
    doneCv.notify_all();
  };
  std::thread worker;
  if (snaps.size() > 1 && bytes.size() >= (uint64_t{8} << 20)) worker = std::thread(summariseOthers);
  else if (snaps.size() > 1) summariseOthers();  // small files: a thread costs more than it saves
  else workerDone = true;
  // On any exit (error, cancellation) the worker is stopped and joined before its state goes.
  struct Joiner {
    std::stop_source& stop;
    std::thread& thread;
    ~Joiner() {
      stop.request_stop();
      if (thread.joinable()) thread.join();
    }
  } joiner{workerStop, worker};

  {
    const std::string phase = "Reading snapshot " + std::to_string(selected) + " columns";
    SnapshotColumns c = file.readColumns(selected, kAllColumns, ctx, phase);
    sums[selected] = summarizeSnapshot(file, selected, c);
    dump->setGraph(buildGraph(file, selected, std::move(c), ctx, dump->warnings));
  }
  const uint32_t others = static_cast<uint32_t>(snaps.size() - 1);
  for (;;) {
    ctx.checkCancelled();
    ctx.report("Reading the other snapshots' columns", others ? static_cast<double>(summarised.load()) / others : 1.0);
    std::unique_lock lock(doneMutex);
    if (doneCv.wait_for(lock, std::chrono::milliseconds(50), [&] { return workerDone; })) break;
  }
  if (worker.joinable()) worker.join();
  if (workerError) std::rethrow_exception(workerError);
  for (uint32_t i = 0; i < sums.size(); ++i) {
    if (!summaryErrors[i].empty()) dump->warnings.push_back(summaryErrors[i]);
    dump->warnings.insert(dump->warnings.end(), sums[i].warnings.begin(), sums[i].warnings.end());
  }
  SnapshotSeries& series = dump->series.emplace();
  series.selected = selected;
  for (const SnapshotSummary& s : sums) series.snapshots.push_back(s.info);

  // Per-type timeline by type name (several types-table entries may share a name).
  TypeTimeline& tl = series.types;
  std::unordered_map<std::string_view, uint32_t> byName;
  std::vector<uint32_t> column(file.types().size(), UINT32_MAX);
  for (size_t t = 0; t < file.types().size(); ++t) {
    bool used = false;
    for (const SnapshotSummary& s : sums)
      if (t < s.typeCount.size() && s.typeCount[t]) used = true;
    if (!used) continue;
    std::string_view name = file.string(file.types()[t].typeName);
    auto [it, fresh] = byName.emplace(name, static_cast<uint32_t>(tl.typeNames.size()));
    if (fresh) tl.typeNames.emplace_back(name);
    column[t] = it->second;
  }
  tl.counts.assign(sums.size(), std::vector<uint64_t>(tl.typeNames.size(), 0));
  tl.bytes.assign(sums.size(), std::vector<uint64_t>(tl.typeNames.size(), 0));
  for (size_t s = 0; s < sums.size(); ++s)
    for (size_t t = 0; t < sums[s].typeCount.size(); ++t)
      if (column[t] != UINT32_MAX) {
        tl.counts[s][column[t]] += sums[s].typeCount[t];
        tl.bytes[s][column[t]] += sums[s].typeBytes[t];
      }

  // Facts and tables.
  const FileMeta& fm = file.fileMeta();
  auto fact = [&](std::string id, std::string label, Cell v) { dump->facts.push_back(Fact{std::move(id), std::move(label), std::move(v)}); };
  if (file.version() != 2)  // v2 records no GC sequence numbers (nor times)
    fact("gcSequence", "GC sequence number of the selected snapshot", Cell::num(static_cast<double>(sums[selected].info.gcSequence.value_or(0))));
  if (fm.pid) fact("pid", "Process id", Cell::num(static_cast<double>(*fm.pid)));
  if (fm.startTime) fact("startTime", "Profile start (µs, monotonic clock)", Cell::num(static_cast<double>(*fm.startTime)));
  fact("strings", "Strings", Cell::num(file.stringCount()));
  fact("types", "Types", Cell::num(static_cast<double>(file.types().size())));
  fact("staticFrames", "Static frames", Cell::num(static_cast<double>(file.staticFrames().size())));

  return dump;
}

}  // namespace moar

namespace {

// One class for both versions: MoarFile reads either; only the header, the name and the memory estimate differ.
class MoarFormatImpl final : public DumpFormat {
public:
  explicit MoarFormatImpl(int version) : version_(version) {}
  std::string_view name() const override { return version_ == 2 ? moar::kFormatNameV2 : moar::kFormatName; }
  std::string_view description() const override {
    return version_ == 2 ? moar::kFormatDescriptionV2 : moar::kFormatDescription;
  }
  bool detect(std::span<const uint8_t> head) const override {
    return hasPrefix(head, version_ == 2 ? moar::kMagicV2 : moar::kMagicV3);
  }
  std::vector<std::string_view> extensions() const override { return {"mvmheap"}; }
  std::vector<std::string_view> languages() const override { return {"raku"}; }
  // v3: measured peak RSS of a load (heaplens report, and serve with a code lens) minus the process's
  // own: 5.2x the file for leaky.mvmheap (19.5 MB, 7 snapshots) and 10.2x for big.mvmheap (69.6 MB,
  // 4 snapshots of 6.5 M collectables). The columns are zstd-compressed, so the factor grows with the
  // compression ratio and the snapshot's size; 11x covers the largest measured.
  // v2 is not compressed, the file is mapped (its pages count in RSS) and one snapshot is modelled:
  // peak RSS 148 MB for points.mvmheap (82 MB, 3 snapshots of 0.5 M collectables) and 528 MB for
  // bench/moar-v2.sh's 492 MB file (13 snapshots), 93 MB for its first snapshot alone (27 MB): a
  // one-snapshot file pays the graph of ~0.5 M nodes beside a small file, hence the constant.
  uint64_t estimatePeakMemory(uint64_t fileSize) const override {
    return version_ == 2 ? 2 * fileSize + (uint64_t{128} << 20) : 11 * fileSize;
  }
  std::unique_ptr<Dump> load(const std::string& path, const LoadOptions& options,
                             const TaskContext& ctx) const override {
    // Mapped rather than read: the columns are decompressed (v3) or decoded (v2)
    // straight from the page cache and a 70 MB file costs no extra copy.
    MappedFile file(path);
    if (file.bytes().empty()) throw LoadError(path + ": the file is empty; expected a MoarVM heap snapshot", 0);
    auto dump = moar::loadMoarDump(file.bytes(), options, ctx);
    dump->path = path;
    return dump;
  }

private:
  int version_;
};

}  // namespace

const DumpFormat& moarFormat() {
  static const MoarFormatImpl format(3);
  return format;
}

const DumpFormat& moarV2Format() {
  static const MoarFormatImpl format(2);
  return format;
}

}  // namespace heaplens
