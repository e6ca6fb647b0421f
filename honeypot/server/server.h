// The honeypot's Electrum server: TCP and TLS listeners, one session per client, answers from a
// chain backend shaped by a behaviour profile, and an event for every step a server operator
// could see. One io_context thread runs it all.
#pragma once

#include "honeypot/chain/backend.h"
#include "honeypot/server/event_sink.h"
#include "honeypot/server/profile.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Registry;
}

namespace eo::honeypot::server {

enum class Transport { tcp, tls };

struct ListenerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see Server::ports())
  Transport transport = Transport::tcp;
  std::string cert_file;  // TLS: PEM chain; several honeypots may share one (it is config)
  std::string key_file;
};

// Upstream-proxy mode: each client session opens its own session to this real Electrum server
// and relays both ways (honeypot/server/README.md, "Upstream proxy").
struct UpstreamConfig {
  std::string host;
  std::uint16_t port = 0;
  bool tls = false;  // the upstream's certificate is not verified (Electrum servers self-sign)
  std::size_t max_outstanding = 64;  // forwarded requests awaiting the upstream, per session
  std::uint64_t max_session_bytes = std::uint64_t{4} << 30;  // read from upstream, per session
  std::chrono::milliseconds connect_timeout{10'000};
};

// "host:port:t" (TCP) or "host:port:s" (TLS), as Electrum writes servers; "[v6]:port:s" too.
// Throws std::invalid_argument naming the text.
UpstreamConfig parse_upstream(std::string_view text);

struct ServerConfig {
  std::string honeypot_id = "honeypot";
  std::vector<ListenerConfig> listeners;
  // Off by default: events carry raw peer IPs (the honeypot serves our own wallets). On:
  // peer_ip is empty and peer_pseudonym = hex HMAC-SHA256(pseudonym_salt, ip).
  bool pseudonymize = false;
  std::string pseudonym_salt;
  std::size_t max_sessions = 10'000;  // beyond: new connections are refused
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds write_timeout{20'000};  // a client that stops reading is dropped
  std::size_t read_chunk_bytes = 8 << 10;
  std::size_t max_params_bytes = 4096;  // params_json in REQUEST events
  // Set: relay to this server instead of answering from the chain backend.
  std::optional<UpstreamConfig> upstream;
};

struct ServerCore;

class Server {
 public:
  // `backend` and `sink` must outlive the server; `registry`, when given, gets its metrics.
  // Destroy the server once its executor no longer runs (the destructor closes what is left
  // without waiting); for a graceful end, stop() first and let the sessions finish.
  Server(boost::asio::any_io_executor executor, ServerConfig config, Profile profile,
         chain::Backend& backend, EventSink& sink, prometheus::Registry* registry = nullptr);
  // Upstream-proxy mode (config.upstream must be set): no chain behind the server.
  Server(boost::asio::any_io_executor executor, ServerConfig config, Profile profile,
         EventSink& sink, prometheus::Registry* registry = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listener and starts accepting; subscribes to the backend's changes. Throws
  // std::runtime_error naming the listener or file at fault. Call before the executor runs or
  // on its thread.
  void start();
  // Closes the listeners and every session; their DISCONNECT events (reason "server_stop") are
  // recorded before it returns. Call on the executor's thread (e.g. through boost::asio::post).
  void stop();

  // The bound ports, in listener order (known after start()).
  std::vector<std::uint16_t> ports() const;
  // Sessions open now; safe from any thread.
  std::size_t session_count() const;
  const Profile& profile() const;

 private:
  std::shared_ptr<ServerCore> core_;
};

// A server configuration with an inline profile or a profile file, from YAML (schema in
// honeypot/server/README.md). Throws ConfigError naming the bad key.
struct HoneypotConfig {
  ServerConfig server;
  Profile profile;
};
HoneypotConfig load_honeypot_config(std::string_view yaml_text);

}  // namespace eo::honeypot::server
