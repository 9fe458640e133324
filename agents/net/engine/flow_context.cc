#include "agents/net/engine/flow_context.h"

#include <algorithm>
#include <utility>

#include "agents/net/engine/net_events.h"
#include "agents/net/engine/pipeline.h"
#include "common/text.h"

namespace beffroi::net {
namespace {

// Requests waiting for their response in one connection, and DNS queries waiting for theirs
// in one flow; past these the oldest is written out unanswered.
constexpr std::size_t kMaxPendingHttp = 64;
constexpr std::size_t kMaxPendingDns = 64;
// DNS over UDP and mDNS/LLMNR ports (RFC 1035, RFC 6762, RFC 4795).
bool IsDnsPort(std::uint16_t port) {
  return port == 53 || port == 5353 || port == 5355;
}

std::string SamplePath(const StoredSample& s) {
  return s.kept ? "samples/" + s.sha256 : std::string();
}

}  // namespace

FlowContext::FlowContext(Pipeline& pipeline, const Flow& flow)
    : pipeline_(pipeline), key_(flow.key), flow_id_(flow.id), now_ns_(flow.start_ns) {
  sinks_[0].ctx = this;
  sinks_[0].dir = Direction::kForward;
  sinks_[1].ctx = this;
  sinks_[1].dir = Direction::kReverse;
}

FlowContext::~FlowContext() {
  for (auto& s : sample_)
    pipeline_.ReleaseSampleBytes(s.size());
}

void FlowContext::Report(std::string_view name, std::string_view detail) {
  pipeline_.ReportAnomaly(name, detail, &key_, now_ns_);
}

FiveTuple FlowContext::ClientTuple() const {
  return client_dir_ == Direction::kForward ? key_ : key_.Reversed();
}

void FlowContext::AppendSample(Direction dir, std::span<const std::uint8_t> bytes) {
  const auto d = static_cast<std::size_t>(dir);
  const std::size_t limit = pipeline_.options().stream_sample_bytes;
  if (limit == 0 || sample_closed_[d] || sample_[d].size() >= limit) return;
  if (parsed_fully_ && !pipeline_.options().sample_parsed_flows) return;
  const std::size_t n = std::min(limit - sample_[d].size(), bytes.size());
  if (!pipeline_.ReserveSampleBytes(n)) {
    sample_closed_[d] = true;  // the budget is spent: the sample stays as far as it got
    return;
  }
  sample_[d].insert(sample_[d].end(), bytes.begin(), bytes.begin() + static_cast<long>(n));
}

void FlowContext::OnUdp(Direction dir, const Packet& packet) {
  now_ns_ = packet.ts_ns;
  if (IsDnsPort(key_.src_port) || IsDnsPort(key_.dst_port)) {
    parsed_fully_ = true;
    OnDnsPayload(dir, packet.payload);
  }
  AppendSample(dir, packet.payload);
}

void FlowContext::OnTcp(Flow& flow, Direction dir, const Packet& packet) {
  now_ns_ = packet.ts_ns;
  const auto d = static_cast<std::size_t>(dir);
  const auto other = static_cast<std::size_t>(Opposite(dir));
  auto& budget = pipeline_.reassembly_budget();
  flow.tcp[d].OnSegment(packet.tcp_seq, packet.tcp_flags, packet.payload, packet.payload_length,
                        sinks_[d], *this, budget);
  if ((packet.tcp_flags & 0x10) != 0) {
    flow.tcp[other].OnPeerAck(packet.tcp_ack, sinks_[other], *this, budget);
  }
}

void FlowContext::ChooseApp(Direction dir, std::span<const std::uint8_t> first) {
  if (http::LooksLikeRequest(first)) {
    app_ = App::kHttp;
    client_dir_ = dir;
    http_ = std::make_unique<http::Connection>(static_cast<http::Observer&>(*this), *this);
  } else if (tls::LooksLikeClientHello(first)) {
    app_ = App::kTls;
    client_dir_ = dir;
    tls_ = std::make_unique<tls::Connection>(static_cast<tls::Observer&>(*this), *this);
    parsed_fully_ = true;
  } else if (IsDnsPort(key_.src_port) || IsDnsPort(key_.dst_port)) {
    app_ = App::kDns;
    parsed_fully_ = true;
    for (auto& f : dns_framer_)
      f = std::make_unique<dns::TcpFramer>();
  } else {
    app_ = App::kNone;
  }
}

void FlowContext::OnStreamData(Direction dir, std::span<const std::uint8_t> bytes) {
  if (app_ == App::kUnknown) ChooseApp(dir, bytes);
  AppendSample(dir, bytes);
  const bool from_client = dir == client_dir_;
  switch (app_) {
    case App::kHttp:
      http_->Feed(from_client ? http::Direction::kClientToServer : http::Direction::kServerToClient,
                  bytes);
      if (!http_->active()) app_ = App::kNone;
      break;
    case App::kTls:
      tls_->Feed(from_client ? tls::Direction::kClientToServer : tls::Direction::kServerToClient,
                 bytes);
      if (!tls_->active()) {
        EmitTls();
        app_ = App::kNone;
      }
      break;
    case App::kDns: {
      auto& framer = *dns_framer_[static_cast<std::size_t>(dir)];
      framer.Feed(bytes,
                  [&](std::span<const std::uint8_t> message) { OnDnsPayload(dir, message); });
      break;
    }
    default:
      break;
  }
}

void FlowContext::OnStreamGap(Direction dir, std::uint64_t length) {
  gap_bytes_[static_cast<std::size_t>(dir)] += length;
  // A sample with a hole would be misleading: it ends at the gap.
  sample_closed_[static_cast<std::size_t>(dir)] = true;
  const bool from_client = dir == client_dir_;
  if (app_ == App::kHttp) {
    http_->Gap(from_client ? http::Direction::kClientToServer : http::Direction::kServerToClient,
               length);
  } else if (app_ == App::kTls) {
    tls_->Gap(from_client ? tls::Direction::kClientToServer : tls::Direction::kServerToClient,
              length);
  } else if (app_ == App::kDns) {
    dns_framer_[static_cast<std::size_t>(dir)]->OnGap(length);
  }
}

void FlowContext::OnStreamClose(Direction dir) {
  const bool from_client = dir == client_dir_;
  if (app_ == App::kHttp) {
    http_->Close(from_client ? http::Direction::kClientToServer : http::Direction::kServerToClient);
  } else if (app_ == App::kTls) {
    tls_->Close(from_client ? tls::Direction::kClientToServer : tls::Direction::kServerToClient);
  }
}

// ---- DNS ----

void FlowContext::OnDnsPayload(Direction dir, std::span<const std::uint8_t> bytes) {
  dns::Message message;
  if (!dns::Parse(bytes, message, *this)) return;
  ++dns_messages_;
  if (!message.is_response) {
    if (dns_pending_.size() >= kMaxPendingDns) {
      EmitDns(&dns_pending_.front(), nullptr, dir, now_ns_);
      dns_pending_.pop_front();
    }
    dns_pending_.push_back(PendingQuery{std::move(message), now_ns_, dir});
    return;
  }
  for (auto it = dns_pending_.begin(); it != dns_pending_.end(); ++it) {
    if (it->message.id == message.id && it->dir != dir) {
      EmitDns(&*it, &message, dir, now_ns_);
      dns_pending_.erase(it);
      return;
    }
  }
  EmitDns(nullptr, &message, dir, now_ns_);
}

void FlowContext::FlushPendingQueries() {
  for (auto& q : dns_pending_)
    EmitDns(&q, nullptr, Opposite(q.dir), q.ts_ns);
  dns_pending_.clear();
}

void FlowContext::EmitDns(const PendingQuery* query, const dns::Message* response,
                          Direction response_dir, std::int64_t response_ts) {
  const dns::Message& m = response != nullptr ? *response : query->message;
  const std::int64_t ts = query != nullptr ? query->ts_ns : response_ts;
  Event e = MakeNetEvent("beffroi.dns", ts);
  e.Set("event.category", "network");
  e.Set("event.type", "protocol");
  // The client is whoever asked: the query's sender, or the side a lone response went to.
  const Direction client = query != nullptr ? query->dir : Opposite(response_dir);
  SetEndpoints(e, client == Direction::kForward ? key_ : key_.Reversed());
  e.Set("network.protocol", "dns");
  e.Set("dns.id", static_cast<unsigned>(m.id));
  e.Set("dns.type", response != nullptr ? "answer" : "query");
  const auto& questions = query != nullptr ? query->message.questions : m.questions;
  if (!questions.empty()) {
    e.Set("dns.question.name", ToValidUtf8(questions.front().name));
    e.Set("dns.question.type", DnsTypeName(questions.front().type));
    e.Set("dns.question.class", questions.front().klass == 1 ? "IN" : "other");
    if (questions.size() > 1) {
      nlohmann::json more = nlohmann::json::array();
      for (std::size_t i = 1; i < questions.size(); ++i)
        more.push_back(ToValidUtf8(questions[i].name));
      e.SetJson("beffroi.dns.more_questions", std::move(more));
    }
  }
  if (response != nullptr) {
    e.Set("dns.response_code", DnsRcodeName(response->rcode));
    nlohmann::json flags = nlohmann::json::array();
    if (response->aa) flags.push_back("AA");
    if (response->tc) flags.push_back("TC");
    if (response->rd) flags.push_back("RD");
    if (response->ra) flags.push_back("RA");
    e.SetJson("dns.header_flags", std::move(flags));
    nlohmann::json answers = nlohmann::json::array();
    nlohmann::json resolved = nlohmann::json::array();
    for (const auto& r : response->answers) {
      answers.push_back({{"name", ToValidUtf8(r.name)},
                         {"type", DnsTypeName(r.type)},
                         {"ttl", r.ttl},
                         {"data", ToValidUtf8(r.data)}});
      if ((r.type == 1 || r.type == 28) && !r.data.empty()) resolved.push_back(r.data);
    }
    if (!answers.empty()) e.SetJson("dns.answers", std::move(answers));
    if (!resolved.empty()) e.SetJson("dns.resolved_ip", std::move(resolved));
    if (query != nullptr) e.Set("event.duration", response_ts - query->ts_ns);
  }
  pipeline_.Emit(e);
}

// ---- HTTP ----

FlowContext::HttpTransaction* FlowContext::FindTransaction(std::uint64_t index) {
  for (auto& t : http_transactions_) {
    if (t.request.index == index) return &t;
  }
  return nullptr;
}

void FlowContext::OnRequest(const http::Request& request) {
  if (http_transactions_.size() >= kMaxPendingHttp) {
    EmitHttp(http_transactions_.front());
    http_transactions_.pop_front();
  }
  HttpTransaction t;
  t.request = request;
  t.ts_ns = now_ns_;
  http_transactions_.push_back(std::move(t));
}

void FlowContext::OnResponse(const http::Response& response) {
  HttpTransaction* t = FindTransaction(response.index);
  if (t == nullptr) return;  // a response to a request we never saw (capture started late)
  if (response.status >= 100 && response.status < 200 && response.status != 101) return;
  t->response = response;
  // Responses that carry no body are complete with their headers (RFC 9112 §6.3).
  const bool no_body = t->request.method == "HEAD" || response.status == 204 ||
                       response.status == 304 ||
                       (!response.chunked && response.content_length == 0u);
  if (no_body) t->response_done = true;
  EmitReadyTransactions(false);
}

void FlowContext::OnBodyData(http::Direction hdir, std::uint64_t index,
                             std::span<const std::uint8_t> chunk) {
  HttpTransaction* t = FindTransaction(index);
  if (t == nullptr) return;
  const auto d = hdir == http::Direction::kClientToServer ? 0u : 1u;
  const auto& options = pipeline_.options();
  if (!t->body_writer[d]) t->body_writer[d] = pipeline_.evidence().NewWriter(options.http_bodies);
  if (t->body_bytes[d] + chunk.size() > options.http_body_max_bytes) t->body_writer[d]->StopCopy();
  t->body_bytes[d] += chunk.size();
  t->body_writer[d]->Write(chunk);
}

void FlowContext::OnBodyEnd(http::Direction hdir, std::uint64_t index, http::BodyEnd how) {
  HttpTransaction* t = FindTransaction(index);
  if (t == nullptr) return;
  const auto d = hdir == http::Direction::kClientToServer ? 0u : 1u;
  const bool complete = how == http::BodyEnd::kComplete || how == http::BodyEnd::kUnbounded;
  t->body_complete[d] = complete;
  if (t->body_writer[d]) {
    const bool keep = complete && t->body_bytes[d] <= pipeline_.options().http_body_max_bytes;
    t->body[d] = t->body_writer[d]->Finish(keep);
    t->body_writer[d].reset();
  }
  if (d == 1) {
    t->response_done = true;
    EmitReadyTransactions(false);
  }
}

void FlowContext::EmitReadyTransactions(bool all) {
  // Transactions leave in request order. One is ready when its response is complete, or when a
  // later request already has a response (then its own is not coming).
  while (!http_transactions_.empty()) {
    auto& t = http_transactions_.front();
    bool ready = all || t.response_done;
    if (!ready && !t.response) {
      ready = std::any_of(http_transactions_.begin() + 1, http_transactions_.end(),
                          [](const HttpTransaction& later) { return later.response.has_value(); });
    }
    if (!ready) break;
    EmitHttp(t);
    http_transactions_.pop_front();
  }
}

void FlowContext::EmitHttp(HttpTransaction& t) {
  for (unsigned d = 0; d < 2; ++d) {
    if (t.body_writer[d]) {  // the flow ended inside the body
      t.body[d] = t.body_writer[d]->Finish(false);
      t.body_writer[d].reset();
    }
  }
  const auto& rq = t.request;
  ++http_emitted_;
  Event e = MakeNetEvent("beffroi.http", t.ts_ns);
  e.Set("event.type", "protocol");
  SetEndpoints(e, ClientTuple());
  e.Set("network.protocol", "http");
  e.Set("http.request.method", rq.method);
  if (!rq.version.empty()) e.Set("http.version", rq.version);
  if (!rq.uri.empty()) e.Set("url.original", rq.uri);  // empty: "GET HTTP/1.1"
  const auto q = rq.uri.find('?');
  std::string path = rq.uri.substr(0, q);
  if (q != std::string::npos) e.Set("url.query", rq.uri.substr(q + 1));
  if (!rq.host.empty()) {
    const std::string domain = HostWithoutPort(rq.host);
    e.Set("url.domain", domain);
    if (!path.empty() && path.front() == '/') e.Set("url.full", "http://" + rq.host + rq.uri);
  }
  if (rq.uri.rfind("http://", 0) == 0 || rq.uri.rfind("https://", 0) == 0) {
    e.Set("url.full", rq.uri);
  }
  if (!path.empty()) e.Set("url.path", path);
  if (!rq.user_agent.empty()) e.Set("user_agent.original", rq.user_agent);
  if (!rq.referer.empty()) e.Set("http.request.referrer", rq.referer);
  if (!rq.content_type.empty()) e.Set("http.request.mime_type", rq.content_type);
  e.Set("http.request.body.bytes", t.body_bytes[0]);
  // A body's writer saw every byte counted in body_bytes: its size is known here, its hash and
  // whether the bundle kept it only on the evidence thread (the finisher below).
  SampleResult request_body = t.body_bytes[0] > 0 ? t.body[0] : nullptr;
  SampleResult response_body;
  if (t.response) {
    const auto& rs = *t.response;
    e.Set("http.response.status_code", rs.status);
    if (!rs.content_type.empty()) e.Set("http.response.mime_type", rs.content_type);
    if (!rs.server.empty()) e.Set("beffroi.http.response.server", rs.server);
    if (!rs.location.empty()) e.Set("beffroi.http.response.location", rs.location);
    e.Set("http.response.body.bytes", t.body_bytes[1]);
    if (t.body[1] && t.body_bytes[1] > 0) {
      response_body = t.body[1];
      e.Set("file.size", t.body_bytes[1]);
      e.Set("beffroi.http.response.body_complete", t.body_complete[1]);
    }
  }
  if (!request_body && !response_body) {
    pipeline_.Emit(e);
    return;
  }
  pipeline_.Emit(e, [request_body, response_body](Event& ev) {
    if (request_body) {
      ev.Set("beffroi.http.request.body.sha256", request_body->sha256);
      if (request_body->kept) ev.Set("beffroi.http.request.body.sample", SamplePath(*request_body));
    }
    if (response_body) {
      ev.Set("file.hash.sha256", response_body->sha256);
      if (response_body->kept) {
        ev.Set("beffroi.sample.path", SamplePath(*response_body));
        ev.Set("beffroi.sample.reason", "http_body");
      }
    }
  });
}

// ---- TLS ----

void FlowContext::OnClientHello(const tls::ClientHello& hello) {
  client_hello_ = hello;
}
void FlowContext::OnServerHello(const tls::ServerHello& hello) {
  server_hello_ = hello;
}
void FlowContext::OnCertificates(const std::vector<tls::Certificate>& chain) {
  certificates_ = chain;
}

void FlowContext::EmitTls() {
  if (tls_emitted_ || !client_hello_) return;
  tls_emitted_ = true;
  const auto& ch = *client_hello_;
  Event e = MakeNetEvent("beffroi.tls", now_ns_);
  e.Set("event.type", "protocol");
  SetEndpoints(e, ClientTuple());
  e.Set("network.protocol", "tls");
  if (!ch.server_name.empty()) e.Set("tls.client.server_name", ch.server_name);
  e.Set("tls.client.ja3", ch.ja3_hash);
  e.Set("tls.client.ja4", ch.ja4);
  e.Set("beffroi.tls.client.ja3_string", ch.ja3);
  if (!ch.alpn.empty()) {
    nlohmann::json alpn = nlohmann::json::array();
    for (const auto& a : ch.alpn)
      alpn.push_back(a);
    e.SetJson("beffroi.tls.client.alpn", std::move(alpn));
  }
  if (server_hello_) {
    const auto& sh = *server_hello_;
    e.Set("tls.version_protocol", "tls");
    e.Set("tls.version", TlsVersionName(sh.selected_version));
    e.Set("tls.server.ja3s", sh.ja3s_hash);
    e.Set("beffroi.tls.server.ja3s_string", sh.ja3s);
    char cipher[8];
    std::snprintf(cipher, sizeof cipher, "0x%04x", sh.cipher_suite);
    e.Set("beffroi.tls.cipher_suite", cipher);
    if (!sh.alpn.empty()) e.Set("tls.next_protocol", sh.alpn);
    e.Set("tls.established", true);
  }
  if (!certificates_.empty()) {
    const auto& leaf = certificates_.front();
    e.Set("tls.server.subject", ToValidUtf8(leaf.subject));
    e.Set("tls.server.issuer", ToValidUtf8(leaf.issuer));
    e.Set("tls.server.not_before", leaf.not_before);
    e.Set("tls.server.not_after", leaf.not_after);
    e.Set("tls.server.hash.sha256", leaf.sha256);
    e.Set("tls.server.x509.serial_number", leaf.serial);
    if (!leaf.san_dns.empty()) {
      nlohmann::json names = nlohmann::json::array();
      for (const auto& n : leaf.san_dns)
        names.push_back(n);
      e.SetJson("tls.server.x509.alternative_names", std::move(names));
    }
    nlohmann::json chain = nlohmann::json::array();
    for (const auto& c : certificates_)
      chain.push_back(c.sha256);
    e.SetJson("beffroi.tls.server.chain_sha256", std::move(chain));
  }
  pipeline_.Emit(e);
}

// ---- end of flow ----

void FlowContext::OnEnd(Flow& flow, EndReason reason) {
  now_ns_ = flow.last_ns;
  if (flow.key.protocol == kIpProtoTcp) {
    auto& budget = pipeline_.reassembly_budget();
    flow.tcp[0].Flush(sinks_[0], budget);
    flow.tcp[1].Flush(sinks_[1], budget);
  }
  FlushPendingQueries();
  EmitReadyTransactions(true);
  EmitTls();
  // The sample buffers go to the evidence thread as they are (no copy); their hashes come back
  // in the flow event's finisher.
  SampleResult samples[2];
  std::uint64_t sample_sizes[2] = {0, 0};
  for (std::size_t d = 0; d < 2; ++d) {
    if (sample_[d].empty()) continue;
    sample_sizes[d] = sample_[d].size();
    pipeline_.ReleaseSampleBytes(sample_[d].size());
    samples[d] = pipeline_.evidence().StoreSample(std::exchange(sample_[d], {}));
  }
  if (!pipeline_.options().flow_events) return;
  Event e = MakeNetEvent("beffroi.flow", flow.start_ns);
  e.Set("event.type", "connection");
  SetEndpoints(e, flow.key);
  e.Set("event.start", FormatTimestampNs(flow.start_ns));
  e.Set("event.end", FormatTimestampNs(flow.last_ns));
  e.Set("event.duration", flow.last_ns - flow.start_ns);
  static constexpr const char* kReasons[] = {"idle", "active_timeout", "evicted", "tcp_closed",
                                             "end_of_capture"};
  e.Set("event.reason", kReasons[static_cast<std::size_t>(reason)]);
  e.Set("beffroi.flow.id", flow.id);
  switch (app_) {
    case App::kHttp:
      e.Set("network.protocol", "http");
      break;
    case App::kTls:
      e.Set("network.protocol", "tls");
      break;
    case App::kDns:
      e.Set("network.protocol", "dns");
      break;
    default:
      if (dns_messages_ > 0)
        e.Set("network.protocol", "dns");
      else if (tls_emitted_)
        e.Set("network.protocol", "tls");
      else if (http_emitted_ > 0)
        e.Set("network.protocol", "http");
  }
  e.Set("source.packets", flow.forward.packets);
  e.Set("source.bytes", flow.forward.bytes);
  e.Set("destination.packets", flow.reverse.packets);
  e.Set("destination.bytes", flow.reverse.bytes);
  e.Set("network.packets", flow.forward.packets + flow.reverse.packets);
  e.Set("network.bytes", flow.forward.bytes + flow.reverse.bytes);
  if (flow.key.protocol == kIpProtoTcp) {
    e.Set("beffroi.flow.source.tcp_flags", TcpFlagsText(flow.forward.tcp_flags));
    e.Set("beffroi.flow.destination.tcp_flags", TcpFlagsText(flow.reverse.tcp_flags));
    if (gap_bytes_[0] > 0) e.Set("beffroi.flow.source.gap_bytes", gap_bytes_[0]);
    if (gap_bytes_[1] > 0) e.Set("beffroi.flow.destination.gap_bytes", gap_bytes_[1]);
  }
  static constexpr const char* kSides[] = {"source", "destination"};
  for (std::size_t d = 0; d < 2; ++d) {
    if (sample_sizes[d] > 0)
      e.Set(std::string("beffroi.stream.") + kSides[d] + ".bytes", sample_sizes[d]);
  }
  if (!samples[0] && !samples[1]) {
    pipeline_.Emit(e);
    return;
  }
  pipeline_.Emit(e, [s0 = samples[0], s1 = samples[1]](Event& ev) {
    const SampleResult* results[2] = {&s0, &s1};
    for (std::size_t d = 0; d < 2; ++d) {
      const SampleResult& r = *results[d];
      if (!r) continue;
      const std::string prefix = std::string("beffroi.stream.") + kSides[d];
      ev.Set(prefix + ".sha256", r->sha256);
      if (r->kept) ev.Set(prefix + ".sample", SamplePath(*r));
    }
  });
}

}  // namespace beffroi::net
