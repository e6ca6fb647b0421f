// Upstream-proxy mode: verbatim relay of lines both ways, request/answer matching by id for the
// events, a cap on outstanding requests, and client-visible errors when the upstream fails.
#include "honeypot/server/upstream_relay.h"

#include "common/bitcoin/hex.h"
#include "common/bitcoin/tx.h"
#include "honeypot/server/params.h"
#include "honeypot/server/recorder.h"
#include "honeypot/server/wire.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>

namespace eo::honeypot::server {

namespace asio = boost::asio;
using Json = nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::microseconds;

namespace {

constexpr auto kNever = Clock::time_point::max();

electrum::ClientLimits upstream_limits(const UpstreamConfig& config, const Profile& profile) {
  electrum::ClientLimits limits;
  // The upstream's lines are bounded like the client's, plus room for ElectrumX's padding.
  limits.max_line_bytes = std::max<std::size_t>(profile.limits.max_line_bytes, 4u << 20);
  limits.max_session_bytes = config.max_session_bytes;
  limits.transcript_bytes = 0;  // the events are the record; keep no copy of the bytes
  limits.read_chunk = 16u << 10;
  return limits;
}

net::ConnectOptions upstream_options(const UpstreamConfig& config, const Profile& profile) {
  net::ConnectOptions options;
  options.host = config.host;
  options.port = config.port;
  options.tls.enabled = config.tls;
  options.connect_timeout = options.tls_timeout = config.connect_timeout;
  // One read waits for the upstream as long as the session waits for its client: a subscribed
  // wallet may hear nothing for minutes.
  options.io_timeout = profile.limits.idle_timeout;
  return options;
}

electrum::ParseLimits relay_parse_limits() {
  electrum::ParseLimits limits;
  limits.max_batch = 1'000'000;  // the line size bounds a batch; the upstream enforces its own
  return limits;
}

// The txid of a raw transaction, when it parses (as methods_chain.cpp records it).
std::string txid_of(const Json& raw) {
  if (!raw.is_string()) return {};
  const auto bytes = bitcoin::from_hex(raw.get_ref<const std::string&>());
  if (!bytes) return {};
  const auto tx = bitcoin::parse_transaction(*bytes);
  return tx ? bitcoin::txid_hex(*tx) : std::string();
}

// Argument `index` of a call given by position or, for named params, by `name`.
const Json* arg(const Json& params, std::size_t index, const char* name) {
  if (params.is_array()) return index < params.size() ? &params[index] : nullptr;
  if (params.is_object()) {
    const auto it = params.find(name);
    return it == params.end() ? nullptr : &*it;
  }
  return nullptr;
}

std::string cut_utf8(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xc0) == 0x80) --limit;
  text.resize(limit);
  return text;
}

std::string reason_of(const net::Failure& failure) {
  return "upstream_" + std::string(net::to_string(failure.outcome));
}

// read_reply() reports an unreadable line as a protocol_error with the line kept; that line is
// the upstream's answer (relayed as it is), not the end of the connection.
bool unreadable_line(const electrum::Reply& reply) {
  return reply.failure.outcome == net::Outcome::protocol_error &&
         reply.failure.detail != "read:line_too_long" &&
         reply.failure.detail != "read:response_too_large";
}

std::string unavailable_line(const WireStyle& style, const Json& id) {
  return finish_line(error_body(style, id, UpstreamRelay::kUnavailableCode, "server unavailable"),
                     style);
}

}  // namespace

UpstreamRelay::UpstreamRelay(asio::any_io_executor executor, const UpstreamConfig& config,
                             const Profile& profile, std::size_t max_params_bytes,
                             SessionState& state, RelayOutput output)
    : executor_(executor),
      config_(config),
      profile_(profile),
      max_params_bytes_(max_params_bytes),
      state_(state),
      output_(std::move(output)),
      client_(executor, upstream_limits(config, profile)),
      wake_writer_(executor),
      wake_reader_(executor) {}

