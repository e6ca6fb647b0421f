// The protocol engine of a session: framing outcomes, parse errors, batches, the version-first
// rule, rate limits, cost throttling, method dispatch, reply bytes and REQUEST events.
#include "honeypot/server/dispatch.h"

#include "honeypot/server/methods.h"
#include "honeypot/server/params.h"
#include "honeypot/server/simple_call.h"
#include "honeypot/server/wire.h"

#include <algorithm>
#include <span>

namespace eo::honeypot::server {
namespace {

using Json = nlohmann::json;
using Pairs = std::vector<std::pair<std::string_view, std::string>>;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

// The throttling answers of rate_limit rules, by style (independent of the base profile).
const ErrorSpec kElectrumxThrottle{-101, "excessive resource usage", ErrorAction::reply};
const ErrorSpec kFulcrumThrottle{
    3, "Excessive flood, please throttle your client implementation to not do this",
    ErrorAction::reply};

// Fulcrum quotes the first 80 bytes of a bad line, junk bytes as '?', and cuts errors at 120.
std::string quoted_input(std::string_view line) {
  std::string out(line.substr(0, 80));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u < 0x20 || u == 0x7f) c = '?';
  }
  if (line.size() > 80) out.append("...");
  return out;
}

std::string clamp_message(std::string message, Base base) {
  if (base == Base::fulcrum && message.size() > 120) message.resize(120);
  return message;
}

std::string plural(std::size_t n) { return n == 1 ? "" : "s"; }

// Counts this request against a rate_limit rule; true once it is over the allowance.
bool rate_exceeded(SessionState& s, const RuleAction& rate, Clock::time_point now) {
  if (rate.window.count() > 0 && now - s.window_start >= rate.window) {
    s.window_start = now;
    s.window_requests = 0;
  }
  return ++s.window_requests > rate.after_requests;
}

// The script hash named by a call: what links a session to a wallet.
std::optional<std::string> scripthash_of(std::string_view method, const Json& args) {
  if (method.rfind("blockchain.scripthash.", 0) != 0 || args.empty()) return std::nullopt;
  return hash_arg(args[0]);
}

}  // namespace

struct Dispatcher::Call {
  const Json& id;
  const std::string& method;
  const Json& params;
  bool notification;
};

struct Dispatcher::LineState {
  Clock::time_point received;
  milliseconds delay{0};
  std::string delay_label;  // "+delay:x", "+throttle"
  std::string prefix;       // lines sent before the reply (ElectrumX's crash notifications)
  bool close = false;
  std::string reason;

  void close_for(std::string why) {
    if (!close) reason = std::move(why);
    close = true;
  }
};

Dispatcher::Dispatcher(const Profile& profile, chain::Backend& backend)
    : profile_(profile), backend_(backend) {}

const Rule* Dispatcher::open(SessionState& session) const {
  session.tor_exit = profile_.is_tor_exit(session.peer.ip);
  session.policy = resolve_policy(profile_.rules, PeerFacts{session.peer.ip, session.tor_exit});
  return session.policy.get(ActionKind::refuse);
}

