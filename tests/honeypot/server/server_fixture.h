// Test scaffolding for the honeypot server: a server on its own io_context thread (loopback,
// port 0, fake chain, in-memory event sink), our Electrum client driven through whole sessions,
// and a raw blocking socket for byte-exact and hostile exchanges.
#pragma once

#include "common/electrum/client.h"
#include "honeypot/server/memory_event_sink.h"
#include "honeypot/server/server.h"
#include "tests/honeypot/server/fake_backend.h"
#include "tests/support/process.h"

#include <boost/asio/executor_work_guard.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace eo::honeypot::server::test {

using Json = nlohmann::json;
using std::chrono::milliseconds;

struct FixtureOptions {
  bool tls = false;  // also listen with TLS (a fresh self-signed certificate)
  ServerConfig config;
  std::int64_t tip = 10;
};

class ServerFixture {
 public:
  explicit ServerFixture(Profile profile, FixtureOptions options = {});
  ~ServerFixture();
  ServerFixture(const ServerFixture&) = delete;
  ServerFixture& operator=(const ServerFixture&) = delete;

  std::uint16_t tcp_port() const { return ports_.at(0); }
  std::uint16_t tls_port() const { return ports_.at(1); }
  MemoryEventSink& sink() { return sink_; }
  Server& server() { return *server_; }

  // Runs `fn` on the server's thread and waits for it (the backend is only touched there).
  void on_server(const std::function<void(FakeBackend&)>& fn);
  // Waits until no session is open (their DISCONNECT events are recorded by then).
  bool wait_idle(milliseconds timeout = milliseconds(3000));
  // CPU time the server's thread has used so far.
  double server_cpu_seconds() const;

 private:
  FakeBackend backend_;
  MemoryEventSink sink_;
  eo::test::TempDir dir_;
  boost::asio::io_context io_;
  // Keeps run() going once the server has stopped, so that on_server() still runs.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::unique_ptr<Server> server_;
  std::vector<std::uint16_t> ports_;
  std::thread thread_;
};

net::ConnectOptions to_port(std::uint16_t port, bool tls = false, std::string bind = {});

struct Call {
  std::string method;
  Json params = Json::array();
};
Call version_call(std::string client = "electrum/4.5.4", Json range = "1.4");

// One client session: connect, the calls in order (stopping at a transport failure), close.
struct Transcript {
  net::Failure connect;
  std::vector<electrum::Reply> replies;
  std::vector<electrum::Notification> notifications;
  const electrum::Reply& at(std::size_t i) const { return replies.at(i); }
};
Transcript run_session(net::ConnectOptions options, std::vector<Call> calls);
electrum::BatchReply run_batch(net::ConnectOptions options, std::vector<Call> before,
                               std::vector<electrum::Call> batch);

// A plain blocking TCP client for exact bytes.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port, const std::string& bind = {});
  ~RawClient();
  bool connected() const { return fd_ >= 0; }
  void send(std::string_view bytes);
  // The next line with its terminator, or nullopt on timeout / close.
  std::optional<std::string> read_line(milliseconds timeout = milliseconds(3000));
  // True once the server has closed the connection (EOF or reset) within the timeout;
  // bytes that arrive meanwhile are kept for read_line().
  bool wait_closed(milliseconds timeout = milliseconds(3000));

 private:
  int fd_ = -1;
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already returned
};

// Events of one kind, in order.
std::vector<eo::v1::HoneypotEvent> of_kind(const MemoryEventSink::Events& events,
                                           eo::v1::HoneypotEventKind kind);

}  // namespace eo::honeypot::server::test
