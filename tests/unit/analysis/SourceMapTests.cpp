// SourceMapTests: dump paths onto a temporary workspace, classification, normalisation.
#include "analysis/SourceMap.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace heaplens {
namespace {

namespace fs = std::filesystem;

// A throw-away workspace directory, removed at the end of the test.
class TempWorkspace {
public:
  TempWorkspace() {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("heaplens-ws-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(root_);
  }
  ~TempWorkspace() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string add(const std::string& rel) {
    fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "// test\n";
    return p.generic_string();
  }
  std::string root() const { return root_.generic_string(); }

private:
  fs::path root_;
};

TEST(SourceMap, SuffixMatchFindsTheWorkspaceFile) {
  TempWorkspace ws;
  const std::string store = ws.add("store/store.go");
  ws.add("main.go");
  SourceMap sm;
  sm.setWorkspaceRoots({ws.root()});
  auto m = sm.map("/home/ci/build/app/store/store.go");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->localPath, store);
  EXPECT_EQ(m->matchedComponents, 2u);
  EXPECT_FALSE(m->ambiguous);
  EXPECT_FALSE(m->viaExplicitMapping);
  EXPECT_TRUE(sm.isWorkspace("/home/ci/build/app/store/store.go"));
}

TEST(SourceMap, LongestSuffixWinsAndTiesAreAmbiguous) {
  TempWorkspace ws;
  const std::string a = ws.add("svc/a/util/util.go");
  const std::string b = ws.add("svc/b/util/util.go");
  const std::string c = ws.add("other/util.go");
  SourceMap sm;
  sm.setWorkspaceRoots({ws.root()});
  // Only a's path shares three components.
  auto m = sm.map("/build/x/a/util/util.go");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->localPath, a);
  EXPECT_EQ(m->matchedComponents, 3u);
  EXPECT_FALSE(m->ambiguous);
  // a and b share "util/util.go" equally: ambiguous, chosen deterministically, the other listed.
  auto amb = sm.map("/elsewhere/util/util.go");
  ASSERT_TRUE(amb);
  EXPECT_TRUE(amb->ambiguous);
  EXPECT_EQ(amb->matchedComponents, 2u);
  EXPECT_EQ(amb->localPath, a);
  EXPECT_EQ(amb->alternatives, (std::vector<std::string>{b}));
  EXPECT_NE(amb->localPath, c);
}

TEST(SourceMap, NoMatchLeavesThePathUnmapped) {
  TempWorkspace ws;
  ws.add("main.go");
  SourceMap sm;
  sm.setWorkspaceRoots({ws.root()});
  EXPECT_FALSE(sm.map("/home/ci/build/app/store/store.go"));
  EXPECT_FALSE(sm.isWorkspace("/home/ci/build/app/store/store.go"));
  EXPECT_FALSE(sm.map(""));
}

TEST(SourceMap, RelativeDumpPathsMatchByBasename) {
  TempWorkspace ws;
  const std::string leaky = ws.add("examples/leaky.raku");
  SourceMap sm;
  sm.setWorkspaceRoots({ws.root()});
  auto m = sm.map("leaky.raku");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->localPath, leaky);
}

TEST(SourceMap, MoarVmModuleSuffixIsStripped) {
  EXPECT_EQ(SourceMap::normalise("/abs/lib/Mod.rakumod (Mod)"), "/abs/lib/Mod.rakumod");
  EXPECT_EQ(SourceMap::normalise("/abs/lib/Cache/LRU.rakumod (Cache::LRU)"), "/abs/lib/Cache/LRU.rakumod");
  EXPECT_EQ(SourceMap::normalise("file:///home/u/app/main.go"), "/home/u/app/main.go");
  EXPECT_EQ(SourceMap::normalise("C:\\work\\app\\main.go"), "C:/work/app/main.go");
  EXPECT_EQ(SourceMap::normalise("leaky.raku"), "leaky.raku");
  TempWorkspace ws;
  const std::string mod = ws.add("lib/Cache/LRU.rakumod");
  SourceMap sm;
  sm.setWorkspaceRoots({ws.root()});
  auto m = sm.map("/opt/app/lib/Cache/LRU.rakumod (Cache::LRU)");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->localPath, mod);
  EXPECT_EQ(m->matchedComponents, 3u);
}

TEST(SourceMap, ExplicitMappingsComeFirst) {
  TempWorkspace ws;
  const std::string real = ws.add("src/store/store.go");
  const std::string decoy = ws.add("vendor2/app/store/store.go");
  SourceMap sm;
  sm.setWorkspaceRoots({ws.root()});
  // Without a mapping the longer suffix match (app/store/store.go) wins.
  EXPECT_EQ(sm.map("/ci/app/store/store.go")->localPath, decoy);
  sm.setMappings({{"/ci/app/", ws.root() + "/src"}});
  auto m = sm.map("/ci/app/store/store.go");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->viaExplicitMapping);
  EXPECT_EQ(m->localPath, real);
  // A mapping to a file that does not exist falls back to suffix matching.
  EXPECT_FALSE(sm.map("/ci/app/store/other.go"));
}

