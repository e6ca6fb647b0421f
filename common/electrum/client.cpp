// Client: request/response matching and bounded reading over one Connection.
#include "common/electrum/client.h"

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
        out.push_back({{"error", {{"code", response->error->code},
                                  {"message", response->error->message}}}});
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

asio::awaitable<Client::Line> Client::next_line() {
  for (;;) {
    if (auto framed = framer_.next_line()) {
      co_return Line{{}, std::string(framed->text), framed->crlf};
    }
    if (framer_.overflowed()) co_return Line{protocol_failure("line_too_long"), {}, false};
    if (bytes_received_ >= limits_.max_session_bytes) {
      co_return Line{protocol_failure("response_too_large"), {}, false};
    }
    read_buffer_.resize(std::min(limits_.read_chunk, limits_.max_session_bytes - bytes_received_));
    net::Failure failure;
    std::size_t n = co_await connection_.read_some(read_buffer_, failure);
    if (!failure.ok()) co_return Line{std::move(failure), {}, false};
    if (!first_received_) first_received_ = net::Clock::now();
    bytes_received_ += n;
    std::string_view chunk(read_buffer_.data(), n);
    transcript_.received(chunk);
    framer_.feed(chunk);
    peak_buffered_ = std::max(peak_buffered_, framer_.buffered_bytes());
  }
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
  for (;;) {
    line = co_await next_line();
    if (!line.failure.ok()) co_return ParsedLine{};
    ParsedLine parsed = parse_line(line.text);
    auto* notification = std::get_if<Notification>(&parsed.message);
    if (notification == nullptr) co_return parsed;
    keep_notification(std::move(*notification));
  }
}

asio::awaitable<Reply> Client::call(std::string method, nlohmann::json params) {
  std::int64_t id = next_id_++;
  auto start = net::Clock::now();
  Reply reply;
  if (net::Failure f = co_await write(make_request(id, method, params)); !f.ok()) {
    reply.failure = std::move(f);
    co_return reply;
  }
  for (;;) {
    Line line;
    ParsedLine parsed = co_await next_message(line);
    if (!line.failure.ok()) {
      reply.failure = std::move(line.failure);
      break;
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
