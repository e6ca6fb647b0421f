// metadata: one session, one request per item, each answer (or error) kept under its name.
#include "agent/probes/metadata/metadata.h"

#include "agent/probes/probe_util.h"

namespace eo::agent::probes {

namespace {

struct Item {
  const char* key;
  const char* method;
  json params;
};

std::vector<Item> items(std::int64_t header_height) {
  return {{"features", "server.features", json::array()},
          {"banner", "server.banner", json::array()},
          {"donation_address", "server.donation_address", json::array()},
          {"peers", "server.peers.subscribe", json::array()},
          {"tip", "blockchain.headers.subscribe", json::array()},
          {"header", "blockchain.block.header", json::array({header_height})},
          {"estimatefee", "blockchain.estimatefee", json::array({2})},
          {"relayfee", "blockchain.relayfee", json::array()}};
}

}  // namespace

boost::asio::awaitable<void> Metadata::run(ProbeContext& context) const {
  auto version = co_await context.negotiate_version();
  context.result["version"] = answer_json(version, true);
  if (!version.failure.ok()) {
    context.failure = version.failure;
    co_return;
  }
  for (auto& item : items(context.param_int("header_height", 0))) {
    auto reply = co_await context.call(item.method, std::move(item.params));
    context.result[item.key] = answer_json(reply);
    if (!reply.failure.ok()) {
      context.failure = reply.failure;  // the session is gone; what was answered stays
      co_return;
    }
  }
}

}  // namespace eo::agent::probes
