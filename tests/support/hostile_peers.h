// The hostile-server corpus: named peer behaviours that every client of ours must survive with a
// recorded outcome, bounded memory and no crash. Reused by the protocol, agent and probe tests.
#pragma once

#include "tests/support/line_server.h"

#include <chrono>
#include <string>

namespace eo::test::hostile {

// Streams one line without a newline until the client goes away.
Behaviour endless_line();
// Answers the first request with a result string holding ill-formed UTF-8.
Behaviour invalid_utf8_reply();
// Sends random bytes at once (garbage where a TLS ServerHello or JSON should be).
Behaviour garbage();
// Answers correctly, one byte every `interval`.
Behaviour slow_drip(std::chrono::milliseconds interval);
// Sends half of a reply, then resets the connection (RST via SO_LINGER 0).
Behaviour reset_mid_reply();
// Sends half of a reply, then closes cleanly (FIN).
Behaviour close_mid_reply();
// Answers every request with many short valid lines (notifications) before a final reply.
Behaviour notification_flood(int count);
// Accepts and never says anything.
Behaviour silent();

// The reply the well-behaved part of these peers sends for request id `id`.
std::string honest_reply(long id);

}  // namespace eo::test::hostile
