// The built-in emulations: ElectrumX 1.20.0 (aiorpcX), Fulcrum 2.1.1, electrs 0.11.1 and
// Electrum Personal Server 0.2.4, as read from their source (shared/reference/electrum-servers.md).
#include "honeypot/server/profile.h"

#include <algorithm>
#include <array>

namespace eo::honeypot::server {
namespace {

ErrorSpec err(std::int64_t code, std::string message, ErrorAction action = ErrorAction::reply) {
  return ErrorSpec{code, std::move(message), action};
}

ErrorSpec bare(std::string message, ErrorAction action = ErrorAction::reply) {
  return ErrorSpec{std::nullopt, std::move(message), action};
}

constexpr auto kReplyClose = ErrorAction::reply_and_close;
const std::string kDaemonNoTx =
    "daemon error: DaemonError({'code': -5, 'message': 'No such mempool or blockchain "
    "transaction. Use gettransaction for wallet transactions.'})";

ErrorTable electrumx_errors() {
  ErrorTable t;
  t.unknown_method = err(-32601, "unknown method \"{method}\"");
  t.too_few_args = err(-32602,
                       "{got} argument{s_got} passed to method \"{method}\" but it "
                       "requires {need}");
  t.too_many_args = err(-32602,
                        "{got} argument{s_got} passed to method {method} taking at "
                        "most {max}");
  t.bad_scripthash = err(1, "{value} is not a valid script hash");
  t.bad_txid = err(1, "{value} should be a transaction hash");
  t.bad_integer = err(1, "{value} should be a non-negative integer");
  t.bad_boolean = err(1, "\"verbose\" must be a boolean");
  t.bad_hex = err(1, "{value} should be a hex string");
  t.parse_error = err(-32700, "invalid JSON");
  t.invalid_utf8 = err(-32700, "messages must be encoded in UTF-8");
  t.invalid_request = err(-32600, "request object must be a dictionary");
  t.empty_batch = err(-32600, "batch is empty");
  t.batch_too_large = err(-32600, "batch of more than {max} requests", kReplyClose);
  t.batch_unsupported = err(-32600, "request object must be a dictionary");
  t.version_first = err(1, "use server.version to identify client", kReplyClose);
  t.version_again = err(1, "server.version already sent");
  t.unsupported_protocol = err(1, "unsupported protocol version: {value}", kReplyClose);
  t.height_out_of_range = err(1, "height {height_commas} out of range");
  t.cp_height = err(1,
                    "require header height {height_commas} <= cp_height {cp_height_commas} "
                    "<= chain height {tip_commas}");
  t.tx_not_found = err(2, kDaemonNoTx);
  t.verbose_tx = err(2, kDaemonNoTx);
  t.merkle_not_found = err(1, "tx {txid} not in block at height {height_commas}");
  t.broadcast_rejected = err(1,
                             "the transaction was rejected by network rules.\n\n{error}\n"
                             "[{raw_tx}]");
  t.excessive_cost = err(-101, "excessive resource usage", kReplyClose);
  t.subscription_limit = err(1, "too many subscriptions", kReplyClose);
  t.too_many_errors = err(1, "too many errors", kReplyClose);
  return t;
}

ErrorTable fulcrum_errors() {
  ErrorTable t = electrumx_errors();
  t.unknown_method = err(-32601, "Unsupported request: {method}");
  t.too_few_args = err(-32602,
                       "Expected at least {need} parameter{s_need} for {method}, got "
                       "{got} instead");
  t.too_many_args = err(-32602,
                        "Expected at most {max} parameter{s_max} for {method}, got {got} "
                        "instead");
  t.bad_scripthash = err(1, "Invalid scripthash");
  t.bad_txid = err(1, "Invalid tx hash");
  t.bad_integer = err(1, "Invalid height");
  t.bad_boolean = err(1, "Invalid verbose argument; expected boolean");
  t.bad_hex = err(1, "Invalid tx hex");
  t.parse_error = err(-32700, "Failed to parse Json from string: {input}");
  t.invalid_utf8 = t.parse_error;
  t.invalid_request = err(-32600, "Invalid request");
  t.empty_batch = err(-32600, "Invalid request");
  t.batch_too_large = err(4, "Batch limit exceeded");
  t.batch_unsupported = err(-32600, "Invalid request");
  t.version_again = err(1, "server.version already sent");
  t.unsupported_protocol = err(1, "Unsupported protocol version", kReplyClose);
  t.height_out_of_range = err(1, "Invalid height");
  t.cp_height = err(1,
                    "header height {height} must be <= cp_height {cp_height} which must be "
                    "<= chain height {tip}");
  t.merkle_not_found = err(1,
                           "No transaction matching the requested hash found at height "
                           "{height}");
  t.broadcast_rejected = err(1, "the transaction was rejected by network rules.\n\n{error}\n");
  t.excessive_cost = err(3,
                         "Excessive flood, please throttle your client implementation to not "
                         "do this",
                         kReplyClose);
  t.subscription_limit = err(4, "Subscription limit reached");
  t.too_many_errors = err(3, "Too many errors", ErrorAction::close);
  return t;
}

ErrorTable electrs_errors() {
  ErrorTable t;
  const ErrorSpec invalid_params = err(-32602, "invalid params");
  t.unknown_method = err(-32601, "method not found");
  t.too_few_args = t.too_many_args = invalid_params;
  t.bad_scripthash = t.bad_txid = t.bad_integer = t.bad_boolean = t.bad_hex = invalid_params;
  t.parse_error = t.invalid_utf8 = err(-32700, "parse error");
  t.invalid_request = t.empty_batch = t.batch_unsupported = err(-32600, "invalid request");
  t.batch_too_large = err(-32600, "invalid request", ErrorAction::close);
  t.version_first = t.version_again = err(-32600, "invalid request");
  t.unsupported_protocol = invalid_params;
  t.height_out_of_range = err(-32603, "missing header at height {height}");
  t.cp_height = err(-32603, "cp_height is not supported");
  t.tx_not_found = err(-32603, "transaction {txid} not found");
  t.verbose_tx = err(-32603, "verbose transactions are not supported");
  t.merkle_not_found = err(-32603, "tx {txid} is not confirmed at height {height}");
  t.broadcast_rejected = err(-32603, "{error}");
  t.excessive_cost = err(-32603, "too many requests", kReplyClose);
  t.subscription_limit = err(-32603, "too many subscriptions");
  t.too_many_errors = err(-32603, "too many errors", ErrorAction::close);
  return t;
}

ErrorTable eps_errors() {
  ErrorTable t;
  const ErrorSpec crash = bare("", ErrorAction::close);  // an unhandled Python exception
  t.unknown_method = bare("", ErrorAction::ignore);      // logged as a BUG, never answered
  t.too_few_args = t.too_many_args = crash;
  t.bad_scripthash = crash;  // UnknownScripthashError disconnects the wallet
  t.bad_txid = t.bad_integer = t.bad_boolean = t.bad_hex = crash;
  t.parse_error = t.invalid_utf8 = t.invalid_request = crash;  // IOError ends the connection
  t.empty_batch = t.batch_too_large = t.batch_unsupported = crash;
  t.version_first = t.version_again = bare("", ErrorAction::ignore);
  t.unsupported_protocol = crash;
  t.height_out_of_range = ErrorSpec{-1, "height {height} out of range", ErrorAction::reply};
  t.cp_height = bare("cp_height is not supported");
  t.tx_not_found = t.verbose_tx = bare("txid not found");
  t.merkle_not_found = bare("txid not found");
  t.broadcast_rejected = bare("{error}");
  t.excessive_cost = t.subscription_limit = t.too_many_errors = crash;
  return t;
}

std::vector<Cidr> loopback_subnets() {
  return {*Cidr::parse("127.0.0.0/8"), *Cidr::parse("::1/128")};
}

}  // namespace

std::span<const std::pair<std::string_view, ErrorSpec ErrorTable::*>> error_table_fields() {
  using E = ErrorTable;
  static const std::array<std::pair<std::string_view, ErrorSpec E::*>, 26> fields{{
      {"unknown_method", &E::unknown_method},
      {"too_few_args", &E::too_few_args},
      {"too_many_args", &E::too_many_args},
      {"bad_scripthash", &E::bad_scripthash},
      {"bad_txid", &E::bad_txid},
      {"bad_integer", &E::bad_integer},
      {"bad_boolean", &E::bad_boolean},
      {"bad_hex", &E::bad_hex},
      {"parse_error", &E::parse_error},
      {"invalid_utf8", &E::invalid_utf8},
      {"invalid_request", &E::invalid_request},
      {"empty_batch", &E::empty_batch},
      {"batch_too_large", &E::batch_too_large},
      {"batch_unsupported", &E::batch_unsupported},
      {"version_first", &E::version_first},
      {"version_again", &E::version_again},
      {"unsupported_protocol", &E::unsupported_protocol},
      {"height_out_of_range", &E::height_out_of_range},
      {"cp_height", &E::cp_height},
      {"tx_not_found", &E::tx_not_found},
      {"verbose_tx", &E::verbose_tx},
      {"merkle_not_found", &E::merkle_not_found},
      {"broadcast_rejected", &E::broadcast_rejected},
      {"excessive_cost", &E::excessive_cost},
      {"subscription_limit", &E::subscription_limit},
      {"too_many_errors", &E::too_many_errors},
  }};
  return fields;
}

std::string default_server_version(Base base) {
  switch (base) {
    case Base::electrumx:
      return "ElectrumX 1.20.0";
    case Base::fulcrum:
      return "Fulcrum 2.1.1";
    case Base::electrs:
      return "electrs/0.11.1";
    case Base::eps:
      return "ElectrumPersonalServer 0.2.4";
  }
  return "ElectrumX 1.20.0";
}

std::string default_banner(Base base) {
  switch (base) {
    case Base::electrumx:
      return "You are connected to an ElectrumX 1.20.0 server.";
    case Base::fulcrum:
      return "Connected to a Fulcrum 2.1.1 server";
    case Base::electrs:
      return "Welcome to electrs 0.11.1 (Electrum Rust Server)!";
    case Base::eps:
      return "Welcome to Electrum Personal Server 0.2.4\n\nMonitoring 1 deterministic wallets, "
             "in total 60 addresses.\n\nConnected bitcoin node: /Satoshi:27.0.0/\nUptime: "
             "12 days, 3:04:05\nPeers: 10\n\nhttps://github.com/chris-belcher/"
             "electrum-personal-server\n\nDonate to help improve Electrum Personal Server:\n"
             "bc1qe74qzd256kxevq2gn7gmscs564lfk5tqrxqsuy\n\n";
  }
  return {};
}

Profile default_profile(Base base) {
  Profile p;
  p.name = std::string(to_string(base));
  p.base = base;
  p.server_version = default_server_version(base);
  p.banner = default_banner(base);
  p.protocol_min = "1.4";
  switch (base) {
    case Base::electrumx:
      p.protocol_max = "1.6.0";
      p.donation_address = "";
      p.feature_keys = {"hosts",        "pruning",      "server_version", "protocol_min",
                        "protocol_max", "genesis_hash", "hash_function",  "services"};
      p.wire = {Layout::electrumx, false};
      p.errors = electrumx_errors();
      p.limits.version_first = true;
      p.limits.crash_notifications = true;
      p.limits.pad_sends = true;
      p.limits.cost.enabled = true;
      break;
    case Base::fulcrum:
      p.protocol_max = "1.6";
      p.donation_address = "1Ca1inCimwRhhcpFX84TPRrPQSryTgKW6N";  // its default, on BTC
      p.feature_keys = {"pruning",      "genesis_hash",      "server_version",
                        "protocol_min", "protocol_max",      "hash_function",
                        "dsproof",      "broadcast_package", "hosts"};
      p.wire = {Layout::sorted, true};
      p.errors = fulcrum_errors();
      p.limits.max_batch = 345;
      p.limits.max_subscriptions = 75'000;
      p.limits.per_ip_connections = 12;
      p.limits.per_ip_exempt = loopback_subnets();
      p.limits.max_excess_errors = 10;
      break;
    case Base::electrs:
      p.protocol_max = "1.4";
      p.negotiate = false;
      p.version_min_args = 2;
      p.donation_address = std::nullopt;
      p.feature_keys = {"genesis_hash", "hash_function", "hosts",         "protocol_max",
                        "protocol_min", "pruning",       "server_version"};
      p.wire = {Layout::sorted, false};
      p.errors = electrs_errors();
      p.limits.version_once = false;
      break;
    case Base::eps:
      p.protocol_min = "1.1";
      p.protocol_max = "1.4";
      p.version_list_closes = true;
      p.donation_address = "bc1qe74qzd256kxevq2gn7gmscs564lfk5tqrxqsuy";
      p.disabled_methods = {"server.features", "blockchain.scripthash.get_mempool",
                            "blockchain.scripthash.listunspent",
                            "blockchain.scripthash.unsubscribe"};
      p.wire = {Layout::python, false};
      p.errors = eps_errors();
      p.limits.batches = false;
      p.limits.version_once = false;
      p.limits.max_line_bytes = 8 << 20;  // unbounded in EPS; we still keep a bound
      break;
  }
  return p;
}

bool Profile::is_tor_exit(const IpAddress& ip) const {
  return std::find(tor_exits.begin(), tor_exits.end(), ip) != tor_exits.end();
}

}  // namespace eo::honeypot::server
