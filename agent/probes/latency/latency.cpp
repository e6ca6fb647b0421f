// latency: repeated server.ping round trips on one session, then fresh connection times.
#include "agent/probes/latency/latency.h"

#include "agent/probes/probe_util.h"

#include <algorithm>

namespace eo::agent::probes {

namespace {

json stats(std::vector<std::int64_t> values) {
  json out = {{"samples", values}};
  if (values.empty()) return out;
  std::sort(values.begin(), values.end());
  out["min"] = values.front();
  out["median"] = values[values.size() / 2];
  out["max"] = values.back();
  return out;
}

json no_params() { return json::array(); }

}  // namespace

boost::asio::awaitable<void> Latency::run(ProbeContext& context) const {
  auto version = co_await context.negotiate_version();
  if (!version.failure.ok()) {
    context.failure = version.failure;
    co_return;
  }
  std::vector<std::int64_t> rtts;
  for (std::int64_t i = 0; i < context.param_int("pings", 5); ++i) {
    auto reply = co_await context.call("server.ping", no_params());
    if (!reply.failure.ok()) {
      context.failure = reply.failure;
      break;
    }
    rtts.push_back(reply.rtt.count());
  }
  context.result["ping_rtt_us"] = stats(rtts);
  std::vector<std::int64_t> connects;
  for (std::int64_t i = 0; i < context.param_int("connects", 3); ++i) {
    net::Failure failure;
    auto session = co_await context.open_session(failure);
    if (!failure.ok()) continue;
    connects.push_back(session->connection().timings().connect.count());
    session->close();
  }
  context.result["connect_us"] = stats(connects);
  context.result["first_connect_us"] = context.session().connection().timings().connect.count();
}

}  // namespace eo::agent::probes
