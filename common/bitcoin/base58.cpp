// Base58 by schoolbook base conversion; leading zero bytes map to leading '1's and back.
#include "common/bitcoin/base58.h"

#include "common/bitcoin/hash.h"

#include <algorithm>
#include <array>

namespace eo::bitcoin {
namespace {

constexpr std::string_view alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// Maps an ASCII character to its digit value, or -1.
constexpr std::array<std::int8_t, 128> make_digit_table() {
  std::array<std::int8_t, 128> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<std::size_t>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}
constexpr auto digit_table = make_digit_table();

}  // namespace

std::string base58_encode(ByteSpan data) {
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;

  // Base-58 digits, least significant first; log(256)/log(58) < 1.37.
  std::vector<std::uint8_t> digits;
  digits.reserve((data.size() - zeros) * 137 / 100 + 1);
  for (std::size_t i = zeros; i < data.size(); ++i) {
    unsigned carry = data[i];
    for (auto& d : digits) {
      carry += static_cast<unsigned>(d) << 8;
      d = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<std::uint8_t>(carry % 58));
      carry /= 58;
    }
  }

  std::string out(zeros, '1');
  out.reserve(zeros + digits.size());
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(alphabet[*it]);
  return out;
}

std::optional<Bytes> base58_decode(std::string_view text) {
  if (text.size() > base58_max_decode_chars) return std::nullopt;
  std::size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;

  // Base-256 bytes, least significant first.
  Bytes bytes;
  bytes.reserve(text.size());
  for (std::size_t i = ones; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= digit_table.size() || digit_table[c] < 0) return std::nullopt;
    unsigned carry = static_cast<unsigned>(digit_table[c]);
    for (auto& b : bytes) {
      carry += static_cast<unsigned>(b) * 58;
      b = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<std::uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }

  Bytes out(ones, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

std::string base58check_encode(ByteSpan payload) {
  Bytes data(payload.begin(), payload.end());
  const Hash256 check = double_sha256(payload);
  data.insert(data.end(), check.begin(), check.begin() + 4);
  return base58_encode(data);
}

std::optional<Bytes> base58check_decode(std::string_view text) {
  auto data = base58_decode(text);
  if (!data || data->size() < 4) return std::nullopt;
  const std::size_t body = data->size() - 4;
  const Hash256 check = double_sha256(ByteSpan(data->data(), body));
  if (!std::equal(check.begin(), check.begin() + 4, data->begin() + static_cast<long>(body))) {
    return std::nullopt;
  }
  data->resize(body);
  return data;
}

}  // namespace eo::bitcoin
