// Shared probe helpers.
#include "agent/probes/probe_util.h"

namespace eo::agent::probes {

json answer_json(const electrum::Reply& reply, bool framing) {
  json out = json::object();
  if (!reply.failure.ok()) {
    out["failure"] = reply.failure.detail;
    out["outcome"] = net::to_string(reply.failure.outcome);
  } else if (reply.error) {
    out["error"] = {{"code", reply.error->code}, {"message", reply.error->message}};
  } else {
    out["result"] = reply.result;
  }
  if (framing && !reply.line.empty()) {
    out["key_order"] = reply.shape.key_order;
    out["crlf"] = reply.crlf;
    out["compact"] = reply.shape.compact;
    out["trailing_whitespace"] = reply.shape.trailing_whitespace;
  }
  return out;
}

json failure_json(const net::Failure& failure) {
  return {{"failure", failure.detail}, {"outcome", net::to_string(failure.outcome)}};
}

}  // namespace eo::agent::probes