void UpstreamRelay::handle_line(const electrum::FramedLine& line) {
  if (line.oversize) {
    // The framer dropped it: there is nothing to forward (ElectrumX would drop it too).
    ++state_.counts.oversize_lines;
    state_.recorder.request("", nullptr, {}, 0, "drop:oversize_line");
    return;
  }
  if (done_) return;
  const Clock::time_point now = Clock::now();
  electrum::ParsedLine parsed = electrum::parse_line(line.text, relay_parse_limits());
  electrum::Message& message = parsed.message;

  std::size_t requests = 0;
  if (std::holds_alternative<electrum::Request>(message)) requests = 1;
  if (const auto* batch = std::get_if<electrum::Batch>(&message)) {
    for (const auto& element : batch->elements) {
      requests += std::holds_alternative<electrum::Request>(element) ? 1 : 0;
    }
  }
  if (requests > 0 && outstanding_ + requests > config_.max_outstanding) {
    output_.send(busy_reply(message));
    return;
  }

  if (auto* request = std::get_if<electrum::Request>(&message)) {
    track(*request, now);
  } else if (auto* batch = std::get_if<electrum::Batch>(&message)) {
    for (const auto& element : batch->elements) {
      if (const auto* r = std::get_if<electrum::Request>(&element)) {
        track(*r, now);
      } else {
        record_forwarded(element);
      }
    }
  } else if (auto* notification = std::get_if<electrum::Notification>(&message)) {
    record_forwarded(*notification);
  } else if (auto* failure = std::get_if<electrum::ParseFailure>(&message)) {
    ++state_.counts.errors;  // the upstream answers it (or not) as it sees fit
    state_.recorder.request("", nullptr, {}, 0,
                            "forward:" + std::string(electrum::to_string(failure->kind)));
  } else {
    state_.recorder.request("", nullptr, {}, 0, "forward:response");
  }
  std::string bytes(line.text);
  bytes.append(line.crlf ? "\r\n" : "\n");
  queue(std::move(bytes));
}

void UpstreamRelay::track(const electrum::Request& request, Clock::time_point now) {
  ++state_.counts.requests;
  Pending p;
  p.method = request.method;
  if (!request.params.is_null()) p.params_json = bounded_json(request.params, max_params_bytes_);
  p.received = now;
  if (request.method.rfind("blockchain.scripthash.", 0) == 0) {
    if (const Json* sh = arg(request.params, 0, "scripthash")) {
      if (auto hash = hash_arg(*sh)) p.scripthashes.push_back(std::move(*hash));
    }
  } else if (request.method == "server.version") {
    const Json* name = arg(request.params, 0, "client_name");
    if (name != nullptr) {
      p.client_name =
          cut_utf8(name->is_string() ? name->get<std::string>() : value_text(*name), 256);
    }
    if (const Json* range = arg(request.params, 1, "protocol_version")) {
      if (range->is_array() && range->size() == 2) {
        p.protocol_min = value_text((*range)[0]);
        p.protocol_max = value_text((*range)[1]);
      } else if (!range->is_null()) {
        p.protocol_min = p.protocol_max = value_text(*range);
      }
    }
  } else if (request.method == "blockchain.transaction.broadcast") {
    if (const Json* raw = arg(request.params, 0, "raw_tx")) p.txid = txid_of(*raw);
  }
  pending_[request.id.dump()].push_back(std::move(p));
  ++outstanding_;
}

void UpstreamRelay::record_forwarded(const electrum::BatchElement& element) {
  if (const auto* n = std::get_if<electrum::Notification>(&element)) {
    ++state_.counts.requests;
    state_.recorder.request(n->method, &n->params, {}, 0, "forward");
  } else if (std::holds_alternative<electrum::ParseFailure>(element)) {
    ++state_.counts.errors;
    state_.recorder.request("", nullptr, {}, 0, "forward:invalid_batch_element");
  } else {
    state_.recorder.request("", nullptr, {}, 0, "forward:response");
  }
}

std::string UpstreamRelay::busy_reply(const electrum::Message& message) {
  const WireStyle& style = profile_.wire;
  std::vector<std::string> bodies;
  auto refuse = [&](const electrum::Request& r) {
    ++state_.counts.requests;
    ++state_.counts.errors;
    state_.recorder.request(r.method, &r.params, {}, 0, "error:too_many_outstanding");
    bodies.push_back(error_body(style, r.id, kBusyCode, "excessive resource usage"));
  };
  if (const auto* request = std::get_if<electrum::Request>(&message)) {
    refuse(*request);
    return finish_line(std::move(bodies.front()), style);
  }
  for (const auto& element : std::get<electrum::Batch>(message).elements) {
    if (const auto* r = std::get_if<electrum::Request>(&element)) refuse(*r);
  }
  return batch_line(bodies, style);
}

