// HTTP exchanges used by the connection tests and the split sweeps. Each is a script of feeds
// (client "C", server "S"), gaps and closes, as the pipeline would deliver them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "http_test_util.h"

namespace beffroi::net::http::test {

inline const std::string kSimpleRequest =
    "GET /index.html HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "User-Agent: curl/8.0\r\n"
    "Accept: */*\r\n"
    "\r\n";
inline const std::string kSimpleResponse =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx\r\n"
    "Content-Type: text/html\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "hello";

// Three requests in one segment (GET, HEAD, POST with a body), then the three responses in one
// segment: the HEAD response announces a length but has no body, the last is chunked.
inline const std::string kPipelinedRequests =
    "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
    "HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n"
    "POST /c HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 3\r\n\r\nx=1";
inline const std::string kPipelinedResponses =
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
    "HTTP/1.1 201 Created\r\nLocation: /c/1\r\nTransfer-Encoding: chunked\r\n\r\n"
    "4\r\nabcd\r\n0\r\n\r\n";

inline const std::string kChunkedRequest =
    "POST /upload HTTP/1.1\r\n"
    "Host: h\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "5;name=value\r\nhello\r\n"    // chunk with an extension
    "6 ; ext=\"q\"\r\n world\r\n"  // BWS before the extension
    "0\r\n"                        // last-chunk
    "X-Trailer: 1\r\n"             // trailer field
    "\r\n";
inline const std::string kChunkedResponse =
    "HTTP/1.1 200 OK\r\n"
    "Transfer-Encoding: gzip, chunked\r\n"
    "\r\n"
    "A\r\n0123456789\r\n"
    "0;done\r\n"
    "Checksum: abc\r\n"
    "\r\n";

inline std::vector<std::pair<std::string, std::vector<Action>>> AllScripts() {
  return {
      {"simple", {C(kSimpleRequest), S(kSimpleResponse)}},
      {"pipelined", {C(kPipelinedRequests), S(kPipelinedResponses)}},
      {"chunked", {C(kChunkedRequest), S(kChunkedResponse)}},
      {"no_body_statuses",
       {C("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
          "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")}},
      {"continue",
       {C("PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"),
        S("HTTP/1.1 100 Continue\r\n\r\n"), C("data"),
        S("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"), C("GET /next HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")}},
      {"until_close",
       {C("GET / HTTP/1.0\r\n\r\n"), S("HTTP/1.0 200 OK\r\nServer: old\r\n\r\nbody bytes"),
        CloseS(), CloseC()}},
      {"connect",
       {C("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
        S("HTTP/1.1 200 Connection established\r\n\r\n"), C("\x16\x03\x01\x02\x00\x01"),
        S("\x16\x03\x03\x00\x10")}},
      {"websocket",
       {C("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
        S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
          "\x81\x05hello"),
        C("\x81\x85\x01\x02\x03\x04"
          "abcde")}},
      {"http09", {C("GET /\r\n"), S("<html>raw</html>\r\n"), CloseS()}},
      {"gap_in_headers",
       {C("GET /a HTTP/1.1\r\nHo"), GapC(10),
        C("st: x\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\n\r\n")}},
      {"gap_in_body",
       {C("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
        S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), GapS(3),
        S("defgHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")}},
  };
}

}  // namespace beffroi::net::http::test
