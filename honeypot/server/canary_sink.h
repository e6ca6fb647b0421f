// Canary sightings: an EventSink decorator that passes every event on and, when a REQUEST asks
// for a script hash the canary registry knows, also records a CANARY_SIGHTING event with who
// asked (the session's peer, client name and TLS fingerprint), when, which issuance each canary
// belongs to, and which other script hashes the session asked for. See docs/canaries.md.
#pragma once

#include "common/canary/registry.h"
#include "honeypot/server/event_sink.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace eo::honeypot::server {

// Per session it keeps the client name, TLS fingerprint and up to kMaxOtherScripthashes other
// script hashes, forgotten at DISCONNECT; at most max_sessions sessions are tracked (beyond,
// sightings are still recorded, without those facts). Same thread rules as EventSink.
class CanarySightingSink final : public EventSink {
 public:
  static constexpr std::size_t kMaxOtherScripthashes = 200;

  // `next` and `registry` must outlive the sink.
  CanarySightingSink(EventSink& next, const canary::Registry& registry,
                     std::size_t max_sessions = 100'000);

  void record(eo::v1::HoneypotEvent event) override;
  void record_parts(const SessionEnvelope& envelope, const eo::v1::HoneypotEvent& own) override;

  std::uint64_t sightings() const { return sightings_; }

 private:
  struct SessionFacts {
    std::string client_name;
    std::string tls_fingerprint;
    std::vector<std::string> other_scripthashes;
  };

  void observe(const eo::v1::HoneypotEvent& envelope, const eo::v1::HoneypotEvent& own);
  void sighting(const eo::v1::HoneypotEvent& envelope, const eo::v1::HoneypotEvent& own,
                const SessionFacts* facts);

  EventSink& next_;
  const canary::Registry& registry_;
  std::size_t max_sessions_;
  std::unordered_map<std::string, SessionFacts> sessions_;
  std::uint64_t sightings_ = 0;
};

}  // namespace eo::honeypot::server
