// TorControl: CRLF lines, "250-"/"250+"/"250 " replies, '.'-terminated data blocks.
#include "common/net/tor_control.h"

#include <algorithm>
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

namespace {

// Space-separated tokens; a double-quoted stretch (control-spec QuotedString) is one token's
// part, kept with its quotes and backslash escapes removed.
std::vector<std::string> tokens_of(std::string_view line) {
  std::vector<std::string> out;
  std::string token;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size()) token += line[++i];
      else if (c == '"') quoted = false;
      else token += c;
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ' ') {
      if (any) out.push_back(std::move(token));
      token.clear();
      any = false;
    } else {
      token += c;
      any = true;
    }
  }
  if (any) out.push_back(std::move(token));
  return out;
}

std::optional<TorExit> exit_of(const TorCircuit& circuit) {
  if (circuit.purpose != "GENERAL" && circuit.purpose != "CONFLUX_LINKED") return std::nullopt;
  if (circuit.path.empty()) return std::nullopt;
  const std::string& last = circuit.path.back();  // "$FP~nick" or "$FP=nick" or "$FP"
  if (last.size() < 2 || last[0] != '$') return std::nullopt;
  TorExit exit;
  auto mark = last.find_first_of("~=");
  exit.fingerprint = last.substr(1, mark == std::string::npos ? std::string::npos : mark - 1);
  if (mark != std::string::npos) exit.nickname = last.substr(mark + 1);
  return exit;
}

bool same_credentials(const TorCircuit& circuit, const socks5::Credentials& socks) {
  return circuit.socks && circuit.socks->username == socks.username &&
         circuit.socks->password == socks.password;
}

}  // namespace

std::optional<TorCircuit> parse_circuit(std::string_view line) {
  auto fields = tokens_of(line);
  if (fields.size() < 2) return std::nullopt;
  TorCircuit circuit;
  circuit.id = fields[0];
  circuit.status = fields[1];
  std::size_t next = 2;
  if (fields.size() > 2 && !fields[2].empty() && fields[2][0] == '$') {
    circuit.path = split(fields[2], ',');
    next = 3;
  }
  std::optional<std::string> username, password;
  for (std::size_t i = next; i < fields.size(); ++i) {
    auto equals = fields[i].find('=');
    if (equals == std::string::npos) continue;
    std::string key = fields[i].substr(0, equals), value = fields[i].substr(equals + 1);
    if (key == "PURPOSE") circuit.purpose = value;
    else if (key == "SOCKS_USERNAME") username = value;
    else if (key == "SOCKS_PASSWORD") password = value;
    else if (key == "CONFLUX_ID") circuit.conflux_id = value;
  }
  if (username || password) {
    circuit.socks = socks5::Credentials{username.value_or(""), password.value_or("")};
  }
  return circuit;
}

std::optional<TorExit> exit_of_stream(const std::vector<std::string>& stream_status,
                                      const std::vector<std::string>& circuit_status,
                                      std::string_view target,
                                      const std::optional<socks5::Credentials>& socks) {
  std::vector<TorCircuit> circuits;
  for (const auto& line : circuit_status) {
    if (auto circuit = parse_circuit(line)) circuits.push_back(std::move(*circuit));
  }
  // Conflux sets whose (first) leg carries our credentials.
  std::vector<std::string> our_sets;
  if (socks) {
    for (const auto& c : circuits) {
      if (same_credentials(c, *socks) && !c.conflux_id.empty()) our_sets.push_back(c.conflux_id);
    }
  }
  auto ours = [&](const TorCircuit& c) {
    if (!socks || same_credentials(c, *socks)) return true;
    return !c.conflux_id.empty() && std::find(our_sets.begin(), our_sets.end(), c.conflux_id) !=
                                        our_sets.end();
  };
  for (const auto& line : stream_status) {
    auto fields = split(line, ' ');  // StreamID Status CircuitID Target
    if (fields.size() < 4 || fields[3] != target || fields[2] == "0") continue;
    for (const auto& c : circuits) {
      if (c.id == fields[2] && ours(c)) return exit_of(c);
    }
  }
  return std::nullopt;
}

TorAuthMethods auth_methods(const std::vector<std::string>& protocolinfo) {
  TorAuthMethods out;
  for (const auto& line : protocolinfo) {
    auto fields = tokens_of(line);  // AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/path"
    if (fields.empty() || fields[0] != "AUTH") continue;
    for (const auto& field : fields) {
      if (field.rfind("METHODS=", 0) == 0) {
        for (const auto& method : split(std::string_view(field).substr(8), ',')) {
          out.null_allowed = out.null_allowed || method == "NULL";
        }
      } else if (field.rfind("COOKIEFILE=", 0) == 0 && field.size() > 11) {
        out.cookie_file = field.substr(11);
      }
    }
  }
  return out;
}

std::optional<std::string> address_of_router(const std::vector<std::string>& ns_entry) {
  for (const auto& line : ns_entry) {
    // "r nick identity digest YYYY-MM-DD HH:MM:SS IP ORPort DirPort": the IP follows the time.
    auto fields = split(line, ' ');
    if (fields.empty() || fields[0] != "r") continue;
    for (std::size_t i = 2; i + 2 < fields.size(); ++i) {
      bool date = fields[i].size() == 10 && fields[i][4] == '-' && fields[i][7] == '-';
      if (date) return fields[i + 2];
    }
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
  co_return values_of(reply.lines, key);
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
