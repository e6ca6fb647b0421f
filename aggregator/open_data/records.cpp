// Keys come in a fixed order (schema, version and id first), so a line reads the same in every
// export and its id is found without parsing the rest. Empty columns are null, as in SQL.
#include "aggregator/open_data/records.h"

#include <nlohmann/json.hpp>

namespace eo::aggregator::open_data {

namespace {

using nlohmann::ordered_json;

ordered_json text_or_null(const std::string& text) {
  return text.empty() ? ordered_json(nullptr) : ordered_json(text);
}

template <typename T>
ordered_json value_or_null(const std::optional<T>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

// Stored JSON as JSON; text that does not parse (a probe's result may not) as a string, so the
// line stays valid and nothing is dropped.
ordered_json embedded(const std::string& text) {
  if (text.empty()) return nullptr;
  auto parsed = ordered_json::parse(text, nullptr, false);
  return parsed.is_discarded() ? ordered_json(text) : parsed;
}

}  // namespace

std::string observation_line(const results::ObservationRow& r) {
  ordered_json o;
  o["schema"] = "eo.observation";
  o["schema_version"] = kSchemaVersion;
  o["observation_id"] = r.observation_id;
  o["campaign_id"] = r.campaign_id;
  o["round"] = r.round;
  o["task_id"] = r.task_id;
  o["agent_id"] = r.agent_id;
  o["started_us"] = r.started_us;
  o["target_id"] = r.target_id;
  o["target_host"] = r.target_host;
  o["target_port"] = r.target_port;
  o["transport"] = r.transport;
  o["onion"] = r.onion;
  o["resolved_ips"] = text_or_null(r.resolved_ips);
  o["vantage_id"] = r.vantage_id;
  o["vantage_class"] = r.vantage_class;
  o["vantage_region"] = text_or_null(r.vantage_region);
  o["vantage_provider"] = text_or_null(r.vantage_provider);
  o["vantage_network"] = r.vantage_network;
  o["vantage_egress_ip"] = text_or_null(r.vantage_egress_ip);
  o["vantage_asn"] = r.vantage_asn;
  o["vantage_country"] = text_or_null(r.vantage_country);
  o["tor_exit"] = text_or_null(r.tor_exit);
  o["probe_name"] = r.probe_name;
  o["probe_version"] = r.probe_version;
  o["client_profile"] = text_or_null(r.client_profile);
  o["client_name"] = text_or_null(r.client_name);
  o["outcome"] = r.outcome;
  o["failure"] = text_or_null(r.failure);
  o["error_code"] = value_or_null(r.error_code);
  o["error_message"] = text_or_null(r.error_message);
  o["dns_us"] = r.dns_us;
  o["connect_us"] = r.connect_us;
  o["tls_us"] = r.tls_us;
  o["first_byte_us"] = r.first_byte_us;
  o["total_us"] = r.total_us;
  o["peer_ip"] = text_or_null(r.peer_ip);
  o["server_version"] = text_or_null(r.server_version);
  o["protocol"] = text_or_null(r.protocol);
  o["protocol_min"] = text_or_null(r.protocol_min);
  o["protocol_max"] = text_or_null(r.protocol_max);
  o["banner_sha256"] = text_or_null(r.banner_sha256);
  o["donation_address"] = text_or_null(r.donation_address);
  o["feature_keys"] = text_or_null(r.feature_keys);
  o["genesis_hash"] = text_or_null(r.genesis_hash);
  o["cert_sha256"] = text_or_null(r.cert_sha256);
  o["spki_sha256"] = text_or_null(r.spki_sha256);
  o["cert_subject"] = text_or_null(r.cert_subject);
  o["cert_issuer"] = text_or_null(r.cert_issuer);
  o["cert_not_after"] = value_or_null(r.cert_not_after);
  o["tls_version"] = text_or_null(r.tls_version);
  o["content_sha256"] = text_or_null(r.content_sha256);
  o["ramp_throttled"] = value_or_null(r.ramp_throttled);
  o["ramp_threshold"] = value_or_null(r.ramp_threshold);
  o["ramp_kind"] = text_or_null(r.ramp_kind);
  o["result"] = embedded(r.result_json);
  return o.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::string finding_line(const FindingRow& r, const FindingContext& c) {
  ordered_json o;
  o["schema"] = "eo.finding";
  o["schema_version"] = kSchemaVersion;
  o["finding_id"] = r.finding_id;
  o["day"] = c.day;
  o["as_of_us"] = c.as_of_us;
  o["window_start_us"] = value_or_null(c.window_start_us);
  o["kind"] = r.kind;
  o["server"] = r.server;
  o["target_id"] = text_or_null(r.target_id);
  o["vantage_id"] = text_or_null(r.vantage_id);
  o["dimension"] = text_or_null(r.dimension);
  o["score"] = value_or_null(r.score);
  o["p"] = value_or_null(r.p);
  o["q"] = value_or_null(r.q);
  o["summary"] = r.summary;
  o["evidence"] = embedded(r.evidence_json);
  o["details"] = embedded(r.details_json);
  return o.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::string observation_id_of(const std::string& line) {
  static const std::string kKey = "\"observation_id\":\"";
  auto at = line.find(kKey);
  if (at == std::string::npos) return {};
  at += kKey.size();
  auto end = line.find('"', at);
  return end == std::string::npos ? std::string() : line.substr(at, end - at);
}

}  // namespace eo::aggregator::open_data
