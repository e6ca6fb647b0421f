// blockchain.scripthash.* methods, with alter_history rules hiding or replacing what a script
// hash shows (history, mempool, coins, balance and the status that subscriptions report).
#include "honeypot/server/methods.h"
#include "honeypot/server/params.h"

namespace eo::honeypot::server {
namespace {

using Json = nlohmann::json;
using Pairs = std::vector<std::pair<std::string_view, std::string>>;

Answer bad_scripthash(const Profile& p, const Json& value) {
  const Pairs vars{{"value", value_text(value)}};
  return error_answer(p.errors.bad_scripthash, vars);
}

// The rule altering this script hash for this session, or null.
const Rule* alter_rule(MethodContext& ctx, const std::string& scripthash) {
  return ctx.session.policy.alters.empty() ? nullptr : ctx.session.policy.alter_for(scripthash);
}

std::vector<chain::HistoryItem> history_of(MethodContext& ctx, const std::string& sh,
                                           const Rule* rule) {
  if (rule == nullptr) return ctx.backend.history(sh);
  if (rule->action.hide) return {};
  return rule->action.history;
}

std::string history_item(const chain::HistoryItem& item, Layout layout, bool with_fee) {
  ObjectText o(layout);
  o.add("tx_hash", json_string(item.tx_hash, layout)).add("height", std::to_string(item.height));
  if (with_fee) o.add("fee", std::to_string(item.fee));
  return o.str();
}

Answer with_rule(Answer a, const Rule* rule) {
  if (rule != nullptr) a.action = rule->label();
  return a;
}

}  // namespace

std::optional<std::string> scripthash_status(MethodContext& ctx, const std::string& scripthash) {
  const Rule* rule = alter_rule(ctx, scripthash);
  if (rule == nullptr) return ctx.backend.status(scripthash);
  return history_status(history_of(ctx, scripthash, rule));
}

Answer scripthash_subscribe(MethodContext& ctx, const Json& args) {
  const auto sh = hash_arg(args[0]);
  if (!sh) return bad_scripthash(ctx.profile, args[0]);
  auto& subscribed = ctx.session.scripthashes;
  if (subscribed.count(*sh) == 0) {
    if (subscribed.size() >= ctx.profile.limits.max_subscriptions) {
      return error_answer(ctx.profile.errors.subscription_limit);
    }
    subscribed.insert(*sh);
  }
  const auto status = scripthash_status(ctx, *sh);
  return with_rule(result_answer(status ? json_string(*status, ctx.layout()) : "null", 0),
                   alter_rule(ctx, *sh));
}

Answer scripthash_unsubscribe(MethodContext& ctx, const Json& args) {
  const auto sh = hash_arg(args[0]);
  if (!sh) return bad_scripthash(ctx.profile, args[0]);
  return result_answer(ctx.session.scripthashes.erase(*sh) != 0 ? "true" : "false", 0);
}

Answer scripthash_get_history(MethodContext& ctx, const Json& args) {
  const auto sh = hash_arg(args[0]);
  if (!sh) return bad_scripthash(ctx.profile, args[0]);
  const Rule* rule = alter_rule(ctx, *sh);
  const auto history = history_of(ctx, *sh, rule);
  std::vector<std::string> items;
  items.reserve(history.size());
  for (const auto& item : history) {
    items.push_back(history_item(item, ctx.layout(), item.height <= 0));
  }
  const double cost = 0.1 + static_cast<double>(history.size()) * 0.001;
  return with_rule(result_answer(array_text(items, ctx.layout()), cost), rule);
}

Answer scripthash_get_mempool(MethodContext& ctx, const Json& args) {
  const auto sh = hash_arg(args[0]);
  if (!sh) return bad_scripthash(ctx.profile, args[0]);
  const Rule* rule = alter_rule(ctx, *sh);
  std::vector<chain::HistoryItem> mempool;
  if (rule == nullptr) {
    mempool = ctx.backend.mempool(*sh);
  } else {
    for (const auto& item : history_of(ctx, *sh, rule)) {
      if (item.height <= 0) mempool.push_back(item);
    }
  }
  std::vector<std::string> items;
  items.reserve(mempool.size());
  for (const auto& item : mempool) items.push_back(history_item(item, ctx.layout(), true));
  const double cost = static_cast<double>(mempool.size()) / 50;
  return with_rule(result_answer(array_text(items, ctx.layout()), cost), rule);
}

Answer scripthash_listunspent(MethodContext& ctx, const Json& args) {
  const auto sh = hash_arg(args[0]);
  if (!sh) return bad_scripthash(ctx.profile, args[0]);
  const Rule* rule = alter_rule(ctx, *sh);
  const auto utxos = rule == nullptr     ? ctx.backend.unspent(*sh)
                     : rule->action.hide ? std::vector<chain::Utxo>{}
                                         : rule->action.utxos;
  const Layout layout = ctx.layout();
  std::vector<std::string> items;
  items.reserve(utxos.size());
  for (const auto& u : utxos) {
    ObjectText o(layout);
    o.add("tx_hash", json_string(u.tx_hash, layout)).add("tx_pos", std::to_string(u.tx_pos));
    o.add("height", std::to_string(u.height)).add("value", std::to_string(u.value));
    items.push_back(o.str());
  }
  const double cost = static_cast<double>(utxos.size()) / 50;
  return with_rule(result_answer(array_text(items, layout), cost), rule);
}

Answer scripthash_get_balance(MethodContext& ctx, const Json& args) {
  const auto sh = hash_arg(args[0]);
  if (!sh) return bad_scripthash(ctx.profile, args[0]);
  const Rule* rule = alter_rule(ctx, *sh);
  const chain::Balance balance = rule == nullptr     ? ctx.backend.balance(*sh)
                                 : rule->action.hide ? chain::Balance{}
                                                     : rule->action.balance;
  ObjectText o(ctx.layout());
  o.add("confirmed", std::to_string(balance.confirmed));
  o.add("unconfirmed", std::to_string(balance.unconfirmed));
  return with_rule(result_answer(o.str(), 0), rule);
}

}  // namespace eo::honeypot::server
