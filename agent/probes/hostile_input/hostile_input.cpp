// hostile_input: malformed and oversize input, one fresh session per case, then a ping to see
// whether the server kept the session.
#include "agent/probes/hostile_input/hostile_input.h"

#include "agent/probes/probe_util.h"

namespace eo::agent::probes {

namespace {

struct Case {
  std::string name;
  std::string bytes;
};

std::string request(int id, std::string_view method, const json& params) {
  return electrum::make_request(id, method, params);
}

std::string batch_of_pings(int count) {
  std::vector<electrum::Call> calls;
  for (int i = 0; i < count; ++i) calls.push_back({json(2000 + i), "server.ping", json::array()});
  return electrum::make_batch(calls);
}

std::vector<Case> cases(std::int64_t oversize_bytes) {
  std::string huge(static_cast<std::size_t>(oversize_bytes), 'a');
  return {
      {"unknown_method", request(1001, "eo.no_such_method", json::array())},
      {"wrong_arguments", request(1002, "blockchain.scripthash.get_balance", json::array())},
      {"invalid_scripthash",
       request(1003, "blockchain.scripthash.get_balance", json::array({"zz"}))},
      {"parse_error", "{\n"},
      {"empty_batch", "[]\n"},
      {"batch_25", batch_of_pings(25)},
      {"batch_400", batch_of_pings(400)},
      {"oversize", request(1004, "server.ping", json::array({huge}))},
  };
}

json ping_params() { return json::array(); }

json case_result(const electrum::Reply& reply, bool alive) {
  json out = answer_json(reply, true);
  out["alive_after"] = alive;
  return out;
}

}  // namespace

boost::asio::awaitable<void> HostileInput::run(ProbeContext& context) const {
  // On the runtime's session: a method before server.version (ElectrumX refuses and hangs up).
  auto early = co_await context.call("server.features", ping_params());
  bool alive = false;
  if (early.failure.ok()) {
    auto version = co_await context.negotiate_version();
    alive = version.failure.ok();
  }
  context.result["method_before_version"] = case_result(early, alive);

  for (auto& c : cases(context.param_int("oversize_bytes", 1'100'000))) {
    net::Failure failure;
    auto session = co_await context.open_session(failure);
    if (!failure.ok()) {
      context.result[c.name] = failure_json(failure);
      continue;
    }
    auto version = co_await session->call("server.version", version_params(context.profile()));
    auto sent = context.elapsed_us();
    electrum::Reply reply;
    reply.failure = co_await session->send_raw(std::move(c.bytes));
    if (reply.failure.ok()) reply = co_await session->read_reply();
    context.record(exchange_of(c.name, reply, sent));
    bool still_alive = false;
    if (reply.failure.ok()) {
      co_await context.pace();
      still_alive = (co_await session->call("server.ping", ping_params())).failure.ok();
    }
    context.result[c.name] = case_result(reply, still_alive);
    session->close();
  }
}

}  // namespace eo::agent::probes
