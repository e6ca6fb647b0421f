// address_formats: balance, history and UTXOs of the first receiving script of each test account
// (or of the task's canary accounts), then a known transaction with its merkle proof.
#include "agent/probes/address_formats/address_formats.h"

#include "agent/probes/canary_keys.h"
#include "agent/probes/probe_util.h"
#include "agent/probes/test_vectors.h"

namespace eo::agent::probes {

namespace {

// The first Bitcoin payment between people (block 170): every full-history server has it.
constexpr const char* kKnownTxid =
    "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16";
constexpr std::int64_t kKnownHeight = 170;

struct Query {
  std::string key;
  std::string method;
  json params;
};

std::vector<Query> queries_for(const std::string& scripthash) {
  json params = json::array({scripthash});
  return {{"balance", "blockchain.scripthash.get_balance", params},
          {"history", "blockchain.scripthash.get_history", params},
          {"unspent", "blockchain.scripthash.listunspent", params}};
}

// The first receiving script of one account per type: the task's canary account when it carries
// a canary key, else the published test vector.
struct Account {
  std::string type;
  std::string scripthash;
  std::string source;
  std::string label;  // canary label, empty for a test vector
};

std::vector<Account> accounts_for(const ProbeContext& context) {
  const auto key = canary_key_of(context);
  std::vector<Account> out;
  for (const auto& account : test_accounts()) {
    Account a;
    a.type = std::string(bitcoin::to_string(account.type));
    if (key) {
      auto first = canary::canary_window(*key, account.type, 1, 0).at(0);
      a.scripthash = first.scripthash;
      a.source = "canary";
      a.label = first.label();
    } else {
      a.scripthash = derive_scripthashes(account.xpub, account.type, 0, 1).at(0).scripthash;
      a.source = std::string(account.source);
    }
    out.push_back(std::move(a));
  }
  return out;
}

json issued_canaries(const std::vector<Account>& accounts) {
  json out = json::array();
  for (const auto& a : accounts) {
    if (!a.label.empty()) out.push_back(issued_canary_json(a.scripthash, a.label));
  }
  return out;
}

json tx_params(const std::string& txid) { return json::array({txid}); }
json merkle_params(const std::string& txid, std::int64_t height) {
  return json::array({txid, height});
}

}  // namespace

boost::asio::awaitable<void> AddressFormats::run(ProbeContext& context) const {
  const std::vector<Account> accounts = accounts_for(context);
  // Recorded before any request: a canary counts as issued once the session may have sent it.
  if (!accounts.front().label.empty()) context.result["canaries"] = issued_canaries(accounts);
  auto version = co_await context.negotiate_version();
  if (!version.failure.ok()) {
    context.failure = version.failure;
    co_return;
  }
  for (const auto& account : accounts) {
    const std::string& type = account.type;
    context.result[type]["scripthash"] = account.scripthash;
    context.result[type]["source"] = account.source;
    for (auto& query : queries_for(account.scripthash)) {
      auto reply = co_await context.call(query.method, std::move(query.params));
      context.result[type][query.key] = answer_json(reply);
      if (!reply.failure.ok()) {
        context.failure = reply.failure;
        co_return;
      }
    }
  }
  std::string txid = context.param("txid", kKnownTxid);
  std::int64_t height = context.param_int("tx_height", kKnownHeight);
  auto tx = co_await context.call("blockchain.transaction.get", tx_params(txid));
  context.result["transaction"]["get"] = answer_json(tx);
  if (!tx.failure.ok()) {
    context.failure = tx.failure;
    co_return;
  }
  auto merkle =
      co_await context.call("blockchain.transaction.get_merkle", merkle_params(txid, height));
  context.result["transaction"]["merkle"] = answer_json(merkle);
  if (!merkle.failure.ok()) context.failure = merkle.failure;
}

}  // namespace eo::agent::probes
