// Agent phases: a controller coroutine opens N sessions through K openers, measures RSS, releases
// a ping storm over all of them for T seconds, closes them, then runs C Runner workers for T
// seconds. Phases are timed between barriers so CPU and wall cover the measured work only.
#include "tests/bench/agent_phases.h"

#include "agent/runtime/runner.h"
#include "tests/bench/bench_metrics.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace eo::bench {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::duration;

// Wakes the one coroutine waiting in wait() once `expect`ed arrivals have all happened. Built on a
// never-expiring timer: its cancel() posts the waiter straight to the scheduler, with no timer
// queue or epoll round trip. Timers are no good here: Asio runs expired timers only when epoll
// reports its timerfd among the (at most 128) events of one wait, and under a storm of 10k ready
// sockets we saw a 3 s timer run after 10-14 s (see README.md).
class Latch {
 public:
  explicit Latch(const asio::any_io_executor& executor)
      : timer_(executor, Clock::time_point::max()) {}

  void expect(std::size_t arrivals) { remaining_ = arrivals; }
  void arrive() {
    if (remaining_ > 0 && --remaining_ == 0) timer_.cancel();
  }
  asio::awaitable<void> wait() {
    if (remaining_ == 0) co_return;
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

 private:
  asio::steady_timer timer_;
  std::size_t remaining_ = 0;
};

// A gate many coroutines wait at until open() lets all of them through (same timer trick).
class Gate {
 public:
  explicit Gate(const asio::any_io_executor& executor)
      : timer_(executor, Clock::time_point::max()) {}

  void open() {
    opened_ = true;
    timer_.cancel();
  }
  asio::awaitable<void> pass() {
    if (opened_) co_return;
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

 private:
  asio::steady_timer timer_;
  bool opened_ = false;
};

// Shared by the controller and every session coroutine of the held phase (one thread).
struct HeldState {
  explicit HeldState(const asio::any_io_executor& executor)
      : opened(executor),
        start(executor),
        pinged(executor),
        release(executor),
        released(executor) {}

  Latch opened;  // one arrival per opener coroutine
  Gate start;
  Clock::time_point stop_at = Clock::time_point::max();
  Latch pinged;  // one arrival per held session, when it has stopped pinging
  Gate release;
  Latch released;
  std::size_t next = 0;
  std::uint64_t held = 0;
  std::uint64_t open_failures = 0;
  std::uint64_t requests = 0;
  std::uint64_t request_failures = 0;
  std::string first_open_failure;
  std::string first_request_failure;
};

struct SessionState {
  explicit SessionState(const asio::any_io_executor& executor) : done(executor) {}

