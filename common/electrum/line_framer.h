// Splits a byte stream into newline-terminated JSON-RPC lines with a hard bound on memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eo::electrum {

// One complete line. `text` excludes the terminator and stays valid until the next feed().
struct FramedLine {
  std::string_view text;
  bool crlf = false;      // ended with "\r\n" (Fulcrum) rather than "\n" (ElectrumX, electrs)
  bool oversize = false;  // discard policy only: a line over the limit was dropped here; text empty
};

// What the framer does with a line longer than max_line_bytes.
enum class OverflowPolicy {
  // Client side: stop for good. Lines completed before the oversize one are still returned, then
  // overflowed() is true and every later byte is ignored (the caller records a protocol error).
  stop,
  // Server side: drop the line, return one FramedLine{oversize = true} in its place, skip input up
  // to the next '\n' and carry on with the line after it (ElectrumX resyncs this way).
  discard_until_newline,
};

// Guarantees, for any bytes fed:
//  - a returned line's text is at most max_line_bytes long (its terminator does not count; a lone
//    '\r' before the '\n' does count when the line ends "\r\r\n");
//  - each input byte is scanned once, so framing is linear in the input;
//  - feeding the same bytes in any split gives the same sequence of lines and the same state;
//  - if the caller drains next_line() after every feed(), buffered_bytes() never exceeds
//    max_line_bytes + 1 + the size of the last chunk fed (the 1 is a '\r' that may yet turn out to
//    be half of a "\r\n").
// Never throws on input (only std::bad_alloc, like any allocation).
class LineFramer {
 public:
  explicit LineFramer(std::size_t max_line_bytes, OverflowPolicy policy = OverflowPolicy::stop);

  // Appends bytes from the peer. Invalidates the text of lines returned before.
  void feed(std::string_view bytes);

  // The next complete line, or nullopt when no complete line is buffered.
  std::optional<FramedLine> next_line();

  // Stop policy: a line exceeded the limit; no further lines will be returned.
  bool overflowed() const { return overflowed_; }
  // Discard policy: inside an oversize line, skipping input up to its '\n'.
  bool discarding() const { return discarding_; }

  // Bytes held in memory right now (pending lines, the partial line, and not yet reclaimed space).
  std::size_t buffered_bytes() const { return buffer_.size(); }
  // Bytes of the current partial line (no '\n' seen yet).
  std::size_t partial_bytes() const { return buffer_.size() - tail_begin_; }
  // Lines that exceeded the limit so far (at most 1 under the stop policy).
  std::uint64_t oversize_lines() const { return oversize_lines_; }
  // Input bytes dropped because they belonged to, or followed (stop policy), an oversize line.
  std::uint64_t dropped_bytes() const { return dropped_bytes_; }

  std::size_t max_line_bytes() const { return max_line_bytes_; }
  OverflowPolicy policy() const { return policy_; }

 private:
  struct Pending {
    std::size_t begin = 0;
    std::size_t size = 0;
    bool crlf = false;
    bool oversize = false;
  };

  void compact();
  bool line_too_long(std::string_view piece, bool complete) const;
  void on_oversize(bool complete);

  std::size_t max_line_bytes_;
  OverflowPolicy policy_;
  std::string buffer_;  // [consumed lines][pending lines][partial line]
  // Complete lines in buffer_, those before next_ already returned. A vector reused in place
  // rather than a deque: no node allocated up front per session, none recycled per few lines.
  std::vector<Pending> lines_;
  std::size_t next_ = 0;
  std::size_t tail_begin_ = 0;  // where the partial line starts in buffer_
  bool overflowed_ = false;
  bool discarding_ = false;
  std::uint64_t oversize_lines_ = 0;
  std::uint64_t dropped_bytes_ = 0;
};

}  // namespace eo::electrum
