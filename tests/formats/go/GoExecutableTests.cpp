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
#include <map>
#include <set>
#include <sstream>

#include "analysis/LineIndex.h"
#include "analysis/ReferenceProfile.h"
#include "analysis/SourceMap.h"
#include "analysis/formats/DumpFormat.h"
#include "tests/formats/go/GoTestUtil.h"

namespace heaplens {
namespace {

namespace fs = std::filesystem;
using namespace gotest;

const std::string kProgram = std::string(HEAPLENS_SOURCE_DIR) + "/tests/data/go/programs/cartapp";

struct Built {
  std::string exe, dump, strippedExe, error;
};

std::string shellQuote(const std::string& s) { return "'" + s + "'"; }

// Builds cartapp with Go `version` (once per process) and runs it to write its dump.
const Built& build(const std::string& version, bool stripped = false) {
  static std::map<std::string, Built> built;
  auto [it, fresh] = built.emplace(version, Built{});
  Built& b = it->second;
  if (!fresh) return b;
  const std::string go = "/usr/lib/go-" + version + "/bin/go";
  if (!fs::exists(go)) {
    b.error = "Go " + version + " is not installed at " + go + "; scripts/setup.sh installs it (bookworm-backports)";
    return b;
  }
  const std::string dir = std::string(HEAPLENS_GO_WORK_DIR) + "/go" + version;
  fs::create_directories(dir);
  // Tests of this suite run as separate processes side by side: one builds a version at a time.
  struct Lock {
    int fd;
    explicit Lock(const std::string& path) : fd(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
      if (fd >= 0) ::flock(fd, LOCK_EX);
    }
    ~Lock() {
      if (fd >= 0) ::close(fd);
    }
  } lock(dir + "/.lock");
  b.exe = dir + "/cartapp";
  b.dump = dir + "/cartapp.heapdump";
  b.strippedExe = dir + "/cartapp-stripped";
  // Built already (by this build directory's tests or another's) from the current source: reused,
  // never rewritten while another process may be reading it.
  auto newestSource = fs::file_time_type::min();
  for (const auto& e : fs::recursive_directory_iterator(kProgram))
    if (e.is_regular_file()) newestSource = std::max(newestSource, e.last_write_time());
  auto builtAfter = [&](const std::string& f) { return fs::exists(f) && fs::last_write_time(f) > newestSource; };
  if (builtAfter(b.exe) && builtAfter(b.dump) && builtAfter(b.strippedExe) &&
      fs::last_write_time(b.dump) >= fs::last_write_time(b.exe))
    return b;
  const std::string env = "cd " + shellQuote(kProgram) + " && GOCACHE=" + shellQuote(dir + "/cache") +
                          " GOPATH=" + shellQuote(dir + "/gopath") + " GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off GO111MODULE=on GOWORK=off ";
  std::string cmd = env + go + " build -o " + shellQuote(b.exe) + " . > " + shellQuote(dir + "/build.log") +
                    " 2>&1 && " + shellQuote(b.exe) + " " + shellQuote(b.dump);
  if (std::system(cmd.c_str()) != 0) {
    b.error = "building or running cartapp with Go " + version + " failed: " + cmd + " (see " + dir + "/build.log)";
    return b;
  }
  cmd = env + go + " build -ldflags='-s -w' -o " + shellQuote(b.strippedExe) + " . >> " +
        shellQuote(dir + "/build.log") + " 2>&1";
  if (std::system(cmd.c_str()) != 0) b.error = "building the stripped cartapp with Go " + version + " failed: " + cmd;
  return b;
}

uint32_t sourceLine(const std::string& file, std::string_view text) {
  std::ifstream in(kProgram + "/" + file);
  std::string line;
  for (uint32_t n = 1; std::getline(in, line); ++n)
    if (line.find(text) != std::string::npos) return n;
  ADD_FAILURE() << "no line containing '" << text << "' in " << file;
  return 0;
}

std::unique_ptr<Dump> loadWith(const std::string& dump, const std::string& exe) {
  LoadOptions o;
  if (!exe.empty()) o.executable = exe;
  return loadDump(dump, o, {});
}

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

TEST_F(GoExecutableTest, StrippedBinaryGivesAWarning) {
  const Built& b = build("1.23");
  ASSERT_TRUE(b.error.empty()) << b.error;
  auto d = loadWith(b.dump, b.strippedExe);
  ASSERT_TRUE(d && d->heap);
  EXPECT_TRUE(hasWarning(*d, "is stripped"));
  // What it still gives (the Go version, the section addresses) passed the same-build check.
  EXPECT_EQ(factText(*d, "executableUsed"), "yes");
  EXPECT_EQ(globalRoot(d->heap->graph, "example.com/app/cart.all"), kNoNode);
}

}  // namespace
}  // namespace heaplens
