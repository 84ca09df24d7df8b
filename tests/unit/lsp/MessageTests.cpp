// MessageTests: JSON-RPC classification, error shapes, and params errors with JSON paths.
#include "protocol/Message.h"

#include <gtest/gtest.h>

#include "protocol/LspTypes.h"

using namespace heaplens::protocol;

namespace {

TEST(MessageTests, ClassifiesRequestsNotificationsResponses) {
  auto r = classify(json::parse(R"({"jsonrpc":"2.0","id":1,"method":"m","params":{"a":1}})"));
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  EXPECT_EQ(std::get<Request>(r).id, 1);
  EXPECT_EQ(std::get<Request>(r).method, "m");
  auto s = classify(json::parse(R"({"jsonrpc":"2.0","id":"x","method":"m"})"));
  ASSERT_TRUE(std::holds_alternative<Request>(s));
  EXPECT_TRUE(std::get<Request>(s).params.is_null());
  EXPECT_TRUE(std::holds_alternative<Notification>(classify(json::parse(R"({"jsonrpc":"2.0","method":"n"})"))));
  auto resp = classify(json::parse(R"({"jsonrpc":"2.0","id":3,"result":null})"));
  ASSERT_TRUE(std::holds_alternative<Response>(resp));
  EXPECT_TRUE(std::get<Response>(resp).result.has_value());
  auto err = classify(json::parse(R"({"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"x"}})"));
  ASSERT_TRUE(std::holds_alternative<Response>(err));
  EXPECT_TRUE(std::get<Response>(err).error.has_value());
}

TEST(MessageTests, InvalidMessagesKeepTheIdWhenItCanBeRead) {
  struct Case {
    const char* text;
    json id;
    const char* reason;
  } cases[] = {
      {R"([1])", nullptr, "must be an object"},
      {R"({"jsonrpc":"2.0"})", nullptr, "needs \"method\""},
      {R"({"jsonrpc":"1.0","id":7,"method":"m"})", 7, "jsonrpc"},
      {R"({"id":7,"method":"m"})", 7, "jsonrpc"},
      {R"({"jsonrpc":"2.0","id":7,"method":1})", 7, "\"method\" must be a string"},
      {R"({"jsonrpc":"2.0","id":[7],"method":"m"})", nullptr, "\"id\" must be"},
      {R"({"jsonrpc":"2.0","id":1.5,"method":"m"})", nullptr, "\"id\" must be"},
      {R"({"jsonrpc":"2.0","id":null,"method":"m"})", nullptr, "\"id\" must be"},
      {R"({"jsonrpc":"2.0","id":7,"method":"m","params":3})", 7, "\"params\" must be"},
      {R"({"jsonrpc":"2.0","id":7,"result":1,"error":{}})", 7, "exactly one"},
  };
  for (const auto& c : cases) {
    auto m = classify(json::parse(c.text));
    ASSERT_TRUE(std::holds_alternative<InvalidMessage>(m)) << c.text;
    EXPECT_EQ(std::get<InvalidMessage>(m).id, c.id) << c.text;
    EXPECT_NE(std::get<InvalidMessage>(m).reason.find(c.reason), std::string::npos)
        << c.text << " -> " << std::get<InvalidMessage>(m).reason;
  }
}

TEST(MessageTests, ErrorsSerialiseWithCodeMessageAndData) {
  json e = makeError(5, ResponseError(ErrorCode::RequestFailed, "boom", json{{"offset", 12}}));
  EXPECT_EQ(e["jsonrpc"], "2.0");
  EXPECT_EQ(e["id"], 5);
  EXPECT_EQ(e["error"]["code"], -32803);
  EXPECT_EQ(e["error"]["message"], "boom");
  EXPECT_EQ(e["error"]["data"]["offset"], 12);
  json n = makeError(nullptr, ResponseError(ErrorCode::ParseError, "x"));
  EXPECT_TRUE(n["id"].is_null());
  EXPECT_FALSE(n["error"].contains("data"));
  EXPECT_TRUE(makeResult(1, nullptr).contains("result"));  // result must be present even when null
}

