// GeneratedSourcesTests: the base64-VLQ decoder against segments decoded by hand, the map reader
// against Mozilla's source-map (tests/data/js/ts-app/oracle.json, written by its regenerate.sh), the
// sourceMappingURL comment, and broken maps that keep the generated lines with a warning.
#include "analysis/GeneratedSources.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace heaplens {
namespace {

namespace fs = std::filesystem;

const fs::path kApp = fs::path(HEAPLENS_TEST_DATA) / "js/ts-app";

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeText(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

MappingSegment seg(uint32_t col, int32_t source, uint32_t line, uint32_t ocol, int32_t name = -1) {
  return MappingSegment{col, source, line, ocol, name};
}

// "AAAA,SAASA;AACA" by hand: A = 0. S = 18 = 0b010010: no continuation bit (32), sign bit 0, so +9.
// C = 2: +1. Fields are deltas: the generated column against the previous segment of its line (0 at
// each ';'), source / original line / original column / name against the previous segment anywhere.
//   line 0: [0,0,0,0]   -> column 0 -> source 0, line 0, column 0
//           [9,0,0,9,0] -> column 9 -> source 0, line 0, column 9, name 0
//   line 1: [0,0,1,0]   -> column 0 -> source 0, line 1, column 9
TEST(Vlq, DecodesSegmentsComputedByHand) {
  DecodedMappings m = decodeMappings("AAAA,SAASA;AACA", 1, 1);
  ASSERT_FALSE(m.error) << *m.error;
  ASSERT_EQ(m.lines.size(), 2u);
  EXPECT_EQ(m.lines[0], (std::vector<MappingSegment>{seg(0, 0, 0, 0), seg(9, 0, 0, 9, 0)}));
  EXPECT_EQ(m.lines[1], (std::vector<MappingSegment>{seg(0, 0, 1, 9)}));
}

// Multi-digit and negative values: "2H" = '2' (54 = 32 + 22: continuation, low bits 22) then 'H'
// (7, 7 << 5 = 224): 246, sign bit 0, +123. "gB" = 'g' (32: continuation, 0) then 'B' (1 << 5):
// 32, +16. "I" = 8: +4. "D" = 3: sign bit 1, -1. "E" = 4: +2.
TEST(Vlq, DecodesNegativeDeltas) {
  // [123,0,16,4] then [-1,0,-1,-1]: the second segment is at column 122, line 15, column 3, which sorts
  // it before the first. Then a 1-field segment "E" (+2) on the next line: column 2, no source.
  DecodedMappings m = decodeMappings("2HAgBI,DADD;E", 1, 0);
  ASSERT_FALSE(m.error) << *m.error;
  ASSERT_EQ(m.lines.size(), 2u);
  EXPECT_EQ(m.lines[0], (std::vector<MappingSegment>{seg(122, 0, 15, 3), seg(123, 0, 16, 4)}));
  EXPECT_EQ(m.lines[1], (std::vector<MappingSegment>{seg(2, -1, 0, 0)}));
}

TEST(Vlq, EmptyLinesAndSegmentsAreKept) {
  DecodedMappings m = decodeMappings(";;AAAA,,CAAC;", 1, 0);
  ASSERT_FALSE(m.error) << *m.error;
  ASSERT_EQ(m.lines.size(), 4u);
  EXPECT_TRUE(m.lines[0].empty());
  EXPECT_EQ(m.lines[2], (std::vector<MappingSegment>{seg(0, 0, 0, 0), seg(1, 0, 0, 1)}));
}

TEST(Vlq, BadInputSaysWhatAndWhere) {
  struct Case {
    const char* mappings;
    const char* where;
    const char* what;
  };
  for (const Case& c : {
           Case{"AAAA,SA", "generated line 1, segment 2", "2 fields; expected 1, 4 or 5"},
           Case{"AAAA;AAAg", "generated line 2, segment 1", "cut short"},
           Case{"AA!A", "generated line 1, segment 1", "not a base64 digit (byte 0x21)"},
           Case{"AAAA,AEAA", "generated line 1, segment 2", "source index 2 is out of range (the map has 1 source)"},
           Case{"AAAAC", "generated line 1, segment 1", "name index 1 is out of range (the map has 1 name)"},
           Case{"AAAA,AADA", "segment 2", "the original line becomes negative"},
           Case{"D", "segment 1", "the generated column becomes negative"},
           Case{"gggggggggA", "segment 1", "does not fit in 32 bits"},
           Case{"AAAAAA", "segment 1", "more than 5 fields"},
       }) {
    DecodedMappings m = decodeMappings(c.mappings, 1, 1);
    ASSERT_TRUE(m.error) << c.mappings;
    EXPECT_NE(m.error->find("/mappings: "), std::string::npos) << *m.error;
    EXPECT_NE(m.error->find(c.where), std::string::npos) << c.mappings << ": " << *m.error;
    EXPECT_NE(m.error->find(c.what), std::string::npos) << c.mappings << ": " << *m.error;
  }
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(decodeBase64("eyJ2IjozfQ=="), std::optional<std::string>("{\"v\":3}"));
  EXPECT_EQ(decodeBase64("eyJ2IjozfQ"), std::optional<std::string>("{\"v\":3}"));
  EXPECT_EQ(decodeBase64("aGk="), std::optional<std::string>("hi"));
  EXPECT_FALSE(decodeBase64("a$k="));
  EXPECT_FALSE(decodeBase64("aG=k"));
}

TEST(ScriptMapParse, ResolvesSourcesAgainstTheMapAndSourceRoot) {
  std::string error;
  auto map = ScriptMap::parse(R"({"version":3,"sourceRoot":"../src","sources":["a.ts","/abs/b.ts","webpack:///./lib/c.ts"],)"
                              R"("names":["x"],"mappings":"AAAA,SAASA;AACA"})",
                              "/w/app/out", error);
  ASSERT_TRUE(map) << error;
  EXPECT_EQ(map->sources(), (std::vector<std::string>{"/w/app/src/a.ts", "/abs/b.ts", "lib/c.ts"}));
  // GREATEST_LOWER_BOUND: the segment at or before the column.
  auto at = [&](uint32_t line, uint32_t col) { return map->originalPositionFor(line, col); };
  ASSERT_TRUE(at(0, 0));
  EXPECT_EQ(at(0, 0)->column, 0u);
  EXPECT_EQ(at(0, 8)->column, 0u);
  EXPECT_EQ(at(0, 9)->column, 9u);
  EXPECT_EQ(at(0, 9)->name, "x");
  EXPECT_EQ(at(0, 500)->column, 9u);
  EXPECT_EQ(at(1, 3)->line, 1u);
  EXPECT_EQ(at(1, 3)->source, "/w/app/src/a.ts");
  EXPECT_FALSE(at(2, 0));  // past the mapped lines
}

TEST(ScriptMapParse, NoSegmentAtOrBeforeTheColumnIsNoAnswerUnlessTheColumnIsUnknown) {
  std::string error;
  auto map = ScriptMap::parse(R"({"version":3,"sources":["a.ts"],"mappings":"I,CAAE"})", "/w", error);
  ASSERT_TRUE(map) << error;
  EXPECT_FALSE(map->originalPositionFor(0, 3));      // first segment at column 4
  EXPECT_FALSE(map->originalPositionFor(0, 4));      // a 1-field segment: no source
  ASSERT_TRUE(map->originalPositionFor(0, 5));
  EXPECT_EQ(map->originalPositionFor(0, 5)->column, 2u);
  ASSERT_TRUE(map->originalPositionFor(0, 0, false));  // unknown column: the first segment with a source
  EXPECT_EQ(map->originalPositionFor(0, 0, false)->column, 2u);
}

TEST(ScriptMapParse, BadMapsSayWhereInTheJson) {
  struct Case {
    const char* json;
    const char* what;
  };
  for (const Case& c : {
           Case{R"({"version":3,"sources":["a.ts"],"mappings":"AAAA")", "not JSON (at byte "},
           Case{R"([1,2])", "/: expected a JSON object"},
           Case{R"({"version":2,"sources":[],"mappings":""})", "/version: expected 3"},
           Case{R"({"version":3,"sources":["a.ts",7],"mappings":""})", "/sources/1: expected a string"},
           Case{R"({"version":3,"mappings":""})", "/sources: expected an array"},
           Case{R"({"version":3,"sources":[],"names":[1],"mappings":""})", "/names/0: expected a string"},
           Case{R"({"version":3,"sources":[]})", "/mappings: expected a string"},
           Case{R"({"version":3,"sections":[]})", "/sections: an indexed source map"},
           Case{R"({"version":3,"sources":["a.ts"],"mappings":"AAAA;ACAA"})",
                "/mappings: generated line 2, segment 1 (character 5 of mappings): source index 1 is out of range"},
       }) {
    std::string error;
    EXPECT_FALSE(ScriptMap::parse(c.json, "/w", error)) << c.json;
    EXPECT_NE(error.find(c.what), std::string::npos) << c.json << ": " << error;
  }
}

TEST(SourceMappingUrl, ReadsTheLastLineOnly) {
  EXPECT_EQ(sourceMappingUrl((kApp / "out/session.js").string()), std::optional<std::string>("session.js.map"));
  EXPECT_EQ(sourceMappingUrl((kApp / "bundle/bundle.js").string()), std::optional<std::string>("bundle.js.map"));
  std::optional<std::string> inlineUrl = sourceMappingUrl((kApp / "inline/bundle.js").string());
  ASSERT_TRUE(inlineUrl);
  EXPECT_TRUE(inlineUrl->starts_with("data:application/json;base64,"));
  EXPECT_GT(inlineUrl->size(), 4096u);  // longer than the first block read from the end

  const fs::path dir = fs::temp_directory_path() / ("heaplens-smurl-" + std::to_string(::getpid()));
  writeText(dir / "old.js", "x();\n//@ sourceMappingURL=old.js.map\n\n  \n");
  writeText(dir / "none.js", "x();\n");
  writeText(dir / "earlier.js", "//# sourceMappingURL=a.map\nx();\n");
  writeText(dir / "empty.js", "");
  EXPECT_EQ(sourceMappingUrl((dir / "old.js").string()), std::optional<std::string>("old.js.map"));
  EXPECT_FALSE(sourceMappingUrl((dir / "none.js").string()));
  EXPECT_FALSE(sourceMappingUrl((dir / "earlier.js").string()));
  EXPECT_FALSE(sourceMappingUrl((dir / "empty.js").string()));
  EXPECT_FALSE(sourceMappingUrl((dir / "missing.js").string()));
  fs::remove_all(dir);
}

// Every position regenerate.sh asked Mozilla's source-map for, in tsc's output and esbuild's bundle,
// gets the same original source, line and column here; and the inline map the same as the file map.
TEST(SourceMapOracle, AgreesWithMozillaSourceMap) {
  const nlohmann::json oracle = nlohmann::json::parse(readText(kApp / "oracle.json"));
  GeneratedSources maps;
  size_t checked = 0, mapped = 0;
  for (const auto& [file, cases] : oracle.at("files").items()) {
    const fs::path js = kApp / file;
    const fs::path mapDir = js.parent_path();
    ASSERT_TRUE(maps.mapOf(js.string())) << file;
    const bool bundle = file == "bundle/bundle.js";
    for (const auto& c : cases) {
      const uint32_t line1 = c[0].get<uint32_t>(), column = c[1].get<uint32_t>();
      std::optional<OriginalPosition> got = maps.original(js.string(), line1 - 1, column);
      SCOPED_TRACE(file + ":" + std::to_string(line1) + ":" + std::to_string(column));
      if (c[2].is_null()) {
        EXPECT_FALSE(got) << got->source << ":" << got->line;
      } else {
        ASSERT_TRUE(got);
        EXPECT_EQ(got->source, (mapDir / c[2].get<std::string>()).lexically_normal().string());
        EXPECT_EQ(got->line + 1, c[3].get<uint32_t>());
        EXPECT_EQ(got->column, c[4].get<uint32_t>());
        ++mapped;
      }
      if (bundle) {
        std::optional<OriginalPosition> viaInline = maps.original((kApp / "inline/bundle.js").string(), line1 - 1, column);
        EXPECT_EQ(viaInline.has_value(), got.has_value());
        if (viaInline && got) {
          EXPECT_EQ(viaInline->source, got->source);
          EXPECT_EQ(viaInline->line, got->line);
          EXPECT_EQ(viaInline->column, got->column);
        }
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000u);
  EXPECT_GT(mapped, 500u);
  EXPECT_TRUE(maps.warnings().empty());
}

// A site table with locations in a generated file: a good map moves them, a broken one keeps them
// and says which file, what and where.
class FollowTest : public ::testing::Test {
protected:
  fs::path dir = fs::temp_directory_path() / ("heaplens-follow-" + std::to_string(::getpid()));
  void SetUp() override {
    fs::remove_all(dir);
    // Generated line 3 (0-based 2), column 4 comes from a.ts line 10 (0-based 9), column 2.
    writeText(dir / "src/a.ts", "// a.ts\n");
    writeText(dir / "out/a.js", "one;\ntwo;\n    three;\n//# sourceMappingURL=a.js.map\n");
  }
  void TearDown() override { fs::remove_all(dir); }

  SiteTable table;
  LocationId add(const std::string& file, uint32_t line, uint32_t column) {
    return SiteTableBuilder(table).addLocation("f", file, line, column);
  }
};

TEST_F(FollowTest, AGoodMapMovesTheLocation) {
  writeText(dir / "out/a.js.map", R"({"version":3,"sources":["../src/a.ts"],"mappings":";;IASE"})");
  const LocationId moved = add((dir / "out/a.js").string(), 3, 5);      // 1-based line 3, column 5
  const LocationId past = add((dir / "out/a.js").string(), 2, 1);       // a line without segments
  const LocationId other = add((dir / "src/a.ts").string(), 4, 1);      // not generated
  std::vector<std::string> warnings;
  SourceMapStats stats = followSourceMaps(table, existingRecordedFile, warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(stats.mappedLocations, 1u);
  EXPECT_EQ(stats.generatedFiles, 1u);
  EXPECT_EQ(table.str(table.location(moved).file), (dir / "src/a.ts").string());
  EXPECT_EQ(table.location(moved).line, 10u);
  EXPECT_EQ(table.location(moved).column, 3u);
  EXPECT_EQ(table.str(table.location(past).file), (dir / "out/a.js").string());
  EXPECT_EQ(table.location(past).line, 2u);
  EXPECT_EQ(table.location(other).line, 4u);
}

TEST_F(FollowTest, ABrokenMapKeepsTheGeneratedLineAndSaysWhy) {
  struct Case {
    std::string map;
    std::string what;
  };
  for (const Case& c : {
           Case{R"({"version":3,"sources":["../src/a.ts"],"mappings":";;IA!SE"})",
                "/mappings: generated line 3, segment 1 (character 4 of mappings): not a base64 digit"},
           Case{R"({"version":3,"sources":["../src/a.ts"],"mappings":";;ICSE"})",
                "/mappings: generated line 3, segment 1 (character 2 of mappings): source index 1 is out of range"},
           Case{R"({"version":3,"sources":["../src/a.ts"],"mappings":)", "not JSON (at byte "},
       }) {
    writeText(dir / "out/a.js.map", c.map);
    table = SiteTable{};
    const LocationId l = add((dir / "out/a.js").string(), 3, 5);
    std::vector<std::string> warnings;
    SourceMapStats stats = followSourceMaps(table, existingRecordedFile, warnings);
    EXPECT_EQ(stats.mappedLocations, 0u);
    EXPECT_EQ(table.str(table.location(l).file), (dir / "out/a.js").string());
    EXPECT_EQ(table.location(l).line, 3u);
    ASSERT_EQ(warnings.size(), 1u) << c.map;
    EXPECT_NE(warnings[0].find("the source map " + (dir / "out/a.js.map").string() + " (named by " +
                               (dir / "out/a.js").string() + ")"),
              std::string::npos)
        << warnings[0];
    EXPECT_NE(warnings[0].find(c.what), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("its locations stay on the generated lines"), std::string::npos) << warnings[0];
  }
}

TEST_F(FollowTest, AMissingMapFileIsAWarningAndAnInlineMapIsRead) {
  table = SiteTable{};
  const LocationId l = add((dir / "out/a.js").string(), 3, 5);
  std::vector<std::string> warnings;
  followSourceMaps(table, existingRecordedFile, warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("a.js.map (named by " + (dir / "out/a.js").string() + "): cannot open it"), std::string::npos)
      << warnings[0];
  EXPECT_EQ(table.location(l).line, 3u);

  // The same map inline: {"version":3,"sources":["../src/a.ts"],"mappings":";;IASE"} in base64.
  writeText(dir / "out/a.js",
            "one;\ntwo;\n    three;\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,"
            "eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbIi4uL3NyYy9hLnRzIl0sIm1hcHBpbmdzIjoiOztJQVNFIn0=\n");
  table = SiteTable{};
  const LocationId m = add((dir / "out/a.js").string(), 3, 5);
  warnings.clear();
  followSourceMaps(table, existingRecordedFile, warnings);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  EXPECT_EQ(table.str(table.location(m).file), (dir / "src/a.ts").string());
  EXPECT_EQ(table.location(m).line, 10u);
}

}  // namespace
}  // namespace heaplens
