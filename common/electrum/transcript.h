// The raw bytes of one session in each direction, kept up to a bound with a truncation flag, so
// an observation carries what was really on the wire without letting a peer exhaust memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eo::electrum {

class Transcript {
 public:
  explicit Transcript(std::size_t limit_per_direction) : limit_(limit_per_direction) {}

  void sent(std::string_view bytes) { append(sent_, sent_truncated_, bytes); }
  void received(std::string_view bytes) { append(received_, received_truncated_, bytes); }

  const std::string& sent_bytes() const { return sent_; }
  const std::string& received_bytes() const { return received_; }
  bool sent_truncated() const { return sent_truncated_; }
  bool received_truncated() const { return received_truncated_; }

 private:
  void append(std::string& into, bool& truncated, std::string_view bytes) {
    std::size_t room = limit_ > into.size() ? limit_ - into.size() : 0;
    if (bytes.size() > room) truncated = true;
    into.append(bytes.substr(0, room));
  }

  std::size_t limit_;
  std::string sent_;
  std::string received_;
  bool sent_truncated_ = false;
  bool received_truncated_ = false;
};

}  // namespace eo::electrum
