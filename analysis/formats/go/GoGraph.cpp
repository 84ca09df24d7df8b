// GoGraph: pass 2 of the Go heap dump parser (see GoGraph.h).
//
// Node layout: super-root 0, then every kept object in address order
// (node = 1 + index in the sorted array), then the root holders (data, bss,
// goroutines each followed by their frames, finalizers, queued finalizers,
// defers, panics, other roots). Edges are added in that node order.
//
// Threading: runs on the loading worker.
#include "analysis/formats/go/GoGraph.h"

#include <algorithm>
#include <cmath>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <optional>
#include <type_traits>
#include <unordered_map>

#include <boost/sort/pdqsort/pdqsort.hpp>

#include "analysis/GraphBuilder.h"
#include "analysis/MemoryAdvice.h"
#include "analysis/Text.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/go/GoFormat.h"
#include "analysis/formats/go/exe/GoExeNaming.h"
#include "analysis/formats/go/exe/GoTyping.h"

namespace heaplens::go {

GoObjectLookup::GoObjectLookup(const std::vector<GoObjectRec>& sorted) : objs_(sorted) {
  const size_t n = objs_.size();
  if (n == 0) return;
  base_ = objs_.front().addr;
  uint64_t span = objs_.back().addr - base_;
  // About one bucket per object: most lookups then look at one or two objects.
  const uint64_t maxBuckets = static_cast<uint64_t>(n) + 16;
  while (shift_ < 63 && (span >> shift_) + 1 > maxBuckets) ++shift_;
  uint64_t buckets = (span >> shift_) + 1;
  first_ = hugeVector<uint32_t>(buckets + 1, 0);
  size_t i = 0;
  for (uint64_t b = 0; b < buckets; ++b) {
    while (i < n && ((objs_[i].addr - base_) >> shift_) < b) ++i;
    first_[b] = static_cast<uint32_t>(i);
  }
  first_[buckets] = static_cast<uint32_t>(n);
}

uint32_t GoObjectLookup::find(uint64_t p) const {
  if (first_.empty() || p < base_) return kNone;
  const uint64_t buckets = first_.size() - 1;
  uint64_t b = (p - base_) >> shift_;
  uint32_t candidate;
  if (b >= buckets) {
    candidate = static_cast<uint32_t>(objs_.size() - 1);
  } else {
    uint32_t lo = first_[b], hi = first_[b + 1];
    // Last object in [lo, hi) starting at or before p; if none, the last object before the bucket.
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (objs_[mid].addr <= p) lo = mid + 1; else hi = mid;
    }
    if (lo == 0) return kNone;
    candidate = lo - 1;
  }
  const GoObjectRec& o = objs_[candidate];
  return p - o.addr < o.size ? candidate : kNone;
}

// Out: the index type written, or Encode (GoResolvedWord in place; returns the words in objects).
struct Encode {};

template <typename Out>
static uint64_t findAllImpl(const GoObjectLookup& lookup, const uint64_t* in, size_t count, Out* out,
                            const uint64_t base, const unsigned shift, const std::vector<uint32_t>& first,
                            const std::vector<GoObjectRec>& objs) {
  constexpr size_t kAhead = 16;
  uint64_t inObjects = 0;
  const uint64_t buckets = first.empty() ? 0 : first.size() - 1;
  auto bucketOf = [&](uint64_t p) -> uint64_t {
    if (p < base) return UINT64_MAX;
    uint64_t b = (p - base) >> shift;
    return b < buckets ? b : UINT64_MAX;
  };
  // Stage 1 (2·kAhead ahead): prefetch the bucket entry. Stage 2 (kAhead ahead): prefetch the first
  // object of the bucket and the one before it. Stage 3: the lookup, now mostly from cache.
  for (size_t i = 0; i < count; ++i) {
    if (i + 2 * kAhead < count) {
      uint64_t b = bucketOf(in[i + 2 * kAhead]);
      if (b != UINT64_MAX) __builtin_prefetch(&first[b]);
    }
    if (i + kAhead < count) {
      uint64_t b = bucketOf(in[i + kAhead]);
      if (b != UINT64_MAX) {
        uint32_t f = first[b];
        if (f > 0) __builtin_prefetch(&objs[f - 1]);
        if (f < objs.size()) __builtin_prefetch(&objs[f]);
      }
    }
    uint64_t p = in[i];
    if constexpr (std::is_same_v<Out, Encode>) {
      if (p == 0) continue;
      const uint32_t t = lookup.find(p);
      if (t == GoObjectLookup::kNone) {
        const_cast<uint64_t*>(in)[i] = GoResolvedWord::outside(p);
      } else {
        const_cast<uint64_t*>(in)[i] = GoResolvedWord::make(t, p - objs[t].addr);
        ++inObjects;
      }
    } else {
      out[i] = p == 0 ? GoObjectLookup::kNil : lookup.find(p);
    }
  }
  return inObjects;
}

void GoObjectLookup::findAll(const uint64_t* in, size_t count, uint64_t* out) const {
  findAllImpl(*this, in, count, out, base_, shift_, first_, objs_);
}
void GoObjectLookup::findAll(const uint64_t* in, size_t count, uint32_t* out) const {
  findAllImpl(*this, in, count, out, base_, shift_, first_, objs_);
}
uint64_t GoObjectLookup::resolveAll(uint64_t* words, size_t count) const {
  return findAllImpl(*this, words, count, static_cast<Encode*>(nullptr), base_, shift_, first_, objs_);
}

