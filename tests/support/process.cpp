// Child-process, port and temp-dir helpers for integration tests.
#include "tests/support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <stdexcept>
#include <thread>

namespace eo::test {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_path)
    : log_path_(std::move(log_path)) {
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    setpgid(0, 0);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() { stop(); }

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped(status);
    return false;
  }
  return true;
}

void ChildProcess::reaped(int status) {
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return;
  kill(pid_, SIGTERM);
  if (wait_until([&] { return !running(); }, grace)) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped(status);
}

std::string ChildProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return false;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(interval, until - now));
  }
}

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  return addr;
}

// Bound to 127.0.0.1:0, the kernel's choice read back; fd < 0 on failure.
int bind_loopback_zero(int& port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}

// Inodes of the listening sockets on `port` (IPv4 and IPv6 tables).
std::vector<std::string> listening_inodes(int port) {
  std::vector<std::string> out;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, local, remote, st, queues, tr, retr, uid, timeout, inode;
      fields >> sl >> local >> remote >> st >> queues >> tr >> retr >> uid >> timeout >> inode;
      auto colon = local.rfind(':');
      if (st != "0A" || colon == std::string::npos) continue;  // 0A: LISTEN
      if (std::stoi(local.substr(colon + 1), nullptr, 16) == port) out.push_back(inode);
    }
  }
  return out;
}

bool holds_socket(const std::string& pid, const std::vector<std::string>& inodes) {
  std::error_code ec;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/" + pid + "/fd", ec)) {
    auto target = std::filesystem::read_symlink(fd.path(), ec).string();
    for (const auto& inode : inodes) {
      if (target == "socket:[" + inode + "]") return true;
    }
  }
  return false;
}

}  // namespace

ClosedPort::ClosedPort() {
  fd_ = bind_loopback_zero(port_);
  if (fd_ < 0) throw std::runtime_error("cannot bind 127.0.0.1:0");
}

ClosedPort::~ClosedPort() {
  if (fd_ >= 0) close(fd_);
}

bool child_listens_on(pid_t pid, int port) {
  auto inodes = listening_inodes(port);
  if (inodes.empty()) return false;
  if (holds_socket(std::to_string(pid), inodes)) return true;
  // Daemons that fork (danted): any process of the child's group (ChildProcess sets it).
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (getpgid(std::stoi(name)) == pid && holds_socket(name, inodes)) return true;
  }
  return false;
}

ListeningChild start_listening(const std::function<std::vector<std::string>(int port)>& argv_for,
                               const std::string& log_path, std::chrono::milliseconds timeout,
                               int attempts) {
  ListeningChild out;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    // A candidate only: the child's own bind decides, and we check that it is the child that
    // listens there (another process may have taken the port meanwhile).
    int candidate = 0;
    int fd = bind_loopback_zero(candidate);
    if (fd >= 0) close(fd);
    std::filesystem::remove(log_path);
    out.process = std::make_unique<ChildProcess>(argv_for(candidate), log_path);
    bool up = wait_until(
        [&] { return !out.process->running() || child_listens_on(out.process->pid(), candidate); },
        timeout);
    if (up && out.process->running()) {
      out.port = candidate;
      return out;
    }
    if (attempt < attempts) out.process->stop();
  }
  return out;
}

ListeningChild start_redis(const std::string& dir, std::chrono::milliseconds timeout) {
  return start_listening(
      [&](int port) {
        return std::vector<std::string>{"redis-server",
                                        "--port",
                                        std::to_string(port),
                                        "--bind",
                                        "127.0.0.1",
                                        "--save",
                                        "",
                                        "--appendonly",
                                        "no",
                                        "--dir",
                                        dir};
      },
      dir + "/redis.log", timeout);
}

nlohmann::json parse_log_line(const std::string& line) {
  if (!line.empty() && line.front() == '{') {
    auto j = nlohmann::json::parse(line, nullptr, false);
    return !j.is_discarded() && j.is_object() ? j : nlohmann::json();
  }
  // Text: "TS LEVEL COMPONENT: MESSAGE key=value key=value" (common/telemetry/log.cpp). The
  // message ends where the first word holding '=' starts; a value runs to the next such word.
  std::istringstream words(line);
  std::string ts, level, component, word;
  if (!(words >> ts >> level >> component) || component.empty() || component.back() != ':') {
    return {};
  }
  nlohmann::json out = {
      {"ts", ts}, {"level", level}, {"component", component.substr(0, component.size() - 1)}};
  std::string message, key, value;
  auto flush = [&] {
    if (key.empty()) return;
    auto parsed = nlohmann::json::parse(value, nullptr, false);
    out[key] = parsed.is_discarded() ? nlohmann::json(value) : parsed;
  };
  while (words >> word) {
    auto eq = word.find('=');
    if (eq != std::string::npos && eq > 0) {
      flush();
      key = word.substr(0, eq);
      value = word.substr(eq + 1);
    } else if (!key.empty()) {
      value += " " + word;
    } else {
      message += (message.empty() ? "" : " ") + word;
    }
  }
  flush();
  out["msg"] = message;
  return out;
}

nlohmann::json logged_json(ChildProcess& child, const std::string& message,
                           std::chrono::milliseconds timeout) {
  nlohmann::json found;
  auto scan = [&] {
    std::istringstream lines(child.log());
    std::string line;
    while (std::getline(lines, line)) {
      auto j = parse_log_line(line);
      if (j.is_object() && j.value("msg", "") == message) {
        found = std::move(j);
        return true;
      }
    }
    return false;
  };
  wait_until([&] { return scan() || !child.running(); }, timeout);
  if (found.is_null()) scan();  // a line written just before the child exited
  return found;
}

nlohmann::json wait_for_json_file(const std::string& path, std::chrono::milliseconds timeout,
                                  ChildProcess* child) {
  nlohmann::json found;
  wait_until(
      [&] {
        std::ifstream in(path);
        if (in) {
          auto j = nlohmann::json::parse(in, nullptr, false);
          if (!j.is_discarded()) {
            found = std::move(j);
            return true;
          }
        }
        return child != nullptr && !child->running();
      },
      timeout);
  return found;
}

bool wait_for_tcp_port(int port, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr = loopback(port);
        bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        close(fd);
        return ok;
      },
      timeout, std::chrono::milliseconds(50));
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/usr/sbin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  for (const char* dir2 : {"/usr/sbin", "/sbin"}) {
    std::string candidate = std::string(dir2) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "eo-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::size_t current_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

CommandResult run_command(const std::string& command_line) {
  TempDir dir;
  std::string command = command_line + " >" + dir.file("out") + " 2>" + dir.file("err");
  CommandResult result;
  int raw = std::system(command.c_str());
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::stringstream out, err;
  out << std::ifstream(dir.file("out")).rdbuf();
  err << std::ifstream(dir.file("err")).rdbuf();
  result.out = out.str();
  result.err = err.str();
  return result;
}

}  // namespace eo::test
