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
