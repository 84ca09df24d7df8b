// WorkspaceTests: incremental edits in UTF-16 positions, settings parsing, URIs and documents.
#include "lsp/Workspace.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "lsp/Uri.h"
#include "protocol/Message.h"

using namespace heaplens::lsp;
using heaplens::protocol::ParamsError;
using heaplens::protocol::Position;
using nlohmann::json;

namespace {

json edit(uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2, const std::string& text) {
  return json{{"range", {{"start", {{"line", l1}, {"character", c1}}}, {"end", {{"line", l2}, {"character", c2}}}}},
              {"text", text}};
}

TEST(WorkspaceTests, Utf16OffsetsCountSurrogatePairsAsTwo) {
  // "a😀é\n": 'a' 1 byte/1 unit, 😀 4 bytes/2 units, é 2 bytes/1 unit.
  std::string text = "a\xF0\x9F\x98\x80\xC3\xA9\nx";
  EXPECT_EQ(utf16ToOffset(text, {0, 0}), 0u);
  EXPECT_EQ(utf16ToOffset(text, {0, 1}), 1u);
  EXPECT_EQ(utf16ToOffset(text, {0, 3}), 5u);
  EXPECT_EQ(utf16ToOffset(text, {0, 4}), 7u);
  EXPECT_EQ(utf16ToOffset(text, {0, 99}), 7u);  // clamps to the end of the line, before '\n'
  EXPECT_EQ(utf16ToOffset(text, {1, 0}), 8u);
  EXPECT_EQ(utf16ToOffset(text, {1, 1}), 9u);
  EXPECT_EQ(utf16ToOffset(text, {7, 0}), text.size());  // beyond the last line
  EXPECT_EQ(utf16ToOffset("ab\r\ncd", {0, 5}), 2u);   // CRLF: the line ends before '\r'
}

TEST(WorkspaceTests, IncrementalEditsApplyInOrder) {
  std::string text = "package main\n\nfunc main() {}\n";
  applyContentChange(text, edit(2, 5, 2, 9, "\xF0\x9F\x98\x80\xC3\xA9"));
  EXPECT_EQ(text, "package main\n\nfunc \xF0\x9F\x98\x80\xC3\xA9() {}\n");
  // "func " is 5 units, the emoji 2, é 1: "(" is at 8, so inside the parentheses is 9.
  applyContentChange(text, edit(2, 9, 2, 9, "x int"));
  EXPECT_EQ(text, "package main\n\nfunc \xF0\x9F\x98\x80\xC3\xA9(x int) {}\n");
  applyContentChange(text, edit(0, 0, 2, 0, ""));  // delete across lines
  EXPECT_EQ(text, "func \xF0\x9F\x98\x80\xC3\xA9(x int) {}\n");
  applyContentChange(text, json{{"text", "whole"}});
  EXPECT_EQ(text, "whole");
}

TEST(WorkspaceTests, BadChangesThrowWithPaths) {
  std::string text = "abc";
  try {
    applyContentChange(text, edit(0, 2, 0, 1, "x"));
    FAIL();
  } catch (const ParamsError& e) {
    EXPECT_EQ(e.path, "/range");
  }
  try {
    applyContentChange(text, json{{"range", {{"start", {{"line", 0}, {"character", 0}}}}}, {"text", "x"}});
    FAIL();
  } catch (const ParamsError& e) {
    EXPECT_EQ(e.path, "/range/end");
  }
  EXPECT_EQ(text, "abc");
}

TEST(WorkspaceTests, DocumentChangeIsAllOrNothing) {
  Workspace ws;
  ws.open(Document{"file:///a.go", "/a.go", "go", 1, "hello\n"});
  json changes = json::array({edit(0, 0, 0, 5, "bye"), edit(0, 3, 0, 1, "bad")});
  EXPECT_THROW(ws.change("file:///a.go", 2, changes), ParamsError);
  EXPECT_EQ(ws.document("file:///a.go")->text, "hello\n");
  EXPECT_EQ(ws.document("file:///a.go")->version, 1);
  EXPECT_TRUE(ws.change("file:///a.go", 3, json::array({edit(0, 0, 0, 5, "bye")})));
  EXPECT_EQ(ws.document("file:///a.go")->text, "bye\n");
  EXPECT_FALSE(ws.change("file:///other.go", 1, json::array()));
  ws.close("file:///a.go");
  EXPECT_FALSE(ws.document("file:///a.go"));
}

TEST(WorkspaceTests, SettingsFromEveryShape) {
  Settings s;
  readSettings(json::parse(R"({"heaplens":{"warningShare":0.2,"maxPaths":3,"dumps":["a.heapdump"],
      "pathMappings":[{"from":"/build","to":"/src"}]}})"), s);
  EXPECT_DOUBLE_EQ(s.features.warningShare, 0.2);
  EXPECT_EQ(s.features.maxPaths, 3u);
  ASSERT_EQ(s.dumps.size(), 1u);
  ASSERT_EQ(s.pathMappings.size(), 1u);
  EXPECT_EQ(s.pathMappings[0].to, "/src");
  readSettings(json::parse(R"({"settings":{"heaplens":{"hotspotShare":0.05}}})"), s);
  EXPECT_DOUBLE_EQ(s.features.hotspotShare, 0.05);
  EXPECT_DOUBLE_EQ(s.features.warningShare, 0.2);  // untouched keys stay
  readSettings(json::parse(R"({"maxPaths":7})"), s);
  EXPECT_EQ(s.features.maxPaths, 7u);
  readSettings(json::parse(R"({"settings":{}})"), s);  // Eglot
  readSettings(json(), s);
  EXPECT_EQ(s.features.maxPaths, 7u);
}

