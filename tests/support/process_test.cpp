// The wait and port helpers themselves: a ClosedPort refuses and cannot be taken, and
// start_listening is not fooled by another process on its candidate port.
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

namespace eo::test {
namespace {

using namespace std::chrono_literals;

int tcp_socket_to(int port, bool do_listen) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  int rc = do_listen ? bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr)
                     : connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc == 0 && do_listen) rc = listen(fd, 4);
  if (rc != 0) {
    const int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

// A listener on `port` in a child (python3), exiting when it cannot bind.
std::vector<std::string> python_listener(int port) {
  return {"python3", "-c",
          "import socket,signal\ns=socket.socket()\ns.bind(('127.0.0.1'," + std::to_string(port) +
              "))\ns.listen()\nsignal.pause()"};
}

TEST(ClosedPort, RefusesConnectionsAndCannotBeTaken) {
  ClosedPort closed;
  ASSERT_GT(closed.port(), 0);
  EXPECT_EQ(tcp_socket_to(closed.port(), false), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  EXPECT_EQ(tcp_socket_to(closed.port(), true), -1) << "another socket bound the held port";
}

TEST(WaitUntil, ReturnsAsSoonAsTheConditionHoldsAndFalseAfterTheTimeout) {
  std::atomic<bool> flag{false};
  std::thread setter([&] {
    wait_until([] { return false; }, 100ms);
    flag = true;
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_until([&] { return flag.load(); }, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  setter.join();
  start = std::chrono::steady_clock::now();
  EXPECT_FALSE(wait_until([] { return false; }, 100ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
}

TEST(StartListening, RetriesWhenAnotherProcessHoldsTheCandidatePort) {
  EO_SKIP_UNLESS_CI(find_program("python3").empty(), "python3 not installed");
  TempDir dir;
  int attempts = 0;
  int squatter = -1;
  int taken = 0;
  auto started = start_listening(
      [&](int port) {
        if (++attempts == 1) {  // someone else takes the candidate first: the child cannot bind
          squatter = tcp_socket_to(port, true);
          taken = squatter >= 0 ? port : 0;
        }
        return python_listener(port);
      },
      dir.file("listener.log"), 10s);
  if (squatter >= 0) close(squatter);
  ASSERT_NE(taken, 0) << "the squatter could not bind the candidate";
  ASSERT_NE(started.port, 0) << started.process->log();
  EXPECT_EQ(attempts, 2);
  EXPECT_NE(started.port, taken);
  EXPECT_TRUE(child_listens_on(started.process->pid(), started.port));
  EXPECT_TRUE(wait_for_tcp_port(started.port, 1s));
}

TEST(LoggedJson, FindsTheLineByMessage) {
  TempDir dir;
  ChildProcess child(
      {"sh", "-c", "echo plain; echo '{\"msg\":\"other\"}'; echo '{\"msg\":\"up\",\"port\":42}'"},
      dir.file("log"));
  auto line = logged_json(child, "up", 10s);
  ASSERT_TRUE(line.is_object()) << child.log();
  EXPECT_EQ(line.value("port", 0), 42);
  EXPECT_TRUE(logged_json(child, "never", 10s).is_null());  // the child has exited: no wait
}

TEST(LoggedJson, ReadsTextLinesToo) {
  auto line = parse_log_line(
      "2026-12-07T13:02:06.726700Z info probe: metrics listening address=127.0.0.1:0 port=44817 "
      "detail=two words flushed=true");
  ASSERT_TRUE(line.is_object());
  EXPECT_EQ(line["msg"], "metrics listening");
  EXPECT_EQ(line["component"], "probe");
  EXPECT_EQ(line["address"], "127.0.0.1:0");
  EXPECT_EQ(line["port"], 44817);
  EXPECT_EQ(line["detail"], "two words");
  EXPECT_EQ(line["flushed"], true);
  EXPECT_TRUE(parse_log_line("[3/40] latency tcp://x ok").is_null());
}

}  // namespace
}  // namespace eo::test