LineOutcome Dispatcher::handle_line(SessionState& s, const electrum::FramedLine& framed) {
  LineState line;
  line.received = Clock::now();
  s.cost.bump_bytes(framed.text.size() + 1, line.received);
  if (const Rule* delay = s.policy.get(ActionKind::delay)) {
    line.delay += delay->action.delay;
    line.delay_label = "+" + delay->label();
  }
  if (const milliseconds throttle = s.cost.throttle_delay(line.received); throttle.count() > 0) {
    line.delay += throttle;
    line.delay_label += "+throttle";
  }

  LineOutcome out;
  if (framed.oversize) {
    // ElectrumX drops a line over its limit without a word and resynchronizes at the next '\n'.
    ++s.counts.oversize_lines;
    s.recorder.request("", nullptr, {}, 0, "drop:oversize_line");
    return out;
  }
  electrum::ParsedLine parsed;
  if (auto simple = parse_simple_call(framed.text)) {
    parsed.message = std::move(*simple);  // not a batch: the default shape says so
  } else {
    electrum::ParseLimits limits;
    limits.max_batch = profile_.limits.batches ? profile_.limits.max_batch : 1'000'000;
    parsed = electrum::parse_line(framed.text, limits);
  }
  const ErrorTable& errors = profile_.errors;
  std::string body;
  if (parsed.shape.batch && !profile_.limits.batches) {
    parse_failure(s, errors.batch_unsupported, framed.text, "batch_unsupported", false, line);
  } else if (auto* failure = std::get_if<electrum::ParseFailure>(&parsed.message)) {
    using K = electrum::ParseErrorKind;
    const std::string kind(electrum::to_string(failure->kind));
    switch (failure->kind) {
      case K::invalid_utf8:
        parse_failure(s, errors.invalid_utf8, framed.text, kind, true, line);
        break;
      case K::not_object:
      case K::invalid_message:
        parse_failure(s, errors.invalid_request, framed.text, kind, false, line);
        break;
      case K::empty_batch:
        parse_failure(s, errors.empty_batch, framed.text, kind, false, line);
        break;
      case K::batch_too_large:
        parse_failure(s, errors.batch_too_large, framed.text, kind, false, line);
        break;
      default:
        parse_failure(s, errors.parse_error, framed.text, kind, true, line);
    }
  } else if (auto* request = std::get_if<electrum::Request>(&parsed.message)) {
    if (auto reply =
            handle_call(s, Call{request->id, request->method, request->params, false}, line)) {
      body = std::move(*reply);
    }
  } else if (auto* notification = std::get_if<electrum::Notification>(&parsed.message)) {
    static const Json kNull;
    handle_call(s, Call{kNull, notification->method, notification->params, true}, line);
  } else if (auto* batch = std::get_if<electrum::Batch>(&parsed.message)) {
    handle_batch(s, *batch, line);  // appends the whole batch reply to line.prefix
  } else {
    // A response from a client: nothing asked for it. Recorded, not answered.
    s.recorder.request("", nullptr, {}, 0, "ignore:response");
  }
  check_excess_errors(s, line);

  if (body.empty()) {
    out.reply = std::move(line.prefix);
  } else if (line.prefix.empty()) {
    out.reply = finish_line(std::move(body), profile_.wire);  // the usual case: no copy
  } else {
    out.reply = std::move(line.prefix);
    out.reply.append(finish_line(std::move(body), profile_.wire));
  }
  out.delay = line.delay;
  out.close = line.close;
  out.close_reason = std::move(line.reason);
  return out;
}

void Dispatcher::parse_failure(SessionState& s, const ErrorSpec& spec, std::string_view input,
                               std::string_view kind, bool parse_error, LineState& line) {
  ++s.counts.errors;
  s.cost.bump(
      profile_.limits.cost.error_cost + (parse_error ? profile_.limits.cost.parse_error_cost : 0),
      line.received);
  const Pairs vars{{"input", quoted_input(input)},
                   {"max", std::to_string(profile_.limits.max_batch)}};
  const auto latency = duration_cast<microseconds>(Clock::now() - line.received + line.delay);
  std::string action = "error:" + std::string(kind);
  if (spec.action == ErrorAction::close) action = "close:" + std::string(kind);
  s.recorder.request("", nullptr, {}, static_cast<std::uint64_t>(latency.count()),
                     action + line.delay_label);
  if (spec.action == ErrorAction::ignore) return;
  if (spec.action != ErrorAction::close) {
    static const Json kNull;
    const std::string message = clamp_message(format_message(spec.message, vars), profile_.base);
    line.prefix.append(
        finish_line(error_body(profile_.wire, kNull, spec.code, message), profile_.wire));
  }
  if (spec.action != ErrorAction::reply) line.close_for(std::string(kind));
}

