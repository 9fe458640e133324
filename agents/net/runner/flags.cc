#include "agents/net/runner/flags.h"

#include <unistd.h>

#include <boost/program_options.hpp>

#include "common/hash.h"
#include "common/identity.h"

namespace po = boost::program_options;

namespace beffroi::net {

void AddNetFlags(po::options_description& d, NetFlags& f) {
  d.add_options()("stream-sample-kib", po::value(&f.sample_kib)->default_value(f.sample_kib),
                  "first KiB of each direction of each TCP stream and UDP flow kept as a sample "
                  "for YARA (0: none)")(
      "sample-parsed-flows", po::bool_switch(&f.sample_parsed_flows),
      "keep stream samples of DNS and TLS flows too (by default they keep none: they are "
      "parsed into events, and TLS past its handshake is ciphertext)")(
      "no-http-bodies", po::bool_switch(&f.no_bodies),
      "do not keep HTTP bodies as file samples (their SHA-256 is still recorded)")(
      "http-body-max-mib", po::value(&f.body_max_mib)->default_value(f.body_max_mib),
      "largest HTTP body kept as a sample")("no-flows", po::bool_switch(&f.no_flows),
                                            "no beffroi.flow events (DNS/HTTP/TLS only)")(
      "max-flows", po::value(&f.max_flows)->default_value(f.max_flows),
      "flows tracked at once; the least recently active is ended first");
}

Result<EngineOptions> MakeEngineOptions(const NetFlags& f) {
  EngineOptions o;
  if (f.sample_kib > 16 * 1024) {
    return MakeError(ErrorCode::kInvalidArgument, "--stream-sample-kib: at most 16384");
  }
  if (f.max_flows < 16 || f.max_flows > 16 * 1024 * 1024) {
    return MakeError(ErrorCode::kInvalidArgument, "--max-flows: between 16 and 16777216");
  }
  o.stream_sample_bytes = std::size_t{f.sample_kib} * 1024;
  o.http_bodies = !f.no_bodies;
  o.http_body_max_bytes = std::uint64_t{f.body_max_mib} * 1024 * 1024;
  o.flow_events = !f.no_flows;
  o.sample_parsed_flows = f.sample_parsed_flows;
  // The evidence thread pays for itself when sample files are written (file creation and
  // writes overlap decoding). With none, handing events over costs more CPU time than
  // serialising them here, and the input's SHA-256 thread is the slower one anyway.
  o.evidence_thread = o.stream_sample_bytes > 0 || o.http_bodies;
  o.flows.max_flows = f.max_flows;
  return o;
}

Envelope LocalEnvelope() {
  Envelope env;
  env.host_name = LocalHostName();
  env.host_id = LocalMachineId();
  env.agent_version = BEFFROI_VERSION;
  env.agent_id =
      Sha256Hex("beffroi-net:" + (env.host_id.empty() ? env.host_name : env.host_id)).substr(0, 32);
  return env;
}

BundleInfo MakeNetBundleInfo(const Envelope& env, const std::string& examiner,
                             const std::string& case_id, const std::vector<std::string>& argv,
                             const std::string& started) {
  BundleInfo info;
  info.bundle_id = RandomUuid();
  info.agent_name = "beffroi-net";
  info.agent_version = env.agent_version;
  info.agent_id = env.agent_id;
  info.host_name = env.host_name;
  info.host_id = env.host_id;
  info.os_uid = static_cast<std::int64_t>(::getuid());
  info.os_user = AccountName(::getuid());
  info.examiner = examiner.empty() ? info.os_user : examiner;
  info.case_id = case_id;
  info.command_line = argv;
  info.started = started;
  return info;
}

}  // namespace beffroi::net