TEST(WorkspaceTests, MaxMemoryAsBytesOrSizeText) {
  Settings s;
  EXPECT_EQ(s.maxMemory, 0u);  // the default budget (a share of physical memory) applies
  readSettings(json::parse(R"({"heaplens":{"maxMemory":"4G"}})"), s);
  EXPECT_EQ(s.maxMemory, uint64_t{4} << 30);
  readSettings(json::parse(R"({"heaplens":{"maxMemory":1048576}})"), s);
  EXPECT_EQ(s.maxMemory, uint64_t{1} << 20);
  readSettings(json::parse(R"({"heaplens":{"hotspotShare":0.01}})"), s);
  EXPECT_EQ(s.maxMemory, uint64_t{1} << 20);  // untouched when absent
}

TEST(WorkspaceTests, BadSettingsNameTheirPathAndKeepTheOldValues) {
  Settings s;
  auto pathOf = [&](const char* text) -> std::string {
    try {
      readSettings(json::parse(text), s);
    } catch (const ParamsError& e) {
      return e.path;
    }
    return "no error";
  };
  EXPECT_EQ(pathOf(R"({"settings":{"heaplens":{"maxPaths":"x"}}})"), "/settings/heaplens/maxPaths");
  EXPECT_EQ(pathOf(R"({"heaplens":{"warningShare":3}})"), "/heaplens/warningShare");
  EXPECT_EQ(pathOf(R"({"heaplens":{"pathMappings":[{"from":"a","to":"b"},{"to":"c"}]}})"), "/heaplens/pathMappings/1/from");
  EXPECT_EQ(pathOf(R"({"heaplens":{"dumps":["a",2]}})"), "/heaplens/dumps/1");
  EXPECT_EQ(pathOf(R"({"heaplens":{"warningShare":0.3,"maxPaths":0}})"), "/heaplens/maxPaths");
  EXPECT_EQ(pathOf(R"({"heaplens":{"maxMemory":"lots"}})"), "/heaplens/maxMemory");
  EXPECT_EQ(pathOf(R"({"heaplens":{"maxMemory":0}})"), "/heaplens/maxMemory");
  EXPECT_EQ(pathOf(R"({"heaplens":{"maxMemory":-5}})"), "/heaplens/maxMemory");
  EXPECT_EQ(s.maxMemory, 0u);
  EXPECT_DOUBLE_EQ(s.features.warningShare, Settings{}.features.warningShare);  // nothing half-applied
}

TEST(WorkspaceTests, UrisRoundTrip) {
  EXPECT_EQ(uriToPath("file:///home/a%20b/x.go"), "/home/a b/x.go");
  EXPECT_EQ(uriToPath("FILE://localhost/tmp/y"), "/tmp/y");
  EXPECT_FALSE(uriToPath("untitled:Untitled-1"));
  EXPECT_FALSE(uriToPath("file:///bad%zz"));
  EXPECT_FALSE(uriToPath("file:///cut%2"));
  EXPECT_EQ(pathToUri("/home/a b/x#1.go"), "file:///home/a%20b/x%231.go");
  EXPECT_EQ(uriToPath(pathToUri("/tmp/ünï code/€.raku")), "/tmp/ünï code/€.raku");
}

