// What the server's listeners and sessions share: configuration, profile, chain, recording,
// accounting (per-IP counts, cost groups) and the registry of live sessions.
#pragma once

#include "honeypot/server/dispatch.h"
#include "honeypot/server/metrics.h"
#include "honeypot/server/recorder.h"
#include "honeypot/server/server.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace eo::honeypot::server {

class Session;

struct ServerCore : std::enable_shared_from_this<ServerCore> {
  ServerCore(boost::asio::any_io_executor executor, ServerConfig config, Profile profile,
             chain::Backend& backend, EventSink& sink, prometheus::Registry* registry);

  // Takes a freshly accepted connection: admission (max sessions, per-IP cap, refuse rules),
  // CONNECT event, session start.
  void accept(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);
  // Called once by a session when it is over.
  void remove(Session* session, const std::string& ip);
  void on_chain_change(const chain::ChainChange& change);
  void stop();

  boost::asio::any_io_executor executor;
  ServerConfig config;
  Profile profile;
  chain::Backend& backend;
  RandomSource random;
  EventFactory events;
  Dispatcher dispatcher;
  CostGroups cost_groups;
  ServerMetrics metrics;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::acceptor>> acceptors;
  // Kept for the server's lifetime: TLS sessions outlive the accept loop that made them.
  std::vector<std::shared_ptr<boost::asio::ssl::context>> tls_contexts;

  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::unordered_map<std::string, std::size_t> per_ip;
  std::atomic<std::size_t> session_count{0};
  bool stopping = false;
};

// Runs the accept loop of one listener until its acceptor closes; `tls` null for plain TCP.
void start_accepting(std::shared_ptr<ServerCore> core,
                     std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor,
                     std::shared_ptr<boost::asio::ssl::context> tls);

}  // namespace eo::honeypot::server
