// Dominators: Semi-NCA immediate dominators and retained sizes, without recursion.
//
// The algorithm is the Semi-NCA variant of Lengauer-Tarjan: semidominators
// computed as in T. Lengauer and R. E. Tarjan, "A Fast Algorithm for Finding
// Dominators in a Flowgraph", ACM TOPLAS 1(1):121-141, 1979, with their
// balanced ("sophisticated") LINK and EVAL, then immediate dominators found as
// nearest common ancestors in the growing tree, as in L. Georgiadis,
// "Linear-Time Algorithms for Dominators and Related Problems", PhD thesis,
// Princeton, 2005 (section 3.3.2). The DFS and the path compression use
// explicit stacks, so a 10-million-node chain needs heap memory, not stack.
// Only essential edges are followed (EdgeRules.h): weak ones never.
//
// Heap graphs are big and their edges point anywhere, so the time goes to
// waiting on memory, not to arithmetic. The layout follows from that:
//  - Before the search, every node becomes one "block" in a flat array:
//    [node id, edge count, hint, the block offset of each target]. Entering
//    a node then costs one cache miss instead of three (edge offsets,
//    targets, labels), and the blocks of a node's targets can be prefetched
//    the moment it is entered. Most entries go straight down to a child just
//    discovered, so the hint, the block two steps down the first-child chain,
//    is prefetched too (10M-node graph: search 1.8 s -> 1.55 s). A non-essential
//    edge points at block 0, the super-root, which is always already visited.
//    Once entered, the id word holds the preorder number with the top bit set.
//  - The search's stack holds the targets still to try, so a node's block is
//    read once, when it is entered, and never again on the way back up.
//  - Every pass that reads or writes at random with independent addresses
//    (building blocks and hints, counting and filling predecessor lists)
//    prefetches a few dozen items ahead: on a machine where one miss takes
//    160 ns, that alone halves those passes.
//  - While the search runs on the calling thread (it is one long chain of
//    dependent loads), a helper thread builds the predecessor lists by target
//    and fills the output arrays, so their page faults are not on the
//    critical path either. During the semidominator pass the helper streams
//    each node's predecessors, as preorder numbers, just ahead of the loop.
//  - Simple path compression took ~85 million steps up the forest on a
//    10-million-node heap-like graph, nearly all cache misses; Lengauer and
//    Tarjan's size-balanced linking takes ~2.4 million.
//  - Arrays that are dead are reused: the block array becomes the link-eval
//    forest. Retained sizes are summed straight into the output, which
//    starts as each node's own size, in one backward sweep over preorder.
//
// Threading: pure functions; at most one helper thread per call, started once,
// given one task at a time and joined before returning (also on cancellation
// or error). Both threads poll ctx. If the thread cannot be started, the whole
// call runs on the calling thread, as it does for small graphs.
#include "analysis/Dominators.h"

#include "analysis/EdgeRules.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <bit>
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
constexpr uint32_t kPollMask = 0xFFFF;  // poll cancellation every 64k iterations
constexpr const char* kPhase = "Computing dominators";
constexpr unsigned kHead = 3;  // words before a block's targets: id, edge count, hint

