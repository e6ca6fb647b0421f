// Moves records from the bus into the results database: poll a batch, write it in one durable
// transaction, then commit the batch's offsets. A crash between the two redelivers the batch and
// the ids make the second write a no-op, so a restart or a rebalance loses nothing and counts
// nothing twice. While a batch is written, the records already fetched behind it are decoded on
// a second thread (decoding and SQLite each take about half of ingest's CPU); they are written
// and committed by the next step, or, if the Ingestor is destroyed first, delivered again. The
// decoded rows of two batches are recycled, not allocated per observation.
#pragma once

#include "aggregator/ingest/decode.h"
#include "aggregator/results/results_db.h"
#include "common/bus/bus.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace eo::aggregator::ingest {

struct IngestOptions {
  std::size_t max_batch = 5000;  // records per poll, so per transaction
  std::chrono::milliseconds poll_timeout{500};
};

// Running totals since this Ingestor was created.
struct IngestStats {
  std::uint64_t consumed = 0;  // records polled (redeliveries included)
  std::uint64_t observations = 0;
  std::uint64_t observation_duplicates = 0;
  std::uint64_t events = 0;
  std::uint64_t event_duplicates = 0;
  std::uint64_t malformed = 0;  // malformed records seen (redeliveries included)
  std::uint64_t batches = 0;
  std::uint64_t commit_failures = 0;  // commits refused; those records come again
  double lag_seconds = 0;  // age of the newest record of the last batch; 0 when caught up
  // Per (topic, partition): the next offset to read, as of the last commit the bus accepted.
  std::map<std::pair<std::string, int>, std::int64_t> committed;
  // Per held (topic, partition): records behind the committed offset, as the bus last measured
  // (Kafka only: bus::Consumer::lag()).
  bus::PartitionLag lag_records;
};

class Ingestor {
 public:
  Ingestor(bus::Consumer& consumer, results::ResultsDb& db, IngestOptions options = {});
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  // One batch: poll (unless read ahead), write, commit. Returns the number of records written
  // (0: none arrived within the poll timeout, i.e. caught up). Throws results::SqliteError
  // when the database refuses the write (nothing was committed on the bus; the batch will come
  // again) and std::runtime_error when the consumer cannot continue.
  std::size_t step();

  const IngestStats& stats() const { return stats_; }

 private:
  // Polled records and their decoding, running on another thread. `decoded` is declared last,
  // so it is destroyed first: its destructor waits for the decoding before the records go.
  struct Polled {
    std::unique_ptr<std::vector<bus::Message>> messages;  // stable while being decoded
    std::future<DecodedBatch> decoded;
  };
  Polled poll(std::chrono::milliseconds timeout);

  bus::Consumer& consumer_;
  results::ResultsDb& db_;
  IngestOptions options_;
  IngestStats stats_;
  std::optional<Polled> ahead_;
  // The rows last written, recycled by the next decoding (two batches alternate).
  DecodedBatch spare_;
};

}  // namespace eo::aggregator::ingest
