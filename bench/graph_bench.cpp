// graph_bench: build, dominators, retained sizes and top-100 sites on synthetic heap-like graphs.
//
// The graphs imitate a managed heap: a spanning tree (each object held by an
// older one), 1.5 extra cross references per node, 1,000 roots, 2,000 types
// and 10,000 allocation sites of 3-8 frames. Two shapes: "heap" gives
// allocation locality as real heaps have it (90% of holders and half of the
// cross references within the 4,096 objects allocated just before; the rest
// anywhere), "random" draws every holder and target uniformly from the whole
// graph, the worst case for caches. 2.5 edges per node in all, as in the targets
// (10 M nodes / 25 M edges through dominators and retained sizes in < 3 s;
// the model at most 24 B per node + 8 B per edge). The counters report what
// the model really holds: node columns per node, edge columns per edge, and
// everything (strings and sites included) per node.
//
// Threading: the dominator computation uses the calling thread and one helper
// (the machine the targets are set for has two cores); the rest is single-threaded.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>

#include "analysis/Aggregate.h"
#include "analysis/Dominators.h"
#include "analysis/Dump.h"
#include "analysis/GraphBuilder.h"
#include "analysis/MemoryAdvice.h"

namespace {

using namespace heaplens;

struct Input {
  uint32_t nodes = 0;
  std::vector<uint32_t> parent;        // tree parent of node i (1-based); 0 for roots
  std::vector<uint32_t> cross;         // extra targets, grouped by source
  std::vector<uint32_t> crossFirst;    // per node, into cross
  std::vector<uint32_t> sizes, types, sites;
};

// Graph sizes are passed as n; a negative n asks for the uniformly random shape.
const Input& input(int64_t arg) {
  static std::map<int64_t, std::unique_ptr<Input>> cache;
  auto& slot = cache[arg];
  if (slot) return *slot;
  slot = std::make_unique<Input>();
  Input& in = *slot;
  const bool random = arg < 0;
  const uint32_t n = static_cast<uint32_t>(random ? -arg : arg);
  std::mt19937_64 rng(42 + n);
  constexpr uint32_t kWindow = 4096;
  auto near = [&](uint32_t i) { return i > kWindow + 1 ? i - 1 - static_cast<uint32_t>(rng() % kWindow) : 1 + static_cast<uint32_t>(rng() % (i - 1)); };
  in.nodes = n;
  in.parent.resize(n + 1);
  in.sizes.resize(n + 1);
  in.types.resize(n + 1);
  in.sites.resize(n + 1);
  in.crossFirst.resize(n + 2);
  in.cross.reserve(n + n / 2 + 16);
  for (uint32_t i = 1; i <= n; ++i) {
    if (i <= 1000) {
      in.parent[i] = 0;
    } else if (random || rng() % 10 == 0) {
      in.parent[i] = 1 + static_cast<uint32_t>(rng() % (i - 1));
    } else {
      in.parent[i] = near(i);
    }
    in.sizes[i] = 16u << (rng() % 5);
    in.types[i] = 1 + static_cast<uint32_t>(rng() % 2000);
    in.sites[i] = static_cast<uint32_t>(rng() % 10000);
    in.crossFirst[i] = static_cast<uint32_t>(in.cross.size());
    // 1.5 cross edges per node on average.
    const int extra = 1 + static_cast<int>(rng() % 2);
    for (int k = 0; k < extra; ++k)
      in.cross.push_back(!random && i > 1 && rng() % 2 == 0 ? near(i) : 1 + static_cast<uint32_t>(rng() % n));
  }
  in.crossFirst[n + 1] = static_cast<uint32_t>(in.cross.size());
  return in;
}

HeapGraph build(const Input& in) {
  GraphBuilder b;
  std::mt19937 rng(7);
  b.reserve(in.nodes + 1, static_cast<uint64_t>(in.nodes) + in.cross.size());
  auto numbered = [](const char* prefix, int i, const char* suffix = "") {
    return std::string(prefix).append(std::to_string(i)).append(suffix);
  };
  for (int t = 1; t <= 2000; ++t) b.addType(numbered("T", t));
  std::vector<LocationId> locs;
  for (int l = 0; l < 5000; ++l) locs.push_back(b.addLocation(numbered("f", l), numbered("file", l % 300, ".go"), 1 + l % 400));
  for (int s = 0; s < 10000; ++s) {
    std::vector<LocationId> frames(3 + rng() % 6);
    for (auto& f : frames) f = locs[rng() % locs.size()];
    b.addSite(frames);
  }
  for (uint32_t i = 1; i <= in.nodes; ++i) b.addNode(NodeKind::Object, in.sizes[i], in.types[i], in.sites[i]);
  for (uint32_t i = 1; i <= 1000 && i <= in.nodes; ++i) b.addRoot(i, "root");
  // Children lists in source order: tree edges by parent, then cross edges.
  std::vector<uint32_t> childFirst(in.nodes + 2, 0), children(in.nodes);
  for (uint32_t i = 1; i <= in.nodes; ++i)
    if (in.parent[i]) ++childFirst[in.parent[i] + 1];
  for (uint32_t i = 1; i <= in.nodes + 1; ++i) childFirst[i] += childFirst[i - 1];
  std::vector<uint32_t> cursor(childFirst.begin(), childFirst.end() - 1);
  for (uint32_t i = 1; i <= in.nodes; ++i)
    if (in.parent[i]) children[cursor[in.parent[i]]++] = i;
  for (uint32_t u = 1; u <= in.nodes; ++u) {
    for (uint32_t k = childFirst[u]; k < childFirst[u + 1]; ++k) b.addEdge(u, children[k], EdgeLabel::index(k - childFirst[u]));
    for (uint32_t k = in.crossFirst[u]; k < in.crossFirst[u + 1]; ++k) b.addEdge(u, in.cross[k]);
  }
  return b.finish();
}

const HeapGraph& graph(int64_t arg) {
  static std::map<int64_t, std::unique_ptr<HeapGraph>> cache;
  auto& slot = cache[arg];
  if (!slot) slot = std::make_unique<HeapGraph>(build(input(arg)));
  return *slot;
}

void memoryCounters(benchmark::State& state, const HeapGraph& g) {
  auto cap = [](const auto& v) { return static_cast<double>(v.capacity() * sizeof(v[0])); };
  const double nodeBytes = cap(g.selfSize) + cap(g.externalSize) + cap(g.type) + cap(g.site) + cap(g.kindAndFlags) +
                           cap(g.address) + cap(g.firstEdge);
  const double edgeBytes = cap(g.edgeTarget) + cap(g.edgeLabel);
  state.counters["nodes"] = g.nodeCount();
  state.counters["edges"] = g.edgeCount();
  state.counters["bytesPerNode"] = nodeBytes / g.nodeCount();
  state.counters["bytesPerEdge"] = edgeBytes / g.edgeCount();
  state.counters["modelBytesPerNode"] = static_cast<double>(g.memoryBytes()) / g.nodeCount();
  state.counters["modelMiB"] = static_cast<double>(g.memoryBytes()) / (1024.0 * 1024.0);
}

void BM_Build(benchmark::State& state) {
  const Input& in = input(state.range(0));
  for (auto _ : state) {
    HeapGraph g = build(in);
    benchmark::DoNotOptimize(g.edgeTarget.data());
    state.PauseTiming();
    memoryCounters(state, g);
    g = HeapGraph{};
    state.ResumeTiming();
  }
}

void BM_Dominators(benchmark::State& state) {
  const HeapGraph& g = graph(state.range(0));
  for (auto _ : state) {
    auto idom = computeDominators(g);
    benchmark::DoNotOptimize(idom.data());
  }
  memoryCounters(state, g);
}

void BM_Retained(benchmark::State& state) {
  const HeapGraph& g = graph(state.range(0));
  const auto idom = computeDominators(g);
  for (auto _ : state) {
    auto retained = computeRetainedSizes(g, idom);
    benchmark::DoNotOptimize(retained.data());
  }
}

// The target: dominators plus retained sizes together.
void BM_DominatorsAndRetained(benchmark::State& state) {
  const HeapGraph& g = graph(state.range(0));
  for (auto _ : state) {
    auto result = computeDominatorsAndRetained(g);
    benchmark::DoNotOptimize(result.retained.data());
  }
  memoryCounters(state, g);
}

void BM_Top100Sites(benchmark::State& state) {
  const HeapGraph& g = graph(state.range(0));
  static std::map<int64_t, std::unique_ptr<Dump>> dumps;
  auto& d = dumps[state.range(0)];
  if (!d) {
    d = std::make_unique<Dump>();
    d->setGraph(g);  // a copy; the dump owns its graph
    finishDump(*d);
  }
  for (auto _ : state) {
    auto sites = aggregateBySite(*d->heap);
    auto top = topN(std::span<const SiteAggregate>(sites), 100, [](const SiteAggregate& s) { return s.stats.retainedBytes; });
    benchmark::DoNotOptimize(top.data());
  }
}

// Reference for the machine's state during the run: one dependent random read after another over
// 80 MB (huge-page advised, like the dominator arrays). The search in computeDominators waits for
// about one of these per node, so ns/read times 10 M bounds what the 10 M-node search can do.
void BM_MemoryLatencyReference(benchmark::State& state) {
  constexpr uint32_t kWords = 20'000'000, kSteps = 10'000'000;
  static std::vector<uint32_t> next = [] {
    std::vector<uint32_t> order(kWords), v;
    reserveHuge(v, kWords);
    v.resize(kWords);
    for (uint32_t i = 0; i < kWords; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(11));
    for (uint32_t i = 0; i < kWords; ++i) v[order[i]] = order[(i + 1) % kWords];
    return v;
  }();
  for (auto _ : state) {
    uint32_t x = 0;
    for (uint32_t i = 0; i < kSteps; ++i) x = next[x];
    benchmark::DoNotOptimize(x);
  }
  state.counters["nsPerDependentRead"] =
      benchmark::Counter(static_cast<double>(kSteps) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

constexpr int64_t k1M = 1'000'000;
constexpr int64_t k10M = 10'000'000;

// Positive arguments: the heap-shaped graph; negative: the uniformly random one.
BENCHMARK(BM_MemoryLatencyReference)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Build)->Arg(k1M)->Arg(k10M)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Dominators)->Arg(k1M)->Arg(k10M)->Arg(-k1M)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Retained)->Arg(k1M)->Arg(k10M)->Unit(benchmark::kMillisecond)->Iterations(3);
// The target. Five single runs each, reported as mean, median, standard deviation and
// spread: on a shared virtual machine one run can take 20% longer than the next, and the first run
// in a process also pays for fresh pages (about 1 s per GiB here).
BENCHMARK(BM_DominatorsAndRetained)
    ->Arg(k1M)
    ->Arg(k10M)
    ->Arg(-k1M)
    ->Arg(-k10M)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(5)
    ->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); })
    ->ComputeStatistics("max", [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); })
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Top100Sites)->Arg(k1M)->Arg(k10M)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
