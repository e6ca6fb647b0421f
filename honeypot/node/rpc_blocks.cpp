// Chain queries: heights, hashes, headers and blocks in Core's shapes. Every block of the
// regtest chain has bits 0x207fffff, whose work is 2, so chainwork is 2 x (height + 1) as in
// Core on regtest.
#include "common/bitcoin/compact_size.h"
#include "common/bitcoin/hex.h"
#include "honeypot/chain/mining.h"
#include "honeypot/node/rpc_methods.h"
#include "honeypot/node/tx_json.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace eo::honeypot::node {
namespace {

using nlohmann::json;

std::string hex32(std::uint32_t value) {
  char text[9];
  std::snprintf(text, sizeof text, "%08x", value);
  return text;
}

// Core's GetDifficulty.
double difficulty(std::uint32_t bits) {
  int shift = static_cast<int>((bits >> 24) & 0xff);
  double diff = double(0x0000ffff) / double(bits & 0x00ffffff);
  for (; shift < 29; ++shift) diff *= 256.0;
  for (; shift > 29; --shift) diff /= 256.0;
  return diff;
}

std::string chainwork(std::int64_t height) {
  char text[65];
  std::snprintf(text, sizeof text, "%064llx", static_cast<unsigned long long>(2 * (height + 1)));
  return text;
}

std::int64_t median_time(const chain::RegtestChain& chain, std::int64_t height) {
  std::vector<std::uint32_t> times;
  for (std::int64_t h = height; h >= 0 && h > height - 11; --h) {
    times.push_back(chain.block_at(h)->header.time);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

std::int64_t height_or_throw(const chain::RegtestChain& chain, const bitcoin::Hash256& hash) {
  const auto height = chain.height_of(hash);
  if (!height) throw RpcError{rpc_code::invalid_address_or_key, "Block not found"};
  return *height;
}

json header_fields(const chain::RegtestChain& chain, std::int64_t height) {
  const bitcoin::BlockHeader& header = chain.block_at(height)->header;
  json out{{"hash", bitcoin::block_hash_hex(header)},
           {"confirmations", chain.tip_height() - height + 1},
           {"height", height},
           {"version", header.version},
           {"versionHex", hex32(static_cast<std::uint32_t>(header.version))},
           {"merkleroot", bitcoin::to_reversed_hex(header.merkle_root)},
           {"time", header.time},
           {"mediantime", median_time(chain, height)},
           {"nonce", header.nonce},
           {"bits", hex32(header.bits)},
           {"difficulty", difficulty(header.bits)},
           {"chainwork", chainwork(height)},
           {"nTx", chain.block_at(height)->txs.size()}};
  if (height > 0) out["previousblockhash"] = bitcoin::to_reversed_hex(header.prev_hash);
  if (height < chain.tip_height()) {
    out["nextblockhash"] = bitcoin::block_hash_hex(chain.block_at(height + 1)->header);
  }
  return out;
}

bitcoin::Bytes serialize_block(const chain::StoredBlock& block, bool witness) {
  const auto header = bitcoin::serialize(block.header);
  bitcoin::Bytes out(header.begin(), header.end());
  bitcoin::append_compact_size(out, block.txs.size());
  for (const bitcoin::Transaction& tx : block.txs) {
    const bitcoin::Bytes raw =
        witness ? bitcoin::serialize(tx) : bitcoin::serialize_without_witness(tx);
    out.insert(out.end(), raw.begin(), raw.end());
  }
  return out;
}

// Core takes a bool (true = 1) or a number for verbosity.
int verbosity(const Params& params, std::size_t i, int fallback) {
  if (!params.has(i)) return fallback;
  if (params.at(i).is_boolean()) return params.boolean(i) ? 1 : 0;
  return static_cast<int>(std::clamp<std::int64_t>(params.integer(i), -1, 3));
}

}  // namespace

json getblockchaininfo(RpcContext& context, const Params& params) {
  params.arity(0, 0);
  const chain::RegtestChain& chain = context.chain;
  const std::int64_t tip = chain.tip_height();
  const bitcoin::BlockHeader& header = chain.block_at(tip)->header;
  return json{{"chain", "regtest"},
              {"blocks", tip},
              {"headers", tip},
              {"bestblockhash", bitcoin::block_hash_hex(header)},
              {"bits", hex32(header.bits)},
              {"difficulty", difficulty(header.bits)},
              {"time", header.time},
              {"mediantime", median_time(chain, tip)},
              {"verificationprogress", 1},
              {"initialblockdownload", false},
              {"chainwork", chainwork(tip)},
              {"size_on_disk", 0},
              {"pruned", false},
              {"warnings", json::array()}};
}

json getblockcount(RpcContext& context, const Params& params) {
  params.arity(0, 0);
  return context.chain.tip_height();
}

json getbestblockhash(RpcContext& context, const Params& params) {
  params.arity(0, 0);
  return bitcoin::block_hash_hex(context.chain.block_at(context.chain.tip_height())->header);
}

json getblockhash(RpcContext& context, const Params& params) {
  params.arity(1, 1);
  const std::int64_t height = params.integer(0);
  const chain::StoredBlock* block = context.chain.block_at(height);
  if (!block) throw RpcError{rpc_code::invalid_parameter, "Block height out of range"};
  return bitcoin::block_hash_hex(block->header);
}

json getblockheader(RpcContext& context, const Params& params) {
  params.arity(1, 2);
  const std::int64_t height = height_or_throw(context.chain, params.hash(0, "blockhash"));
  if (params.has(1) && !params.boolean(1)) {
    return bitcoin::to_hex(bitcoin::serialize(context.chain.block_at(height)->header));
  }
  return header_fields(context.chain, height);
}

json getblock(RpcContext& context, const Params& params) {
  params.arity(1, 2);
  const std::int64_t height = height_or_throw(context.chain, params.hash(0, "blockhash"));
  const chain::StoredBlock& block = *context.chain.block_at(height);
  const int level = verbosity(params, 1, 1);
  if (level <= 0) return bitcoin::to_hex(serialize_block(block, true));
  json out = header_fields(context.chain, height);
  const std::size_t size = serialize_block(block, true).size();
  const std::size_t stripped = serialize_block(block, false).size();
  out["size"] = size;
  out["strippedsize"] = stripped;
  out["weight"] = stripped * 3 + size;
  json txs = json::array();
  for (const bitcoin::Transaction& tx : block.txs) {
    if (level == 1) {
      txs.push_back(bitcoin::txid_hex(tx));
    } else {
      json decoded = decode_transaction(tx);
      decoded["hex"] = bitcoin::to_hex(bitcoin::serialize(tx));
      txs.push_back(std::move(decoded));
    }
  }
  out["tx"] = std::move(txs);
  return out;
}

}  // namespace eo::honeypot::node
