// A loopback Electrum responder for agent_bench, run as its own process so its CPU is not counted:
// answers every request line with a small ElectrumX-style reply over TCP and TLS on several ports,
// holds 10k+ connections, and reports how many it holds (method "bench.connections").
#include "tests/bench/bench_metrics.h"
#include "tests/support/certs.h"
#include "tests/support/process.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/prctl.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

constexpr std::size_t kMaxPendingBytes = 64 << 10;  // a request line longer than this: hang up

struct Counters {
  long open_tcp = 0;
  long open_tls = 0;
  long accepted = 0;
  long accept_errors = 0;
};

// The raw JSON text of the value of `quoted_key` (e.g. "\"id\"") in a flat request object ("" when
// absent). Our peers are agent_bench and the baseline script, so a scan is enough; it never reads
// past the line.
std::string_view json_value(std::string_view line, std::string_view quoted_key) {
  std::size_t at = line.find(quoted_key);
  if (at == std::string_view::npos) return {};
  at += quoted_key.size();
  while (at < line.size() && (line[at] == ' ' || line[at] == ':')) ++at;
  if (at >= line.size()) return {};
  if (line[at] == '"') {
    std::size_t end = line.find('"', at + 1);
    return end == std::string_view::npos ? std::string_view{} : line.substr(at, end + 1 - at);
  }
  std::size_t end = at;
  while (end < line.size() && line[end] != ',' && line[end] != '}' && line[end] != ' ') ++end;
  return line.substr(at, end - at);
}

// One reply line (with '\n') in ElectrumX's key order.
void append_reply(std::string& out, std::string_view line, const Counters& counters) {
  std::string_view id = json_value(line, "\"id\"");
  std::string_view method = json_value(line, "\"method\"");
  if (id.empty()) id = "null";
  out += "{\"jsonrpc\":\"2.0\",";
  if (line.empty() || line.front() != '{') {
    out += "\"error\":{\"code\":-32700,\"message\":\"invalid JSON\"}";
  } else if (method == "\"server.version\"") {
    out += "\"result\":[\"ElectrumX 1.16.0\",\"1.4\"]";
  } else if (method == "\"server.ping\"") {
    out += "\"result\":null";
  } else if (method == "\"server.banner\"") {
    out += "\"result\":\"bench_electrum_server\"";
  } else if (method == "\"bench.connections\"") {
    out += "\"result\":{\"tcp\":" + std::to_string(counters.open_tcp) +
           ",\"tls\":" + std::to_string(counters.open_tls) + "}";
  } else {
    out += "\"error\":{\"code\":-32601,\"message\":\"unknown method ";
    out += method.size() >= 2 ? method.substr(1, method.size() - 2) : std::string_view("?");
    out += "\"}";
  }
  out += ",\"id\":";
  out += id;
  out += "}\n";
}

// Completion handler of every spawned task: peers cannot make a task throw, so any exception is
// a bug worth a line on stderr.
void log_failure(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    std::cerr << "bench_electrum_server: task failed: " << e.what() << "\n";
  }
}

