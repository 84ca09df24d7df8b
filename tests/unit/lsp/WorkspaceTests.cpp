// WorkspaceTests: incremental edits in UTF-16 positions, settings parsing, URIs and documents.
#include "lsp/Workspace.h"

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

}  // namespace
