// The 78-byte BIP32 serialization and its Base58Check string, with every validity rule of
// BIP32's test vector 5 applied on parse.
#include "common/bitcoin/base58.h"
#include "common/bitcoin/bip32.h"

#include <algorithm>

namespace eo::bitcoin {
namespace {

constexpr std::size_t serialized_size = 78;

struct KindInfo {
  ExtendedKeyKind kind;
  std::string_view name;
  std::uint32_t public_version;
  std::uint32_t private_version;
  Network network;
  OutputType output_type;
};

// BIP32 (x/t), BIP49 (y/u) and BIP84 (z/v) version bytes.
constexpr std::array<KindInfo, 6> kinds = {{
    {ExtendedKeyKind::xpub, "xpub", 0x0488B21E, 0x0488ADE4, Network::mainnet, OutputType::p2pkh},
    {ExtendedKeyKind::tpub, "tpub", 0x043587CF, 0x04358394, Network::testnet, OutputType::p2pkh},
    {ExtendedKeyKind::ypub, "ypub", 0x049D7CB2, 0x049D7878, Network::mainnet,
     OutputType::p2sh_p2wpkh},
    {ExtendedKeyKind::zpub, "zpub", 0x04B24746, 0x04B2430C, Network::mainnet, OutputType::p2wpkh},
    {ExtendedKeyKind::upub, "upub", 0x044A5262, 0x044A4E28, Network::testnet,
     OutputType::p2sh_p2wpkh},
    {ExtendedKeyKind::vpub, "vpub", 0x045F1CF6, 0x045F18BC, Network::testnet, OutputType::p2wpkh},
}};

constexpr bool kinds_indexed_by_enum() {
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (static_cast<std::size_t>(kinds[i].kind) != i) return false;
  }
  return true;
}
static_assert(kinds_indexed_by_enum(), "kinds[] must follow the ExtendedKeyKind order");

const KindInfo& info(ExtendedKeyKind kind) { return kinds[static_cast<std::size_t>(kind)]; }

void put_u32_be(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::uint32_t get_u32_be(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Fields common to both key types, after the version.
struct Decoded {
  ExtendedKeyKind kind;
  bool is_private;
  std::uint8_t depth;
  Fingerprint parent_fingerprint;
  std::uint32_t child_number;
  ChainCode chain_code;
  std::array<std::uint8_t, 33> key;
};

std::optional<Decoded> decode(std::string_view text) {
  const auto payload = base58check_decode(text);
  if (!payload || payload->size() != serialized_size) return std::nullopt;
  const std::uint8_t* p = payload->data();
  const std::uint32_t version = get_u32_be(p);
  Decoded d{};
  const auto it = std::find_if(kinds.begin(), kinds.end(), [&](const KindInfo& k) {
    return k.public_version == version || k.private_version == version;
  });
  if (it == kinds.end()) return std::nullopt;
  d.kind = it->kind;
  d.is_private = it->private_version == version;
  d.depth = p[4];
  std::copy(p + 5, p + 9, d.parent_fingerprint.begin());
  d.child_number = get_u32_be(p + 9);
  std::copy(p + 13, p + 45, d.chain_code.begin());
  std::copy(p + 45, p + 78, d.key.begin());
  // A master key has no parent: BIP32 test vector 5 requires rejecting anything else at depth 0.
  if (d.depth == 0 && (d.child_number != 0 || d.parent_fingerprint != Fingerprint{})) {
    return std::nullopt;
  }
  return d;
}

std::string encode(std::uint32_t version, std::uint8_t depth, const Fingerprint& parent,
                   std::uint32_t child_number, const ChainCode& chain_code, ByteSpan key33) {
  Bytes out;
  out.reserve(serialized_size);
  put_u32_be(out, version);
  out.push_back(depth);
  out.insert(out.end(), parent.begin(), parent.end());
  put_u32_be(out, child_number);
  out.insert(out.end(), chain_code.begin(), chain_code.end());
  out.insert(out.end(), key33.begin(), key33.end());
  return base58check_encode(out);
}

}  // namespace

std::string_view to_string(ExtendedKeyKind kind) { return info(kind).name; }
std::uint32_t public_version(ExtendedKeyKind kind) { return info(kind).public_version; }
std::uint32_t private_version(ExtendedKeyKind kind) { return info(kind).private_version; }
Network network_of(ExtendedKeyKind kind) { return info(kind).network; }
OutputType implied_output_type(ExtendedKeyKind kind) { return info(kind).output_type; }

std::optional<ExtendedPubKey> ExtendedPubKey::parse(std::string_view text) {
  const auto d = decode(text);
  if (!d || d->is_private || !is_valid_compressed_pubkey(d->key)) return std::nullopt;
  return ExtendedPubKey{d->kind,         d->depth,      d->parent_fingerprint,
                        d->child_number, d->chain_code, d->key};
}

std::string ExtendedPubKey::to_string() const {
  return encode(version(), depth, parent_fingerprint, child_number, chain_code, pubkey);
}

std::optional<ExtendedPrivKey> ExtendedPrivKey::parse(std::string_view text) {
  const auto d = decode(text);
  if (!d || !d->is_private || d->key[0] != 0x00) return std::nullopt;
  ExtendedPrivKey out;
  std::copy(d->key.begin() + 1, d->key.end(), out.secret_.begin());
  if (!is_valid_secret_key(out.secret_)) return std::nullopt;
  out.kind_ = d->kind;
  out.depth_ = d->depth;
  out.parent_fingerprint_ = d->parent_fingerprint;
  out.child_number_ = d->child_number;
  out.chain_code_ = d->chain_code;
  return out;
}

std::string ExtendedPrivKey::to_string() const {
  std::array<std::uint8_t, 33> key{};
  std::copy(secret_.begin(), secret_.end(), key.begin() + 1);
  return encode(version(), depth_, parent_fingerprint_, child_number_, chain_code_, key);
}

}  // namespace eo::bitcoin
