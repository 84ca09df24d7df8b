// The editor features on a Go dump read with its executable: what a user sees in main.go and
// cart/cart.go of tests/data/go/programs/cartapp (built and run by GoPrograms.h).
//
// Expected figures come from the program's source: Fill makes 1000 cart.Item at the line
// `it := &Item{...}`, kept by the globals cart.all (all 1000), cart.byName (the first 200) and
// cart.Default (the first 5); `go holder(ready, done, 50)` starts the one goroutine that waits at
// the line marked "holder waits here" in a channel receive, its local `local` holding 50 more
// items. Lines are found in the source text, not taken from the tool.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "analysis/LineIndex.h"
#include "lsp/FeatureSupport.h"
#include "lsp/Features.h"
#include "lsp/Uri.h"
#include "tests/formats/go/GoPrograms.h"
#include "tests/formats/go/GoTestUtil.h"

namespace heaplens {
namespace {

using namespace gotest;
using lsp::Document;
using lsp::FeatureContext;
using lsp::LoadedDump;

Document document(const std::string& relative) {
  Document doc;
  doc.path = kProgram + "/" + relative;
  doc.uri = lsp::pathToUri(doc.path);
  doc.languageId = "go";
  std::ifstream in(doc.path, std::ios::binary);
  doc.text.assign(std::istreambuf_iterator<char>(in), {});
  return doc;
}

struct Session {
  SourceMap sourceMap;
  FeatureContext ctx;
  Session(const std::string& dump, const std::string& exe) {
    sourceMap.setWorkspaceRoots({kProgram});
    ctx.dumps = {std::make_shared<const LoadedDump>(std::shared_ptr<const Dump>(loadWith(dump, exe)))};
    ctx.sourceMap = &sourceMap;
  }
};

// The go statement gets its own lens and hover: the goroutine it created, its state, and what it
// retains (the 50 items and their array that only `local` holds); the line it waits on keeps
// its frame lens. With a stripped build the lines come from .gopclntab.
void checkCreatedBy(const std::string& version, bool stripped) {
  const Built& b = build(version);
  ASSERT_TRUE(b.error.empty()) << b.error;
  Session s(stripped ? b.strippedDump : b.dump, stripped ? b.strippedExe : b.exe);
  const Document main = document("main.go");
  const uint32_t goLine = sourceLine("main.go", "go holder(ready, done, 50)");
  const uint32_t waitLine = sourceLine("main.go", "holder waits here");

  std::string atGo, atWait;
  for (const protocol::CodeLens& lens : lsp::getCodeLenses(s.ctx, main)) {
    ASSERT_TRUE(lens.command.has_value());
    if (lens.range.start.line == goLine - 1) atGo += lens.command->title + "\n";
    if (lens.range.start.line == waitLine - 1) atWait += lens.command->title + "\n";
  }
  // (Go ≥ 1.22 also has a frame there: the go statement's generated wrapper, main.main.gowrap1.)
  EXPECT_NE(atGo.find("created 1 goroutine blocked in chan receive · retain 51 objects, 2.75 KiB\n"), std::string::npos)
      << atGo;
  EXPECT_TRUE(atWait.starts_with("1 frame · retain ")) << atWait;

  // The line index entry behind the lens: one goroutine, retaining exactly what only `local` holds:
  // 50 items of 48 B and their array of 50 pointers (400 B, in the 416-byte size class).
  const std::vector<LineEntry>* lines = s.ctx.dumps[0]->sources(s.sourceMap)->linesOf(main.path);
  ASSERT_TRUE(lines);
  const LineEntry* creation = nullptr;
  for (const LineEntry& e : *lines)
    if (e.line == goLine && e.kind == LineKind::Creation) creation = &e;
  ASSERT_TRUE(creation);
  EXPECT_EQ(creation->stats.count, 1u);
  EXPECT_EQ(creation->stats.retainedObjects, 51u);
  EXPECT_EQ(creation->stats.retainedBytes, 50u * 48 + 416);

  auto hover = lsp::getHover(s.ctx, main, {goLine - 1, 4});
  ASSERT_TRUE(hover.has_value());
  const std::string& text = hover->contents.value;
  EXPECT_NE(text.find("**Created here:** created 1 goroutine blocked in chan receive"), std::string::npos) << text;
  EXPECT_NE(text.find("(chan receive), created by main.main main.go:" + std::to_string(goLine)), std::string::npos)
      << text;
}

TEST(GoExecutableLsp, Go123CreatedByLineHasItsLens) { checkCreatedBy("1.23", false); }
TEST(GoExecutableLsp, Go119StrippedCreatedByLineHasItsLens) { checkCreatedBy("1.19", true); }
TEST(GoExecutableLsp, Go122StrippedCreatedByLineHasItsLens) { checkCreatedBy("1.22", true); }

// Hover at the allocation line of Fill names the type allocated there with its count, and the
// path from a root starts at the global variable that holds the item.
void checkAllocationHover(const std::string& version) {
  const Built& b = build(version);
  ASSERT_TRUE(b.error.empty()) << b.error;
  Session s(b.dump, b.exe);
  const Document cart = document("cart/cart.go");
  const uint32_t line = sourceLine("cart/cart.go", "it := &Item{");
  auto hover = lsp::getHover(s.ctx, cart, {line - 1, 2});
  ASSERT_TRUE(hover.has_value());
  const std::string& text = hover->contents.value;
  EXPECT_NE(text.find("| example.com/app/cart.Item | 48 B | 1,000 |"), std::string::npos) << text;
  const size_t path = text.find("**Path from a root**");
  ASSERT_NE(path, std::string::npos) << text;
  const size_t open = text.find('`', path);
  ASSERT_NE(open, std::string::npos) << text;
  const std::string steps = text.substr(open + 1, text.find('`', open + 1) - open - 1);
  // The path leaves the root (the bss segment, where the globals live) by the edge named after the
  // global that holds the item: all, byName or Default, by the source; it ends at an Item of this line.
  const size_t from = steps.find("--[");
  ASSERT_NE(from, std::string::npos) << steps;
  const std::string first = steps.substr(from + 3, steps.find("]-->", from) - from - 3);
  EXPECT_TRUE(first == "example.com/app/cart.all" || first == "example.com/app/cart.byName" ||
              first == "example.com/app/cart.Default")
      << steps;
  EXPECT_TRUE(steps.ends_with("example.com/app/cart.Item (cart.go:" + std::to_string(line) + ")")) << steps;
}

TEST(GoExecutableLsp, Go119HoverNamesTypesAndRootVariable) { checkAllocationHover("1.19"); }
TEST(GoExecutableLsp, Go123HoverNamesTypesAndRootVariable) { checkAllocationHover("1.23"); }

}  // namespace
}  // namespace heaplens
