// Turns what happens in a session into eo::v1::HoneypotEvents, cheaply: the shared envelope is
// built and serialized once per session and never copied, each event's own fields go into one
// reused message, params are written once with a byte bound.
#include "honeypot/server/recorder.h"

#include "honeypot/server/privacy.h"
#include "honeypot/server/wire.h"

#include <chrono>
#include <utility>

namespace eo::honeypot::server {
namespace {

using Json = nlohmann::json;

std::int64_t now_unix_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Returns false once `out` reached the limit (the caller stops walking).
bool append_bounded(std::string& out, const Json& value, std::size_t limit) {
  if (out.size() >= limit) return false;
  switch (value.type()) {
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out.push_back(',');
        first = false;
        if (!append_bounded(out, item, limit)) return false;
      }
      out.push_back(']');
      return true;
    }
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out.push_back(',');
        first = false;
        out.append(Json(key).dump(-1, ' ', false, Json::error_handler_t::replace));
        out.push_back(':');
        if (!append_bounded(out, item, limit)) return false;
      }
      out.push_back('}');
      return true;
    }
    case Json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      // A string longer than what is left is cut before escaping: a 1 MB raw transaction costs
      // a copy of its first few KB, not a full dump.
      const std::size_t room = limit - out.size() + 1;
      if (s.size() > room) {
        out.append(Json(s.substr(0, room)).dump(-1, ' ', false, Json::error_handler_t::replace));
        return false;
      }
      append_json_string(out, s, Layout::electrumx);  // no copy, no escaping pass for hex
      return out.size() < limit;
    }
    default:
      out.append(value.dump());
      return out.size() < limit;
  }
}

}  // namespace

std::string bounded_json(const Json& value, std::size_t limit) {
  std::string out;
  bounded_json(value, limit, out);
  return out;
}

void bounded_json(const Json& value, std::size_t limit, std::string& out) {
  out.clear();
  append_bounded(out, value, limit);
  if (out.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
    out.resize(cut);
    out.append("...");
  }
}

EventFactory::EventFactory(RecorderConfig config, EventSink& sink, RandomSource& random)
    : config_(std::move(config)), sink_(sink), random_(random) {}

SessionRecorder::SessionRecorder(EventFactory& factory, std::string session_id,
                                 const PeerEndpoint& peer, std::string profile)
    : factory_(factory) {
  const auto& config = factory.config();
  eo::v1::HoneypotEvent& e = envelope_.fields;
  e.set_honeypot_id(config.honeypot_id);
  e.set_session_id(std::move(session_id));
  const std::string ip = peer.ip.to_string();
  if (config.pseudonymize) {
    e.set_peer_pseudonym(ip_pseudonym(config.salt, ip));
  } else {
    e.set_peer_ip(ip);
  }
  e.set_peer_port(peer.port);
  e.set_local_address(peer.local_address);
  e.set_transport(peer.transport);
  e.set_profile(std::move(profile));
  e.SerializeToString(&envelope_.bytes);
}

eo::v1::HoneypotEvent& SessionRecorder::make(eo::v1::HoneypotEventKind kind,
                                             std::string_view action) {
  eo::v1::HoneypotEvent& event = factory_.scratch();
  event.Clear();
  factory_.random().uuid_v4(*event.mutable_event_id());
  event.set_kind(kind);
  event.set_time_unix_us(now_unix_us());
  event.mutable_action()->assign(action);
  return event;
}

void SessionRecorder::emit(const eo::v1::HoneypotEvent& event) {
  factory_.sink().record_parts(envelope_, event);
}

void SessionRecorder::add_request_fields(eo::v1::HoneypotEvent& event, std::string_view method,
                                         std::span<const std::string> scripthashes,
                                         std::uint64_t latency_us) {
  event.mutable_method()->assign(method);
  for (const auto& s : scripthashes) event.add_scripthashes()->assign(s);
  event.set_latency_us(latency_us);
}

void SessionRecorder::connect(std::string_view action) {
  emit(make(eo::v1::HONEYPOT_EVENT_CONNECT, action));
}

void SessionRecorder::tls_hello(const ClientHello& hello, std::string_view action) {
  auto& event = make(eo::v1::HONEYPOT_EVENT_TLS_HELLO, action);
  std::string raw = ja3_string(hello);
  event.set_tls_fingerprint(ja3_hash(raw));
  event.set_tls_fingerprint_raw(std::move(raw));
  emit(event);
}

void SessionRecorder::version(std::string_view client_name, std::string_view protocol_min,
                              std::string_view protocol_max, std::string_view action) {
  auto& event = make(eo::v1::HONEYPOT_EVENT_VERSION, action);
  event.set_client_name(std::string(client_name));
  event.set_protocol_min(std::string(protocol_min));
  event.set_protocol_max(std::string(protocol_max));
  event.set_method("server.version");
  emit(event);
}

void SessionRecorder::request(std::string_view method, const Json* params,
                              std::span<const std::string> scripthashes, std::uint64_t latency_us,
                              std::string_view action) {
  auto& event = make(eo::v1::HONEYPOT_EVENT_REQUEST, action);
  add_request_fields(event, method, scripthashes, latency_us);
  if (params != nullptr) {
    bounded_json(*params, factory_.config().max_params_bytes, *event.mutable_params_json());
  }
  emit(event);
}

void SessionRecorder::request_text(std::string_view method, std::string_view params_json,
                                   std::span<const std::string> scripthashes,
                                   std::uint64_t latency_us, std::string_view action) {
  auto& event = make(eo::v1::HONEYPOT_EVENT_REQUEST, action);
  add_request_fields(event, method, scripthashes, latency_us);
  event.mutable_params_json()->assign(params_json);
  emit(event);
}

void SessionRecorder::broadcast(std::string_view txid, bool accepted, std::string_view error,
                                std::string_view action) {
  auto& event = make(eo::v1::HONEYPOT_EVENT_BROADCAST, action);
  event.set_method("blockchain.transaction.broadcast");
  event.set_txid(std::string(txid));
  if (!accepted) {
    event.set_params_json(
        bounded_json(Json{{"error", std::string(error)}}, factory_.config().max_params_bytes));
  }
  emit(event);
}

void SessionRecorder::disconnect(std::string_view reason, const SessionCounts& counts) {
  auto& event = make(eo::v1::HONEYPOT_EVENT_DISCONNECT, reason);
  Json summary = Json::object();
  summary["reason"] = std::string(reason);
  summary["requests"] = counts.requests;
  summary["errors"] = counts.errors;
  summary["notifications"] = counts.notifications;
  summary["bytes_in"] = counts.bytes_in;
  summary["bytes_out"] = counts.bytes_out;
  summary["duration_ms"] = counts.duration_ms;
  summary["oversize_lines"] = counts.oversize_lines;
  event.set_params_json(summary.dump());
  emit(event);
}

}  // namespace eo::honeypot::server
