// Turns what happens in a session into eo::v1::HoneypotEvents: the envelope (ids, peer, local
// address, transport, profile) is built and serialized once per session, each event adds its own
// fields in one message the server reuses.
#pragma once

#include "honeypot/server/event_sink.h"
#include "honeypot/server/ja3.h"
#include "honeypot/server/net_address.h"
#include "honeypot/server/random.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eo::honeypot::server {

struct RecorderConfig {
  std::string honeypot_id;
  // Off by default: the honeypot serves our own wallets and test clients, whose IPs we may keep.
  // On: peer_ip stays empty and peer_pseudonym = hex HMAC-SHA256(salt, ip).
  bool pseudonymize = false;
  std::string salt;
  std::size_t max_params_bytes = 4096;
};

// One per server; not thread-safe (the server's thread).
class EventFactory {
 public:
  EventFactory(RecorderConfig config, EventSink& sink, RandomSource& random);

  const RecorderConfig& config() const { return config_; }
  EventSink& sink() { return sink_; }
  RandomSource& random() { return random_; }
  // The one message each event's own fields are written into: cleared, not freed, between
  // events, so recording reuses its strings' buffers.
  eo::v1::HoneypotEvent& scratch() { return scratch_; }

 private:
  RecorderConfig config_;
  EventSink& sink_;
  RandomSource& random_;
  eo::v1::HoneypotEvent scratch_;
};

// What a DISCONNECT event reports (as JSON in params_json, the reason also in action).
struct SessionCounts {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::uint64_t notifications = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t duration_ms = 0;
  std::uint64_t oversize_lines = 0;
};

struct PeerEndpoint {
  IpAddress ip;
  std::uint16_t port = 0;
  std::string local_address;  // "127.0.0.1:50001"
  std::string transport;      // "tcp" or "tls"
};

class SessionRecorder {
 public:
  SessionRecorder(EventFactory& factory, std::string session_id, const PeerEndpoint& peer,
                  std::string profile);

  const std::string& session_id() const { return envelope_.fields.session_id(); }
  const std::string& profile() const { return envelope_.fields.profile(); }

  void connect(std::string_view action);
  void tls_hello(const ClientHello& hello, std::string_view action);
  void version(std::string_view client_name, std::string_view protocol_min,
               std::string_view protocol_max, std::string_view action);
  // `params` may be null (a line that did not parse); it is written compactly, cut at
  // max_params_bytes (a cut text ends in "...").
  void request(std::string_view method, const nlohmann::json* params,
               std::span<const std::string> scripthashes, std::uint64_t latency_us,
               std::string_view action);
  // As request(), with params already written by bounded_json() (empty: none). The relay keeps
  // this text, not the params, while a request waits for the upstream's answer.
  void request_text(std::string_view method, std::string_view params_json,
                    std::span<const std::string> scripthashes, std::uint64_t latency_us,
                    std::string_view action);
  // A transaction broadcast: its txid (computed from the raw bytes when they parse, even when
  // rejected) and, when not accepted, the error the client was sent (as {"error": ...}).
  void broadcast(std::string_view txid, bool accepted, std::string_view error,
                 std::string_view action);
  void disconnect(std::string_view reason, const SessionCounts& counts);

 private:
  // The factory's scratch message, cleared, with the fields every event sets.
  eo::v1::HoneypotEvent& make(eo::v1::HoneypotEventKind kind, std::string_view action);
  void emit(const eo::v1::HoneypotEvent& event);
  void add_request_fields(eo::v1::HoneypotEvent& event, std::string_view method,
                          std::span<const std::string> scripthashes, std::uint64_t latency_us);

  EventFactory& factory_;
  SessionEnvelope envelope_;  // the fields every event of the session shares
};

// Compact JSON of `value`, at most `limit` bytes plus "..." when cut (never inside a UTF-8
// sequence); walks only as much of the value as it writes.
std::string bounded_json(const nlohmann::json& value, std::size_t limit);
// The same into `out` (replacing its content, reusing its buffer).
void bounded_json(const nlohmann::json& value, std::size_t limit, std::string& out);

}  // namespace eo::honeypot::server
