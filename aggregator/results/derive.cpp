// Which probe tells what: metadata and version_matrix carry server.version and (metadata)
// features, banner and donation address; every TLS observation carries the leaf; rate_limit_ramp
// carries the first throttle.
#include "aggregator/results/derive.h"

#include "aggregator/results/json_scan.h"
#include "aggregator/results/normalize.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace eo::aggregator::results {

namespace {

using nlohmann::json;

std::string lower_suffix(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string network_name(v1::Network network) {
  switch (network) {
    case v1::NETWORK_CLEARNET:
      return "clearnet";
    case v1::NETWORK_TOR:
      return "tor";
    default:
      return "unspecified";
  }
}

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_at(const json* value) {
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

// The member `key` of the result text, parsed; discarded (is_discarded()) when absent or bad.
json member_json(std::string_view result, std::string_view key) {
  auto text = member_text(result, key);
  return text ? json::parse(*text, nullptr, false) : json(json::value_t::discarded);
}

// Whether a key token (quotes included) names `key`.
bool key_is(std::string_view token, std::string_view key) {
  std::string_view inner = token.substr(1, token.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return inner == key;
  return string_value(token) == key;
}

// The members of an object's text, found in one scan and looked up by key; as a parser would,
// the last of duplicate keys wins. Parsing the metadata result into a tree cost more than all
// the rest of an observation's decoding. The text is our agent's JSON encoder's output; what a
// broken one writes is skipped in bounded steps, and the columns come only from string tokens
// that string_value() checks in full.
class Members {
 public:
  Members() = default;
  explicit Members(std::string_view object_json) {
    if (auto found = members(object_json)) all_ = std::move(*found);
  }

  const std::vector<Member>& all() const { return all_; }
  std::optional<std::string_view> text(std::string_view key) const {
    for (auto it = all_.rbegin(); it != all_.rend(); ++it) {
      if (key_is(it->first, key)) return it->second;
    }
    return std::nullopt;
  }
  Members object(std::string_view key) const {
    auto found = text(key);
    return found ? Members(*found) : Members();
  }
  std::string string(std::string_view key) const {
    auto found = text(key);
    return found ? string_value(*found).value_or("") : "";
  }

 private:
  std::vector<Member> all_;
};

// server.version's reply: ["ElectrumX 1.20.0", "1.6.0"], or a bare protocol string (old servers).
void derive_version(const Members& answer, ObservationRow& row) {
  auto text = answer.text("result");
  if (!text) return;
  if (text->front() == '"') {
    row.protocol = string_value(*text).value_or("");
    return;
  }
  json result = json::parse(*text, nullptr, false);
  if (result.is_array() && result.size() == 2) {
    row.server_version = string_at(&result[0]);
    row.protocol = string_at(&result[1]);
  }
}

void derive_metadata(std::string_view result, ObservationRow& row) {
  Members top(result);
  derive_version(top.object("version"), row);
  Members features = top.object("features").object("result");
  std::vector<std::string> keys;
  keys.reserve(features.all().size());
  for (const auto& [key, value] : features.all()) keys.push_back(string_value(key).value_or(""));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const auto& key : keys) row.feature_keys += (row.feature_keys.empty() ? "" : ",") + key;
  row.protocol_min = features.string("protocol_min");
  row.protocol_max = features.string("protocol_max");
  row.genesis_hash = features.string("genesis_hash");
  if (auto banner = top.object("banner").text("result")) {
    if (auto text = string_value(*banner)) row.banner_sha256 = sha256_hex(*text);
  }
  row.donation_address = top.object("donation_address").string("result");
}

void derive_ramp(std::string_view result, ObservationRow& row) {
  json throttled = member_json(result, "throttled");
  if (!throttled.is_boolean()) return;
  row.ramp_throttled = throttled.get<bool>() ? 1 : 0;
  json first = member_json(result, "first_throttle");
  if (const json* index = member(first, "request_index"); index && index->is_number_integer()) {
    row.ramp_threshold = index->get<std::int64_t>();
  }
  row.ramp_kind = string_at(member(first, "kind"));
}

// Only the members that derived columns need are parsed; the content hash of every result
// works on the text.
void derive_result(const v1::Observation& o, ObservationRow& row) {
  std::string_view result = o.result_json();
  if (result.empty()) return;
  const std::string& probe = o.probe_name();
  if (probe == "metadata") {
    derive_metadata(result, row);
  } else if (probe == "version_matrix") {
    derive_version(Members(result).object("profile"), row);
  } else if (probe == "rate_limit_ramp") {
    derive_ramp(result, row);
  }
  if (o.outcome() == v1::OUTCOME_OK) row.content_sha256 = content_sha256(result);
}

// A recycled row must not keep what its previous observation derived.
void clear_derived(ObservationRow& row) {
  for (auto* column : {&row.server_version, &row.protocol, &row.protocol_min, &row.protocol_max,
                       &row.banner_sha256, &row.donation_address, &row.feature_keys,
                       &row.genesis_hash, &row.cert_sha256, &row.spki_sha256, &row.cert_subject,
                       &row.cert_issuer, &row.tls_version, &row.content_sha256, &row.ramp_kind}) {
    column->clear();
  }
  row.cert_not_after.reset();
  row.ramp_throttled.reset();
  row.ramp_threshold.reset();
}

void derive_tls(const v1::Observation& o, ObservationRow& row) {
  if (!o.has_tls()) return;
  row.tls_version = o.tls().version();
  if (o.tls().chain_size() == 0) return;
  const auto& leaf = o.tls().chain(0);
  row.cert_sha256 = leaf.sha256_fingerprint();
  row.spki_sha256 = leaf.spki_sha256();
  row.cert_subject = leaf.subject();
  row.cert_issuer = leaf.issuer();
  row.cert_not_after = leaf.not_after_unix();
}

// The script hashes as a JSON array. What a client sent as a script hash is usually hex, which
// needs no escaping; anything else goes through the encoder (invalid UTF-8 replaced).
std::string scripthashes_json(const google::protobuf::RepeatedPtrField<std::string>& hashes) {
  auto hex = [](const std::string& h) {
    return std::all_of(h.begin(), h.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
  };
  if (!std::all_of(hashes.begin(), hashes.end(), hex)) {
    return nlohmann::json(std::vector<std::string>(hashes.begin(), hashes.end()))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out = "[";
  for (const auto& h : hashes) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += h;
    out += '"';
  }
  return out + "]";
}

std::string join(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

std::string host_of(std::string_view address) {
  if (!address.empty() && address.front() == '[') {
    auto close = address.find(']');
    return std::string(address.substr(1, close == std::string_view::npos ? 0 : close - 1));
  }
  auto colon = address.rfind(':');
  return std::string(colon == std::string_view::npos ? address : address.substr(0, colon));
}

std::string vantage_class_of(const v1::Observation& o) {
  std::string_view id = o.task_id();
  std::size_t fields[5];
  std::size_t found = 0;
  for (std::size_t i = 0; i < id.size() && found < 5; ++i) {
    if (id[i] == '|') fields[found++] = i;
  }
  if (found == 5) return std::string(id.substr(fields[2] + 1, fields[3] - fields[2] - 1));
  std::string out;
  if (!o.vantage().region().empty()) out += "region=" + o.vantage().region() + ",";
  return out + "network=" + network_name(o.vantage().network());
}

ObservationRow to_row(const v1::Observation& o) {
  ObservationRow row;
  to_row(o, row);
  return row;
}

void to_row(const v1::Observation& o, ObservationRow& row) {
  row.observation_id = o.observation_id();
  row.campaign_id = o.campaign_id();
  row.round = o.round();
  row.task_id = o.task_id();
  row.agent_id = o.agent_id();

  const auto& t = o.target();
  row.target_id = t.id();
  row.target_host = t.host();
  row.target_port = t.port();
  row.transport = t.transport() == v1::TRANSPORT_TLS ? "tls" : "tcp";
  row.onion = t.onion();
  row.resolved_ips = join(t.resolved_ips());

  const auto& v = o.vantage();
  row.vantage_id = v.id();
  row.vantage_class = vantage_class_of(o);
  row.vantage_region = v.region();
  row.vantage_provider = v.provider();
  row.vantage_network = network_name(v.network());
  row.vantage_egress_ip = v.egress_ip();
  row.vantage_asn = v.asn();
  row.vantage_country = v.country();
  row.tor_exit = v.tor_exit_fingerprint();

  row.probe_name = o.probe_name();
  row.probe_version = o.probe_version();
  row.client_profile = o.client_profile().name();
  row.client_name = o.client_profile().client_name();
  row.started_us = o.started_unix_us();

  row.outcome = lower_suffix(v1::Outcome_Name(o.outcome()), "OUTCOME_");
  if (row.outcome.empty()) row.outcome = "unknown";  // a value newer than this build's proto
  row.failure = o.failure();
  if (o.has_error()) {
    row.error_code = o.error().code();
    row.error_message = o.error().message();
  } else {
    row.error_code.reset();
    row.error_message.clear();
  }
  const auto& timings = o.timings();
  row.dns_us = static_cast<std::int64_t>(timings.dns_us());
  row.connect_us = static_cast<std::int64_t>(timings.connect_us());
  row.tls_us = static_cast<std::int64_t>(timings.tls_us());
  row.first_byte_us = static_cast<std::int64_t>(timings.first_byte_us());
  row.total_us = static_cast<std::int64_t>(timings.total_us());
  if (v.network() != v1::NETWORK_TOR) {
    row.peer_ip = host_of(o.peer_address());
  } else {
    row.peer_ip.clear();
  }

  clear_derived(row);
  derive_result(o, row);
  derive_tls(o, row);
  row.result_json = o.result_json();
}

EventRow to_row(const v1::HoneypotEvent& e) {
  EventRow row;
  to_row(e, row);
  return row;
}

void to_row(const v1::HoneypotEvent& e, EventRow& row) {
  row.event_id = e.event_id();
  row.honeypot_id = e.honeypot_id();
  row.session_id = e.session_id();
  row.kind = lower_suffix(v1::HoneypotEventKind_Name(e.kind()), "HONEYPOT_EVENT_");
  if (row.kind.empty()) row.kind = "unknown";
  row.time_us = e.time_unix_us();
  row.peer_ip = e.peer_ip();
  row.peer_port = e.peer_port();
  row.peer_pseudonym = e.peer_pseudonym();
  row.local_address = e.local_address();
  row.transport = e.transport();
  row.tls_fingerprint = e.tls_fingerprint();
  row.client_name = e.client_name();
  row.protocol_min = e.protocol_min();
  row.protocol_max = e.protocol_max();
  row.method = e.method();
  row.params_json = e.params_json();
  row.scripthashes = scripthashes_json(e.scripthashes());
  row.txid = e.txid();
  row.latency_us = static_cast<std::int64_t>(e.latency_us());
  row.profile = e.profile();
  row.action = e.action();
}

}  // namespace eo::aggregator::results
