// Moving the chain from a test: mining to an address, paying an address from the chain's funding
// key (into the mempool, as Core's wallet does), and invalidating a block to reorganize.
#include "common/bitcoin/hex.h"
#include "common/bitcoin/script.h"
#include "honeypot/node/rpc_methods.h"

#include <cmath>

namespace eo::honeypot::node {
namespace {

using nlohmann::json;

bitcoin::Bytes script_of(const Params& params, std::size_t i) {
  auto script = bitcoin::address_to_script(params.string(i), bitcoin::Network::regtest);
  if (!script) throw RpcError{rpc_code::invalid_address_or_key, "Error: Invalid address"};
  return std::move(*script);
}

}  // namespace

json generatetoaddress(RpcContext& context, const Params& params) {
  params.arity(2, 3);
  const std::int64_t count = params.integer(0);
  const bitcoin::Bytes script = script_of(params, 1);
  chain::RegtestChain& chain = context.chain;
  const std::int64_t limit = static_cast<std::int64_t>(chain.config().max_blocks_per_call);
  if (count < 0 || count > limit) {
    throw RpcError{rpc_code::invalid_parameter,
                   "nblocks must be between 0 and " + std::to_string(limit) + " on this node"};
  }
  json hashes = json::array();
  for (std::int64_t i = 0; i < count; ++i) {
    const auto height = chain.mine_block(script);
    if (!height) {
      throw RpcError{rpc_code::misc,
                     "Cannot mine past height " + std::to_string(chain.config().max_height)};
    }
    hashes.push_back(bitcoin::block_hash_hex(chain.block_at(*height)->header));
  }
  return hashes;
}

json sendtoaddress(RpcContext& context, const Params& params) {
  params.arity(2, 2);
  const bitcoin::Bytes script = script_of(params, 0);
  const auto sats = std::llround(params.amount(1) * 1e8);
  const chain::PaymentResult paid = context.chain.send_to({{script, sats}});
  if (!paid.ok) throw RpcError{rpc_code::misc, paid.error};
  return paid.txid;
}

json invalidateblock(RpcContext& context, const Params& params) {
  params.arity(1, 1);
  const auto height = context.chain.height_of(params.hash(0, "blockhash"));
  if (!height) throw RpcError{rpc_code::invalid_address_or_key, "Block not found"};
  if (*height == 0) throw RpcError{rpc_code::misc, "cannot invalidate the genesis block"};
  context.chain.invalidate_from(*height);
  return nullptr;
}

}  // namespace eo::honeypot::node
