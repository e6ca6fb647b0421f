// The embedded Consumer: one LogReader per topic, the group's committed offset in
// <topic>/groups/<group>.offset, and a group lock so one member of a group reads a topic at once.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/local_log/files.h"
#include "common/bus/local_log/log_reader.h"

#include <memory>
#include <string>
#include <vector>

namespace eo::bus::local_log {

// Each topic is one partition (0). Within a group the member holding
// <topic>/groups/<group>.lock reads the topic; other members stand by, try the lock on every
// poll and take over (from the last commit) when the holder goes away, even by SIGKILL. Readers
// never block the writer; commits are atomic file replacements (temp + fsync + rename).
class LocalConsumer final : public Consumer {
 public:
  LocalConsumer(std::string log_dir, std::string group_id, std::vector<std::string> topics);

  PollResult poll(std::size_t max_messages, std::chrono::milliseconds timeout) override;
  Status commit(std::span<const Message> messages) override;
  // Claims free topics like poll(); a held topic is behind when a record follows the reader.
  ReadPosition read_position(std::chrono::milliseconds timeout) override;

 private:
  struct Topic {
    std::string name;
    std::string dir;
    FileLock group_lock;
    std::unique_ptr<LogReader> reader;  // set while the lock is held
  };

  // Takes the group lock of `topic` if free and positions its reader after the last commit.
  Status try_claim(Topic& topic);
  std::string offset_path(const Topic& topic) const;

  const std::string group_id_;
  std::vector<Topic> topics_;
  std::size_t next_topic_ = 0;  // round-robin start, so one busy topic cannot starve the others
};

}  // namespace eo::bus::local_log
