// One coroutine per connection reads requests into a buffer bounded by the HTTP limits; a timer
// closes a connection that sends nothing for idle_timeout, so a silent client holds nothing.
#include "honeypot/node/rpc_server.h"

#include "common/bitcoin/hex.h"
#include "common/async/supervise.h"
#include "common/telemetry/log.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <sys/stat.h>

namespace eo::honeypot::node {

namespace asio = boost::asio;
using asio::ip::tcp;

struct RpcServerState {
  asio::any_io_executor executor;
  RpcServerConfig config;
  CoreRpc& rpc;
  tcp::acceptor acceptor;
  std::string expected_authorization;  // "Basic <base64(user:password)>"
  std::set<std::shared_ptr<tcp::socket>> connections;
  bool stopping = false;

  RpcServerState(asio::any_io_executor e, RpcServerConfig c, CoreRpc& r)
      : executor(e), config(std::move(c)), rpc(r), acceptor(e) {}
};

namespace {

std::string random_hex(std::size_t bytes) {
  bitcoin::Bytes raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return bitcoin::to_hex(raw);
}

bool authorized(const RpcServerState& state, const HttpRequest& request) {
  const std::string* given = request.header("Authorization");
  const std::string& expected = state.expected_authorization;
  return given && given->size() == expected.size() &&
         CRYPTO_memcmp(given->data(), expected.data(), expected.size()) == 0;
}

std::string http_date() {
  char text[64];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

std::string_view reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Internal Server Error";
  }
}

std::string response(int status, std::string_view content_type, const std::string& body,
                     bool keep_alive) {
  std::string out =
      "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason(status)) + "\r\n";
  if (status == 401) out += "WWW-Authenticate: Basic realm=\"jsonrpc\"\r\n";
  out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Date: " + http_date() + "\r\n";
  if (!keep_alive) out += "Connection: close\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  return out + body;
}

// The reply to one parsed request, and whether the connection stays open.
std::pair<std::string, bool> answer(RpcServerState& state, const HttpRequest& request) {
  const bool keep = request.keep_alive;
  if (!authorized(state, request)) return {response(401, "text/html", "", keep), keep};
  if (request.method != "POST") {
    return {response(405, "text/html", "JSONRPC server handles only POST requests", keep), keep};
  }
  if (request.target != "/" && !request.target.starts_with("/wallet/")) {
    return {response(404, "text/html", "", keep), keep};
  }
  const RpcReply reply = state.rpc.handle(request.body);
  return {response(reply.http_status, "application/json", reply.body, keep), keep};
}

void log_connection_error(const std::string& what) {
  telemetry::log(telemetry::LogLevel::debug, "node rpc connection closed", {{"reason", what}});
}

asio::awaitable<void> serve(std::shared_ptr<RpcServerState> state,
                            std::shared_ptr<tcp::socket> socket) {
  asio::steady_timer idle(state->executor);
  std::string buffer;
  std::array<char, 16 * 1024> chunk;
  const std::size_t max_buffer =
      state->config.limits.max_head_bytes + state->config.limits.max_body_bytes;
  for (;;) {
    HttpParse parsed = parse_http_request(buffer, state->config.limits);
    if (parsed.status == HttpParse::Status::error) {
      log_connection_error(parsed.error);
      const std::string reply = response(parsed.error_status, "text/html", "", false);
      boost::system::error_code ec;
      co_await asio::async_write(*socket, asio::buffer(reply),
                                 asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    if (parsed.status == HttpParse::Status::complete) {
      buffer.erase(0, parsed.consumed);
      auto [reply, keep] = answer(*state, parsed.request);
      boost::system::error_code ec;
      idle.expires_after(state->config.idle_timeout);
      idle.async_wait([socket](const boost::system::error_code& e) {
        if (!e) socket->close();
      });
      co_await asio::async_write(*socket, asio::buffer(reply),
                                 asio::redirect_error(asio::use_awaitable, ec));
      idle.cancel();
      if (ec || !keep) break;
      continue;
    }
    if (buffer.size() >= max_buffer) break;  // the parser refuses past the limits first
    idle.expires_after(state->config.idle_timeout);
    idle.async_wait([socket](const boost::system::error_code& e) {
      if (!e) socket->close();
    });
    boost::system::error_code ec;
    const std::size_t n = co_await socket->async_read_some(
        asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    idle.cancel();
    if (ec) break;
    buffer.append(chunk.data(), n);
  }
  boost::system::error_code ignored;
  socket->shutdown(tcp::socket::shutdown_both, ignored);
  socket->close(ignored);
  state->connections.erase(socket);
}

asio::awaitable<void> accept_loop(std::shared_ptr<RpcServerState> state) {
  for (;;) {
    boost::system::error_code ec;
    auto socket = std::make_shared<tcp::socket>(state->executor);
    co_await state->acceptor.async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
    if (state->stopping || !state->acceptor.is_open()) co_return;
    if (ec) {
      asio::steady_timer pause(state->executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (state->connections.size() >= state->config.max_connections) continue;  // closed here
    state->connections.insert(socket);
    asio::co_spawn(state->executor, serve(state, socket), async::log_exit("node rpc connection"));
  }
}

}  // namespace

std::string basic_authorization(const std::string& credentials) {
  std::string out(4 * ((credentials.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(credentials.data()),
                                static_cast<int>(credentials.size()));
  out.resize(static_cast<std::size_t>(n));
  return "Basic " + out;
}

void parse_listen_address(const std::string& text, RpcServerConfig& config) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("'" + text + "' is not HOST:PORT");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) throw std::invalid_argument("'" + text + "': bad port");
  config.host = host;
  config.port = static_cast<std::uint16_t>(port);
}

RpcServer::RpcServer(asio::any_io_executor executor, RpcServerConfig config, CoreRpc& rpc)
    : state_(std::make_shared<RpcServerState>(std::move(executor), std::move(config), rpc)) {}

RpcServer::~RpcServer() {
  stop();
  if (state_->config.user.empty() && !state_->config.cookie_file.empty()) {
    std::error_code ignored;
    std::filesystem::remove(state_->config.cookie_file, ignored);
  }
}

void RpcServer::start() {
  RpcServerConfig& config = state_->config;
  std::string credentials;
  if (!config.user.empty()) {
    credentials = config.user + ":" + config.password;
  } else if (!config.cookie_file.empty()) {
    credentials = "__cookie__:" + random_hex(32);
    const std::string tmp = config.cookie_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      if (!out) throw std::runtime_error("cannot write the cookie file " + config.cookie_file);
      ::chmod(tmp.c_str(), 0600);
      out << credentials;
    }
    std::filesystem::rename(tmp, config.cookie_file);
  } else {
    throw std::invalid_argument("the node's RPC needs a user and password or a cookie file");
  }
  state_->expected_authorization = basic_authorization(credentials);

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config.host, ec);
  if (ec) throw std::runtime_error("node rpc: '" + config.host + "' is not an IP address");
  const tcp::endpoint endpoint(address, config.port);
  tcp::acceptor& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("node rpc: cannot listen on " + config.host + ":" +
                             std::to_string(config.port) + ": " + ec.message());
  }
  async::spawn_restarting(
      state_->executor, "node rpc accept loop", [state = state_] { return accept_loop(state); },
      std::chrono::milliseconds(100), [state = state_] { return !state->stopping; });
}

std::uint16_t RpcServer::port() const {
  boost::system::error_code ec;
  const auto endpoint = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void RpcServer::stop() {
  state_->stopping = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (const auto& socket : state_->connections) socket->close(ignored);
}

}  // namespace eo::honeypot::node
