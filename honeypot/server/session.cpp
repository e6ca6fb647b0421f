// One client connection: read loop, bounded reply queue and writer, watchdog for idle, handshake
// and write timeouts, and one DISCONNECT event at the end.
#include "honeypot/server/session.h"

#include "common/async/supervise.h"
#include "common/telemetry/log.h"
#include "honeypot/server/server_core.h"
#include "honeypot/server/tls_context.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <bit>

namespace eo::honeypot::server {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto kNever = Clock::time_point::max();

std::string read_close_reason(const error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "closed_by_peer";
  if (ec == asio::error::connection_reset) return "reset_by_peer";
  if (ec == asio::error::operation_aborted) return "aborted";
  return "read_error";
}

// ElectrumX >= 1.18 pads what it sends with spaces, before the last "}\n", up to a power of two
// of at least 1024 bytes, so that TLS record sizes say less about the messages.
void pad_to_power_of_two(std::string& bytes) {
  const std::size_t size = bytes.size();
  if (size < 2 || bytes[size - 1] != '\n' || (bytes[size - 2] != '}' && bytes[size - 2] != ']')) {
    return;
  }
  const std::size_t total = std::max<std::size_t>(1024, std::size_t{1} << std::bit_width(size));
  bytes.insert(size - 2, total - size, ' ');
}

}  // namespace

Session::Session(std::shared_ptr<ServerCore> core, ServerStream stream, SessionState state)
    : core_(std::move(core)),
      stream_(std::move(stream)),
      state_(std::move(state)),
      framer_(core_->profile.limits.max_line_bytes,
              electrum::OverflowPolicy::discard_until_newline),
      wake_writer_(core_->executor),
      writer_done_signal_(core_->executor),
      watchdog_timer_(core_->executor),
      delay_timer_(core_->executor),
      last_read_(Clock::now()) {
  writer_done_signal_.expires_at(kNever);
  if (core_->config.upstream) {
    RelayOutput output{[this](std::string bytes) { enqueue(std::move(bytes)); },
                       [this](std::string reason) { begin_close(std::move(reason), true); }};
    relay_ =
        std::make_unique<UpstreamRelay>(core_->executor, *core_->config.upstream, core_->profile,
                                        core_->config.max_params_bytes, state_, std::move(output));
  }
}

void Session::spawn(asio::awaitable<void> task, const char* name) {
  asio::co_spawn(
      core_->executor, std::move(task),
      [self = shared_from_this(), name](std::exception_ptr error) {
        if (!error) return;
        const std::string what = async::describe(error);
        telemetry::log(
            telemetry::LogLevel::error, "honeypot session task failed",
            {{"task", name}, {"session_id", self->state_.recorder.session_id()}, {"error", what}});
        add(self->core_->metrics.task_failures);
        self->begin_close("internal_error", false);
        // The run task may be the one that failed: make sure the session still ends.
        if (std::string_view(name) == "run") {
          self->stream_.close();
          self->finish();
        }
      });
}

void Session::start(Refusal refusal, std::string refusal_reason) {
  if (refusal != Refusal::none) {
    if (refusal == Refusal::reset) {
      stream_.reset();
    } else {
      stream_.close();
    }
    closing_ = true;
    writer_done_ = true;
    close_reason_ = std::move(refusal_reason);
    finish();
    return;
  }
  if (stream_.is_tls()) handshake_deadline_ = Clock::now() + core_->config.handshake_timeout;
  spawn(run(), "run");
}

void Session::notify(std::vector<std::string> lines) {
  for (auto& line : lines) {
    if (closing_) return;
    enqueue(std::move(line));
  }
}

void Session::shutdown(std::string reason) {
  begin_close(std::move(reason), false);
  // Recorded now, not when the tasks wind down: the caller may stop the executor next.
  finish();
}

