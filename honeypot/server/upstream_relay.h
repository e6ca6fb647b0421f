// Upstream-proxy mode for one client session: the client's lines go verbatim to the session's own
// connection to a real Electrum server (our electrum::Client, TCP or TLS), every line the
// upstream sends comes back verbatim, and the exchange is recorded through the session's recorder
// (REQUEST with script hashes and latency, VERSION, BROADCAST) as the chain-backed server does.
#pragma once

#include "common/electrum/client.h"
#include "common/electrum/line_framer.h"
#include "common/electrum/message.h"
#include "honeypot/chain/backend.h"
#include "honeypot/server/profile.h"
#include "honeypot/server/server.h"
#include "honeypot/server/session_state.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace eo::honeypot::server {

// Where a relay's output goes: the session's reply queue and its end.
struct RelayOutput {
  std::function<void(std::string bytes)> send;    // terminated line(s) for the client
  std::function<void(std::string reason)> close;  // end the session once `send` is flushed
};

// Not thread-safe: the session's executor runs all of it. The session owns the relay and runs
// writer() and reader() as its own tasks (they keep the session, hence the relay, alive).
class UpstreamRelay {
 public:
  UpstreamRelay(boost::asio::any_io_executor executor, const UpstreamConfig& config,
                const Profile& profile, std::size_t max_params_bytes, SessionState& state,
                RelayOutput output);

  // One framed client line: forwarded as it is (the first one also opens the upstream), or
  // answered here with an error when the session already has max_outstanding requests waiting.
  void handle_line(const electrum::FramedLine& line);

  // Connects once the first line is queued, then writes queued lines to the upstream.
  boost::asio::awaitable<void> writer();
  // Once connected: relays every upstream line to the client and records what it answers.
  boost::asio::awaitable<void> reader();

  // The session is ending: records the requests still waiting as "unanswered" and closes the
  // upstream. Idempotent.
  void stop();

  std::size_t outstanding() const { return outstanding_; }

  // Our error replies. The client sees them; the reason is only in the event.
  static constexpr std::int64_t kUnavailableCode = -32603;
  static constexpr std::int64_t kBusyCode = -101;  // ElectrumX's "excessive resource usage"

 private:
  // A forwarded request awaiting its answer: what its REQUEST event will say.
  struct Pending {
    std::string method;
    std::string params_json;
    std::vector<std::string> scripthashes;
    Clock::time_point received;
    std::string client_name;  // server.version
    std::string protocol_min;
    std::string protocol_max;
    std::string txid;  // blockchain.transaction.broadcast: from the raw bytes, when they parse
  };

  void track(const electrum::Request& request, Clock::time_point now);
  void record_forwarded(const electrum::BatchElement& element);
  std::string busy_reply(const electrum::Message& message);
  void on_upstream_line(std::string_view text);
  void complete(Pending& pending, const electrum::Response& response);
  void fail(std::string reason);
  void queue(std::string bytes);

  boost::asio::any_io_executor executor_;
  UpstreamConfig config_;
  const Profile& profile_;
  std::size_t max_params_bytes_;
  SessionState& state_;
  RelayOutput output_;
  electrum::Client client_;

  // Keyed by the id's JSON text; a client that reuses an id gets its answers in order.
  std::unordered_map<std::string, std::deque<Pending>> pending_;
  std::size_t outstanding_ = 0;

  std::deque<std::string> outgoing_;
  std::size_t outgoing_bytes_ = 0;
  boost::asio::steady_timer wake_writer_;
  boost::asio::steady_timer wake_reader_;
  bool connected_ = false;
  bool done_ = false;     // no more upstream I/O (failed or stopped)
  bool stopped_ = false;  // the session is ending
};

// A chain backend with nothing in it, for a server that only relays (its methods are never
// called in upstream-proxy mode).
chain::Backend& no_chain_backend();

}  // namespace eo::honeypot::server