void UpstreamRelay::queue(std::string bytes) {
  // A client that pipelines faster than the upstream reads is held to the reply queue's size.
  if (outgoing_bytes_ + bytes.size() > profile_.limits.send_queue_bytes) {
    fail("upstream_queue_full");
    return;
  }
  outgoing_bytes_ += bytes.size();
  outgoing_.push_back(std::move(bytes));
  wake_writer_.cancel();
}

asio::awaitable<void> UpstreamRelay::writer() {
  for (;;) {
    while (!done_ && outgoing_.empty()) {
      wake_writer_.expires_at(kNever);
      boost::system::error_code ignored;
      co_await wake_writer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    if (done_) co_return;
    if (!connected_) {
      const net::Failure failure = co_await client_.connect(upstream_options(config_, profile_));
      if (done_) co_return;
      if (!failure.ok()) {
        fail(reason_of(failure));
        co_return;
      }
      connected_ = true;
      wake_reader_.cancel();
    }
    std::string bytes = std::move(outgoing_.front());
    outgoing_.pop_front();
    outgoing_bytes_ -= bytes.size();
    while (!outgoing_.empty() && bytes.size() < (256u << 10)) {
      outgoing_bytes_ -= outgoing_.front().size();
      bytes.append(outgoing_.front());
      outgoing_.pop_front();
    }
    const net::Failure failure = co_await client_.send_raw(std::move(bytes));
    if (done_) co_return;
    if (!failure.ok()) {
      fail(reason_of(failure));
      co_return;
    }
  }
}

asio::awaitable<void> UpstreamRelay::reader() {
  while (!done_ && !connected_) {
    wake_reader_.expires_at(kNever);
    boost::system::error_code ignored;
    co_await wake_reader_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  while (!done_) {
    electrum::Reply reply = co_await client_.read_reply();
    if (done_) co_return;
    if (!reply.failure.ok() && !unreadable_line(reply)) {
      fail(reason_of(reply.failure));
      co_return;
    }
    on_upstream_line(reply.line);
    std::string bytes = std::move(reply.line);
    bytes.append(reply.crlf ? "\r\n" : "\n");
    output_.send(std::move(bytes));
  }
}

void UpstreamRelay::on_upstream_line(std::string_view text) {
  electrum::ParsedLine parsed = electrum::parse_line(text, relay_parse_limits());
  auto match = [this](const electrum::Response& response) {
    auto it = pending_.find(response.id.dump());
    if (it == pending_.end()) return;  // id null (an unreadable request) or nothing we sent
    Pending pending = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty()) pending_.erase(it);
    --outstanding_;
    complete(pending, response);
  };
  if (const auto* response = std::get_if<electrum::Response>(&parsed.message)) {
    match(*response);
  } else if (std::holds_alternative<electrum::Notification>(parsed.message)) {
    ++state_.counts.notifications;
  } else if (const auto* batch = std::get_if<electrum::Batch>(&parsed.message)) {
    for (const auto& element : batch->elements) {
      if (const auto* r = std::get_if<electrum::Response>(&element)) match(*r);
    }
  }
}

void UpstreamRelay::complete(Pending& p, const electrum::Response& response) {
  const bool error = response.error.has_value();
  if (error) ++state_.counts.errors;
  if (p.method == "server.version" && !error) {
    state_.version_seen = true;
    state_.client_name = p.client_name;
    state_.recorder.version(p.client_name, p.protocol_min, p.protocol_max, "answer");
  } else if (p.method == "blockchain.transaction.broadcast") {
    const Json* result = response.result ? &*response.result : nullptr;
    if (!error && result != nullptr && result->is_string()) {
      state_.recorder.broadcast(result->get<std::string>(), true, {}, "answer");
    } else {
      const std::string why = error ? response.error->message : "no txid in the answer";
      state_.recorder.broadcast(p.txid, false, why, "error");
    }
  }
  const auto latency = duration_cast<microseconds>(Clock::now() - p.received);
  state_.recorder.request_text(p.method, std::move(p.params_json), std::move(p.scripthashes),
                               static_cast<std::uint64_t>(latency.count()),
                               error ? "error" : "answer");
}

void UpstreamRelay::fail(std::string reason) {
  if (done_) return;
  done_ = true;
  const WireStyle& style = profile_.wire;
  std::string replies;
  const Clock::time_point now = Clock::now();
  for (auto& [id_text, queue] : pending_) {
    const Json id = Json::parse(id_text, nullptr, false);
    for (Pending& p : queue) {
      ++state_.counts.errors;
      const auto latency = duration_cast<microseconds>(now - p.received);
      state_.recorder.request_text(p.method, std::move(p.params_json), std::move(p.scripthashes),
                                   static_cast<std::uint64_t>(latency.count()), "error:" + reason);
      replies.append(unavailable_line(style, id));
    }
  }
  pending_.clear();
  outstanding_ = 0;
  outgoing_.clear();
  outgoing_bytes_ = 0;
  client_.close();
  wake_writer_.cancel();
  wake_reader_.cancel();
  if (!replies.empty()) output_.send(std::move(replies));
  output_.close(std::move(reason));
}

void UpstreamRelay::stop() {
  if (stopped_) return;
  stopped_ = true;
  done_ = true;
  for (auto& [id_text, queue] : pending_) {
    for (Pending& p : queue) {
      const auto latency = duration_cast<microseconds>(Clock::now() - p.received);
      state_.recorder.request_text(p.method, std::move(p.params_json), std::move(p.scripthashes),
                                   static_cast<std::uint64_t>(latency.count()), "unanswered");
    }
  }
  pending_.clear();
  outstanding_ = 0;
  outgoing_.clear();
  outgoing_bytes_ = 0;
  client_.close();
  wake_writer_.cancel();
  wake_reader_.cancel();
}

namespace {

class NoChain final : public chain::Backend {
 public:
  std::int64_t tip_height() const override { return -1; }
  std::optional<std::string> header_hex(std::int64_t) const override { return std::nullopt; }
  std::string genesis_hash() const override { return {}; }
  std::vector<chain::HistoryItem> history(const std::string&) const override { return {}; }
  std::vector<chain::HistoryItem> mempool(const std::string&) const override { return {}; }
  std::vector<chain::Utxo> unspent(const std::string&) const override { return {}; }
  chain::Balance balance(const std::string&) const override { return {}; }
  std::optional<std::string> status(const std::string&) const override { return std::nullopt; }
  std::optional<std::string> transaction_hex(const std::string&) const override {
    return std::nullopt;
  }
  std::optional<chain::MerkleProof> merkle_proof(const std::string&, std::int64_t) const override {
    return std::nullopt;
  }
  chain::BroadcastResult broadcast(const std::string&) override { return {}; }
  double estimate_fee(int) const override { return -1; }
  double relay_fee() const override { return 0; }
  void on_change(std::function<void(const chain::ChainChange&)>) override {}
};

}  // namespace

chain::Backend& no_chain_backend() {
  static NoChain backend;  // stateless: one serves every server
  return backend;
}

UpstreamConfig parse_upstream(std::string_view text) {
  const std::string whole(text);
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("upstream '" + whole + "': " + why +
                                 " (expected HOST:PORT:t or HOST:PORT:s)");
  };
  const auto last = text.rfind(':');
  if (last == std::string_view::npos) throw bad("no :t or :s");
  const std::string_view protocol = text.substr(last + 1);
  if (protocol != "t" && protocol != "s") throw bad("protocol must be t or s");
  const std::string_view host_port = text.substr(0, last);
  const auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos) throw bad("no port");
  std::string_view host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text(host_port.substr(colon + 1));
  if (host.empty()) throw bad("no host");
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    throw bad("bad port");
  }
  const int port = std::stoi(port_text);
  if (port < 1 || port > 65535) throw bad("bad port");
  UpstreamConfig config;
  config.host = std::string(host);
  config.port = static_cast<std::uint16_t>(port);
  config.tls = protocol == "s";
  return config;
}

}  // namespace eo::honeypot::server
