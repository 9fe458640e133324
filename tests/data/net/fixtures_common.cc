// Conversation helpers shared by several fixtures.
#include "common/synth/app_builders.h"
#include "fixtures.h"

namespace beffroi::testdata::net {

void DnsExchange(Trace& t, const Addr& client, const Addr& server, std::uint16_t client_port,
                 std::uint16_t id, std::string_view name, std::uint16_t type,
                 const Bytes& response) {
  DnsMessage query(id, kDnsFlagsQuery);
  query.Question(name, type);
  t.Udp(client, server, client_port, 53, query.bytes(), true);
  t.Udp(server, client, 53, client_port, response, false);
  t.ExpectDns(name);
}

void SimpleDnsLookup(Trace& t, const Addr& client, const Addr& server, std::uint16_t client_port,
                     std::uint16_t id, std::string_view name, const Addr& answer) {
  const std::uint16_t type = answer.v6 ? kDnsTypeAaaa : kDnsTypeA;
  DnsMessage response(id, kDnsFlagsResponse);
  response.Question(name, type);
  if (answer.v6) {
    response.Aaaa(DnsSection::kAnswer, name, 300, answer.b);
  } else {
    response.A(DnsSection::kAnswer, name, 300,
               static_cast<std::uint32_t>(answer.b[0]) << 24 | answer.b[1] << 16 |
                   answer.b[2] << 8 | answer.b[3]);
  }
  DnsExchange(t, client, server, client_port, id, name, type, response.bytes());
}

std::string HttpRequest(std::string_view method, std::string_view uri, std::string_view host,
                        std::string_view extra_headers, std::string_view body) {
  std::string r;
  r.append(method).append(" ").append(uri).append(" HTTP/1.1\r\n");
  r.append("Host: ").append(host).append("\r\n");
  r.append("User-Agent: ").append(kUserAgent).append("\r\n");
  r.append("Accept: */*\r\n");
  r.append(extra_headers);
  if (!body.empty())
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  r.append("\r\n").append(body);
  return r;
}

std::string HttpResponse(std::string_view status, std::string_view content_type,
                         std::string_view body, std::string_view extra_headers) {
  std::string r;
  r.append("HTTP/1.1 ").append(status).append("\r\n");
  r.append("Date: Sun, 21 Jun 2026 06:00:00 GMT\r\n");
  r.append("Server: Apache\r\n");
  if (!content_type.empty()) r.append("Content-Type: ").append(content_type).append("\r\n");
  r.append(extra_headers);
  if (extra_headers.find("Transfer-Encoding") == std::string_view::npos) {
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  r.append("\r\n").append(body);
  return r;
}

void HttpGetConnection(Trace& t, const Addr& client, std::uint16_t client_port, const Addr& server,
                       std::uint16_t server_port, std::string_view host, std::string_view uri,
                       std::uint32_t isn_seed) {
  TcpSession s(t, client, client_port, server, server_port, 0x10000000u * (isn_seed % 15 + 1),
               0x0a000000u + isn_seed * 7777u);
  s.Open();
  s.Send(true, HttpRequest("GET", uri, host));
  const std::string body =
      "<html><body><h1>Commune</h1><p>" + std::string(uri) + "</p></body></html>\n";
  s.Send(false, HttpResponse("200 OK", "text/html; charset=utf-8", body));
  s.Close();
  t.ExpectHost(host);
  t.ExpectUri(uri);
  t.ExpectUa(kUserAgent);
}

void TlsClientHelloConnection(Trace& t, const Addr& client, std::uint16_t client_port,
                              const Addr& server, std::string_view sni, std::uint32_t isn_seed) {
  TcpSession s(t, client, client_port, server, 443, 0x20000000u + isn_seed * 3331u,
               0x30000000u + isn_seed * 9973u);
  s.Open();
  ClientHelloSpec spec;
  spec.sni = std::string(sni);
  spec.alpn = {"h2", "http/1.1"};
  spec.seed = isn_seed;
  Bytes record;
  AppendTlsRecord(record, kTlsHandshake, TlsClientHello(spec), 0x0301);
  s.Send(true, record);
  Bytes reply;
  AppendTlsRecord(reply, kTlsHandshake, TlsServerHello(false, 0xc02b, "h2", isn_seed));
  s.Send(false, reply);
  s.Close();
  t.ExpectSni(sni);
}

}  // namespace beffroi::testdata::net
