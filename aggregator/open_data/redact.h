// The ethics rule for open data (DESIGN.md §6): honeypot clients' IP addresses are third parties'
// and are never published unless the operator asks. Findings can quote them (a query leak names
// the address that asked for a canary), so every address a honeypot recorded in the pass's window
// is replaced wherever it appears in a finding's text.
#pragma once

#include "aggregator/open_data/records.h"

#include <set>
#include <string>

namespace eo::aggregator::open_data {

inline constexpr const char* kRedactedIp = "[client IP withheld]";

class ClientIpRedactor {
 public:
  explicit ClientIpRedactor(std::set<std::string> client_ips) : ips_(std::move(client_ips)) {}

  // Every whole occurrence of a client IP replaced (not one inside a longer address).
  std::string redact(std::string text) const;
  void redact(FindingRow& row) const;

 private:
  std::set<std::string> ips_;
};

}  // namespace eo::aggregator::open_data
