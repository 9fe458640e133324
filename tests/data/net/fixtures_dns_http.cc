// dns.pcap and http.pcap.
#include "common/synth/app_builders.h"
#include "fixtures.h"

namespace beffroi::testdata::net {
namespace {

constexpr std::string_view kWww = "www.example-commune.be";
constexpr std::uint32_t kPortalIp = 0xc6336419;  // 198.51.100.25
constexpr std::uint32_t kMx1Ip = 0xc0000219;     // 192.0.2.25
constexpr std::uint32_t kMx2Ip = 0xc000021a;     // 192.0.2.26

void DnsCnameChain(Trace& t) {
  const std::string_view name = "portail.example-commune.be";
  DnsMessage r(0x1003, kDnsFlagsResponse);
  r.Question(name, kDnsTypeA);
  r.Cname(DnsSection::kAnswer, name, 3600, "portail.cdn.example-commune.be");
  r.Cname(DnsSection::kAnswer, "portail.cdn.example-commune.be", 300, "edge-1.cdn.example.net");
  r.A(DnsSection::kAnswer, "edge-1.cdn.example.net", 60, kPortalIp);
  DnsExchange(t, kClient4, kResolver4, 50003, 0x1003, name, kDnsTypeA, r.bytes());
}

void DnsMxTxtPtr(Trace& t) {
  DnsMessage mx(0x1004, kDnsFlagsResponse);
  mx.Question("example-commune.be", kDnsTypeMx);
  mx.Mx(DnsSection::kAnswer, "example-commune.be", 3600, 10, "mx1.example-commune.be");
  mx.Mx(DnsSection::kAnswer, "example-commune.be", 3600, 20, "mx2.example-commune.be");
  mx.A(DnsSection::kAdditional, "mx1.example-commune.be", 3600, kMx1Ip);
  mx.A(DnsSection::kAdditional, "mx2.example-commune.be", 3600, kMx2Ip);
  DnsExchange(t, kClient4, kResolver4, 50004, 0x1004, "example-commune.be", kDnsTypeMx, mx.bytes());

  DnsMessage txt(0x1005, kDnsFlagsResponse);
  txt.Question("example-commune.be", kDnsTypeTxt);
  txt.Txt(DnsSection::kAnswer, "example-commune.be", 3600, {"v=spf1 mx -all"});
  txt.Txt(DnsSection::kAnswer, "example-commune.be", 3600, {"beffroi-test=fixture", "part2"});
  DnsExchange(t, kClient4, kResolver4, 50005, 0x1005, "example-commune.be", kDnsTypeTxt,
              txt.bytes());

  const std::string reverse = ReverseName4(192, 0, 2, 80);
  DnsMessage ptr(0x1006, kDnsFlagsResponse);
  ptr.Question(reverse, kDnsTypePtr);
  ptr.Ptr(DnsSection::kAnswer, reverse, 86400, kWww);
  DnsExchange(t, kClient4, kResolver4, 50006, 0x1006, reverse, kDnsTypePtr, ptr.bytes());
}

void DnsNxdomain(Trace& t, const Addr& client, const Addr& resolver, std::uint16_t id) {
  const std::string_view name = "inexistant.example-commune.be";
  DnsMessage r(id, kDnsFlagsNxdomain);
  r.Question(name, kDnsTypeA);
  r.Soa(DnsSection::kAuthority, "example-commune.be", 300, "ns1.example-commune.be",
        "hostmaster.example-commune.be");
  DnsExchange(t, client, resolver, static_cast<std::uint16_t>(40000 + id % 1000), id, name,
              kDnsTypeA, r.bytes());
}

// RFC 1035 §4.2.2 / RFC 7766: two-byte length framing; the response crosses two segments.
void DnsOverTcp(Trace& t) {
  const std::string_view name = "annuaire.example-commune.be";
  DnsMessage q(0x1010, kDnsFlagsQuery);
  q.Question(name, kDnsTypeTxt);
  DnsMessage r(0x1010, kDnsFlagsResponse);
  r.Question(name, kDnsTypeTxt);
  for (int i = 0; i < 4; ++i) {
    r.Txt(DnsSection::kAnswer, name, 600,
          {"service-" + std::to_string(i) +
           "=guichet; horaires=08:30-16:30; telephone=+32-4-000-00-0" + std::to_string(i)});
  }
  Bytes q_framed, r_framed;
  Put16(q_framed, static_cast<unsigned>(q.bytes().size()));
  PutBytes(q_framed, q.bytes());
  Put16(r_framed, static_cast<unsigned>(r.bytes().size()));
  PutBytes(r_framed, r.bytes());
  TcpSession s(t, kClient4, 50010, kResolver4, 53, 0x51000000, 0x52000000);
  s.Open();
  s.Send(true, q_framed);
  s.Send(false, r_framed, r_framed.size() / 2 + 1);
  s.Close();
  t.ExpectDns(name);
}

}  // namespace

Fixture DnsFixture() {
  Trace t(Link::kEthernet, 11);
  SimpleDnsLookup(t, kClient4, kResolver4, 50001, 0x1001, kWww, kWebServer4);
  SimpleDnsLookup(t, kClient6, kResolver6, 50002, 0x1002, kWww, kWebServer6);
  DnsCnameChain(t);
  DnsMxTxtPtr(t);
  DnsNxdomain(t, kClient4, kResolver4, 0x1007);
  // The same kinds of answers over IPv6.
  DnsMessage mx6(0x1008, kDnsFlagsResponse);
  mx6.Question("mail.example-commune.be", kDnsTypeMx);
  mx6.Cname(DnsSection::kAnswer, "mail.example-commune.be", 3600, "example-commune.be");
  mx6.Mx(DnsSection::kAnswer, "example-commune.be", 3600, 10, "mx1.example-commune.be");
  DnsExchange(t, kClient6, kResolver6, 50008, 0x1008, "mail.example-commune.be", kDnsTypeMx,
              mx6.bytes());
  DnsNxdomain(t, kClient6, kResolver6, 0x1009);
  DnsOverTcp(t);
  return {"dns.pcap", t.ToPcap(TsResolution::kMicro), t.expected()};
}

namespace {

void HttpPipelined(Trace& t) {
  TcpSession s(t, kClient4, 49201, kWebServer4, 80, 0x61000000, 0x62000000);
  s.Open();
  const std::string_view uris[] = {"/agenda", "/contact", "/img/logo.png"};
  std::string requests, responses;
  for (std::string_view uri : uris) {
    requests += HttpRequest("GET", uri, kWww);
    responses += HttpResponse("200 OK", "text/plain", "page " + std::string(uri) + "\n");
    t.ExpectUri(uri);
  }
  s.Send(true, requests);
  s.Send(false, responses, 4000);
  s.Close();
}

void HttpPostAndChunked(Trace& t) {
  TcpSession post(t, kClient4, 49202, kWebServer4, 80, 0x63000000, 0x64000000);
  post.Open();
  post.Send(true, HttpRequest("POST", "/formulaire/contact", kWww,
                              "Content-Type: application/x-www-form-urlencoded\r\n",
                              "nom=Test&message=Bonjour+la+commune"));
  post.Send(false, HttpResponse("302 Found", "text/plain", "merci\n", "Location: /merci\r\n"));
  post.Close();
  t.ExpectUri("/formulaire/contact");

  TcpSession chunked(t, kClient4, 49203, kWebServer4, 80, 0x65000000, 0x66000000);
  chunked.Open();
  chunked.Send(true, HttpRequest("GET", "/api/actualites", kWww));
  chunked.Send(false, HttpResponse("200 OK", "application/json",
                                   "d\r\n{\"news\": [1, \r\n"
                                   "3\r\n2, \r\n"
                                   "3\r\n3]}\r\n"
                                   "0\r\n\r\n",
                                   "Transfer-Encoding: chunked\r\n"));
  chunked.Close();
  t.ExpectUri("/api/actualites");
}

void HttpEicar(Trace& t) {
  TcpSession s(t, kClient4, 49204, kWebServer4, 80, 0x67000000, 0x68000000);
  s.Open();
  s.Send(true, HttpRequest("GET", "/telechargements/eicar.com.txt", kWww));
  s.Send(false, HttpResponse("200 OK", "application/octet-stream", kEicar));
  s.Close();
  t.ExpectUri("/telechargements/eicar.com.txt");
}

// The response is cut in three segments sent 1, 3, 2, then segment 3 again.
void HttpReorderedResponse(Trace& t) {
  TcpSession s(t, kClient4b, 49205, kWebServer4, 80, 0x69000000, 0x6a000000);
  s.Open();
  s.Send(true, HttpRequest("GET", "/documents/rapport.html", kWww));
  std::string body = "<html><body>\n";
  for (int i = 0; body.size() < 3000; ++i) {
    body += "<p>Ligne " + std::to_string(i) + " du rapport annuel de la commune.</p>\n";
  }
  body += "</body></html>\n";
  const std::string response = HttpResponse("200 OK", "text/html", body);
  const ByteSpan all = AsBytes(response);
  const std::size_t third = all.size() / 3;
  const Segment s1 = s.Build(false, all.first(third), 0);
  const Segment s2 = s.Build(false, all.subspan(third, third), 0);
  const Segment s3 = s.Build(false, all.subspan(2 * third));
  s.Emit(s1);
  s.Emit(s3);
  s.Emit(s2);
  s.Emit(s3);  // retransmission
  s.Ack(true);
  s.Close();
  t.ExpectUri("/documents/rapport.html");
}

}  // namespace

Fixture HttpFixture() {
  Trace t(Link::kEthernet, 12);
  HttpGetConnection(t, kClient4, 49200, kWebServer4, 80, kWww, "/", 1);
  t.Pause(50'000'000);
  HttpPipelined(t);
  HttpPostAndChunked(t);
  HttpEicar(t);
  HttpGetConnection(t, kClient4b, 49206, kIntranet4, 8080, "intranet.example-commune.be:8080",
                    "/status?format=json", 2);
  HttpReorderedResponse(t);
  HttpGetConnection(t, kClient6, 49207, kWebServer6, 80, kWww, "/ipv6/accueil", 3);
  t.ExpectHost(kWww);
  t.ExpectUa(kUserAgent);
  return {"http.pcap", t.ToPcap(TsResolution::kMicro), t.expected()};
}

}  // namespace beffroi::testdata::net
