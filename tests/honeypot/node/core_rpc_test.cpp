#include "honeypot/node/core_rpc.h"
#include "honeypot/node/tx_json.h"
#include "tests/honeypot/chain/test_util.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/script.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace eo::honeypot::node {
namespace {

using nlohmann::json;

class CoreRpcTest : public ::testing::Test {
 protected:
  CoreRpcTest() : rpc_(chain_, NodeIdentity{}) {}

  // The whole reply object and its HTTP status.
  std::pair<int, json> raw(const json& request) {
    const RpcReply reply = rpc_.handle(request.dump());
    EXPECT_FALSE(reply.body.empty());
    EXPECT_EQ(reply.body.back(), '\n');
    return {reply.http_status, json::parse(reply.body)};
  }

  // Positional parameters as a list: a braced single value would not make a JSON array.
  static json array_of(std::initializer_list<json> params) {
    json array = json::array();
    for (const json& p : params) array.push_back(p);
    return array;
  }

  json call(const std::string& method, std::initializer_list<json> params = {}) {
    auto [status, reply] = raw(json{{"method", method}, {"params", array_of(params)}, {"id", 7}});
    EXPECT_EQ(status, 200) << reply.dump();
    EXPECT_EQ(reply["id"], 7);
    EXPECT_TRUE(reply["error"].is_null()) << reply.dump();
    return reply["result"];
  }

  json error(const std::string& method, std::initializer_list<json> params, int http_status) {
    auto [status, reply] = raw(json{{"method", method}, {"params", array_of(params)}, {"id", 1}});
    EXPECT_EQ(status, http_status) << reply.dump();
    EXPECT_TRUE(reply["result"].is_null());
    return reply["error"];
  }

  std::string address() const {
    return *bitcoin::script_to_address(chain_.funding_script(), bitcoin::Network::regtest);
  }

