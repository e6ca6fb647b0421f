// Volatile fields, by name wherever they appear: the chain tip and fee estimates move between
// requests; timings (*_us, *_ms), rates and certificate days-left measure the path and the
// clock, not content. Peers are compared as a set: servers shuffle them per request.
// A text filter rather than a parse into a tree: ingest runs it on every observation, and a
// tree costs an allocation per value.
#include "aggregator/results/normalize.h"

#include "aggregator/results/json_scan.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>
#include <new>
#include <vector>

namespace eo::aggregator::results {

namespace {

bool volatile_key(std::string_view key) {
  static constexpr std::array<std::string_view, 6> kNames = {"tip",  "estimatefee", "relayfee",
                                                             "rate", "final_rate",  "days_left"};
  if (std::find(kNames.begin(), kNames.end(), key) != kNames.end()) return true;
  auto ends_with = [&](std::string_view suffix) {
    return key.size() >= suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
  };
  return ends_with("_us") || ends_with("_ms");
}

struct Malformed {};

class Filter {
 public:
  explicit Filter(std::string_view in) : in_(in) {}

  std::string run() {
    std::string out;
    out.reserve(in_.size());
    value(out, false);
    space();
    if (pos_ != in_.size()) throw Malformed{};
    return out;
  }

 private:
  static constexpr int kMaxDepth = 256;

  void space() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\n' || in_[pos_] == '\r' || in_[pos_] == '\t')) {
      ++pos_;
    }
  }
  char peek() {
    space();
    if (pos_ >= in_.size()) throw Malformed{};
    return in_[pos_];
  }
  void expect(char c) {
    if (peek() != c) throw Malformed{};
    ++pos_;
  }

  // A string token with its quotes, as written.
  std::string_view string_token() {
    if (peek() != '"') throw Malformed{};
    std::size_t start = pos_;
    std::size_t end = string_end(in_, start);
    if (end == std::string_view::npos) throw Malformed{};
    pos_ = end + 1;
    return in_.substr(start, pos_ - start);
  }

  // Numbers, true, false, null: copied as written.
  std::string_view scalar_token() {
    std::size_t start = pos_;
    while (pos_ < in_.size() && !ends_scalar(in_[pos_])) ++pos_;
    if (pos_ == start) throw Malformed{};
    return in_.substr(start, pos_ - start);
  }

  // Copies one value to `out`, filtered; `sort` sorts an array's elements (peers.result).
  void value(std::string& out, bool sort, bool peers = false) {
    if (++depth_ > kMaxDepth) throw Malformed{};
    char c = peek();
    if (c == '{') {
      object(out, peers);
    } else if (c == '[') {
      array(out, sort);
    } else if (c == '"') {
      out += string_token();
    } else {
      out += scalar_token();
    }
    --depth_;
  }

  void object(std::string& out, bool peers) {
    expect('{');
    out += '{';
    bool first = true;
    if (peek() == '}') {
      ++pos_;
      out += '}';
      return;
    }
    for (;;) {
      std::string_view key = string_token();
      expect(':');
      std::string_view name = key.substr(1, key.size() - 2);
      if (volatile_key(name)) {
        std::string ignored;
        value(ignored, false);
      } else {
        if (!first) out += ',';
        first = false;
        out += key;
        out += ':';
        value(out, peers && name == "result", name == "peers");
      }
      char c = peek();
      ++pos_;
      if (c == '}') break;
      if (c != ',') throw Malformed{};
    }
    out += '}';
  }

  void array(std::string& out, bool sort) {
    expect('[');
    out += '[';
    std::vector<std::string> items;  // only when sorting
    if (peek() == ']') {
      ++pos_;
    } else {
      for (bool first = true;; first = false) {
        if (sort) {
          value(items.emplace_back(), false);
        } else {
          if (!first) out += ',';
          value(out, false);
        }
        char c = peek();
        ++pos_;
        if (c == ']') break;
        if (c != ',') throw Malformed{};
      }
    }
    std::sort(items.begin(), items.end());
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out += ',';
      out += items[i];
    }
    out += ']';
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::optional<std::string> normalize(std::string_view result_json) {
  try {
    return Filter(result_json).run();
  } catch (const Malformed&) {
    return std::nullopt;
  }
}

std::string content_sha256(std::string_view result_json) {
  auto normalized = normalize(result_json);
  return normalized ? sha256_hex(*normalized) : std::string();
}

std::string sha256_hex(std::string_view bytes) {
  // Fetched once (OpenSSL 3 looks the algorithm up again on every EVP_sha256() digest), and one
  // context per thread rather than one allocated per digest.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!context || EVP_DigestInit_ex2(context.get(), kSha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
    throw std::bad_alloc();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(length * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace eo::aggregator::results