asio::awaitable<void> Session::run() {
  auto self = shared_from_this();
  spawn(writer(), "writer");
  spawn(watchdog(), "watchdog");
  if (relay_) {
    spawn(relay_->writer(), "upstream_writer");
    spawn(relay_->reader(), "upstream_reader");
  }
  if (stream_.is_tls()) co_await handshake();
  if (!closing_) co_await read_loop();
  begin_close("closed", true);  // no-op when a reason was set already
  while (!writer_done_) {
    error_code ignored;
    co_await writer_done_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  stream_.close();
  finish();
}

asio::awaitable<void> Session::handshake() {
  attach_client_hello(stream_.native_ssl(), &hello_);
  const error_code ec = co_await stream_.handshake();
  handshake_deadline_ = kNever;
  last_read_ = Clock::now();
  // The ClientHello is evidence even when the handshake then fails (a scanner, an old client).
  if (hello_.captured) state_.recorder.tls_hello(hello_, ec ? "handshake_failed" : "answer");
  if (ec) begin_close("tls_handshake_failed", false);
}

asio::awaitable<void> Session::read_loop() {
  read_buffer_.resize(core_->config.read_chunk_bytes);
  ServerMetrics& metrics = core_->metrics;
  while (!closing_) {
    error_code ec;
    const std::size_t n = co_await stream_.read_some(asio::buffer(read_buffer_), ec);
    if (ec) {
      begin_close(read_close_reason(ec), true);
      break;
    }
    last_read_ = Clock::now();
    state_.counts.bytes_in += n;
    // Replies are queued line by line and sent once per read (send_queued) before any wait.
    framer_.feed(std::string_view(read_buffer_.data(), n));
    while (!closing_) {
      const auto line = framer_.next_line();
      if (!line) break;
      const SessionCounts before = state_.counts;
      LineOutcome outcome;
      if (relay_) {
        relay_->handle_line(*line);  // replies come later, from the relay's reader
      } else {
        outcome = core_->dispatcher.handle_line(state_, *line);
      }
      add(metrics.lines);
      add(metrics.requests, static_cast<double>(state_.counts.requests - before.requests));
      add(metrics.errors, static_cast<double>(state_.counts.errors - before.errors));
      add(metrics.oversize_lines,
          static_cast<double>(state_.counts.oversize_lines - before.oversize_lines));
      if (outcome.delay.count() > 0) {
        send_queued();  // earlier lines' replies do not wait for this line's delay
        delay_timer_.expires_after(outcome.delay);
        error_code ignored;
        co_await delay_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (closing_) break;
        last_read_ = Clock::now();  // time in our tarpit is not the client's idleness
      }
      if (!outcome.reply.empty()) enqueue(std::move(outcome.reply), false);
      if (outcome.close) {
        begin_close(std::move(outcome.close_reason), true);
        break;
      }
    }
    send_queued();
  }
}

void Session::enqueue(std::string bytes, bool wake) {
  if (writer_done_) return;
  if (queued_bytes_ + bytes.size() > core_->profile.limits.send_queue_bytes) {
    begin_close("send_queue_full", false);
    return;
  }
  queued_bytes_ += bytes.size();
  queue_.push_back(std::move(bytes));
  if (wake && writer_waiting_) wake_writer_.cancel();
}

// With the writer idle on plain TCP, the queue goes out here with one non-blocking send: a reply
// nearly always fits the socket buffer, and waking the writer coroutine for it (timer cancel,
// two posted completions, timer re-arm) cost more than the send. What the socket does not take
// is left to the writer, as is everything on TLS or while the writer is busy (it takes the queue
// when its write completes).
void Session::send_queued() {
  if (queue_.empty() || !writer_waiting_) return;
  if (!stream_.is_tls() && !closing_ && unsent_.empty()) {
    std::string batch = take_batch();
    error_code ec;
    const std::size_t sent = stream_.write_now(batch, ec);
    if (ec) {
      begin_close("write_error", false);
      return;
    }
    count_sent(sent);
    if (sent == batch.size()) return;
    unsent_ = std::move(batch);
    unsent_.erase(0, sent);
  }
  wake_writer_.cancel();
}

void Session::count_sent(std::size_t bytes) {
  state_.counts.bytes_out += bytes;
  state_.cost.bump_bytes(bytes, Clock::now());
}

std::string Session::take_batch() {
  std::string batch = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= batch.size();
  // One write for what is queued (up to 256 KiB): one syscall, one TLS record run.
  while (!queue_.empty() && batch.size() < (256u << 10)) {
    queued_bytes_ -= queue_.front().size();
    batch.append(queue_.front());
    queue_.pop_front();
  }
  // A relay sends the upstream's bytes as they came (an ElectrumX upstream pads them itself).
  if (core_->profile.limits.pad_sends && !relay_) pad_to_power_of_two(batch);
  return batch;
}

asio::awaitable<void> Session::writer() {
  auto self = shared_from_this();
  for (;;) {
    if (unsent_.empty()) {
      if (queue_.empty()) {
        if (closing_) break;
        writer_waiting_ = true;
        wake_writer_.expires_at(kNever);
        error_code ignored;
        co_await wake_writer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        writer_waiting_ = false;
        continue;
      }
      unsent_ = take_batch();
    }
    write_started_ = Clock::now();
    const error_code ec = co_await stream_.write_all(unsent_);
    write_started_ = kNever;
    if (ec) {
      begin_close("write_error", false);
      break;
    }
    count_sent(unsent_.size());
    unsent_ = std::string();  // freed, not cleared: a large batch must not stay per session
  }
  queue_.clear();
  queued_bytes_ = 0;
  unsent_ = std::string();
  // Everything owed is written: a read still pending (a close decided outside the read loop,
  // e.g. by the relay) must not keep the session open.
  stream_.close();
  writer_done_ = true;
  writer_done_signal_.cancel();
  watchdog_timer_.cancel();
}

asio::awaitable<void> Session::watchdog() {
  auto self = shared_from_this();
  const auto idle = core_->profile.limits.idle_timeout;
  const auto write_timeout = core_->config.write_timeout;
  while (!writer_done_) {
    const auto now = Clock::now();
    const bool writing = write_started_ != kNever;
    if (writing && now >= write_started_ + write_timeout) {
      begin_close("write_timeout", false);
      stream_.close();  // also when closing already: a flush to a client that never reads
    } else if (!closing_ && now >= handshake_deadline_) {
      begin_close("tls_handshake_timeout", false);
    } else if (!closing_ && now >= last_read_ + idle) {
      begin_close("idle_timeout", false);
    }
    auto next =
        closing_ ? now + std::chrono::seconds(1) : std::min(last_read_ + idle, handshake_deadline_);
    if (writing) next = std::min(next, write_started_ + write_timeout);
    watchdog_timer_.expires_at(next);
    error_code ignored;
    co_await watchdog_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

void Session::begin_close(std::string reason, bool flush) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = std::move(reason);
  if (!flush) {
    queue_.clear();
    queued_bytes_ = 0;
    stream_.close();
  }
  wake_writer_.cancel();
  delay_timer_.cancel();
  watchdog_timer_.cancel();
  if (relay_) relay_->stop();  // before the DISCONNECT: requests still waiting are recorded
}

void Session::finish() {
  if (finished_) return;
  finished_ = true;
  SessionCounts& counts = state_.counts;
  counts.duration_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - state_.started).count());
  state_.recorder.disconnect(close_reason_, counts);
  core_->remove(this, state_.peer.ip.to_string());
}

}  // namespace eo::honeypot::server
