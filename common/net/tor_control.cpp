// TorControl: commands over the control connection; the replies are read by tor_reply.
#include "common/net/tor_control.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace eo::net {

namespace asio = boost::asio;

namespace {

std::string hex_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

}  // namespace

asio::awaitable<TorControl::Reply> TorControl::command(std::string line) {
  if (!(co_await connection_.write_all(line + "\r\n")).ok()) co_return Reply{};
  TorReplyReader reader;
  for (;;) {
    const TorReplyReader::State state = reader.read(buffer_);
    if (state == TorReplyReader::State::malformed) co_return Reply{};
    if (state == TorReplyReader::State::done) {
      Reply reply;
      reply.status = reader.status();
      reply.lines = reader.lines();
      co_return reply;
    }
    char chunk[4096];
    Failure failure;
    std::size_t n = co_await connection_.read_some(chunk, failure);
    if (!failure.ok()) co_return Reply{};
    buffer_.append(chunk, n);
  }
}

asio::awaitable<Failure> TorControl::open(std::string host, std::uint16_t port,
                                          std::string cookie_file, milliseconds timeout) {
  ConnectOptions options;
  options.host = std::move(host);
  options.port = port;
  options.connect_timeout = options.io_timeout = timeout;
  if (Failure f = co_await connection_.connect(options); !f.ok()) co_return f;
  if (cookie_file.empty()) {
    // Tor names its methods and cookie file; null authentication only where it offers it.
    Reply info = co_await command("PROTOCOLINFO 1");
    if (info.status != 250) {
      co_return make_failure(Outcome::proxy_error, Stage::proxy, "tor_control_protocolinfo");
    }
    auto methods = auth_methods(info.lines);
    if (methods.cookie_file && !methods.null_allowed) cookie_file = *methods.cookie_file;
  }
  std::string auth =
      cookie_file.empty() ? "AUTHENTICATE" : "AUTHENTICATE " + hex_of_file(cookie_file);
  Reply reply = co_await command(auth);
  if (reply.status != 250) {
    co_return make_failure(Outcome::proxy_error, Stage::proxy, "tor_control_auth_refused");
  }
  co_return Failure{};
}

asio::awaitable<std::optional<std::vector<std::string>>> TorControl::getinfo(std::string key) {
  Reply reply = co_await command("GETINFO " + key);
  if (reply.status != 250) co_return std::nullopt;
  co_return getinfo_values(reply.lines, key);
}

asio::awaitable<std::optional<TorExit>> TorControl::exit_for(
    std::string target, std::optional<socks5::Credentials> socks) {
  auto streams = co_await getinfo("stream-status");
  if (!streams) co_return std::nullopt;
  auto circuits = co_await getinfo("circuit-status");
  if (!circuits) co_return std::nullopt;
  auto exit = exit_of_stream(*streams, *circuits, target, socks);
  if (!exit) co_return std::nullopt;
  if (auto ns = co_await getinfo("ns/id/" + exit->fingerprint)) {
    if (auto address = address_of_router(*ns)) exit->address = *address;
  }
  co_return exit;
}

}  // namespace eo::net
