#include "agents/net/engine/pipeline.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agents/net/engine/net_events.h"
#include "common/hash.h"

namespace beffroi::net {
namespace {

// Keeps every event and sample in memory.
class CollectingSink final : public EvidenceSink {
 public:
  void Emit(Event& e) override { events.push_back(e); }
  StoredSample StoreSample(std::span<const std::uint8_t> bytes) override {
    samples.emplace_back(bytes.begin(), bytes.end());
    auto w = MakeHashOnlyWriter();
    w->Write(bytes);
    auto s = w->Finish(false);
    s.kept = true;
    return s;
  }
  std::unique_ptr<SampleWriter> NewSampleWriter() override { return MakeHashOnlyWriter(); }
  const Status& status() const override { return status_; }

  std::vector<Event> Of(const std::string& dataset) const {
    std::vector<Event> out;
    for (const auto& e : events)
      if (e.dataset() == dataset) out.push_back(e);
    return out;
  }
  std::vector<Event> events;
  std::vector<std::vector<std::uint8_t>> samples;

 private:
  Status status_;
};

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kAck = 0x10, kPsh = 0x08;

// An Ethernet/IPv4 frame between 10.0.0.5:49152 and 192.0.2.80:port.
std::vector<std::uint8_t> Frame(bool from_client, std::uint8_t protocol, std::uint16_t port,
                                std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                                std::string_view payload) {
  const std::size_t l4 = protocol == 17 ? 8 : 20;
  std::vector<std::uint8_t> f(14 + 20 + l4 + payload.size(), 0);
  auto put16 = [&f](std::size_t at, std::size_t v) {
    f[at] = static_cast<std::uint8_t>(v >> 8);
    f[at + 1] = static_cast<std::uint8_t>(v);
  };
  f[12] = 0x08;
  f[14] = 0x45;
  put16(16, 20 + l4 + payload.size());
  f[22] = 64;
  f[23] = protocol;
  const std::uint8_t client[4] = {10, 0, 0, 5}, server[4] = {192, 0, 2, 80};
  for (std::size_t i = 0; i < 4; ++i) {
    f[26 + i] = from_client ? client[i] : server[i];
    f[30 + i] = from_client ? server[i] : client[i];
  }
  put16(34, from_client ? 49152 : port);
  put16(36, from_client ? port : 49152);
  if (protocol == 17) {
    put16(38, 8 + payload.size());
  } else {
    put16(38, seq >> 16);
    put16(40, seq & 0xFFFF);
    put16(42, ack >> 16);
    put16(44, ack & 0xFFFF);
    f[46] = 0x50;
    f[47] = flags;
  }
  std::copy(payload.begin(), payload.end(), f.begin() + static_cast<long>(14 + 20 + l4));
  return f;
}

struct Conversation {
  Pipeline& p;
  std::int64_t ts = 1'624'255'200'000'000'000;  // 2021-06-21T06:00:00Z
  void Send(const std::vector<std::uint8_t>& frame) {
    ts += 1'000'000;
    p.OnFrame(1, ts, frame, static_cast<std::uint32_t>(frame.size()));
  }
};

TEST(NetPipeline, HttpExchangeGivesOneHttpEventAFlowAndBothStreamSamples) {
  CollectingSink sink;
  Pipeline p(EngineOptions{}, sink);
  Conversation c{p};
  const std::string req =
      "GET /etat-civil/index.php?id=7 HTTP/1.1\r\nHost: www.example-commune.be:8080\r\n"
      "User-Agent: Mozilla/5.0 Beffroi-Test\r\n\r\n";
  const std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";
  c.Send(Frame(true, 6, 8080, 100, 0, kSyn, ""));
  c.Send(Frame(false, 6, 8080, 900, 101, kSyn | kAck, ""));
  c.Send(Frame(true, 6, 8080, 101, 901, kAck | kPsh, req));
  c.Send(
      Frame(false, 6, 8080, 901, 101 + static_cast<std::uint32_t>(req.size()), kAck | kPsh, resp));
  c.Send(Frame(true, 6, 8080, 101 + static_cast<std::uint32_t>(req.size()), 901, kFin | kAck, ""));
  p.Finish();
  auto http = sink.Of("beffroi.http");
  ASSERT_EQ(http.size(), 1u);
  const Event& e = http[0];
  EXPECT_EQ(e.GetString("http.request.method"), "GET");
  EXPECT_EQ(e.GetString("url.domain"), "www.example-commune.be");
  EXPECT_EQ(e.GetString("url.original"), "/etat-civil/index.php?id=7");
  EXPECT_EQ(e.GetString("url.path"), "/etat-civil/index.php");
  EXPECT_EQ(e.GetString("url.query"), "id=7");
  EXPECT_EQ(e.GetString("url.full"),
            "http://www.example-commune.be:8080/etat-civil/index.php?id=7");
  EXPECT_EQ(e.GetString("user_agent.original"), "Mozilla/5.0 Beffroi-Test");
  EXPECT_EQ(e.GetString("source.ip"), "10.0.0.5");
  EXPECT_EQ(e.GetString("destination.ip"), "192.0.2.80");
  EXPECT_EQ(e.json()["http"]["response"]["status_code"], 200);
  EXPECT_EQ(e.GetString("file.hash.sha256"), Sha256Hex("hello"));
  EXPECT_EQ(e.GetString("@timestamp").substr(0, 19), "2021-06-21T06:00:00");
  auto flows = sink.Of("beffroi.flow");
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].GetString("network.protocol"), "http");
  EXPECT_EQ(flows[0].GetString("beffroi.stream.source.sha256"), Sha256Hex(req));
  EXPECT_EQ(flows[0].GetString("beffroi.stream.destination.sha256"), Sha256Hex(resp));
  EXPECT_EQ(flows[0].json()["source"]["packets"], 3);
  EXPECT_EQ(flows[0].json()["destination"]["packets"], 2);
}