void Dispatcher::handle_batch(SessionState& s, electrum::Batch& batch, LineState& line) {
  std::vector<std::string> bodies;
  bodies.reserve(batch.elements.size());
  static const Json kNull;
  for (auto& element : batch.elements) {
    if (line.close) break;
    if (auto* request = std::get_if<electrum::Request>(&element)) {
      if (auto body =
              handle_call(s, Call{request->id, request->method, request->params, false}, line)) {
        bodies.push_back(std::move(*body));
      }
    } else if (auto* notification = std::get_if<electrum::Notification>(&element)) {
      handle_call(s, Call{kNull, notification->method, notification->params, true}, line);
    } else if (std::holds_alternative<electrum::ParseFailure>(element)) {
      ++s.counts.errors;
      s.recorder.request("", nullptr, {}, 0, "error:invalid_batch_element");
      const ErrorSpec& spec = profile_.errors.invalid_request;
      if (spec.action == ErrorAction::reply || spec.action == ErrorAction::reply_and_close) {
        bodies.push_back(
            error_body(profile_.wire, kNull, spec.code, format_message(spec.message, {})));
      }
    }
  }
  if (!bodies.empty()) line.prefix.append(batch_line(bodies, profile_.wire));
}

std::optional<std::string> Dispatcher::handle_call(SessionState& s, const Call& call,
                                                   LineState& line) {
  ++s.counts.requests;
  const Clock::time_point now = Clock::now();
  const SessionLimits& limits = profile_.limits;
  MethodContext ctx{s, profile_, backend_};
  static const Json kNoArgs = Json::array();
  Json named;  // args from named params, when given
  const Json* args = call.params.is_array() ? &call.params : &kNoArgs;
  const MethodSpec* spec = find_method(call.method);
  if (spec != nullptr && profile_.disabled_methods.count(call.method) != 0) spec = nullptr;
  if (spec != nullptr && call.params.is_object()) {
    named = Json::array();
    for (const std::string_view name : spec->param_names) {
      const auto it = name.empty() ? call.params.end() : call.params.find(std::string(name));
      if (it == call.params.end()) break;
      named.push_back(*it);
    }
    args = &named;
  }

  Answer answer;
  const Rule* rate = s.policy.get(ActionKind::rate_limit);
  if (limits.version_first && !s.version_seen && call.method != "server.version") {
    if (limits.crash_notifications) {
      // ElectrumX tries to crash old Electrum clients before it answers the error.
      for (const char* m : {"blockchain.relayfee", "blockchain.estimatefee"}) {
        line.prefix.append(finish_line(notification_body(profile_.wire, m, "[]"), profile_.wire));
      }
    }
    const Pairs vars{{"method", call.method}};
    answer = error_answer(profile_.errors.version_first, vars);
    answer.action = "version_first";
  } else if (rate != nullptr && rate_exceeded(s, rate->action, now)) {
    answer =
        error_answer(rate->action.style == Base::fulcrum ? kFulcrumThrottle : kElectrumxThrottle);
    answer.close = rate->action.disconnect;
    answer.action = rate->label();
  } else if (s.cost.over_hard_limit(now)) {
    answer = error_answer(profile_.errors.excessive_cost);
    answer.action = "excessive_cost";
  } else if (spec == nullptr) {
    const Pairs vars{{"method", call.method}};
    answer = error_answer(profile_.errors.unknown_method, vars);
  } else if (args->size() < spec->min_args) {
    const Pairs vars{{"method", call.method},
                     {"got", std::to_string(args->size())},
                     {"need", std::to_string(spec->min_args)},
                     {"s_got", plural(args->size())},
                     {"s_need", plural(spec->min_args)}};
    answer = error_answer(profile_.errors.too_few_args, vars);
  } else if (args->size() > spec->max_args) {
    const Pairs vars{{"method", call.method},
                     {"got", std::to_string(args->size())},
                     {"max", std::to_string(spec->max_args)},
                     {"s_got", plural(args->size())},
                     {"s_max", plural(spec->max_args)}};
    answer = error_answer(profile_.errors.too_many_args, vars);
  } else {
    answer = spec->handler(ctx, *args);
    answer.cost += spec->cost;
  }

  std::optional<std::string> body;
  std::string action = answer.action;
  if (answer.error != nullptr) {
    ++s.counts.errors;
    answer.cost += profile_.limits.cost.error_cost;
    const ErrorAction what = answer.error->action;
    if (action.empty()) action = what == ErrorAction::ignore ? "ignore" : "error";
    if (what == ErrorAction::reply || what == ErrorAction::reply_and_close) {
      const auto code = answer.code ? answer.code : answer.error->code;
      body = error_body(profile_.wire, call.id, code, clamp_message(answer.message, profile_.base));
    }
    if (what == ErrorAction::close || what == ErrorAction::reply_and_close) answer.close = true;
  } else if (!answer.silent) {
    body = result_body(profile_.wire, call.id, answer.result);
  }
  if (action.empty()) action = "answer";
  if (answer.close) {
    line.close_for(action.substr(0, action.find(':')) == "error" ? "error_close" : action);
  }
  s.cost.bump(answer.cost, now);

  const auto latency = duration_cast<microseconds>(Clock::now() - line.received + line.delay);
  const std::optional<std::string> scripthash = scripthash_of(call.method, *args);
  s.recorder.request(call.method, &call.params,
                     scripthash ? std::span(&*scripthash, 1) : std::span<const std::string>(),
                     static_cast<std::uint64_t>(latency.count()), action + line.delay_label);
  if (call.notification) return std::nullopt;  // JSON-RPC: notifications get no reply
  return body;
}

