// Client: request/response matching and bounded reading over one Connection.
#include "common/electrum/client.h"

#include <memory>

namespace eo::electrum {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::microseconds;

namespace {

net::Failure protocol_failure(std::string_view reason) {
  return net::make_failure(net::Outcome::protocol_error, net::Stage::read, reason);
}

bool id_matches(const nlohmann::json& id, std::int64_t expected) {
  return id.is_number_integer() && id.get<std::int64_t>() == expected;
}

// Fills a Reply from a parsed Response.
void take_response(Reply& reply, Response& response) {
  reply.error = std::move(response.error);
  if (response.result) reply.result = std::move(*response.result);
}

nlohmann::json notification_summary(const Notification& notification) {
  return {{"method", notification.method}, {"params", notification.params}};
}

// A batch read as a raw reply: per element its result, or its error, or why it is unusable.
nlohmann::json batch_summary(const Batch& batch) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& element : batch.elements) {
    if (const auto* response = std::get_if<Response>(&element)) {
      if (response->error) {
        out.push_back(
            {{"error", {{"code", response->error->code}, {"message", response->error->message}}}});
      } else {
        out.push_back({{"result", response->result.value_or(nullptr)}});
      }
    } else if (const auto* failure = std::get_if<ParseFailure>(&element)) {
      out.push_back({{"invalid", to_string(failure->kind)}});
    } else {
      out.push_back({{"invalid", "not_a_response"}});
    }
  }
  return out;
}

// One read buffer per thread instead of one per session: Connection::read_some fills it only as
// it returns, and the bytes are framed before anything else runs on the thread. Its size is
// fixed, because reads suspended with a span of it must not see it move when another session
// asks for more; a larger read_chunk reads in pieces of this size.
constexpr std::size_t kSharedReadBytes = 64 << 10;

std::span<char> shared_read_buffer(std::size_t size) {
  thread_local std::unique_ptr<char[]> buffer(new char[kSharedReadBytes]);
  return {buffer.get(), std::min(size, kSharedReadBytes)};
}

}  // namespace

net::Outcome Reply::outcome() const {
  if (!failure.ok()) return failure.outcome;
  return error ? net::Outcome::rpc_error : net::Outcome::ok;
}

Client::Client(asio::any_io_executor executor, ClientLimits limits)
    : limits_(limits),
      connection_(std::move(executor)),
      framer_(limits.max_line_bytes, OverflowPolicy::stop),
      transcript_(limits.transcript_bytes) {}

asio::awaitable<net::Failure> Client::connect(net::ConnectOptions options) {
  co_return co_await connection_.connect(std::move(options));
}

std::optional<microseconds> Client::first_byte() const {
  if (!first_sent_ || !first_received_ || *first_received_ < *first_sent_) return std::nullopt;
  return duration_cast<microseconds>(*first_received_ - *first_sent_);
}

asio::awaitable<net::Failure> Client::write(std::string bytes) {
  if (!first_sent_) first_sent_ = net::Clock::now();
  transcript_.sent(bytes);
  co_return co_await connection_.write_all(bytes);
}

asio::awaitable<net::Failure> Client::send_raw(std::string bytes) {
  co_return co_await write(std::move(bytes));
}

void Client::keep_notification(Notification notification) {
  if (notifications_.size() >= limits_.max_notifications) {
    notifications_.pop_front();
    ++dropped_notifications_;
  }
  notifications_.push_back(std::move(notification));
}

bool Client::take_line(Line& line) {
  auto framed = framer_.next_line();
  if (!framed) return false;
  line.text.assign(framed->text);
  line.crlf = framed->crlf;
  return true;
}

bool Client::take_message(Line& line, ParsedLine& parsed) {
  while (take_line(line)) {
    parsed = parse_line(line.text);
    auto* notification = std::get_if<Notification>(&parsed.message);
    if (notification == nullptr) return true;
    keep_notification(std::move(*notification));
  }
  return false;
}

std::span<char> Client::read_target(net::Failure& failure) {
  if (framer_.overflowed()) {
    failure = protocol_failure("line_too_long");
    return {};
  }
  if (bytes_received_ >= limits_.max_session_bytes) {
    failure = protocol_failure("response_too_large");
    return {};
  }
  return shared_read_buffer(
      std::min(limits_.read_chunk, limits_.max_session_bytes - bytes_received_));
}

void Client::consume(std::span<const char> bytes) {
  if (!first_received_) first_received_ = net::Clock::now();
  bytes_received_ += bytes.size();
  std::string_view chunk(bytes.data(), bytes.size());
  transcript_.received(chunk);
  framer_.feed(chunk);
  peak_buffered_ = std::max(peak_buffered_, framer_.buffered_bytes());
}

asio::awaitable<Client::Line> Client::next_line() {
  Line line;
  while (!take_line(line)) {
    std::span<char> target = read_target(line.failure);
    if (!line.failure.ok()) co_return line;
    std::size_t n = co_await connection_.read_some(target, line.failure);
    if (!line.failure.ok()) co_return line;
    consume(target.first(n));
  }
  co_return line;
}

