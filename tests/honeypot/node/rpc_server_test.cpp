#include "honeypot/node/rpc_service.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <sys/stat.h>
#include <thread>

namespace eo::honeypot::node {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// The node on its own io_context thread; the test talks to it over loopback only.
class RunningNode {
 public:
  explicit RunningNode(RpcServiceOptions options) {
    options.listen = "127.0.0.1:0";
    service_ = std::make_unique<RpcService>(io_.get_executor(), chain_, options);
    service_->start();
    port_ = service_->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RunningNode() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      service_->stop();
      io_.stop();
    });
    thread_.join();
    service_.reset();
  }
  std::uint16_t port() const { return port_; }

 private:
  asio::io_context io_;
  chain::RegtestChain chain_;
  std::unique_ptr<RpcService> service_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

struct Response {
  int status = 0;
  std::string head;
  std::string body;
};

// Reads one response (Content-Length framed) from a connected socket.
Response read_response(tcp::socket& socket, std::string& pending) {
  for (;;) {
    const auto end = pending.find("\r\n\r\n");
    if (end != std::string::npos) {
      Response r;
      r.head = pending.substr(0, end);
      r.status = std::stoi(r.head.substr(9, 3));
      const auto cl = r.head.find("Content-Length: ");
      const std::size_t length = std::stoul(r.head.substr(cl + 16));
      if (pending.size() >= end + 4 + length) {
        r.body = pending.substr(end + 4, length);
        pending.erase(0, end + 4 + length);
        return r;
      }
    }
    char chunk[4096];
    boost::system::error_code ec;
    const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
    if (ec) return {};
    pending.append(chunk, n);
  }
}

std::string post(const std::string& body, const std::string& auth) {
  std::string text = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n";
  if (!auth.empty()) text += "Authorization: " + basic_authorization(auth) + "\r\n";
  return text + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

tcp::socket connect(asio::io_context& io, std::uint16_t port) {
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return socket;
}

const std::string count_request = R"({"method":"getblockcount","id":1})";

RpcServiceOptions user_and_password(const std::string& user, const std::string& password) {
  RpcServiceOptions options;
  options.user = user;
  options.password = password;
  return options;
}

TEST(RpcServer, UserAndPasswordOverKeepAliveConnections) {
  RunningNode node(user_and_password("alice", "s3cret"));
  asio::io_context io;
  tcp::socket socket = connect(io, node.port());
  std::string pending;
  asio::write(socket, asio::buffer(post(count_request, "alice:wrong")));
  const Response refused = read_response(socket, pending);
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.head.find("WWW-Authenticate: Basic realm=\"jsonrpc\""), std::string::npos);

  // Two requests on the same connection, the second pipelined behind the first.
  asio::write(socket, asio::buffer(post(count_request, "alice:s3cret") +
                                   post(R"({"method":"nope","id":2})", "alice:s3cret")));
  const Response ok = read_response(socket, pending);
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.head.find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(ok.body)["result"], 0);
  const Response missing = read_response(socket, pending);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["error"]["code"], -32601);
}

TEST(RpcServer, CookieFileIsPrivateAndRemovedAtStop) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("eo-node-cookie-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  RpcServiceOptions options;
  options.cookie_file = (dir / ".cookie").string();
  {
    RunningNode node(options);
    std::ifstream in(options.cookie_file);
    std::string cookie;
    std::getline(in, cookie);
    ASSERT_TRUE(cookie.starts_with("__cookie__:"));
    EXPECT_EQ(cookie.size(), std::string("__cookie__:").size() + 64);
    struct stat st {};
    ASSERT_EQ(::stat(options.cookie_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    asio::io_context io;
    tcp::socket socket = connect(io, node.port());
    std::string pending;
    asio::write(socket, asio::buffer(post(count_request, cookie)));
    EXPECT_EQ(read_response(socket, pending).status, 200);
  }
  EXPECT_FALSE(std::filesystem::exists(options.cookie_file));
  std::filesystem::remove_all(dir);
}

TEST(RpcServer, RefusesWhatCoreRefusesAndClosesOnBadRequests) {
  RunningNode node(user_and_password("u", "p"));
  asio::io_context io;
  {
    tcp::socket socket = connect(io, node.port());
    std::string pending;
    const std::string get = "GET / HTTP/1.1\r\nAuthorization: " + basic_authorization("u:p") +
                            "\r\nContent-Length: 0\r\n\r\n";
    asio::write(socket, asio::buffer(get));
    EXPECT_EQ(read_response(socket, pending).status, 405);
  }
  {
    tcp::socket socket = connect(io, node.port());
    std::string pending;
    asio::write(socket, asio::buffer(std::string("POST / HTTP/1.1\r\nContent-Length: ") +
                                     std::to_string(64u << 20) + "\r\n\r\n"));
    const Response too_large = read_response(socket, pending);
    EXPECT_EQ(too_large.status, 413);
    char byte;
    boost::system::error_code ec;
    socket.read_some(asio::buffer(&byte, 1), ec);
    EXPECT_TRUE(ec) << "the connection is closed after a refused request";
  }
}

TEST(RpcService, RefusesConfigsWithoutOneWayToAuthenticate) {
  asio::io_context io;
  chain::RegtestChain chain;
  RpcServiceOptions none;
  none.listen = "127.0.0.1:0";
  EXPECT_THROW(RpcService(io.get_executor(), chain, none), std::invalid_argument);
  RpcServiceOptions half;
  half.listen = "127.0.0.1:0";
  half.user = "u";
  EXPECT_THROW(RpcService(io.get_executor(), chain, half), std::invalid_argument);
  RpcServiceOptions bad_listen;
  bad_listen.user = "u";
  bad_listen.password = "p";
  bad_listen.listen = "127.0.0.1";
  EXPECT_THROW(RpcService(io.get_executor(), chain, bad_listen), std::invalid_argument);
}

}  // namespace
}  // namespace eo::honeypot::node
