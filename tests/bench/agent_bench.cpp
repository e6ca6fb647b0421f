// agent_bench: runs N concurrent probe sessions of the real agent code against a loopback Electrum
// server process, runs the asyncio baseline against the same server, and prints probes/s, CPU per
// 1000 probes, RSS per session, the ratios and a PASS/FAIL line per target.
#include "tests/bench/agent_phases.h"
#include "tests/bench/bench_metrics.h"
#include "tests/bench/bench_report.h"
#include "tests/support/process.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using eo::bench::Figures;

struct Options {
  std::size_t sessions = 10'000;
  std::optional<std::size_t> tls_sessions;
  std::size_t open_concurrency = 256;
  std::size_t concurrency = 256;
  double seconds = 3;
  int ports = 4;
  std::optional<std::size_t> read_chunk;
  bool tcp = true;
  bool tls = true;
  bool request_unit = true;
  bool session_unit = true;
  bool baseline = true;
  bool floor = true;
  bool strict = false;
  std::string python = "python3";
};

constexpr const char* kUsage =
    "usage: agent_bench [--sessions N] [--tls-sessions N] [--concurrency C]\n"
    "                   [--open-concurrency K] [--seconds T] [--ports P] [--read-chunk BYTES]\n"
    "                   [--transport tcp|tls|both] [--unit request|session|both]\n"
    "                   [--no-baseline] [--no-floor] [--python PATH] [--strict]\n"
    "  --sessions N         sessions held open at once, and pinging, over TCP (default 10000)\n"
    "  --tls-sessions N     the same over TLS (default: --sessions)\n"
    "  --concurrency C      session-probe workers (default 256)\n"
    "  --open-concurrency K connects in flight while opening the held sessions (default 256)\n"
    "  --seconds T          length of each throughput phase (default 3)\n"
    "  --ports P            server ports per transport, sessions spread over them (default 4)\n"
    "  --read-chunk BYTES   electrum::ClientLimits::read_chunk (default: the agent's, 4096)\n"
    "  --unit U             request: held sessions + request probes only; session: session\n"
    "                       probes only (for profiling one unit; default both)\n"
    "  --no-floor           skip the syscall floor (request probes with no client code)\n"
    "  --strict             exit 1 when a target fails (default: only on errors)\n";

[[noreturn]] void bad_usage(const std::string& why) {
  std::cerr << "agent_bench: " << why << "\n" << kUsage;
  std::exit(2);
}

std::size_t to_count(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value == 0) bad_usage(flag + " wants a positive integer");
  return static_cast<std::size_t>(value);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) bad_usage(flag + " wants a value");
      return argv[++i];
    };
    if (flag == "--sessions") {
      o.sessions = to_count(flag, value());
    } else if (flag == "--tls-sessions") {
      o.tls_sessions = to_count(flag, value());
    } else if (flag == "--concurrency") {
      o.concurrency = to_count(flag, value());
    } else if (flag == "--open-concurrency") {
      o.open_concurrency = to_count(flag, value());
    } else if (flag == "--seconds") {
      o.seconds = std::atof(value().c_str());
      if (o.seconds <= 0) bad_usage("--seconds wants a positive number");
    } else if (flag == "--ports") {
      o.ports = static_cast<int>(to_count(flag, value()));
      if (o.ports > 64) bad_usage("--ports: at most 64");
    } else if (flag == "--read-chunk") {
      o.read_chunk = to_count(flag, value());
    } else if (flag == "--transport") {
      std::string t = value();
      if (t != "tcp" && t != "tls" && t != "both") bad_usage("--transport: tcp, tls or both");
      o.tcp = t != "tls";
      o.tls = t != "tcp";
    } else if (flag == "--unit") {
      std::string u = value();
      if (u != "request" && u != "session" && u != "both") {
        bad_usage("--unit: request, session or both");
      }
      o.request_unit = u != "session";
      o.session_unit = u != "request";
    } else if (flag == "--no-baseline") {
      o.baseline = false;
    } else if (flag == "--no-floor") {
      o.floor = false;
    } else if (flag == "--python") {
      o.python = value();
    } else if (flag == "--strict") {
      o.strict = true;
    } else if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else {
      bad_usage("unknown argument '" + flag + "'");
    }
  }
  return o;
}

struct ServerPorts {
  std::vector<std::uint16_t> tcp;
  std::vector<std::uint16_t> tls;
  std::string nofile;
};