TEST(SourceMap, ScanningSkipsBuildOutputHiddenDirsAndNonSources) {
  TempWorkspace ws;
  const std::string keep = ws.add("pkg/main.go");
  ws.add(".git/hooks/x.go");
  ws.add("node_modules/lib/index.js");
  ws.add("build-release/gen.cpp");
  ws.add("dist/bundle.js");
  ws.add(".hidden/y.go");
  ws.add("README.md");
  ws.add("data/big.heapdump");
  SourceMap sm;
  sm.setWorkspaceRoots({ws.root()});
  EXPECT_EQ(sm.files(), (std::vector<std::string>{keep}));
  const uint64_t gen = sm.generation();
  sm.addWorkspaceFile(ws.add("outside/extra.raku"));
  EXPECT_GT(sm.generation(), gen);
  EXPECT_EQ(sm.files().size(), 2u);
}

TEST(SourceMap, ScanningIsCapped) {
  TempWorkspace ws;
  for (int i = 0; i < 30; ++i) ws.add(std::string("f").append(std::to_string(i)).append(".go"));
  SourceMap sm;
  sm.setWorkspaceRoots({ws.root()}, 10);
  EXPECT_EQ(sm.files().size(), 10u);
}

TEST(SourceMap, ScanSkipsBuildAndToolDirectoriesUnlessADumpPointsThere) {
  TempWorkspace ws;
  const std::string a = ws.add("src/a.go");
  const std::string b = ws.add("build/gen/b.go");
  ws.add(".git/c.go");
  ws.add("node_modules/x/d.js");
  WorkspaceScan plain = scanWorkspace({ws.root()}, ScanLimits{});
  EXPECT_EQ(plain.files, std::vector<std::string>{a});
  // A dump built in a build directory records paths through it: those directories are entered.
  std::set<std::string> keep = skippedDirectoriesIn({"/ci/app/build/gen/b.go", "/ci/app/src/a.go", "main.go"});
  EXPECT_EQ(keep, std::set<std::string>{"build"});
  ScanLimits limits;
  limits.keepDirectories = keep;
  EXPECT_EQ(scanWorkspace({ws.root()}, limits).files, (std::vector<std::string>{b, a}));
  EXPECT_FALSE(plain.truncated);
  EXPECT_FALSE(plain.cancelled);
}

TEST(SourceMap, ScanDepthIsBounded) {
  TempWorkspace ws;
  std::string deep;
  for (int i = 0; i < 30; ++i) deep.append("d").append(std::to_string(i)).append("/");  // appending: no GCC 12 -Wrestrict
  const std::string shallow = ws.add("d0/d1/top.go");
  ws.add(deep + "bottom.go");  // 30 directories down
  ScanLimits limits;
  EXPECT_EQ(limits.maxDepth, 24u);
  EXPECT_EQ(scanWorkspace({ws.root()}, limits).files, std::vector<std::string>{shallow});
  limits.maxDepth = 40;
  EXPECT_EQ(scanWorkspace({ws.root()}, limits).files.size(), 2u);
}

TEST(SourceMap, ScanStopsWhenAsked) {
  TempWorkspace ws;
  for (int i = 0; i < 50; ++i) ws.add(std::string("p").append(std::to_string(i)).append("/f.go"));
  std::stop_source stop;
  ScanLimits limits;
  int entered = 0;
  limits.onDirectory = [&](const std::string&) {
    if (++entered == 3) stop.request_stop();
  };
  WorkspaceScan scan = scanWorkspace({ws.root()}, limits, stop.get_token());
  EXPECT_TRUE(scan.cancelled);
  EXPECT_LT(scan.files.size(), 50u);
  EXPECT_EQ(entered, 3);  // not one directory more
}

TEST(SourceMap, ClassifiesRuntimeAndLibraryFrames) {
  using O = FrameOrigin;
  EXPECT_EQ(SourceMap::classifyPath("SETTING::src/core.c/Str.pm6"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("/opt/rakudo/share/nqp/lib/gen/moar/stage2/NQPHLL.nqp"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("src/vm/moar/ModuleLoader.nqp"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("/opt/rakudo/lib/CORE.c.setting.moarvm"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("node:internal/timers"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("/usr/lib/go-1.19/src/runtime/proc.go"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("/usr/local/go/src/runtime/malloc.go"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("<GOROOT>/src/fmt/print.go"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("/home/u/sdk/go/src/strconv/itoa.go"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("runtime/proc.go"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("strconv/itoa.go"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("fmt/print.go"), O::Runtime);
  EXPECT_EQ(SourceMap::classifyPath("/home/u/go/pkg/mod/github.com/x/y@v1.2.3/y.go"), O::Library);
  EXPECT_EQ(SourceMap::classifyPath("/app/node_modules/express/lib/router.js"), O::Library);
  EXPECT_EQ(SourceMap::classifyPath("/opt/rakudo/share/perl6/site/sources/ABCDEF"), O::Library);
  EXPECT_EQ(SourceMap::classifyPath("/home/ci/build/app/main.go"), O::Unknown);
  EXPECT_EQ(SourceMap::classifyPath("example.com/app/store.go"), O::Unknown);
  EXPECT_EQ(SourceMap::classifyPath("leaky.raku"), O::Unknown);
}

TEST(SourceMap, RuntimeFilesAreNotWorkspaceEvenIfPresent) {
  TempWorkspace ws;
  ws.add("runtime/proc.go");
  SourceMap sm;
  sm.setWorkspaceRoots({ws.root()});
  EXPECT_TRUE(sm.map("/usr/local/go/src/runtime/proc.go"));
  EXPECT_FALSE(sm.isWorkspace("/usr/local/go/src/runtime/proc.go"));
}

}  // namespace
}  // namespace heaplens