TEST(NetPipeline, EvidenceThreadGivesTheSameEventsAsThePacketThread) {
  const std::string req =
      "POST /upload HTTP/1.1\r\nHost: intranet.example-commune.be\r\nContent-Length: 7\r\n\r\n"
      "payload";
  const std::string body(100000, 'z');  // several of the queue's batches
  const std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body;
  std::vector<std::string> lines[2];
  for (bool threaded : {false, true}) {
    CollectingSink sink;
    EngineOptions options;
    options.evidence_thread = threaded;
    Pipeline p(options, sink);
    Conversation c{p};
    c.Send(Frame(true, 6, 80, 100, 0, kSyn, ""));
    c.Send(Frame(false, 6, 80, 900, 101, kSyn | kAck, ""));
    c.Send(Frame(true, 6, 80, 101, 901, kAck | kPsh, req));
    std::uint32_t seq = 901;
    for (std::size_t at = 0; at < resp.size(); at += 1400) {
      const std::string piece = resp.substr(at, 1400);
      c.Send(Frame(false, 6, 80, seq, 101 + static_cast<std::uint32_t>(req.size()), kAck, piece));
      seq += static_cast<std::uint32_t>(piece.size());
    }
    c.Send(Frame(false, 17, 4000, 0, 0, 0, "unanswered"));  // a second flow, UDP
    p.Finish();
    for (const auto& e : sink.events)
      lines[threaded ? 1 : 0].push_back(e.Serialize());
    auto http = sink.Of("beffroi.http");
    ASSERT_EQ(http.size(), 1u);
    EXPECT_EQ(http[0].GetString("file.hash.sha256"), Sha256Hex(body));
    EXPECT_EQ(http[0].GetString("beffroi.http.request.body.sha256"), Sha256Hex("payload"));
  }
  EXPECT_EQ(lines[0], lines[1]);
}

TEST(NetPipeline, OutOfOrderSegmentsAreParsedInSequence) {
  CollectingSink sink;
  Pipeline p(EngineOptions{}, sink);
  Conversation c{p};
  const std::string req = "GET /a HTTP/1.1\r\nHost: h.example\r\n\r\n";
  c.Send(Frame(true, 6, 80, 100, 0, kSyn, ""));
  c.Send(Frame(true, 6, 80, 111, 0, kAck, req.substr(10)));  // the second half first
  c.Send(Frame(true, 6, 80, 101, 0, kAck, req.substr(0, 10)));
  p.Finish();
  auto http = sink.Of("beffroi.http");
  ASSERT_EQ(http.size(), 1u);
  EXPECT_EQ(http[0].GetString("url.domain"), "h.example");
}

