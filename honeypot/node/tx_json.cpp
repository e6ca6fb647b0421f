// Opcode names are Core's (script.cpp GetOpName); pushes of 1..4 bytes print as the number they
// encode, as Core's ScriptToAsmStr does for scriptPubKeys and scriptSigs alike.
#include "honeypot/node/tx_json.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/script.h"
#include "honeypot/chain/chain_types.h"
#include "honeypot/chain/config.h"

#include <array>

namespace eo::honeypot::node {
namespace {

using nlohmann::json;

std::string_view op_name(std::uint8_t op) {
  static const std::array<std::pair<std::uint8_t, std::string_view>, 82> names{{
      {0x4f, "-1"},
      {0x50, "OP_RESERVED"},
      {0x61, "OP_NOP"},
      {0x62, "OP_VER"},
      {0x63, "OP_IF"},
      {0x64, "OP_NOTIF"},
      {0x65, "OP_VERIF"},
      {0x66, "OP_VERNOTIF"},
      {0x67, "OP_ELSE"},
      {0x68, "OP_ENDIF"},
      {0x69, "OP_VERIFY"},
      {0x6a, "OP_RETURN"},
      {0x6b, "OP_TOALTSTACK"},
      {0x6c, "OP_FROMALTSTACK"},
      {0x6d, "OP_2DROP"},
      {0x6e, "OP_2DUP"},
      {0x6f, "OP_3DUP"},
      {0x70, "OP_2OVER"},
      {0x71, "OP_2ROT"},
      {0x72, "OP_2SWAP"},
      {0x73, "OP_IFDUP"},
      {0x74, "OP_DEPTH"},
      {0x75, "OP_DROP"},
      {0x76, "OP_DUP"},
      {0x77, "OP_NIP"},
      {0x78, "OP_OVER"},
      {0x79, "OP_PICK"},
      {0x7a, "OP_ROLL"},
      {0x7b, "OP_ROT"},
      {0x7c, "OP_SWAP"},
      {0x7d, "OP_TUCK"},
      {0x7e, "OP_CAT"},
      {0x7f, "OP_SUBSTR"},
      {0x80, "OP_LEFT"},
      {0x81, "OP_RIGHT"},
      {0x82, "OP_SIZE"},
      {0x83, "OP_INVERT"},
      {0x84, "OP_AND"},
      {0x85, "OP_OR"},
      {0x86, "OP_XOR"},
      {0x87, "OP_EQUAL"},
      {0x88, "OP_EQUALVERIFY"},
      {0x89, "OP_RESERVED1"},
      {0x8a, "OP_RESERVED2"},
      {0x8b, "OP_1ADD"},
      {0x8c, "OP_1SUB"},
      {0x8d, "OP_2MUL"},
      {0x8e, "OP_2DIV"},
      {0x8f, "OP_NEGATE"},
      {0x90, "OP_ABS"},
      {0x91, "OP_NOT"},
      {0x92, "OP_0NOTEQUAL"},
      {0x93, "OP_ADD"},
      {0x94, "OP_SUB"},
      {0x95, "OP_MUL"},
      {0x96, "OP_DIV"},
      {0x97, "OP_MOD"},
      {0x98, "OP_LSHIFT"},
      {0x99, "OP_RSHIFT"},
      {0x9a, "OP_BOOLAND"},
      {0x9b, "OP_BOOLOR"},
      {0x9c, "OP_NUMEQUAL"},
      {0x9d, "OP_NUMEQUALVERIFY"},
      {0x9e, "OP_NUMNOTEQUAL"},
      {0x9f, "OP_LESSTHAN"},
      {0xa0, "OP_GREATERTHAN"},
      {0xa1, "OP_LESSTHANOREQUAL"},
      {0xa2, "OP_GREATERTHANOREQUAL"},
      {0xa3, "OP_MIN"},
      {0xa4, "OP_MAX"},
      {0xa5, "OP_WITHIN"},
      {0xa6, "OP_RIPEMD160"},
      {0xa7, "OP_SHA1"},
      {0xa8, "OP_SHA256"},
      {0xa9, "OP_HASH160"},
      {0xaa, "OP_HASH256"},
      {0xab, "OP_CODESEPARATOR"},
      {0xac, "OP_CHECKSIG"},
      {0xad, "OP_CHECKSIGVERIFY"},
      {0xae, "OP_CHECKMULTISIG"},
      {0xaf, "OP_CHECKMULTISIGVERIFY"},
      {0xba, "OP_CHECKSIGADD"},
  }};
  for (const auto& [code, name] : names) {
    if (code == op) return name;
  }
  if (op == 0xb1) return "OP_CHECKLOCKTIMEVERIFY";
  if (op == 0xb2) return "OP_CHECKSEQUENCEVERIFY";
  if (op >= 0xb0 && op <= 0xb9) return "OP_NOP";
  return "OP_UNKNOWN";
}

// Little-endian sign-magnitude, as CScriptNum reads it.
std::int64_t script_number(bitcoin::ByteSpan bytes) {
  if (bytes.empty()) return 0;
  std::int64_t value = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) value |= std::int64_t{bytes[i]} << (8 * i);
  if (bytes.back() & 0x80) {
    return -(value & ~(std::int64_t{0x80} << (8 * (bytes.size() - 1))));
  }
  return value;
}

json script_sig_json(bitcoin::ByteSpan script) {
  return json{{"asm", script_asm(script)}, {"hex", bitcoin::to_hex(script)}};
}

json witness_json(const std::vector<bitcoin::Bytes>& witness) {
  json items = json::array();
  for (const bitcoin::Bytes& item : witness) items.push_back(bitcoin::to_hex(item));
  return items;
}

}  // namespace

