// Dominators: Semi-NCA immediate dominators and retained sizes, without recursion.
//
// The algorithm is the Semi-NCA variant of Lengauer-Tarjan: semidominators
// computed as in T. Lengauer and R. E. Tarjan, "A Fast Algorithm for Finding
// Dominators in a Flowgraph", ACM TOPLAS 1(1):121-141, 1979, with their
// simple LINK and path-compressing EVAL, then immediate dominators found as
// nearest common ancestors in the growing tree, as in L. Georgiadis,
// "Linear-Time Algorithms for Dominators and Related Problems", PhD thesis,
// Princeton, 2005 (section 3.3.2). The DFS and the path compression use
// explicit stacks, so a 10-million-node chain needs heap memory, not stack.
// Only essential edges are followed (EdgeRules.h): weak ones never.
//
// Heap graphs are big and their edges point anywhere, so the time goes to
// waiting on memory, and memory is what bounds the size of heap a machine can
// open (a 5 M-node V8 snapshot: a 306 MB model, and this call's scratch on top
// of it). So:
//  - Nothing is copied out of the graph: the search and the predecessor lists
//    read its own CSR. Every pass that reads or writes at random with
//    independent addresses prefetches a few dozen items ahead.
//  - Predecessor lists are built after the search, by preorder number, and
//    hold only predecessors numbered above their target: one numbered below
//    is not processed yet when its target is, so it stands for itself, and
//    only the least of those (and the DFS parent) is kept, as the starting
//    value of the target's semidominator.
//  - Arrays are freed the moment they are dead, and the node id of each
//    preorder number (4 bytes per node) is not kept through the
//    semidominators, the peak: a second search gives it at the end.
//  - The link-eval forest links simply (ancestor and label, 8 bytes a node)
//    and compresses paths, rather than Lengauer and Tarjan's size-balanced
//    linking (16 bytes a node). Balanced linking took ~2.4 million steps up
//    the forest against ~85 million on a synthetic 10-million-node graph, but
//    on the real 5 M-node V8 and 4.5 M-node Go dumps of bench/ the two took
//    the same CPU time within the noise, and simple linking 40 MB less memory
//    at the peak.
//  - Retained sizes are summed straight into the output, which starts as each
//    node's own size, in one backward sweep over preorder.
//
// Threading: pure functions; at most one helper thread per call, started once,
// given one task at a time and joined before returning (also on cancellation
// or error). Both threads poll ctx. If the thread cannot be started, the whole
// call runs on the calling thread, as it does for small graphs.
#include "analysis/Dominators.h"

#include <sys/mman.h>

#include "analysis/EdgeRules.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "analysis/MemoryAdvice.h"

