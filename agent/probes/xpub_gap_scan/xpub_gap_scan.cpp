// xpub_gap_scan: subscribe to a gap-limit window of an account's scripts, in the order and shape
// an Electrum wallet uses, timing each request.
#include "agent/probes/xpub_gap_scan/xpub_gap_scan.h"

#include "agent/probes/canary_keys.h"
#include "agent/probes/probe_util.h"
#include "agent/probes/test_vectors.h"

#include <stdexcept>

namespace eo::agent::probes {

namespace {

struct Plan {
  std::string xpub;
  std::string source;
  bitcoin::OutputType type;
  std::vector<DerivedScript> scripts;
};

Plan make_plan(const ProbeContext& context) {
  auto type_name = context.param("type", "p2wpkh");
  auto type = parse_output_type(type_name);
  if (!type) throw std::invalid_argument("xpub_gap_scan: unknown type '" + type_name + "'");
  Plan plan;
  plan.type = *type;
  plan.xpub = context.param("xpub", "");
  plan.source = "param";
  const auto key = plan.xpub.empty() ? canary_key_of(context) : std::nullopt;
  if (key) {
    plan.xpub = canary::canary_account(*key, *type).to_string();
    plan.source = "canary";
  } else if (plan.xpub.empty()) {
    const TestAccount* account = test_account(*type);
    plan.xpub = std::string(account->xpub);
    plan.source = std::string(account->source);
  }
  auto receive = derive_scripthashes(plan.xpub, plan.type, 0,
                                     static_cast<std::uint32_t>(context.param_int("receive", 20)));
  auto change = derive_scripthashes(plan.xpub, plan.type, 1,
                                    static_cast<std::uint32_t>(context.param_int("change", 10)));
  plan.scripts = std::move(receive);
  plan.scripts.insert(plan.scripts.end(), change.begin(), change.end());
  return plan;
}

// The window's labels ("p2wpkh/0/5") as issued canaries.
json issued_canaries(const Plan& plan) {
  json out = json::array();
  const std::string type(bitcoin::to_string(plan.type));
  for (const auto& s : plan.scripts) {
    out.push_back(issued_canary_json(s.scripthash, type + "/" + s.path));
  }
  return out;
}

json scripthash_params(const std::string& scripthash) { return json::array({scripthash}); }

json entry(const DerivedScript& script, const electrum::Reply& reply) {
  json out = answer_json(reply);
  out["path"] = script.path;
  out["scripthash"] = script.scripthash;
  out["rtt_us"] = reply.rtt.count();
  return out;
}

}  // namespace

boost::asio::awaitable<void> XpubGapScan::run(ProbeContext& context) const {
  Plan plan = make_plan(context);
  context.result["source"] = plan.source;
  context.result["type"] = std::string(bitcoin::to_string(plan.type));
  // Recorded before any request: a canary counts as issued once the session may have sent it.
  if (plan.source == "canary") {
    context.result["xpub"] = plan.xpub;
    context.result["canaries"] = issued_canaries(plan);
  }
  auto version = co_await context.negotiate_version();
  if (!version.failure.ok()) {
    context.failure = version.failure;
    co_return;
  }
  json scripts = json::array();
  int with_history = 0;
  for (const auto& script : plan.scripts) {
    auto reply = co_await context.call("blockchain.scripthash.subscribe",
                                       scripthash_params(script.scripthash));
    scripts.push_back(entry(script, reply));
    if (!reply.failure.ok()) {
      context.failure = reply.failure;
      break;
    }
    if (reply.result.is_string()) ++with_history;
  }
  context.result["scripts"] = std::move(scripts);
  context.result["with_history"] = with_history;
}

}  // namespace eo::agent::probes
