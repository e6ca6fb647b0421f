// The message bus seam: a Producer that never loses what it accepted and a Consumer group that
// redelivers whatever was not committed. Pure interface: no Kafka, no files, no threads here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eo::bus {

// key.size() + value.size() above this is refused by every implementation (Kafka's default
// message.max.bytes is 1,000,000 including framing; the same bound keeps the seams alike).
inline constexpr std::size_t kMaxMessageBytes = 960 * 1000;

// One record as a consumer sees it. (topic, partition, offset) identifies it within the bus;
// consumers that must be idempotent dedupe by an id inside `value` (redelivery is allowed).
struct Message {
  std::string topic;
  std::string key;
  std::string value;
  int partition = 0;
  std::int64_t offset = 0;  // position within (topic, partition), increasing by delivery order
  std::int64_t timestamp_us = 0;  // when publish() accepted it (Kafka keeps millisecond precision)
};

// Expected failures cross the seam as values. Misconfiguration at start-up throws instead
// (std::invalid_argument from the factory).
enum class Code : std::uint8_t {
  ok,
  invalid_argument,  // bad topic name, empty group, ...
  too_large,         // key + value over kMaxMessageBytes
  unavailable,       // someone else holds the log/spool, the group moved on (commit refused),
                     // or the brokers refuse this client's credentials or TLS trust
  io_error,          // the local disk failed (write, fsync, rename)
  corrupt,           // a record failed its checksum where it cannot be a torn tail
  timeout,           // the wait ran out; see the method for what is already guaranteed
  fatal,             // the client cannot continue (e.g. a fatal librdkafka error)
};

std::string_view to_string(Code code);

struct Status {
  Code code = Code::ok;
  std::string detail;  // human-readable, names the file, topic or broker error

  bool ok() const { return code == Code::ok; }
  static Status success() { return {}; }
};

// Counters since this Producer was created; the lead exports them as Prometheus metrics.
// The checks every Producer applies before accepting a record: a legal topic name and key +
// value within kMaxMessageBytes. ok, invalid_argument or too_large.
Status check_record(std::string_view topic, std::string_view key, std::string_view value);

struct ProducerStats {
  std::uint64_t published = 0;        // publish() calls that returned ok
  std::uint64_t delivered = 0;        // acknowledged by the broker (Kafka) / written (embedded)
  std::uint64_t spooled = 0;          // appended to the local durable spool (Kafka: all published)
  std::uint64_t spool_depth = 0;      // in the spool, not yet acknowledged (gauge)
  std::uint64_t replayed = 0;         // sent again from the spool (after a restart or an error)
  std::uint64_t delivery_errors = 0;  // failed delivery attempts (each one is retried, not lost)
  // Kafka: the brokers refuse this client's settings (credentials, TLS trust), naming the setting
  // to fix; "" once a record is delivered again. Records keep waiting in the spool meanwhile.
  std::string client_error;
};

// One record handed to Producer::publish_batch (views: the caller keeps the bytes alive for the
// call only).
struct OutgoingRecord {
  std::string_view topic;
  std::string_view key;
  std::string_view value;
};

// What publish_batch accepted: records [0, accepted) as if by publish() returning ok, none of the
// rest. status is ok exactly when accepted == the batch's size; otherwise it says why record
// `accepted` was refused (the caller keeps it and everything after it).
struct BatchResult {
  Status status;
  std::size_t accepted = 0;
};

// Publishes records. Guarantees, for every publish() that returned ok:
//  - at-least-once: the record will reach the bus, even if the broker is away now or this process
//    is killed afterwards (it is already acknowledged by the broker or written to a local log that
//    a later Producer with the same configuration replays); duplicates are possible after crashes
//    and broker errors, never losses;
//  - order per key: records with the same topic and key are delivered in publish order (after a
//    replay a key's sequence may repeat a suffix: a b c b c; first occurrences stay in order).
//  - the data reaches the OS before publish returns; it reaches the disk platter within a bounded
//    interval (see common/bus/local_log/README.md) or at flush().
// Thread-safe: publish, publish_batch, flush and stats may be called from any thread. Never
// throws for expected failures; a non-ok Status means the record was NOT accepted and the caller
// keeps it.
class Producer {
 public:
  virtual ~Producer() = default;

  virtual Status publish(std::string_view topic, std::string_view key, std::string_view value) = 0;

  // publish() for many records, in order, with the same guarantees for every accepted one: each
  // is in the OS before publish_batch returns (the embedded log writes the whole batch with one
  // write(2) per segment touched, instead of one per record). It is an opt-in for callers that
  // collect records anyway; a caller that buffers records before calling it is responsible for
  // what it holds until then (see honeypot/app/bus_event_sink.h). An empty batch is ok.
  virtual BatchResult publish_batch(std::span<const OutgoingRecord> records) = 0;

  // Makes everything published so far durable on the local disk, then waits until it is
  // delivered to the broker. ok: all delivered. timeout: not all delivered yet, but all of it is
  // durably spooled and will be delivered later (by this Producer or after a restart).
  virtual Status flush(std::chrono::milliseconds timeout) = 0;

  virtual ProducerStats stats() const = 0;
};

struct PollResult {
  Status status;                  // not ok only when the consumer cannot continue as is
  std::vector<Message> messages;  // possibly empty (nothing arrived within the timeout)
};

// Where a consumer stands against the current ends of the partitions it holds.
struct ReadPosition {
  Status status;                      // not ok: the bus did not answer in time (nothing known)
  std::size_t partitions_held = 0;    // 0 while a group is still assigning partitions
  std::size_t partitions_behind = 0;  // held partitions with records after what poll() returned
  bool caught_up() const { return status.ok() && partitions_held > 0 && partitions_behind == 0; }
};

// Records behind per (topic, partition): the partition's end minus the group's committed offset.
using PartitionLag = std::map<std::pair<std::string, int>, std::int64_t>;

// A member of a consumer group subscribed to a fixed list of topics (given to the factory).
// Guarantees:
//  - ordered per partition; all records of one key are in one partition;
//  - at-least-once: after a restart or a rebalance, delivery resumes after the last commit of
//    the group for each partition; records polled but not committed come again;
//  - within the group each partition is read by one member at a time (the embedded log has one
//    partition per topic, so one member reads it; the others stand by and take over).
// Not thread-safe: one thread polls and commits.
class Consumer {
 public:
  virtual ~Consumer() = default;

  // Up to max_messages records; waits at most `timeout` for the first one.
  virtual PollResult poll(std::size_t max_messages, std::chrono::milliseconds timeout) = 0;

  // Marks the given records processed: per (topic, partition), everything up to and including the
  // highest offset given. Call it only once your own results for them are durable. Synchronous:
  // ok means the commit is stored. unavailable: the partition moved to another member meanwhile,
  // or the group coordinator cannot be reached; the records will come again (here or at the new
  // owner), so nothing is lost; the caller may retry or go on.
  virtual Status commit(std::span<const Message> messages) = 0;

  // Compares what poll() has returned so far (or, on a partition not read yet in this session,
  // the group's commit) with the current end of every partition this member holds. "Consume until
  // caught up" needs it: an empty poll cannot tell a finished stream from a group still joining
  // or a fetch that has not started. May ask the brokers; waits at most `timeout`.
  virtual ReadPosition read_position(std::chrono::milliseconds timeout) = 0;

  // The lag of the partitions this member holds, as last measured, without asking the brokers
  // (Kafka: librdkafka's statistics every statistics.interval.ms, 5 s by default, served by
  // poll()). The embedded log measures none: empty.
  virtual PartitionLag lag() const { return {}; }
};

}  // namespace eo::bus
