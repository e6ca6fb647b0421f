// The registry of issued canaries: Electrum script hash -> the issuance and wallet position it
// was derived for. Built by whoever holds the campaign secret (`observatory canary registry`), read
// by the honeypot to recognize canaries. Adding refuses a script hash already issued elsewhere,
// so "the same canary given to two servers" is an error at issue time, never an ambiguous
// sighting later.
#pragma once

#include "common/canary/derive.h"

#include <cstddef>
#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <string_view>

namespace eo::canary {

struct Entry {
  Issuance issuance;
  bitcoin::OutputType type = bitcoin::OutputType::p2wpkh;
  std::uint32_t chain = 0;
  std::uint32_t index = 0;

  std::string label() const;  // "p2wpkh/0/5"
  bool operator==(const Entry&) const = default;
};

class Registry {
 public:
  // Adds one canary. Re-adding the same (script hash, entry) is a no-op; a script hash already
  // issued to another entry is refused (returns false, registry unchanged).
  bool add(const std::string& scripthash, const Entry& entry);
  // Issues every canary of the issuance (all types, full gap-limit windows) from the secret.
  // Throws std::runtime_error naming both issuances on a collision (nothing is added then).
  void issue(bitcoin::ByteSpan secret, const Issuance& issuance);
  void issue_key(const TaskKey& key, const Issuance& issuance);

  const Entry* find(std::string_view scripthash) const;
  std::size_t size() const { return entries_.size(); }
  const std::map<std::string, Entry, std::less<>>& entries() const { return entries_; }

  // One line per canary: scripthash, campaign, target, vantage class, round, label, tab-separated,
  // after a "# eo-canary-registry v1" header.
  void write(std::ostream& out) const;
  // Reads what write() wrote; throws std::invalid_argument naming the bad line (and a collision
  // between lines is one).
  static Registry read(std::istream& in);

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace eo::canary
