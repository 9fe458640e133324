// The decoder's and the flow table's counters as JSON, for the capture summary and manifest.
#pragma once

#include <nlohmann/json.hpp>

#include "agents/net/flow/flow_table.h"
#include "agents/net/packet/decoder.h"

namespace beffroi::net {

nlohmann::json DecoderStatsToJson(const Decoder::Stats& s);
nlohmann::json FlowStatsToJson(const FlowTable::Stats& s);

}  // namespace beffroi::net
