// Canary sighting events. The sighting is a separate event (not a flag on the REQUEST) so the
// aggregator and the privacy report can select sightings by kind; its id is the request's id
// plus ":canary", so a redelivered request never makes a second sighting.
#include "honeypot/server/canary_sink.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace eo::honeypot::server {

CanarySightingSink::CanarySightingSink(EventSink& next, const canary::Registry& registry,
                                       std::size_t max_sessions)
    : next_(next), registry_(registry), max_sessions_(max_sessions) {}

void CanarySightingSink::record(eo::v1::HoneypotEvent event) {
  observe(event, event);
  next_.record(std::move(event));
}

void CanarySightingSink::record_parts(const SessionEnvelope& envelope,
                                      const eo::v1::HoneypotEvent& own) {
  // The request goes on first, so its sighting follows it; `own` is valid only until we return.
  next_.record_parts(envelope, own);
  observe(envelope.fields, own);
}

void CanarySightingSink::observe(const eo::v1::HoneypotEvent& envelope,
                                 const eo::v1::HoneypotEvent& own) {
  const std::string& session_id = envelope.session_id();
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() && own.kind() != eo::v1::HONEYPOT_EVENT_DISCONNECT &&
      sessions_.size() < max_sessions_) {
    it = sessions_.emplace(session_id, SessionFacts{}).first;
  }
  SessionFacts* facts = it == sessions_.end() ? nullptr : &it->second;
  switch (own.kind()) {
    case eo::v1::HONEYPOT_EVENT_TLS_HELLO:
      if (facts) facts->tls_fingerprint = own.tls_fingerprint();
      break;
    case eo::v1::HONEYPOT_EVENT_VERSION:
      if (facts) facts->client_name = own.client_name();
      break;
    case eo::v1::HONEYPOT_EVENT_REQUEST: {
      bool canary = false;
      for (const auto& s : own.scripthashes()) {
        if (registry_.find(s) != nullptr) {
          canary = true;
        } else if (facts && facts->other_scripthashes.size() < kMaxOtherScripthashes &&
                   std::find(facts->other_scripthashes.begin(), facts->other_scripthashes.end(),
                             s) == facts->other_scripthashes.end()) {
          facts->other_scripthashes.push_back(s);
        }
      }
      if (canary) sighting(envelope, own, facts);
      break;
    }
    case eo::v1::HONEYPOT_EVENT_DISCONNECT:
      if (it != sessions_.end()) sessions_.erase(it);
      break;
    default:
      break;
  }
}

void CanarySightingSink::sighting(const eo::v1::HoneypotEvent& envelope,
                                  const eo::v1::HoneypotEvent& own, const SessionFacts* facts) {
  eo::v1::HoneypotEvent event;
  event.set_event_id(own.event_id() + ":canary");
  event.set_kind(eo::v1::HONEYPOT_EVENT_CANARY_SIGHTING);
  event.set_time_unix_us(own.time_unix_us());
  event.set_method(own.method());
  event.set_action("canary");
  nlohmann::json canaries = nlohmann::json::array();
  for (const auto& s : own.scripthashes()) {
    const canary::Entry* entry = registry_.find(s);
    if (entry == nullptr) continue;
    event.add_scripthashes(s);
    nlohmann::json c = nlohmann::json::object();
    c["scripthash"] = s;
    c["campaign_id"] = entry->issuance.campaign_id;
    c["target_id"] = entry->issuance.target_id;
    c["vantage_class"] = entry->issuance.vantage_class;
    c["round"] = entry->issuance.round;
    c["label"] = entry->label();
    canaries.push_back(std::move(c));
  }
  nlohmann::json details = nlohmann::json::object();
  details["canaries"] = std::move(canaries);
  details["request_event_id"] = own.event_id();
  details["other_scripthashes"] = facts ? facts->other_scripthashes : std::vector<std::string>{};
  event.set_params_json(details.dump());
  if (facts) {
    event.set_client_name(facts->client_name);
    event.set_tls_fingerprint(facts->tls_fingerprint);
  }
  ++sightings_;
  // Through record() the envelope is the whole request event: keep only the shared fields.
  SessionEnvelope copy{envelope, {}};
  copy.fields.clear_event_id();
  copy.fields.clear_scripthashes();
  copy.fields.clear_params_json();
  copy.fields.clear_latency_us();
  copy.fields.clear_txid();
  copy.fields.SerializeToString(&copy.bytes);
  next_.record_parts(copy, event);
}

}  // namespace eo::honeypot::server
