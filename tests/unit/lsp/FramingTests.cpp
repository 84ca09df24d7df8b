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

TEST(FramingTests, LengthOverTheLimitIsNeverAllocated) {
  FrameParser p(1024);
  p.feed("Content-Length: 1025\r\n\r\n");
  auto events = drain(p);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, FrameEvent::Kind::Error);
  EXPECT_NE(events[0].text.find("exceeds the limit of 1024 bytes"), std::string::npos) << events[0].text;
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

TEST(FramingTests, OffsetCountsConsumedBytes) {
  FrameParser p;
  std::string f = frame("{}");
  p.feed(f + "Content-Length: q\r\n\r\n");
  auto events = drain(p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[1].text.find("at byte " + std::to_string(f.size())), std::string::npos) << events[1].text;
}

}  // namespace