  Clock::time_point stop_at;
  Latch done;  // one arrival per worker
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::string first_failure;
};

void note(std::string& first, const std::string& failure) {
  if (first.empty()) first = failure.empty() ? "unknown" : failure;
}

// Completion handler of every spawned task: a task only throws on a bug, so say so loudly.
void log_failure(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    std::cerr << "agent_bench: task failed: " << e.what() << "\n";
  }
}

net::ConnectOptions connect_options(const AgentPhaseOptions& options, std::size_t index) {
  net::ConnectOptions connect;
  connect.host = "127.0.0.1";
  connect.port = options.ports[index % options.ports.size()];
  connect.tls.enabled = options.tls;
  return connect;
}

std::string version_method() { return "server.version"; }
std::string ping_method() { return "server.ping"; }
agent::json version_request_params() { return agent::version_params(agent::ClientProfileSpec{}); }
agent::json no_params() { return agent::json::array(); }

net::Failure reply_failure(const electrum::Reply& reply) {
  if (!reply.failure.ok()) return reply.failure;
  if (reply.error) return net::make_failure(net::Outcome::rpc_error, net::Stage::read, "rpc_error");
  return {};
}

// The request a session-probe worker repeats: the latency probe, one ping, no extra connects.
agent::ProbeRequest session_probe_request(const AgentPhaseOptions& options, std::size_t worker) {
  agent::ProbeRequest request;
  request.campaign_id = "bench";
  request.task_id = "bench-" + std::to_string(worker);
  request.target.host = "127.0.0.1";
  request.target.port = options.ports[worker % options.ports.size()];
  request.target.tls = options.tls;
  request.probe_name = "latency";
  request.params = {{"pings", "1"}, {"connects", "0"}};
  return request;
}

agent::Runner::Pacer no_pacing() {
  return []() -> asio::awaitable<void> { co_return; };
}

agent::Vantage local_vantage() {
  agent::Vantage vantage;
  vantage.id = "local";
  return vantage;
}

// One held session: waits for the start gate, pings until the phase ends, waits for release.
asio::awaitable<void> hold(HeldState& state, std::unique_ptr<electrum::Client> client) {
  co_await state.start.pass();
  // The clock, not a timer, ends the phase: see Latch.
  while (Clock::now() < state.stop_at) {
    electrum::Reply reply = co_await client->call(ping_method(), no_params());
    // What ProbeContext::call adds to every request of a probe (minus keeping it in a vector).
    agent::ExchangeRecord record = agent::exchange_of(ping_method(), reply, 0);
    net::Failure failure = reply_failure(reply);
    if (!failure.ok()) {
      ++state.request_failures;
      note(state.first_request_failure, failure.detail);
      break;
    }
    ++state.requests;
  }
  state.pinged.arrive();
  co_await state.release.pass();
  client->close();
  state.released.arrive();
}

// Opens sessions (connect, TLS, server.version) one after another until N have been tried.
asio::awaitable<void> open_sessions(HeldState& state, const AgentPhaseOptions& options) {
  auto executor = co_await asio::this_coro::executor;
  while (state.next < options.sessions) {
    std::size_t index = state.next++;
    auto client = std::make_unique<electrum::Client>(executor, options.limits);
    net::Failure failure = co_await client->connect(connect_options(options, index));
    if (failure.ok()) {
      electrum::Reply reply = co_await client->call(version_method(), version_request_params());
      failure = reply_failure(reply);
    }
    if (!failure.ok()) {
      ++state.open_failures;
      note(state.first_open_failure, failure.detail);
      continue;
    }
    ++state.held;
    asio::co_spawn(executor, hold(state, std::move(client)), log_failure);
  }
  state.opened.arrive();
}

// Asks the server how many connections of this transport it holds (ours included); -1 on error.
asio::awaitable<std::int64_t> server_connections(const AgentPhaseOptions& options) {
  electrum::Client client(co_await asio::this_coro::executor);
  if (!(co_await client.connect(connect_options(options, 0))).ok()) co_return -1;
  electrum::Reply reply = co_await client.call("bench.connections", no_params());
  client.close();
  const char* key = options.tls ? "tls" : "tcp";
  if (!reply.failure.ok() || !reply.result.is_object() || !reply.result.contains(key)) {
    co_return -1;
  }
  co_return reply.result[key].get<std::int64_t>() - 1;  // less this query's own connection
}

asio::awaitable<void> session_worker(SessionState& state, agent::Runner& runner,
                                     agent::ProbeRequest request) {
  agent::Runner::Pacer pace = no_pacing();
  while (Clock::now() < state.stop_at) {
    v1::Observation observation = co_await runner.run(request, pace);
    if (observation.outcome() == v1::OUTCOME_OK) {
      ++state.ok;
    } else {
      ++state.failed;
      note(state.first_failure, observation.failure());
    }
  }
  state.done.arrive();
}

// Marks the start of a measured phase: this process's CPU, the server's CPU, the wall clock.
struct PhaseStart {
  explicit PhaseStart(int server_pid)
      : server_pid(server_pid), server_cpu(process_cpu_seconds(server_pid)) {}