std::vector<std::uint16_t> parse_ports(const std::string& text) {
  std::vector<std::uint16_t> ports;
  std::stringstream in(text);
  std::string port;
  while (std::getline(in, port, ',')) ports.push_back(static_cast<std::uint16_t>(std::stoi(port)));
  return ports;
}

std::string join(const std::vector<std::uint16_t>& ports) {
  std::string out;
  for (auto port : ports) out += (out.empty() ? "" : ",") + std::to_string(port);
  return out;
}

// The ports of the server's "ready tcp=.. tls=.. nofile=.." line, once its log has it.
std::optional<ServerPorts> ready_ports(eo::test::ChildProcess& server) {
  std::stringstream log(server.log());
  std::string word;
  while (log >> word) {
    if (word != "ready") continue;
    ServerPorts ports;
    while (log >> word) {
      if (word.rfind("tcp=", 0) == 0) ports.tcp = parse_ports(word.substr(4));
      if (word.rfind("tls=", 0) == 0) ports.tls = parse_ports(word.substr(4));
      if (word.rfind("nofile=", 0) == 0) ports.nofile = word.substr(7);
    }
    if (!ports.tcp.empty() && !ports.tls.empty()) return ports;
  }
  return std::nullopt;
}

// Waits for that line (15 s), or for the server to exit first.
std::optional<ServerPorts> wait_ready(eo::test::ChildProcess& server) {
  std::optional<ServerPorts> found;
  eo::test::wait_until(
      [&] { return (found = ready_ports(server)).has_value() || !server.running(); },
      std::chrono::seconds(15), std::chrono::milliseconds(10));
  return found;
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs the baseline script against the same server; nullopt (and a message) when it fails.
std::optional<Figures> run_baseline(const Options& o, const ServerPorts& ports, int server_pid) {
  std::string command = shell_quote(o.python) + " " + shell_quote(EO_BENCH_BASELINE_SCRIPT) +
                        " --sessions " + std::to_string(o.sessions) + " --tls-sessions " +
                        std::to_string(o.tls_sessions.value_or(o.sessions)) +
                        " --open-concurrency " + std::to_string(o.open_concurrency) +
                        " --concurrency " + std::to_string(o.concurrency) + " --seconds " +
                        std::to_string(o.seconds) + " --server-pid " + std::to_string(server_pid);
  if (!o.request_unit) command += " --unit session";
  if (!o.session_unit) command += " --unit request";
  if (o.tcp) command += " --tcp-ports " + join(ports.tcp);
  if (o.tls) command += " --tls-ports " + join(ports.tls);
  std::cerr << "agent_bench: baseline: " << command << "\n";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    std::cerr << "agent_bench: cannot start the baseline\n";
    return std::nullopt;
  }
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  int status = pclose(pipe);
  if (status != 0) {
    std::cerr << "agent_bench: the baseline exited with status " << status << "\n";
    return std::nullopt;
  }
  auto document = nlohmann::json::parse(output, nullptr, false);
  if (document.is_discarded()) {
    std::cerr << "agent_bench: the baseline printed no JSON: " << output << "\n";
    return std::nullopt;
  }
  try {
    return eo::bench::figures_from_json(document);
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "agent_bench: unexpected baseline JSON (" << e.what() << "): " << output << "\n";
    return std::nullopt;
  }
}

void print_setup(const Options& o, const ServerPorts& ports, long nofile,
                 const eo::electrum::ClientLimits& limits) {
  utsname host{};
  uname(&host);
  std::cout << "agent_bench on " << host.sysname << " " << host.release << " " << host.machine
            << ", " << std::thread::hardware_concurrency() << " CPUs\n"
            << "  RLIMIT_NOFILE: agent " << nofile << ", server " << ports.nofile << "\n"
            << "  server: bench_electrum_server (separate process), TCP ports " << join(ports.tcp)
            << ", TLS ports " << join(ports.tls) << "\n"
            << "  held sessions: TCP " << o.sessions << ", TLS "
            << o.tls_sessions.value_or(o.sessions) << " (opened " << o.open_concurrency
            << " at a time); session-probe workers: " << o.concurrency << "; phases: " << o.seconds
            << " s each\n"
            << "  agent ClientLimits::read_chunk " << limits.read_chunk << " bytes\n"
            << "  request probe: electrum::Client::call(\"server.ping\") on an open session + "
               "agent::exchange_of (the record ProbeContext::call keeps)\n"
            << "  session probe: agent::Runner::run(latency, pings=1, connects=0) = connect "
               "(+TLS) + server.version + server.ping + close, Observation built\n";
}