  chain::RegtestChain chain_;
  CoreRpc rpc_;
};

TEST_F(CoreRpcTest, HeightsHashesAndHeadersFollowTheChain) {
  EXPECT_EQ(call("getblockcount"), 0);
  EXPECT_EQ(call("getblockhash", {0}), chain_.genesis_hash());
  EXPECT_EQ(call("getblockhash", {0}),
            "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
  const json mined = call("generatetoaddress", {3, address()});
  ASSERT_EQ(mined.size(), 3u);
  EXPECT_EQ(call("getblockcount"), 3);
  EXPECT_EQ(call("getbestblockhash"), mined[2]);

  const json header = call("getblockheader", {mined[1]});
  EXPECT_EQ(header["height"], 2);
  EXPECT_EQ(header["confirmations"], 2);
  EXPECT_EQ(header["previousblockhash"], mined[0]);
  EXPECT_EQ(header["nextblockhash"], mined[2]);
  EXPECT_EQ(header["bits"], "207fffff");
  EXPECT_EQ(header["chainwork"],
            "0000000000000000000000000000000000000000000000000000000000000006");
  EXPECT_EQ(call("getblockheader", {mined[1], false}), *chain_.header_hex(2));

  const json info = call("getblockchaininfo");
  EXPECT_EQ(info["chain"], "regtest");
  EXPECT_EQ(info["blocks"], 3);
  EXPECT_EQ(info["bestblockhash"], mined[2]);
}

TEST_F(CoreRpcTest, BlocksAtEveryVerbosity) {
  call("generatetoaddress", {101, address()});
  const json paid = call("sendtoaddress", {address(), 1.5});
  const json hash = call("generatetoaddress", {1, address()})[0];
  const json raw_hex = call("getblock", {hash, 0});
  const auto raw = bitcoin::from_hex(raw_hex.get<std::string>());
  ASSERT_TRUE(raw);
  const chain::StoredBlock& block = *chain_.block_at(102);
  EXPECT_EQ(bitcoin::to_hex(bitcoin::ByteSpan(*raw).first(80)), *chain_.header_hex(102));

  const json one = call("getblock", {hash});
  ASSERT_EQ(one["tx"].size(), 2u);
  EXPECT_EQ(one["tx"][1], paid);
  EXPECT_EQ(one["size"], raw->size());
  EXPECT_EQ(one["nTx"], 2);
  EXPECT_EQ(call("getblock", {hash, true}), one);

  const json two = call("getblock", {hash, 2});
  EXPECT_EQ(two["tx"][1]["txid"], paid);
  EXPECT_TRUE(two["tx"][0]["vin"][0].contains("coinbase"));
  EXPECT_EQ(two["tx"][0]["vout"][0]["scriptPubKey"]["address"], address());
  EXPECT_EQ(two["tx"][0]["vout"][0]["scriptPubKey"]["type"], "witness_v0_keyhash");
  EXPECT_EQ(block.txs.size(), 2u);
}

TEST_F(CoreRpcTest, TransactionsMempoolAndBroadcast) {
  call("generatetoaddress", {101, address()});
  const std::string txid = call("sendtoaddress", {address(), 2});
  EXPECT_EQ(call("getrawmempool"), json::array({txid}));
  const json entry = call("getmempoolentry", {txid});
  EXPECT_GT(entry["vsize"].get<int>(), 0);
  EXPECT_GT(entry["fees"]["base"].get<double>(), 0);
  EXPECT_EQ(call("getrawmempool", {true})[txid]["vsize"], entry["vsize"]);
  EXPECT_EQ(call("getmempoolinfo")["size"], 1);

  // A child of the payment: each names the other (depends / spentby).
  const auto child = chain::testing::spend({chain::testing::outpoint(txid, 0)},
                                           {bitcoin::TxOut{199'000'000, chain_.funding_script()}});
  const std::string child_txid = call("sendrawtransaction", {chain::testing::hex_of(child)});
  EXPECT_EQ(call("getmempoolentry", {txid})["spentby"], json::array({child_txid}));
  EXPECT_EQ(call("getmempoolentry", {child_txid})["depends"], json::array({txid}));

  const std::string hex = call("getrawtransaction", {txid});
  const json verbose = call("getrawtransaction", {txid, true});
  EXPECT_EQ(verbose["txid"], txid);
  EXPECT_EQ(verbose["hex"], hex);
  EXPECT_FALSE(verbose.contains("blockhash"));
  EXPECT_EQ(call("decoderawtransaction", {hex})["txid"], txid);

  // A repeat of a mempool transaction answers its txid; a confirmed one is refused.
  EXPECT_EQ(call("sendrawtransaction", {hex}), txid);
  const json accept = call("testmempoolaccept", {json::array({hex})});
  EXPECT_EQ(accept[0]["allowed"], false);
  EXPECT_EQ(accept[0]["reject-reason"], "txn-already-in-mempool");

  const json block = call("generatetoaddress", {1, address()})[0];
  EXPECT_EQ(call("getrawmempool"), json::array());  // both mined
  const json confirmed = call("getrawtransaction", {txid, 1});
  EXPECT_EQ(confirmed["blockhash"], block);
  EXPECT_EQ(confirmed["confirmations"], 1);
  EXPECT_EQ(call("getrawtransaction", {txid, false, block}), hex);
  EXPECT_EQ(error("sendrawtransaction", {hex}, 500)["code"], -27);
  EXPECT_EQ(error("getmempoolentry", {txid}, 500)["code"], -5);
}

TEST_F(CoreRpcTest, InvalidateBlockReorganizesAndReturnsTransactionsToTheMempool) {
  call("generatetoaddress", {101, address()});
  const std::string txid = call("sendtoaddress", {address(), 1});
  const json first = call("generatetoaddress", {2, address()});
  EXPECT_EQ(call("getblockcount"), 103);
  EXPECT_TRUE(call("invalidateblock", {first[0]}).is_null());
  EXPECT_EQ(call("getblockcount"), 101);
  EXPECT_EQ(call("getrawmempool"), json::array({txid}));
  EXPECT_EQ(error("getblockheader", {first[1]}, 500)["code"], -5);
  const json fork = call("generatetoaddress", {3, address()});
  EXPECT_NE(fork[0], first[0]);
  EXPECT_EQ(call("getblockcount"), 104);
  EXPECT_EQ(call("getrawtransaction", {txid, true})["blockhash"], fork[0]);
  EXPECT_EQ(error("invalidateblock", {chain_.genesis_hash()}, 500)["code"], -1);
}

TEST_F(CoreRpcTest, NodeStateAsElectrumServersReadIt) {
  const json network = call("getnetworkinfo");
  EXPECT_EQ(network["version"], 310000);
  EXPECT_EQ(network["subversion"], "/Satoshi:31.0.0/");
  EXPECT_DOUBLE_EQ(network["relayfee"].get<double>(), 0.00001);
  const json indexes = call("getindexinfo");
  EXPECT_EQ(indexes["txindex"]["synced"], true);
  EXPECT_EQ(indexes["txospenderindex"]["synced"], true);
  EXPECT_EQ(call("getindexinfo", {"txindex"}).size(), 1u);
  EXPECT_EQ(call("getindexinfo", {"nope"}), json::object());
  EXPECT_DOUBLE_EQ(call("estimatesmartfee", {6})["feerate"].get<double>(), 0.00001);
  EXPECT_EQ(call("getzmqnotifications"), json::array());
  // ElectrumX probes for estimatesmartfee by calling it bare: anything but -32601 says "have".
  EXPECT_EQ(error("estimatesmartfee", {}, 500)["code"], -1);
}

TEST_F(CoreRpcTest, ErrorsHaveCoresCodesMessagesAndStatuses) {
  const json unknown = error("getblocktemplate", {}, 404);
  EXPECT_EQ(unknown["code"], -32601);
  EXPECT_EQ(unknown["message"], "Method not found");
  const json range = error("getblockhash", {5}, 500);
  EXPECT_EQ(range["code"], -8);
  EXPECT_EQ(range["message"], "Block height out of range");
  const json type = error("getblockhash", {"5"}, 500);
  EXPECT_EQ(type["code"], -3);
  EXPECT_EQ(type["message"], "JSON value of type string is not of expected type number");
  const json usage = error("getblockhash", {}, 500);
  EXPECT_EQ(usage["code"], -1);
  EXPECT_EQ(usage["message"], "getblockhash height\n");
  EXPECT_EQ(error("getblock", {"00"}, 500)["message"],
            "blockhash must be of length 64 (not 2, for '00')");
  EXPECT_EQ(error("getblock", {std::string(64, 'z')}, 500)["code"], -8);
  EXPECT_EQ(error("getblock", {std::string(64, '0')}, 500)["message"], "Block not found");
  EXPECT_EQ(error("getrawtransaction", {std::string(64, '1')}, 500)["code"], -5);
  EXPECT_EQ(error("sendrawtransaction", {"zz"}, 500)["code"], -22);
  EXPECT_EQ(error("generatetoaddress", {1, "bc1qnotanaddress"}, 500)["code"], -5);

  auto [status, parse] = raw(json("not a request"));
  EXPECT_EQ(status, 400);
  const RpcReply bad = rpc_.handle("{");
  EXPECT_EQ(bad.http_status, 500);
  EXPECT_EQ(json::parse(bad.body)["error"]["code"], -32700);
}

TEST_F(CoreRpcTest, BatchesAnswerEveryElementInOrderWithStatus200) {
  const json batch = json::array(
      {json{{"method", "getblockcount"}, {"id", 1}}, json{{"method", "nope"}, {"id", 2}},
       json{{"method", "getblockhash"}, {"params", json::array({0})}, {"id", 3}}, 42});
  auto [status, replies] = raw(batch);
  EXPECT_EQ(status, 200);
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0]["result"], 0);
  EXPECT_EQ(replies[1]["error"]["code"], -32601);
  EXPECT_EQ(replies[2]["id"], 3);
  EXPECT_EQ(replies[3]["error"]["code"], -32600);
}