namespace {

std::string hexAddr(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

std::string offsetLabel(uint64_t off) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "+0x%" PRIx64, off);
  return buf;
}

std::string statusName(uint64_t status) {
  std::string prefix = (status & 0x1000) ? "scan " : "";
  switch (status & ~uint64_t{0x1000}) {
    case 0: return prefix + "idle";
    case 1: return prefix + "runnable";
    case 2: return prefix + "running";
    case 3: return prefix + "syscall";
    case 4: return prefix + "waiting";
    case 5: return prefix + "moribund";
    case 6: return prefix + "dead";
    case 7: return prefix + "enqueue";
    case 8: return prefix + "copystack";
    case 9: return prefix + "preempted";
    default: return "status " + std::to_string(status);
  }
}

// Marks Go ≥ 1.22's heap-bitmap pseudo-objects (go.md §1.4.3) in sorted objects and removes them.
// A small-object span is one 8 KiB page; the runtime dumps n = 8192/size slots but only
// nelems = (8192 - reserve)/size are real. Reserve is 128 B of heap bitmap in scan spans
// (elemsize ≤ 512) plus, with Green Tea GC, 128 B of inline mark bits for 16 ≤ size ≤ 512.
uint64_t dropBogusObjects(std::vector<GoObjectRec>& objs, bool greenTea) {
  const size_t n = objs.size();
  std::vector<uint8_t> bogus(n, 0);
  uint64_t count = 0;
  size_t i = 0;
  while (i < n) {
    const uint64_t page = objs[i].addr >> 13, size = objs[i].size;
    size_t j = i;
    bool scan = false;
    while (j < n && (objs[j].addr >> 13) == page && objs[j].size == size) {
      scan |= objs[j].ptrCount > 0;
      ++j;
    }
    if (size > 0 && size <= 512) {
      uint64_t reserve = (scan ? 128 : 0) + (greenTea && size >= 16 ? 128 : 0);
      if (reserve > 0) {
        uint64_t nelems = (8192 - reserve) / size;
        for (size_t k = i; k < j; ++k) {
          if (objs[k].ptrCount == 0 && (objs[k].addr & 8191) / size >= nelems) {
            bogus[k] = 1;
            ++count;
          }
        }
      }
    }
    i = j;
  }
  if (count) {
    size_t out = 0;
    for (size_t k = 0; k < n; ++k)
      if (!bogus[k]) objs[out++] = objs[k];
    objs.resize(out);
  }
  return count;
}

template <typename T>
void release(std::vector<T>& v) {
  std::vector<T>().swap(v);
}

class Builder {
public:
  Builder(GoScan& s, const TaskContext& ctx, const GoExeInput& exe) : s_(s), ctx_(ctx), exeIn_(exe) {}

  std::unique_ptr<Dump> run() {
    auto dump = std::make_unique<Dump>();
    dump->format = std::string(goFormat().name());
    dump->formatDescription = std::string(goFormat().description());
    const GoVersion& v = s_.params.parsed;

    ctx_.report("Building graph", 0.0);
    useExecutable();
    // Records come in span order: ascending runs. Pattern-defeating quicksort (Orson Peters, 2021,
    // arXiv:2106.05123) exploits such runs; std::sort does not, and it was the largest single cost.
    boost::sort::pdqsort(s_.objects.begin(), s_.objects.end(),
                         [](const GoObjectRec& a, const GoObjectRec& b) { return a.addr < b.addr; });
    objectRecords_ = s_.objects.size();
    ctx_.checkCancelled();
    if (v.atLeast(1, 22)) bogus_ = dropBogusObjects(s_.objects, v.hasExperiment("greenteagc"));
    ctx_.report("Building graph", 0.1);

    const uint64_t n = s_.objects.size();
    uint64_t extraNodes = s_.segments.size() + s_.goroutines.size() + s_.frames.size() + 8;
    if (n + extraNodes >= UINT32_MAX)
      throw LoadError("go heap dump: " + std::to_string(n) + " objects are more than this tool's 2^32 node limit");
    if (s_.objectPtrs.size() + s_.rootPtrs.size() + 4 * s_.finalizers.size() + 4 * s_.defers.size() +
            4 * s_.panics.size() + s_.otherRoots.size() + extraNodes >= UINT32_MAX)
      throw LoadError("go heap dump: more than 2^32 pointers; this tool's edge limit is 2^32");

    GoObjectLookup lookup(s_.objects);
    matchSamples(lookup);
    ctx_.report("Building graph", 0.2);
    // Object edges are known exactly once every pointer word is resolved, so the edge columns are
    // reserved once, at their final size (root edges: at most one per root pointer word).
    const uint64_t objectEdges = resolveObjectPointers(lookup);
    // The typing walks the resolved words: no pointer is looked up twice.
    if (names_) typeObjects(lookup);
    b_.reserve(static_cast<uint32_t>(n + extraNodes),
               objectEdges + s_.rootPtrs.size() + 2 * (s_.finalizers.size() + s_.defers.size() + s_.panics.size()) +
                   s_.otherRoots.size() + s_.frames.size());
    std::vector<SiteId> bucketSite = makeSites();
    addObjectNodes(bucketSite);
    addRootNodes();
    addObjectEdges();
    addRootEdges(lookup);

    // Everything the graph needs is in the builder now; free the scan before the CSR build.
    modelObjects_ = n;
    release(s_.objects);
    release(s_.objectPtrs);
    release(s_.objectPtrWords);
    release(s_.objectPtrFarWords);
    if (typing_) {
      typedObjects_ = typing_->typedObjects();
      typedBytes_ = typing_->typedBytes();
    }
    typing_.reset();  // its per-object arrays are in the graph's types and labels now
    release(s_.rootPtrs);
    ctx_.report("Building graph", 0.9);
    dump->setGraph(b_.finish(ctx_));

    describe(*dump);
    return dump;
  }

private:
  static constexpr size_t kChunk = 1 << 16;  // lookups between cancellation checks
  NodeId objectNode(uint32_t index) const { return 1 + index; }