// The floor is a reference, not a contender: no target is judged on it.
void print_floors(std::ostream& out,
                  const std::vector<std::pair<std::string, eo::bench::PhaseFigures>>& floors) {
  if (floors.empty()) return;
  out << "\nSyscall floor (request probes with no client code: plain sockets, the agent's "
         "request bytes, one send + one recv per round trip, level-triggered epoll):\n";
  for (const auto& [what, figures] : floors) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "  %s: %llu probes (%llu failed) in %.2f s, CPU user %.3f s + sys %.3f s = "
                  "%.4f CPU-s/1000\n",
                  what.c_str(), static_cast<unsigned long long>(figures.probes),
                  static_cast<unsigned long long>(figures.failures), figures.wall_s, figures.user_s,
                  figures.sys_s, figures.cpu_per_1000());
    out << line;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  long nofile = eo::bench::raise_nofile_limit();
  std::size_t tls_sessions = o.tls_sessions.value_or(o.sessions);
  std::size_t most = std::max(o.tcp ? o.sessions : 0, o.tls ? tls_sessions : 0);
  if (nofile > 0 && most + 64 > static_cast<std::size_t>(nofile)) {
    bad_usage("RLIMIT_NOFILE is " + std::to_string(nofile) + ": at most " +
              std::to_string(nofile - 64) + " sessions");
  }

  eo::test::TempDir temp;
  eo::test::ChildProcess server({EO_BENCH_SERVER_BINARY, "--ports", std::to_string(o.ports)},
                                temp.file("server.log"));
  std::optional<ServerPorts> ports = wait_ready(server);
  if (!ports) {
    std::cerr << "agent_bench: bench_electrum_server did not start:\n" << server.log();
    return 1;
  }

  eo::electrum::ClientLimits limits;
  if (o.read_chunk) limits.read_chunk = *o.read_chunk;
  print_setup(o, *ports, nofile, limits);

  Figures agent;
  std::vector<std::pair<std::string, eo::bench::PhaseFigures>> floors;
  agent.nofile = nofile;
  agent.runtime = "eo_agent";
  for (bool tls : {false, true}) {
    if (tls ? !o.tls : !o.tcp) continue;
    eo::bench::AgentPhaseOptions phase;
    phase.ports = tls ? ports->tls : ports->tcp;
    phase.tls = tls;
    phase.sessions = tls ? tls_sessions : o.sessions;
    phase.open_concurrency = o.open_concurrency;
    phase.concurrency = o.concurrency;
    phase.seconds = o.seconds;
    phase.limits = limits;
    phase.server_pid = server.pid();
    phase.held_phase = o.request_unit;
    phase.session_phase = o.session_unit;
    std::cerr << "agent_bench: agent " << (tls ? "TLS" : "TCP") << " phases\n";
    (tls ? agent.tls : agent.tcp) = eo::bench::run_agent_phases(phase);
    if (o.floor && o.request_unit) {
      // TLS handshakes here are blocking and one at a time: fewer sessions keep it short.
      std::size_t sessions = tls ? std::min<std::size_t>(phase.sessions, 2000) : phase.sessions;
      std::cerr << "agent_bench: syscall floor " << (tls ? "TLS" : "TCP") << "\n";
      floors.emplace_back((tls ? "TLS, " : "TCP, ") + std::to_string(sessions) + " sessions",
                          eo::bench::run_syscall_floor(phase, sessions));
    }
  }

  std::optional<Figures> baseline;
  bool baseline_failed = false;
  if (o.baseline) {
    baseline = run_baseline(o, *ports, server.pid());
    baseline_failed = !baseline;
  }
  bool server_alive = server.running();
  server.stop();

  int failed = eo::bench::print_report(std::cout, agent, baseline ? &*baseline : nullptr,
                                       eo::bench::Targets{});
  print_floors(std::cout, floors);
  if (!server_alive) {
    std::cerr << "agent_bench: the server died during the run:\n" << server.log();
    return 1;
  }
  if (baseline_failed) return 1;
  return o.strict && failed > 0 ? 1 : 0;
}
