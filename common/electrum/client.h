// Electrum protocol client: newline-delimited JSON-RPC 2.0 over a net::Connection. Requests,
// batches and raw lines (for hostile-input probes); replies matched by id; notifications kept
// aside; every byte on the wire recorded up to a bound; every read bounded in size and time.
#pragma once

#include "common/electrum/line_framer.h"
#include "common/electrum/message.h"
#include "common/electrum/request.h"
#include "common/electrum/shape.h"
#include "common/electrum/transcript.h"
#include "common/net/connection.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace eo::electrum {

struct ClientLimits {
  std::size_t max_line_bytes = 4 << 20;      // a headers chunk of 2016 is ~330 KB
  std::size_t max_session_bytes = 64 << 20;  // everything read in one session
  std::size_t transcript_bytes = 64 << 10;   // raw bytes kept per direction
  std::size_t max_notifications = 256;       // kept; older ones are dropped and counted
  std::size_t read_chunk = 4 << 10;          // most bytes one read takes (into a buffer per thread;
                                             // at most 64 KiB)
};

// What came back for one request (or one raw line read).
struct Reply {
  net::Failure failure;           // transport or framing failure; ok when a line arrived
  std::optional<RpcError> error;  // the server answered with a JSON-RPC error
  nlohmann::json result;          // the result (null when absent)
  std::string line;               // the raw reply line, terminator removed
  bool crlf = false;
  ResponseShape shape;
  std::chrono::microseconds rtt{0};

  // ok, rpc_error, or the failure's outcome.
  net::Outcome outcome() const;
};

struct BatchReply {
  net::Failure failure;
  std::optional<RpcError> error;  // a server may answer a whole batch with one error object
  std::vector<Reply> items;       // in request order; a missing item has a protocol_error failure
  std::string line;
  std::chrono::microseconds rtt{0};
};

class Client {
 public:
  Client(boost::asio::any_io_executor executor, ClientLimits limits = {});

  boost::asio::awaitable<net::Failure> connect(net::ConnectOptions options);

  boost::asio::awaitable<Reply> call(std::string method,
                                     nlohmann::json params = nlohmann::json::array());
  // Sends the calls as one batch line; their ids are assigned here.
  boost::asio::awaitable<BatchReply> call_batch(std::vector<Call> calls);

  // Sends bytes as they are (a malformed line, an oversize request).
  boost::asio::awaitable<net::Failure> send_raw(std::string bytes);
  // Reads the next line of any kind, parsed; for replies to send_raw().
  boost::asio::awaitable<Reply> read_reply();

  void close() { connection_.close(); }

  net::Connection& connection() { return connection_; }
  const net::Connection& connection() const { return connection_; }
  const Transcript& transcript() const { return transcript_; }
  const std::deque<Notification>& notifications() const { return notifications_; }
  std::uint64_t dropped_notifications() const { return dropped_notifications_; }
  std::uint64_t stray_replies() const { return stray_replies_; }
  std::uint64_t bytes_received() const { return bytes_received_; }
  // Time from the first byte we sent to the first byte the peer sent, once both happened.
  std::optional<std::chrono::microseconds> first_byte() const;
  // The most bytes the framer held at once: the memory a hostile peer could make us spend.
  std::size_t peak_buffered_bytes() const { return peak_buffered_; }

 private:
  struct Line {
    net::Failure failure;
    std::string text;
    bool crlf = false;
  };

  // The read each call needs to make progress, in steps that do not suspend around one
  // read_some (each nested coroutine costs a frame per read): take_* frame what is buffered,
  // read_target bounds the next read (or fails the session), consume accounts for its bytes.
  bool take_line(Line& line);
  // The next buffered line that is not a notification (those are set aside).
  bool take_message(Line& line, ParsedLine& parsed);
  std::span<char> read_target(net::Failure& failure);
  void consume(std::span<const char> bytes);

  boost::asio::awaitable<Line> next_line();
  // The next line that is not a notification (those are set aside); on a read failure `line`
  // carries it and the result is empty.
  boost::asio::awaitable<ParsedLine> next_message(Line& line);
  boost::asio::awaitable<net::Failure> write(std::string bytes);
  void keep_notification(Notification notification);

  ClientLimits limits_;
  net::Connection connection_;
  LineFramer framer_;
  Transcript transcript_;
  std::string request_;  // the request being sent, reused
  std::int64_t next_id_ = 0;
  std::deque<Notification> notifications_;
  std::uint64_t dropped_notifications_ = 0;
  std::uint64_t stray_replies_ = 0;
  std::uint64_t bytes_received_ = 0;
  std::size_t peak_buffered_ = 0;
  std::optional<net::Clock::time_point> first_sent_;
  std::optional<net::Clock::time_point> first_received_;
};

}  // namespace eo::electrum