  // Every 65536 steps of a loop over n items: a cancellation point and a report from `from` to `from + width`.
  void progressAt(size_t i, size_t n, double from, double width) {
    if ((i & 0xffff) != 0) return;
    ctx_.checkCancelled();
    ctx_.report("Building graph", from + width * static_cast<double>(i) / static_cast<double>(n));
  }

  void matchSamples(const GoObjectLookup& lookup) {
    const size_t m = s_.sampleAddrs.size();
    objectBucket_ = hugeVector<uint32_t>(s_.objects.size(), UINT32_MAX);
    std::vector<uint32_t> found = hugeVector<uint32_t>(m, 0);
    for (size_t i = 0; i < m; i += kChunk) {
      ctx_.checkCancelled();
      lookup.findAll(s_.sampleAddrs.data() + i, std::min(kChunk, m - i), found.data() + i);
    }
    for (size_t i = 0; i < m; ++i) {
      uint64_t addr = s_.sampleAddrs[i];
      uint32_t bucket = s_.sampleBuckets[i];
      uint32_t idx = found[i];
      if (idx == GoObjectLookup::kNone || idx == GoObjectLookup::kNil) {
        ++samplesUnmatched_;
        continue;
      }
      const GoObjectRec& o = s_.objects[idx];
      if (addr - o.addr == 8) ++samplesAtHeader_;
      if (bucket == UINT32_MAX) {
        ++samplesUnknownBucket_;
        continue;
      }
      if (objectBucket_[idx] == UINT32_MAX) objectBucket_[idx] = bucket;  // a later sample of the same object is ignored
    }
    release(s_.sampleAddrs);
    release(s_.sampleBuckets);
  }

  std::vector<SiteId> makeSites() {
    std::vector<SiteId> sites(s_.buckets.size(), kNoSite);
    std::vector<LocationId> frames;
    for (size_t i = 0; i < s_.buckets.size(); ++i) {
      const GoBucket& bk = s_.buckets[i];
      if (bk.frames.empty()) continue;
      frames.clear();
      for (const GoFrameLoc& f : bk.frames)
        frames.push_back(b_.addLocation(f.function, f.file,
                                        static_cast<uint32_t>(std::min<uint64_t>(f.line, UINT32_MAX))));
      sites[i] = b_.addSite(frames);
    }
    return sites;
  }

  TypeId typeForSize(uint64_t size) {
    auto it = sizeTypes_.find(size);
    if (it != sizeTypes_.end()) return it->second;
    TypeId t = b_.addType(formatCount(size) + " B object");
    sizeTypes_.emplace(size, t);
    return t;
  }

  void addObjectNodes(const std::vector<SiteId>& bucketSite) {
    // ≥ 1.22 malloc headers: the first word of a pointerful object > 512 B is its *_type; when that
    // address is a dumped Type record (only itab types are), the object gets the record's name.
    std::sort(s_.headerWords.begin(), s_.headerWords.end());
    std::unordered_map<uint64_t, TypeId> namedTypes;
    size_t h = 0;
    const size_t n = s_.objects.size();
    for (size_t i = 0; i < n; ++i) {
      progressAt(i, n, 0.4, 0.3);
      const GoObjectRec& o = s_.objects[i];
      TypeId type = kNoType;
      if (!s_.headerWords.empty() && !s_.types.empty() && o.size > 512 && o.ptrCount > 0) {
        while (h < s_.headerWords.size() && s_.headerWords[h].first < o.addr) ++h;
        if (h < s_.headerWords.size() && s_.headerWords[h].first == o.addr) {
          auto t = s_.types.find(s_.headerWords[h].second);
          if (t != s_.types.end() && !t->second.name.empty()) {
            auto [it, fresh] = namedTypes.emplace(t->first, kNoType);
            if (fresh) it->second = b_.addType(t->second.name);
            type = it->second;
            ++headerTyped_;
          }
        }
      }
      if (type == kNoType && typing_ && typing_->typed(static_cast<uint32_t>(i))) {
        auto [it, fresh] = typedTypes_.emplace(typing_->typeKey(static_cast<uint32_t>(i)), kNoType);
        if (fresh) it->second = b_.addType(typing_->typeName(static_cast<uint32_t>(i)));
        type = it->second;
      }
      if (type == kNoType) type = typeForSize(o.size);
      const uint32_t bucket = objectBucket_[i];
      SiteId site = bucket == UINT32_MAX ? kNoSite : bucketSite[bucket];
      NodeId node = b_.addNode(NodeKind::Object, o.size, type, site);
      b_.setAddress(node, o.addr);
      modelBytes_ += o.size;
      if (bucket != UINT32_MAX) ++attributedObjects_;
    }
    release(s_.headerWords);
    release(objectBucket_);
  }

  // Root holders, in node order. Each remembers what its edges are.
  enum class RootKind { Segment, Global, Goroutine, Frame, Finalizers, QueuedFinalizers, Defers, Panics, OtherRoots, Orphans };
  struct RootNode {
    RootKind kind;
    NodeId node;
    size_t index;  // segment / goroutine / frame index
  };

