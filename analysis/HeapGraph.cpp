// HeapGraph: the few out-of-line members of the heap model.
//
// Threading: read-only after the builder hands the graph over.
#include "analysis/HeapGraph.h"

namespace heaplens {

std::string HeapGraph::labelText(EdgeIndex e) const {
  const EdgeLabel l = label(e);
  switch (l.kind()) {
    case EdgeLabel::Kind::Name:
      return l.value() < strings().size() ? std::string(str(l.value())) : std::string();
    case EdgeLabel::Kind::Index:
    {
      // Appending (not "[" + ...) sidesteps a GCC 12 -Wrestrict false positive.
      std::string out(1, '[');
      out += std::to_string(l.value());
      out += ']';
      return out;
    }
    default:
      return {};
  }
}

uint64_t HeapGraph::memoryBytes() const {
  auto bytes = [](const auto& v) -> uint64_t { return v.capacity() * sizeof(v[0]); };
  return bytes(selfSize) + bytes(externalSize) + bytes(type) + bytes(site) + bytes(kindAndFlags) +
         bytes(address) + bytes(firstEdge) + bytes(edgeTarget) + bytes(edgeLabel) + bytes(edgeKinds) +
         bytes(nodeName) + bytes(typeName) + bytes(typeSite) + sites->memoryBytes();
}

}  // namespace heaplens