std::string script_asm(bitcoin::ByteSpan script) {
  std::string out;
  std::size_t i = 0;
  while (i < script.size()) {
    if (!out.empty()) out += ' ';
    const std::uint8_t op = script[i++];
    if (op == 0) {
      out += '0';
      continue;
    }
    if (op >= 0x51 && op <= 0x60) {
      out += std::to_string(op - 0x50);
      continue;
    }
    if (op > 0x4e) {
      out += op_name(op);
      continue;
    }
    std::size_t width = op == 0x4c ? 1 : op == 0x4d ? 2 : op == 0x4e ? 4 : 0;
    std::size_t length = op < 0x4c ? op : 0;
    if (script.size() - i < width) return out + "[error]";
    for (std::size_t b = 0; b < width; ++b) length |= std::size_t{script[i + b]} << (8 * b);
    i += width;
    if (script.size() - i < length) return out + "[error]";
    const bitcoin::ByteSpan data = script.subspan(i, length);
    i += length;
    out += length <= 4 ? std::to_string(script_number(data)) : bitcoin::to_hex(data);
  }
  return out;
}

std::string script_type_name(bitcoin::ByteSpan script) {
  switch (bitcoin::classify_script(script)) {
    case bitcoin::ScriptType::p2pkh:
      return "pubkeyhash";
    case bitcoin::ScriptType::p2sh:
      return "scripthash";
    case bitcoin::ScriptType::p2wpkh:
      return "witness_v0_keyhash";
    case bitcoin::ScriptType::p2wsh:
      return "witness_v0_scripthash";
    case bitcoin::ScriptType::p2tr:
      return "witness_v1_taproot";
    case bitcoin::ScriptType::witness_unknown:
      return "witness_unknown";
    case bitcoin::ScriptType::nonstandard:
      break;
  }
  return !script.empty() && script[0] == 0x6a ? "nulldata" : "nonstandard";
}

json btc_amount(std::int64_t sats) {
  return json(static_cast<double>(sats) / static_cast<double>(chain::coin));
}

json decode_transaction(const bitcoin::Transaction& tx) {
  const std::size_t size = bitcoin::serialize(tx).size();
  const std::size_t stripped = bitcoin::serialize_without_witness(tx).size();
  json vin = json::array();
  for (const bitcoin::TxIn& in : tx.inputs) {
    json item;
    if (tx.is_coinbase()) {
      item["coinbase"] = bitcoin::to_hex(in.script_sig);
    } else {
      item["txid"] = bitcoin::to_reversed_hex(in.prevout.txid);
      item["vout"] = in.prevout.vout;
      item["scriptSig"] = script_sig_json(in.script_sig);
    }
    if (!in.witness.empty()) item["txinwitness"] = witness_json(in.witness);
    item["sequence"] = in.sequence;
    vin.push_back(std::move(item));
  }
  json vout = json::array();
  for (std::size_t n = 0; n < tx.outputs.size(); ++n) {
    const bitcoin::TxOut& out = tx.outputs[n];
    json key{{"asm", script_asm(out.script_pubkey)},
             {"hex", bitcoin::to_hex(out.script_pubkey)},
             {"type", script_type_name(out.script_pubkey)}};
    if (auto address = bitcoin::script_to_address(out.script_pubkey, bitcoin::Network::regtest)) {
      key["address"] = *address;
    }
    vout.push_back(json{{"value", btc_amount(out.value)}, {"n", n}, {"scriptPubKey", key}});
  }
  return json{{"txid", bitcoin::txid_hex(tx)},
              {"hash", bitcoin::wtxid_hex(tx)},
              {"version", tx.version},
              {"size", size},
              {"vsize", chain::virtual_size(tx)},
              {"weight", stripped * 3 + size},
              {"locktime", tx.locktime},
              {"vin", std::move(vin)},
              {"vout", std::move(vout)}};
}

}  // namespace eo::honeypot::node