  NodeId addRoot(RootKind kind, size_t index, NodeKind nodeKind, std::string_view typeName,
                 std::string_view rootLabel) {
    NodeId node = b_.addNode(nodeKind, 0, b_.addType(typeName));
    if (!rootLabel.empty()) b_.addRoot(node, rootLabel);
    roots_.push_back({kind, node, index});
    return node;
  }

  void addRootNodes() {
    for (size_t i = 0; i < s_.segments.size(); ++i) {
      bool bss = s_.segments[i].bss;
      addRoot(RootKind::Segment, i, NodeKind::Root, bss ? "bss segment" : "data segment", bss ? "bss" : "data");
      if (names_) addGlobalRoots(i);
    }
    // Frames of each goroutine, in record order (innermost first).
    std::vector<std::vector<uint32_t>> framesOf(s_.goroutines.size());
    std::vector<uint32_t> orphans;
    for (uint32_t f = 0; f < s_.frames.size(); ++f) {
      if (s_.frames[f].goroutine == UINT32_MAX) orphans.push_back(f);
      else framesOf[s_.frames[f].goroutine].push_back(f);
    }
    for (size_t g = 0; g < s_.goroutines.size(); ++g) {
      const GoGoroutine& gr = s_.goroutines[g];
      std::string state = gr.waitReason.empty() || (gr.status & ~uint64_t{0x1000}) != 4 ? statusName(gr.status)
                                                                                       : gr.waitReason;
      std::string createdBy = names_ ? names_->createdBy(gr) : std::string();
      const bool waiting = !gr.waitReason.empty() && (gr.status & ~uint64_t{0x1000}) == 4;
      NodeId goroutine = addRoot(RootKind::Goroutine, g, NodeKind::Root,
                                 waiting ? "goroutine blocked in " + state : "goroutine (" + state + ")",
                                 "goroutine " + std::to_string(gr.goid) + " (" + state + ")" +
                                     (createdBy.empty() ? "" : ", created by " + createdBy));
      // Its site is the go statement that created it (the line index's Creation entries).
      if (names_ && gr.gopc != 0) setSite(goroutine, names_->exe().linesAt(gr.gopc - 1), "");
      for (uint32_t f : framesOf[g]) {
        const GoFrame& fr = s_.frames[f];
        NodeId node =
            addRoot(RootKind::Frame, f, NodeKind::Frame, fr.function.empty() ? "unknown function" : fr.function, {});
        if (names_) setFrameSite(node, fr);
      }
    }
    if (!orphans.empty()) {
      addRoot(RootKind::Orphans, 0, NodeKind::Root, "stack frames", "stack frames without a goroutine");
      for (uint32_t f : orphans) addRoot(RootKind::Frame, f, NodeKind::Frame, s_.frames[f].function, {});
    }
    bool fin = false, queued = false;
    for (const GoFinalizer& f : s_.finalizers) (f.queued ? queued : fin) = true;
    if (fin) addRoot(RootKind::Finalizers, 0, NodeKind::Root, "finalizers", "finalizers");
    if (queued) addRoot(RootKind::QueuedFinalizers, 0, NodeKind::Root, "queued finalizers", "queued finalizers");
    if (!s_.defers.empty()) addRoot(RootKind::Defers, 0, NodeKind::Root, "defer records", "defer records");
    if (!s_.panics.empty()) addRoot(RootKind::Panics, 0, NodeKind::Root, "panic records", "panic records");
    if (!s_.otherRoots.empty()) addRoot(RootKind::OtherRoots, 0, NodeKind::Root, "other roots", "other roots");
  }

  // Types for objects, from the typed roots (exe/GoTyping.h).
  void typeObjects(const GoObjectLookup& lookup) {
    ctx_.report("Typing objects", 0.0);
    typing_.emplace(names_->exe(), s_, lookup);
    const GoExecutable& exe = names_->exe();
    for (const GoSegment& seg : s_.segments) {
      uint64_t prevOff = UINT64_MAX, prevValue = 0;
      for (uint64_t k = 0; k < seg.ptrCount; ++k) {
        const GoRootPtr& rp = s_.rootPtrs[seg.ptrBegin + k];
        uint64_t addr = seg.addr + rp.offset;
        if (const ExeGlobal* g = exe.globalAt(addr))
          typing_->seedRoot(g->typeDie, addr - g->addr, rp.value, prevOff + 8 == rp.offset ? prevValue : 0);
        prevOff = rp.offset;
        prevValue = rp.value;
      }
    }
    for (size_t f = 0; f < s_.frames.size(); ++f) {
      const GoFrame& fr = s_.frames[f];
      const GoFrame* callee = f > 0 && fr.depth > 0 && s_.frames[f - 1].goroutine == fr.goroutine ? &s_.frames[f - 1] : nullptr;
      uint64_t prevOff = UINT64_MAX, prevValue = 0;
      for (uint64_t k = 0; k < fr.ptrCount; ++k) {
        const GoRootPtr& rp = s_.rootPtrs[fr.ptrBegin + k];
        std::optional<ExeVar> v = exe.variableSlot(GoExeNaming::lookupPc(fr),
                                                   static_cast<int64_t>(rp.offset) - static_cast<int64_t>(fr.size));
        if (!v && callee) v = exe.variableSlot(GoExeNaming::lookupPc(*callee), static_cast<int64_t>(rp.offset), true);
        if (v) typing_->seedRoot(v->typeDie, v->within, rp.value, prevOff + 8 == rp.offset ? prevValue : 0);
        prevOff = rp.offset;
        prevValue = rp.value;
      }
    }
    typing_->run(ctx_);
  }

