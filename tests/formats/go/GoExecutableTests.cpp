// A Go dump read with the executable that wrote it: root names, frame lines, local names, and the
// same-build check with its bad inputs.
//
// The program is tests/data/go/programs/cartapp (packages example.com/app and example.com/app/cart).
// Each suite builds it with one installed Go toolchain into the build directory, runs it to write a
// dump, and checks the dump against what the program's source says: 1000 cart.Item (48-byte
// structs: int64 + string + []string) in cart.all, a map cart.byName, an interface cart.current,
// a channel main.jobs, and 50 items held only by the local `local` of main.holder, which waits at
// the line marked "holder waits here", started by the line `go holder(ready, done)`.
// Expected line numbers are found in the source text, not taken from the tool.
//
// A missing toolchain fails the suite with a message naming it (scripts/setup.sh installs them).
// The programs are built once into build-go-programs/ at the top of the source tree, shared by
// every build directory (native, ASan) under a lock, and rebuilt when their source changes.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stop_token>

#include "analysis/LineIndex.h"
#include "analysis/ReferenceProfile.h"
#include "analysis/SourceMap.h"
#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/go/GoRecords.h"
#include "analysis/formats/go/exe/GoExecutable.h"
#include "analysis/formats/go/exe/GoPclntab.h"
#include "tests/formats/go/GoPrograms.h"
#include "tests/formats/go/GoTestUtil.h"