void Dispatcher::check_excess_errors(SessionState& s, LineState& line) {
  const std::int64_t max = profile_.limits.max_excess_errors;
  if (max <= 0 || line.close) return;
  const auto errors = static_cast<std::int64_t>(s.counts.errors);
  if (errors - static_cast<std::int64_t>(s.counts.requests) <= max) return;
  const ErrorSpec& spec = profile_.errors.too_many_errors;
  if (spec.action == ErrorAction::reply || spec.action == ErrorAction::reply_and_close) {
    static const Json kNull;
    line.prefix.append(
        finish_line(error_body(profile_.wire, kNull, spec.code, spec.message), profile_.wire));
  }
  line.close_for("too_many_errors");
}

std::vector<std::string> Dispatcher::notifications(SessionState& s,
                                                   const chain::ChainChange& change,
                                                   StatusCache& cache) {
  std::vector<std::string> lines;
  MethodContext ctx{s, profile_, backend_};
  const Layout layout = profile_.wire.layout;
  if (s.headers_subscribed && change.tip_height != s.notified_height) {
    if (auto header = header_object(ctx, change.tip_height)) {
      const std::string params[] = {std::move(*header)};
      lines.push_back(finish_line(notification_body(profile_.wire, "blockchain.headers.subscribe",
                                                    array_text(params, layout)),
                                  profile_.wire));
      s.notified_height = change.tip_height;
    }
  }
  for (const std::string& sh : change.touched_scripthashes) {
    if (s.scripthashes.count(sh) == 0) continue;
    std::optional<std::string> status;
    if (!s.policy.alters.empty() && s.policy.alter_for(sh) != nullptr) {
      status = scripthash_status(ctx, sh);
    } else {
      auto it = cache.find(sh);
      if (it == cache.end()) it = cache.emplace(sh, backend_.status(sh)).first;
      status = it->second;
    }
    const std::string params[] = {json_string(sh, layout),
                                  status ? json_string(*status, layout) : "null"};
    lines.push_back(finish_line(notification_body(profile_.wire, "blockchain.scripthash.subscribe",
                                                  array_text(params, layout)),
                                profile_.wire));
  }
  s.counts.notifications += lines.size();
  return lines;
}

}  // namespace eo::honeypot::server
