// Output-script templates and the address <-> script mapping (Base58Check and segwit).
#include "common/bitcoin/script.h"

#include "common/bitcoin/base58.h"
#include "common/bitcoin/bech32.h"
#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"

#include <algorithm>
#include <initializer_list>

namespace eo::bitcoin {
namespace {

constexpr std::uint8_t op_0 = 0x00;
constexpr std::uint8_t op_1 = 0x51;
constexpr std::uint8_t op_16 = 0x60;
constexpr std::uint8_t op_dup = 0x76;
constexpr std::uint8_t op_hash160 = 0xa9;
constexpr std::uint8_t op_equal = 0x87;
constexpr std::uint8_t op_equalverify = 0x88;
constexpr std::uint8_t op_checksig = 0xac;

Bytes push(std::initializer_list<std::uint8_t> prefix, ByteSpan data,
           std::initializer_list<std::uint8_t> suffix) {
  Bytes out(prefix);
  out.push_back(static_cast<std::uint8_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
  out.insert(out.end(), suffix);
  return out;
}

struct WitnessProgram {
  std::uint8_t version;
  ByteSpan program;
};

std::optional<WitnessProgram> as_witness_program(ByteSpan script) {
  if (script.size() < 4 || script.size() > 42) return std::nullopt;
  const std::uint8_t op = script[0];
  if (op != op_0 && (op < op_1 || op > op_16)) return std::nullopt;
  if (script[1] != script.size() - 2) return std::nullopt;
  const auto version = static_cast<std::uint8_t>(op == op_0 ? 0 : op - op_1 + 1);
  return WitnessProgram{version, script.subspan(2)};
}

template <std::size_t N>
std::array<std::uint8_t, N> to_array(ByteSpan data) {
  std::array<std::uint8_t, N> out{};
  std::copy(data.begin(), data.end(), out.begin());
  return out;
}

}  // namespace

std::string_view to_string(ScriptType type) {
  switch (type) {
    case ScriptType::nonstandard:
      return "nonstandard";
    case ScriptType::p2pkh:
      return "p2pkh";
    case ScriptType::p2sh:
      return "p2sh";
    case ScriptType::p2wpkh:
      return "p2wpkh";
    case ScriptType::p2wsh:
      return "p2wsh";
    case ScriptType::p2tr:
      return "p2tr";
    case ScriptType::witness_unknown:
      return "witness_unknown";
  }
  return "nonstandard";
}

std::string_view to_string(OutputType type) {
  switch (type) {
    case OutputType::p2pkh:
      return "p2pkh";
    case OutputType::p2sh_p2wpkh:
      return "p2sh-p2wpkh";
    case OutputType::p2wpkh:
      return "p2wpkh";
    case OutputType::p2tr:
      return "p2tr";
  }
  return "p2pkh";
}

Bytes p2pkh_script(const Hash160& key_hash) {
  return push({op_dup, op_hash160}, key_hash, {op_equalverify, op_checksig});
}

Bytes p2sh_script(const Hash160& script_hash) {
  return push({op_hash160}, script_hash, {op_equal});
}

Bytes p2wpkh_script(const Hash160& key_hash) { return push({op_0}, key_hash, {}); }

Bytes p2wsh_script(const Hash256& witness_script_sha256) {
  return push({op_0}, witness_script_sha256, {});
}

Bytes p2tr_script(const XOnlyPubKey& output_key) { return push({op_1}, output_key, {}); }

std::optional<Bytes> witness_program_script(std::uint8_t version, ByteSpan program) {
  if (version > 16 || program.size() < 2 || program.size() > 40) return std::nullopt;
  const auto op = static_cast<std::uint8_t>(version == 0 ? op_0 : op_1 + version - 1);
  return push({op}, program, {});
}

Bytes p2pkh_script_for_pubkey(ByteSpan pubkey) { return p2pkh_script(hash160(pubkey)); }

Bytes p2wpkh_script_for_pubkey(ByteSpan pubkey) { return p2wpkh_script(hash160(pubkey)); }

Bytes p2sh_p2wpkh_redeem_script(ByteSpan pubkey) { return p2wpkh_script_for_pubkey(pubkey); }

Bytes p2sh_p2wpkh_script_for_pubkey(ByteSpan pubkey) {
  return p2sh_script(hash160(p2sh_p2wpkh_redeem_script(pubkey)));
}

Bytes p2wsh_script_for_witness_script(ByteSpan witness_script) {
  return p2wsh_script(sha256(witness_script));
}

ScriptType classify_script(ByteSpan script) {
  if (script.size() == 25 && script[0] == op_dup && script[1] == op_hash160 && script[2] == 20 &&
      script[23] == op_equalverify && script[24] == op_checksig) {
    return ScriptType::p2pkh;
  }
  if (script.size() == 23 && script[0] == op_hash160 && script[1] == 20 && script[22] == op_equal) {
    return ScriptType::p2sh;
  }
  const auto wp = as_witness_program(script);
  if (!wp) return ScriptType::nonstandard;
  if (wp->version == 0) {
    if (wp->program.size() == 20) return ScriptType::p2wpkh;
    if (wp->program.size() == 32) return ScriptType::p2wsh;
    return ScriptType::nonstandard;  // v0 programs of other lengths are unspendable
  }
  if (wp->version == 1 && wp->program.size() == 32) return ScriptType::p2tr;
  return ScriptType::witness_unknown;
}

std::optional<Bytes> address_to_script(std::string_view address, Network network) {
  const NetworkParams& params = network_params(network);
  // A string that passes a Bech32 checksum is a segwit address (a Base58 string would need a
  // 30-bit checksum collision); its hrp then has to be this network's.
  if (auto segwit = segwit_address_decode(address)) {
    if (segwit->hrp != params.bech32_hrp) return std::nullopt;
    return witness_program_script(segwit->witness_version, segwit->program);
  }
  const auto payload = base58check_decode(address);
  if (!payload || payload->size() != 21) return std::nullopt;
  const auto hash = to_array<20>(ByteSpan(*payload).subspan(1));
  if ((*payload)[0] == params.p2pkh_version) return p2pkh_script(hash);
  if ((*payload)[0] == params.p2sh_version) return p2sh_script(hash);
  return std::nullopt;
}

std::optional<std::string> script_to_address(ByteSpan script, Network network) {
  const NetworkParams& params = network_params(network);
  switch (classify_script(script)) {
    case ScriptType::p2pkh: {
      Bytes payload{params.p2pkh_version};
      payload.insert(payload.end(), script.begin() + 3, script.begin() + 23);
      return base58check_encode(payload);
    }
    case ScriptType::p2sh: {
      Bytes payload{params.p2sh_version};
      payload.insert(payload.end(), script.begin() + 2, script.begin() + 22);
      return base58check_encode(payload);
    }
    case ScriptType::p2wpkh:
    case ScriptType::p2wsh:
    case ScriptType::p2tr:
    case ScriptType::witness_unknown: {
      const auto wp = as_witness_program(script);
      return segwit_address_encode(params.bech32_hrp, wp->version, wp->program);
    }
    case ScriptType::nonstandard:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string electrum_scripthash(ByteSpan script) { return to_reversed_hex(sha256(script)); }

}  // namespace eo::bitcoin