namespace heaplens {
namespace {

namespace fs = std::filesystem;
using namespace gotest;

bool hasWarning(const Dump& d, std::string_view text) {
  for (const std::string& w : d.warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

// The global-variable root named `name` (a segment's edge label), or kNoNode.
NodeId globalRoot(const HeapGraph& g, std::string_view name) {
  for (NodeId seg : g.targets(kSuperRoot))
    for (EdgeIndex e = g.firstEdge[seg]; e < g.firstEdge[seg + 1]; ++e)
      if (g.labelText(e) == name) return g.edgeTarget[e];
  return kNoNode;
}

// Distinct objects of `size` bytes pointed to by `from`.
std::set<NodeId> targetsOfSize(const HeapGraph& g, NodeId from, uint64_t size) {
  std::set<NodeId> out;
  for (NodeId t : g.targets(from))
    if (g.kind(t) == NodeKind::Object && g.selfSize[t] == size) out.insert(t);
  return out;
}

// "function file:line" of each logical frame of a frame node's site, innermost first.
std::string frameText(const HeapGraph& g, NodeId frame) {
  std::string s;
  for (LocationId loc : g.frames(g.site[frame])) {
    const SourceLocation& l = g.location(loc);
    const std::string file(g.str(l.file));
    s.append(s.empty() ? "" : " | ").append(g.str(l.function)).append(" ");
    s.append(file.substr(file.rfind('/') + 1)).append(":").append(std::to_string(l.line));
  }
  return s;
}

// The stacks of the goroutines that run the program's own code (a frame in package main), as a
// user reads them in a traceback: the goroutine's state and "created by" line, then each frame's
// logical frames. Goroutine ids and addresses are left out: two runs differ there.
std::multiset<std::string> programStacks(const HeapGraph& g) {
  std::multiset<std::string> out;
  for (EdgeIndex e = g.firstEdge[kSuperRoot]; e < g.firstEdge[kSuperRoot + 1]; ++e) {
    const std::string label = g.labelText(e);
    if (!label.starts_with("goroutine ")) continue;
    std::string stack = label.substr(label.find(' ', 10));
    bool ours = false;
    const NodeId gr = g.edgeTarget[e];
    for (EdgeIndex f = g.firstEdge[gr]; f < g.firstEdge[gr + 1]; ++f) {
      const std::string frame = frameText(g, g.edgeTarget[f]);
      ours |= frame.starts_with("main.") || frame.find("| main.") != std::string::npos;
      stack += "\n  " + frame;
    }
    if (ours) out.insert(stack);
  }
  return out;
}

class GoExecutableTest : public ::testing::Test {
protected:
  void check(const std::string& version) {
    const Built& b = build(version);
    ASSERT_TRUE(b.error.empty()) << b.error;
    auto d = loadWith(b.dump, b.exe);
    ASSERT_TRUE(d && d->heap);
    const HeapGraph& g = d->heap->graph;
    EXPECT_EQ(factText(*d, "executableUsed"), "yes");
    EXPECT_EQ(factText(*d, "executableGoVersion").substr(0, 3 + version.size()), "go" + version + ".");
    EXPECT_FALSE(factText(*d, "executableBuildId").empty());
    for (const std::string& w : d->warnings) EXPECT_EQ(w.find("executable"), std::string::npos) << w;

    // cart.all: a []*cart.Item whose backing array holds the 1000 items Fill made.
    NodeId all = globalRoot(g, "example.com/app/cart.all");
    ASSERT_NE(all, kNoNode);
    EXPECT_EQ(g.typeNameOf(all), "[]*example.com/app/cart.Item");
    auto arrays = g.targets(all);
    ASSERT_EQ(arrays.size(), 1u);  // the slice's array word
    EXPECT_EQ(targetsOfSize(g, arrays[0], 48).size(), 1000u);
    // Its edge to the array is the variable itself: no field path.
    EXPECT_EQ(g.labelText(g.firstEdge[all]), "");

    NodeId byName = globalRoot(g, "example.com/app/cart.byName");
    ASSERT_NE(byName, kNoNode);
    EXPECT_EQ(g.typeNameOf(byName), "map[string]*example.com/app/cart.Item");
    NodeId current = globalRoot(g, "example.com/app/cart.current");
    ASSERT_NE(current, kNoNode);
    EXPECT_EQ(g.typeNameOf(current), "example.com/app/cart.Shape");
    NodeId jobs = globalRoot(g, "main.jobs");
    ASSERT_NE(jobs, kNoNode);
    EXPECT_EQ(g.typeNameOf(jobs), "chan *example.com/app/cart.Item");
    NodeId def = globalRoot(g, "example.com/app/cart.Default");
    ASSERT_NE(def, kNoNode);
    EXPECT_EQ(g.typeNameOf(def), "*example.com/app/cart.Cart");

    // Types from the executable: every Item the source makes (1000 in Fill, 50 in holder, 3 sent
    // on jobs) is named, with its package path; the array of cart.all is a [N]*cart.Item whose
    // edges are element indexes, and an Item's edge to its name string is labelled Name.
    uint64_t items = 0;
    for (NodeId n = 0; n < g.nodeCount(); ++n)
      if (g.kind(n) == NodeKind::Object && g.typeNameOf(n) == "example.com/app/cart.Item") ++items;
    EXPECT_EQ(items, 1053u);
    EXPECT_GE(factNumber(*d, "typedBytesPct"), 90.0);
    EXPECT_TRUE(g.typeNameOf(arrays[0]).starts_with("[")) << g.typeNameOf(arrays[0]);
    EXPECT_TRUE(g.typeNameOf(arrays[0]).ends_with("]*example.com/app/cart.Item")) << g.typeNameOf(arrays[0]);
    std::set<std::string> arrayLabels, itemLabels;
    for (EdgeIndex e = g.firstEdge[arrays[0]]; e < g.firstEdge[arrays[0] + 1]; ++e) arrayLabels.insert(g.labelText(e));
    EXPECT_TRUE(arrayLabels.count("[0]") && arrayLabels.count("[999]"));
    NodeId item = g.edgeTarget[g.firstEdge[arrays[0]]];
    for (EdgeIndex e = g.firstEdge[item]; e < g.firstEdge[item + 1]; ++e) itemLabels.insert(g.labelText(e));
    EXPECT_EQ(itemLabels, std::set<std::string>{"Name"});
    auto carts = g.targets(def);
    ASSERT_EQ(carts.size(), 1u);
    EXPECT_EQ(g.typeNameOf(carts[0]), "example.com/app/cart.Cart");
    ASSERT_EQ(g.firstEdge[carts[0] + 1] - g.firstEdge[carts[0]], 1u);  // Owner is a constant string
    EXPECT_EQ(g.labelText(g.firstEdge[carts[0]]), "Items");

    // main.holder's frame: its site is the line it waits on, and `local` holds the 50 items.
    const uint32_t waitLine = sourceLine("main.go", "holder waits here");
    const uint32_t goLine = sourceLine("main.go", "go holder(ready, done, 50)");
    NodeId holder = kNoNode;
    for (NodeId n = 0; n < g.nodeCount(); ++n)
      if (g.kind(n) == NodeKind::Frame && g.site[n] != kNoSite && frameAt(g, n, 0, "/main.go", waitLine))
        holder = n;
    ASSERT_NE(holder, kNoNode) << "no frame at main.go:" << waitLine;
    EXPECT_EQ(g.str(siteFrame(g, holder, 0)->function), "main.holder");
    std::set<NodeId> held;
    std::string labels;
    for (EdgeIndex e = g.firstEdge[holder]; e < g.firstEdge[holder + 1]; ++e) labels += " '" + g.labelText(e) + "'";
    for (EdgeIndex e = g.firstEdge[holder]; e < g.firstEdge[holder + 1]; ++e)
      if (g.labelText(e) == "local") {
        auto items = targetsOfSize(g, g.edgeTarget[e], 48);
        held.insert(items.begin(), items.end());
      }
    EXPECT_EQ(held.size(), 50u) << "the array `local` points at holds main.holder's 50 items; edge labels:" << labels;
    // Its goroutine is named by the go statement that started it.
    bool createdBy = false;
    for (NodeId r : retainersOf(g, holder))
      for (EdgeIndex e = g.firstEdge[kSuperRoot]; e < g.firstEdge[kSuperRoot + 1]; ++e)
        if (g.edgeTarget[e] == r &&
            g.labelText(e).find("created by main.main main.go:" + std::to_string(goLine)) != std::string::npos)
          createdBy = true;
    EXPECT_TRUE(createdBy);

    // Every frame of every goroutine maps to a line.
    EXPECT_EQ(factNumber(*d, "framesWithLines"), factNumber(*d, "stackFrames"));

    // The editor's line index (lenses, hovers): main.go has a frame entry on the line holder waits
    // on, beside the allocation entries the memory profile gave before.
    SourceMap map;
    map.setWorkspaceRoots({kProgram});
    HeapIndex heapIndex(*d->heap);
    LineIndex lines = buildLineIndex(*d, &heapIndex, map);
    const std::vector<LineEntry>* mainLines = lines.linesOf(kProgram + "/main.go");
    ASSERT_TRUE(mainLines);
    bool frameEntry = false;
    for (const LineEntry& e : *mainLines) frameEntry |= e.line == waitLine && e.isFrame();
    EXPECT_TRUE(frameEntry) << "no frame entry at main.go:" << waitLine;
  }

  // The same dump loaded with `exe`: a warning containing `text`, and the untyped model.
  void checkRefused(const std::string& version, const std::string& exe, std::string_view text) {
    const Built& b = build(version);
    ASSERT_TRUE(b.error.empty()) << b.error;
    auto plain = loadWith(b.dump, "");
    auto d = loadWith(b.dump, exe);
    ASSERT_TRUE(d && d->heap && plain && plain->heap);
    EXPECT_TRUE(hasWarning(*d, text)) << "no warning containing '" << text << "'";
    EXPECT_EQ(rootLabels(d->heap->graph), rootLabels(plain->heap->graph));
    EXPECT_EQ(d->heap->graph.nodeCount(), plain->heap->graph.nodeCount());
    EXPECT_EQ(globalRoot(d->heap->graph, "example.com/app/cart.all"), kNoNode);
  }
};

TEST_F(GoExecutableTest, Go119NamesRootsFramesAndLocals) { check("1.19"); }
TEST_F(GoExecutableTest, Go122NamesRootsFramesAndLocals) { check("1.22"); }
TEST_F(GoExecutableTest, Go123NamesRootsFramesAndLocals) { check("1.23"); }

std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* f = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    ::pclose(f);
  }
  return out;
}

// The reference-chain profile, read by the real `go tool pprof`: the 1053 Items are one leaf
// ("[] example.com/app/cart.Item": array elements), and a chain runs from cart.all down to them.
TEST_F(GoExecutableTest, PprofOfReferenceChainsReadsInGoToolPprof) {
  const Built& b = build("1.23");
  ASSERT_TRUE(b.error.empty()) << b.error;
  auto d = loadWith(b.dump, b.exe);
  ASSERT_TRUE(d && d->heap);
  const std::string out = fs::path(b.exe).parent_path() / "cartapp.pb";
  {
    std::ofstream f(out, std::ios::binary);
    ReferenceProfileStats st = writeReferenceProfile(*d->heap, f);
    EXPECT_EQ(st.objects, d->heap->objectCount() - d->heap->unreachableObjects);
  }
  const std::string pprof = "/usr/lib/go-1.23/bin/go tool pprof";
  std::string top = run(pprof + " -top -sample_index=inuse_objects " + out + " 2>&1");
  bool items = false;
  std::istringstream lines(top);
  for (std::string line; std::getline(lines, line);)
    if (line.ends_with("  [] example.com/app/cart.Item")) items = std::stoull(line) == 1053;
  EXPECT_TRUE(items) << top;
  std::string traces = run(pprof + " -traces -sample_index=inuse_objects " + out + " 2>&1");
  EXPECT_NE(traces.find("      1000   [] example.com/app/cart.Item\n"
                        "             [1023]*example.com/app/cart.Item\n"
                        "             example.com/app/cart.all []*example.com/app/cart.Item\n"
                        "             bss bss segment\n"),
            std::string::npos)
      << traces.substr(0, 4000);
}

TEST_F(GoExecutableTest, AnotherBuildIsRefused) {
  const Built& other = build("1.19");
  ASSERT_TRUE(other.error.empty()) << other.error;
  checkRefused("1.23", other.exe, "did not write this dump");
  checkRefused("1.23", other.exe, "built by go1.19");
}

TEST_F(GoExecutableTest, BadFilesAreReportedAndTheDumpStillLoads) {
  const Built& b = build("1.23");
  ASSERT_TRUE(b.error.empty()) << b.error;
  const std::string dir = fs::path(b.exe).parent_path();
  checkRefused("1.23", dir + "/no-such-file", "cannot open the executable");
  checkRefused("1.23", b.dump, "is not an ELF file");
  checkRefused("1.23", dir, "not a regular file");
  // The first 64 KiB of the executable: its section headers (at the end) are gone.
  std::ifstream in(b.exe, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::string truncated = dir + "/cartapp-truncated";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, 65536);
  checkRefused("1.23", truncated, "truncated");
  // Section headers at an offset past the end of the file.
  std::string corrupt = bytes;
  for (int i = 0; i < 8; ++i) corrupt[0x28 + i] = static_cast<char>(0x7f);
  const std::string corruptPath = dir + "/cartapp-corrupt";
  std::ofstream(corruptPath, std::ios::binary) << corrupt;
  checkRefused("1.23", corruptPath, "executable");
}

// Bytes of the executable changed all over (ELF headers, sections, DWARF): every load ends in a
// model, with the executable's names or with a warning, and never crashes.
TEST_F(GoExecutableTest, MutatedExecutablesNeverCrashALoad) {
  const Built& b = build("1.23");
  ASSERT_TRUE(b.error.empty()) << b.error;
  std::ifstream in(b.exe, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::string path = fs::path(b.exe).parent_path() / "cartapp-mutated";
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&] { return state = state * 6364136223846793005ull + 1442695040888963407ull; };
  for (int round = 0; round < 48; ++round) {
    std::string m = bytes;
    // The first rounds hit the ELF and section headers, the rest anywhere (mostly DWARF and code).
    const size_t span = round < 16 ? 4096 : m.size();
    for (int k = 0; k < 8; ++k) m[(next() >> 17) % span] = static_cast<char>(next() >> 40);
    if (round % 8 == 7) m.resize((next() >> 17) % m.size());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << m;
    auto d = loadWith(b.dump, path);
    ASSERT_TRUE(d && d->heap) << "round " << round;
    EXPECT_GT(d->heap->graph.nodeCount(), 2000u);
  }
}

// A stripped build (-ldflags='-s -w': no symbol table, no DWARF) still has .gopclntab: every
// frame maps to file:line, the goroutine is named by its go statement, and the stacks of the
// program's goroutines read the same as the unstripped build's (a separate build and run).
void checkStripped(const std::string& version) {
  const Built& b = build(version);
  ASSERT_TRUE(b.error.empty()) << b.error;
  auto d = loadWith(b.strippedDump, b.strippedExe);
  ASSERT_TRUE(d && d->heap);
  const HeapGraph& g = d->heap->graph;
  EXPECT_TRUE(hasWarning(*d, "is stripped"));
  EXPECT_TRUE(hasWarning(*d, "frame lines come from its .gopclntab"));
  EXPECT_FALSE(hasWarning(*d, "corrupt"));
  // What it still gives (the Go version, the section addresses) passed the same-build check.
  EXPECT_EQ(factText(*d, "executableUsed"), "yes");
  EXPECT_EQ(globalRoot(g, "example.com/app/cart.all"), kNoNode);
  EXPECT_GT(factNumber(*d, "stackFrames"), 0);
  EXPECT_EQ(factNumber(*d, "framesWithLines"), factNumber(*d, "stackFrames"));

  const uint32_t waitLine = sourceLine("main.go", "holder waits here");
  const uint32_t goLine = sourceLine("main.go", "go holder(ready, done, 50)");
  const uint32_t dumpLine = sourceLine("main.go", "debug.WriteHeapDump(");
  NodeId holder = kNoNode, mainFrame = kNoNode;
  for (NodeId n = 0; n < g.nodeCount(); ++n) {
    if (g.kind(n) != NodeKind::Frame || g.site[n] == kNoSite) continue;
    if (frameAt(g, n, 0, "/main.go", waitLine)) holder = n;
    if (frameAt(g, n, 0, "/main.go", dumpLine)) mainFrame = n;
  }
  ASSERT_NE(holder, kNoNode) << "no frame at main.go:" << waitLine;
  EXPECT_EQ(g.str(siteFrame(g, holder, 0)->function), "main.holder");
  ASSERT_NE(mainFrame, kNoNode) << "no frame at main.go:" << dumpLine;
  EXPECT_EQ(g.str(siteFrame(g, mainFrame, 0)->function), "main.main");
  bool createdBy = false;
  for (EdgeIndex e = g.firstEdge[kSuperRoot]; e < g.firstEdge[kSuperRoot + 1]; ++e)
    createdBy |= g.labelText(e).ends_with("(chan receive), created by main.main main.go:" + std::to_string(goLine));
  EXPECT_TRUE(createdBy);

  auto full = loadWith(b.dump, b.exe);
  ASSERT_TRUE(full && full->heap);
  const std::multiset<std::string> stripped = programStacks(g), unstripped = programStacks(full->heap->graph);
  EXPECT_EQ(stripped.size(), 2u);  // main, and the goroutine running holder
  EXPECT_EQ(stripped, unstripped);
}

TEST_F(GoExecutableTest, Go119StrippedMapsFramesFromPclntab) { checkStripped("1.19"); }
TEST_F(GoExecutableTest, Go122StrippedMapsFramesFromPclntab) { checkStripped("1.22"); }
TEST_F(GoExecutableTest, Go123StrippedMapsFramesFromPclntab) { checkStripped("1.23"); }

// On an unstripped build both tables are there. For every frame PC and go-statement PC of the
// dump, and for PCs all over .text: where the table gives one frame (no inlined call), DWARF's
// line table gives the same function, file and line. (DWARF names the compiler's generated code
// "./<autogenerated>", the PC table "<autogenerated>": the same file.) Where the table expands
// inlined calls, DWARF is not asked: libdw 0.188's dwarf_getscopes() finds no scope for a PC in
// code Go inlined (its inlined_subroutine DIEs point at abstract functions in other CUs) and
// leaks its array then, seen under LeakSanitizer; the test checks each inlined frame against the
// Go source instead, where its caller's line calls it.
void checkPclntabAgreesWithDwarf(const std::string& version) {
  const Built& b = build(version);
  ASSERT_TRUE(b.error.empty()) << b.error;
  auto exe = go::GoExecutable::open(b.exe);
  ASSERT_TRUE(exe->hasDwarf());
  const go::GoPclntab* pcln = exe->pclntab();
  ASSERT_NE(pcln, nullptr) << exe->pclntabProblem();
  EXPECT_NE(pcln->gofunc(), 0u) << "moduledata not found: inlined calls cannot be expanded";
  std::ifstream in(b.dump, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::stop_source stop;
  TaskContext ctx(stop.get_token(), {});
  go::GoScan scan =
      go::scanGoDump({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, ctx);
  std::vector<uint64_t> pcs;
  for (const go::GoFrame& f : scan.frames) pcs.push_back(f.depth > 0 ? f.pc - 1 : f.pc);
  for (const go::GoGoroutine& gr : scan.goroutines)
    if (gr.gopc) pcs.push_back(gr.gopc - 1);
  const size_t fromDump = pcs.size();
  const go::ExeSection* text = exe->section(".text");
  ASSERT_TRUE(text);
  for (uint64_t off = 0; off < text->size; off += 997) pcs.push_back(text->addr + off);
  auto file = [](std::string f) { return f.starts_with("./") ? f.substr(2) : f; };
  // `d` from DWARF, `t` from the table. DWARF's line table knows no function for a few PCs, and
  // no file for generated equality functions ("type:.eq.T", the table's <autogenerated>:1); Go
  // 1.19's table writes their array lengths as "[...]".
  auto sameName = [](const std::string& d, const std::string& t) {
    if (d == t) return true;
    std::string shortened;
    for (size_t i = 0; i < d.size(); ++i) {
      size_t j = i + 1;
      while (d[i] == '[' && j < d.size() && std::isdigit(static_cast<unsigned char>(d[j]))) ++j;
      if (d[i] == '[' && j > i + 1 && j < d.size() && d[j] == ']') {
        shortened += "[...]";
        i = j;
      } else {
        shortened += d[i];
      }
    }
    return shortened == t;
  };
  auto same = [&](const go::ExeLine& d, const go::ExeLine& t) {
    return (d.function.empty() || sameName(d.function, t.function)) &&
           (d.file.empty() ? t.file == "<autogenerated>" : file(d.file) == file(t.file) && d.line == t.line);
  };
  auto show = [](const std::vector<go::ExeLine>& ls) {
    std::string s;
    for (const go::ExeLine& l : ls) s += l.function + " " + l.file + ":" + std::to_string(l.line) + "; ";
    return s;
  };
  size_t compared = 0, inlined = 0, differ = 0;
  std::string examples;
  for (size_t i = 0; i < pcs.size(); ++i) {
    const uint64_t pc = pcs[i];
    // Every frame of the dump is in a Go function, so in the table. Other PCs the table does not
    // place are padding between functions (past the end of a function's line table).
    const std::vector<go::ExeLine> table = pcln->linesAt(pc);
    if (i < fromDump) {
      EXPECT_FALSE(table.empty()) << "frame PC " << pc << " is in no function of .gopclntab";
    }
    if (table.empty()) continue;
    ++compared;
    bool ok = true;
    std::vector<go::ExeLine> dwarf;
    if (table.size() == 1) {
      dwarf = exe->dwarfLinesAt(pc);
      ok = !dwarf.empty() && same(dwarf[0], table[0]);
    } else {
      ++inlined;
      // Each caller's line calls the function inlined there (the Go source of the runtime and the
      // library): by its name, or for a closure ("F.func1") or a generated wrapper, a call.
      for (size_t k = 1; ok && k < table.size(); ++k) {
        const go::ExeLine& caller = table[k];
        if (caller.file == "<autogenerated>") continue;
        std::ifstream src(caller.file);
        std::string line;
        for (uint32_t n = 1; n <= caller.line && std::getline(src, line);) ++n;
        const std::string fn = table[k - 1].function.substr(0, table[k - 1].function.find('['));  // no type arguments
        std::string callee = fn.substr(fn.rfind('.') + 1);
        const bool closure = callee.starts_with("func") && callee.size() > 4 && std::isdigit(callee[4]);
        ok = closure || table[k - 1].file == "<autogenerated>" ? line.find('(') != std::string::npos
                                                              : line.find(callee + "(") != std::string::npos ||
                                                                    line.find(callee + "[") != std::string::npos;
      }
    }
    if (!ok && differ++ < 12) examples += "\n  pc " + std::to_string(pc) + ": DWARF " + show(dwarf) + " pclntab " + show(table);
  }
  EXPECT_EQ(differ, 0u) << "of " << compared << " PCs:" << examples;
  EXPECT_GT(compared, 400u);
  EXPECT_GT(inlined, 50u) << "few PCs with inlined calls were checked";
  EXPECT_EQ(exe->pclntabProblem(), "");
  std::printf("%s: %zu PCs, %zu of them in inlined code\n", version.c_str(), compared, inlined);
}

TEST_F(GoExecutableTest, Go119PclntabAgreesWithDwarf) { checkPclntabAgreesWithDwarf("1.19"); }
TEST_F(GoExecutableTest, Go122PclntabAgreesWithDwarf) { checkPclntabAgreesWithDwarf("1.22"); }
TEST_F(GoExecutableTest, Go123PclntabAgreesWithDwarf) { checkPclntabAgreesWithDwarf("1.23"); }

// A position-independent build (-buildmode=pie) runs at its file's addresses plus a load bias:
// the dump's data and bss segments give it, and then globals, types, frames and the go statement
// are named as for an ordinary build. The PIE executable beside an ordinary build's dump is refused.
TEST_F(GoExecutableTest, PieExecutableIsMovedToItsLoadAddress) {
  const BuiltPie& pie = buildPie("1.23");
  ASSERT_TRUE(pie.error.empty()) << pie.error;
  {
    auto exe = go::GoExecutable::open(pie.exe);
    EXPECT_TRUE(exe->isPie());
  }
  auto d = loadWith(pie.dump, pie.exe);
  ASSERT_TRUE(d && d->heap);
  for (const std::string& w : d->warnings) EXPECT_EQ(w.find("executable"), std::string::npos) << w;
  EXPECT_EQ(factText(*d, "executableUsed"), "yes");
  const std::string bias = factText(*d, "executableLoadBias");
  EXPECT_TRUE(bias.starts_with("0x") && bias.ends_with("000")) << bias;  // whole pages
  const HeapGraph& g = d->heap->graph;
  NodeId all = globalRoot(g, "example.com/app/cart.all");
  ASSERT_NE(all, kNoNode);
  EXPECT_EQ(g.typeNameOf(all), "[]*example.com/app/cart.Item");
  uint64_t items = 0;
  for (NodeId n = 0; n < g.nodeCount(); ++n)
    if (g.kind(n) == NodeKind::Object && g.typeNameOf(n) == "example.com/app/cart.Item") ++items;
  EXPECT_EQ(items, 1053u);
  EXPECT_EQ(factNumber(*d, "framesWithLines"), factNumber(*d, "stackFrames"));
  const uint32_t goLine = sourceLine("main.go", "go holder(ready, done, 50)");
  bool createdBy = false;
  for (EdgeIndex e = g.firstEdge[kSuperRoot]; e < g.firstEdge[kSuperRoot + 1]; ++e)
    createdBy |= g.labelText(e).ends_with("(chan receive), created by main.main main.go:" + std::to_string(goLine));
  EXPECT_TRUE(createdBy);

  checkRefused("1.23", pie.exe, "did not write this dump");
}

// The stripped executable with its .gopclntab damaged at `at` (an offset in the section) by
// `patch`: the dump loads, with a warning containing `text`.
void checkCorruptPclntab(const std::function<void(std::string&, uint64_t)>& patch, std::string_view text,
                         const std::string& name) {
  const Built& b = build("1.23");
  ASSERT_TRUE(b.error.empty()) << b.error;
  std::ifstream in(b.strippedExe, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto exe = go::GoExecutable::open(b.strippedExe);
  const go::ExeSection* sec = exe->section(".gopclntab");
  ASSERT_TRUE(sec);
  patch(bytes, sec->fileOffset);
  const std::string path = fs::path(b.strippedExe).parent_path() / ("cartapp-pclntab-" + name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  auto d = loadWith(b.strippedDump, path);
  ASSERT_TRUE(d && d->heap);
  EXPECT_TRUE(hasWarning(*d, text)) << "no warning containing '" << text << "'";
  EXPECT_EQ(factText(*d, "executableUsed"), "yes");
  EXPECT_GT(d->heap->graph.nodeCount(), 2000u);
}

TEST_F(GoExecutableTest, CorruptPclntabIsReportedAndTheDumpStillLoads) {
  auto put32 = [](std::string& s, uint64_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) s[at + k] = static_cast<char>(v >> (8 * k));
  };
  auto get64 = [](const std::string& s, uint64_t at) {
    uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v |= uint64_t{static_cast<uint8_t>(s[at + k])} << (8 * k);
    return v;
  };
  // A wrong magic: the header at byte 0.
  checkCorruptPclntab([&](std::string& s, uint64_t sec) { put32(s, sec, 0x12345678); },
                      "has magic 0x12345678, expected 0xfffffff0 (Go 1.18–1.19) or 0xfffffff1 (Go 1.20+)", "magic");
  // A function count far larger than the table (header word 0, at byte 8).
  checkCorruptPclntab([&](std::string& s, uint64_t sec) { put32(s, sec + 8, 0x7fffffff); },
                      "the functab at byte", "nfunc");
  // The first function's record offset (functab byte 4) past the end of the section.
  checkCorruptPclntab(
      [&](std::string& s, uint64_t sec) { put32(s, sec + get64(s, sec + 8 + 7 * 8) + 4, 0x7ffffff0); },
      "past the end of the", "funcoff");
  // Every pc-value table: bytes with the continuation bit set, so no varint ends before the table
  // does. The header and function table are fine; the first lookup meets the damage.
  checkCorruptPclntab(
      [&](std::string& s, uint64_t sec) {
        const uint64_t pctab = get64(s, sec + 8 + 6 * 8), functab = get64(s, sec + 8 + 7 * 8);
        for (uint64_t i = pctab + 1; i < functab; ++i) s[sec + i] = static_cast<char>(0x80);
      },
      "runs past the end of the pctab", "pctab");
}

// Bytes of .gopclntab changed at random (header, tables, function records): every load ends in
// a model, and never crashes.
TEST_F(GoExecutableTest, MutatedPclntabNeverCrashesALoad) {
  const Built& b = build("1.23");
  ASSERT_TRUE(b.error.empty()) << b.error;
  std::ifstream in(b.strippedExe, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto exe = go::GoExecutable::open(b.strippedExe);
  const go::ExeSection* sec = exe->section(".gopclntab");
  ASSERT_TRUE(sec);
  const std::string path = fs::path(b.strippedExe).parent_path() / "cartapp-pclntab-mutated";
  uint64_t state = 0x2545f4914f6cdd1dull;
  auto next = [&] { return state = state * 6364136223846793005ull + 1442695040888963407ull; };
  for (int round = 0; round < 32; ++round) {
    std::string m = bytes;
    // The first rounds hit the header and the function table, the rest anywhere in the section.
    const uint64_t span = round < 8 ? 4096 : sec->size;
    for (int k = 0; k < 16; ++k) m[sec->fileOffset + (next() >> 17) % span] = static_cast<char>(next() >> 40);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << m;
    auto d = loadWith(b.strippedDump, path);
    ASSERT_TRUE(d && d->heap) << "round " << round;
    EXPECT_GT(d->heap->graph.nodeCount(), 2000u);
  }
}

}  // namespace
}  // namespace heaplens