TEST(MessageTests, ParamsErrorsNameThePathAndTheExpectation) {
  json params = json::parse(R"({"textDocument":{"uri":"file:///a"},"position":{"line":"3","character":0}})");
  try {
    params.get<TextDocumentPositionParams>();
    FAIL() << "no error";
  } catch (const ParamsError& e) {
    EXPECT_EQ(e.path, "/position/line");
    EXPECT_EQ(std::string(invalidParams("textDocument/hover", e).what()),
              "invalid params of textDocument/hover: /params/position/line: expected integer, got string");
  }
}

TEST(MessageTests, MissingAndMistypedFields) {
  auto pathOf = [](const char* text) -> std::string {
    try {
      json::parse(text).get<TextDocumentPositionParams>();
    } catch (const ParamsError& e) {
      return e.path + " | " + e.expected;
    }
    return "no error";
  };
  EXPECT_EQ(pathOf(R"({"position":{"line":0,"character":0}})"), "/textDocument | object, got nothing");
  EXPECT_EQ(pathOf(R"({"textDocument":[],"position":{"line":0,"character":0}})"), "/textDocument | object, got array");
  EXPECT_EQ(pathOf(R"({"textDocument":{"uri":1},"position":{"line":0,"character":0}})"), "/textDocument/uri | string, got integer");
  EXPECT_EQ(pathOf(R"({"textDocument":{"uri":"u"},"position":{"line":0}})"), "/position/character | integer, got nothing");
  EXPECT_EQ(pathOf(R"({"textDocument":{"uri":"u"},"position":{"line":4294967296,"character":0}})").substr(0, 16), "/position/line |");
  EXPECT_EQ(pathOf(R"({"textDocument":{"uri":"u"},"position":{"line":1.5,"character":0}})"), "/position/line | integer, got number");
  EXPECT_EQ(pathOf(R"({"textDocument":{"uri":"u"},"position":{"line":3,"character":4}})"), "no error");
}

TEST(MessageTests, JsonPointerEscapesKeys) {
  ParamsError e("/x", "integer");
  EXPECT_EQ(e.within("a/b~c").path, "/a~1b~0c/x");
  EXPECT_EQ(e.within(size_t{3}).path, "/3/x");
}

TEST(MessageTests, LspTypesRoundTrip) {
  CodeLens lens;
  lens.range = {{1, 2}, {1, 9}};
  lens.command = Command{"10,000 objects", "heaplens.showRetainers", json::array({json{{"site", 3}}})};
  json j = lens;
  EXPECT_EQ(j["range"]["start"]["line"], 1);
  EXPECT_EQ(j["command"]["arguments"][0]["site"], 3);
  EXPECT_FALSE(j.contains("data"));
  auto back = j.get<CodeLens>();
  EXPECT_EQ(back.range, lens.range);
  ASSERT_TRUE(back.command);
  EXPECT_EQ(back.command->command, "heaplens.showRetainers");

  Diagnostic d;
  d.range = {{2, 0}, {2, 5}};
  d.severity = DiagnosticSeverity::Warning;
  d.code = "retained-heap";
  d.message = "m";
  DiagnosticRelatedInformation& related = d.relatedInformation.emplace_back();
  related.location.uri = "file:///a.go";
  related.location.range = {{0, 0}, {0, 1}};
  related.message = "via";
  json dj = d;
  EXPECT_EQ(dj["severity"], 2);
  EXPECT_EQ(dj["source"], "heaplens");
  EXPECT_EQ(dj["relatedInformation"][0]["location"]["uri"], "file:///a.go");
  EXPECT_FALSE(dj.contains("tags"));  // never "Unnecessary": it would fade the hotspot line

  Hover h{{"markdown", "**x**"}, std::nullopt};
  json hj = h;
  EXPECT_EQ(hj["contents"]["kind"], "markdown");
  EXPECT_FALSE(hj.contains("range"));
}

TEST(MessageTests, ToTextReplacesInvalidUtf8InsteadOfThrowing) {
  // A type name from a dump with a stray 0xff byte, and a truncated 3-byte sequence at the end.
  json j = {{"name", std::string("T\xff") + "x"}, {"tail", std::string("a\xe2\x80")}, {"ok", "\xe2\x80\x94"}};
  std::string text;
  ASSERT_NO_THROW(text = toText(j));
  json back = json::parse(text);  // valid UTF-8 again, so it parses
  EXPECT_EQ(back["name"], "T\xef\xbf\xbdx");
  EXPECT_EQ(back["tail"].get<std::string>().substr(0, 1), "a");
  EXPECT_NE(back["tail"].get<std::string>().find("\xef\xbf\xbd"), std::string::npos);
  EXPECT_EQ(back["ok"], "\xe2\x80\x94");  // valid text is kept as it is, not escaped
  EXPECT_EQ(toText(json{{"a", 1}}, 2), "{\n  \"a\": 1\n}");
}

}  // namespace