  EdgeLabel fieldLabel(uint32_t obj, uint64_t offset) {
    GoTyping::Label l = typing_->label(obj, offset);
    if (l.index >= 0) return EdgeLabel::index(static_cast<uint64_t>(l.index));
    if (!l.name) return EdgeLabel::none();
    auto [it, fresh] = labelIds_.emplace(l.name, 0);
    if (fresh) it->second = b_.intern(*l.name);
    return EdgeLabel::name(it->second);
  }

  // One root per global variable of segment `seg` that holds pointers (exe/GoExeNaming.h).
  void addGlobalRoots(size_t seg) {
    for (GoGlobalRun& run : names_->globalRuns(s_.segments[seg], s_.rootPtrs)) {
      if (run.addr != 0) ++namedGlobals_;
      addRoot(RootKind::Global, globalRuns_.size(), NodeKind::Root,
              run.typeName.empty() ? "global variable" : run.typeName, {});
      globalRuns_.push_back(std::move(run));
      globalRunSegment_.push_back(seg);
    }
  }

  // A frame's site: its logical frames at its PC, inlined calls expanded, innermost first.
  void setFrameSite(NodeId node, const GoFrame& fr) {
    if (setSite(node, names_->frameLines(fr), fr.function)) ++framesWithLines_;
  }
  bool setSite(NodeId node, const std::vector<ExeLine>& lines, const std::string& function) {
    if (lines.empty()) return false;
    std::vector<LocationId> locs;
    for (const ExeLine& l : lines) locs.push_back(b_.addLocation(l.function.empty() ? function : l.function, l.file, l.line));
    b_.setSite(node, b_.addSite(locs));
    return true;
  }

  // Resolves every object pointer word in place (GoResolvedWord), in file order (sequential,
  // pipelined); returns how many become edges (neither nil nor pointing into no object).
  uint64_t resolveObjectPointers(const GoObjectLookup& lookup) {
    const size_t m = s_.objectPtrs.size();
    uint64_t edges = 0;
    for (size_t i = 0; i < m; i += kChunk) {
      ctx_.checkCancelled();
      ctx_.report("Building graph", 0.2 + 0.2 * static_cast<double>(i) / static_cast<double>(m));
      edges += lookup.resolveAll(s_.objectPtrs.data() + i, std::min(kChunk, m - i));
    }
    return edges;
  }

  void addObjectEdges() {
    const size_t n = s_.objects.size();
    for (size_t i = 0; i < n; ++i) {
      progressAt(i, n, 0.7, 0.2);
      const GoObjectRec& o = s_.objects[i];
      const uint64_t* p = s_.objectPtrs.data() + o.ptrBegin;
      NodeId from = objectNode(static_cast<uint32_t>(i));
      const bool labelled = typing_ && typing_->typed(static_cast<uint32_t>(i)) &&
                            s_.objectPtrWords.size() == s_.objectPtrs.size();
      std::optional<GoFieldOffsets> offsets;
      if (labelled) offsets.emplace(s_, o);
      for (uint32_t k = 0; k < o.ptrCount; ++k) {
        const uint64_t off = labelled ? offsets->next() : 0;
        const uint64_t w = p[k];  // resolved above
        if (w == 0) continue;
        if (!GoResolvedWord::inObject(w)) { ++unresolved_; continue; }
        b_.addEdge(from, objectNode(GoResolvedWord::object(w)),
                   labelled ? fieldLabel(static_cast<uint32_t>(i), off) : EdgeLabel::none());
      }
    }
  }

  // The node of the object that contains a root's pointer `value`: kNoNode for nil, and for a
  // pointer into no object (counted).
  NodeId rootTarget(const GoObjectLookup& lookup, uint64_t value) {
    if (value == 0) return kNoNode;
    uint32_t t = lookup.find(value);
    if (t == GoObjectLookup::kNone) { ++unresolvedRoot_; return kNoNode; }
    return objectNode(t);
  }

  void addRootEdge(NodeId from, NodeId to, std::string_view label) {
    b_.addEdge(from, to, label.empty() ? EdgeLabel::none() : EdgeLabel::name(b_.intern(label)));
    ++rootEdges_;
  }

  // An edge from a root holder to whatever object contains `value`, if any.
  void rootEdge(const GoObjectLookup& lookup, NodeId from, uint64_t value, std::string_view label) {
    if (NodeId to = rootTarget(lookup, value); to != kNoNode) addRootEdge(from, to, label);
  }

  // Segment edges are labelled by offset ("+0x1a0": with the binary's symbol table that names the
  // global); frame offsets mean nothing without DWARF, so frame edges stay unlabelled.
  void rangeEdges(const GoObjectLookup& lookup, NodeId from, uint64_t begin, uint64_t count, bool labelOffsets) {
    for (uint64_t k = 0; k < count; ++k) {
      const GoRootPtr& rp = s_.rootPtrs[begin + k];
      // The label is formatted only for a pointer that becomes an edge; many are nil.
      if (NodeId to = rootTarget(lookup, rp.value); to != kNoNode)
        addRootEdge(from, to, labelOffsets ? offsetLabel(rp.offset) : std::string());
    }
  }

