// Behaviour profiles: which Electrum server implementation the honeypot emulates (version
// strings, feature keys, banner, donation address, error codes and texts, framing, batch and
// resource limits) and the rules that make it treat some clients differently.
#pragma once

#include "honeypot/server/net_address.h"
#include "honeypot/server/rules.h"
#include "honeypot/server/wire.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace eo::honeypot::server {

enum class ErrorAction {
  reply,            // answer the error, carry on
  reply_and_close,  // answer, then disconnect (aiorpcX's ReplyAndDisconnect)
  close,            // disconnect without answering (EPS on bad input)
  ignore,           // no answer at all (EPS on unknown methods)
};
std::string_view to_string(ErrorAction action);
std::optional<ErrorAction> parse_error_action(std::string_view name);

// One error reply. `message` may hold placeholders, listed beside each ErrorTable member; values
// the peer sent are inserted as text, so messages echo input exactly where the original does.
struct ErrorSpec {
  std::optional<std::int64_t> code;  // absent: the error object has no "code" (EPS)
  std::string message;
  ErrorAction action = ErrorAction::reply;
};

struct ErrorTable {
  ErrorSpec unknown_method;   // {method}
  ErrorSpec too_few_args;     // {method} {got} {need} {s_got} {s_need} (plural "s" or "")
  ErrorSpec too_many_args;    // {method} {got} {max} {s_got} {s_max}
  ErrorSpec bad_scripthash;   // {value}
  ErrorSpec bad_txid;         // {value}
  ErrorSpec bad_integer;      // {value}
  ErrorSpec bad_boolean;      // {value}
  ErrorSpec bad_hex;          // {value}
  ErrorSpec parse_error;      // {input}: the line's first 80 bytes, control and non-ASCII as '?'
  ErrorSpec invalid_utf8;     // {input}
  ErrorSpec invalid_request;  // {input}
  ErrorSpec empty_batch;
  ErrorSpec batch_too_large;  // {max}
  ErrorSpec batch_unsupported;
  ErrorSpec version_first;         // {method}
  ErrorSpec version_again;         // {method}
  ErrorSpec unsupported_protocol;  // {value}
  ErrorSpec height_out_of_range;   // {height} {height_commas}
  ErrorSpec cp_height;             // {height} {cp_height} {tip} and their _commas forms
  ErrorSpec tx_not_found;          // {txid}
  ErrorSpec verbose_tx;            // {txid}
  ErrorSpec merkle_not_found;      // {txid} {height} {height_commas}
  ErrorSpec broadcast_rejected;    // {error} {raw_tx}
  ErrorSpec excessive_cost;        // ElectrumX's cost hard limit
  ErrorSpec subscription_limit;
  ErrorSpec too_many_errors;  // Fulcrum: more errors than requests by max_excess_errors
};

// The YAML name of every ErrorTable member, for loading and for documentation.
std::span<const std::pair<std::string_view, ErrorSpec ErrorTable::*>> error_table_fields();

// ElectrumX's resource accounting (aiorpcX): each session, and each /24 or /48 subnet group of
// sessions, accumulates cost that decays over time; past the soft limit each request sleeps up
// to sleep_ms, at the hard limit the session gets excessive_cost and is disconnected.
struct CostLimits {
  bool enabled = false;
  double soft_limit = 1000;
  double hard_limit = 10000;
  double sleep_ms = 2500;
  double decay_per_s = 1.0;
  double connection_cost = 5;
  double error_cost = 100;
  double parse_error_cost = 1000;  // on top of error_cost
  double bytes_per_unit = 5000;    // a byte read or written costs 1 / bytes_per_unit
  double group_weight = 1.0;       // how much other sessions of the subnet group count
};

struct SessionLimits {
  std::size_t max_line_bytes = 1'000'000;  // longer lines are dropped, resync at the next '\n'
  bool batches = true;
  std::size_t max_batch = 10'000;
  bool version_first = false;        // ElectrumX: any other first method ends the session
  bool version_once = true;          // a second server.version gets version_again
  bool crash_notifications = false;  // ElectrumX sends relayfee/estimatefee first, then errs
  std::chrono::milliseconds idle_timeout{600'000};
  std::size_t send_queue_bytes = 8 << 20;  // replies not yet written; beyond it: disconnect
  std::size_t max_subscriptions = 50'000;
  std::size_t per_ip_connections = 0;  // 0: unlimited (Fulcrum: 12; the next is reset)
  std::vector<Cidr> per_ip_exempt;     // Fulcrum exempts loopback
  std::int64_t max_excess_errors = 0;  // 0: off (Fulcrum: 10)
  std::size_t max_headers = 2016;      // blockchain.block.headers count cap
  bool pad_sends = false;              // ElectrumX >= 1.18: pad writes to 2^n >= 1024 bytes
  CostLimits cost;
};

struct Profile {
  std::string name;  // recorded in every event
  Base base = Base::electrumx;

  std::string server_version;  // "ElectrumX 1.20.0"
  std::string protocol_min;
  std::string protocol_max;
  bool negotiate = true;             // false: always answer protocol_max (electrs)
  std::size_t version_min_args = 0;  // electrs: 2 ("invalid params" without them)
  bool version_list_closes = false;  // EPS crashes on a [min, max] protocol range

  std::string banner;
  std::optional<std::string> donation_address;  // nullopt: JSON null
  nlohmann::json hosts = nlohmann::json::object();
  std::vector<std::string> feature_keys;  // server.features keys, in the original's order
  nlohmann::json features_extra = nlohmann::json::object();
  nlohmann::json peers = nlohmann::json::array();
  std::string genesis_hash;                          // empty: the backend's
  std::unordered_set<std::string> disabled_methods;  // answered as unknown

  WireStyle wire;
  ErrorTable errors;
  SessionLimits limits;

  std::vector<IpAddress> tor_exits;
  std::vector<Rule> rules;

  bool is_tor_exit(const IpAddress& ip) const;
};

// A start-up misconfiguration; the message names the setting.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The built-in emulation of an implementation: ElectrumX 1.20.0, Fulcrum 2.1.1, electrs 0.11.1,
// Electrum Personal Server 0.2.4 (see shared/reference/electrum-servers.md).
Profile default_profile(Base base);

// A profile from YAML: `base` picks the defaults, every other key overrides one of them; see
// honeypot/server/README.md for the schema. Throws ConfigError naming the bad key.
Profile load_profile(std::string_view yaml_text);
Profile load_profile_file(const std::string& path);

// The version string and banner an implementation shows by default (claim rules borrow them).
std::string default_server_version(Base base);
std::string default_banner(Base base);

}  // namespace eo::honeypot::server
