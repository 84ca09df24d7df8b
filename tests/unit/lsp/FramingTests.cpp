// FramingTests: the Content-Length parser on split input, header variants and every framing error.
#include "protocol/Framing.h"

#include <gtest/gtest.h>

using heaplens::protocol::FrameEvent;
using heaplens::protocol::FrameParser;

namespace {

std::vector<FrameEvent> drain(FrameParser& p) {
  std::vector<FrameEvent> out;
  while (auto e = p.next()) out.push_back(*e);
  return out;
}

std::string frame(const std::string& body) { return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body; }

TEST(FramingTests, ByteByByteInputGivesWholeBodies) {
  FrameParser p;
  std::string input = frame("{\"a\":1}") + frame("{\"b\":\"\xe2\x80\x94\"}");
  std::vector<FrameEvent> events;
  for (char c : input) {
    p.feed(std::string_view(&c, 1));
    for (auto& e : drain(p)) events.push_back(e);
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Body);
  EXPECT_EQ(events[0].text, "{\"a\":1}");
  EXPECT_EQ(events[1].text, "{\"b\":\"\xe2\x80\x94\"}");
  EXPECT_FALSE(p.finish());
}

TEST(FramingTests, HeadersInAnyOrderAndCaseUnknownIgnoredLastLengthWins) {
  FrameParser p;
  p.feed("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nX-Other: 1\r\ncontent-LENGTH: 99\r\nContent-Length:  2 \r\n\r\n{}");
  auto events = drain(p);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Body);
  EXPECT_EQ(events[0].text, "{}");
}

TEST(FramingTests, EmptyBody) {
  FrameParser p;
  p.feed("Content-Length: 0\r\n\r\n");
  auto events = drain(p);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].text, "");
}

TEST(FramingTests, NonNumericLengthIsReportedAndTheNextMessageIsRead) {
  FrameParser p;
  p.feed("Content-Length: 12x\r\n\r\n{\"lost\":true}" + frame("{\"ok\":1}"));
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  EXPECT_NE(events[0].text.find("'12x' is not a number"), std::string::npos) << events[0].text;
  EXPECT_NE(events[0].text.find("at byte 0"), std::string::npos) << events[0].text;
  EXPECT_EQ(events[1].kind, FrameEvent::Kind::Body);
  EXPECT_EQ(events[1].text, "{\"ok\":1}");
}

TEST(FramingTests, NegativeAndEmptyLengthsAreNotNumbers) {
  for (std::string v : {"-5", "", "0x10", "1 2"}) {
    FrameParser p;
    p.feed("Content-Length: " + v + "\r\n\r\n");
    auto events = drain(p);
    ASSERT_EQ(events.size(), 1u) << v;
    EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error) << v;
  }
}

TEST(FramingTests, MissingLengthIsReported) {
  FrameParser p;
  p.feed("Content-Type: x\r\n\r\n{}" + frame("[]"));
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  EXPECT_NE(events[0].text.find("without a Content-Length"), std::string::npos);
  EXPECT_EQ(events[1].text, "[]");
}

TEST(FramingTests, LengthOverTheLimitIsNeverAllocatedAndEndsTheStream) {
  FrameParser p(1024);
  p.feed("Content-Length: 1025\r\n\r\n");
  auto events = drain(p);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  EXPECT_TRUE(events[0].fatal);
  EXPECT_NE(events[0].text.find("exceeds the limit of 1024 bytes"), std::string::npos) << events[0].text;
  // Nothing after it is read, not even a well-formed message, and the end of input is not an error.
  p.feed(std::string(1025, 'x') + frame("{\"id\":1}"));
  EXPECT_TRUE(drain(p).empty());
  EXPECT_FALSE(p.finish());
  // The limit is the one given: exactly at it is fine.
  FrameParser atLimit(1024);
  atLimit.feed(frame("\"" + std::string(1022, 'a') + "\""));
  auto ok = drain(atLimit);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].kind, FrameEvent::Kind::Body);
  // A 40-digit number does not overflow into something small.
  FrameParser q;
  q.feed("Content-Length: 1000000000000000000000000000000000000002\r\n\r\n{}");
  auto e2 = drain(q);
  ASSERT_GE(e2.size(), 1u);
  EXPECT_EQ(e2[0].kind, FrameEvent::Kind::Error);
  EXPECT_NE(e2[0].text.find("exceeds the limit"), std::string::npos);
  for (size_t i = 1; i < e2.size(); ++i) EXPECT_NE(e2[i].kind, FrameEvent::Kind::Body);
}

TEST(FramingTests, BodyCutShortAtEndOfInput) {
  FrameParser p;
  p.feed("Content-Length: 10\r\n\r\n{\"a\"");
  EXPECT_TRUE(drain(p).empty());
  auto e = p.finish();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, FrameEvent::Kind::Error);
  EXPECT_NE(e->text.find("read 4 of 10 bytes"), std::string::npos) << e->text;
}