TEST_F(CoreRpcTest, JsonRpc2RequestsGet2Replies) {
  auto [status, reply] = raw(json{{"jsonrpc", "2.0"}, {"method", "nope"}, {"id", "x"}});
  EXPECT_EQ(status, 200);
  EXPECT_EQ(reply["jsonrpc"], "2.0");
  EXPECT_FALSE(reply.contains("result"));
  EXPECT_EQ(reply["error"]["code"], -32601);
  EXPECT_EQ(reply["id"], "x");
}

TEST(ScriptAsm, AsCorePrintsIt) {
  const auto script = [](const std::string& hex) { return *bitcoin::from_hex(hex); };
  EXPECT_EQ(script_asm(script("0014" + std::string(40, 'a'))), "0 " + std::string(40, 'a'));
  EXPECT_EQ(script_asm(script("76a914" + std::string(40, '1') + "88ac")),
            "OP_DUP OP_HASH160 " + std::string(40, '1') + " OP_EQUALVERIFY OP_CHECKSIG");
  EXPECT_EQ(script_asm(script("0166")), "102");  // small pushes print as numbers
  EXPECT_EQ(script_asm(script("0181")), "-1");
  EXPECT_EQ(script_asm(script("4c")), "[error]");          // PUSHDATA1 without its length
  EXPECT_EQ(script_asm(script("51054142")), "1 [error]");  // push past the end
  EXPECT_EQ(script_asm(script("4c00")), "0");
  EXPECT_EQ(script_type_name(script("6a0100")), "nulldata");
}

}  // namespace
}  // namespace eo::honeypot::node
