// TorControl: CRLF lines, "250-"/"250+"/"250 " replies, '.'-terminated data blocks.
#include "common/net/tor_control.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace eo::net {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxLine = 64 * 1024;
constexpr std::size_t kMaxLines = 10'000;

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

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

// The value lines of a GETINFO reply for `key`, whether single-line ("250-key=value") or a
// data block ("250+key=" then lines up to ".").
std::vector<std::string> values_of(const std::vector<std::string>& lines, std::string_view key) {
  std::vector<std::string> out;
  std::string prefix = std::string(key) + "=";
  for (const auto& line : lines) {
    if (line.rfind(prefix, 0) == 0) {
      if (line.size() > prefix.size()) out.push_back(line.substr(prefix.size()));
    } else if (!line.empty() && line != "OK") {
      out.push_back(line);
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> circuit_of_stream(const std::vector<std::string>& stream_status,
                                             std::string_view target) {
  for (const auto& line : stream_status) {
    auto fields = split(line, ' ');  // StreamID Status CircuitID Target
    if (fields.size() >= 4 && fields[3] == target && fields[2] != "0") return fields[2];
  }
  return std::nullopt;
}

std::optional<TorExit> exit_of_circuit(const std::vector<std::string>& circuit_status,
                                       std::string_view circuit_id) {
  for (const auto& line : circuit_status) {
    auto fields = split(line, ' ');  // CircID Status Path ...
    if (fields.size() < 3 || fields[0] != circuit_id) continue;
    auto hops = split(fields[2], ',');
    if (hops.empty()) return std::nullopt;
    std::string last = hops.back();  // "$FP~nick" or "$FP=nick" or "$FP"
    if (last.empty() || last[0] != '$') return std::nullopt;
    TorExit exit;
    auto mark = last.find_first_of("~=");
    exit.fingerprint = last.substr(1, mark == std::string::npos ? std::string::npos : mark - 1);
    if (mark != std::string::npos) exit.nickname = last.substr(mark + 1);
    return exit;
  }
  return std::nullopt;
}

std::optional<std::string> address_of_router(const std::vector<std::string>& ns_entry) {
  for (const auto& line : ns_entry) {
    auto fields = split(line, ' ');  // r nick identity digest date time IP ORPort DirPort
    if (fields.size() >= 8 && fields[0] == "r") return fields[6];
  }
  return std::nullopt;
}

asio::awaitable<std::optional<std::string>> TorControl::read_line() {
  for (;;) {
    auto end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      co_return line;
    }
    if (buffer_.size() > kMaxLine) co_return std::nullopt;
    char chunk[4096];
    Failure failure;
    std::size_t n = co_await connection_.read_some(chunk, failure);
    if (!failure.ok()) co_return std::nullopt;
    buffer_.append(chunk, n);
  }
}

asio::awaitable<TorControl::Reply> TorControl::command(std::string line) {
  Reply reply;
  if (!(co_await connection_.write_all(line + "\r\n")).ok()) co_return reply;
  bool in_data = false;
  while (reply.lines.size() < kMaxLines) {
    auto next = co_await read_line();
    if (!next) co_return Reply{};
    const std::string& l = *next;
    if (in_data) {
      if (l == ".") in_data = false;
      else reply.lines.push_back(l);
      continue;
    }
    if (l.size() < 4) co_return Reply{};
    if (l[3] == '+') in_data = true;
    reply.lines.push_back(l.substr(4));
    if (l[3] == ' ') {
      reply.status = std::atoi(l.substr(0, 3).c_str());
      co_return reply;
    }
  }
  co_return Reply{};
}

asio::awaitable<Failure> TorControl::open(std::string host, std::uint16_t port,
                                          std::string cookie_file, milliseconds timeout) {
  ConnectOptions options;
  options.host = std::move(host);
  options.port = port;
  options.connect_timeout = options.io_timeout = timeout;
  if (Failure f = co_await connection_.connect(options); !f.ok()) co_return f;
  std::string auth = cookie_file.empty() ? "AUTHENTICATE" : "AUTHENTICATE " + hex_of_file(cookie_file);
  Reply reply = co_await command(auth);
  if (reply.status != 250) {
    co_return make_failure(Outcome::proxy_error, Stage::proxy, "tor_control_auth_refused");
  }
  co_return Failure{};
}

asio::awaitable<std::optional<TorExit>> TorControl::exit_for(std::string target) {
  Reply streams = co_await command("GETINFO stream-status");
  if (streams.status != 250) co_return std::nullopt;
  auto circuit = circuit_of_stream(values_of(streams.lines, "stream-status"), target);
  if (!circuit) co_return std::nullopt;
  Reply circuits = co_await command("GETINFO circuit-status");
  if (circuits.status != 250) co_return std::nullopt;
  auto exit = exit_of_circuit(values_of(circuits.lines, "circuit-status"), *circuit);
  if (!exit) co_return std::nullopt;
  std::string key = "ns/id/" + exit->fingerprint;
  Reply ns = co_await command("GETINFO " + key);
  if (ns.status == 250) {
    if (auto address = address_of_router(values_of(ns.lines, key))) exit->address = *address;
  }
  co_return exit;
}

}  // namespace eo::net