TEST(FramingTests, InputEndingInsideHeadersIsReported) {
  FrameParser p;
  p.feed("Content-Len");
  EXPECT_TRUE(drain(p).empty());
  auto e = p.finish();
  ASSERT_TRUE(e);
  EXPECT_NE(e->text.find("inside a header block"), std::string::npos);
  FrameParser clean;
  clean.feed(frame("{}") + "\r\n");
  drain(clean);
  EXPECT_FALSE(clean.finish());
}

TEST(FramingTests, EndlessHeaderIsCutOffAndResynchronised) {
  FrameParser p;
  p.feed(std::string(FrameParser::kMaxHeaderBytes + 10, 'x'));
  auto events = drain(p);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  p.feed("garbage" + frame("{\"after\":1}"));
  events = drain(p);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].text, "{\"after\":1}");
}

TEST(FramingTests, ResynchronisesAcrossAChunkBoundaryInsideTheHeaderName) {
  FrameParser p;
  p.feed("bad line\r\n\r\nnoise noise Content-Le");
  auto events = drain(p);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  p.feed("ngth: 2\r\n\r\n{}");
  events = drain(p);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].text, "{}");
}

TEST(FramingTests, OtherErrorsAreNotFatal) {
  FrameParser p;
  p.feed("Content-Length: abc\r\n\r\n" + frame("{}"));
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].fatal);
  EXPECT_EQ(events[1].text, "{}");
}

// A body 10 bytes shorter than its header says, then the next message.
const std::string kShort = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"heaplens/summary\"}";
const std::string kNext = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"heaplens/summary\"}";

TEST(FramingTests, ShortBodyDoesNotSwallowTheNextMessage) {
  FrameParser p;
  std::string header = "Content-Length: " + std::to_string(kShort.size() + 10) + "\r\n\r\n";
  p.feed(header + kShort + frame(kNext));
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  EXPECT_FALSE(events[0].fatal);
  EXPECT_NE(events[0].text.find("is not a JSON message and holds another Content-Length header at byte " +
                                std::to_string(header.size() + kShort.size())),
            std::string::npos)
      << events[0].text;
  EXPECT_EQ(events[1].kind, FrameEvent::Kind::Body);
  EXPECT_EQ(events[1].text, kNext);
}

TEST(FramingTests, ShortBodyIsRecognisedWithoutWaitingForTheBytesItClaims) {
  // The header claims 1000 bytes; only the message and the next one ever come, and the client
  // waits for the answer: the next message must be read now.
  FrameParser p;
  p.feed("Content-Length: 1000\r\n\r\n" + kShort + "\r\n" + frame(kNext));
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  EXPECT_EQ(events[1].text, kNext);
  EXPECT_FALSE(p.finish());
}

TEST(FramingTests, ShortBodyByteByByte) {
  FrameParser p;
  std::string input = "Content-Length: " + std::to_string(kShort.size() + 30) + "\r\n\r\n" + kShort + frame(kNext);
  std::vector<FrameEvent> events;
  for (char c : input) {
    p.feed(std::string_view(&c, 1));
    for (auto& e : drain(p)) events.push_back(e);
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  EXPECT_EQ(events[1].text, kNext);
}

TEST(FramingTests, BrokenBodyHoldingAHeaderResynchronisesThere) {
  // Not JSON at all before the swallowed header (a message cut short): once the announced bytes are
  // in, the body does not parse, and the header inside it is where reading goes on.
  FrameParser p;
  std::string broken = "{\"jsonrpc\":\"2.0\",\"id\":1,\"meth";
  p.feed("Content-Length: " + std::to_string(broken.size() + 25) + "\r\n\r\n" + broken + frame(kNext));
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  EXPECT_EQ(events[1].text, kNext);
}

TEST(FramingTests, ValidBodyMentioningContentLengthIsKept) {
  // A document's text may hold anything, a Content-Length header and braces included.
  std::string body = "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"text\":\"x}"
                     "Content-Length: 5\\r\\n\\r\\n{}\"}}";
  FrameParser p;
  p.feed(frame(body) + frame(kNext));
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Body);
  EXPECT_EQ(events[0].text, body);
  EXPECT_EQ(events[1].text, kNext);
  // Fed in pieces, too.
  FrameParser q;
  std::string input = frame(body) + frame(kNext);
  std::vector<FrameEvent> pieces;
  for (size_t i = 0; i < input.size(); i += 7) {
    q.feed(std::string_view(input).substr(i, 7));
    for (auto& e : drain(q)) pieces.push_back(e);
  }
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].text, body);
}

TEST(FramingTests, InvalidJsonWithoutAHeaderInsideIsStillABody) {
  // The server answers it with a parse error; the framing is fine.
  FrameParser p;
  p.feed(frame("{not json") + frame(kNext));
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Body);
  EXPECT_EQ(events[0].text, "{not json");
  EXPECT_EQ(events[1].text, kNext);
}

TEST(FramingTests, OffsetCountsConsumedBytes) {
  FrameParser p;
  std::string f = frame("{}");
  p.feed(f + "Content-Length: q\r\n\r\n");
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[1].text.find("at byte " + std::to_string(f.size())), std::string::npos) << events[1].text;
}

}  // namespace
