// The command-line options shared by `beffroi-net read|capture` and `beffroi pcap`: what the
// pipeline keeps, and who the evidence says collected it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "agents/net/engine/evidence.h"
#include "agents/net/engine/pipeline.h"
#include "common/bundle.h"
#include "common/result.h"

namespace boost::program_options {
class options_description;
}

namespace beffroi::net {

struct NetFlags {
  unsigned sample_kib = 64;
  unsigned body_max_mib = 64;
  bool no_bodies = false;
  bool no_flows = false;
  bool sample_parsed_flows = false;
  std::size_t max_flows = 262144;
};

void AddNetFlags(boost::program_options::options_description& desc, NetFlags& flags);
Result<EngineOptions> MakeEngineOptions(const NetFlags& flags);

// This machine as the sensor: host name, machine id, a stable agent id.
Envelope LocalEnvelope();
// The manifest's custody fields for a bundle written by beffroi-net.
BundleInfo MakeNetBundleInfo(const Envelope& env, const std::string& examiner,
                             const std::string& case_id, const std::vector<std::string>& argv,
                             const std::string& started);

}  // namespace beffroi::net
