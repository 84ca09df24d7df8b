// DumpFileFeaturesTests: a text dump open in the editor gets diagnostics, outline, folding, hovers
// and lenses from its DumpFileIndex, whatever format filled the parts.
#include <gtest/gtest.h>

#include "lsp/Features.h"

namespace heaplens::lsp {
namespace {

// A page map with its header on `headerLine` (the other members stay empty).
PageMap pageMap(std::vector<PageClass> classes, uint32_t headerLine) {
  PageMap m;
  m.classes = std::move(classes);
  m.headerLine = headerLine;
  return m;
}

// A dump built by hand with a timeline, one GC's page maps and a malformed line, as a text
// format would fill them. Lines: 1 phase marker, 2-3 samples, 4 bad sample, 5-8 the GC block.
std::shared_ptr<const LoadedDump> pageDumpLike(const std::string& path) {
  auto d = std::make_shared<Dump>();
  d->path = path;
  d->format = "test";
  HeapTimeline& t = d->timeline.emplace();
  t.samples.push_back({"1000", 1000, 4u << 20, 2});
  t.samples.push_back({"2000", 2000, 6u << 20, 3});
  d->lineProblems.push_back({4, "expected <bytes>,<timestamp>: the line has one field"});
  GcPages gc;
  gc.index = "0";
  gc.before = pageMap({PageClass{.name = "16", .meaning = "fixed blocks", .blockBytes = 128, .percent = {100, 0, 50}, .line = 6}}, 5);
  gc.after = pageMap({PageClass{.name = "16", .meaning = "fixed blocks", .blockBytes = 128, .percent = {100}, .line = 8}}, 7);
  d->pageMaps.emplace().gcs.push_back(gc);
  finishDump(*d);
  return std::make_shared<const LoadedDump>(d);
}

Document document(const std::string& path) {
  Document doc;
  doc.path = path;
  doc.uri = "file://" + path;
  doc.text = "phase1: heap use\n4194304,1000\n6291456,2000\nbad\n---- before GC 0 ----\n16: +-(50%)\n---- after GC 0 ----\n16: +\n";
  return doc;
}

TEST(DumpFileFeatures, ProblemsOutlineFoldingHoverAndLensComeFromTheIndex) {
  FeatureContext ctx;
  ctx.dumps.push_back(pageDumpLike("/logs/memdump.log"));
  const Document doc = document("/logs/memdump.log");

  auto diags = getDiagnostics(ctx, doc);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].range.start.line, 3u);  // 0-based line of file line 4
  EXPECT_EQ(diags[0].severity, protocol::DiagnosticSeverity::Error);
  EXPECT_EQ(diags[0].message, "line 4: expected <bytes>,<timestamp>: the line has one field");

  auto symbols = getDocumentSymbols(ctx, doc);
  ASSERT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols[0].name, "GC 0");
  EXPECT_EQ(symbols[0].range.start.line, 4u);
  EXPECT_EQ(symbols[0].range.end.line, 7u);
  ASSERT_EQ(symbols[0].children.size(), 2u);
  EXPECT_EQ(symbols[0].children[0].name, "before GC 0");
  EXPECT_EQ(symbols[0].children[1].name, "after GC 0");

  auto folds = getFoldingRanges(ctx, doc);
  bool gcFold = false;
  for (const auto& f : folds) gcFold = gcFold || (f.startLine == 4 && f.endLine == 7);
  EXPECT_TRUE(gcFold);

  auto hover = getHover(ctx, doc, {5, 0});
  ASSERT_TRUE(hover);
  EXPECT_NE(hover->contents.value.find("3 pages: 1 full (+), 1 empty (-), 1 partial (NN%)"), std::string::npos) << hover->contents.value;
  auto sampleHover = getHover(ctx, doc, {1, 0});
  ASSERT_TRUE(sampleHover);
  EXPECT_NE(sampleHover->contents.value.find("4,194,304 B (4 MiB)"), std::string::npos) << sampleHover->contents.value;

  auto lenses = getCodeLenses(ctx, doc);
  ASSERT_EQ(lenses.size(), 1u);
  EXPECT_EQ(lenses[0].range.start.line, 4u);
  ASSERT_TRUE(lenses[0].command);
  EXPECT_NE(lenses[0].command->title.find("3 → 1 pages"), std::string::npos) << lenses[0].command->title;
}

TEST(DumpFileFeatures, AnotherDocumentGetsNothingFromTheDumpFile) {
  FeatureContext ctx;
  ctx.dumps.push_back(pageDumpLike("/logs/memdump.log"));
  const Document doc = document("/logs/other.log");
  EXPECT_TRUE(getDiagnostics(ctx, doc).empty());
  EXPECT_TRUE(getDocumentSymbols(ctx, doc).empty());
  EXPECT_FALSE(getHover(ctx, doc, {5, 0}));
  EXPECT_TRUE(getCodeLenses(ctx, doc).empty());
}

}  // namespace
}  // namespace heaplens::lsp