TEST(NetPipeline, DnsQueryAndResponseArePairedIntoOneEvent) {
  CollectingSink sink;
  Pipeline p(EngineOptions{}, sink);
  Conversation c{p};
  // Query for www.example.com A, id 0x1234; response with one A record 192.0.2.7 (compressed).
  const std::string q(
      "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07"
      "example\x03"
      "com\x00\x00\x01\x00\x01",
      33);
  std::string r = q;
  r[2] = '\x81';
  r[3] = '\x80';
  r[7] = '\x01';
  r += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\xc0\x00\x02\x07", 16);
  c.Send(Frame(true, 17, 53, 0, 0, 0, q));
  c.Send(Frame(false, 17, 53, 0, 0, 0, r));
  p.Finish();
  auto dns = sink.Of("beffroi.dns");
  ASSERT_EQ(dns.size(), 1u);
  EXPECT_EQ(dns[0].GetString("dns.question.name"), "www.example.com");
  EXPECT_EQ(dns[0].GetString("dns.type"), "answer");
  EXPECT_EQ(dns[0].GetString("dns.response_code"), "NOERROR");
  EXPECT_EQ(dns[0].json()["dns"]["resolved_ip"][0], "192.0.2.7");
  EXPECT_EQ(dns[0].GetString("source.ip"), "10.0.0.5");  // the asker
}

TEST(NetPipeline, AnomalyEventsAreCappedPerNameButAllCounted) {
  CollectingSink sink;
  EngineOptions options;
  options.anomaly_events_per_name = 3;
  Pipeline p(options, sink);
  Conversation c{p};
  auto frame = Frame(true, 17, 9999, 0, 0, 0, "x");
  frame.resize(14 + 10);  // cut inside the IPv4 header
  for (int i = 0; i < 10; ++i)
    c.Send(frame);
  p.Finish();
  auto anomalies = sink.Of("beffroi.anomaly");
  ASSERT_EQ(anomalies.size(), 3u);
  const std::string name = anomalies[0].GetString("beffroi.anomaly.name");
  EXPECT_EQ(name, "ip.truncated");
  EXPECT_EQ(p.Stats()["anomalies"][name], 10);
}

TEST(NetPipeline, StreamSamplesStopAtTheirLimitAndTheGlobalBudget) {
  CollectingSink sink;
  EngineOptions options;
  options.stream_sample_bytes = 8;
  Pipeline p(options, sink);
  Conversation c{p};
  c.Send(Frame(true, 17, 4000, 0, 0, 0, "0123456789abcdef"));
  p.Finish();
  ASSERT_EQ(sink.samples.size(), 1u);
  EXPECT_EQ(std::string(sink.samples[0].begin(), sink.samples[0].end()), "01234567");

  CollectingSink sink2;
  options.stream_sample_bytes = 64;
  options.stream_sample_budget = 4;
  Pipeline p2(options, sink2);
  Conversation c2{p2};
  c2.Send(Frame(true, 17, 4000, 0, 0, 0, "0123456789"));
  p2.Finish();
  EXPECT_TRUE(sink2.samples.empty());
  EXPECT_EQ(p2.Stats()["stream_samples_cut_by_budget"], 1);
}

TEST(NetPipeline, DnsFlowsKeepNoStreamSampleUnlessAsked) {
  const std::string q(
      "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01"
      "a\x00\x00\x01\x00\x01",
      19);
  for (bool keep : {false, true}) {
    CollectingSink sink;
    EngineOptions options;
    options.sample_parsed_flows = keep;
    Pipeline p(options, sink);
    Conversation c{p};
    c.Send(Frame(true, 17, 53, 0, 0, 0, q));
    p.Finish();
    EXPECT_EQ(sink.Of("beffroi.dns").size(), 1u);
    EXPECT_EQ(sink.samples.size(), keep ? 1u : 0u);
  }
}

TEST(NetEvents, HostWithoutPortHandlesIpv6AndNames) {
  EXPECT_EQ(HostWithoutPort("www.example.be:8080"), "www.example.be");
  EXPECT_EQ(HostWithoutPort("[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(HostWithoutPort("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(HostWithoutPort("Example.BE"), "Example.BE");
  EXPECT_EQ(TcpFlagsText(0x12), "SYN ACK");
  EXPECT_EQ(DnsTypeName(28), "AAAA");
  EXPECT_EQ(DnsTypeName(4242), "TYPE4242");
}

}  // namespace
}  // namespace beffroi::net
