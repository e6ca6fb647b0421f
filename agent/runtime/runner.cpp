// Runner: connect, run the probe, and turn the session into an Observation.
#include "agent/runtime/runner.h"

#include "agent/probes/registry.h"
#include "common/net/tor_control.h"

#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

namespace eo::agent {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::microseconds;

std::string TargetSpec::id() const {
  bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "tls://" : "tcp://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

bool TargetSpec::onion() const {
  return host.size() > 6 && host.compare(host.size() - 6, 6, ".onion") == 0;
}

std::string make_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

namespace {

void fill_certificate(v1::Certificate& out, const net::CertificateInfo& in) {
  out.set_der(in.der);
  out.set_subject(in.subject);
  out.set_issuer(in.issuer);
  for (const auto& name : in.san_dns) out.add_san_dns(name);
  for (const auto& ip : in.san_ip) out.add_san_ip(ip);
  out.set_not_before_unix(in.not_before_unix);
  out.set_not_after_unix(in.not_after_unix);
  out.set_sha256_fingerprint(in.sha256_fingerprint);
  out.set_spki_sha256(in.spki_sha256);
  out.set_key_type(in.key_type);
  out.set_key_bits(in.key_bits);
  out.set_serial_hex(in.serial_hex);
}

void fill_tls(v1::TlsInfo& out, const net::TlsReport& in) {
  out.set_version(in.version);
  out.set_cipher(in.cipher);
  out.set_alpn(in.alpn);
  for (const auto& cert : in.chain) fill_certificate(*out.add_chain(), cert);
  out.set_verified(in.verified);
  out.set_verify_error(in.verify_error);
  out.set_self_signed(in.self_signed);
  out.set_expired(in.expired);
  out.set_hostname_mismatch(in.hostname_mismatch);
}

void fill_envelope(v1::Observation& o, const std::string& agent_id, const Vantage& vantage,
                   const ProbeRequest& request, const Probe& probe) {
  o.set_observation_id(make_uuid());
  o.set_agent_id(agent_id);
  o.set_campaign_id(request.campaign_id);
  o.set_round(request.round);
  o.set_task_id(request.task_id);
  *o.mutable_vantage() = to_proto(vantage);
  auto* t = o.mutable_target();
  t->set_id(request.target.id());
  t->set_host(request.target.host);
  t->set_port(request.target.port);
  t->set_transport(request.target.tls ? v1::TRANSPORT_TLS : v1::TRANSPORT_TCP);
  t->set_onion(request.target.onion());
  o.set_probe_name(std::string(probe.name()));
  o.set_probe_version(probe.version());
  auto* p = o.mutable_client_profile();
  p->set_name(request.profile.name);
  p->set_client_name(request.profile.client_name);
  p->set_protocol_min(request.profile.protocol_min);
  p->set_protocol_max(request.profile.protocol_max);
  p->set_tls_min_version(request.profile.tls_min_version);
  p->set_tls_send_sni(request.profile.tls_send_sni);
  p->set_request_spacing_ms(request.profile.request_spacing_ms);
}

void fill_session(v1::Observation& o, const electrum::Client& client) {
  const auto& conn = client.connection();
  for (const auto& ip : conn.resolved_addresses()) o.mutable_target()->add_resolved_ips(ip);
  o.set_peer_address(conn.peer_address());
  o.set_local_address(conn.local_address());
  auto* t = o.mutable_timings();
  t->set_dns_us(conn.timings().dns.count());
  t->set_connect_us(conn.timings().connect.count());
  t->set_proxy_us(conn.timings().proxy.count());
  t->set_tls_us(conn.timings().tls.count());
  if (auto first = client.first_byte()) t->set_first_byte_us(first->count());
  if (conn.tls()) fill_tls(*o.mutable_tls(), *conn.tls());
  const auto& transcript = client.transcript();
  o.set_request_bytes(transcript.sent_bytes());
  o.set_request_truncated(transcript.sent_truncated());
  o.set_response_bytes(transcript.received_bytes());
  o.set_response_truncated(transcript.received_truncated());
}

void fill_exchanges(v1::Observation& o, const std::vector<ExchangeRecord>& exchanges) {
  for (const auto& record : exchanges) {
    auto* e = o.add_exchanges();
    e->set_method(record.method);
    e->set_sent_offset_us(record.sent_offset_us);
    e->set_rtt_us(record.rtt_us);
    e->set_outcome(static_cast<v1::Outcome>(record.outcome));
    if (record.error) {
      e->mutable_error()->set_code(record.error->code);
      e->mutable_error()->set_message(record.error->message);
    }
    e->set_result_json(record.result_json);
    e->set_response_bytes(record.response_bytes);
  }
}

void fill_verdict(v1::Observation& o, const net::Failure& failure,
                  const std::optional<electrum::RpcError>& error, const json& result) {
  net::Outcome outcome = !failure.ok() ? failure.outcome
                         : error       ? net::Outcome::rpc_error
                                       : net::Outcome::ok;
  o.set_outcome(static_cast<v1::Outcome>(outcome));
  o.set_failure(failure.detail);
  if (error) {
    o.mutable_error()->set_code(error->code);
    o.mutable_error()->set_message(error->message);
  }
  o.set_result_json(result.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

Runner::Runner(std::string agent_id, Vantage vantage, electrum::ClientLimits limits)
    : agent_id_(std::move(agent_id)), vantage_(std::move(vantage)), limits_(limits) {}

net::ConnectOptions Runner::connect_options(const ProbeRequest& request) const {
  net::ConnectOptions options;
  options.host = request.target.host;
  options.port = request.target.port;
  options.tls.enabled = request.target.tls;
  options.tls.send_sni = request.profile.tls_send_sni;
  options.tls.min_version = request.profile.tls_min_version;
  options.bind_address = vantage_.bind_address;
  options.connect_timeout = options.tls_timeout = options.io_timeout = request.timeout;
  options.deadline = net::Clock::now() + request.deadline;
  if (vantage_.socks_port != 0) {
    net::ProxyOptions proxy;
    proxy.host = vantage_.socks_host.empty() ? "127.0.0.1" : vantage_.socks_host;
    proxy.port = vantage_.socks_port;
    proxy.credentials = isolation(request);
    options.proxy = proxy;
  }
  return options;
}

std::optional<net::socks5::Credentials> Runner::isolation(const ProbeRequest& request) const {
  if (!vantage_.isolate_streams) return std::nullopt;
  return net::socks5::Credentials{request.target.id(),
                                  request.campaign_id + "/" + std::to_string(request.round)};
}

// Asks Tor which exit carries the probe's stream (while it is open) and records it. An onion
// stream has none: its circuit ends at a rendezvous point, not at an exit.
asio::awaitable<void> Runner::record_tor_exit(const ProbeRequest& request,
                                              v1::Observation& observation) const {
  if (request.target.onion()) co_return;
  net::TorControl control(co_await asio::this_coro::executor);
  auto failure = co_await control.open(vantage_.tor_control_host, vantage_.tor_control_port,
                                       vantage_.tor_cookie_file, request.timeout);
  if (!failure.ok()) co_return;
  auto target = request.target.host + ":" + std::to_string(request.target.port);
  if (auto exit = co_await control.exit_for(target, isolation(request))) {
    observation.mutable_vantage()->set_tor_exit_fingerprint(exit->fingerprint);
    observation.mutable_vantage()->set_tor_exit_address(exit->address);
  }
}

asio::awaitable<v1::Observation> Runner::run(const ProbeRequest& request, Pacer pace) {
  const Probe* probe = find_probe(request.probe_name);
  if (probe == nullptr) throw std::invalid_argument("unknown probe '" + request.probe_name + "'");
  if (probe->needs() == Needs::tls_session && !request.target.tls) {
    throw std::invalid_argument("probe '" + request.probe_name + "' needs a TLS target");
  }
  auto started = net::Clock::now();
  v1::Observation observation;
  fill_envelope(observation, agent_id_, vantage_, request, *probe);
  observation.set_started_unix_us(
      duration_cast<microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());

  net::ConnectOptions options = connect_options(request);
  auto executor = co_await asio::this_coro::executor;
  auto limits = limits_;
  auto session = std::make_unique<electrum::Client>(executor, limits);
  net::Failure failure = co_await session->connect(options);
  if (!failure.ok()) {
    fill_session(observation, *session);
    fill_verdict(observation, failure, std::nullopt, json::object());
    observation.mutable_timings()->set_total_us(
        duration_cast<microseconds>(net::Clock::now() - started).count());
    co_return observation;
  }
  if (vantage_.tor_control_port != 0) co_await record_tor_exit(request, observation);
  ProbeContext::SessionFactory open =
      [executor, options,
       limits](net::Failure& f) -> asio::awaitable<std::unique_ptr<electrum::Client>> {
    auto extra = std::make_unique<electrum::Client>(executor, limits);
    f = co_await extra->connect(options);
    co_return extra;
  };
  ProbeContext context(std::move(session), std::move(open), std::move(pace), request.profile,
                       request.params);
  co_await probe->run(context);
  fill_session(observation, context.session());
  fill_exchanges(observation, context.exchanges());
  fill_verdict(observation, context.failure, context.error, context.result);
  observation.mutable_timings()->set_total_us(
      duration_cast<microseconds>(net::Clock::now() - started).count());
  co_return observation;
}

}  // namespace eo::agent
