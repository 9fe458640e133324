// RDATA to text for the record types Message documents (internal to the DNS library).
// Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/dns/name.h"
#include "common/byte_reader.h"

namespace beffroi::net::dns {

// `rdata` spans the message from its first octet to the end of this record's RDATA and is
// positioned at the RDATA's start (names inside may point anywhere earlier). Writes the text
// form into `data` (cleared first; empty for types without a text form). Returns false when
// the RDATA is malformed (reported: dns.rdata_bad_length, dns.rdata_overflow, or a name
// anomaly); `data` is then empty. The record's framing is intact either way.
bool FormatRdata(ByteReader rdata, std::uint16_t type, std::string& data, NameBuffer& scratch,
                 AnomalySink& anomalies);

}  // namespace beffroi::net::dns
