// ReadableTests: the figures and paths people read, as issue #16 found them wrong (each fails on the
// code before the fix). Expected figures come from shared/fixtures/go/README.md.
#include <filesystem>


#include <gtest/gtest.h>

#include "analysis/Text.h"
#include "analysis/formats/DumpFormat.h"
#include "lsp/FeatureSupport.h"
#include "lsp/Features.h"
#include "lsp/Uri.h"
#include "lsp/languages/Language.h"
#include "TestWorkspace.h"

namespace heaplens::lsp {
namespace {

namespace fs = std::filesystem;

// leakcache's main.go in a workspace elsewhere than the dump records (/tmp/realdumps/go/leakcache).
struct GoWorkspace : test::TestWorkspace {
  GoWorkspace() : TestWorkspace(fs::path(HEAPLENS_TEST_DATA) / "go/leakcache/main.go", "cmd/leakcache/main.go", "go") {}
};

std::shared_ptr<const LoadedDump> loadShared(const std::string& path) {
  return std::make_shared<const LoadedDump>(std::shared_ptr<const Dump>(loadDump(path, {}, {})));
}

const std::string kGo122 = std::string(HEAPLENS_TEST_DATA) + "/go/leakcache-go1.22.heapdump";

TEST(Readable, RetainedObjectsOfAChainAreCountedOnce) {
  // main.go:48: 1,000 Sessions in a chain, 64 B each. Summing each object's subtree gave 500,500.
  GoWorkspace ws;
  FeatureContext ctx;
  ctx.dumps = {loadShared(kGo122)};
  ctx.sourceMap = &ws.sourceMap;
  auto hover = getHover(ctx, ws.doc, {47, 10});
  ASSERT_TRUE(hover);
  EXPECT_NE(hover->contents.value.find("Retained: 64,000 B (62.5 KiB) (1,000 objects)"), std::string::npos)
      << hover->contents.value;
}

TEST(Readable, StacksLinkToTheWorkspaceFileAndShortenRuntimePaths) {
  GoWorkspace ws;
  FeatureContext ctx;
  ctx.dumps = {loadShared(kGo122)};
  ctx.sourceMap = &ws.sourceMap;
  auto hover = getHover(ctx, ws.doc, {52, 10});
  ASSERT_TRUE(hover);
  const std::string& text = hover->contents.value;
  // main.fillCache main.go:53 is the workspace file, as a link; not the recorded /tmp/realdumps path.
  EXPECT_NE(text.find("[main.go:53](" + pathToUri(ws.doc.path) + "#L53)"), std::string::npos) << text;
  EXPECT_EQ(text.find("/tmp/realdumps/"), std::string::npos) << text;
  // runtime.main stays a runtime frame, shown from its package path on.
  EXPECT_NE(text.find("runtime/proc.go:"), std::string::npos) << text;
  EXPECT_EQ(text.find("/usr/lib/go-"), std::string::npos) << text;
}

TEST(Readable, PlainTextClientsGetNoMarkupAndLongHoversAreCut) {
  GoWorkspace ws;
  FeatureContext ctx;
  ctx.dumps = {loadShared(kGo122)};
  ctx.sourceMap = &ws.sourceMap;
  ctx.settings.plainTextHover = true;
  ctx.settings.hoverMaxLines = 4;
  auto hover = getHover(ctx, ws.doc, {52, 10});
  ASSERT_TRUE(hover);
  EXPECT_EQ(hover->contents.kind, "plaintext");
  const std::string& text = hover->contents.value;
  EXPECT_EQ(text.find("**"), std::string::npos) << text;
  EXPECT_EQ(text.find("###"), std::string::npos) << text;
  EXPECT_NE(text.find("more lines: the full paths are in heaplens.showRetainers"), std::string::npos) << text;
  size_t nonBlank = 0;
  for (std::string_view l : splitSourceLines(text)) nonBlank += !l.empty();
  EXPECT_EQ(nonBlank, 4u) << text;  // three lines of content and the "more" line
}

TEST(Readable, TheSameFindingFromTwoDumpsIsOneDiagnosticNamingBoth) {
  GoWorkspace ws;
  const fs::path copy = ws.root / "copy-of-leakcache.heapdump";
  fs::copy_file(kGo122, copy);
  FeatureContext ctx;
  ctx.dumps = {loadShared(kGo122), loadShared(copy.string())};
  ctx.sourceMap = &ws.sourceMap;
  size_t atLine53 = 0;
  for (const auto& d : getDiagnostics(ctx, ws.doc)) {
    if (d.range.start.line != 52) continue;
    ++atLine53;
    EXPECT_NE(d.message.find("[leakcache-go1.22.heapdump, copy-of-leakcache.heapdump]"), std::string::npos) << d.message;
  }
  EXPECT_EQ(atLine53, 1u);
}

TEST(Readable, OneObjectIsSingular) {
  EXPECT_EQ(plural(1, "live object"), "1 live object");
  EXPECT_EQ(plural(10000, "live object"), "10,000 live objects");
  EXPECT_EQ(plural(0, "frame"), "0 frames");
}

TEST(Readable, RakuTypesAreNamedWithTheirModule) {
  const Language& raku = languageFor("raku", "/ws/lib/Shop.rakumod");
  EXPECT_EQ(raku.id(), "raku");
  const std::string unit = "unit module Shop;\n\nclass Item {\n  has $.price;\n}\nclass Cart::Line { }\n";
  auto decls = raku.declarations(unit);
  ASSERT_EQ(decls.size(), 2u);
  EXPECT_EQ(decls[0].name, "Item");
  EXPECT_EQ(decls[0].qualifiedName, "Shop::Item");
  EXPECT_EQ(decls[0].firstLine, 2u);
  EXPECT_EQ(decls[1].qualifiedName, "Cart::Line") << "a name with :: is taken as written";
  const std::string blocks = "module Shop {\n  class Item { }\n  module Inner {\n    class Deep { }\n  }\n}\nclass Top { }\n";
  auto nested = raku.declarations(blocks);
  ASSERT_EQ(nested.size(), 3u);
  EXPECT_EQ(nested[0].qualifiedName, "Shop::Item");
  EXPECT_EQ(nested[1].qualifiedName, "Shop::Inner::Deep");
  EXPECT_EQ(nested[2].qualifiedName, "Top");
  const Language& go = languageFor("", "/ws/cart/item.go");
  auto goDecls = go.declarations("package cart\n\ntype Item struct{}\n\nfunc (i *Item) Total() int {\n\treturn 0\n}\n");
  ASSERT_EQ(goDecls.size(), 2u);
  EXPECT_EQ(goDecls[0].qualifiedName, "cart.Item");
  EXPECT_EQ(goDecls[1].kind, SourceDeclaration::Kind::Function);
  EXPECT_EQ(goDecls[1].lastLine, 6u);
}

}  // namespace
}  // namespace heaplens::lsp
