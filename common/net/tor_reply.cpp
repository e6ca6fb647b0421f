// Tor control-port replies: framing, GETINFO values, circuits, consensus entries, PROTOCOLINFO.
#include "common/net/tor_reply.h"

#include <algorithm>

namespace eo::net {

namespace {

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

// Space-separated tokens; a double-quoted stretch (control-spec QuotedString) is one token's
// part, kept with its quotes and backslash escapes removed.
std::vector<std::string> tokens_of(std::string_view line) {
  std::vector<std::string> out;
  std::string token;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size())
        token += line[++i];
      else if (c == '"')
        quoted = false;
      else
        token += c;
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
  // An empty quoted string ("") is a token of its own, but never a circuit id or status.
  if (fields.size() < 2 || fields[0].empty() || fields[1].empty()) return std::nullopt;
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
    if (key == "PURPOSE")
      circuit.purpose = value;
    else if (key == "SOCKS_USERNAME")
      username = value;
    else if (key == "SOCKS_PASSWORD")
      password = value;
    else if (key == "CONFLUX_ID")
      circuit.conflux_id = value;
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
    return !c.conflux_id.empty() &&
           std::find(our_sets.begin(), our_sets.end(), c.conflux_id) != our_sets.end();
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

TorReplyReader::State TorReplyReader::read(std::string& buffer) {
  std::size_t start = 0;
  while (state_ == State::more) {
    const auto end = buffer.find("\r\n", start);
    // A line over the bound is refused whether or not its end has arrived, so that the outcome
    // does not depend on how the bytes were split into reads.
    if ((end == std::string::npos ? buffer.size() : end) - start > tor_max_line) {
      state_ = State::malformed;
      break;
    }
    if (end == std::string::npos) break;
    add(std::string_view(buffer).substr(start, end - start));
    start = end + 2;
  }
  buffer.erase(0, start);
  return state_;
}

TorReplyReader::State TorReplyReader::add(std::string_view line) {
  if (lines_.size() >= tor_max_lines) return state_ = State::malformed;
  if (in_data_) {
    if (line == ".")
      in_data_ = false;
    else
      lines_.emplace_back(line);
    return state_;
  }
  // StatusCode (3 digits) then '-' (mid line), '+' (data follows) or ' ' (end line).
  const auto digit = [&](std::size_t i) { return line[i] >= '0' && line[i] <= '9'; };
  if (line.size() < 4 || !digit(0) || !digit(1) || !digit(2)) return state_ = State::malformed;
  const char kind = line[3];
  if (kind != '-' && kind != '+' && kind != ' ') return state_ = State::malformed;
  in_data_ = kind == '+';
  lines_.emplace_back(line.substr(4));
  if (kind == ' ') {
    status_ = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    state_ = State::done;
  }
  return state_;
}

std::vector<std::string> getinfo_values(const std::vector<std::string>& lines,
                                        std::string_view key) {
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

}  // namespace eo::net
