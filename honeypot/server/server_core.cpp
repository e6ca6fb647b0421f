// What listeners and sessions share: admission of new connections, the session registry,
// chain-change fan-out and stopping.
#include "honeypot/server/server_core.h"

#include "common/async/supervise.h"
#include "common/telemetry/log.h"
#include "honeypot/server/session.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace eo::honeypot::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

bool exempt(const std::vector<Cidr>& subnets, const IpAddress& ip) {
  return std::any_of(subnets.begin(), subnets.end(), [&](const Cidr& c) { return c.contains(ip); });
}

// Outside the coroutine: GCC 12 cannot put the initializer list of a JSON object in a frame.
void log_accept_error(const std::string& error) {
  telemetry::log(telemetry::LogLevel::warn, "honeypot accept failed", {{"error", error}});
}

asio::awaitable<void> accept_loop(std::shared_ptr<ServerCore> core,
                                  std::shared_ptr<tcp::acceptor> acceptor,
                                  std::shared_ptr<asio::ssl::context> tls) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (core->stopping || !acceptor->is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: wait a little rather than spin.
      log_accept_error(ec.message());
      asio::steady_timer pause(core->executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    core->accept(std::move(socket), tls.get());
  }
}

}  // namespace

ServerCore::ServerCore(asio::any_io_executor executor_in, ServerConfig config_in,
                       Profile profile_in, chain::Backend& backend_in, EventSink& sink,
                       prometheus::Registry* registry)
    : executor(std::move(executor_in)),
      config(std::move(config_in)),
      profile(std::move(profile_in)),
      backend(backend_in),
      events(RecorderConfig{config.honeypot_id, config.pseudonymize, config.pseudonym_salt,
                            config.max_params_bytes},
             sink, random),
      dispatcher(profile, backend),
      metrics(ServerMetrics::create(registry)) {}

void ServerCore::accept(tcp::socket socket, asio::ssl::context* tls) {
  boost::system::error_code remote_error;
  boost::system::error_code local_error;
  const tcp::endpoint remote = socket.remote_endpoint(remote_error);
  const tcp::endpoint local = socket.local_endpoint(local_error);
  const auto ip = IpAddress::parse(remote.address().to_string());
  if (remote_error || local_error || !ip) return;  // the peer left already: nothing to record
  // Replies go out as soon as they are written (asyncio, hence ElectrumX, does the same);
  // otherwise Nagle's algorithm would add its own delays to every tarpit and timing.
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const auto now = Clock::now();
  PeerEndpoint peer{*ip, remote.port(), endpoint_text(local), tls ? "tls" : "tcp"};
  CostGroups::Group* group =
      profile.limits.cost.enabled ? cost_groups.join(subnet_group(*ip), now) : nullptr;
  SessionState state(SessionRecorder(events, random.uuid_v4(), peer, profile.name), peer,
                     CostMeter(profile.limits.cost, group, now));

  const std::string ip_text = ip->to_string();
  const Rule* refuse_rule = dispatcher.open(state);
  const std::size_t cap = profile.limits.per_ip_connections;
  Refusal refusal = Refusal::none;
  std::string reason;
  if (stopping || session_count.load() >= config.max_sessions) {
    refusal = Refusal::close;
    reason = "refuse:max_sessions";
  } else if (cap > 0 && !exempt(profile.limits.per_ip_exempt, *ip) && per_ip[ip_text] >= cap) {
    refusal = Refusal::reset;  // Fulcrum resets connection number cap + 1 without a word
    reason = "refuse:per_ip_limit";
  } else if (refuse_rule != nullptr) {
    refusal = Refusal::close;
    reason = refuse_rule->label();
  }
  state.recorder.connect(refusal == Refusal::none ? "answer" : reason);
  add(tls ? metrics.connections_tls : metrics.connections_tcp);

  ServerStream stream =
      tls ? ServerStream(std::move(socket), *tls) : ServerStream(std::move(socket));
  auto session = std::make_shared<Session>(shared_from_this(), std::move(stream), std::move(state));
  if (refusal == Refusal::none) {
    sessions.emplace(session.get(), session);
    ++per_ip[ip_text];
    set(metrics.sessions, static_cast<double>(++session_count));
  } else {
    add(metrics.refused);
  }
  session->start(refusal, std::move(reason));
}

void ServerCore::remove(Session* session, const std::string& ip) {
  cost_groups.leave(session->state().cost.group(), Clock::now(), profile.limits.cost.decay_per_s);
  if (sessions.erase(session) == 0) return;  // a refused connection was never counted
  if (auto it = per_ip.find(ip); it != per_ip.end() && --it->second == 0) per_ip.erase(it);
  set(metrics.sessions, static_cast<double>(--session_count));
}

void ServerCore::on_chain_change(const chain::ChainChange& change) {
  StatusCache cache;
  // Copy the live sessions first: notify() may end a session (queue full), which edits the map.
  std::vector<std::shared_ptr<Session>> live;
  live.reserve(sessions.size());
  for (auto& [ptr, weak] : sessions) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) {
    auto lines = dispatcher.notifications(s->state(), change, cache);
    if (lines.empty()) continue;
    add(metrics.notifications, static_cast<double>(lines.size()));
    s->notify(std::move(lines));
  }
}

void ServerCore::stop() {
  stopping = true;
  for (auto& acceptor : acceptors) {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  }
  std::vector<std::shared_ptr<Session>> live;
  for (auto& [ptr, weak] : sessions) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->shutdown("server_stop");
}

void start_accepting(std::shared_ptr<ServerCore> core, std::shared_ptr<tcp::acceptor> acceptor,
                     std::shared_ptr<asio::ssl::context> tls) {
  auto executor = core->executor;
  // A honeypot that stops accepting records nothing more: a failed loop is started again.
  auto keep_going = [core] { return !core->stopping; };
  async::spawn_restarting(
      executor, "honeypot accept loop",
      [core = std::move(core), acceptor = std::move(acceptor), tls = std::move(tls)] {
        return accept_loop(core, acceptor, tls);
      },
      std::chrono::milliseconds(100), keep_going);
}

}  // namespace eo::honeypot::server