  void addRootEdges(const GoObjectLookup& lookup) {
    for (size_t r = 0; r < roots_.size(); ++r) {
      const RootNode& root = roots_[r];
      switch (root.kind) {
        case RootKind::Segment: {
          if (names_) {
            // Edges to this segment's variables, which follow it directly.
            for (size_t v = r + 1; v < roots_.size() && roots_[v].kind == RootKind::Global; ++v)
              b_.addEdge(root.node, roots_[v].node, EdgeLabel::name(b_.intern(globalRuns_[roots_[v].index].name)));
            break;
          }
          const GoSegment& seg = s_.segments[root.index];
          rangeEdges(lookup, root.node, seg.ptrBegin, seg.ptrCount, true);
          break;
        }
        case RootKind::Global: {
          const GoGlobalRun& run = globalRuns_[root.index];
          const GoSegment& seg = s_.segments[globalRunSegment_[root.index]];
          for (uint64_t k = 0; k < run.count; ++k) {
            const GoRootPtr& rp = s_.rootPtrs[run.begin + k];
            if (NodeId to = rootTarget(lookup, rp.value); to != kNoNode)
              addRootEdge(root.node, to, names_->globalLabel(run, seg.addr, rp.offset));
          }
          break;
        }
        case RootKind::Goroutine:
        case RootKind::Orphans: {
          // Edges to this goroutine's frame nodes, which follow it directly.
          for (size_t f = r + 1; f < roots_.size() && roots_[f].kind == RootKind::Frame; ++f)
            b_.addEdge(root.node, roots_[f].node,
                       EdgeLabel::name(b_.intern("frame " + std::to_string(s_.frames[roots_[f].index].depth))));
          break;
        }
        case RootKind::Frame: {
          const GoFrame& fr = s_.frames[root.index];
          if (names_) {
            // The callee is the frame record before this one in the same goroutine.
            const GoFrame* callee = nullptr;
            if (root.index > 0 && fr.depth > 0 && s_.frames[root.index - 1].goroutine == fr.goroutine)
              callee = &s_.frames[root.index - 1];
            for (uint64_t k = 0; k < fr.ptrCount; ++k) {
              const GoRootPtr& rp = s_.rootPtrs[fr.ptrBegin + k];
              if (NodeId to = rootTarget(lookup, rp.value); to != kNoNode) {
                std::string label = names_->frameLabel(fr, callee, rp.offset);
                if (!label.empty()) ++namedFrameWords_;
                addRootEdge(root.node, to, label);
              }
            }
            break;
          }
          rangeEdges(lookup, root.node, fr.ptrBegin, fr.ptrCount, false);
          break;
        }
        case RootKind::Finalizers:
        case RootKind::QueuedFinalizers: {
          bool queued = root.kind == RootKind::QueuedFinalizers;
          for (const GoFinalizer& f : s_.finalizers) {
            if (f.queued != queued) continue;
            rootEdge(lookup, root.node, f.obj, "object " + hexAddr(f.obj));
            rootEdge(lookup, root.node, f.fn, "finalizer func");
          }
          break;
        }
        case RootKind::Defers:
          for (const GoDefer& d : s_.defers) {
            rootEdge(lookup, root.node, d.d, "defer");
            rootEdge(lookup, root.node, d.fn, "deferred func");
          }
          break;
        case RootKind::Panics:
          for (const GoPanic& p : s_.panics) {
            rootEdge(lookup, root.node, p.p, "panic");
            rootEdge(lookup, root.node, p.argData, "panic value");
          }
          break;
        case RootKind::OtherRoots:
          for (const GoOtherRoot& o : s_.otherRoots) rootEdge(lookup, root.node, o.ptr, o.description);
          break;
      }
    }
  }

  void fact(Dump& d, std::string id, std::string label, Cell value) {
    d.facts.push_back({std::move(id), std::move(label), std::move(value)});
  }

