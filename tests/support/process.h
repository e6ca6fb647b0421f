// Test helpers for real external programs (openssl s_server, danted, tor, redis-server): start
// them, wait for their port, and always stop them, also when the test fails.
#pragma once

#include <chrono>
#include <string>
#include <vector>

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

 private:
  pid_t pid_ = -1;
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

// A loopback TCP port free at the time of the call.
int free_tcp_port();
// True once something accepts on 127.0.0.1:port.
bool wait_for_tcp_port(int port, std::chrono::milliseconds timeout);
// The whole path of a program in PATH, or empty.
std::string find_program(const std::string& name);

// CI=true in the environment: every test must run there, so a missing tool is a failure.
bool in_ci();

// Skips the current test when `missing` (a tool, a package), except under CI=true, where it
// fails it: CI installs every tool, and a skip there would keep a green run that tested nothing.
#define EO_SKIP_UNLESS_CI(missing, why)                                          \
  do {                                                                           \
    if (missing) {                                                               \
      if (::eo::test::in_ci()) FAIL() << why << " (CI=true: every tool must be installed)"; \
      GTEST_SKIP() << why;                                                       \
    }                                                                            \
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
