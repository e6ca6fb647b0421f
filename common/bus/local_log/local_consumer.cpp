// Embedded consumer. Idle polls sleep in short steps: the log has no wake-up channel between
// processes, and 5 ms of latency costs nothing next to the work a consumer does per record.
#include "common/bus/local_log/local_consumer.h"

#include <algorithm>
#include <map>
#include <thread>

namespace eo::bus::local_log {
namespace {

constexpr std::chrono::milliseconds kIdleStep{5};

Message to_message(const std::string& topic, Record&& record) {
  Message m;
  m.topic = topic;
  m.key = std::move(record.key);
  m.value = std::move(record.value);
  m.partition = 0;
  m.offset = record.offset;
  m.timestamp_us = record.timestamp_us;
  return m;
}

}  // namespace

LocalConsumer::LocalConsumer(std::string log_dir, std::string group_id,
                             std::vector<std::string> topics)
    : group_id_(std::move(group_id)) {
  for (auto& name : topics) {
    Topic topic;
    topic.dir = log_dir + "/" + name;
    topic.name = std::move(name);
    topics_.push_back(std::move(topic));
  }
}

std::string LocalConsumer::offset_path(const Topic& topic) const {
  return topic.dir + "/groups/" + group_id_ + ".offset";
}

Status LocalConsumer::try_claim(Topic& topic) {
  if (Status s = make_dirs(topic.dir + "/groups"); !s.ok()) return s;
  FileLock lock;
  Status status = FileLock::try_acquire(topic.dir + "/groups/" + group_id_ + ".lock", lock);
  if (status.code == Code::unavailable) return Status::success();  // another member has it
  if (!status.ok()) return status;
  auto reader = std::make_unique<LogReader>(topic.dir);
  if (Status s = reader->seek(read_offset_file(offset_path(topic)).value_or(0)); !s.ok()) {
    return s;
  }
  topic.group_lock = std::move(lock);
  topic.reader = std::move(reader);
  return Status::success();
}

PollResult LocalConsumer::poll(std::size_t max_messages, std::chrono::milliseconds timeout) {
  PollResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<Record> records;
  for (;;) {
    for (std::size_t i = 0; i < topics_.size() && result.messages.size() < max_messages; ++i) {
      Topic& topic = topics_[(next_topic_ + i) % topics_.size()];
      if (!topic.reader) {
        if (Status s = try_claim(topic); !s.ok()) {
          result.status = s;
          return result;
        }
        if (!topic.reader) continue;
      }
      records.clear();
      Status s = topic.reader->read(max_messages - result.messages.size(), records);
      for (auto& record : records)
        result.messages.push_back(to_message(topic.name, std::move(record)));
      if (!s.ok()) {
        result.status = s;
        return result;
      }
    }
    next_topic_ = topics_.empty() ? 0 : (next_topic_ + 1) % topics_.size();
    auto now = std::chrono::steady_clock::now();
    if (!result.messages.empty() || now >= deadline) return result;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(kIdleStep, deadline - now));
  }
}

Status LocalConsumer::commit(std::span<const Message> messages) {
  std::map<std::string, std::int64_t> next;  // topic -> offset after the last processed
  for (const auto& m : messages) {
    auto [it, inserted] = next.try_emplace(m.topic, m.offset + 1);
    if (!inserted) it->second = std::max(it->second, m.offset + 1);
  }
  for (const auto& [name, offset] : next) {
    auto topic = std::find_if(topics_.begin(), topics_.end(),
                              [&](const Topic& t) { return t.name == name; });
    if (topic == topics_.end() || !topic->group_lock.held()) {
      return {Code::unavailable,
              "topic " + name + " is not read by this member of group " + group_id_};
    }
    if (Status s = write_offset_file(offset_path(*topic), offset); !s.ok()) return s;
  }
  return Status::success();
}

ReadPosition LocalConsumer::read_position(std::chrono::milliseconds) {
  ReadPosition out;
  std::vector<Record> next;
  for (Topic& topic : topics_) {
    if (!topic.reader) {
      if (Status s = try_claim(topic); !s.ok()) {
        out.status = s;
        return out;
      }
      if (!topic.reader) continue;
    }
    ++out.partitions_held;
    const std::int64_t at = topic.reader->position();
    next.clear();
    if (Status s = topic.reader->read(1, next); !s.ok()) {
      out.status = s;
      return out;
    }
    if (next.empty()) continue;
    ++out.partitions_behind;
    if (Status s = topic.reader->seek(at); !s.ok()) {  // the peeked record is poll()'s to return
      out.status = s;
      return out;
    }
  }
  return out;
}

}  // namespace eo::bus::local_log
