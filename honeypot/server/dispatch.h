// The protocol engine of a session, without I/O: one framed line in, the reply bytes, a delay
// and whether to close out; events recorded on the way. Sessions drive it from their socket;
// tests and the benchmark drive it directly.
#pragma once

#include "common/electrum/line_framer.h"
#include "common/electrum/message.h"
#include "honeypot/chain/backend.h"
#include "honeypot/server/profile.h"
#include "honeypot/server/session_state.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace eo::honeypot::server {

struct LineOutcome {
  std::string reply;                   // bytes to send, terminated; empty: nothing
  std::chrono::milliseconds delay{0};  // wait this long first (tarpit rule, cost throttling)
  bool close = false;                  // disconnect once the reply is written
  std::string close_reason;            // for the DISCONNECT event
};

// Statuses looked up once per chain change and shared by every session without a rule on them.
using StatusCache = std::unordered_map<std::string, std::optional<std::string>>;

class Dispatcher {
 public:
  Dispatcher(const Profile& profile, chain::Backend& backend);

  const Profile& profile() const { return profile_; }

  // Resolves the rules that hold before the client has said anything. Returns the rule that
  // refuses this peer, or null.
  const Rule* open(SessionState& session) const;

  LineOutcome handle_line(SessionState& session, const electrum::FramedLine& line);

  // The notification lines a chain change owes this session (headers when subscribed and the
  // tip moved; [scripthash, status] for each touched script hash it subscribed to).
  std::vector<std::string> notifications(SessionState& session, const chain::ChainChange& change,
                                         StatusCache& cache);

 private:
  struct LineState;
  struct Call;

  std::optional<std::string> handle_call(SessionState& s, const Call& call, LineState& line);
  void handle_batch(SessionState& s, electrum::Batch& batch, LineState& line);
  void parse_failure(SessionState& s, const ErrorSpec& spec, std::string_view input,
                     std::string_view kind, bool parse_error, LineState& line);
  void check_excess_errors(SessionState& s, LineState& line);

  const Profile& profile_;
  chain::Backend& backend_;
};

}  // namespace eo::honeypot::server
