// The store factory: parses the URL once, here, so each backend gets checked parts.
#include "common/store/factory.h"

#include "common/store/redis/redis_store.h"
#include "common/store/sqlite/sqlite_store.h"

#include <charconv>
#include <stdexcept>

namespace eo::store {
namespace {

[[noreturn]] void bad(const std::string& url, const std::string& why) {
  throw std::invalid_argument("store URL '" + url + "': " + why +
                              " (expected sqlite:PATH or redis://HOST:PORT[/PREFIX])");
}

}  // namespace

StoreUrl parse_store_url(const std::string& url) {
  StoreUrl out;
  if (url.starts_with("sqlite:")) {
    out.kind = StoreUrl::Kind::sqlite;
    out.path = url.substr(7);
    if (out.path.empty()) bad(url, "no path");
    return out;
  }
  if (!url.starts_with("redis://")) bad(url, "unknown scheme");
  out.kind = StoreUrl::Kind::redis;
  std::string rest = url.substr(8);
  std::string hostport = rest;
  out.prefix = "eo";
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    out.prefix = rest.substr(slash + 1);
    if (out.prefix.empty()) bad(url, "empty prefix after '/'");
  }
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos || colon == 0) bad(url, "HOST:PORT required");
  out.host = hostport.substr(0, colon);
  std::string port = hostport.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (ec != std::errc() || end != port.data() + port.size() || out.port < 1 || out.port > 65535) {
    bad(url, "port must be 1-65535");
  }
  return out;
}

std::unique_ptr<StateStore> make_store(const std::string& url) {
  StoreUrl parsed = parse_store_url(url);
  try {
    if (parsed.kind == StoreUrl::Kind::sqlite) {
      return std::make_unique<sqlite::SqliteStore>(parsed.path);
    }
    return std::make_unique<redis::RedisStore>(parsed.host, parsed.port, parsed.prefix);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("store URL '" + url + "': " + e.what());
  }
}

}  // namespace eo::store
