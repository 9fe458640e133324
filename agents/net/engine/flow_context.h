// FlowContext: what the pipeline knows about one flow beyond its counters.
//
// It receives the in-order bytes of each TCP direction (as a StreamSink) and the datagrams of
// UDP flows, keeps the first bytes of each direction as a stream sample (except for DNS and
// TLS), picks the protocol
// parser from the first bytes (HTTP request line, TLS ClientHello, DNS port) and turns what
// the parsers report into DNS, HTTP and TLS events. When the flow ends it writes the samples
// and the flow event. Owned by the flow (Flow::state); single-threaded.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/net/engine/evidence.h"
#include "agents/net/engine/evidence_queue.h"
#include "agents/net/flow/flow_table.h"
#include "agents/net/packet/decoder.h"
#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/dns/message.h"
#include "agents/net/protocol/dns/tcp_framer.h"
#include "agents/net/protocol/http/connection.h"
#include "agents/net/protocol/tls/connection.h"

namespace beffroi::net {

class Pipeline;

class FlowContext final : public FlowState,
                          public AnomalySink,
                          private http::Observer,
                          private tls::Observer {
 public:
  FlowContext(Pipeline& pipeline, const Flow& flow);
  ~FlowContext() override;

  void OnUdp(Direction dir, const Packet& packet);
  void OnTcp(Flow& flow, Direction dir, const Packet& packet);
  // The flow is over: flush reassembly, close parsers, write samples and the flow event.
  void OnEnd(Flow& flow, EndReason reason);

  void Report(std::string_view name, std::string_view detail) override;

 private:
  struct DirSink final : public StreamSink {
    FlowContext* ctx = nullptr;
    Direction dir = Direction::kForward;
    void OnData(std::span<const std::uint8_t> bytes) override { ctx->OnStreamData(dir, bytes); }
    void OnGap(std::uint64_t length) override { ctx->OnStreamGap(dir, length); }
    void OnClose() override { ctx->OnStreamClose(dir); }
  };
  enum class App : std::uint8_t { kUnknown, kNone, kHttp, kTls, kDns };
  struct HttpTransaction {
    http::Request request;
    std::optional<http::Response> response;
    std::int64_t ts_ns = 0;
    std::unique_ptr<EvidenceQueue::Writer> body_writer[2];
    std::uint64_t body_bytes[2] = {0, 0};
    SampleResult body[2];  // filled on the evidence thread: read in an event finisher
    bool body_complete[2] = {false, false};
    bool response_done = false;
  };
  struct PendingQuery {
    dns::Message message;
    std::int64_t ts_ns = 0;
    Direction dir = Direction::kForward;
  };

  void OnStreamData(Direction dir, std::span<const std::uint8_t> bytes);
  void OnStreamGap(Direction dir, std::uint64_t length);
  void OnStreamClose(Direction dir);
  void ChooseApp(Direction dir, std::span<const std::uint8_t> first_bytes);
  void AppendSample(Direction dir, std::span<const std::uint8_t> bytes);
  void OnDnsPayload(Direction dir, std::span<const std::uint8_t> bytes);
  void EmitDns(const PendingQuery* query, const dns::Message* response, Direction response_dir,
               std::int64_t response_ts);
  void FlushPendingQueries();

  // http::Observer
  void OnRequest(const http::Request& request) override;
  void OnResponse(const http::Response& response) override;
  void OnBodyData(http::Direction dir, std::uint64_t index,
                  std::span<const std::uint8_t> chunk) override;
  void OnBodyEnd(http::Direction dir, std::uint64_t index, http::BodyEnd how) override;
  HttpTransaction* FindTransaction(std::uint64_t index);
  void EmitHttp(HttpTransaction& t);
  void EmitReadyTransactions(bool all);

  // tls::Observer
  void OnClientHello(const tls::ClientHello& hello) override;
  void OnServerHello(const tls::ServerHello& hello) override;
  void OnCertificates(const std::vector<tls::Certificate>& chain) override;
  void EmitTls();

  // The 5-tuple oriented client → server (as far as we know who the client is).
  FiveTuple ClientTuple() const;

  Pipeline& pipeline_;
  FiveTuple key_;  // as the initiator sent it
  std::uint64_t flow_id_ = 0;
  std::int64_t now_ns_ = 0;  // time of the packet being handled
  Direction client_dir_ = Direction::kForward;
  DirSink sinks_[2];
  std::vector<std::uint8_t> sample_[2];
  bool sample_closed_[2] = {false, false};
  // DNS and TLS flows keep no stream sample: DNS is parsed whole into events, and TLS past
  // the parsed handshake is ciphertext that no rule can read.
  bool parsed_fully_ = false;
  std::uint64_t gap_bytes_[2] = {0, 0};
  App app_ = App::kUnknown;
  std::unique_ptr<http::Connection> http_;
  std::unique_ptr<tls::Connection> tls_;
  std::unique_ptr<dns::TcpFramer> dns_framer_[2];
  std::deque<HttpTransaction> http_transactions_;
  std::uint64_t http_emitted_ = 0;
  std::optional<tls::ClientHello> client_hello_;
  std::optional<tls::ServerHello> server_hello_;
  std::vector<tls::Certificate> certificates_;
  bool tls_emitted_ = false;
  std::deque<PendingQuery> dns_pending_;
  std::uint64_t dns_messages_ = 0;
};

}  // namespace beffroi::net