namespace heaplens {

namespace {

constexpr uint32_t kUnreached = 0xFFFFFFFFu;
constexpr const char* kPhase = "Computing dominators";

// An uninitialised array: pages are touched by whoever writes them first. Mapped on its own and
// unmapped by reset(), so a dead array's pages go back at once: from malloc, arrays of up to 32 MiB
// come from its heap once a bigger block has been freed, and a freed one in the middle of the heap
// stays resident, adding to the peak of every step after it.
template <typename T>
class RawArray {
public:
  RawArray() = default;
  // An empty array still has a place for one element: code that takes &a[i] of an empty range (a
  // prefetch, a CSR with no entries) then binds no reference to null.
  explicit RawArray(size_t n) : size_(n) {
    void* p = ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
    adviseHugePages(data_, bytes());
  }
  RawArray(const RawArray&) = delete;
  RawArray& operator=(const RawArray&) = delete;
  ~RawArray() { reset(); }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* data() { return data_; }
  size_t size() const { return size_; }
  void reset() {
    if (data_) ::munmap(data_, bytes());
    data_ = nullptr;
    size_ = 0;
  }

private:
  size_t bytes() const { return std::max<size_t>(size_, 1) * sizeof(T); }
  T* data_ = nullptr;
  size_t size_ = 0;
};

// The call's one helper thread, started once and given one task at a time.
// If it cannot be started (a thread limit), running() is false and every step
// runs on the calling thread instead.
class Helper {
public:
  explicit Helper(bool wanted) {
    if (!wanted) return;
    try {
      thread_ = std::thread([this] { loop(); });
    } catch (const std::system_error&) {
    }
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;
  ~Helper() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  bool running() const { return thread_.joinable(); }
  // Hands fn to the helper; the previous task must have been waited for.
  void start(std::function<void()> fn) {
    {
      std::lock_guard lock(mutex_);
      task_ = std::move(fn);
      done_ = false;
      error_ = nullptr;
    }
    wake_.notify_all();
  }
  // Waits for the task, then rethrows what it threw.
  void wait() {
    std::unique_lock lock(mutex_);
    finished_.wait(lock, [&] { return done_; });
    if (std::exception_ptr e = std::exchange(error_, nullptr)) std::rethrow_exception(e);
  }

private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return quit_ || task_; });
      if (!task_) return;
      std::function<void()> fn = std::move(task_);
      task_ = nullptr;
      lock.unlock();
      std::exception_ptr error;
      try {
        fn();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      error_ = error;
      done_ = true;
      finished_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  std::function<void()> task_;
  bool done_ = true, quit_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

// Runs fn(lo, hi) over [0, n): halves on this thread and on the helper, if there is one.
template <typename Fn>
void splitInTwo(size_t n, Helper* helper, Fn&& fn) {
  if (!helper || n < 2) {
    fn(size_t{0}, n);
    return;
  }
  const size_t mid = n / 2;
  helper->start([&] { fn(size_t{0}, mid); });
  try {
    fn(mid, n);
  } catch (...) {
    try {
      helper->wait();
    } catch (...) {
    }
    throw;
  }
  helper->wait();
}

// A task for the helper, started at once if there is one, else run inline by finish().
// Destroying an unfinished task asks it to stop and waits for it.
class BackgroundTask {
public:
  using Fn = std::function<void(const std::atomic<bool>& stop)>;
  BackgroundTask(Helper* helper, Fn fn) : fn_(std::move(fn)), helper_(helper) {
    if (helper_) helper_->start([this] { fn_(stop_); });
  }
  BackgroundTask(const BackgroundTask&) = delete;
  BackgroundTask& operator=(const BackgroundTask&) = delete;
  ~BackgroundTask() {
    stop_ = true;
    if (helper_) {
      try {
        helper_->wait();
      } catch (...) {
      }
    }
  }
  void finish() {
    if (helper_) {
      Helper* h = std::exchange(helper_, nullptr);
      h->wait();
    } else if (fn_) {
      fn_(stop_);
    }
    fn_ = nullptr;
  }

private:
  Fn fn_;
  Helper* helper_;
  std::atomic<bool> stop_{false};
};

// The depth-first search from the super-root over essential edges, the same every time it runs (the
// call runs it twice: once for the DFS parents, once at the end for the preorder's node ids). The
// stack holds candidates, {parent's number, node}, pushed when the parent is entered (only targets
// not seen then), last target first so the first is taken first; a candidate seen by the time it is
// popped is dropped. That is the recursive search's order, but a parent's edges are never read
// again after it is entered. `number` (by node id, all kUnreached on entry) gets each reached node's
// preorder number; onEnter(number, node, parentNumber) is called for each. Returns how many were
// reached.
template <typename OnEnter>
uint32_t depthFirst(const HeapGraph& g, uint32_t* number, const TaskContext& ctx, double progressFrom,
                    double progressWidth, OnEnter&& onEnter) {
  const uint32_t n = g.nodeCount();
  const EdgeIndex* first = g.firstEdge.data();
  const NodeId* target = g.edgeTarget.data();
  const uint8_t* kinds = g.edgeKinds.empty() ? nullptr : g.edgeKinds.data();
  struct Candidate {
    uint32_t parent;
    NodeId node;
  };
  RawArray<Candidate> stack(static_cast<size_t>(g.edgeCount()) + 1);  // address space; pages are touched as it grows
  size_t sp = 0;
  auto enter = [&](NodeId u, uint32_t num, uint32_t parent) {
    number[u] = num;
    onEnter(num, u, parent);
    const EdgeIndex e0 = first[u];
    for (EdgeIndex e = first[u + 1]; e-- > e0;) {
      const NodeId t = target[e];
      if (number[t] == kUnreached && (kinds == nullptr || isEssentialEdge(kinds[e], u))) {
        __builtin_prefetch(&first[t]);
        stack[sp++] = {num, t};
      }
    }
    // Most entries go straight down to the candidate on top: start loading its edges now.
    if (sp > 0) {
      const NodeId next = stack[sp - 1].node;
      __builtin_prefetch(&target[first[next]]);
      if (kinds) __builtin_prefetch(&kinds[first[next]]);
    }
  };
  enter(kSuperRoot, 0, 0);
  uint32_t reached = 1;
  while (sp > 0) {
    const Candidate c = stack[--sp];
    if (number[c.node] != kUnreached) continue;
    const uint32_t num = reached++;
    if ((num & kPollMask) == 0) {
      ctx.checkCancelled();
      ctx.report(kPhase, progressFrom + progressWidth * static_cast<double>(num) / n);
    }
    enter(c.node, num, c.parent);
  }
  return reached;
}

// Memory is what limits this on big heaps (a 5 M-node V8 snapshot: a 306 MB model), so the steps
// hold as little at once as they can, and an array is freed the moment it is dead:
//  1. The search, recording number (by id) and parent (by preorder number).
//  2. Predecessors by preorder number, from the graph's own edges and `number`: a predecessor v of w
//     numbered below w is not processed yet when w is, so it counts as itself; only the least of
//     those and parent(w) is kept (as semi[w]'s starting value). The others (v > w) go into a CSR.
//     `number` is then freed.
//  3. Semidominators in reverse preorder with a link-eval forest (simple linking, compressed paths).
//     The CSR is read in order, so its lists are prefetched a few nodes ahead.
//  4. Nearest common ancestors, in place of the parents: immediate dominators by preorder number.
//  5. The search again, for the node id of each preorder number (not kept through step 3, where
//     it would have been 4 bytes per node more at the peak), then the outputs by node id.
DominatorResult run(const HeapGraph& g, bool withRetained, const detail::DominatorOptions& options,
                    const TaskContext& ctx) {
  Helper helperThread(g.nodeCount() >= options.parallelMinNodes && !options.helperThreadFails);
  Helper* const helper = helperThread.running() ? &helperThread : nullptr;
  const uint32_t n = g.nodeCount();
  const uint32_t m = g.edgeCount();
  const EdgeIndex* first = g.firstEdge.data();
  const NodeId* target = g.edgeTarget.data();
  const uint8_t* kinds = g.edgeKinds.empty() ? nullptr : g.edgeKinds.data();
  DominatorResult out;
  ctx.report(kPhase, 0.0);

  // 1. The search.
  RawArray<uint32_t> number(n);
  splitInTwo(n, helper, [&](size_t lo, size_t hi) { std::fill(number.data() + lo, number.data() + hi, kUnreached); });
  RawArray<uint32_t> parent(n);  // by preorder number; becomes idom
  const uint32_t reached = depthFirst(g, number.data(), ctx, 0.0, 0.3,
                                      [&](uint32_t num, NodeId, uint32_t p) { parent[num] = p; });

  // 2. Predecessors. Two passes over the edges of reached nodes, read in order; the random reads
  //    (number[target]) and writes (by the target's number) are prefetched a few dozen edges ahead.
  //    While this thread counts the lists, the helper finds each node's least lower predecessor.
  RawArray<uint32_t> semi(reached);
  RawArray<uint32_t> revFirst(static_cast<size_t>(reached) + 1);
  {
    auto sources = [&](size_t lo, size_t hi, auto&& onEdge) {
      for (size_t u = lo; u < hi; ++u) {
        if ((u & kPollMask) == 0) ctx.checkCancelled();
        const uint32_t pu = number[u];
        if (pu == kUnreached) continue;
        for (EdgeIndex e = first[u], end = first[u + 1]; e < end; ++e) {
          if (e + 32 < m) __builtin_prefetch(&number[target[e + 32]]);
          const NodeId t = target[e];
          if (t == u || (kinds && !isEssentialEdge(kinds[e], static_cast<NodeId>(u)))) continue;
          onEdge(pu, number[t], e);
        }
      }
    };
    std::fill(revFirst.data(), revFirst.data() + reached + 1, 0u);
    BackgroundTask lower(helper, [&](const std::atomic<bool>&) {
      semi[0] = 0;
      for (uint32_t w = 1; w < reached; ++w) semi[w] = parent[w];
      sources(0, n, [&](uint32_t pu, uint32_t pt, EdgeIndex e) {
        if (e + 16 < m) {
          const uint32_t ahead = number[target[e + 16]];
          if (ahead != kUnreached) __builtin_prefetch(&semi[ahead], 1);
        }
        if (pu < pt && pu < semi[pt]) semi[pt] = pu;
      });
    });
    sources(0, n, [&](uint32_t pu, uint32_t pt, EdgeIndex e) {
      if (e + 16 < m) {
        const uint32_t ahead = number[target[e + 16]];
        if (ahead != kUnreached) __builtin_prefetch(&revFirst[ahead + 1], 1);
      }
      if (pu > pt) ++revFirst[pt + 1];
    });
    lower.finish();
    for (uint32_t w = 0; w < reached; ++w) revFirst[w + 1] += revFirst[w];
    RawArray<uint32_t> rev(revFirst[reached]);
    sources(0, n, [&](uint32_t pu, uint32_t pt, EdgeIndex e) {
      if (e + 16 < m) {
        const uint32_t ahead = number[target[e + 16]];
        if (ahead != kUnreached) __builtin_prefetch(&rev[revFirst[ahead]], 1);
      }
      if (pu > pt) rev[revFirst[pt]++] = pu;
    });
    for (uint32_t w = reached; w > 0; --w) revFirst[w] = revFirst[w - 1];
    revFirst[0] = 0;
    number.reset();
    ctx.report(kPhase, 0.5);

    // 3. Semidominators in reverse preorder, with a link-eval forest over indices number+1 (0 is
    //    the null vertex): LINK(v, w) makes v w's ancestor; EVAL compresses the path it climbs. Semi-NCA needs only the smallest
    //    semidominator on a path, so `label` holds that value directly, not the vertex carrying it.
    struct Link {
      uint32_t ancestor, label;
    };
    const size_t N = static_cast<size_t>(reached) + 1;
    RawArray<Link> link(N);
    splitInTwo(N, helper, [&](size_t lo, size_t hi) {
      for (size_t i = lo; i < hi; ++i) link[i] = {0, i ? static_cast<uint32_t>(i - 1) : 0u};
    });
    std::vector<uint32_t> path;
    auto eval = [&](uint32_t v) -> uint32_t {
      if (link[v].ancestor == 0) return link[v].label;
      if (link[link[v].ancestor].ancestor != 0) {
        uint32_t x = v;
        while (link[link[x].ancestor].ancestor != 0) {
          path.push_back(x);
          x = link[x].ancestor;
        }
        while (!path.empty()) {
          const uint32_t y = path.back();
          path.pop_back();
          const uint32_t a = link[y].ancestor;
          if (link[a].label < link[y].label) link[y].label = link[a].label;
          link[y].ancestor = link[a].ancestor;
        }
      }
      return std::min(link[link[v].ancestor].label, link[v].label);
    };
    for (uint32_t w = reached - 1; w >= 1; --w) {
      if ((w & kPollMask) == 0) {
        ctx.checkCancelled();
        ctx.report(kPhase, 0.5 + 0.35 * static_cast<double>(reached - w) / reached);
      }
      // The forest is read at random: start the loads a few iterations early.
      if (w > 6)
        for (uint32_t k = revFirst[w - 6]; k < revFirst[w - 5]; ++k) __builtin_prefetch(&link[rev[k] + 1]);
      if (w > 3)
        for (uint32_t k = revFirst[w - 3]; k < revFirst[w - 2]; ++k)
          __builtin_prefetch(&link[link[rev[k] + 1].ancestor]);
      uint32_t s = semi[w];  // the least of parent(w) and the predecessors numbered below w
      for (uint32_t k = revFirst[w]; k < revFirst[w + 1] && s != 0; ++k) s = std::min(s, eval(rev[k] + 1));
      semi[w] = s;
      // LINK(parent(w), w).
      link[w + 1] = {parent[w] + 1, s};
    }
  }
  revFirst.reset();

  // 4. Nearest common ancestors: idom(w) is the deepest ancestor of parent(w) in the dominator tree
  //    built so far whose number is <= semi(w).
  RawArray<uint32_t>& idom = parent;  // reuse: starts as the DFS parent
  for (uint32_t w = 1; w < reached; ++w) {
    if ((w & kPollMask) == 0) ctx.checkCancelled();
    uint32_t x = idom[w];
    while (x > semi[w]) x = idom[x];
    idom[w] = x;
  }
  semi.reset();
  ctx.report(kPhase, 0.9);

  // 5. The node id of each preorder number, by the same search.
  RawArray<uint32_t> vertex(reached);
  {
    RawArray<uint32_t> again(n);
    splitInTwo(n, helper, [&](size_t lo, size_t hi) { std::fill(again.data() + lo, again.data() + hi, kUnreached); });
    const uint32_t reachedAgain =
        depthFirst(g, again.data(), ctx, 0.9, 0.05, [&](uint32_t num, NodeId u, uint32_t) { vertex[num] = u; });
    if (reachedAgain != reached) throw std::logic_error("dominators: the second search reached other nodes");
  }
  ctx.report(kPhase, 0.95);

  // The outputs, by node id. idom(w) < w in preorder, so one backward sweep adds every node into
  // its immediate dominator and sums every subtree; out.retained starts as each node's own size.
  // The helper writes out.idom meanwhile.
  BackgroundTask idomOut(helper, [&](const std::atomic<bool>&) {
    out.idom = hugeVector<NodeId>(n, kNoNode);
    for (uint32_t w = 1; w < reached; ++w) out.idom[vertex[w]] = vertex[idom[w]];
  });
  if (withRetained) {
    reserveHuge(out.retained, n);
    out.retained.resize(n);
    for (NodeId u = 0; u < n; ++u) {
      if ((u & kPollMask) == 0) ctx.checkCancelled();
      out.retained[u] = g.shallowSize(u);  // what unreached nodes keep
    }
    uint64_t* retained = out.retained.data();
    for (uint32_t w = reached - 1; w >= 1; --w) {
      if (w > 16) {
        __builtin_prefetch(&retained[vertex[w - 16]]);
        __builtin_prefetch(&vertex[idom[w - 16]]);
      }
      if (w > 8) __builtin_prefetch(&retained[vertex[idom[w - 8]]]);
      retained[vertex[idom[w]]] += retained[vertex[w]];
    }
  }
  idomOut.finish();
  ctx.report(kPhase, 1.0);
  return out;
}

}  // namespace

namespace detail {

DominatorResult computeDominators(const HeapGraph& g, bool withRetained, const DominatorOptions& options,
                                  const TaskContext& ctx) {
  if (g.nodeCount() == 0) return {};
  return run(g, withRetained, options, ctx);
}

}  // namespace detail

std::vector<NodeId> computeDominators(const HeapGraph& g, const TaskContext& ctx) {
  return detail::computeDominators(g, false, {}, ctx).idom;
}

DominatorResult computeDominatorsAndRetained(const HeapGraph& g, const TaskContext& ctx) {
  return detail::computeDominators(g, true, {}, ctx);
}

DominatorTree buildDominatorTree(std::span<const NodeId> idom) {
  // Depth-first preorder without a depth-first walk (a walk waits on dependent cache misses at every
  // node) and without child lists: nodes sorted by depth, then subtree sizes summed backwards over
  // that order and positions handed out forwards, each node taking the next free position of its
  // immediate dominator. Siblings come in increasing id (the sort by depth is stable), which is
  // the order a walk over children listed by id gives. At most three arrays of a node each at once.
  DominatorTree t;
  const size_t n = idom.size();
  if (n == 0) return t;
  constexpr uint32_t kUnknown = 0xFFFFFFFEu, kOut = DominatorTree::kNotInTree;
  // Scratch arrays are mapped apart (RawArray), so they leave nothing resident behind them.
  RawArray<uint32_t> depth(n);
  std::fill(depth.data(), depth.data() + n, kUnknown);
  depth[kSuperRoot] = 0;
  uint32_t maxDepth = 0;
  {
    std::vector<NodeId> path;
    for (size_t v = 1; v < n; ++v) {
      if (v + 16 < n && idom[v + 16] < n) __builtin_prefetch(&depth[idom[v + 16]]);
      NodeId x = static_cast<NodeId>(v);
      // Up to the first node of known depth; a chain leaving the ids (kNoNode: unreachable) or
      // longer than the graph (not a tree) puts the nodes on it outside.
      while (depth[x] == kUnknown && path.size() <= n) {
        path.push_back(x);
        if (idom[x] >= n) break;
        x = idom[x];
      }
      uint32_t d = depth[x] == kUnknown ? kOut : depth[x];
      while (!path.empty()) {
        const NodeId y = path.back();
        path.pop_back();
        if (d != kOut) maxDepth = std::max(maxDepth, ++d);
        depth[y] = d;
      }
    }
  }
  // Nodes by depth, each depth in increasing id.
  RawArray<uint32_t> start(static_cast<size_t>(maxDepth) + 2);
  std::fill(start.data(), start.data() + start.size(), 0u);
  for (size_t v = 0; v < n; ++v)
    if (depth[v] != kOut) ++start[depth[v] + 1];
  for (size_t d = 0; d <= maxDepth; ++d) start[d + 1] += start[d];
  const size_t m = start[maxDepth + 1];
  RawArray<NodeId> order(m);
  std::vector<uint32_t> slot = hugeVector<uint32_t>(n, 1);  // subtree sizes, then next free positions
  for (size_t v = 0; v < n; ++v) {
    if (depth[v] == kOut) slot[v] = kOut;
    else order[start[depth[v]]++] = static_cast<NodeId>(v);
  }
  depth.reset();
  start.reset();
  for (size_t i = m; i-- > 1;) {
    if (i >= 16) __builtin_prefetch(&idom[order[i - 16]]);
    if (i >= 8) __builtin_prefetch(&slot[idom[order[i - 8]]], 1);
    slot[idom[order[i]]] += slot[order[i]];
  }
  t.preorder = hugeVector<NodeId>(m, kSuperRoot);
  slot[kSuperRoot] = 1;
  for (size_t i = 1; i < m; ++i) {
    if (i + 16 < m) __builtin_prefetch(&idom[order[i + 16]]);
    if (i + 8 < m) __builtin_prefetch(&slot[idom[order[i + 8]]], 1);
    const NodeId v = order[i];
    const uint32_t size = slot[v];
    const uint32_t pos = slot[idom[v]];
    slot[idom[v]] = pos + size;
    t.preorder[pos] = v;
    slot[v] = pos + 1;  // grows by each child's size: its subtree's end once every child is placed
  }
  order.reset();
  // slot[v] is now the end of v's subtree; it becomes v's position.
  t.subtreeEnd = hugeVector<uint32_t>(m, static_cast<uint32_t>(m));
  for (size_t i = 0; i < m; ++i) {
    if (i + 16 < m) __builtin_prefetch(&slot[t.preorder[i + 16]], 1);
    const NodeId v = t.preorder[i];
    t.subtreeEnd[i] = slot[v];
    slot[v] = static_cast<uint32_t>(i);
  }
  t.position = std::move(slot);
  return t;
}

void countSubtreeObjects(const HeapGraph& g, DominatorTree& t) {
  const size_t m = t.preorder.size();
  t.objectsBefore = hugeVector<uint32_t>(m + 1, 0);
  for (size_t i = 0; i < m; ++i) {
    if (i + 32 < m) __builtin_prefetch(&g.kindAndFlags[t.preorder[i + 32]]);
    t.objectsBefore[i + 1] = t.objectsBefore[i] + (g.kind(t.preorder[i]) == NodeKind::Object ? 1 : 0);
  }
}

std::vector<uint64_t> computeRetainedSizes(const HeapGraph& g, std::span<const NodeId> idom, const TaskContext& ctx) {
  const uint32_t n = g.nodeCount();
  std::vector<uint64_t> retained;
  reserveHuge(retained, n);
  retained.resize(n);
  for (uint32_t v = 0; v < n; ++v) retained[v] = g.shallowSize(v);
  if (n == 0 || idom.size() != n) return retained;
  constexpr const char* kPhase = "Computing retained sizes";
  ctx.report(kPhase, 0.0);
  // Every node comes after its immediate dominator in preorder: walking it backwards sums subtrees.
  DominatorTree tree = buildDominatorTree(idom);
  ctx.report(kPhase, 0.5);
  for (size_t i = tree.preorder.size(); i-- > 1;) {
    if ((i & kPollMask) == 0) ctx.checkCancelled();
    const NodeId v = tree.preorder[i];
    retained[idom[v]] += retained[v];
  }
  ctx.report(kPhase, 1.0);
  return retained;
}

UnreachableStats countUnreachable(const HeapGraph& g, std::span<const NodeId> idom) {
  UnreachableStats s;
  const uint32_t n = std::min<uint32_t>(g.nodeCount(), static_cast<uint32_t>(idom.size()));
  for (uint32_t v = 1; v < n; ++v) {
    if (idom[v] == kNoNode && g.kind(v) == NodeKind::Object) {
      ++s.nodes;
      s.bytes += g.shallowSize(v);
    }
  }
  return s;
}

}  // namespace heaplens
