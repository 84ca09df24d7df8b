// HeapLensProtocolTests: every custom type writes exactly the fields its spec (and so the generated
// TypeScript) declares: required ones always, optional ones only when set.
#include "protocol/HeapLensProtocol.h"

#include <gtest/gtest.h>

#include <set>

#include "protocol/Message.h"

namespace heaplens::protocol {
namespace {

using nlohmann::json;

const TypeSpec& spec(const std::string& name) {
  for (const TypeSpec& t : heapLensTypes())
    if (t.name == name) return t;
  throw std::runtime_error("no spec for " + name);
}

// The keys written, against the spec: every required field present, nothing undeclared.
void expectMatchesSpec(const json& j, const std::string& type, bool allOptionalSet) {
  SCOPED_TRACE(type + ": " + j.dump());
  ASSERT_TRUE(j.is_object());
  std::set<std::string> declared;
  for (const FieldSpec& f : spec(type).fields) {
    declared.insert(f.name);
    if (!f.optional || allOptionalSet) {
      EXPECT_TRUE(j.contains(f.name)) << f.name << " is missing";
    }
  }
  for (const auto& [key, value] : j.items()) EXPECT_TRUE(declared.count(key)) << key << " is not in the spec";
}

TEST(HeapLensProtocol, EachTypeWritesExactlyItsSpecsFields) {
  DumpSummary minimal;
  expectMatchesSpec(json(minimal), "DumpSummary", false);
  DumpSummary full;
  full.snapshot = 2;
  full.attributionProblem = "no memory profile";
  full.baseline = "/base";
  full.executable = "/bin/app";
  expectMatchesSpec(json(full), "DumpSummary", true);
  expectMatchesSpec(json(SummaryResult{{full}, {"/a"}}), "SummaryResult", true);
  expectMatchesSpec(json(UnloadResult{"/a"}), "UnloadResult", true);
  RetainersParams rp{TextDocumentIdentifier{"file:///a.go"}, Position{1, 2}, std::string("/d"), 7u, 3u};
  expectMatchesSpec(json(rp), "RetainersParams", true);
  RetainerStep step;
  expectMatchesSpec(json(step), "RetainerStep", false);
  step.location = Location{"file:///a.go", {}};
  expectMatchesSpec(json(step), "RetainerStep", true);
  expectMatchesSpec(json(RetainerPath{"/d", "root → x", false, {step}}), "RetainerPath", true);
  RetainersResult rr;
  expectMatchesSpec(json(rr), "RetainersResult", false);
  rr.message = "none";
  expectMatchesSpec(json(rr), "RetainersResult", true);
  expectMatchesSpec(json(FormatInfo{"go", "Go", {"heapdump"}, {"go"}, true}), "FormatInfo", true);
  expectMatchesSpec(json(FormatsResult{}), "FormatsResult", true);
  BrowseParams bp;
  expectMatchesSpec(json(bp), "BrowseParams", false);
  bp.sortBy = "retained";
  bp.node = 3;
  expectMatchesSpec(json(bp), "BrowseParams", true);
  SiteItem site;
  expectMatchesSpec(json(site), "SiteItem", false);
  site.node = 4;
  site.location = Location{"file:///a.go", {}};
  expectMatchesSpec(json(site), "SiteItem", true);
  TypeItem type;
  expectMatchesSpec(json(type), "TypeItem", false);
  type.countDelta = 2000;
  type.sizeDelta = 80000;
  type.node = 5;
  type.location = Location{"file:///a.js", {}};
  expectMatchesSpec(json(type), "TypeItem", true);
  DominatorItem dom;
  expectMatchesSpec(json(dom), "DominatorItem", false);
  dom.location = Location{"file:///a.go", {}};
  expectMatchesSpec(json(dom), "DominatorItem", true);
  expectMatchesSpec(json(TopSitesResult{1, {site}}), "TopSitesResult", true);
  expectMatchesSpec(json(TypesResult{1, true, {type}}), "TypesResult", true);
  expectMatchesSpec(json(DominatorsResult{1, {dom}}), "DominatorsResult", true);
  PageDumpHtmlParams ph{"/d", "abcdefghijklmnop0123", std::nullopt};
  expectMatchesSpec(json(ph), "PageDumpHtmlParams", false);
  ph.cspSource = "https://webview.example";
  expectMatchesSpec(json(ph), "PageDumpHtmlParams", true);
  expectMatchesSpec(json(PageDumpHtmlResult{"<html>"}), "PageDumpHtmlResult", true);
  LoadDumpArgument la{"/a", 1u, std::string("/base"), std::string("/bin/app")};
  expectMatchesSpec(json(la), "LoadDumpArgument", true);
}

TEST(HeapLensProtocol, LoadDumpArgumentReadsBackAndSaysWhatIsWrong) {
  auto a = json{{"path", "/x"}, {"snapshot", 3}}.get<LoadDumpArgument>();
  EXPECT_EQ(a.path, "/x");
  EXPECT_EQ(a.snapshot, 3u);
  EXPECT_FALSE(a.baseline);
  EXPECT_FALSE(a.executable);
  auto b = json{{"path", "/x"}, {"baseline", "/b"}, {"executable", "/bin/app"}}.get<LoadDumpArgument>();
  EXPECT_EQ(b.baseline, std::optional<std::string>("/b"));
  EXPECT_EQ(b.executable, std::optional<std::string>("/bin/app"));
  try {
    (void)json{{"path", "/x"}, {"baseline", 7}}.get<LoadDumpArgument>();
    FAIL() << "a baseline that is not a path must be refused";
  } catch (const ParamsError& e) {
    EXPECT_NE(std::string(e.what()).find("baseline"), std::string::npos) << e.what();
  }
  try {
    (void)json{{"path", "/x"}, {"snapshot", -1}}.get<LoadDumpArgument>();
    FAIL() << "a negative snapshot must be refused";
  } catch (const ParamsError& e) {
    EXPECT_NE(std::string(e.what()).find("snapshot"), std::string::npos) << e.what();
  }
}

TEST(HeapLensProtocol, BrowseParamsAreCheckedWithTheirPlace) {
  auto p = json{{"dump", "/d"}, {"sortBy", "count"}, {"offset", 100}, {"limit", 50}}.get<BrowseParams>();
  EXPECT_EQ(p.dump, "/d");
  EXPECT_EQ(p.sortBy, "count");
  EXPECT_EQ(p.offset, 100u);
  EXPECT_EQ(p.limit, 50u);
  EXPECT_FALSE(p.node);
  const json onlyDump = {{"dump", "/d"}};
  EXPECT_EQ(onlyDump.get<BrowseParams>().limit, 100u);
  try {
    const json tooMany = {{"dump", "/d"}, {"limit", 5000}};
    (void)tooMany.get<BrowseParams>();
    FAIL() << "a limit of 5000 was accepted";
  } catch (const ParamsError& e) {
    EXPECT_NE(std::string(e.what()).find("/limit"), std::string::npos) << e.what();
  }
  const json noDump = {{"sortBy", "count"}};
  EXPECT_THROW((void)noDump.get<BrowseParams>(), ParamsError);
}

TEST(HeapLensProtocol, TheTypeScriptNamesEveryTypeAndField) {
  const std::string ts = typescriptDeclarations();
  for (const TypeSpec& t : heapLensTypes()) {
    EXPECT_NE(ts.find("export interface " + t.name + " {"), std::string::npos) << t.name;
    for (const FieldSpec& f : t.fields)
      EXPECT_NE(ts.find("  " + f.name + (f.optional ? "?" : "") + ": " + f.tsType + ";"), std::string::npos)
          << t.name << "." << f.name;
  }
}

}  // namespace
}  // namespace heaplens::protocol
