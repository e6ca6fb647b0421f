// ProbeContext: paced, recorded requests over the runtime's session.
#include "agent/runtime/probe_context.h"

#include <charconv>

namespace eo::agent {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::microseconds;

namespace {
// Per-exchange copy of the result: enough to compare servers, bounded against huge replies (the
// raw transcript keeps the bytes).
constexpr std::size_t kMaxResultJson = 4096;
}  // namespace

ExchangeRecord exchange_of(std::string method, const electrum::Reply& reply,
                           std::int64_t sent_offset_us) {
  ExchangeRecord record;
  record.method = std::move(method);
  record.sent_offset_us = sent_offset_us;
  record.rtt_us = reply.rtt.count();
  record.outcome = reply.outcome();
  record.failure = reply.failure.detail;
  record.error = reply.error;
  if (!reply.result.is_null()) {
    record.result_json =
        reply.result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (record.result_json.size() > kMaxResultJson) record.result_json.resize(kMaxResultJson);
  }
  record.response_bytes = static_cast<std::uint32_t>(reply.line.size());
  return record;
}

json version_params(const ClientProfileSpec& profile) {
  json range = profile.protocol_max.empty()
                   ? json(profile.protocol_min)
                   : json::array({profile.protocol_min, profile.protocol_max});
  return json::array({profile.client_name, range});
}

ProbeContext::ProbeContext(std::unique_ptr<electrum::Client> session, SessionFactory open_session,
                           Pacer pace, ClientProfileSpec profile,
                           std::map<std::string, std::string> params)
    : session_(std::move(session)),
      open_session_(std::move(open_session)),
      pace_(std::move(pace)),
      profile_(std::move(profile)),
      params_(std::move(params)) {}

std::string ProbeContext::param(const std::string& key, const std::string& fallback) const {
  auto it = params_.find(key);
  return it == params_.end() ? fallback : it->second;
}

std::int64_t ProbeContext::param_int(const std::string& key, std::int64_t fallback) const {
  auto it = params_.find(key);
  if (it == params_.end()) return fallback;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (ec != std::errc() || end != it->second.data() + it->second.size()) {
    throw std::invalid_argument("probe param " + key + "='" + it->second + "' is not an integer");
  }
  return value;
}

std::int64_t ProbeContext::elapsed_us() const {
  return duration_cast<microseconds>(net::Clock::now() - started_).count();
}

void ProbeContext::record(ExchangeRecord record) { exchanges_.push_back(std::move(record)); }

asio::awaitable<electrum::Reply> ProbeContext::call(std::string method, json params) {
  co_await pace_();
  auto sent = elapsed_us();
  electrum::Reply reply = co_await session_->call(method, std::move(params));
  record(exchange_of(std::move(method), reply, sent));
  co_return reply;
}

asio::awaitable<electrum::Reply> ProbeContext::negotiate_version() {
  co_return co_await call("server.version", version_params(profile_));
}

asio::awaitable<electrum::BatchReply> ProbeContext::call_batch(std::vector<electrum::Call> calls) {
  for (std::size_t i = 0; i < calls.size(); ++i) co_await pace_();
  auto sent = elapsed_us();
  std::string label = "batch[" + std::to_string(calls.size()) + "]";
  electrum::BatchReply batch = co_await session_->call_batch(std::move(calls));
  electrum::Reply summary;
  summary.failure = batch.failure;
  summary.error = batch.error;
  summary.rtt = batch.rtt;
  summary.line = batch.line;
  record(exchange_of(std::move(label), summary, sent));
  co_return batch;
}

asio::awaitable<electrum::Reply> ProbeContext::raw(std::string label, std::string bytes) {
  co_await pace_();
  auto sent = elapsed_us();
  electrum::Reply reply;
  reply.failure = co_await session_->send_raw(std::move(bytes));
  if (reply.failure.ok()) reply = co_await session_->read_reply();
  record(exchange_of(std::move(label), reply, sent));
  co_return reply;
}

asio::awaitable<std::unique_ptr<electrum::Client>> ProbeContext::open_session(
    net::Failure& failure) {
  co_await pace_();
  co_return co_await open_session_(failure);
}

}  // namespace eo::agent
