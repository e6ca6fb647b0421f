// The Electrum methods the honeypot answers: one handler per method, each given the session, the
// profile and the chain, returning its result as JSON text or an error from the profile's table.
#pragma once

#include "honeypot/chain/backend.h"
#include "honeypot/server/profile.h"
#include "honeypot/server/session_state.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace eo::honeypot::server {

struct MethodContext {
  SessionState& session;
  const Profile& profile;
  chain::Backend& backend;
  Layout layout() const { return profile.wire.layout; }
};

// What a handler decided; the dispatcher turns it into bytes, an event and a cost.
struct Answer {
  std::string result;                // JSON text, when error is null and !silent
  const ErrorSpec* error = nullptr;  // an error from the profile's table...
  std::string message;               // ...with its placeholders filled in
  std::optional<std::int64_t> code;  // overrides error->code (phishing, rate limits)
  bool silent = false;               // send nothing (with close: a refusal)
  bool close = false;                // disconnect after this answer
  std::string action;                // what shaped the answer ("alter_history:x"); empty: plain
  double cost = 0;                   // ElectrumX cost of the work done
};

using Vars = std::span<const std::pair<std::string_view, std::string>>;

// Replaces "{name}" by its value; unknown names stay as written.
std::string format_message(std::string_view text, Vars vars);
Answer error_answer(const ErrorSpec& spec, Vars vars = {});
Answer result_answer(std::string json, double cost);

using Handler = Answer (*)(MethodContext&, const nlohmann::json& args);

struct MethodSpec {
  std::string_view name;
  std::size_t min_args;
  std::size_t max_args;
  double cost;  // ElectrumX's base cost; handlers add what depends on the result
  Handler handler;
  std::array<std::string_view, 3> param_names;  // for calls with named params
};

// Null for a method the honeypot does not implement.
const MethodSpec* find_method(std::string_view name);

// Handlers (methods_server.cpp, methods_chain.cpp, methods_scripthash.cpp).
Answer server_version(MethodContext& ctx, const nlohmann::json& args);
Answer server_features(MethodContext& ctx, const nlohmann::json& args);
Answer server_banner(MethodContext& ctx, const nlohmann::json& args);
Answer server_donation_address(MethodContext& ctx, const nlohmann::json& args);
Answer server_peers_subscribe(MethodContext& ctx, const nlohmann::json& args);
Answer server_ping(MethodContext& ctx, const nlohmann::json& args);
Answer headers_subscribe(MethodContext& ctx, const nlohmann::json& args);
Answer block_header(MethodContext& ctx, const nlohmann::json& args);
Answer block_headers(MethodContext& ctx, const nlohmann::json& args);
Answer estimate_fee(MethodContext& ctx, const nlohmann::json& args);
Answer relay_fee(MethodContext& ctx, const nlohmann::json& args);
Answer fee_histogram(MethodContext& ctx, const nlohmann::json& args);
Answer transaction_get(MethodContext& ctx, const nlohmann::json& args);
Answer transaction_get_merkle(MethodContext& ctx, const nlohmann::json& args);
Answer transaction_broadcast(MethodContext& ctx, const nlohmann::json& args);
Answer scripthash_subscribe(MethodContext& ctx, const nlohmann::json& args);
Answer scripthash_unsubscribe(MethodContext& ctx, const nlohmann::json& args);
Answer scripthash_get_history(MethodContext& ctx, const nlohmann::json& args);
Answer scripthash_get_mempool(MethodContext& ctx, const nlohmann::json& args);
Answer scripthash_listunspent(MethodContext& ctx, const nlohmann::json& args);
Answer scripthash_get_balance(MethodContext& ctx, const nlohmann::json& args);

// For notifications: a script hash's status as this session sees it (alter_history rules
// included), and the {hex, height} object of a header.
std::optional<std::string> scripthash_status(MethodContext& ctx, const std::string& scripthash);
std::optional<std::string> header_object(MethodContext& ctx, std::int64_t height);

// The version string and banner this session is told (claim rules replace them).
std::string claimed_server_version(const MethodContext& ctx);

}  // namespace eo::honeypot::server
