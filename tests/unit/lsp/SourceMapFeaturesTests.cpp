// SourceMapFeaturesTests: in the editor, a snapshot of compiled TypeScript (tests/data/js/ts-app, tsc's
// output run under Node 20) shows its figures on the .ts lines: code lens, hover, the type list's
// definition jump, retention path steps and growth against a baseline. The compiled .js sits in the
// same workspace and gets none of them. Counts come from src/main.ts (1,500 sessions, 500 of them
// before the baseline), lines from the sources: the line of `class Session`, and of its constructor,
// where V8 says a class is declared.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/GeneratedSources.h"
#include "analysis/SnapshotDiff.h"
#include "analysis/formats/DumpFormat.h"
#include "lsp/FeatureSupport.h"
#include "lsp/Features.h"
#include "lsp/Uri.h"
#include "TestWorkspace.h"

namespace heaplens::lsp {
namespace {

namespace fs = std::filesystem;

const fs::path kApp = fs::path(HEAPLENS_TEST_DATA) / "js/ts-app";

uint32_t lineOf(const fs::path& file, std::string_view text) {
  std::istringstream in(test::readFile(file));
  std::string line;
  for (uint32_t n = 1; std::getline(in, line); ++n)
    if (line.find(text) != std::string::npos) return n;
  return 0;
}

struct TsWorkspace {
  fs::path root = fs::temp_directory_path() / ("heaplens-tsfeat-" + std::to_string(::getpid()));
  fs::path app = root / "ws/app";
  std::shared_ptr<SourceMap> map = std::make_shared<SourceMap>();
  TsWorkspace() {
    fs::remove_all(root);
    fs::create_directories(app);
    for (const char* d : {"src", "out"}) fs::copy(kApp / d, app / d, fs::copy_options::recursive);
    map->setWorkspaceRoots({(root / "ws").string()});
  }
  ~TsWorkspace() { fs::remove_all(root); }

  // The committed snapshot is zstd-compressed; the server reads plain .heapsnapshot files.
  std::unique_ptr<Dump> load(const std::string& name) {
    const std::string packed = test::readFile(kApp / (name + ".heapsnapshot.zst"));
    const unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
    EXPECT_NE(size, ZSTD_CONTENTSIZE_ERROR);
    std::string plain(size, '\0');
    EXPECT_EQ(ZSTD_decompress(plain.data(), plain.size(), packed.data(), packed.size()), size);
    const fs::path file = root / (name + ".heapsnapshot");
    std::ofstream(file, std::ios::binary) << plain;
    LoadOptions options;
    options.locateFile = workspaceLocator(map);  // as the server does (Server::startLoad)
    return loadDump(file.string(), options, {});
  }
  Document doc(const std::string& relative, const std::string& languageId) const {
    Document d;
    d.path = (app / relative).string();
    d.uri = pathToUri(d.path);
    d.languageId = languageId;
    d.text = test::readFile(app / relative);
    return d;
  }
};

TEST(SourceMapFeatures, SessionFiguresAreOnTheTypeScriptClassLine) {
  TsWorkspace ws;
  std::shared_ptr<const Dump> dump = ws.load("tsc");
  FeatureContext ctx;
  ctx.dumps = {std::make_shared<const LoadedDump>(dump)};
  ctx.sourceMap = ws.map.get();

  const Document ts = ws.doc("src/session.ts", "typescript");
  const uint32_t classLine0 = lineOf(ws.app / "src/session.ts", "export class Session") - 1;
  ASSERT_EQ(classLine0, 12u);

  const uint32_t constructorLine0 = lineOf(ws.app / "src/session.ts", "constructor(options: SessionOptions") - 1;
  ASSERT_EQ(constructorLine0, 16u);

  int lenses = 0;
  nlohmann::json lensArgument;
  for (const auto& l : getCodeLenses(ctx, ts))
    if (l.command && l.range.start.line == classLine0 && l.command->title.starts_with("Session: 1,500 instances")) {
      ++lenses;
      lensArgument = l.command->arguments[0];
    }
  EXPECT_EQ(lenses, 1);

  auto hover = getHover(ctx, ts, {classLine0, 15});
  ASSERT_TRUE(hover.has_value());
  EXPECT_NE(hover->contents.value.find("**Session**: 1,500 instances"), std::string::npos) << hover->contents.value;

  // The compiled session.js is in the workspace too, and carries nothing: no figure counted twice.
  const Document js = ws.doc("out/session.js", "javascript");
  for (const auto& l : getCodeLenses(ctx, js)) ADD_FAILURE() << "a lens on session.js:" << l.range.start.line + 1;
  EXPECT_FALSE(getHover(ctx, js, {lineOf(ws.app / "out/session.js", "class Session") - 1, 6}).has_value());

  // The type list's definition jump, and the path steps of a Session instance, go to session.ts.
  protocol::BrowseParams browse;
  browse.dump = dump->path;
  browse.limit = 1000;
  bool listed = false;
  for (const protocol::TypeItem& t : getTypes(ctx, browse).items) {
    if (t.type != "Session") continue;
    listed = true;
    ASSERT_TRUE(t.location) << "Session has no location";
    EXPECT_EQ(t.location->uri, ts.uri);
    EXPECT_EQ(t.location->range.start.line, constructorLine0);
  }
  EXPECT_TRUE(listed);

  // The lens's command: the paths of the instance that retains the most.
  ASSERT_TRUE(lensArgument.is_object());
  protocol::RetainersResult retainers = getRetainers(ctx, lensArgument, ts);
  ASSERT_FALSE(retainers.paths.empty());
  const protocol::RetainerStep& last = retainers.paths[0].steps.back();
  EXPECT_EQ(last.type, "Session");
  ASSERT_TRUE(last.location);
  EXPECT_EQ(last.location->uri, ts.uri);
  EXPECT_EQ(last.location->range.start.line, constructorLine0);
  EXPECT_NE(last.description.find("session.ts:17"), std::string::npos) << last.description;
}

// Compared with the baseline (heaplens.loadDump {path, baseline}): the growth of Session, +1,000
// (1,500 - 500 in src/main.ts), is a diagnostic on the .ts line where V8 says the class is declared.
TEST(SourceMapFeatures, GrowthAgainstTheBaselineIsOnTheTypeScriptLine) {
  TsWorkspace ws;
  std::unique_ptr<Dump> base = ws.load("tsc-baseline");
  std::unique_ptr<Dump> target = ws.load("tsc");
  target->growth = compareDumps(*base, *target);
  std::shared_ptr<const Dump> dump = std::move(target);
  FeatureContext ctx;
  ctx.dumps = {std::make_shared<const LoadedDump>(dump)};
  ctx.sourceMap = ws.map.get();

  const Document ts = ws.doc("src/session.ts", "typescript");
  const uint32_t constructorLine0 = lineOf(ws.app / "src/session.ts", "constructor(options: SessionOptions") - 1;
  bool growth = false;
  for (const protocol::Diagnostic& d : getDiagnostics(ctx, ts))
    if (d.range.start.line == constructorLine0 && d.code == "heaplens.growth") {
      growth = true;
      EXPECT_NE(d.message.find("+1,000"), std::string::npos) << d.message;
    }
  EXPECT_TRUE(growth);
  for (const protocol::Diagnostic& d : getDiagnostics(ctx, ws.doc("out/session.js", "javascript")))
    ADD_FAILURE() << "a diagnostic on session.js:" << d.range.start.line + 1 << ": " << d.message;
}

}  // namespace
}  // namespace heaplens::lsp
