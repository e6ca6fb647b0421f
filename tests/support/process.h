// Test helpers for real external programs (openssl s_server, danted, tor, redis-server): start
// them, wait for their port, and always stop them, also when the test fails.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <sys/types.h>

namespace eo::test {

class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH) with stdout+stderr appended to log_path.
  ChildProcess(std::vector<std::string> argv, std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // SIGTERM, then SIGKILL after `grace`; reaps the child.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  std::string log() const;
  // Once reaped: its exit code, or 128 + the signal that ended it (as a shell says); -1 before.
  int exit_code() const { return exit_code_; }

 private:
  void reaped(int status);
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_path_;
};

// What a finished command printed and its exit status (-1: it did not exit normally).
struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs `command_line` through the shell, waiting for it; stdout and stderr captured apart.
CommandResult run_command(const std::string& command_line);

// How tests wait (docs/layout.md, "How tests wait"): never a bare sleep. The one bounded poll:
// true as soon as `condition` holds, false once `timeout` has passed without it. Every other
// wait in the C++ tests awaits a real event through this, a future, or a condition variable.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(20));

// True once something accepts on 127.0.0.1:port.
bool wait_for_tcp_port(int port, std::chrono::milliseconds timeout);

// Ports. A port is never found free and bound later (someone else can take it meanwhile):
// - a port where nothing listens (connection refused): ClosedPort holds it bound, unlistened;
// - our own binary's listeners: start them on port 0 and read the port back from the startup
//   log line (logged_json) or the ready file (wait_for_json_file);
// - external servers that need a number (redis-server, danted, openssl s_server):
//   start_listening retries with another port when the child did not get the one it was given.

// 127.0.0.1:port() bound without listen() for the object's lifetime: connections are refused
// and nobody else can bind the port meanwhile.
class ClosedPort {
 public:
  ClosedPort();
  ~ClosedPort();
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// True when the child's process group holds a listening TCP socket on `port` (any address).
bool child_listens_on(pid_t pid, int port);

// An external server started on a port of its own: argv_for(port) is its command line. Tries a
// candidate port; when the child exits or another process holds the port instead, stops it and
// tries another, `attempts` times; the last attempt's log is kept in log_path.
struct ListeningChild {
  std::unique_ptr<ChildProcess> process;
  int port = 0;  // 0: no attempt came up (process holds the last one, for its log)
};
ListeningChild start_listening(const std::function<std::vector<std::string>(int port)>& argv_for,
                               const std::string& log_path, std::chrono::milliseconds timeout,
                               int attempts = 5);
// A throwaway redis-server on 127.0.0.1 (no snapshots, no append log; its files and the log
// redis.log in `dir`), started by start_listening.
ListeningChild start_redis(const std::string& dir, std::chrono::milliseconds timeout);

// One line of our binaries' log as JSON: a JSON line as is, a text line ("TS LEVEL COMPONENT:
// MESSAGE key=value ...") as {ts, level, component, msg, key: value...} with values parsed as
// JSON where they parse (numbers, true/false). Null when the line is neither.
nlohmann::json parse_log_line(const std::string& line);
// The first log line of `child` whose "msg" is `message`, once it appears (either log format);
// null after `timeout` or when the child exits first.
nlohmann::json logged_json(ChildProcess& child, const std::string& message,
                           std::chrono::milliseconds timeout);
// The JSON document in `path` once it exists and parses (ready files are renamed into place);
// null after `timeout`, or as soon as `child` (when given) has exited.
nlohmann::json wait_for_json_file(const std::string& path, std::chrono::milliseconds timeout,
                                  ChildProcess* child = nullptr);
// The whole path of a program in PATH, or empty.
std::string find_program(const std::string& name);

// CI=true in the environment: every test must run there, so a missing tool is a failure.
bool in_ci();

// Skips the current test when `missing` (a tool, a package), except under CI=true, where it
// fails it: CI installs every tool, and a skip there would keep a green run that tested nothing.
#define EO_SKIP_UNLESS_CI(missing, why)                                                     \
  do {                                                                                      \
    if (missing) {                                                                          \
      if (::eo::test::in_ci()) FAIL() << why << " (CI=true: every tool must be installed)"; \
      GTEST_SKIP() << why;                                                                  \
    }                                                                                       \
  } while (0)

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Resident set size of this process in bytes.
std::size_t current_rss_bytes();

}  // namespace eo::test