// An uninitialised array: pages are touched by whoever writes them first.
template <typename T>
class RawArray {
public:
  RawArray() = default;
  explicit RawArray(size_t n) : data_(n ? new T[n] : nullptr), size_(n) { adviseHugePages(data_.get(), n * sizeof(T)); }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* data() { return data_.get(); }
  size_t size() const { return size_; }
  void reset() { data_.reset(); size_ = 0; }

private:
  std::unique_ptr<T[]> data_;
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

// Off: the integer type of block offsets, 32 bits unless the graph is too large for them.
template <typename Off>
DominatorResult run(const HeapGraph& g, bool withRetained, const detail::DominatorOptions& options,
                    const TaskContext& ctx) {
  Helper helperThread(g.nodeCount() >= options.parallelMinNodes && !options.helperThreadFails);
  const bool parallel = helperThread.running();
  Helper* const helper = parallel ? &helperThread : nullptr;
  const uint32_t n = g.nodeCount();
  const uint32_t m = g.edgeCount();
  constexpr Off kEntered = Off{1} << (sizeof(Off) * 8 - 1);
  DominatorResult out;
  ctx.report(kPhase, 0.0);

  // 1. Blocks: [id, edge count, hint, target offsets...] at firstEdge[u] + 3u.
  //    The hint is the block two steps down the first-child chain, where the
  //    search is likely to be soon: it is prefetched on entry.
  const EdgeIndex* first = g.firstEdge.data();
  const NodeId* target = g.edgeTarget.data();
  // Edge kinds, when the format has any: non-essential edges (EdgeRules.h) are skipped.
  const uint8_t* kinds = g.edgeKinds.empty() ? nullptr : g.edgeKinds.data();
  auto essential = [kinds](EdgeIndex e, NodeId u) { return kinds == nullptr || isEssentialEdge(kinds[e], u); };
  auto blockOf = [&](NodeId u) { return static_cast<Off>(first[u]) + Off{kHead} * u; };
  const size_t total = static_cast<size_t>(m) + kHead * static_cast<size_t>(n);
  // The block array is reused for the link-eval forest (16 bytes per reached
  // node) once the search is done; size it for both. Pages beyond `total` are
  // only touched if the forest needs them.
  const size_t forestWords = (16 * (static_cast<size_t>(n) + 1) + sizeof(Off) - 1) / sizeof(Off);
  RawArray<Off> A(std::max(total, forestWords));
  RawArray<uint32_t> vertex(n), parent(n);  // by preorder number
  splitInTwo(n, helper, [&](size_t lo, size_t hi) {
    for (size_t u = lo; u < hi; ++u) {
      if ((u & kPollMask) == 0) ctx.checkCancelled();
      const Off o = blockOf(static_cast<NodeId>(u));
      const EdgeIndex e0 = first[u], e1 = first[u + 1];
      A[o] = static_cast<Off>(u);
      A[o + 1] = e1 - e0;
      Off k = o + kHead;
      for (EdgeIndex e = e0; e < e1; ++e) {
        // first[] is read at random: start the loads well before they are needed.
        if (e + 32 < m) __builtin_prefetch(&first[target[e + 32]]);
        A[k++] = essential(e, static_cast<NodeId>(u)) ? blockOf(target[e]) : Off{0};
      }
      vertex[u] = 0;  // touch the pages here, in parallel, rather than inside the search
      parent[u] = 0;
    }
  });
  auto firstChild = [&](Off o) {
    for (Off i = o + kHead, end = i + A[o + 1]; i < end; ++i)
      if (A[i] != 0 && A[i] != o) return A[i];
    return o;
  };
  splitInTwo(n, helper, [&](size_t lo, size_t hi) {
    for (size_t u = lo; u < hi; ++u) {
      if ((u & kPollMask) == 0) ctx.checkCancelled();
      const Off o = blockOf(static_cast<NodeId>(u));
      if (u + 16 < hi) __builtin_prefetch(&A[firstChild(blockOf(static_cast<NodeId>(u + 16)))]);
      A[o + 2] = firstChild(firstChild(o));
    }
  });
  ctx.report(kPhase, 0.1);

  // 2. In the background: predecessor lists by target id, holding source block
  //    offsets, strong non-self edges only.
  RawArray<uint32_t> revFirst(static_cast<size_t>(n) + 1);
  RawArray<Off> rev;
  BackgroundTask background(helper, [&](const std::atomic<bool>& stop) {
    auto poll = [&](size_t i) {
      if ((i & kPollMask) == 0 && (stop.load(std::memory_order_relaxed) || ctx.cancelled())) throw OperationCancelled();
    };
    std::fill(revFirst.data(), revFirst.data() + n + 1, 0u);
    // Both passes write at random: prefetching a few dozen edges ahead halves them.
    for (NodeId u = 0; u < n; ++u) {
      poll(u);
      for (EdgeIndex e = first[u], end = first[u + 1]; e < end; ++e) {
        if (e + 24 < m) __builtin_prefetch(&revFirst[target[e + 24] + 1], 1);
        if (target[e] != u && essential(e, u)) ++revFirst[target[e] + 1];
      }
    }
    for (NodeId i = 0; i < n; ++i) revFirst[i + 1] += revFirst[i];
    rev = RawArray<Off>(revFirst[n]);
    for (NodeId u = 0; u < n; ++u) {
      poll(u);
      const Off o = blockOf(u);
      for (EdgeIndex e = first[u], end = first[u + 1]; e < end; ++e) {
        if (e + 24 < m) {
          __builtin_prefetch(&revFirst[target[e + 24]], 1);
          __builtin_prefetch(&rev[revFirst[target[e + 12]]], 1);
        }
        if (target[e] != u && essential(e, u)) rev[revFirst[target[e]]++] = o;
      }
    }
    for (NodeId i = n; i > 0; --i) revFirst[i] = revFirst[i - 1];
    revFirst[0] = 0;
  });

  // 3. Depth-first search from the super-root over strong edges, on this thread.
  uint32_t reached = 0;
  {
    // The stack holds candidates, {parent's number, block}, pushed when the
    // parent is entered (only targets not seen then), last target first so
    // the first is taken first; a candidate seen by the time it is popped is
    // dropped. That is the recursive search's order, but a parent's block is
    // never read again after it is entered: returning from a deep subtree to
    // a parent entered long ago used to cost a cache miss per frame (10M-node
    // graph: search 1.45 s -> 1.25 s). Peak: 5.7 M candidates there.
    struct Candidate {
      uint32_t parent;
      Off block;
    };
    RawArray<Candidate> stack(static_cast<size_t>(m) + 1);  // address space; pages are touched as it grows
    size_t sp = 0;
    // Blocks are at least 3 words apart, so offset/2 identifies one.
    std::vector<uint64_t> seen(total / 128 + 1, 0);
    auto isSeen = [&](Off o) { return (seen[o >> 7] >> ((o >> 1) & 63)) & 1u; };
    auto enter = [&](Off o, uint32_t number) {
      seen[o >> 7] |= uint64_t{1} << ((o >> 1) & 63);
      vertex[number] = static_cast<uint32_t>(A[o]);
      A[o] = kEntered | number;
      __builtin_prefetch(&A[A[o + 2]]);
      const Off k = o + kHead;
      for (Off i = k + A[o + 1]; i-- > k;) {
        const Off c = A[i];
        if (!isSeen(c)) {
          __builtin_prefetch(&A[c]);
          stack[sp++] = {number, c};
        }
      }
    };
    parent[0] = 0;
    enter(0, 0);
    reached = 1;
    while (sp > 0) {
      const Candidate c = stack[--sp];
      if (isSeen(c.block)) continue;
      const uint32_t number = reached++;
      parent[number] = c.parent;
      if ((number & kPollMask) == 0) {
        ctx.checkCancelled();
        ctx.report(kPhase, 0.1 + 0.4 * static_cast<double>(number) / n);
      }
      enter(c.block, number);
    }
  }
  background.finish();

  // 4. Predecessors as preorder numbers, in place (kUnreached for unreached sources).
  splitInTwo(rev.size(), helper, [&](size_t lo, size_t hi) {
    for (size_t r = lo; r < hi; ++r) {
      if ((r & kPollMask) == 0) ctx.checkCancelled();
      if (r + 16 < hi) __builtin_prefetch(&A[rev[r + 16]]);
      const Off h = A[rev[r]];
      rev[r] = (h & kEntered) ? static_cast<Off>(h & ~kEntered) : Off{kUnreached};
    }
  });
  ctx.report(kPhase, 0.5);

  // 5. Semidominators in reverse preorder, with the balanced link-eval forest
  //    of Lengauer and Tarjan over indices number+1 (0 is their null vertex).
  //    Semi-NCA needs only the smallest semidominator on a path, so `label`
  //    holds that value directly, not the vertex carrying it. The forest lives
  //    in the block array, which is dead now.
  struct Link {
    uint32_t ancestor, label;
  };
  struct Child {
    uint32_t child, size;
  };
  const size_t N = static_cast<size_t>(reached) + 1;
  void* forest = A.data();  // big enough: see its allocation
  // The memory changes type here; the compiler barrier keeps stores of one
  // type from being moved past the other.
  asm volatile("" ::: "memory");
  Link* link = static_cast<Link*>(forest);
  Child* kids = reinterpret_cast<Child*>(link + N);
  splitInTwo(N, helper, [&](size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i) {
      link[i] = {0, i ? static_cast<uint32_t>(i - 1) : 0u};
      kids[i] = {0, i ? 1u : 0u};
    }
  });
  // What is left of the block array after the forest holds semi and the
  // predecessor ring when they fit: its pages are already mapped, and fresh
  // pages cost as much as the work done in them.
  char* const arena = reinterpret_cast<char*>(A.data());
  const size_t arenaBytes = A.size() * sizeof(Off);
  auto align = [](size_t x) { return (x + 63) & ~size_t{63}; };
  size_t arenaUsed = align(N * (sizeof(Link) + sizeof(Child)));
  RawArray<uint32_t> ownSemi;
  uint32_t* semi = nullptr;
  if (arenaUsed + 4 * N <= arenaBytes) {
    semi = reinterpret_cast<uint32_t*>(arena + arenaUsed);
    arenaUsed = align(arenaUsed + 4 * N);
  } else {
    ownSemi = RawArray<uint32_t>(N);
    semi = ownSemi.data();
  }
  {
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
    // The predecessors come as a stream, in the order they are needed: for
    // w = reached-1 down to 1, [count, smallest, numbers above w...], where
    // smallest is the least of parent(w) and the predecessors numbered below
    // w, and unreached sources are left out. When parallel, the helper thread
    // writes it just ahead of this loop, so the two random reads per node
    // (revFirst[vertex[w]], then its list) are off this thread's path.
    // The stream is a ring of ringSize words (positions count up; the word is
    // at pos % ringSize): `produced` and `consumed` say how far each side got. A
    // list too long for the ring is marked kIndirect and read from rev[] here.
    // 64 MiB by default: far enough ahead that lines are not shared while
    // hot. A smaller one (at least 4 MiB) if that fits in the arena.
    size_t ringSize = std::max<size_t>(std::bit_floor(options.ringWords), 64);
    constexpr uint32_t kIndirect = 0x80000000u;
    const size_t streamWords = 2 * static_cast<size_t>(reached) + rev.size();
    const size_t arenaRoom = (arenaBytes - std::min(arenaBytes, arenaUsed)) / 4;
    if (parallel && streamWords > arenaRoom && arenaRoom < ringSize && arenaRoom >= (size_t{1} << 20))
      ringSize = std::bit_floor(arenaRoom);
    const size_t maxInRing = ringSize / 16;  // the entries in use at once (at most 8) always fit
    // Without a helper the whole stream is written first, so it must not wrap.
    const bool wraps = parallel && streamWords > ringSize;
    const size_t ringWords = wraps ? ringSize : streamWords;
    RawArray<uint32_t> ownRing;
    uint32_t* ring = reinterpret_cast<uint32_t*>(arena + arenaUsed);
    if (ringWords > arenaRoom) {
      ownRing = RawArray<uint32_t>(ringWords);
      ring = ownRing.data();
    }
    std::atomic<uint64_t> produced{0}, consumed{0};
    std::atomic<bool> producerFailed{false};
    const uint64_t mask = wraps ? ringSize - 1 : ~uint64_t{0};
    // Waiting for the other side: spin briefly (the usual wait is a few hundred nanoseconds), then
    // give the core away. With more runnable threads than cores (a compile beside the server), a
    // side that only spins holds the core the other side needs for a whole time slice at a time,
    // which made the pass many times slower.
    struct Backoff {
      unsigned spins = 0;
      void operator()() {
        if (spins < 1024) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        } else if (spins < 1024 + 64) {
          std::this_thread::yield();
        } else {
          std::this_thread::sleep_for(std::chrono::microseconds(20));
        }
        ++spins;
      }
    };
    BackgroundTask producer(helper, [&](const std::atomic<bool>& stop) {
      try {
        uint64_t pos = 0, room = wraps ? ringSize : ~uint64_t{0};
        auto reserve = [&](uint64_t words) {
          if (pos + words <= room) return;
          produced.store(pos, std::memory_order_release);
          Backoff pause;
          while (pos + words > room) {
            pause();
            room = consumed.load(std::memory_order_acquire) + ringSize;
            if (stop.load(std::memory_order_relaxed)) throw OperationCancelled();
          }
        };
        for (uint32_t w = reached - 1; w >= 1; --w) {
          if ((w & kPollMask) == 0 && (stop.load(std::memory_order_relaxed) || ctx.cancelled()))
            throw OperationCancelled();
          if (w > 32) __builtin_prefetch(&revFirst[vertex[w - 32]]);
          if (w > 16) {
            const uint32_t id = vertex[w - 16];
            if (revFirst[id] < revFirst[id + 1]) __builtin_prefetch(&rev[revFirst[id]]);
          }
          const uint32_t id = vertex[w];
          const uint32_t p0 = revFirst[id], p1 = revFirst[id + 1];
          if (p1 - p0 > maxInRing) {
            reserve(1);
            ring[pos++ & mask] = kIndirect;
          } else {
            // Predecessors numbered below w are not processed yet: each is its
            // own eval, so only their minimum (with the DFS parent) is passed on.
            reserve(2 + p1 - p0);
            const uint64_t countAt = pos;
            pos += 2;
            uint32_t smallest = parent[w];
            for (uint32_t k = p0; k < p1; ++k) {
              const Off v = rev[k];
              if (v <= w) smallest = std::min(smallest, static_cast<uint32_t>(v));
              else if (v != kUnreached) ring[pos++ & mask] = static_cast<uint32_t>(v);
            }
            ring[countAt & mask] = static_cast<uint32_t>(pos - countAt - 2);
            ring[(countAt + 1) & mask] = smallest;
          }
          if ((w & 15) == 0) produced.store(pos, std::memory_order_release);
        }
        produced.store(pos, std::memory_order_release);
      } catch (...) {
        producerFailed = true;
        throw;
      }
    });
    if (!parallel) producer.finish();
    uint64_t available = 0;
    uint64_t cur = 0;  // the entry of w
    auto waitFor = [&](uint64_t upto) {
      Backoff pause;
      while (available < upto) {
        available = produced.load(std::memory_order_acquire);
        if (available >= upto) break;
        consumed.store(cur, std::memory_order_release);  // never wait while holding back room
        if (producerFailed.load(std::memory_order_relaxed)) {
          producer.finish();  // rethrows the helper's error
          throw std::logic_error("dominators: predecessor stream ended early");
        }
        ctx.checkCancelled();
        pause();
      }
    };
    auto nextEntry = [&](uint64_t at) {
      waitFor(at + 1);
      const uint32_t count = ring[at & mask];
      if (count & kIndirect) return at + 1;
      waitFor(at + 2 + count);
      return at + 2 + count;
    };
    // Entries for w, w-3 and w-6: the two further ones feed the prefetches.
    uint64_t ahead3 = 0, ahead6 = 0;
    if (reached - 1 > 3)
      for (int i = 0; i < 3; ++i) ahead3 = nextEntry(ahead3);
    if (reached - 1 > 6)
      for (int i = 0; i < 6; ++i) ahead6 = nextEntry(ahead6);
    for (uint32_t w = reached - 1; w >= 1; --w) {
      if ((w & kPollMask) == 0) {
        ctx.checkCancelled();
        ctx.report(kPhase, 0.5 + 0.4 * static_cast<double>(reached - w) / reached);
      }
      // The forest is read at random: start the loads a few iterations early.
      if (w > 6) {
        const uint64_t end = nextEntry(ahead6);
        for (uint64_t k = ahead6 + 2; k < end; ++k) __builtin_prefetch(&link[ring[k & mask] + 1]);
        ahead6 = end;
      }
      if (w > 3) {
        const uint64_t end = nextEntry(ahead3);
        for (uint64_t k = ahead3 + 2; k < end; ++k) __builtin_prefetch(&link[link[ring[k & mask] + 1].ancestor]);
        ahead3 = end;
      }
      if (w > 2) {  // LINK's first random reads, for w-2
        __builtin_prefetch(&link[kids[w - 1].child]);
        __builtin_prefetch(&kids[parent[w - 2] + 1]);
      }
      uint32_t s = parent[w];
      const uint64_t end = nextEntry(cur);
      if (ring[cur & mask] & kIndirect) {
        const uint32_t id = vertex[w];
        for (uint32_t k = revFirst[id]; k < revFirst[id + 1] && s != 0; ++k) {
          const Off v = rev[k];
          if (v <= w) s = std::min(s, static_cast<uint32_t>(v));  // an unprocessed v is its own eval
          else if (v != kUnreached) s = std::min(s, eval(static_cast<uint32_t>(v) + 1));
        }
      } else {
        s = ring[(cur + 1) & mask];
        for (uint64_t k = cur + 2; k < end && s != 0; ++k) s = std::min(s, eval(ring[k & mask] + 1));
      }
      cur = end;
      if ((w & 63) == 0) consumed.store(cur, std::memory_order_release);
      semi[w] = s;
      // LINK(parent(w), w), keeping the forest's trees balanced by size.
      const uint32_t W = w + 1, V = parent[w] + 1;
      link[W].label = s;
      uint32_t S = W;
      while (s < link[kids[S].child].label) {
        const uint32_t c = kids[S].child;
        if (kids[S].size + kids[kids[c].child].size >= 2 * kids[c].size) {
          link[c].ancestor = S;
          kids[S].child = kids[c].child;
        } else {
          kids[c].size = kids[S].size;
          link[S].ancestor = c;
          S = c;
        }
      }
      link[S].label = s;
      kids[V].size += kids[W].size;
      if (kids[V].size < 2 * kids[W].size) std::swap(S, kids[V].child);
      while (S != 0) {
        link[S].ancestor = V;
        S = kids[S].child;
      }
      if (w == 1) break;
    }
    producer.finish();
  }
  rev.reset();
  revFirst.reset();

  // 6. Nearest common ancestors: idom(w) is the deepest ancestor of parent(w)
  //    in the dominator tree built so far whose number is <= semi(w).
  RawArray<uint32_t>& idom = parent;  // reuse: starts as the DFS parent
  for (uint32_t w = 1; w < reached; ++w) {
    uint32_t x = idom[w];
    while (x > semi[w]) x = idom[x];
    idom[w] = x;
  }
  ownSemi.reset();
  A.reset();  // the forest and semi (in its arena) are done with: the outputs below take its place
  ctx.report(kPhase, 0.95);

  // 7. The outputs, by node id. idom(w) < w in preorder, so one backward
  //    sweep adds every node into its immediate dominator and sums every
  //    subtree; out.retained starts as each node's own size. The helper
  //    writes out.idom meanwhile. Both outputs are allocated only now, when
  //    the predecessor lists are gone, so they do not add to the peak.
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
  const uint32_t n = g.nodeCount();
  if (n == 0) return {};
  // 32-bit offsets need the block array (edges + 3 words per node) below 2^31 words.
  const uint64_t words = uint64_t{g.edgeCount()} + uint64_t{kHead} * n;
  if (options.wideOffsets || words >= (uint64_t{1} << 31)) return run<uint64_t>(g, withRetained, options, ctx);
  return run<uint32_t>(g, withRetained, options, ctx);
}

}  // namespace detail

