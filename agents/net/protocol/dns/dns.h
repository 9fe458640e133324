// The DNS library's public API in one include: Message and Parse (message.h), name text form
// and LowerName (name.h), DNS-over-TCP framing (tcp_framer.h).
#pragma once

#include "agents/net/protocol/dns/message.h"
#include "agents/net/protocol/dns/name.h"
#include "agents/net/protocol/dns/tcp_framer.h"
