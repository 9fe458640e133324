#include "agents/net/protocol/http/connection.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http_fixtures.h"
#include "http_test_util.h"

namespace beffroi::net::http {
namespace {

using namespace test;  // NOLINT(build/namespaces): the fixtures' short names
using Events = std::vector<std::string>;

Outcome ReplayNamed(const std::string& name) {
  for (const auto& [n, script] : AllScripts()) {
    if (n == name) return Replay(script);
  }
  ADD_FAILURE() << "no script " << name;
  return {};
}

TEST(HttpConnection, SimpleGetAndResponse) {
  const Outcome r = ReplayNamed("simple");
  EXPECT_EQ(r.events,
            (Events{"req 0 GET /index.html HTTP/1.1 host=example.com ua=curl/8.0 ct= ref= cl=-",
                    "end c2s 0 complete",
                    "resp 0 200 HTTP/1.1 reason=OK ct=text/html server=nginx loc= cl=5",
                    "body s2c 0 hello", "end s2c 0 complete"}));
  EXPECT_TRUE(r.anomalies.empty());
  EXPECT_TRUE(r.active);
}

TEST(HttpConnection, PipelinedRequestsAreMatchedInOrder) {
  const Outcome r = ReplayNamed("pipelined");
  EXPECT_EQ(r.events,
            (Events{"req 0 GET /a HTTP/1.1 host=h ua= ct= ref= cl=-", "end c2s 0 complete",
                    "req 1 HEAD /b HTTP/1.1 host=h ua= ct= ref= cl=-", "end c2s 1 complete",
                    "req 2 POST /c HTTP/1.1 host=h ua= ct=application/x-www-form-urlencoded "
                    "ref= cl=3",
                    "body c2s 2 x=1", "end c2s 2 complete",
                    "resp 0 200 HTTP/1.1 reason=OK ct= server= loc= cl=2", "body s2c 0 ok",
                    "end s2c 0 complete",
                    // HEAD: the announced length has no body behind it.
                    "resp 1 200 HTTP/1.1 reason=OK ct= server= loc= cl=1000", "end s2c 1 complete",
                    "resp 2 201 HTTP/1.1 reason=Created ct= server= loc=/c/1 cl=- chunked",
                    "body s2c 2 abcd", "end s2c 2 complete"}));
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(HttpConnection, ByteByByteFeedingGivesIdenticalResults) {
  for (const auto& [name, script] : AllScripts()) {
    const Outcome whole = Replay(script);
    const Outcome bytes = Replay(script, SIZE_MAX, 0, /*byte_by_byte=*/true);
    EXPECT_EQ(bytes.events, whole.events) << name;
    EXPECT_EQ(bytes.anomalies, whole.anomalies) << name;
    EXPECT_EQ(bytes.active, whole.active) << name;
  }
}

TEST(HttpConnection, ChunkedBodiesWithExtensionsAndTrailers) {
  const Outcome r = ReplayNamed("chunked");
  EXPECT_EQ(r.events, (Events{"req 0 POST /upload HTTP/1.1 host=h ua= ct= ref= cl=- chunked",
                              "body c2s 0 hello world", "end c2s 0 complete",
                              "resp 0 200 HTTP/1.1 reason=OK ct= server= loc= cl=- chunked",
                              "body s2c 0 0123456789", "end s2c 0 complete"}));
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(HttpConnection, NoBodyFor204And304) {
  const Outcome r = ReplayNamed("no_body_statuses");
  // Three requests (head + end each), then the responses: the lengths announced by 204 and
  // 304 are not read as bodies, so the third response is found right after them.
  ASSERT_EQ(r.events.size(), 6u + 7u);
  EXPECT_EQ(r.events[6], "resp 0 204 HTTP/1.1 reason=No Content ct= server= loc= cl=10");
  EXPECT_EQ(r.events[7], "end s2c 0 complete");
  EXPECT_EQ(r.events[9], "end s2c 1 complete");
  EXPECT_EQ(r.events[10], "resp 2 200 HTTP/1.1 reason=OK ct= server= loc= cl=2");
  EXPECT_EQ(r.events[11], "body s2c 2 ok");
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(HttpConnection, ContinueThenFinalResponseShareTheIndex) {
  const Outcome r = ReplayNamed("continue");
  EXPECT_EQ(
      r.events,
      (Events{"req 0 PUT /f HTTP/1.1 host= ua= ct= ref= cl=4",
              "resp 0 100 HTTP/1.1 reason=Continue ct= server= loc= cl=-", "body c2s 0 data",
              "end c2s 0 complete", "resp 0 201 HTTP/1.1 reason=Created ct= server= loc= cl=0",
              "end s2c 0 complete", "req 1 GET /next HTTP/1.1 host= ua= ct= ref= cl=-",
              "end c2s 1 complete", "resp 1 200 HTTP/1.1 reason=OK ct= server= loc= cl=1",
              "body s2c 1 x", "end s2c 1 complete"}));
}

TEST(HttpConnection, ReadUntilCloseEndsUnbounded) {
  const Outcome r = ReplayNamed("until_close");
  ASSERT_GE(r.events.size(), 2u);
  EXPECT_EQ(r.events[r.events.size() - 2], "body s2c 0 body bytes");
  EXPECT_EQ(r.events.back(), "end s2c 0 unbounded");
  EXPECT_FALSE(r.active);  // both directions closed
}

TEST(HttpConnection, ConnectTunnelStopsParsing) {
  const Outcome r = ReplayNamed("connect");
  EXPECT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[2], "resp 0 200 HTTP/1.1 reason=Connection established ct= server= loc= cl=-");
  EXPECT_TRUE(r.anomalies.empty());
  EXPECT_FALSE(r.active);
}

TEST(HttpConnection, TunnelBytesBeforeTheResponseAreNotAnAnomaly) {
  // The pipeline may hand over the client's TLS bytes before the proxy's 200.
  const Outcome r = Replay({C("CONNECT example.com:443 HTTP/1.1\r\n\r\n\x16\x03\x01\x02\x00"),
                            S("HTTP/1.1 200 OK\r\n\r\n\x16\x03\x03")});
  EXPECT_TRUE(r.anomalies.empty());
  EXPECT_EQ(r.events.size(), 4u);
  EXPECT_FALSE(r.active);
}

TEST(HttpConnection, WebSocketUpgradeStopsParsing) {
  const Outcome r = ReplayNamed("websocket");
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[2].substr(0, 11), "resp 0 101 ");
  EXPECT_EQ(r.events[3], "end s2c 0 complete");
  EXPECT_TRUE(r.anomalies.empty());
  EXPECT_FALSE(r.active);
}

TEST(HttpConnection, Http09RequestGetsRawResponseUntilClose) {
  const Outcome r = ReplayNamed("http09");
  EXPECT_EQ(r.events, (Events{"req 0 GET / HTTP/0.9 host= ua= ct= ref= cl=-", "end c2s 0 complete",
                              "resp 0 0 HTTP/0.9 reason= ct= server= loc= cl=-",
                              "body s2c 0 <html>raw</html>\r\n", "end s2c 0 unbounded"}));
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(HttpConnection, RequestWithoutTargetKeepsItsFields) {
  // Seen in the wild (and in Zeek's http/no-uri trace): the fields must not be lost to an
  // HTTP/0.9 reading, or omitting the target would hide the Host and User-Agent.
  const Outcome r = Replay({C("GET HTTP/1.1\r\nUser-Agent: Wget/1.14\r\nHost: bro.org\r\n\r\n"),
                            S("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")});
  EXPECT_EQ(r.events,
            (Events{"req 0 GET  HTTP/1.1 host=bro.org ua=Wget/1.14 ct= ref= cl=-",
                    "end c2s 0 complete", "resp 0 200 HTTP/1.1 reason=OK ct= server= loc= cl=2",
                    "body s2c 0 ok", "end s2c 0 complete"}));
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(HttpConnection, LowerCaseMethodIsKeptAsSent) {
  const Outcome r = Replay({C("get /x HTTP/1.1\r\n\r\n")});
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events[0], "req 0 get /x HTTP/1.1 host= ua= ct= ref= cl=-");
}

TEST(HttpConnection, HeaderLineTooLongDropsTheMessageAndResyncs) {
  const Outcome r = Replay({C("GET /a HTTP/1.1\r\nX-Long: " + std::string(9000, 'a') +
                              "\r\n\r\nGET /b HTTP/1.1\r\n\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.header_too_long"});
  EXPECT_EQ(r.events,
            (Events{"req 0 GET /b HTTP/1.1 host= ua= ct= ref= cl=-", "end c2s 0 complete"}));
}

TEST(HttpConnection, TooManyHeaderLines) {
  std::string req = "GET /a HTTP/1.1\r\n";
  for (int i = 0; i < 129; ++i)
    req += "X-" + std::to_string(i) + ": v\r\n";
  const Outcome r = Replay({C(req + "\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.too_many_headers"});
  EXPECT_TRUE(r.events.empty());
}

TEST(HttpConnection, ConflictingContentLengthsUseTheFirst) {
  const Outcome r =
      Replay({C("POST /a HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\n"
                "abcGET /next HTTP/1.1\r\n\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.content_length_conflict"});
  EXPECT_EQ(r.events,
            (Events{"req 0 POST /a HTTP/1.1 host= ua= ct= ref= cl=3", "body c2s 0 abc",
                    "end c2s 0 complete", "req 1 GET /next HTTP/1.1 host= ua= ct= ref= cl=-",
                    "end c2s 1 complete"}));
}

TEST(HttpConnection, IdenticalContentLengthListIsAccepted) {
  const Outcome r = Replay({C("POST /a HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nab")});
  EXPECT_TRUE(r.anomalies.empty());
  EXPECT_EQ(r.events[1], "body c2s 0 ab");
}

TEST(HttpConnection, BadContentLength) {
  for (const char* value : {"12a", "-1", "", "99999999999999999999"}) {
    const Outcome r =
        Replay({C(std::string("POST /a HTTP/1.1\r\nContent-Length: ") + value + "\r\n\r\n")});
    EXPECT_EQ(r.anomalies, Events{"http.bad_content_length"}) << value;
    ASSERT_EQ(r.events.size(), 2u) << value;
    EXPECT_EQ(r.events[0], "req 0 POST /a HTTP/1.1 host= ua= ct= ref= cl=-");
  }
}

TEST(HttpConnection, ChunkedWinsOverContentLength) {
  const Outcome r =
      Replay({C("POST / HTTP/1.1\r\nContent-Length: 100\r\n"
                "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                "GET /x HTTP/1.1\r\n\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.smuggling_suspect"});
  EXPECT_EQ(r.events,
            (Events{"req 0 POST / HTTP/1.1 host= ua= ct= ref= cl=100 chunked", "body c2s 0 abc",
                    "end c2s 0 complete", "req 1 GET /x HTTP/1.1 host= ua= ct= ref= cl=-",
                    "end c2s 1 complete"}));
}

TEST(HttpConnection, RequestWithTransferEncodingNotEndingInChunked) {
  const Outcome r =
      Replay({C("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxyz"), CloseC()});
  EXPECT_EQ(r.anomalies, Events{"http.bad_transfer_encoding"});
  EXPECT_EQ(r.events.back(), "end c2s 0 unbounded");
}

TEST(HttpConnection, BadChunkSize) {
  const Outcome r =
      Replay({S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                "3\r\nabc\r\nzz\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.bad_chunk"});
  EXPECT_EQ(r.events.back(), "end s2c 0 truncated");
}

TEST(HttpConnection, ChunkDataWithoutCrlf) {
  const Outcome r =
      Replay({S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                "3\r\nabcX\r\n0\r\n\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.bad_chunk"});
  EXPECT_EQ(r.events.back(), "end s2c 0 truncated");
}

TEST(HttpConnection, ChunkSizeOverflow) {
  const Outcome r =
      Replay({S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                "10000000000000000\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.bad_chunk"});
}

TEST(HttpConnection, GapInHeadersDropsTheMessageAndResyncs) {
  const Outcome r = ReplayNamed("gap_in_headers");
  EXPECT_EQ(r.events,
            (Events{"req 0 GET /b HTTP/1.1 host=y ua= ct= ref= cl=-", "end c2s 0 complete"}));
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(HttpConnection, GapInBodySkipsTheRestAndContinues) {
  const Outcome r = ReplayNamed("gap_in_body");
  EXPECT_EQ(r.events,
            (Events{"req 0 GET /a HTTP/1.1 host= ua= ct= ref= cl=-", "end c2s 0 complete",
                    "req 1 GET /b HTTP/1.1 host= ua= ct= ref= cl=-", "end c2s 1 complete",
                    "resp 0 200 HTTP/1.1 reason=OK ct= server= loc= cl=10", "body s2c 0 abc",
                    "end s2c 0 truncated", "resp 1 200 HTTP/1.1 reason=OK ct= server= loc= cl=2",
                    "body s2c 1 ok", "end s2c 1 complete"}));
}

TEST(HttpConnection, GapInsideChunkKeepsFraming) {
  const Outcome r = Replay({S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nab"),
                            GapS(2), S("efgh\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")});
  EXPECT_EQ(r.events, (Events{"resp 0 200 HTTP/1.1 reason=OK ct= server= loc= cl=- chunked",
                              "body s2c 0 ab", "end s2c 0 truncated",
                              "resp 1 204 HTTP/1.1 reason=No Content ct= server= loc= cl=-",
                              "end s2c 1 complete"}));
}

TEST(HttpConnection, GapPastTheBodyEndResyncsOnTheNextStatusLine) {
  const Outcome r = Replay({S("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"), GapS(30),
                            S("ody tail\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")});
  ASSERT_EQ(r.events.size(), 5u);
  EXPECT_EQ(r.events[2], "end s2c 0 truncated");
  EXPECT_EQ(r.events[3], "resp 1 404 HTTP/1.1 reason=Not Found ct= server= loc= cl=0");
}

TEST(HttpConnection, ResyncGivesUpAfterTheLimit) {
  Limits limits;
  limits.max_resync_bytes = 100;
  const Outcome r = Replay({C("GET /a HTTP/1.1\r\n"), GapC(5), C(std::string(200, 'x'))}, SIZE_MAX,
                           0, false, limits);
  EXPECT_EQ(r.anomalies, Events{"http.resync_failed"});
}

TEST(HttpConnection, GarbageStreamIsNotHttp) {
  const Outcome r = Replay({C("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), S("\x16\x03\x03")});
  EXPECT_TRUE(r.events.empty());
  EXPECT_TRUE(r.anomalies.empty());
  EXPECT_FALSE(r.active);
}

TEST(HttpConnection, NotHttpIsDecidedOnTheFirstOctets) {
  Recorder rec;
  RecordingSink sink;
  Connection conn(rec, sink);
  conn.Feed(Direction::kClientToServer, Bytes("SSH-2.0-"));  // '-' is a tchar, '2.0-' too
  conn.Feed(Direction::kClientToServer, Bytes("OpenSSH_9.2\r\n"));
  EXPECT_FALSE(conn.active());
  EXPECT_TRUE(sink.names.empty());
}

TEST(HttpConnection, GarbageAfterHttpIsABadRequestLine) {
  const Outcome r = Replay({C("GET / HTTP/1.1\r\n\r\n\x01\x02garbage\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.bad_request_line"});
  EXPECT_EQ(r.events.size(), 2u);
}

TEST(HttpConnection, GarbageFromTheServerIsABadStatusLine) {
  const Outcome r = Replay({C("GET / HTTP/1.1\r\n\r\n"), S("220 smtp.example.com ESMTP\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.bad_status_line"});
  EXPECT_TRUE(r.active);  // the client side still parses
}

TEST(HttpConnection, ObsFoldIsJoined) {
  const Outcome r = Replay({C("GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0\r\n (X11)\r\n\r\n")});
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events[0], "req 0 GET / HTTP/1.1 host= ua=Mozilla/5.0 (X11) ct= ref= cl=-");
}

TEST(HttpConnection, HeaderNamesAreCaseInsensitiveAndFirstValueWins) {
  const Outcome r = Replay({C("GET / HTTP/1.1\r\nhOsT: a\r\nHOST: b\r\nREFERER: r\r\n\r\n")});
  EXPECT_EQ(r.events[0], "req 0 GET / HTTP/1.1 host=a ua= ct= ref=r cl=-");
}

TEST(HttpConnection, BadHeaderLineIsReportedOnce) {
  const Outcome r = Replay({C("GET / HTTP/1.1\r\nno colon\r\nHost : spaced\r\nHost: ok\r\n\r\n")});
  EXPECT_EQ(r.anomalies, Events{"http.bad_header_line"});
  EXPECT_EQ(r.events[0], "req 0 GET / HTTP/1.1 host=ok ua= ct= ref= cl=-");
}

TEST(HttpConnection, FieldsAreEscapedAndBounded) {
  Limits limits;
  limits.max_field_length = 12;
  const Outcome r = Replay({C("GET /\xff\xc3\xa9 HTTP/1.1\r\nUser-Agent: \x01"
                              "abcdefghijklmnop\r\n\r\n")},
                           SIZE_MAX, 0, false, limits);
  ASSERT_FALSE(r.events.empty());
  // Invalid 0xff and control 0x01 become \xNN; valid UTF-8 stays; the UA stops at 12 octets.
  EXPECT_EQ(r.events[0], "req 0 GET /\\xff\xc3\xa9 HTTP/1.1 host= ua=\\x01abcdefgh ct= ref= cl=-");
}

TEST(HttpConnection, CloseInsideABodyTruncatesIt) {
  const Outcome r = Replay({S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), CloseS()});
  EXPECT_EQ(r.events.back(), "end s2c 0 truncated");
}

TEST(HttpConnection, FeedAfterCloseIsIgnored) {
  const Outcome r = Replay({CloseC(), C("GET / HTTP/1.1\r\n\r\n")});
  EXPECT_TRUE(r.events.empty());
}

TEST(HttpConnection, ResponsesWithoutSeenRequestsStillGetIndexes) {
  // A capture that caught only the server side.
  const Outcome r =
      Replay({S("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb")});
  ASSERT_EQ(r.events.size(), 6u);
  EXPECT_EQ(r.events[3].substr(0, 7), "resp 1 ");
}

TEST(HttpConnection, LooksLikeRequest) {
  EXPECT_TRUE(LooksLikeRequest(Bytes("GET / HTTP/1.1\r\n")));
  EXPECT_TRUE(LooksLikeRequest(Bytes("OPTIONS *")));
  EXPECT_TRUE(Connection::LooksLikeRequest(Bytes("CONNECT a:443 HTTP/1.1")));
  EXPECT_FALSE(LooksLikeRequest(Bytes("GET ")));  // no target yet
  EXPECT_FALSE(LooksLikeRequest(Bytes("GET  /")));
  EXPECT_FALSE(LooksLikeRequest(Bytes("get / HTTP/1.1")));
  EXPECT_FALSE(LooksLikeRequest(Bytes("GETS / HTTP/1.1")));
  EXPECT_FALSE(LooksLikeRequest(Bytes("\x16\x03\x01")));
  EXPECT_FALSE(LooksLikeRequest(Bytes("")));
}

}  // namespace
}  // namespace beffroi::net::http
