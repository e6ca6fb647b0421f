#include "aggregator/open_data/redact.h"

#include <cctype>

namespace eo::aggregator::open_data {

namespace {

// A character that may continue an IPv4 or IPv6 address: "10.0.0.1" inside "110.0.0.12" or
// "::1" inside "fe80::12" is another address.
bool address_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
}

}  // namespace

std::string ClientIpRedactor::redact(std::string text) const {
  for (const auto& ip : ips_) {
    if (ip.empty()) continue;
    for (auto at = text.find(ip); at != std::string::npos; at = text.find(ip, at)) {
      const auto end = at + ip.size();
      const bool whole = (at == 0 || !address_char(text[at - 1])) &&
                         (end == text.size() || !address_char(text[end]));
      if (!whole) {
        at = end;
        continue;
      }
      text.replace(at, ip.size(), kRedactedIp);
      at += std::string_view(kRedactedIp).size();
    }
  }
  return text;
}

void ClientIpRedactor::redact(FindingRow& row) const {
  row.summary = redact(std::move(row.summary));
  row.evidence_json = redact(std::move(row.evidence_json));
  row.details_json = redact(std::move(row.details_json));
}

}  // namespace eo::aggregator::open_data