  int server_pid;
  double server_cpu;
  CpuTimes cpu = cpu_now();
  Clock::time_point wall = Clock::now();
};

PhaseFigures phase_figures(std::uint64_t ok, std::uint64_t failed, const PhaseStart& start) {
  CpuTimes cpu = cpu_now() - start.cpu;
  double server_cpu = process_cpu_seconds(start.server_pid);
  PhaseFigures figures;
  figures.measured = true;
  figures.probes = ok;
  figures.failures = failed;
  figures.wall_s = duration<double>(Clock::now() - start.wall).count();
  figures.user_s = cpu.user_s;
  figures.sys_s = cpu.sys_s;
  if (server_cpu >= 0 && start.server_cpu >= 0)
    figures.server_cpu_s = server_cpu - start.server_cpu;
  return figures;
}

asio::awaitable<void> held_phase(const AgentPhaseOptions& options, TransportFigures& out) {
  auto executor = co_await asio::this_coro::executor;
  HeldState state(executor);
  HeldFigures& held = out.held;
  held.measured = true;
  held.attempted = options.sessions;
  trim_heap();
  held.rss_before = rss_bytes();
  held.heap_before = heap_in_use_bytes();

  auto opened_at = Clock::now();
  std::size_t openers =
      std::max<std::size_t>(1, std::min(options.open_concurrency, options.sessions));
  state.opened.expect(openers);
  for (std::size_t i = 0; i < openers; ++i) {
    asio::co_spawn(executor, open_sessions(state, options), log_failure);
  }
  co_await state.opened.wait();
  held.open_wall_s = duration<double>(Clock::now() - opened_at).count();
  held.held = state.held;
  held.failures = state.open_failures;
  held.first_failure = state.first_open_failure;
  held.rss_held = rss_bytes();
  held.heap_held = heap_in_use_bytes();
  held.server_held = co_await server_connections(options);

  // Request probes: every held session pings as fast as the server answers, for T seconds.
  state.pinged.expect(state.held);
  PhaseStart started(options.server_pid);
  state.stop_at =
      started.wall + std::chrono::duration_cast<Clock::duration>(duration<double>(options.seconds));
  state.start.open();
  co_await state.pinged.wait();
  out.request = phase_figures(state.requests, state.request_failures, started);
  out.request.first_failure = state.first_request_failure;
  held.rss_after_requests = rss_bytes();

  state.released.expect(state.held);
  state.release.open();
  co_await state.released.wait();
}

asio::awaitable<void> session_phase(const AgentPhaseOptions& options, TransportFigures& out) {
  auto executor = co_await asio::this_coro::executor;
  agent::Runner runner("bench", local_vantage(), options.limits);
  SessionState state(executor);
  state.done.expect(options.concurrency);
  PhaseStart started(options.server_pid);
  state.stop_at =
      started.wall + std::chrono::duration_cast<Clock::duration>(duration<double>(options.seconds));
  for (std::size_t i = 0; i < options.concurrency; ++i) {
    asio::co_spawn(executor, session_worker(state, runner, session_probe_request(options, i)),
                   log_failure);
  }
  co_await state.done.wait();
  out.session = phase_figures(state.ok, state.failed, started);
  out.session.first_failure = state.first_failure;
}

asio::awaitable<void> all_phases(const AgentPhaseOptions& options, TransportFigures& out) {
  if (options.held_phase) co_await held_phase(options, out);
  if (options.session_phase) co_await session_phase(options, out);
}

// One socket of the floor phase.
struct FloorPeer {
  int fd = -1;
  SSL* ssl = nullptr;
  std::int64_t next_id = 0;
  bool done = false;
};

bool floor_send(FloorPeer& peer) {
  static std::string request;
  request.clear();
  electrum::append_request(request, peer.next_id++, "server.ping", agent::json::array());
  int n = peer.ssl ? SSL_write(peer.ssl, request.data(), static_cast<int>(request.size()))
                   : static_cast<int>(::send(peer.fd, request.data(), request.size(), 0));
  return n == static_cast<int>(request.size());
}

// Blocking connect (and handshake); the socket is non-blocking afterwards. False on failure.
bool floor_open(FloorPeer& peer, std::uint16_t port, SSL_CTX* tls) {
  peer.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (peer.fd < 0) return false;
  int one = 1;
  ::setsockopt(peer.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(peer.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return false;
  if (tls != nullptr) {
    peer.ssl = SSL_new(tls);
    SSL_set_read_ahead(peer.ssl, 1);
    if (SSL_set_fd(peer.ssl, peer.fd) != 1 || SSL_connect(peer.ssl) != 1) return false;
  }
  return ::fcntl(peer.fd, F_SETFL, ::fcntl(peer.fd, F_GETFL) | O_NONBLOCK) == 0;
}

}  // namespace

PhaseFigures run_syscall_floor(const AgentPhaseOptions& options, std::size_t sessions) {
  SSL_CTX* tls = nullptr;
  if (options.tls) {
    tls = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(tls, SSL_VERIFY_NONE, nullptr);
  }
  std::vector<FloorPeer> peers(sessions);
  int epoll = ::epoll_create1(0);
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::string first_failure;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    if (!floor_open(peers[i], options.ports[i % options.ports.size()], tls)) {
      ++failed;
      note(first_failure, "open failed");
      peers[i].done = true;
      continue;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, peers[i].fd, &event);
  }

  PhaseStart started(options.server_pid);
  auto stop_at =
      started.wall + std::chrono::duration_cast<Clock::duration>(duration<double>(options.seconds));
  std::size_t active = 0;
  for (FloorPeer& peer : peers) {
    if (peer.done) continue;
    if (floor_send(peer)) {
      ++active;
    } else {
      ++failed;
      peer.done = true;
    }
  }
  epoll_event events[256];
  char buffer[4096];
  while (active > 0) {
    int ready = ::epoll_wait(epoll, events, 256, 1000);
    for (int e = 0; e < ready; ++e) {
      FloorPeer& peer = peers[events[e].data.u64];
      if (peer.done) continue;
      int n = peer.ssl ? SSL_read(peer.ssl, buffer, sizeof buffer)
                       : static_cast<int>(::recv(peer.fd, buffer, sizeof buffer, 0));
      if (n <= 0) {
        bool again = peer.ssl ? SSL_get_error(peer.ssl, n) == SSL_ERROR_WANT_READ
                              : n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        if (again) continue;
        ++failed;
        note(first_failure, "read failed");
        peer.done = true;
        --active;
        continue;
      }
      // One request in flight per socket: a '\n' ends its reply.
      if (std::memchr(buffer, '\n', static_cast<std::size_t>(n)) == nullptr) continue;
      ++ok;
      if (Clock::now() >= stop_at || !floor_send(peer)) {
        peer.done = true;
        --active;
      }
    }
  }
  PhaseFigures figures = phase_figures(ok, failed, started);
  figures.first_failure = first_failure;
  for (FloorPeer& peer : peers) {
    if (peer.ssl != nullptr) SSL_free(peer.ssl);
    if (peer.fd >= 0) ::close(peer.fd);
  }
  ::close(epoll);
  if (tls != nullptr) SSL_CTX_free(tls);
  return figures;
}

TransportFigures run_agent_phases(const AgentPhaseOptions& options) {
  TransportFigures figures;
  figures.measured = true;
  trim_heap();
  reset_peak_rss();
  asio::io_context io(1);
  asio::co_spawn(io, all_phases(options, figures), log_failure);
  io.run();
  figures.peak_rss = peak_rss_bytes();
  return figures;
}

}  // namespace eo::bench
