// Splits a byte stream into newline-terminated JSON-RPC lines with a hard bound on memory.
#include "common/electrum/line_framer.h"

namespace eo::electrum {

LineFramer::LineFramer(std::size_t max_line_bytes, OverflowPolicy policy)
    : max_line_bytes_(max_line_bytes), policy_(policy) {}

void LineFramer::feed(std::string_view bytes) {
  compact();
  if (overflowed_) {
    dropped_bytes_ += bytes.size();
    return;
  }
  while (!bytes.empty()) {
    if (discarding_) {
      const std::size_t nl = bytes.find('\n');
      const std::size_t skip = nl == std::string_view::npos ? bytes.size() : nl + 1;
      dropped_bytes_ += skip;
      bytes.remove_prefix(skip);
      discarding_ = nl == std::string_view::npos;
      continue;
    }
    // Each byte is searched once: the search resumes after the newline it found, and a partial
    // line is never searched again because the next chunk starts after it.
    const std::size_t nl = bytes.find('\n');
    const bool complete = nl != std::string_view::npos;
    const std::string_view piece = bytes.substr(0, complete ? nl : bytes.size());
    bytes.remove_prefix(complete ? nl + 1 : bytes.size());

    if (line_too_long(piece, complete)) {
      dropped_bytes_ += partial_bytes() + piece.size() + (complete ? 1 : 0);
      buffer_.resize(tail_begin_);
      on_oversize(complete);
      if (overflowed_) {
        dropped_bytes_ += bytes.size();
        return;
      }
      continue;
    }
    buffer_.append(piece);
    if (complete) {
      const std::size_t size = buffer_.size() - tail_begin_;
      const bool crlf = size > 0 && buffer_.back() == '\r';
      lines_.push_back(Pending{tail_begin_, crlf ? size - 1 : size, crlf, false});
      tail_begin_ = buffer_.size();
    }
  }
}

std::optional<FramedLine> LineFramer::next_line() {
  if (next_ == lines_.size()) return std::nullopt;
  const Pending p = lines_[next_++];
  // buffer_ is not touched here, so texts returned earlier stay valid until the next feed().
  return FramedLine{std::string_view(buffer_).substr(p.begin, p.size), p.crlf, p.oversize};
}

// Reclaims the space of lines already returned. When the caller has drained every line only the
// partial line moves, and each of its bytes moves at most once (the next move needs a newline
// after it, which turns it into a line). When the caller holds lines back, moving waits until the
// dead prefix is at least as large as the live data, which keeps the cost amortized linear.
void LineFramer::compact() {
  // Returned entries go when all are returned, or when they are at least as many as those left
  // (so each entry moves amortized O(1) times).
  const std::size_t left = lines_.size() - next_;
  if (left == 0) {
    lines_.clear();
    next_ = 0;
  } else if (next_ >= left) {
    lines_.erase(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(next_));
    next_ = 0;
  }
  const std::size_t consumed = left == 0 ? tail_begin_ : lines_[next_].begin;
  if (consumed == 0) return;
  const std::size_t live = buffer_.size() - consumed;
  if (left != 0 && consumed < live) return;
  buffer_.erase(0, consumed);
  for (std::size_t i = next_; i < lines_.size(); ++i) lines_[i].begin -= consumed;
  tail_begin_ -= consumed;
}

// Whether the partial line plus `piece` breaks the limit. A complete line may end in "\r" (the
// "\r\n" terminator), which does not count; a partial line may therefore hold max + 1 bytes while
// its last byte is '\r', because only the next byte tells whether that '\r' is terminator or text.
bool LineFramer::line_too_long(std::string_view piece, bool complete) const {
  const std::size_t total = partial_bytes() + piece.size();
  if (total <= max_line_bytes_) return false;
  const char last = piece.empty() ? buffer_.back() : piece.back();  // total > 0 here
  if (complete) return total - (last == '\r' ? 1 : 0) > max_line_bytes_;
  return total - max_line_bytes_ > 1 || last != '\r';
}

void LineFramer::on_oversize(bool complete) {
  ++oversize_lines_;
  if (policy_ == OverflowPolicy::stop) {
    overflowed_ = true;
    return;
  }
  lines_.push_back(Pending{tail_begin_, 0, false, true});
  discarding_ = !complete;
}

}  // namespace eo::electrum
