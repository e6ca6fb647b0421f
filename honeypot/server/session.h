// One client connection: reads lines (bounded framer), hands them to the dispatcher, sleeps
// where a rule or the cost model says so, writes replies and notifications through a bounded
// queue, and ends on idle, errors, rules or server stop with one DISCONNECT event. In
// upstream-proxy mode an UpstreamRelay takes the lines instead of the dispatcher.
#pragma once

#include "common/electrum/line_framer.h"
#include "honeypot/server/ja3.h"
#include "honeypot/server/session_state.h"
#include "honeypot/server/stream.h"
#include "honeypot/server/upstream_relay.h"

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange declared first.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace eo::honeypot::server {

struct ServerCore;

// How a connection is turned away before any protocol.
enum class Refusal { none, close, reset };

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerCore> core, ServerStream stream, SessionState state);

  // Spawns the session's tasks; with a refusal, closes (or resets) at once instead.
  void start(Refusal refusal, std::string refusal_reason);
  // Queues notification lines (dropped once the session is closing).
  void notify(std::vector<std::string> lines);
  // Ends the session (server stop) and records its DISCONNECT at once; pending replies are
  // dropped.
  void shutdown(std::string reason);

  SessionState& state() { return state_; }

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> handshake();
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> writer();
  boost::asio::awaitable<void> watchdog();
  void spawn(boost::asio::awaitable<void> task, const char* name);

  // Queues bytes to send; wakes the writer unless the read loop will call send_queued().
  void enqueue(std::string bytes, bool wake = true);
  void send_queued();
  void count_sent(std::size_t bytes);
  void begin_close(std::string reason, bool flush);
  std::string take_batch();
  void finish();

  std::shared_ptr<ServerCore> core_;
  ServerStream stream_;
  SessionState state_;
  electrum::LineFramer framer_;
  std::string read_buffer_;
  ClientHello hello_;

  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  std::string unsent_;  // taken from the queue (and padded), not yet written; the writer's next
  boost::asio::steady_timer wake_writer_;
  boost::asio::steady_timer writer_done_signal_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer delay_timer_;

  Clock::time_point last_read_;
  Clock::time_point handshake_deadline_ = Clock::time_point::max();
  Clock::time_point write_started_ = Clock::time_point::max();
  bool writer_waiting_ = false;
  bool writer_done_ = false;
  bool closing_ = false;
  bool finished_ = false;
  std::string close_reason_;
  // Upstream-proxy mode: lines go to the relay instead of the dispatcher.
  std::unique_ptr<UpstreamRelay> relay_;
};

}  // namespace eo::honeypot::server
