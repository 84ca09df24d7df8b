// PageDumpReportTests: the report's pageDump section and the HTML page, on the seed's template and on
// text made here; figures worked out by hand from the template's tokens.
#include <gtest/gtest.h>

#include <regex>

#include "analysis/formats/DumpFormat.h"
#include "analysis/formats/pagedump/PageDumpFormat.h"
#include "lsp/PageDumpHtml.h"
#include "lsp/Report.h"

using namespace heaplens;
using nlohmann::json;

namespace {

std::unique_ptr<Dump> load(const std::string& rel) {
  return loadDump(std::string(HEAPLENS_TEST_DATA) + "/" + rel, {}, {});
}

}  // namespace

TEST(PageDumpReport, SeedTemplateJson) {
  auto d = load("pagedump/seed-template.txt");
  json r = lsp::reportJson(*d);
  ASSERT_TRUE(r.contains("pageDump"));
  const json& p = r["pageDump"];
  EXPECT_EQ(p["sampleCount"], 7);
  EXPECT_EQ(p["fieldOrder"], "bytes,timestamp");
  EXPECT_EQ(p["pageBytes"], 262144);
  EXPECT_EQ(p["timeline"]["peak"]["line"], 5);  // 10,300,000 at ts-4
  EXPECT_EQ(p["errors"], json::array());
  ASSERT_EQ(p["gcs"].size(), 2u);
  const json& g = p["gcs"][0];
  EXPECT_EQ(g["index"], 1);  // as written: the viewer's docs number GCs from 1
  EXPECT_EQ(g["beforeLine"], 11);
  EXPECT_EQ(g["afterLine"], 16);
  EXPECT_EQ(g["sampleLine"], 4);
  EXPECT_EQ(g["sampleMatch"], "exact");
  EXPECT_EQ(g["pagesBefore"], 15);
  EXPECT_EQ(g["pagesAfter"], 12);
  EXPECT_EQ(g["pagesReleased"], 3);
  EXPECT_EQ(g["heapDrop"], -50000);
  // `16: + (60%) - + (40%)` on line 15.
  const json& c16 = g["before"]["classes"]["16"];
  EXPECT_EQ(c16["line"], 15);
  EXPECT_EQ(c16["pages"], 5);
  EXPECT_EQ(c16["full"], 2);
  EXPECT_EQ(c16["empty"], 1);
  EXPECT_EQ(c16["partial"], 2);
  EXPECT_DOUBLE_EQ(c16["meanOccupancy"].get<double>(), 0.6);
  EXPECT_EQ(c16["pagesNeeded"], 3);
  EXPECT_EQ(p["classes"]["16"]["kind"], "fixedBlock");
  EXPECT_EQ(p["classes"]["16"]["blockBytes"], 128);
  EXPECT_EQ(p["classes"]["singleObjectPages"]["kind"], "singleObject");
  // after GC 1 compaction: 9 pages needed of 12, one 256 KiB page saved in bytes (single-object excluded).
  EXPECT_EQ(g["after"]["compaction"]["pagesNeeded"], 9);
  EXPECT_EQ(g["after"]["compaction"]["pagesSaved"], 3);
  EXPECT_EQ(g["after"]["compaction"]["bytesSaved"], 262144);
  EXPECT_EQ(g["releasedByClass"], (json{{"16", 1}, {"nextFitPages", 1}, {"singleObjectPages", 1}}));

  const std::string text = lsp::reportText(*d);
  EXPECT_NE(text.find("Heap timeline"), std::string::npos);
  EXPECT_NE(text.find("GCs (pages before → after"), std::string::npos);
  EXPECT_NE(text.find("15 → 12"), std::string::npos);
  EXPECT_NE(text.find("Size classes in GC 2"), std::string::npos);
}

TEST(PageDumpReport, ErrorsAreListedWithColumns) {
  auto d = load("pagedump/malformed/pages.txt");
  json p = lsp::reportJson(*d)["pageDump"];
  ASSERT_EQ(p["errors"].size(), 11u);
  const json& tok = p["errors"][5];  // line 12, `x` at column 7
  EXPECT_EQ(tok["line"], 12);
  EXPECT_EQ(tok["column"], 7);
  EXPECT_EQ(tok["endColumn"], 8);
  EXPECT_TRUE(lsp::reportText(*d).find("Problems (line: what was expected)") != std::string::npos);
}

TEST(PageDumpReport, OtherDumpsHaveNoPageDumpSection) {
  auto d = load("go/leakcache-go1.22.heapdump");
  EXPECT_FALSE(lsp::reportJson(*d).contains("pageDump"));
  EXPECT_FALSE(lsp::hasPageDumpView(*d));
}

TEST(PageDumpHtml, SelfContainedUnderAStrictPolicy) {
  auto d = load("pagedump/seed-template.txt");
  lsp::HtmlOptions o;
  o.nonce = "n0nceTEST";
  o.cspSource = "vscode-webview://abc";
  const std::string html = lsp::pageDumpHtml(*d, o);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(html.find("script-src 'nonce-n0nceTEST';"), std::string::npos);
  EXPECT_NE(html.find("style-src 'nonce-n0nceTEST' vscode-webview://abc"), std::string::npos);
  EXPECT_NE(html.find("<script nonce=\"n0nceTEST\">"), std::string::npos);
  EXPECT_NE(html.find("<style nonce=\"n0nceTEST\">"), std::string::npos);
  EXPECT_NE(html.find("<script type=\"application/json\" id=\"heaplens-data\">"), std::string::npos);
  // Nothing is fetched: no src= or href= anywhere, and no inline handlers in the markup.
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  const std::string markup = html.substr(0, html.find("<style"));
  EXPECT_FALSE(std::regex_search(markup, std::regex("\\son[a-z]+=")));
  // A random nonce when none is given, different each time.
  const std::string a = lsp::pageDumpHtml(*d), b = lsp::pageDumpHtml(*d);
  auto nonce = [](const std::string& h) {
    std::smatch m;
    std::regex_search(h, m, std::regex("nonce-([A-Za-z0-9]+)"));
    return m[1].str();
  };
  EXPECT_EQ(nonce(a).size(), 32u);
  EXPECT_NE(nonce(a), nonce(b));
}

TEST(PageDumpHtml, DumpTextCannotCloseTheDataBlock) {
  auto d = pagedump::parsePageDump("phase1: heap use\n100,</script><script>alert(1)</script>\n200,<!--x\n", {}, {});
  d->path = "/tmp/x<b>\"&.txt";
  const std::string html = lsp::pageDumpHtml(*d);
  EXPECT_EQ(html.find("alert(1)</script>"), std::string::npos);
  EXPECT_EQ(html.find("<!--x"), std::string::npos);
  EXPECT_NE(html.find("\\u003c/script>\\u003cscript>alert(1)"), std::string::npos);
  EXPECT_NE(html.find("<title>HeapLens: x&lt;b&gt;&quot;&amp;.txt</title>"), std::string::npos);
  // The data block parses as JSON with the text intact.
  const size_t start = html.find("id=\"heaplens-data\">") + std::strlen("id=\"heaplens-data\">");
  const json data = json::parse(html.substr(start, html.find("</script>", start) - start));
  EXPECT_EQ(data["timeline"]["labels"][0], "</script><script>alert(1)</script>");
  EXPECT_EQ(data["timeline"]["b"], (json{100, 200}));
  EXPECT_EQ(data["timeline"]["firstLine"], 2);
}