TEST(WorkspaceTests, SourceMapIsReplacedNotMutatedAndGenerationsNeverRepeat) {
  Workspace ws;
  ws.setFolders({});
  auto first = ws.sourceMap();
  EXPECT_EQ(ws.sourceMap(), first);  // unchanged: the same map
  ws.open(Document{"file:///tmp/hl-ws-test/a.go", "/tmp/hl-ws-test/a.go", "go", 1, ""});
  auto second = ws.sourceMap();
  EXPECT_NE(second, first);
  EXPECT_GT(second->generation(), first->generation());
  ws.updateSettings(json::parse(R"({"heaplens":{"pathMappings":[{"from":"/b","to":"/c"}]}})"));
  auto third = ws.sourceMap();
  EXPECT_GT(third->generation(), second->generation());
  EXPECT_EQ(third->files().size(), second->files().size());
}

// A directory of source files, removed at the end; and a gate that holds a scan where it is.
class ScanFixture : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/heaplens-index-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::string add(const std::string& rel) {
    auto p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << "package x\n";
    return p.string();
  }
  // The scan's hook: announces that a scan reached a directory, then waits until open().
  std::function<void(const std::string&)> gate() {
    return [this](const std::string&) {
      std::unique_lock lock(mutex_);
      ++held_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
    };
  }
  void waitHeld(int n) {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(30), [&] { return held_ >= n; })) << "the scan never started";
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  static bool holds(const std::shared_ptr<const heaplens::SourceMap>& map, const std::string& path) {
    return std::find(map->files().begin(), map->files().end(), path) != map->files().end();
  }

  std::filesystem::path root_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int held_ = 0;
  bool open_ = false;
};

TEST_F(ScanFixture, RequestsAreAnsweredWhileTheScanRunsAndTheNewIndexFollows) {
  const std::string file = add("pkg/a.go");
  Workspace ws;
  std::promise<IndexReport> indexed;
  ws.onIndexed([&](const IndexReport& r) { indexed.set_value(r); });
  ws.setScanHook(gate());
  ws.setFolders({root_.string()});
  waitHeld(1);
  // The scan is held inside the folder: everything a request needs still answers, from the old index.
  EXPECT_TRUE(ws.indexing());
  auto during = ws.sourceMap();
  EXPECT_FALSE(holds(during, file));
  EXPECT_EQ(ws.folders(), std::vector<std::string>{root_.string()});
  open();
  auto future = indexed.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  IndexReport report = future.get();
  EXPECT_EQ(report.files, 1u);
  EXPECT_EQ(report.folders, 1u);
  EXPECT_FALSE(report.truncated);
  EXPECT_FALSE(ws.indexing());
  auto after = ws.sourceMap();
  EXPECT_TRUE(holds(after, file));
  EXPECT_GT(after->generation(), during->generation());  // features rebuild their line indexes
}

TEST_F(ScanFixture, ANewerScanSupersedesTheOlderOne) {
  const std::string first = add("one/a.go");
  const std::string second = add("two/b.go");
  Workspace ws;
  std::mutex m;
  std::vector<IndexReport> reports;
  ws.onIndexed([&](const IndexReport& r) {
    std::lock_guard lock(m);
    reports.push_back(r);
  });
  ws.setScanHook(gate());
  ws.setFolders({(root_ / "one").string()});
  waitHeld(1);
  ws.changeFolders({(root_ / "two").string()}, {(root_ / "one").string()});  // while the first scan is held
  open();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ws.indexing() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_FALSE(ws.indexing());
  ws.stopIndexing();  // joins the indexing thread: no callback can still be on its way
  ASSERT_EQ(reports.size(), 1u) << "the superseded scan must not be installed";
  auto map = ws.sourceMap();
  EXPECT_TRUE(holds(map, second));
  EXPECT_FALSE(holds(map, first));
}

TEST_F(ScanFixture, RecordedPathsThroughABuildDirectoryAreIndexed) {
  const std::string generated = add("build/gen/g.go");
  Workspace ws;
  std::promise<void> first, second;
  int calls = 0;
  ws.onIndexed([&](const IndexReport&) { (++calls == 1 ? first : second).set_value(); });
  ws.setFolders({root_.string()});
  ASSERT_EQ(first.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_FALSE(holds(ws.sourceMap(), generated));
  ws.setRecordedPaths({"/home/ci/app/build/gen/g.go"});
  ASSERT_EQ(second.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_TRUE(holds(ws.sourceMap(), generated));
}

TEST_F(ScanFixture, StoppingDuringAScanReturnsPromptly) {
  add("a.go");
  Workspace ws;
  ws.setScanHook(gate());
  ws.setFolders({root_.string()});
  waitHeld(1);
  auto stopped = std::async(std::launch::async, [&] { ws.stopIndexing(); });
  open();  // the hook returns; the scan sees its stop at the next entry
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(30)), std::future_status::ready);
}

}  // namespace
