// Transactions and the mempool: lookups (with a txindex, as Electrum servers need), decoding,
// broadcast and its dry run. Broadcast errors carry the chain's reject reasons under Core's
// codes: -22 undecodable, -25 missing inputs, -27 already confirmed, -26 any other rejection.
#include "common/bitcoin/hex.h"
#include "honeypot/node/rpc_methods.h"
#include "honeypot/node/tx_json.h"

#include <set>
#include <string_view>

namespace eo::honeypot::node {
namespace {

using nlohmann::json;

const std::string not_found =
    "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.";

json mempool_entry_json(const chain::RegtestChain& chain, const chain::MempoolEntry& entry) {
  const std::size_t weight =
      bitcoin::serialize_without_witness(entry.tx).size() * 3 + bitcoin::serialize(entry.tx).size();
  json depends = json::array();
  for (const bitcoin::TxIn& in : entry.tx.inputs) {
    if (chain.find_mempool(in.prevout.txid)) {
      depends.push_back(bitcoin::to_reversed_hex(in.prevout.txid));
    }
  }
  std::set<bitcoin::Hash256> spenders;  // a child spending two outputs is listed once
  for (std::uint32_t vout = 0; vout < entry.tx.outputs.size(); ++vout) {
    if (const auto spender = chain.mempool_spender({entry.txid, vout})) spenders.insert(*spender);
  }
  json spentby = json::array();
  for (const bitcoin::Hash256& txid : spenders) spentby.push_back(bitcoin::to_reversed_hex(txid));
  const json fee = btc_amount(entry.fee);
  return json{{"vsize", entry.vsize},
              {"weight", weight},
              {"time", chain.block_at(chain.tip_height())->header.time},
              {"height", chain.tip_height()},
              {"descendantcount", 1 + spentby.size()},
              {"descendantsize", entry.vsize},
              {"ancestorcount", 1 + depends.size()},
              {"ancestorsize", entry.vsize},
              {"wtxid", bitcoin::wtxid_hex(entry.tx)},
              {"fees", {{"base", fee}, {"modified", fee}, {"ancestor", fee}, {"descendant", fee}}},
              {"depends", std::move(depends)},
              {"spentby", std::move(spentby)},
              {"bip125-replaceable", false},
              {"unbroadcast", false}};
}

std::string hex_param(const Params& params, std::size_t i) {
  std::string hex = params.string(i);
  if (!bitcoin::from_hex(hex)) {
    throw RpcError{rpc_code::deserialization,
                   "TX decode failed. Make sure the tx has at least one input."};
  }
  return hex;
}

}  // namespace

json getrawtransaction(RpcContext& context, const Params& params) {
  params.arity(1, 3);
  const bitcoin::Hash256 txid = params.hash(0, "txid");
  int verbosity = 0;
  if (params.has(1)) {
    verbosity = params.at(1).is_boolean() ? (params.boolean(1) ? 1 : 0)
                                          : static_cast<int>(params.integer(1) != 0);
  }
  const chain::RegtestChain& chain = context.chain;
  const bitcoin::Transaction* tx = nullptr;
  std::int64_t height = -1;
  if (const chain::MempoolEntry* entry = chain.find_mempool(txid)) {
    tx = &entry->tx;
  } else if (const auto location = chain.find_confirmed(txid)) {
    height = location->height;
    tx = &chain.block_at(height)->txs[location->pos];
  }
  if (params.has(2)) {
    const auto in_block = chain.height_of(params.hash(2, "blockhash"));
    if (!in_block) throw RpcError{rpc_code::invalid_address_or_key, "Block hash not found"};
    if (height != *in_block) {
      throw RpcError{rpc_code::invalid_address_or_key,
                     "No such transaction found in the provided block. Use gettransaction for "
                     "wallet transactions."};
    }
  }
  if (!tx) throw RpcError{rpc_code::invalid_address_or_key, not_found};
  const std::string hex = bitcoin::to_hex(bitcoin::serialize(*tx));
  if (verbosity == 0) return hex;
  json out = decode_transaction(*tx);
  out["hex"] = hex;
  if (height >= 0) {
    const chain::StoredBlock& block = *chain.block_at(height);
    out["blockhash"] = bitcoin::block_hash_hex(block.header);
    out["confirmations"] = chain.tip_height() - height + 1;
    out["time"] = block.header.time;
    out["blocktime"] = block.header.time;
  }
  return out;
}

json decoderawtransaction(RpcContext&, const Params& params) {
  params.arity(1, 2);
  const auto raw = bitcoin::from_hex(hex_param(params, 0));
  const auto tx = bitcoin::parse_transaction(*raw);
  if (!tx) throw RpcError{rpc_code::deserialization, "TX decode failed"};
  return decode_transaction(*tx);
}

json getrawmempool(RpcContext& context, const Params& params) {
  params.arity(0, 2);
  const bool verbose = params.has(0) && params.boolean(0);
  json out = verbose ? json::object() : json::array();
  for (const chain::MempoolEntry& entry : context.chain.mempool_entries()) {
    if (verbose) {
      out[entry.txid_hex] = mempool_entry_json(context.chain, entry);
    } else {
      out.push_back(entry.txid_hex);
    }
  }
  return out;
}

json getmempoolentry(RpcContext& context, const Params& params) {
  params.arity(1, 1);
  const chain::MempoolEntry* entry = context.chain.find_mempool(params.hash(0, "txid"));
  if (!entry) throw RpcError{rpc_code::invalid_address_or_key, "Transaction not in mempool"};
  return mempool_entry_json(context.chain, *entry);
}

json getmempoolinfo(RpcContext& context, const Params& params) {
  params.arity(0, 0);
  const chain::RegtestChain& chain = context.chain;
  std::size_t bytes = 0;
  std::int64_t fees = 0;
  for (const chain::MempoolEntry& entry : chain.mempool_entries()) {
    bytes += entry.vsize;
    fees += entry.fee;
  }
  const json relay = btc_amount(chain.config().relay_fee_sat_per_kvb);
  return json{{"loaded", true},
              {"size", chain.mempool_entries().size()},
              {"bytes", bytes},
              {"usage", bytes},
              {"total_fee", btc_amount(fees)},
              {"maxmempool", chain.config().max_mempool_bytes},
              {"mempoolminfee", relay},
              {"minrelaytxfee", relay},
              {"incrementalrelayfee", relay},
              {"unbroadcastcount", 0},
              {"fullrbf", false}};
}

json sendrawtransaction(RpcContext& context, const Params& params) {
  params.arity(1, 3);
  const std::string hex = hex_param(params, 0);
  const chain::BroadcastResult sent = context.chain.broadcast(hex);
  if (sent.accepted) return sent.txid;
  const std::string_view error = sent.error;
  if (error.starts_with("TX decode failed")) {
    throw RpcError{rpc_code::deserialization,
                   "TX decode failed. Make sure the tx has at least one input."};
  }
  if (error == "txn-already-in-mempool") {
    // Core answers a repeat of a mempool transaction with its txid.
    const auto tx = bitcoin::parse_transaction(*bitcoin::from_hex(hex));
    return bitcoin::txid_hex(*tx);
  }
  if (error == "txn-already-known") {
    throw RpcError{rpc_code::verify_already_in_chain, "Transaction outputs already in utxo set"};
  }
  if (error == "bad-txns-inputs-missingorspent") {
    throw RpcError{rpc_code::verify_error, sent.error};
  }
  throw RpcError{rpc_code::verify_rejected, sent.error};
}

json testmempoolaccept(RpcContext& context, const Params& params) {
  params.arity(1, 2);
  if (!params.at(0).is_array()) {
    throw RpcError{rpc_code::type_error, "JSON value is not an array as expected"};
  }
  json out = json::array();
  for (const json& raw : params.at(0)) {
    if (!raw.is_string()) throw RpcError{rpc_code::type_error, "Expected type string"};
    const auto bytes = bitcoin::from_hex(raw.get<std::string>());
    const auto tx = bytes ? bitcoin::parse_transaction(*bytes) : std::nullopt;
    if (!tx) {
      throw RpcError{rpc_code::deserialization,
                     "TX decode failed: " + raw.get<std::string>().substr(0, 64)};
    }
    const chain::AcceptDecision decision = context.chain.check_broadcast(raw.get<std::string>());
    json item{{"txid", bitcoin::txid_hex(*tx)}, {"wtxid", bitcoin::wtxid_hex(*tx)}};
    if (decision.entry) {
      item["allowed"] = true;
      item["vsize"] = decision.entry->vsize;
      item["fees"] = {{"base", btc_amount(decision.entry->fee)}};
    } else {
      item["allowed"] = false;
      item["reject-reason"] = decision.error;
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace eo::honeypot::node
