// Bech32/Bech32m checksums and segwit address rules, written from the BIP173/BIP350 text.
#include "common/bitcoin/bech32.h"

#include <array>

namespace eo::bitcoin {
namespace {

constexpr std::string_view charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::uint32_t bech32_constant = 1;
constexpr std::uint32_t bech32m_constant = 0x2bc830a3;
constexpr std::size_t checksum_length = 6;

// The BCH code's generator coefficients from BIP173.
std::uint32_t polymod_step(std::uint32_t chk, std::uint8_t value) {
  static constexpr std::array<std::uint32_t, 5> gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
                                                       0x3d4233dd, 0x2a1462b3};
  const std::uint32_t top = chk >> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ value;
  for (std::size_t i = 0; i < gen.size(); ++i) {
    if ((top >> i) & 1) chk ^= gen[i];
  }
  return chk;
}

// Polymod over hrp expansion (high bits, 0, low bits) followed by `values`.
std::uint32_t polymod(std::string_view hrp, ByteSpan values) {
  std::uint32_t chk = 1;
  for (char c : hrp) chk = polymod_step(chk, static_cast<std::uint8_t>(c) >> 5);
  chk = polymod_step(chk, 0);
  for (char c : hrp) chk = polymod_step(chk, static_cast<std::uint8_t>(c) & 0x1f);
  for (std::uint8_t v : values) chk = polymod_step(chk, v);
  return chk;
}

std::uint32_t constant_for(Bech32Variant variant) {
  return variant == Bech32Variant::bech32 ? bech32_constant : bech32m_constant;
}

int charset_index(char c) {
  const auto pos = charset.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

bool valid_hrp_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 33 && u <= 126;
}

}  // namespace

std::optional<std::string> bech32_encode(Bech32Variant variant, std::string_view hrp,
                                         ByteSpan values) {
  if (hrp.empty() || hrp.size() + 1 + values.size() + checksum_length > bech32_max_length) {
    return std::nullopt;
  }
  for (char c : hrp) {
    if (!valid_hrp_char(c) || (c >= 'A' && c <= 'Z')) return std::nullopt;
  }
  for (std::uint8_t v : values) {
    if (v >= 32) return std::nullopt;
  }

  Bytes with_zeros(values.begin(), values.end());
  with_zeros.resize(values.size() + checksum_length, 0);
  const std::uint32_t mod = polymod(hrp, with_zeros) ^ constant_for(variant);

  std::string out(hrp);
  out.push_back('1');
  for (std::uint8_t v : values) out.push_back(charset[v]);
  for (std::size_t i = 0; i < checksum_length; ++i) {
    out.push_back(charset[(mod >> (5 * (checksum_length - 1 - i))) & 0x1f]);
  }
  return out;
}

std::optional<Bech32Decoded> bech32_decode(std::string_view text) {
  if (text.size() > bech32_max_length) return std::nullopt;
  bool lower = false;
  bool upper = false;
  for (char c : text) {
    if (!valid_hrp_char(c)) return std::nullopt;
    lower |= (c >= 'a' && c <= 'z');
    upper |= (c >= 'A' && c <= 'Z');
  }
  if (lower && upper) return std::nullopt;

  const auto sep = text.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 + checksum_length > text.size()) {
    return std::nullopt;
  }

  Bech32Decoded out;
  out.hrp.reserve(sep);
  for (char c : text.substr(0, sep)) {
    out.hrp.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  Bytes values;
  values.reserve(text.size() - sep - 1);
  for (char c : text.substr(sep + 1)) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const int v = charset_index(c);
    if (v < 0) return std::nullopt;
    values.push_back(static_cast<std::uint8_t>(v));
  }

  const std::uint32_t mod = polymod(out.hrp, values);
  if (mod == bech32_constant) {
    out.variant = Bech32Variant::bech32;
  } else if (mod == bech32m_constant) {
    out.variant = Bech32Variant::bech32m;
  } else {
    return std::nullopt;
  }
  values.resize(values.size() - checksum_length);
  out.values = std::move(values);
  return out;
}

std::optional<Bytes> convert_bits(ByteSpan in, unsigned from_bits, unsigned to_bits, bool pad) {
  if (from_bits == 0 || from_bits > 8 || to_bits == 0 || to_bits > 8) return std::nullopt;
  const std::uint32_t max_out = (1u << to_bits) - 1;
  std::uint32_t acc = 0;
  unsigned bits = 0;
  Bytes out;
  out.reserve(in.size() * from_bits / to_bits + 1);
  for (std::uint8_t value : in) {
    if ((value >> from_bits) != 0) return std::nullopt;
    acc = ((acc << from_bits) | value) & 0xffff;  // only the low bits are ever needed
    bits += from_bits;
    while (bits >= to_bits) {
      bits -= to_bits;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & max_out));
    }
  }
  if (pad) {
    if (bits > 0) out.push_back(static_cast<std::uint8_t>((acc << (to_bits - bits)) & max_out));
  } else if (bits >= from_bits || ((acc << (to_bits - bits)) & max_out) != 0) {
    return std::nullopt;
  }
  return out;
}

namespace {

bool valid_witness_program(std::uint8_t version, std::size_t program_size) {
  if (version > 16 || program_size < 2 || program_size > 40) return false;
  return version != 0 || program_size == 20 || program_size == 32;
}

}  // namespace

std::optional<std::string> segwit_address_encode(std::string_view hrp, std::uint8_t witness_version,
                                                 ByteSpan program) {
  if (!valid_witness_program(witness_version, program.size())) return std::nullopt;
  auto values = convert_bits(program, 8, 5, true);
  if (!values) return std::nullopt;
  values->insert(values->begin(), witness_version);
  const auto variant = witness_version == 0 ? Bech32Variant::bech32 : Bech32Variant::bech32m;
  return bech32_encode(variant, hrp, *values);
}

std::optional<SegwitAddress> segwit_address_decode(std::string_view address) {
  auto decoded = bech32_decode(address);
  if (!decoded || decoded->values.empty()) return std::nullopt;
  const std::uint8_t version = decoded->values[0];
  if (version > 16) return std::nullopt;
  const auto expected = version == 0 ? Bech32Variant::bech32 : Bech32Variant::bech32m;
  if (decoded->variant != expected) return std::nullopt;
  auto program = convert_bits(ByteSpan(decoded->values).subspan(1), 5, 8, false);
  if (!program || !valid_witness_program(version, program->size())) return std::nullopt;
  return SegwitAddress{std::move(decoded->hrp), version, std::move(*program)};
}

std::optional<SegwitAddress> segwit_address_decode(std::string_view expected_hrp,
                                                   std::string_view address) {
  auto decoded = segwit_address_decode(address);
  if (!decoded || decoded->hrp.size() != expected_hrp.size()) return std::nullopt;
  for (std::size_t i = 0; i < expected_hrp.size(); ++i) {
    char c = expected_hrp[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (decoded->hrp[i] != c) return std::nullopt;
  }
  return decoded;
}

}  // namespace eo::bitcoin
