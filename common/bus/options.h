// Tuning of the embedded durable log, which is also the Kafka producer's spool.
#pragma once

#include <chrono>
#include <cstdint>

namespace eo::bus {

// Durability vs. throughput: publish() always hands the record to the OS (it survives a crash of
// the process); fsync, which makes it survive a crash of the machine, costs ~0.1-10 ms, so it is
// batched: at most sync_every_records records or sync_interval of time stay unsynced, and flush()
// syncs at once. local_log/README.md has the numbers.
struct LocalLogOptions {
  std::uint64_t segment_bytes = 64ull << 20;     // a segment file rolls past this size
  std::uint32_t sync_every_records = 1000;       // fsync at least every N records ...
  std::chrono::milliseconds sync_interval{100};  // ... and at most this long after a write
};

}  // namespace eo::bus