asio::awaitable<Reply> Client::read_reply() {
  auto start = net::Clock::now();
  Reply reply;
  Line line = co_await next_line();
  reply.rtt = duration_cast<microseconds>(net::Clock::now() - start);
  if (!line.failure.ok()) {
    reply.failure = std::move(line.failure);
    co_return reply;
  }
  reply.line = std::move(line.text);
  reply.crlf = line.crlf;
  ParsedLine parsed = parse_line(reply.line);
  reply.shape = std::move(parsed.shape);
  Message& message = parsed.message;
  if (auto* response = std::get_if<Response>(&message)) {
    take_response(reply, *response);
  } else if (auto* notification = std::get_if<Notification>(&message)) {
    reply.result = notification_summary(*notification);
  } else if (auto* batch = std::get_if<Batch>(&message)) {
    reply.result = batch_summary(*batch);
  } else if (auto* failure = std::get_if<ParseFailure>(&message)) {
    reply.failure = protocol_failure(to_string(failure->kind));
  }
  co_return reply;
}

asio::awaitable<ParsedLine> Client::next_message(Line& line) {
  ParsedLine parsed;
  while (!take_message(line, parsed)) {
    std::span<char> target = read_target(line.failure);
    if (!line.failure.ok()) co_return ParsedLine{};
    std::size_t n = co_await connection_.read_some(target, line.failure);
    if (!line.failure.ok()) co_return ParsedLine{};
    consume(target.first(n));
  }
  co_return parsed;
}

asio::awaitable<Reply> Client::call(std::string method, nlohmann::json params) {
  std::int64_t id = next_id_++;
  auto start = net::Clock::now();
  Reply reply;
  request_.clear();
  append_request(request_, id, method, params);
  if (!first_sent_) first_sent_ = start;
  transcript_.sent(request_);
  if (net::Failure f = co_await connection_.write_all(request_); !f.ok()) {
    reply.failure = std::move(f);
    co_return reply;
  }
  // next_message's loop, inline: one coroutine frame less per read on the hottest path.
  Line line;
  ParsedLine parsed;
  for (;;) {
    if (!take_message(line, parsed)) {
      std::span<char> target = read_target(reply.failure);
      if (!reply.failure.ok()) break;
      std::size_t n = co_await connection_.read_some(target, reply.failure);
      if (!reply.failure.ok()) break;
      consume(target.first(n));
      continue;
    }
    Message& message = parsed.message;
    if (auto* response = std::get_if<Response>(&message)) {
      // ElectrumX answers a request it cannot attribute (e.g. unparseable) with id null.
      if (!id_matches(response->id, id) && !response->id.is_null()) {
        ++stray_replies_;
        continue;
      }
      take_response(reply, *response);
    } else if (auto* failure = std::get_if<ParseFailure>(&message)) {
      reply.failure = protocol_failure(to_string(failure->kind));
    } else {
      reply.failure = protocol_failure("unexpected_message");
    }
    reply.crlf = line.crlf;
    reply.shape = std::move(parsed.shape);
    reply.line = std::move(line.text);
    break;
  }
  reply.rtt = duration_cast<microseconds>(net::Clock::now() - start);
  co_return reply;
}

asio::awaitable<BatchReply> Client::call_batch(std::vector<Call> calls) {
  BatchReply batch;
  std::int64_t first_id = next_id_;
  for (auto& call : calls) call.id = next_id_++;
  batch.items.resize(calls.size());
  auto start = net::Clock::now();
  if (net::Failure f = co_await write(make_batch(calls)); !f.ok()) {
    batch.failure = std::move(f);
    co_return batch;
  }
  for (;;) {
    Line line;
    ParsedLine parsed = co_await next_message(line);
    if (!line.failure.ok()) {
      batch.failure = std::move(line.failure);
      break;
    }
    Message& message = parsed.message;
    batch.line = std::move(line.text);
    if (auto* replies = std::get_if<Batch>(&message)) {
      std::vector<bool> seen(calls.size(), false);
      for (auto& item : replies->elements) {
        auto* response = std::get_if<Response>(&item);
        if (response == nullptr || !response->id.is_number_integer()) continue;
        std::int64_t index = response->id.get<std::int64_t>() - first_id;
        if (index < 0 || index >= static_cast<std::int64_t>(calls.size()) || seen[index]) {
          ++stray_replies_;
          continue;
        }
        seen[index] = true;
        take_response(batch.items[index], *response);
      }
      for (std::size_t i = 0; i < calls.size(); ++i) {
        if (!seen[i]) batch.items[i].failure = protocol_failure("batch_item_missing");
      }
    } else if (auto* response = std::get_if<Response>(&message)) {
      batch.error = std::move(response->error);
      if (!batch.error) batch.failure = protocol_failure("batch_answered_by_single_result");
    } else if (auto* failure = std::get_if<ParseFailure>(&message)) {
      batch.failure = protocol_failure(to_string(failure->kind));
    } else {
      batch.failure = protocol_failure("unexpected_message");
    }
    break;
  }
  batch.rtt = duration_cast<microseconds>(net::Clock::now() - start);
  co_return batch;
}

}  // namespace eo::electrum
