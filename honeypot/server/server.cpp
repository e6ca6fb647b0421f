// The honeypot's Electrum server: binds the listeners, wires the chain's change notifications to
// the sessions, and stops everything on request.
#include "honeypot/server/server.h"

#include "honeypot/server/server_core.h"
#include "honeypot/server/tls_context.h"
#include "honeypot/server/upstream_relay.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include <stdexcept>

namespace eo::honeypot::server {

namespace asio = boost::asio;
using asio::ip::tcp;

Server::Server(asio::any_io_executor executor, ServerConfig config, Profile profile,
               chain::Backend& backend, EventSink& sink, prometheus::Registry* registry)
    : core_(std::make_shared<ServerCore>(std::move(executor), std::move(config), std::move(profile),
                                         backend, sink, registry)) {}

Server::Server(asio::any_io_executor executor, ServerConfig config, Profile profile,
               EventSink& sink, prometheus::Registry* registry)
    : Server(std::move(executor), std::move(config), std::move(profile), no_chain_backend(), sink,
             registry) {
  if (!core_->config.upstream) throw std::invalid_argument("honeypot: no chain and no upstream");
}

Server::~Server() {
  // The backend may outlive us: leave it a listener that does nothing.
  core_->backend.on_change([](const chain::ChainChange&) {});
  core_->stop();
}

void Server::start() {
  if (core_->config.listeners.empty()) throw std::runtime_error("honeypot: no listeners");
  for (const ListenerConfig& listener : core_->config.listeners) {
    const std::string name = listener.host + ":" + std::to_string(listener.port);
    std::shared_ptr<asio::ssl::context> tls;
    if (listener.transport == Transport::tls) {
      tls = make_server_tls_context(listener.cert_file, listener.key_file);
      core_->tls_contexts.push_back(tls);
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(listener.host, ec);
    if (ec) throw std::runtime_error("honeypot listener " + name + ": not an IP address");
    auto acceptor = std::make_shared<tcp::acceptor>(core_->executor);
    const tcp::endpoint endpoint(address, listener.port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("honeypot listener " + name + ": " + ec.message());
    core_->acceptors.push_back(acceptor);
    start_accepting(core_, std::move(acceptor), std::move(tls));
  }
  std::weak_ptr<ServerCore> weak = core_;
  core_->backend.on_change([weak](const chain::ChainChange& change) {
    auto core = weak.lock();
    if (!core) return;
    // Through the executor: the fan-out runs on the server's thread whoever calls us.
    asio::post(core->executor, [weak, change] {
      if (auto c = weak.lock()) c->on_chain_change(change);
    });
  });
}

void Server::stop() { core_->stop(); }

std::vector<std::uint16_t> Server::ports() const {
  std::vector<std::uint16_t> ports;
  for (const auto& acceptor : core_->acceptors) {
    boost::system::error_code ec;
    const auto endpoint = acceptor->local_endpoint(ec);
    ports.push_back(ec ? 0 : endpoint.port());
  }
  return ports;
}

std::size_t Server::session_count() const { return core_->session_count.load(); }

const Profile& Server::profile() const { return core_->profile; }

}  // namespace eo::honeypot::server
