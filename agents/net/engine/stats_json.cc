#include "agents/net/engine/stats_json.h"

namespace beffroi::net {

nlohmann::json DecoderStatsToJson(const Decoder::Stats& s) {
  return {{"frames", s.frames},
          {"unsupported_link", s.unsupported_link},
          {"not_ip", s.not_ip},
          {"ipv4", s.ipv4},
          {"ipv6", s.ipv6},
          {"tcp", s.tcp},
          {"udp", s.udp},
          {"icmp", s.icmp},
          {"icmpv6", s.icmpv6},
          {"ip_other", s.ip_other},
          {"undecodable", s.undecodable},
          {"malformed", s.malformed},
          {"truncated_by_snaplen", s.truncated},
          {"tunnels", s.tunnels},
          {"fragments",
           {{"fragments", s.fragments.fragments},
            {"reassembled", s.fragments.reassembled},
            {"timeouts", s.fragments.timeouts},
            {"evictions", s.fragments.evictions},
            {"dropped", s.fragments.dropped},
            {"overlap_mismatches", s.fragments.overlap_mismatches}}}};
}

nlohmann::json FlowStatsToJson(const FlowTable::Stats& s) {
  return {{"created", s.created},
          {"ended_idle", s.ended_idle},
          {"ended_active_timeout", s.ended_active},
          {"evicted", s.evicted},
          {"ended_closed", s.ended_closed},
          {"ended_end_of_capture", s.ended_end_of_capture},
          {"tuple_reuses", s.tuple_reuses},
          {"peak_flows", s.peak_flows}};
}

}  // namespace beffroi::net
