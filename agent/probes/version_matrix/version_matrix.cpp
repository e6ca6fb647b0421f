// version_matrix: one fresh session per variant, because a server takes server.version once.
#include "agent/probes/version_matrix/version_matrix.h"

#include "agent/probes/probe_util.h"

namespace eo::agent::probes {

namespace {

struct Variant {
  std::string name;
  json params;
};

std::vector<Variant> variants(const ClientProfileSpec& profile) {
  const std::string& client = profile.client_name;
  return {{"single_1.4", json::array({client, "1.4"})},
          {"too_old", json::array({client, json::array({"1.0", "1.1"})})},
          {"too_new", json::array({client, json::array({"9.0", "9.9"})})},
          {"no_params", json::array()}};
}

}  // namespace

boost::asio::awaitable<void> VersionMatrix::run(ProbeContext& context) const {
  // The profile's own range on the runtime's session, then the same request again: ElectrumX
  // refuses a second server.version.
  auto first = co_await context.negotiate_version();
  context.result["profile"] = answer_json(first, true);
  if (!first.failure.ok()) {
    context.failure = first.failure;
    co_return;
  }
  auto again = co_await context.negotiate_version();
  context.result["twice"] = answer_json(again, true);

  for (auto& variant : variants(context.profile())) {
    net::Failure failure;
    auto session = co_await context.open_session(failure);
    if (!failure.ok()) {
      context.result[variant.name] = failure_json(failure);
      continue;
    }
    auto sent = context.elapsed_us();
    auto reply = co_await session->call("server.version", std::move(variant.params));
    context.record(exchange_of("server.version/" + variant.name, reply, sent));
    context.result[variant.name] = answer_json(reply, true);
    session->close();
  }
}

}  // namespace eo::agent::probes