  void describe(Dump& d) {
    const GoParams& p = s_.params;
    fact(d, "format", "Format", Cell::str("Go heap dump"));
    fact(d, "goVersion", "Go version", Cell::str(p.seen ? p.version : "(no params record)"));
    if (!p.parsed.experiments.empty()) {
      std::string ex;
      for (const std::string& e : p.parsed.experiments) ex += (ex.empty() ? "" : ",") + e;
      fact(d, "goExperiments", "Go experiments", Cell::str(ex));
    }
    fact(d, "arch", "Architecture", Cell::str(p.arch));
    fact(d, "pointerSize", "Pointer size", Cell::num(static_cast<double>(p.ptrSize)));
    fact(d, "byteOrder", "Byte order", Cell::str(p.bigEndian ? "big-endian" : "little-endian"));
    fact(d, "ncpu", "CPUs", Cell::num(static_cast<double>(p.ncpu)));
    fact(d, "objectRecords", "Object records", Cell::num(static_cast<double>(objectRecords_)));
    fact(d, "heapObjects", "Heap objects (model)", Cell::num(static_cast<double>(modelObjects_)));
    fact(d, "heapBytes", "Heap bytes (model)", Cell::bytes(modelBytes_));
    if (s_.memStats) {
      const auto& m = *s_.memStats;
      fact(d, "memstatsHeapObjects", "MemStats.HeapObjects", Cell::num(static_cast<double>(m[kMemStatsHeapObjects])));
      fact(d, "memstatsHeapAlloc", "MemStats.HeapAlloc", Cell::bytes(m[kMemStatsHeapAlloc]));
      fact(d, "memstatsNumGC", "MemStats.NumGC", Cell::num(static_cast<double>(m[kMemStatsNumGC])));
    }
    if (p.parsed.atLeast(1, 22))
      fact(d, "bogusObjects", "Heap-bitmap pseudo-objects excluded", Cell::num(static_cast<double>(bogus_)));
    uint64_t samples = s_.recordCounts[kTagAllocSample];
    fact(d, "allocSamples", "Alloc samples", Cell::num(static_cast<double>(samples)));
    fact(d, "samplesAtHeader", "Alloc samples at object+8 (malloc header)",
         Cell::num(static_cast<double>(samplesAtHeader_)));
    fact(d, "samplesUnmatched", "Alloc samples matching no object", Cell::num(static_cast<double>(samplesUnmatched_)));
    fact(d, "attributedObjects", "Objects with an allocation site", Cell::num(static_cast<double>(attributedObjects_)));
    fact(d, "memprofBuckets", "Memory-profile buckets", Cell::num(static_cast<double>(s_.buckets.size())));
    fact(d, "goroutines", "Goroutines", Cell::num(static_cast<double>(s_.goroutines.size())));
    fact(d, "stackFrames", "Stack frames", Cell::num(static_cast<double>(s_.frames.size())));
    fact(d, "osThreads", "OS threads", Cell::num(static_cast<double>(s_.recordCounts[kTagOSThread])));
    fact(d, "types", "Type records (distinct)", Cell::num(static_cast<double>(s_.types.size())));
    fact(d, "headerTypedObjects", "Objects named from their malloc header", Cell::num(static_cast<double>(headerTyped_)));
    fact(d, "rootPointers", "Root pointers resolved to objects", Cell::num(static_cast<double>(rootEdges_)));
    fact(d, "unresolvedPointers", "Pointers to no dumped object (dropped)",
         Cell::num(static_cast<double>(unresolved_ + unresolvedRoot_)));
    if (exeIn_.exe) {
      fact(d, "executable", "Executable", Cell::str(exeIn_.path));
      fact(d, "executableGoVersion", "Executable Go version", Cell::str(exeIn_.exe->goVersion()));
      fact(d, "executableBuildId", "Executable Go build ID", Cell::str(exeIn_.exe->buildId()));
      fact(d, "executableUsed", "Executable used for names", Cell::str(names_ ? "yes" : "no"));
      if (names_ && exeIn_.exe->isPie()) {
        char bias[24];
        std::snprintf(bias, sizeof bias, "0x%" PRIx64, exeIn_.exe->loadBias());
        fact(d, "executableLoadBias", "Executable load bias (position-independent)", Cell::str(bias));
      }
    }
    if (names_) {
      fact(d, "namedGlobals", "Global variables named", Cell::num(static_cast<double>(namedGlobals_)));
      fact(d, "framesWithLines", "Stack frames with a source line", Cell::num(static_cast<double>(framesWithLines_)));
      fact(d, "namedFrameWords", "Stack pointers named by their variable", Cell::num(static_cast<double>(namedFrameWords_)));
      if (typedObjects_ > 0 || exeIn_.exe->hasDwarf()) {
        fact(d, "typedObjects", "Objects typed from the executable", Cell::num(static_cast<double>(typedObjects_)));
        double pct = modelBytes_ ? 100.0 * static_cast<double>(typedBytes_) / static_cast<double>(modelBytes_) : 0;
        fact(d, "typedBytesPct", "Live bytes typed (%)", Cell::num(std::round(pct * 10) / 10));
      }
    }
    fact(d, "reachedEof", "Parse reached the EOF record", Cell::str(s_.reachedEof ? "yes" : "no"));
    fact(d, "bytesAfterEof", "Bytes after the EOF record", Cell::num(static_cast<double>(s_.trailingBytes)));

    // Goroutines by status and wait reason.
    std::map<std::pair<std::string, std::string>, uint64_t> byState;
    // The runtime leaves the last wait reason in place when a goroutine becomes runnable; show it
    // only for waiting goroutines, where it is current.
    for (const GoGoroutine& g : s_.goroutines)
      ++byState[{statusName(g.status), (g.status & ~uint64_t{0x1000}) == 4 ? g.waitReason : std::string()}];
    Table gt{"goroutines", "Goroutines by status", {"Status", "Wait reason", "Goroutines"}, {}};
    for (const auto& [key, count] : byState)
      gt.rows.push_back({Cell::str(key.first), Cell::str(key.second), Cell::num(static_cast<double>(count))});
    d.tables.push_back(std::move(gt));

    if (s_.memStats) {
      Table mt{"memstats", "runtime.MemStats (from the dump)", {"Name", "Value"}, {}};
      for (size_t i = 0; i < kMemStatsNamed; ++i) {
        uint64_t val = (*s_.memStats)[i];
        bool isBytes = i <= 2 || (i >= 6 && i <= 10) || (i >= 12 && i <= 21);
        mt.rows.push_back({Cell::str(std::string(kMemStatsNames[i])),
                           isBytes ? Cell::bytes(val) : Cell::num(static_cast<double>(val))});
      }
      mt.rows.push_back({Cell::str("NumGC"), Cell::num(static_cast<double>((*s_.memStats)[kMemStatsNumGC]))});
      d.tables.push_back(std::move(mt));
    }

    Table rt{"records", "Records by kind", {"Record", "Tag", "Count"}, {}};
    for (size_t t = 0; t < kTagCount; ++t)
      rt.rows.push_back({Cell::str(std::string(tagName(t))), Cell::num(static_cast<double>(t)),
                         Cell::num(static_cast<double>(s_.recordCounts[t]))});
    d.tables.push_back(std::move(rt));

    // Warnings.
    if (s_.truncation) d.warnings.push_back(*s_.truncation);
    for (const std::string& w : exeWarnings_) d.warnings.push_back(w);
    // A corrupt pc-value table found by a lookup after the executable was checked.
    if (names_ && pclntabProblemAtCheck_.empty() && !names_->exe().pclntabProblem().empty())
      d.warnings.push_back("the executable " + names_->exe().path() + "'s .gopclntab (Go's PC table) is corrupt: " +
                           names_->exe().pclntabProblem() + "; the frames it could not place keep no line");
    if (s_.reachedEof && s_.trailingBytes > 0)
      d.warnings.push_back(formatCount(s_.trailingBytes) + " bytes follow the EOF record at byte " +
                           std::to_string(s_.eofOffset) + "; they were ignored");
    if (!p.seen) d.warnings.push_back("the dump has no params record; pointer size and Go version are unknown");
    if (bogus_ > 0) {
      std::string w = formatCount(bogus_) +
                      " object records are the heap bitmap at the end of small spans (a Go ≥ 1.22 runtime bug), "
                      "not objects; they were excluded";
      if (s_.memStats) {
        uint64_t heapObjects = (*s_.memStats)[kMemStatsHeapObjects];
        w += "; object records − MemStats.HeapObjects = " +
             formatSignedCount(static_cast<int64_t>(objectRecords_) - static_cast<int64_t>(heapObjects));
      }
      d.warnings.push_back(w);
    }
    if (s_.orphanFrames > 0)
      d.warnings.push_back(formatCount(s_.orphanFrames) + " stack frame records come before any goroutine record");
    if (s_.buckets.empty() && samples == 0) {
      d.attributionProblem =
          "This dump has no memory-profile records, so live objects cannot be attributed to source lines. Set "
          "runtime.MemProfileRate = 1 as the first statement of main (or run with GODEBUG=memprofilerate=1 on "
          "Go ≥ 1.20 when the binary links runtime/pprof or calls runtime.MemProfile), then take the dump again.";
    } else if (modelObjects_ > 0) {
      double share = static_cast<double>(attributedObjects_) / static_cast<double>(modelObjects_);
      if (share < 0.5)
        d.warnings.push_back("only " + formatCount(attributedObjects_) + " of " + formatCount(modelObjects_) +
                             " objects (" + formatPercent(share) +
                             ") have an alloc sample, so source-line figures cover only that share; set "
                             "runtime.MemProfileRate = 1 as the first statement of main to attribute every object");
    }
    if (samplesUnmatched_ > 0)
      d.warnings.push_back(formatCount(samplesUnmatched_) + " alloc samples point at no dumped object");
    if (samplesUnknownBucket_ > 0)
      d.warnings.push_back(formatCount(samplesUnknownBucket_) +
                           " alloc samples name a memory-profile bucket that is not in the dump");
  }

