// What a running probe can do: send requests through the runtime's session (paced by the
// politeness limiter, each exchange recorded), open further sessions, read its parameters and the
// client profile, and write its result.
#pragma once

#include "common/electrum/client.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace eo::agent {

using nlohmann::json;

// One request/response inside a probe, as the observation's `exchanges` records it.
struct ExchangeRecord {
  std::string method;
  std::int64_t sent_offset_us = 0;
  std::int64_t rtt_us = 0;
  net::Outcome outcome = net::Outcome::ok;
  std::string failure;
  std::optional<electrum::RpcError> error;
  std::string result_json;  // bounded
  std::uint32_t response_bytes = 0;
};

struct ClientProfileSpec {
  std::string name = "default";
  std::string client_name = "electrum/4.5.8";
  std::string protocol_min = "1.4";
  std::string protocol_max = "1.6";
  std::string tls_min_version;
  bool tls_send_sni = true;
  std::uint32_t request_spacing_ms = 0;
};

class ProbeContext {
 public:
  using Pacer = std::function<boost::asio::awaitable<void>()>;
  using SessionFactory =
      std::function<boost::asio::awaitable<std::unique_ptr<electrum::Client>>(net::Failure&)>;

  ProbeContext(std::unique_ptr<electrum::Client> session, SessionFactory open_session, Pacer pace,
               ClientProfileSpec profile, std::map<std::string, std::string> params);

  electrum::Client& session() { return *session_; }
  const ClientProfileSpec& profile() const { return profile_; }
  const std::map<std::string, std::string>& params() const { return params_; }
  std::string param(const std::string& key, const std::string& fallback) const;
  std::int64_t param_int(const std::string& key, std::int64_t fallback) const;

  // Sends one request on the main session after the politeness pacer allows it; records it.
  boost::asio::awaitable<electrum::Reply> call(std::string method, json params);
  // The server.version exchange with the profile's client name and range.
  boost::asio::awaitable<electrum::Reply> negotiate_version();
  // A batch on the main session, paced as one request per call, recorded as one exchange.
  boost::asio::awaitable<electrum::BatchReply> call_batch(std::vector<electrum::Call> calls);
  // Sends bytes as they are and reads one line back; recorded under `label`.
  boost::asio::awaitable<electrum::Reply> raw(std::string label, std::string bytes);
  // A new connection to the same target (latency and ramp probes); its bytes are not recorded.
  boost::asio::awaitable<std::unique_ptr<electrum::Client>> open_session(net::Failure& failure);
  // Waits for the pacer (a probe that drives an extra session itself must still pace).
  boost::asio::awaitable<void> pace() { co_await pace_(); }

  void record(ExchangeRecord record);
  const std::vector<ExchangeRecord>& exchanges() const { return exchanges_; }
  std::int64_t elapsed_us() const;

  // The probe's parsed result and its verdict; the runtime copies them into the observation.
  json result = json::object();
  // Set when the probe's whole exchange ended badly (the session's failure, an RPC error the
  // probe treats as its outcome); left ok otherwise.
  net::Failure failure;
  std::optional<electrum::RpcError> error;

 private:
  std::unique_ptr<electrum::Client> session_;
  SessionFactory open_session_;
  Pacer pace_;
  ClientProfileSpec profile_;
  std::map<std::string, std::string> params_;
  std::vector<ExchangeRecord> exchanges_;
  net::Clock::time_point started_ = net::Clock::now();
};

// Records a reply as an exchange (shared by the context and probes with their own sessions).
ExchangeRecord exchange_of(std::string method, const electrum::Reply& reply,
                           std::int64_t sent_offset_us);

// Params for server.version from a profile: [client_name, [min, max]] or [client_name, min].
json version_params(const ClientProfileSpec& profile);

}  // namespace eo::agent