std::vector<NodeId> computeDominators(const HeapGraph& g, const TaskContext& ctx) {
  return detail::computeDominators(g, false, {}, ctx).idom;
}

DominatorResult computeDominatorsAndRetained(const HeapGraph& g, const TaskContext& ctx) {
  return detail::computeDominators(g, true, {}, ctx);
}

DominatorTree buildDominatorTree(std::span<const NodeId> idom) {
  DominatorTree t;
  const size_t n = idom.size();
  t.first = hugeVector<uint32_t>(n + 1, 0);
  for (size_t v = 0; v < n; ++v) {
    if (v + 32 < n && idom[v + 32] < n) __builtin_prefetch(&t.first[idom[v + 32] + 1], 1);
    if (idom[v] != kNoNode && idom[v] < n) ++t.first[idom[v] + 1];
  }
  for (size_t i = 0; i < n; ++i) t.first[i + 1] += t.first[i];
  t.children = hugeVector<NodeId>(t.first[n], 0);
  std::vector<uint32_t> cursor;
  reserveHuge(cursor, n);
  cursor.assign(t.first.begin(), t.first.end() - 1);
  for (size_t v = 0; v < n; ++v) {
    if (v + 32 < n && idom[v + 32] < n) __builtin_prefetch(&cursor[idom[v + 32]], 1);
    if (idom[v] != kNoNode && idom[v] < n) t.children[cursor[idom[v]]++] = static_cast<NodeId>(v);
  }
  cursor = {};
  if (n == 0) return t;

  // Depth-first preorder without a depth-first walk: a walk waits on two dependent cache misses per
  // node (its `first` entry, then its children), and heap dominator trees are bushy but narrow, so
  // prefetching siblings does not hide them. Three passes over a breadth-first order instead, each
  // with independent, prefetched reads: the order itself, subtree sizes (backwards), and then each
  // node's position, handed out from its parent's next free slot (forwards).
  std::vector<NodeId> bfs;
  reserveHuge(bfs, n);
  bfs.push_back(kSuperRoot);
  const NodeId* kids = t.children.data();
  const uint32_t* first = t.first.data();
  for (size_t head = 0; head < bfs.size(); ++head) {
    if (head + 16 < bfs.size()) __builtin_prefetch(&first[bfs[head + 16]]);
    if (head + 8 < bfs.size()) __builtin_prefetch(&kids[first[bfs[head + 8]]]);
    const NodeId v = bfs[head];
    bfs.insert(bfs.end(), kids + first[v], kids + first[v + 1]);
  }
  const size_t m = bfs.size();
  std::vector<uint32_t> slot = hugeVector<uint32_t>(n, 1);  // subtree sizes, then next free positions
  for (size_t i = m; i-- > 1;) {
    if (i >= 16) __builtin_prefetch(&idom[bfs[i - 16]]);
    if (i >= 8) __builtin_prefetch(&slot[idom[bfs[i - 8]]], 1);
    slot[idom[bfs[i]]] += slot[bfs[i]];
  }
  t.preorder = hugeVector<NodeId>(m, kSuperRoot);
  t.subtreeEnd = hugeVector<uint32_t>(m, static_cast<uint32_t>(m));
  slot[kSuperRoot] = 1;
  for (size_t i = 1; i < m; ++i) {
    if (i + 16 < m) __builtin_prefetch(&idom[bfs[i + 16]]);
    if (i + 8 < m) __builtin_prefetch(&slot[idom[bfs[i + 8]]], 1);
    const NodeId v = bfs[i];
    const uint32_t size = slot[v];
    const uint32_t pos = slot[idom[v]];
    slot[idom[v]] = pos + size;
    t.preorder[pos] = v;
    t.subtreeEnd[pos] = pos + size;
    slot[v] = pos + 1;
  }
  return t;
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

  // A breadth-first order of the dominator tree puts every node after its
  // immediate dominator; walking it backwards is a valid post-order for
  // summing, with no recursion and no per-node stack frames.
  DominatorTree tree = buildDominatorTree(idom);
  std::vector<NodeId> order;
  reserveHuge(order, n);
  order.push_back(kSuperRoot);
  for (size_t head = 0; head < order.size(); ++head) {
    if ((head & kPollMask) == 0) ctx.checkCancelled();
    const NodeId v = order[head];
    for (uint32_t k = tree.first[v]; k < tree.first[v + 1]; ++k) order.push_back(tree.children[k]);
  }
  tree = {};
  ctx.report(kPhase, 0.5);
  for (size_t i = order.size(); i-- > 1;) {
    if ((i & kPollMask) == 0) ctx.checkCancelled();
    const NodeId v = order[i];
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
