// NetIngest: what `beffroi analyze` does with the network agent's events.
//
// Each DNS, HTTP, TLS and flow event becomes a network observation on the city host it
// concerns (the endpoint inside the city's private address space, found by the addresses host
// bundles reported, or a host named by its address when no bundle named it yet), is matched
// against the network indicators (addresses and CIDR blocks, domains and their subdomains,
// URLs, JA3/JA4, user agents), and points at the payload samples to YARA-scan: stream
// samples under a name that carries the stream's 5-tuple, HTTP bodies under their URL.
// Single-threaded; borrows the engine and the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/cli/context.h"
#include "analyzer/cli/matcher.h"
#include "analyzer/ioc/network_matcher.h"
#include "analyzer/store/store.h"
#include "common/event.h"

namespace beffroi::cli {

struct HostRef {
  std::int64_t id = 0;
  std::string name;
};

// A payload sample of the bundle and what it was (a stream direction, an HTTP body).
struct SampleRef {
  FileFacts facts;
  HostRef host;
  std::string connection;  // network samples: "tcp 10.0.0.5:49152 -> 192.0.2.80:80"
};

// True for addresses inside private, loopback, link-local or shared (CGNAT) space: the city's
// side of a conversation, never matched against address indicators.
bool IsPrivateAddress(const std::string& ip);

// The finding for a network indicator hit on `field` of an observation found at `locator`
// ("net:tcp 10.0.0.5 -> 203.0.113.7:443"), observed at `observed_at`: kind ioc.network, the
// rule "TYPE:VALUE", the indicator's score, techniques, playbook and list as reasons.
correlate::Finding NetworkIndicatorFinding(const ioc::NetworkHit& hit, const std::string& field,
                                           const std::string& locator,
                                           const std::string& observed_at);

// True for the datasets NetIngest handles.
bool IsNetworkDataset(std::string_view dataset);

class NetIngest {
 public:
  NetIngest(const Engine& engine, store::Store& store, std::optional<std::int64_t> bundle_id);

  // Handles one network event: stores its observation, returns the IOC findings, and adds
  // the samples it names to `samples` (keyed by their path in the bundle).
  Result<std::vector<correlate::Finding>> OnEvent(
      const Event& event, HostRef& host, std::map<std::string, std::vector<SampleRef>>& samples);
  // Writes the observations still buffered.
  Status Flush();

  // The host an address belongs to (creating one named after the address when unknown).
  Result<HostRef> HostForAddress(const std::string& ip, const std::string& seen_at);

 private:
  std::vector<correlate::Finding> Match(const Event& e, const std::string& locator);

  const Engine& engine_;
  store::Store& store_;
  std::optional<std::int64_t> bundle_id_;
  ioc::NetworkMatcher matcher_;
  std::map<std::string, HostRef> hosts_by_ip_;
  std::vector<store::NetObservationRow> batch_;
};

}  // namespace beffroi::cli