  // The executable, when it is the build that wrote the dump (exe/GoExeNaming.h); else a warning.
  void useExecutable() {
    if (!exeIn_.openError.empty()) {
      exeWarnings_.push_back(exeIn_.openError + "; the dump is shown without the executable's names");
      return;
    }
    if (!exeIn_.exe) return;
    std::vector<std::string> problems;
    if (exeIn_.exe->isPie())
      if (std::string p = applyLoadBias(s_, *exeIn_.exe); !p.empty()) problems.push_back(std::move(p));
    if (problems.empty()) problems = sameBuildProblems(s_, *exeIn_.exe);
    if (!problems.empty()) {
      std::string w = "the executable " + exeIn_.path + " did not write this dump, so it was not used: ";
      for (size_t i = 0; i < problems.size(); ++i) w += (i ? "; " : "") + problems[i];
      exeWarnings_.push_back(w);
      return;
    }
    for (std::string& gap : executableGaps(*exeIn_.exe)) exeWarnings_.push_back(std::move(gap));
    pclntabProblemAtCheck_ = exeIn_.exe->pclntabProblem();
    names_.emplace(*exeIn_.exe);
  }

  GoScan& s_;
  const TaskContext& ctx_;
  const GoExeInput& exeIn_;
  std::optional<GoExeNaming> names_;
  std::optional<GoTyping> typing_;
  uint64_t typedObjects_ = 0, typedBytes_ = 0;
  std::unordered_map<uint64_t, TypeId> typedTypes_;
  std::unordered_map<const std::string*, StringId> labelIds_;
  std::vector<std::string> exeWarnings_;
  std::string pclntabProblemAtCheck_;  // already in exeWarnings_
  std::vector<GoGlobalRun> globalRuns_;
  std::vector<uint64_t> globalRunSegment_;  // segment index of each run
  uint64_t namedGlobals_ = 0, namedFrameWords_ = 0, framesWithLines_ = 0;
  GraphBuilder b_;
  std::vector<RootNode> roots_;
  std::vector<uint32_t> objectBucket_;  // per sorted object: index into s_.buckets, from alloc samples
  std::unordered_map<uint64_t, TypeId> sizeTypes_;
  uint64_t objectRecords_ = 0, bogus_ = 0, modelObjects_ = 0, modelBytes_ = 0, attributedObjects_ = 0;
  uint64_t samplesAtHeader_ = 0, samplesUnmatched_ = 0, samplesUnknownBucket_ = 0;
  uint64_t unresolved_ = 0, unresolvedRoot_ = 0, rootEdges_ = 0, headerTyped_ = 0;
};

}  // namespace

std::unique_ptr<Dump> buildGoDump(GoScan&& scan, const TaskContext& ctx, const GoExeInput& exe) {
  GoScan s = std::move(scan);
  Builder builder(s, ctx, exe);
  return builder.run();
}

}  // namespace heaplens::go