// Reads request lines and answers each; returns when the peer closes or misbehaves.
template <typename Stream>
asio::awaitable<void> answer_lines(Stream& stream, const Counters& counters) {
  std::string pending;
  std::string out;
  char chunk[2048];
  for (;;) {
    error_code ec;
    std::size_t n = co_await stream.async_read_some(asio::buffer(chunk),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    pending.append(chunk, n);
    std::size_t begin = 0;
    for (std::size_t nl; (nl = pending.find('\n', begin)) != std::string::npos; begin = nl + 1) {
      std::string_view line(pending.data() + begin, nl - begin);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      append_reply(out, line, counters);
    }
    pending.erase(0, begin);
    if (pending.size() > kMaxPendingBytes) co_return;
    if (!out.empty()) {
      co_await asio::async_write(stream, asio::buffer(out),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      out.clear();
    }
  }
}

asio::awaitable<void> serve_tcp(tcp::socket socket, Counters& counters) {
  ++counters.open_tcp;
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  co_await answer_lines(socket, counters);
  --counters.open_tcp;
}

asio::awaitable<void> serve_tls(tcp::socket socket, ssl::context& context, Counters& counters) {
  ++counters.open_tls;
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  ssl::stream<tcp::socket> stream(std::move(socket), context);
  co_await stream.async_handshake(ssl::stream_base::server,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_await answer_lines(stream, counters);
  --counters.open_tls;
}

// Accepts forever; on EMFILE and the like it logs once per burst and backs off briefly.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, ssl::context* tls, Counters& counters) {
  auto executor = co_await asio::this_coro::executor;
  for (;;) {
    error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      if (counters.accept_errors++ % 1000 == 0) {
        std::cerr << "bench_electrum_server: accept: " << ec.message() << "\n";
      }
      asio::steady_timer pause(executor, std::chrono::milliseconds(5));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    ++counters.accepted;
    if (tls != nullptr) {
      asio::co_spawn(executor, serve_tls(std::move(socket), *tls, counters), log_failure);
    } else {
      asio::co_spawn(executor, serve_tcp(std::move(socket), counters), log_failure);
    }
  }
}

std::string join_ports(const std::vector<std::unique_ptr<tcp::acceptor>>& acceptors) {
  std::string out;
  for (const auto& acceptor : acceptors) {
    if (!out.empty()) out += ",";
    out += std::to_string(acceptor->local_endpoint().port());
  }
  return out;
}

[[noreturn]] void usage(const char* bad) {
  std::cerr << "bench_electrum_server: bad argument '" << bad
            << "'\nusage: bench_electrum_server [--ports N] [--cert PEM --key PEM]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  // Never outlive agent_bench, even if it is killed.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  int ports = 4;
  std::string cert_path;
  std::string key_path;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) usage(argv[i]);
    if (arg == "--ports") {
      ports = std::atoi(argv[++i]);
      if (ports < 1 || ports > 64) usage(argv[i]);
    } else if (arg == "--cert") {
      cert_path = argv[++i];
    } else if (arg == "--key") {
      key_path = argv[++i];
    } else {
      usage(argv[i]);
    }
  }
  long nofile = eo::bench::raise_nofile_limit();

  std::unique_ptr<eo::test::TempDir> temp;
  if (cert_path.empty() || key_path.empty()) {
    temp = std::make_unique<eo::test::TempDir>();
    cert_path = temp->file("cert.pem");
    key_path = temp->file("key.pem");
    eo::test::write_self_signed_cert(eo::test::CertSpec{}, cert_path, key_path);
  }
  ssl::context tls(ssl::context::tls_server);
  tls.use_certificate_chain_file(cert_path);
  tls.use_private_key_file(key_path, ssl::context::pem);
  SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);

  asio::io_context io(1);
  Counters counters;
  std::vector<std::unique_ptr<tcp::acceptor>> tcp_acceptors;
  std::vector<std::unique_ptr<tcp::acceptor>> tls_acceptors;
  tcp::endpoint loopback(asio::ip::make_address("127.0.0.1"), 0);
  for (int i = 0; i < ports; ++i) {
    tcp_acceptors.push_back(std::make_unique<tcp::acceptor>(io, loopback));
    tls_acceptors.push_back(std::make_unique<tcp::acceptor>(io, loopback));
  }
  for (auto& acceptor : tcp_acceptors) {
    asio::co_spawn(io, accept_loop(*acceptor, nullptr, counters), log_failure);
  }
  for (auto& acceptor : tls_acceptors) {
    asio::co_spawn(io, accept_loop(*acceptor, &tls, counters), log_failure);
  }
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](const error_code&, int) { io.stop(); });

  std::cout << "ready tcp=" << join_ports(tcp_acceptors) << " tls=" << join_ports(tls_acceptors)
            << " nofile=" << nofile << std::endl;
  io.run();
  std::cout << "stopped accepted=" << counters.accepted
            << " accept_errors=" << counters.accept_errors << std::endl;
  return 0;
}
