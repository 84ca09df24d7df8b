// Diff: types and sites matched by name across two dumps, objects matched by identity.
//
// Ordinals mean nothing across dumps, so types are keyed by name and sites
// by their frames rendered as text. Identity matching uses the format's
// address/id column: both sides are sorted once and merged, which is
// cheaper than a hash map on millions of objects. Address 0 means "no
// identity" (the column's default) and is never matched.
//
// Threading: pure functions over immutable Dumps.
#include "analysis/Diff.h"

#include <algorithm>
#include <unordered_map>

namespace heaplens {

namespace {

std::string_view basename(std::string_view p) {
  const size_t slash = p.find_last_of("/\\");
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

struct Totals {
  uint64_t count = 0, bytes = 0;
};

constexpr uint32_t kSkip = UINT32_MAX - 1;  // groupOf's answer for a node that does not count

// keyOf(node) -> a key string or empty to skip; computed per group, not per node.
template <typename KeyOfGroup, typename GroupOf>
std::unordered_map<std::string, Totals> totals(const HeapGraph& g, uint32_t groups, GroupOf groupOf, KeyOfGroup keyOf) {
  std::vector<Totals> per(groups + 1);  // the last slot: nodes with no group
  for (NodeId v = 0; v < g.nodeCount(); ++v) {
    const uint32_t grp = groupOf(v);
    if (grp == kSkip) continue;
    Totals& t = per[grp < groups ? grp : groups];
    ++t.count;
    t.bytes += g.shallowSize(v);
  }
  std::unordered_map<std::string, Totals> out;
  for (uint32_t i = 0; i <= groups; ++i) {
    if (per[i].count == 0) continue;
    Totals& t = out[keyOf(i)];
    t.count += per[i].count;
    t.bytes += per[i].bytes;
  }
  return out;
}

std::vector<DiffRow> merge(const std::unordered_map<std::string, Totals>& before,
                           const std::unordered_map<std::string, Totals>& after) {
  std::unordered_map<std::string, DiffRow> rows;
  for (const auto& [k, t] : before) {
    DiffRow& r = rows[k];
    r.key = k;
    r.countBefore = t.count;
    r.bytesBefore = t.bytes;
  }
  for (const auto& [k, t] : after) {
    DiffRow& r = rows[k];
    r.key = k;
    r.countAfter = t.count;
    r.bytesAfter = t.bytes;
  }
  std::vector<DiffRow> out;
  out.reserve(rows.size());
  for (auto& [k, r] : rows) out.push_back(std::move(r));
  std::sort(out.begin(), out.end(), [](const DiffRow& a, const DiffRow& b) {
    if (a.bytesDelta() != b.bytesDelta()) return a.bytesDelta() > b.bytesDelta();
    if (a.countDelta() != b.countDelta()) return a.countDelta() > b.countDelta();
    return a.key < b.key;
  });
  return out;
}

std::unordered_map<std::string, Totals> typeTotals(const HeapGraph& g) {
  return totals(
      g, g.typeCount(),
      [&](NodeId v) { return g.kind(v) == NodeKind::Object ? g.type[v] : kSkip; },
      [&](uint32_t t) { return t < g.typeCount() ? std::string(g.strings.get(g.typeName[t])) : std::string("(unknown)"); });
}

std::unordered_map<std::string, Totals> siteTotals(const HeapGraph& g) {
  return totals(
      g, g.siteCount(),
      [&](NodeId v) {
        const NodeKind k = g.kind(v);
        return k == NodeKind::Object || k == NodeKind::Frame ? g.site[v] : kSkip;
      },
      [&](uint32_t s) { return s < g.siteCount() ? siteText(g, s) : std::string("(no site)"); });
}

std::vector<std::pair<uint64_t, uint64_t>> identities(const HeapGraph& g) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (NodeId v = 0; v < g.nodeCount() && v < g.address.size(); ++v)
    if (g.kind(v) == NodeKind::Object && g.address[v] != 0) out.emplace_back(g.address[v], g.shallowSize(v));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string siteText(const HeapGraph& g, SiteId site) {
  if (site == kNoSite || site >= g.siteCount()) return "(no site)";
  std::string out;
  for (LocationId loc : g.frames(site)) {
    if (!out.empty()) out += " <- ";
    if (loc >= g.locations.size()) {
      out += "?";
      continue;
    }
    const SourceLocation& l = g.locations[loc];
    std::string_view fn = g.str(l.function);
    std::string_view file = basename(g.str(l.file));
    out += fn.empty() ? std::string_view("?") : fn;
    if (!file.empty()) {
      out += ' ';
      out += file;
      if (l.line != 0) {
        out += ':';
        out += std::to_string(l.line);
      }
    }
  }
  return out.empty() ? std::string("(empty stack)") : out;
}

std::vector<DiffRow> diffByType(const Dump& before, const Dump& after) {
  return merge(typeTotals(before.graph), typeTotals(after.graph));
}

std::vector<DiffRow> diffBySite(const Dump& before, const Dump& after) {
  return merge(siteTotals(before.graph), siteTotals(after.graph));
}

IdentityDiff diffByIdentity(const Dump& before, const Dump& after) {
  IdentityDiff d;
  if (before.graph.address.empty() || after.graph.address.empty()) return d;
  d.available = true;
  const auto a = identities(before.graph);
  const auto b = identities(after.graph);
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
      ++d.freedObjects;
      d.freedBytes += a[i++].second;
    } else if (i == a.size() || b[j].first < a[i].first) {
      ++d.newObjects;
      d.newBytes += b[j++].second;
    } else {
      ++d.keptObjects;
      d.keptBytes += b[j].second;
      ++i;
      ++j;
    }
  }
  return d;
}

}  // namespace heaplens
