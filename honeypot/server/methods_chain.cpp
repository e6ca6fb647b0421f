// blockchain.* methods on headers, fees and transactions (get, merkle, broadcast with the
// phishing rule), answered from the chain backend.
#include "honeypot/server/methods.h"
#include "honeypot/server/params.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/tx.h"

namespace eo::honeypot::server {
namespace {

using Json = nlohmann::json;
using Pairs = std::vector<std::pair<std::string_view, std::string>>;

Answer bad_integer(const Profile& p, const Json& value) {
  const Pairs vars{{"value", value_text(value)}};
  return error_answer(p.errors.bad_integer, vars);
}

Answer bad_txid(const Profile& p, const Json& value) {
  const Pairs vars{{"value", value_text(value)}};
  return error_answer(p.errors.bad_txid, vars);
}

Answer cp_height_error(MethodContext& ctx, std::int64_t height, std::int64_t cp_height) {
  const std::int64_t tip = ctx.backend.tip_height();
  const Pairs vars{{"height", std::to_string(height)},
                   {"height_commas", with_commas(height)},
                   {"cp_height", std::to_string(cp_height)},
                   {"cp_height_commas", with_commas(cp_height)},
                   {"tip", std::to_string(tip)},
                   {"tip_commas", with_commas(tip)}};
  return error_answer(ctx.profile.errors.cp_height, vars);
}

// The txid of a raw transaction, when it parses: recorded for every broadcast, also refused ones.
std::string txid_of(const std::string& raw_hex) {
  const auto bytes = bitcoin::from_hex(raw_hex);
  if (!bytes) return {};
  const auto tx = bitcoin::parse_transaction(*bytes);
  return tx ? bitcoin::txid_hex(*tx) : std::string();
}

// A boolean the way Python's `value in (True, False)` reads one (0 and 1 pass).
std::optional<bool> python_bool(const Json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer() && (value == 0 || value == 1)) return value == 1;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> header_object(MethodContext& ctx, std::int64_t height) {
  auto hex = ctx.backend.header_hex(height);
  if (!hex) return std::nullopt;
  ObjectText header(ctx.layout());
  header.add("hex", json_string(*hex, ctx.layout())).add("height", std::to_string(height));
  return header.str();
}

Answer headers_subscribe(MethodContext& ctx, const Json&) {
  const std::int64_t tip = ctx.backend.tip_height();
  auto header = header_object(ctx, tip);
  if (!header) {
    const Pairs vars{{"height", std::to_string(tip)}, {"height_commas", with_commas(tip)}};
    return error_answer(ctx.profile.errors.height_out_of_range, vars);
  }
  ctx.session.headers_subscribed = true;
  ctx.session.notified_height = tip;
  return result_answer(std::move(*header), 0);
}

Answer block_header(MethodContext& ctx, const Json& args) {
  const auto height = non_negative_arg(args[0]);
  if (!height) return bad_integer(ctx.profile, args[0]);
  std::int64_t cp_height = 0;
  if (args.size() > 1) {
    const auto cp = non_negative_arg(args[1]);
    if (!cp) return bad_integer(ctx.profile, args[1]);
    cp_height = *cp;
  }
  // Checkpoint proofs are not served: an honest wallet on our regtest chain never asks for one.
  if (cp_height != 0) return cp_height_error(ctx, *height, cp_height);
  auto hex = ctx.backend.header_hex(*height);
  if (!hex) {
    const Pairs vars{{"height", std::to_string(*height)}, {"height_commas", with_commas(*height)}};
    return error_answer(ctx.profile.errors.height_out_of_range, vars);
  }
  return result_answer(json_string(*hex, ctx.layout()), 0);
}

Answer block_headers(MethodContext& ctx, const Json& args) {
  const auto start = non_negative_arg(args[0]);
  if (!start) return bad_integer(ctx.profile, args[0]);
  const auto requested = non_negative_arg(args[1]);
  if (!requested) return bad_integer(ctx.profile, args[1]);
  if (args.size() > 2) {
    const auto cp = non_negative_arg(args[2]);
    if (!cp) return bad_integer(ctx.profile, args[2]);
    if (*cp != 0 && *requested > 0) return cp_height_error(ctx, *start + *requested - 1, *cp);
  }
  const auto max = static_cast<std::int64_t>(ctx.profile.limits.max_headers);
  const std::int64_t count = std::min(*requested, max);
  std::vector<std::string> headers;
  for (std::int64_t h = *start; h < *start + count; ++h) {
    auto hex = ctx.backend.header_hex(h);
    if (!hex) break;
    headers.push_back(std::move(*hex));
  }
  const Layout layout = ctx.layout();
  ObjectText result(layout);
  // Protocol 1.6 returns a list of headers; before, one concatenated hex string.
  if (ctx.session.protocol >= ProtocolVersion{1, 6}) {
    std::vector<std::string> items;
    items.reserve(headers.size());
    for (const auto& h : headers) items.push_back(json_string(h, layout));
    result.add("count", std::to_string(headers.size())).add("max", std::to_string(max));
    result.add("headers", array_text(items, layout));
  } else {
    std::string hex;
    hex.reserve(headers.size() * 160);
    for (const auto& h : headers) hex.append(h);
    result.add("hex", json_string(hex, layout)).add("count", std::to_string(headers.size()));
    result.add("max", std::to_string(max));
  }
  return result_answer(result.str(), static_cast<double>(*requested) / 50);
}

Answer estimate_fee(MethodContext& ctx, const Json& args) {
  const auto blocks = non_negative_arg(args[0]);
  if (!blocks) return bad_integer(ctx.profile, args[0]);
  const int target = static_cast<int>(std::min<std::int64_t>(*blocks, 1008));
  return result_answer(json_number(ctx.backend.estimate_fee(target)), 0);
}

Answer relay_fee(MethodContext& ctx, const Json&) {
  return result_answer(json_number(ctx.backend.relay_fee()), 0);
}

Answer fee_histogram(MethodContext&, const Json&) { return result_answer("[]", 0); }

Answer transaction_get(MethodContext& ctx, const Json& args) {
  const auto txid = hash_arg(args[0]);
  if (!txid) return bad_txid(ctx.profile, args[0]);
  if (args.size() > 1) {
    const auto verbose = python_bool(args[1]);
    if (!verbose) {
      const Pairs vars{{"value", value_text(args[1])}};
      return error_answer(ctx.profile.errors.bad_boolean, vars);
    }
    // Verbose answers come from bitcoind's getrawtransaction; the honeypot has no daemon.
    if (*verbose) {
      const Pairs vars{{"txid", *txid}};
      return error_answer(ctx.profile.errors.verbose_tx, vars);
    }
  }
  auto hex = ctx.backend.transaction_hex(*txid);
  if (!hex) {
    const Pairs vars{{"txid", *txid}};
    return error_answer(ctx.profile.errors.tx_not_found, vars);
  }
  return result_answer(json_string(*hex, ctx.layout()), 0);
}

Answer transaction_get_merkle(MethodContext& ctx, const Json& args) {
  const auto txid = hash_arg(args[0]);
  if (!txid) return bad_txid(ctx.profile, args[0]);
  const auto height = non_negative_arg(args[1]);
  if (!height) return bad_integer(ctx.profile, args[1]);
  auto proof = ctx.backend.merkle_proof(*txid, *height);
  if (!proof) {
    const Pairs vars{{"txid", *txid},
                     {"height", std::to_string(*height)},
                     {"height_commas", with_commas(*height)}};
    return error_answer(ctx.profile.errors.merkle_not_found, vars);
  }
  const Layout layout = ctx.layout();
  std::vector<std::string> branch;
  branch.reserve(proof->merkle.size());
  for (const auto& node : proof->merkle) branch.push_back(json_string(node, layout));
  ObjectText result(layout);
  result.add("block_height", std::to_string(proof->block_height));
  result.add("merkle", array_text(branch, layout)).add("pos", std::to_string(proof->pos));
  return result_answer(result.str(), 0);
}

Answer transaction_broadcast(MethodContext& ctx, const Json& args) {
  const Profile& p = ctx.profile;
  SessionState& s = ctx.session;
  if (!args[0].is_string() || !is_hex(args[0].get_ref<const std::string&>())) {
    const Pairs vars{{"value", value_text(args[0])}};
    return error_answer(p.errors.bad_hex, vars);
  }
  const std::string& raw = args[0].get_ref<const std::string&>();
  const double cost = static_cast<double>(raw.size()) / 5000;
  if (const Rule* phishing = s.policy.get(ActionKind::phishing_broadcast)) {
    const Pairs vars{{"url", phishing->action.url}};
    Answer a = error_answer(p.errors.broadcast_rejected);
    a.message = format_message(phishing->action.message, vars);
    a.code = phishing->action.code;
    a.action = phishing->label();
    a.cost = cost;
    s.recorder.broadcast(txid_of(raw), false, a.message, a.action);
    return a;
  }
  const chain::BroadcastResult result = ctx.backend.broadcast(raw);
  if (result.accepted) {
    s.recorder.broadcast(result.txid, true, {}, "answer");
    return result_answer(json_string(result.txid, ctx.layout()), cost);
  }
  const Pairs vars{{"error", result.error}, {"raw_tx", raw}};
  Answer a = error_answer(p.errors.broadcast_rejected, vars);
  a.cost = cost;
  s.recorder.broadcast(txid_of(raw), false, a.message, "error");
  return a;
}

}  // namespace eo::honeypot::server
