// ReferenceProfile: reference chains as a pprof profile (see ReferenceProfile.h).
//
// Threading: see ReferenceProfile.h.
#include "analysis/ReferenceProfile.h"

#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/EdgeRules.h"

namespace heaplens {
namespace {

// profile.proto encoding: a message is a string of fields (key = field number << 3 | wire type).
struct Proto {
  std::string buf;
  void varint(uint64_t v) {
    while (v >= 0x80) {
      buf.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    buf.push_back(static_cast<char>(v));
  }
  void uintField(int field, uint64_t v) {
    varint(static_cast<uint64_t>(field) << 3);
    varint(v);
  }
  void bytesField(int field, std::string_view bytes) {
    varint(static_cast<uint64_t>(field) << 3 | 2);
    varint(bytes.size());
    buf.append(bytes);
  }
  void packed(int field, const std::vector<uint64_t>& values) {
    Proto p;
    for (uint64_t v : values) p.varint(v);
    bytesField(field, p.buf);
  }
};

constexpr uint32_t kMaxDepth = 64;

}  // namespace

ReferenceProfileStats writeReferenceProfile(const HeapPart& heap, std::ostream& out, const TaskContext& ctx) {
  const HeapGraph& g = heap.graph;
  const uint32_t n = g.nodeCount();
  ReferenceProfileStats stats;

  // Frames: one per (edge label with indexes folded, node type, node kind is object).
  std::vector<std::string> frames;
  std::unordered_map<uint64_t, uint32_t> frameOf;
  auto frameFor = [&](EdgeIndex e, NodeId v) -> uint32_t {
    EdgeLabel l = g.label(e);
    const bool object = g.kind(v) == NodeKind::Object;
    uint32_t labelKey = l.kind() == EdgeLabel::Kind::Index ? 1 : l.raw();
    uint64_t key = (uint64_t{labelKey} << 32 | g.type[v]) * 2 + (object ? 1 : 0);
    auto [it, fresh] = frameOf.emplace(key, 0);
    if (fresh) {
      std::string label = l.kind() == EdgeLabel::Kind::Index ? "[]" : g.labelText(e);
      std::string type(g.typeNameOf(v));
      std::string name;
      if (object) name = label.empty() ? type : label + " " + type;
      else name = label.empty() || label == type ? type : label + " " + type;  // pprof drops "(...)"
      it->second = static_cast<uint32_t>(frames.size());
      frames.push_back(std::move(name));
    }
    return it->second;
  };

  // Chains: a trie of frames; node 0 is the empty chain.
  struct Chain {
    uint32_t parent, frame, depth;
    uint64_t objects = 0, bytes = 0;
  };
  std::vector<Chain> chains{{0, 0, 0}};
  std::unordered_map<uint64_t, uint32_t> chainOf;
  uint32_t ellipsis = UINT32_MAX;
  auto child = [&](uint32_t parent, uint32_t frame) -> uint32_t {
    if (chains[parent].depth >= kMaxDepth) {
      if (ellipsis == UINT32_MAX) {
        ellipsis = static_cast<uint32_t>(frames.size());
        frames.push_back("…");
      }
      if (chains[parent].frame == ellipsis) return parent;
      frame = ellipsis;
    }
    auto [it, fresh] = chainOf.emplace(uint64_t{parent} << 32 | frame, 0);
    if (fresh) {
      it->second = static_cast<uint32_t>(chains.size());
      chains.push_back({parent, frame, chains[parent].depth + 1});
    }
    return it->second;
  };

  // Breadth-first from the super-root over path edges.
  std::vector<uint32_t> chainOfNode(n, UINT32_MAX);
  std::vector<NodeId> queue;
  if (n > 0) {
    chainOfNode[kSuperRoot] = 0;
    queue.push_back(kSuperRoot);
  }
  for (size_t q = 0; q < queue.size(); ++q) {
    if ((q & kPollMask) == 0) ctx.checkCancelled();
    const NodeId v = queue[q];
    for (EdgeIndex e = g.firstEdge[v]; e < g.firstEdge[v + 1]; ++e) {
      const NodeId t = g.edgeTarget[e];
      if (t >= n || chainOfNode[t] != UINT32_MAX || !isPathEdge(g.edgeKind(e))) continue;
      uint32_t c = child(chainOfNode[v], frameFor(e, t));
      chainOfNode[t] = c;
      if (g.kind(t) == NodeKind::Object) {
        chains[c].objects += 1;
        chains[c].bytes += g.selfSize[t];
        stats.objects += 1;
        stats.bytes += g.selfSize[t];
      }
      queue.push_back(t);
    }
  }

  // The profile: string table, sample types, one function and location per frame, one sample per chain.
  Proto p;
  std::vector<std::string> strings{""};
  auto str = [&](std::string s) {
    strings.push_back(std::move(s));
    return static_cast<uint64_t>(strings.size() - 1);
  };
  auto valueType = [&](int field, const char* type, const char* unit) {
    Proto vt;
    vt.uintField(1, str(type));
    vt.uintField(2, str(unit));
    p.bytesField(field, vt.buf);
  };
  valueType(1, "inuse_objects", "count");
  valueType(1, "inuse_space", "bytes");
  for (size_t c = 1; c < chains.size(); ++c) {
    if (chains[c].objects == 0) continue;
    Proto s;
    std::vector<uint64_t> locations;
    for (uint32_t k = static_cast<uint32_t>(c); k != 0; k = chains[k].parent) locations.push_back(chains[k].frame + 1);
    s.packed(1, locations);
    s.packed(2, {chains[c].objects, chains[c].bytes});
    p.bytesField(2, s.buf);
    ++stats.samples;
  }
  for (size_t f = 0; f < frames.size(); ++f) {
    Proto line;
    line.uintField(1, f + 1);  // function id
    Proto loc;
    loc.uintField(1, f + 1);
    loc.bytesField(4, line.buf);
    p.bytesField(4, loc.buf);
    Proto fn;
    fn.uintField(1, f + 1);
    uint64_t name = str(frames[f]);
    fn.uintField(2, name);
    fn.uintField(3, name);
    p.bytesField(5, fn.buf);
  }
  valueType(11, "space", "bytes");  // period type
  p.uintField(12, 1);
  for (const std::string& s : strings) p.bytesField(6, s);  // last: every index above is in it
  out.write(p.buf.data(), static_cast<std::streamsize>(p.buf.size()));
  return stats;
}

}  // namespace heaplens
