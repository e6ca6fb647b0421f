// broadcast_check: two broadcasts that no node can accept, each answer kept verbatim (bounded),
// then a ping to see whether the server kept the session.
#include "agent/probes/broadcast_check/broadcast_check.h"

#include "agent/probes/probe_util.h"
#include "common/bitcoin/hex.h"
#include "common/bitcoin/tx.h"

namespace eo::agent::probes {

namespace {

// A phishing text is a sentence or two; this keeps it whole while a hostile server cannot bloat
// the observation (the raw transcript keeps the bytes).
constexpr std::size_t kMaxText = 2048;

// Cuts at a UTF-8 character boundary so that the JSON stays valid.
std::string bounded(const std::string& text, bool& truncated) {
  truncated = text.size() > kMaxText;
  if (!truncated) return text;
  std::size_t end = kMaxText;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

json case_result(const electrum::Reply& reply, bool alive) {
  json out = answer_json(reply, true);
  bool truncated = false;
  if (reply.failure.ok() && reply.error) {
    out["error"]["message"] = bounded(reply.error->message, truncated);
  } else if (reply.failure.ok()) {
    std::string text = reply.result.is_string()
                           ? reply.result.get<std::string>()
                           : reply.result.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > kMaxText) out["result"] = bounded(text, truncated);
  } else if (!reply.line.empty()) {
    // A line that is no JSON-RPC reply (EPS's bare error string, say): the text is the finding.
    out["line"] = bounded(reply.line, truncated);
  }
  if (truncated) out["truncated"] = true;
  out["alive_after"] = alive;
  return out;
}

struct Case {
  const char* name;
  std::string tx_hex;
};

std::vector<Case> cases() {
  return {{"undecodable", undecodable_transaction_hex()},
          {"unspendable", unspendable_transaction_hex()}};
}

json broadcast_params(std::string tx_hex) { return json::array({std::move(tx_hex)}); }

}  // namespace

std::string undecodable_transaction_hex() {
  // Valid hex, but the version field is cut short: no transaction decodes from it.
  return "deadbeef";
}

std::string unspendable_transaction_hex() {
  // Well formed, and invalid three times over: its outpoint names a transaction that does not
  // exist, its signature is not DER and its public key is not a curve point, and its only output
  // is a zero-value OP_RETURN that nobody could spend even if the rest were valid.
  bitcoin::TxIn in;
  in.prevout.txid.fill(0xe0);
  in.prevout.vout = 7;
  bitcoin::Bytes sig(71, 0x00);
  bitcoin::Bytes pubkey(33, 0x00);
  in.script_sig.push_back(static_cast<std::uint8_t>(sig.size()));
  in.script_sig.insert(in.script_sig.end(), sig.begin(), sig.end());
  in.script_sig.push_back(static_cast<std::uint8_t>(pubkey.size()));
  in.script_sig.insert(in.script_sig.end(), pubkey.begin(), pubkey.end());
  bitcoin::TxOut out;
  const std::string tag = "electrum-observatory broadcast_check";
  out.script_pubkey = {0x6a, static_cast<std::uint8_t>(tag.size())};  // OP_RETURN <tag>
  out.script_pubkey.insert(out.script_pubkey.end(), tag.begin(), tag.end());
  bitcoin::Transaction tx;
  tx.inputs.push_back(std::move(in));
  tx.outputs.push_back(std::move(out));
  return bitcoin::to_hex(bitcoin::serialize(tx));
}

boost::asio::awaitable<void> BroadcastCheck::run(ProbeContext& context) const {
  auto version = co_await context.negotiate_version();
  context.result["version"] = answer_json(version, true);
  if (!version.failure.ok()) {
    context.failure = version.failure;
    co_return;
  }

  // The first case runs on the runtime's session; when the server drops it, the second gets a
  // fresh one (EPS, for one, disconnects on a bad transaction).
  std::unique_ptr<electrum::Client> own;
  bool alive = true;
  for (auto& c : cases()) {
    if (!alive) {
      net::Failure failure;
      co_await context.pace();
      own = co_await context.open_session(failure);
      if (failure.ok()) {
        failure = (co_await own->call("server.version", version_params(context.profile()))).failure;
      }
      if (!failure.ok()) {
        context.result[c.name] = failure_json(failure);
        continue;
      }
    }
    electrum::Client& session = own ? *own : context.session();
    co_await context.pace();
    auto sent = context.elapsed_us();
    auto reply =
        co_await session.call("blockchain.transaction.broadcast", broadcast_params(c.tx_hex));
    context.record(exchange_of("blockchain.transaction.broadcast", reply, sent));
    alive = false;
    if (reply.failure.ok()) {
      co_await context.pace();
      sent = context.elapsed_us();
      auto ping = co_await session.call("server.ping", json::array());
      context.record(exchange_of("server.ping", ping, sent));
      alive = ping.failure.ok();
    }
    context.result[c.name] = case_result(reply, alive);
  }
  if (own) own->close();
}

}  // namespace eo::agent::probes
