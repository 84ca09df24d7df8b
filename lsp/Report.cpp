// Report: the format-neutral dump report (see Report.h).
//
// Everything is computed into one JSON value first; the text form renders
// that value, so the two outputs cannot disagree.
#include "lsp/Report.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "analysis/Aggregate.h"
#include "analysis/Growth.h"
#include "analysis/SourceMap.h"
#include "analysis/Text.h"
#include "lsp/PageDumpJson.h"

namespace heaplens::lsp {

using nlohmann::json;

namespace {

json cellJson(const Cell& c) { return c.number ? json(*c.number) : json(c.text); }

std::string baseName(std::string_view path) {
  std::string p = SourceMap::normalise(path);
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

json frameJson(const HeapGraph& g, LocationId id) {
  const SourceLocation& loc = g.location(id);
  return json{{"function", std::string(g.str(loc.function))}, {"file", std::string(g.str(loc.file))}, {"line", loc.line}};
}

// "main.fillCache main.go:53": the innermost frame outside the runtime, else the innermost frame.
std::string siteName(const HeapGraph& g, SiteId s) {
  auto frames = g.frames(s);
  if (frames.empty()) return "(no stack)";
  LocationId chosen = frames.front();
  for (LocationId f : frames) {
    if (SourceMap::classifyPath(g.str(g.location(f).file)) != FrameOrigin::Runtime) {
      chosen = f;
      break;
    }
  }
  const SourceLocation& loc = g.location(chosen);
  std::string name(g.str(loc.function));
  std::string file = baseName(g.str(loc.file));
  if (!file.empty()) {
    if (!name.empty()) name += ' ';
    name += file;
    if (loc.line) name.append(":").append(std::to_string(loc.line));
  }
  return name.empty() ? "(unnamed)" : name;
}

json statsJson(const GroupStats& s) {
  return json{{"count", s.count}, {"shallowBytes", s.shallowBytes}, {"retainedBytes", s.retainedBytes},
              {"retainedObjects", s.retainedObjects}};
}

json siteJson(const HeapGraph& g, const SiteAggregate& a) {
  json stack = json::array();
  for (LocationId f : g.frames(a.site)) stack.push_back(frameJson(g, f));
  json j = statsJson(a.stats);
  j["site"] = a.site;
  j["name"] = siteName(g, a.site);
  j["stack"] = std::move(stack);
  return j;
}

// The heap part's sections: sites, types, roots, frames; from the HeapIndex the server uses too.
void heapJson(json& r, const HeapPart& heap, const HeapIndex& index, size_t top) {
  const HeapGraph& g = heap.graph;
  r["unreachable"] = {{"objects", heap.unreachableObjects}, {"bytes", heap.unreachableBytes}};

  // Allocation sites (frame sites are reported separately below).
  std::vector<SiteAggregate> sites, frames;
  for (const SiteAggregate& a : index.aggregates.sites)
    (a.site < index.siteIsFrame.size() && index.siteIsFrame[a.site] ? frames : sites).push_back(a);
  std::span<const SiteAggregate> siteSpan(sites);
  json byLive = json::array(), byRetained = json::array();
  for (size_t i : topN(siteSpan, top, [](const SiteAggregate& a) { return a.stats.shallowBytes; }))
    byLive.push_back(siteJson(g, sites[i]));
  for (size_t i : topN(siteSpan, top, [](const SiteAggregate& a) { return a.stats.retainedBytes; }))
    byRetained.push_back(siteJson(g, sites[i]));
  r["sitesByLiveBytes"] = std::move(byLive);
  r["sitesByRetainedBytes"] = std::move(byRetained);

  const auto& types = index.aggregates.types;
  std::span<const TypeAggregate> typeSpan(types);
  auto typeJson = [&](const TypeAggregate& t) {
    json j = statsJson(t.stats);
    j["type"] = std::string(g.str(g.typeName[t.type]));
    return j;
  };
  json byCount = json::array(), bySize = json::array();
  for (size_t i : topN(typeSpan, top, [](const TypeAggregate& t) { return t.stats.count; })) byCount.push_back(typeJson(types[i]));
  for (size_t i : topN(typeSpan, top, [](const TypeAggregate& t) { return t.stats.shallowBytes; })) bySize.push_back(typeJson(types[i]));
  r["typesByCount"] = std::move(byCount);
  r["typesBySize"] = std::move(bySize);

  // Roots: the super-root's children, once each, by what they retain. A root that only groups
  // other roots (MoarVM's single "Root" over "Thread Roots", "Permanent Roots", ...) is replaced
  // by the roots it groups, so the list says which kind of root holds the memory.
  struct Root {
    NodeId node;
    EdgeIndex edge;
    uint64_t retained;
  };
  std::vector<Root> roots;
  if (g.nodeCount() > 0) {
    std::vector<uint8_t> seen(g.nodeCount(), 0);
    std::vector<std::pair<NodeId, int>> groups{{kSuperRoot, 0}};
    seen[kSuperRoot] = 1;
    while (!groups.empty()) {
      auto [from, depth] = groups.back();
      groups.pop_back();
      for (EdgeIndex e = g.firstEdge[from]; e < g.firstEdge[from + 1]; ++e) {
        NodeId t = g.edgeTarget[e];
        if (t >= g.nodeCount() || seen[t]) continue;
        seen[t] = 1;
        bool groupsRoots = depth < 3 && g.kind(t) == NodeKind::Root && g.firstEdge[t + 1] > g.firstEdge[t];
        for (EdgeIndex f = g.firstEdge[t]; groupsRoots && f < g.firstEdge[t + 1]; ++f)
          groupsRoots = g.kind(g.edgeTarget[f]) == NodeKind::Root;
        if (groupsRoots) {
          groups.push_back({t, depth + 1});
        } else if (from == kSuperRoot || g.kind(t) == NodeKind::Root) {
          roots.push_back({t, e, t < heap.retained.size() ? heap.retained[t] : 0});
        }
      }
    }
  }
  json rootsJson = json::array();
  for (size_t i : topN(std::span<const Root>(roots), top, [](const Root& x) { return x.retained; })) {
    const Root& x = roots[i];
    // A root's own name ("(Stack roots)", "global") when the format records node names, else its edge label.
    std::string label = g.nodeName.empty() ? g.labelText(x.edge) : std::string(g.nameOf(x.node));
    rootsJson.push_back({{"node", x.node}, {"label", label.empty() ? std::string(g.typeNameOf(x.node)) : label},
                         {"type", std::string(g.typeNameOf(x.node))}, {"retainedBytes", x.retained}});
  }
  r["largestRoots"] = std::move(rootsJson);

  // Frames that retain most (formats whose graph holds frames, e.g. MoarVM).
  if (!frames.empty()) {
    json fj = json::array();
    for (size_t i : topN(std::span<const SiteAggregate>(frames), top, [](const SiteAggregate& a) { return a.stats.retainedBytes; }))
      fj.push_back(siteJson(g, frames[i]));
    r["framesByRetainedBytes"] = std::move(fj);
  }
}

// The snapshot series: one table of snapshots (1-based "number" for people, 0-based "index" for
// --snapshot) and the types that grow, by the one rule in Growth.h.
void seriesJson(json& r, const SnapshotSeries& series, size_t top) {
  json snapshots = json::array();
  for (const SnapshotInfo& s : series.snapshots)
    snapshots.push_back({{"index", s.index}, {"number", s.index + 1}, {"gcSequence", s.gcSequence ? json(*s.gcSequence) : json(nullptr)},
                         {"timeMicros", s.timeMicros}, {"objects", s.objects}, {"references", s.references},
                         {"heapBytes", s.heapBytes}, {"complete", s.complete}, {"selected", s.index == series.selected}});
  r["snapshots"] = std::move(snapshots);
  r["selectedSnapshot"] = series.selected;
  SeriesGrowth growth = growingTypes(series);
  json gj = json::array();
  for (size_t i = 0; i < growth.types.size() && i < top; ++i) {
    const TypeGrowth& x = growth.types[i];
    gj.push_back({{"type", x.type}, {"fromSnapshot", growth.snapshots.front()}, {"toSnapshot", growth.snapshots.back()},
                  {"firstCount", x.firstCount}, {"lastCount", x.lastCount}, {"countDelta", x.countDelta()},
                  {"firstBytes", x.firstBytes}, {"lastBytes", x.lastBytes}, {"bytesDelta", x.bytesDelta()},
                  {"counts", x.counts}});
  }
  r["growingTypes"] = std::move(gj);
}

// The growth part, with heap-diff's field names (constructor, count_delta, size_delta, ...), so a
// heap-diff file read and reported as JSON keeps its vocabulary.
void growthJson(json& r, const Dump& d, const GrowthRecords& growth) {
  const SiteTable& sites = *d.sites;
  auto location = [&](SiteId site) -> json {
    auto frames = sites.frames(site);
    if (frames.empty()) return nullptr;
    const SourceLocation& loc = sites.location(frames.front());
    json l = {{"url", std::string(sites.str(loc.file))}, {"line", loc.line}};
    if (loc.column) l["column"] = loc.column;
    if (loc.function) l["function"] = std::string(sites.str(loc.function));
    return l;
  };
  json records = json::array();
  for (const GrowthRecord& g : growth.records) {
    json j = {{"constructor", g.type},     {"count_before", g.countBefore}, {"count_after", g.countAfter},
              {"count_delta", g.countDelta}, {"size_before", g.sizeBefore},   {"size_after", g.sizeAfter},
              {"size_delta", g.sizeDelta}};
    if (json l = location(g.site); !l.is_null()) j["location"] = std::move(l);
    if (g.line) j["line"] = g.line;
    records.push_back(std::move(j));
  }
  json retained = json::array();
  for (const RetainedObject& o : growth.retained) {
    json j = {{"constructor", o.type}, {"size", o.size}, {"retention_path", o.path}};
    if (o.retainedSize) j["retained_size"] = *o.retainedSize;
    if (o.address) j["id"] = o.address;
    if (json l = location(o.site); !l.is_null()) j["location"] = std::move(l);
    if (o.line) j["line"] = o.line;
    retained.push_back(std::move(j));
  }
  r["growth"] = std::move(records);
  r["retained"] = std::move(retained);
  r["baseline"] = growth.baseline;
  r["target"] = growth.target;
}

}  // namespace

json reportJson(const Dump& d, const ReportOptions& options, const HeapIndex* index) {
  const size_t top = options.top;
  json r;
  r["format"] = d.format;
  r["description"] = d.formatDescription;
  r["path"] = d.path;
  r["objects"] = d.objectCount();
  r["totalBytes"] = d.totalBytes();

  json facts = json::array();
  for (const Fact& f : d.facts) facts.push_back({{"id", f.id}, {"label", f.label}, {"value", cellJson(f.value)}, {"text", f.value.text}});
  r["facts"] = std::move(facts);
  // The share of live bytes whose type the format knows from a side file (Go: the executable).
  r["typedBytesPct"] = nullptr;
  for (const Fact& f : d.facts)
    if (f.id == "typedBytesPct" && f.value.number) r["typedBytesPct"] = *f.value.number;
  r["warnings"] = d.warnings;
  r["attributionProblem"] = d.attributionProblem ? json(*d.attributionProblem) : json(nullptr);

  json tables = json::array();
  for (const Table& t : d.tables) {
    json rows = json::array();
    for (const auto& row : t.rows) {
      json cells = json::array();
      for (const Cell& c : row) cells.push_back(cellJson(c));
      rows.push_back(std::move(cells));
    }
    tables.push_back({{"id", t.id}, {"title", t.title}, {"columns", t.columns}, {"rows", std::move(rows)}});
  }
  r["tables"] = std::move(tables);
  r["snapshots"] = json::array();
  if (d.series) seriesJson(r, *d.series, top);

  r["sitesByLiveBytes"] = json::array();
  r["sitesByRetainedBytes"] = json::array();
  r["typesByCount"] = json::array();
  r["typesBySize"] = json::array();
  r["largestRoots"] = json::array();
  r["unreachable"] = {{"objects", 0}, {"bytes", 0}};
  if (d.heap) {
    std::optional<HeapIndex> own;
    if (!index) index = &own.emplace(*d.heap);
    heapJson(r, *d.heap, *index, top);
  }
  if (d.timeline || d.pageMaps) r["pageDump"] = pageDumpJson(d);
  if (d.growth) growthJson(r, d, *d.growth);
  if (!d.lineProblems.empty()) {
    json problems = json::array();
    for (const LineProblem& p : d.lineProblems) problems.push_back({{"line", p.line}, {"message", p.message}});
    r["lineProblems"] = std::move(problems);
  }
  return r;
}

namespace {

// A plain-text table: left-aligned text columns, right-aligned numbers.
class TextTable {
public:
  explicit TextTable(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row, std::vector<bool> numeric = {}) {
    rows_.push_back(std::move(row));
    numeric_.push_back(std::move(numeric));
  }
  void print(std::ostream& out, const std::string& indent = "  ") const {
    std::vector<size_t> width;
    for (const auto& row : rows_)
      for (size_t i = 0; i < row.size(); ++i) {
        if (width.size() <= i) width.push_back(0);
        width[i] = std::max(width[i], displayWidth(row[i]));
      }
    bool noHeader = std::all_of(rows_[0].begin(), rows_[0].end(), [](const std::string& c) { return c.empty(); });
    for (size_t r = noHeader ? 1 : 0; r < rows_.size(); ++r) {
      out << indent;
      for (size_t i = 0; i < rows_[r].size(); ++i) {
        bool right = r > 0 && i < numeric_[r - 1].size() && numeric_[r - 1][i];
        size_t pad = width[i] - displayWidth(rows_[r][i]);
        if (right) out << std::string(pad, ' ') << rows_[r][i];
        else out << rows_[r][i] << (i + 1 < rows_[r].size() ? std::string(pad, ' ') : "");
        if (i + 1 < rows_[r].size()) out << "  ";
      }
      out << "\n";
    }
  }

private:
  static size_t displayWidth(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count code points, not bytes
    return n;
  }
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::vector<bool>> numeric_;
};

void heading(std::ostream& out, const std::string& title) { out << "\n" << title << "\n"; }

std::string optCount(const json& v) { return v.is_number() ? formatCount(v.get<uint64_t>()) : "-"; }
std::string optPercent(const json& v) { return v.is_number() ? formatPercent(v.get<double>()) : "-"; }

// The page dump: the timeline's summary, one row per GC, and the classes of the last complete GC.
void printPageDump(std::ostream& out, const json& p, size_t maxRows) {
  const json& tl = p["timeline"];
  heading(out, "Heap timeline");
  TextTable t({"", ""});
  std::string samples = formatCount(p["sampleCount"].get<uint64_t>());
  if (p["fieldOrder"].is_string()) samples += " (fields " + p["fieldOrder"].get<std::string>() + ")";
  t.add({"samples", samples});
  auto sampleText = [](const json& s) {
    return formatBytesLong(s["bytes"].get<uint64_t>()) + " at line " + formatCount(s["line"].get<uint64_t>()) +
           " (time " + s["time"].get<std::string>() + ")";
  };
  if (tl["peak"].is_object()) {
    t.add({"peak", sampleText(tl["peak"])});
    t.add({"first", sampleText(tl["first"])});
    t.add({"last", sampleText(tl["last"])});
    std::string growth = formatSignedBytes(static_cast<int64_t>(std::llround(tl["growthBytesPerSample"].get<double>()))) +
                         " per sample";
    if (tl["growthBytesPerSecond"].is_number())
      growth = formatSignedBytes(static_cast<int64_t>(std::llround(tl["growthBytesPerSecond"].get<double>()))) +
               "/s, " + growth;
    t.add({"growth", growth + " (least squares)"});
  }
  t.add({"page size", formatBytes(p["pageBytes"].get<uint64_t>())});
  t.print(out);
  if (p["gcs"].empty()) return;

  heading(out, "GCs (pages before → after; occupancy is the mean over pages)");
  TextTable g({"GC", "line", "sample line", "pages", "released", "occupancy", "change", "fragmentation",
               "compaction saves", "heap drop"});
  size_t shown = 0;
  const json* last = nullptr;
  for (const auto& gc : p["gcs"]) {
    if (gc["before"].is_object() && gc["after"].is_object()) last = &gc;
    if (shown++ == maxRows) {
      out << "  (" << p["gcs"].size() - maxRows << " more GCs; see --json)\n";
      continue;
    }
    if (shown > maxRows) continue;
    const json& line = gc["beforeLine"].is_number() ? gc["beforeLine"] : gc["afterLine"];
    const json& after = gc["after"];
    std::string change = gc["occupancyChangePoints"].is_number()
                             ? formatNumber(gc["occupancyChangePoints"].get<double>(), 1) + " pts"
                             : "-";
    if (change[0] != '-' && change != "0 pts") change = "+" + change;
    g.add({gc["label"], optCount(line), optCount(gc["sampleLine"]),
           optCount(gc["pagesBefore"]) + " → " + optCount(gc["pagesAfter"]), optCount(gc["pagesReleased"]),
           optPercent(gc["occupancyBefore"]) + " → " + optPercent(gc["occupancyAfter"]), change,
           after.is_object() ? formatPercent(after["fragmentation"].get<double>()) : "-",
           after.is_object() ? plural(after["compaction"]["pagesSaved"].get<uint64_t>(), "page") + ", " +
                                   formatBytes(after["compaction"]["bytesSaved"].get<uint64_t>())
                             : "-",
           gc["heapDrop"].is_number() ? formatSignedBytes(gc["heapDrop"].get<int64_t>()) : "-"},
          {false, true, true, true, true, true, true, true, true, true});
  }
  g.print(out);
  if (!last) return;
  heading(out, "Size classes in " + (*last)["label"].get<std::string>() + " (pages before → after)");
  TextTable c({"class", "what", "pages", "full", "empty", "partial", "occupancy after"});
  const json& b = (*last)["before"]["classes"];
  const json& a = (*last)["after"]["classes"];
  std::vector<std::string> names;
  for (const auto& [name, x] : b.items()) names.push_back(name);
  for (const auto& [name, x] : a.items())
    if (!b.contains(name)) names.push_back(name);
  // In the file's order.
  auto lineOf = [&](const std::string& n) { return (b.contains(n) ? b[n] : a[n])["line"].get<uint64_t>(); };
  std::sort(names.begin(), names.end(), [&](const std::string& x, const std::string& y) { return lineOf(x) < lineOf(y); });
  for (const std::string& name : names) {
    auto pages = [&](const json& m) { return m.contains(name) ? m[name]["pages"].get<uint64_t>() : uint64_t{0}; };
    c.add({name, p["classes"][name]["meaning"], formatCount(pages(b)) + " → " + formatCount(pages(a)),
           a.contains(name) ? formatCount(a[name]["full"].get<uint64_t>()) : "-",
           a.contains(name) ? formatCount(a[name]["empty"].get<uint64_t>()) : "-",
           a.contains(name) ? formatCount(a[name]["partial"].get<uint64_t>()) : "-",
           a.contains(name) ? formatPercent(a[name]["meanOccupancy"].get<double>()) : "-"},
          {false, false, true, true, true, true, true});
  }
  c.print(out);
}

void printSites(std::ostream& out, const json& sites, bool showStacks) {
  TextTable t({"site", "objects", "live bytes", "retained"});
  for (const auto& s : sites)
    t.add({s["name"], formatCount(s["count"]), formatBytes(s["shallowBytes"]), formatBytes(s["retainedBytes"])},
          {false, true, true, true});
  t.print(out);
  if (!showStacks) return;
  for (const auto& s : sites) {
    if (s["stack"].size() <= 1) continue;
    out << "  stack of " << s["name"].get<std::string>() << ":\n";
    size_t shown = 0;
    for (const auto& f : s["stack"]) {
      if (shown++ == 8) {
        out << "      ... " << (s["stack"].size() - 8) << " more frames\n";
        break;
      }
      out << "      " << f["function"].get<std::string>() << " " << baseName(f["file"].get<std::string>());
      if (f["line"].get<uint64_t>()) out << ":" << f["line"].get<uint64_t>();
      out << "\n";
    }
  }
}

}  // namespace

std::string reportText(const Dump& d, const ReportOptions& options, const HeapIndex* index) {
  json r = reportJson(d, options, index);
  std::ostringstream out;
  out << d.formatDescription << "\n";
  out << "  file         " << d.path << "\n";
  if (d.heap) {
    out << "  objects      " << formatCount(d.objectCount()) << "\n";
    out << "  total bytes  " << formatBytesLong(d.totalBytes()) << "\n";
    out << "  unreachable  " << plural(d.heap->unreachableObjects, "object") << ", "
        << formatBytesLong(d.heap->unreachableBytes) << "\n";
  }
  if (d.series) out << "  snapshot     " << snapshotLabel(*d.series, d.series->selected) << "\n";

  if (!d.facts.empty()) {
    heading(out, "Facts");
    TextTable t({"", ""});
    for (const Fact& f : d.facts) t.add({f.label, f.value.text});
    t.print(out);
  }
  if (d.attributionProblem) {
    heading(out, "Attribution");
    out << "  " << *d.attributionProblem << "\n";
  }
  if (!d.warnings.empty()) {
    heading(out, "Warnings");
    for (const auto& w : d.warnings) out << "  - " << w << "\n";
  }
  for (const Table& table : d.tables) {
    heading(out, table.title);
    TextTable t(table.columns);
    const size_t limit = std::max<size_t>(options.top * 5, 50);
    size_t shown = 0;
    for (const auto& row : table.rows) {
      if (shown++ == limit) break;
      std::vector<std::string> cells;
      std::vector<bool> numeric;
      for (const Cell& c : row) {
        cells.push_back(c.text);
        numeric.push_back(c.number.has_value());
      }
      t.add(std::move(cells), std::move(numeric));
    }
    t.print(out);
    if (table.rows.size() > limit) out << "  (" << table.rows.size() - limit << " more rows; see --json)\n";
  }
  if (d.series) {
    heading(out, "Snapshots (* selected)");
    TextTable t({"#", "GC seq", "objects", "references", "heap bytes", "complete"});
    for (const auto& s : r["snapshots"])
      t.add({std::to_string(s["number"].get<uint64_t>()) + (s["selected"].get<bool>() ? "*" : ""),
             optCount(s["gcSequence"]), formatCount(s["objects"]), formatCount(s["references"]),
             formatBytes(s["heapBytes"]), s["complete"].get<bool>() ? "yes" : "no"},
            {true, true, true, true, true, false});
    t.print(out);
  }
  if (r.contains("pageDump")) printPageDump(out, r["pageDump"], std::max<size_t>(options.top * 5, 50));
  if (r.contains("lineProblems")) {
    heading(out, "Problems (line: what was expected)");
    for (const auto& p : r["lineProblems"])
      out << "  " << p["line"].get<uint64_t>() << ": " << p["message"].get<std::string>() << "\n";
  }
  if (!r["sitesByLiveBytes"].empty()) {
    heading(out, "Top allocation sites by live bytes");
    printSites(out, r["sitesByLiveBytes"], true);
    heading(out, "Top allocation sites by retained bytes");
    printSites(out, r["sitesByRetainedBytes"], false);
  }
  if (!r["typesByCount"].empty()) {
    bool onlyUnknown = r["typesByCount"].size() == 1 && r["typesByCount"][0]["type"] == "(unknown)";
    if (!onlyUnknown) {
      heading(out, "Top types by count");
      TextTable t({"type", "objects", "bytes", "retained"});
      for (const auto& x : r["typesByCount"])
        t.add({x["type"], formatCount(x["count"]), formatBytes(x["shallowBytes"]), formatBytes(x["retainedBytes"])},
              {false, true, true, true});
      t.print(out);
      heading(out, "Top types by size");
      TextTable s({"type", "bytes", "objects", "retained"});
      for (const auto& x : r["typesBySize"])
        s.add({x["type"], formatBytes(x["shallowBytes"]), formatCount(x["count"]), formatBytes(x["retainedBytes"])},
              {false, true, true, true});
      s.print(out);
    } else {
      heading(out, "Types");
      out << "  the dump records no object types (all " << formatCount(r["typesByCount"][0]["count"]) << " are \"(unknown)\")\n";
    }
  }
  if (!r["largestRoots"].empty()) {
    heading(out, "Largest roots by retained bytes");
    TextTable t({"root", "type", "retained"});
    for (const auto& x : r["largestRoots"]) t.add({x["label"], x["type"], formatBytes(x["retainedBytes"])}, {false, false, true});
    t.print(out);
  }
  if (r.contains("framesByRetainedBytes")) {
    heading(out, "Frames that retain most");
    TextTable t({"frame", "frames", "retained"});
    for (const auto& x : r["framesByRetainedBytes"])
      t.add({x["name"], formatCount(x["count"]), formatBytes(x["retainedBytes"])}, {false, true, true});
    t.print(out);
  }
  if (r.contains("growingTypes") && !r["growingTypes"].empty()) {
    heading(out, "Types that grow (snapshot " + std::to_string(r["growingTypes"][0]["fromSnapshot"].get<uint64_t>() + 1) +
                     " to " + std::to_string(r["growingTypes"][0]["toSnapshot"].get<uint64_t>() + 1) + ")");
    TextTable t({"type", "count", "change", "bytes", "change", "counts per snapshot"});
    for (const auto& x : r["growingTypes"]) {
      std::string series;
      for (const auto& c : x["counts"]) series += (series.empty() ? "" : " → ") + formatCount(c.get<uint64_t>());
      t.add({x["type"], formatCount(x["lastCount"]), formatSignedCount(x["countDelta"], true), formatBytes(x["lastBytes"]),
             formatSignedBytes(x["bytesDelta"]), series},
            {false, true, true, true, true, false});
    }
    t.print(out);
  }
  if (r.contains("growth") && !r["growth"].empty()) {
    heading(out, "Growth" + (d.growth->baseline.empty() && d.growth->target.empty()
                                 ? std::string()
                                 : " (" + baseName(d.growth->baseline) + " → " + baseName(d.growth->target) + ")"));
    TextTable t({"constructor", "count", "change", "bytes", "change", "where"});
    size_t shown = 0;
    for (const auto& x : r["growth"]) {
      if (shown++ == std::max<size_t>(options.top * 3, 30)) break;
      std::string where;
      if (x.contains("location"))
        where = baseName(x["location"]["url"].get<std::string>()) + ":" + std::to_string(x["location"]["line"].get<uint64_t>());
      t.add({x["constructor"], formatSignedCount(x["count_after"]), formatSignedCount(x["count_delta"], true),
             formatBytes(static_cast<uint64_t>(std::max<int64_t>(x["size_after"].get<int64_t>(), 0))),
             formatSignedBytes(x["size_delta"]), where},
            {false, true, true, true, true, false});
    }
    t.print(out);
    if (r["growth"].size() > shown) out << "  (" << r["growth"].size() - shown << " more; see --json)\n";
  }
  if (r.contains("retained") && !r["retained"].empty()) {
    heading(out, "New objects and why they are alive (shortest path from a root)");
    size_t shown = 0;
    for (const auto& x : r["retained"]) {
      if (shown++ == std::max<size_t>(options.top * 3, 30)) break;
      std::string path;
      for (const auto& seg : x["retention_path"]) path += (path.empty() ? "" : " > ") + seg.get<std::string>();
      out << "  " << x["constructor"].get<std::string>() << " (" << formatBytes(static_cast<uint64_t>(std::max<int64_t>(x["size"].get<int64_t>(), 0)))
          << "): " << (path.empty() ? "(no path)" : path) << "\n";
    }
    if (r["retained"].size() > shown) out << "  (" << r["retained"].size() - shown << " more; see --json)\n";
  }
  return out.str();
}

}  // namespace heaplens::lsp
