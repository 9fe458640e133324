// The HTTP/1.x library's public API in one include: value types, Observer and Limits
// (types.h), Connection and LooksLikeRequest (connection.h).
#pragma once

#include "agents/net/protocol/http/connection.h"
#include "agents/net/protocol/http/types.h"
