#include "cli/local_vantages.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace eo::cli {

std::pair<std::string, std::string> split_host_port(const std::string& text,
                                                    const std::string& option) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() ||
      text.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
    throw std::invalid_argument(option + " " + text + ": expected HOST:PORT");
  }
  std::string host = text.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, text.substr(colon + 1)};
}

bool tcp_reachable(const std::string& host_port, std::chrono::milliseconds timeout) {
  auto [host, port] = split_host_port(host_port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return false;
  bool reachable = false;
  for (addrinfo* a = found; a && !reachable; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      reachable = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int error = 0;
      socklen_t length = sizeof error;
      reachable = ::poll(&p, 1, int(timeout.count())) == 1 &&
                  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return reachable;
}

std::vector<agent::Vantage> local_vantages(bool tor, const TorAccess& access) {
  std::vector<agent::Vantage> vantages(1);
  vantages[0].id = "clearnet";
  vantages[0].region = "local";
  vantages[0].provider = "local";
  if (!tor) return vantages;
  auto [host, port] = split_host_port(access.socks);
  agent::Vantage onion_route;
  onion_route.id = "tor";
  onion_route.region = "local";
  onion_route.provider = "tor";
  onion_route.tor = true;
  onion_route.socks_host = host;
  onion_route.socks_port = static_cast<std::uint16_t>(std::stoul(port));
  if (!access.control.empty()) {
    auto [control_host, control_port] = split_host_port(access.control, "--tor-control");
    onion_route.tor_control_host = control_host;
    onion_route.tor_control_port = static_cast<std::uint16_t>(std::stoul(control_port));
    onion_route.tor_cookie_file = access.cookie;
  }
  vantages.push_back(onion_route);
  return vantages;
}

}  // namespace eo::cli
