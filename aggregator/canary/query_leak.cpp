// The issuance/sighting join behind query_leak findings.
#include "aggregator/canary/query_leak.h"

#include "aggregator/findings/producers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

namespace eo::aggregator::canary {

namespace {

using nlohmann::json;

struct Issue {
  const results::ObservationRow* row;
  std::string label;
};

struct SessionFacts {
  std::string client_name;
  std::string tls_fingerprint;
};

struct Sighting {
  const results::EventRow* event;
  std::string scripthash;
  std::string request_id;  // the REQUEST's event id (a CANARY_SIGHTING's without ":canary")
};

bool issuing_probe(const std::string& name) {
  return name == "address_formats" || name == "xpub_gap_scan";
}

json parse(const std::string& text) { return json::parse(text, nullptr, false); }

// script hash -> every observation that issued it.
std::map<std::string, std::vector<Issue>> issuance(std::span<const results::ObservationRow> rows) {
  std::map<std::string, std::vector<Issue>> out;
  for (const auto& row : rows) {
    if (!issuing_probe(row.probe_name)) continue;
    auto result = parse(row.result_json);
    if (!result.is_object() || !result.contains("canaries") || !result["canaries"].is_array()) {
      continue;
    }
    for (const auto& c : result["canaries"]) {
      if (!c.is_object() || !c.contains("scripthash") || !c["scripthash"].is_string()) continue;
      std::string label =
          c.contains("label") && c["label"].is_string() ? c["label"].get<std::string>() : "";
      out[c["scripthash"].get<std::string>()].push_back({&row, std::move(label)});
    }
  }
  return out;
}

std::map<std::string, SessionFacts> session_facts(std::span<const results::EventRow> events) {
  std::map<std::string, SessionFacts> out;
  for (const auto& e : events) {
    if (e.kind == "version") out[e.session_id].client_name = e.client_name;
    if (e.kind == "tls_hello") out[e.session_id].tls_fingerprint = e.tls_fingerprint;
  }
  return out;
}

// Whether the honeypot that recorded `e` is the issuing probe's target: it listens on the
// target's port at the address the probe connected to (unknown over Tor: then the port decides).
bool at_target(const results::EventRow& e, const results::ObservationRow& row) {
  const auto colon = e.local_address.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = e.local_address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (e.local_address.substr(colon + 1) != std::to_string(row.target_port)) return false;
  return row.peer_ip.empty() || host == row.peer_ip || host == row.target_host;
}

// Our own probe's session reaching a honeypot that is itself the target: at the target, up to
// the probe's end. Before its start too: a task key yields the same canaries on every attempt,
// so an attempt whose agent died before publishing asked for them first. A replay elsewhere,
// even at once, is a leak.
bool own_session(const Sighting& s, const std::vector<Issue>& issues, const LeakConfig& config) {
  return std::any_of(issues.begin(), issues.end(), [&](const Issue& i) {
    return s.event->time_us <= i.row->started_us + i.row->total_us + config.own_session_slack_us &&
           at_target(*s.event, *i.row);
  });
}

std::string request_id_of(const results::EventRow& e) {
  const std::string suffix = ":canary";
  if (e.kind == "canary_sighting" && e.event_id.size() > suffix.size() &&
      e.event_id.compare(e.event_id.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return e.event_id.substr(0, e.event_id.size() - suffix.size());
  }
  return e.event_id;
}

std::string format_delay(double seconds) {
  if (seconds < 120) return std::to_string(static_cast<long long>(seconds)) + " s";
  if (seconds < 7200) return std::to_string(static_cast<long long>(seconds / 60)) + " min";
  if (seconds < 172800) return std::to_string(static_cast<long long>(seconds / 3600)) + " h";
  return std::to_string(static_cast<long long>(seconds / 86400)) + " days";
}

}  // namespace

std::vector<findings::Finding> find_query_leaks(std::span<const results::ObservationRow> rows,
                                                std::span<const results::EventRow> events,
                                                const inventory::GeoLookup& geo,
                                                const LeakConfig& config) {
  const auto issued = issuance(rows);
  // Per target: the canaries issued to it; a script hash issued to two targets is nobody's.
  std::map<std::string, std::set<std::string>> issued_to;
  std::set<std::string> ambiguous;
  for (const auto& [scripthash, issues] : issued) {
    std::set<std::string> targets;
    for (const auto& i : issues) targets.insert(i.row->target_id);
    if (targets.size() > 1) {
      ambiguous.insert(scripthash);
      continue;
    }
    issued_to[*targets.begin()].insert(scripthash);
  }
  const auto facts = session_facts(events);

  std::map<std::string, std::vector<Sighting>> seen;      // target -> sightings
  std::set<std::pair<std::string, std::string>> counted;  // (request id, script hash)
  for (const auto& e : events) {
    if (e.kind != "request" && e.kind != "canary_sighting") continue;
    auto hashes = parse(e.scripthashes);
    if (!hashes.is_array()) continue;
    for (const auto& h : hashes) {
      if (!h.is_string()) continue;
      const std::string scripthash = h.get<std::string>();
      auto it = issued.find(scripthash);
      if (it == issued.end() || ambiguous.count(scripthash)) continue;
      Sighting s{&e, scripthash, request_id_of(e)};
      if (own_session(s, it->second, config)) continue;
      if (!counted.insert({s.request_id, scripthash}).second) continue;
      seen[it->second.front().row->target_id].push_back(std::move(s));
    }
  }

  std::vector<findings::Finding> out;
  for (auto& [target, sightings] : seen) {
    std::sort(sightings.begin(), sightings.end(), [](const Sighting& a, const Sighting& b) {
      return std::tie(a.event->time_us, a.request_id, a.scripthash) <
             std::tie(b.event->time_us, b.request_id, b.scripthash);
    });
    findings::Finding f;
    f.kind = findings::kQueryLeak;
    f.server = findings::server_of_target(target);
    f.target_id = target;
    std::set<std::string> canaries_seen, sources, evidence_obs, evidence_events;
    std::set<std::uint32_t> asns;
    json list = json::array();
    double first_delay = -1;
    for (const auto& s : sightings) {
      const auto& issues = issued.at(s.scripthash);
      const Issue* first = &issues.front();
      for (const auto& i : issues) {
        if (i.row->started_us < first->row->started_us) first = &i;
        evidence_obs.insert(i.row->observation_id);
      }
      evidence_events.insert(s.event->event_id);
      canaries_seen.insert(s.scripthash);
      const double delay = double(s.event->time_us - first->row->started_us) / 1e6;
      if (first_delay < 0 || delay < first_delay) first_delay = delay;
      const std::string source =
          s.event->peer_ip.empty() ? s.event->peer_pseudonym : s.event->peer_ip;
      sources.insert(source);
      if (list.size() >= config.max_sightings_in_details) continue;
      json d = json::object();
      d["event_id"] = s.event->event_id;
      d["honeypot_id"] = s.event->honeypot_id;
      d["session_id"] = s.event->session_id;
      d["time_us"] = s.event->time_us;
      d["delay_s"] = delay;
      d["source"] = source;
      d["client_name"] = s.event->client_name;
      d["tls_fingerprint"] = s.event->tls_fingerprint;
      if (auto it = facts.find(s.event->session_id); it != facts.end()) {
        if (d["client_name"].get<std::string>().empty()) d["client_name"] = it->second.client_name;
        if (d["tls_fingerprint"].get<std::string>().empty()) {
          d["tls_fingerprint"] = it->second.tls_fingerprint;
        }
      }
      d["asn"] = 0;
      if (!s.event->peer_ip.empty() && geo) {
        if (auto g = geo(s.event->peer_ip)) {
          d["asn"] = g->asn;
          d["as_name"] = g->as_name;
          d["country"] = g->country;
          asns.insert(g->asn);
        }
      }
      d["scripthash"] = s.scripthash;
      d["label"] = first->label;
      d["issued_by"] = first->row->observation_id;
      d["issued_us"] = first->row->started_us;
      d["vantage_id"] = first->row->vantage_id;
      d["vantage_class"] = first->row->vantage_class;
      d["round"] = first->row->round;
      list.push_back(std::move(d));
    }
    const auto issued_count = issued_to[target].size();
    f.score = double(canaries_seen.size());
    f.details["canaries_issued"] = issued_count;
    f.details["canaries_seen"] = canaries_seen.size();
    f.details["sightings"] = sightings.size();
    f.details["first_delay_s"] = first_delay;
    f.details["sources"] = std::vector<std::string>(sources.begin(), sources.end());
    f.details["asns"] = std::vector<std::uint32_t>(asns.begin(), asns.end());
    f.details["seen"] = std::move(list);
    f.details["ambiguous_canaries"] = ambiguous.size();
    const json& head = f.details["seen"].at(0);
    f.summary = std::to_string(canaries_seen.size()) + " of " + std::to_string(issued_count) +
                " canary script hashes given only to " + target +
                " were queried again at our listeners, first " + format_delay(first_delay) +
                " after issuance, from " + head["source"].get<std::string>() +
                (head["asn"].get<std::uint32_t>() != 0
                     ? " (AS" + std::to_string(head["asn"].get<std::uint32_t>()) + ")"
                     : std::string()) +
                (head["client_name"].get<std::string>().empty()
                     ? std::string()
                     : " as " + head["client_name"].get<std::string>());
    f.evidence.assign(evidence_obs.begin(), evidence_obs.end());
    f.evidence.insert(f.evidence.end(), evidence_events.begin(), evidence_events.end());
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace eo::aggregator::canary
