// The embedded Producer: appends to <log_dir>/<topic>/ through one LogWriter per topic, opened
// on first use, and fsyncs them in the background within the configured bounds.
#pragma once

#include "common/bus/bus.h"
#include "common/bus/local_log/log_writer.h"
#include "common/bus/options.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace eo::bus::local_log {

// Guarantees (on top of bus::Producer's): a record is in the log when publish() returns ok, so
// "delivered" == "published"; one partition (0) per topic, so order is global per topic. Takes
// the writer lock of each topic it publishes to: a second live producer of the same topic gets
// Code::unavailable from publish(), naming the holder's pid.
class LocalProducer final : public Producer {
 public:
  LocalProducer(std::string log_dir, const LocalLogOptions& options);
  ~LocalProducer() override;

  Status publish(std::string_view topic, std::string_view key, std::string_view value) override;
  // Each run of records with the same topic goes to its log with one write(2) (per segment).
  BatchResult publish_batch(std::span<const OutgoingRecord> records) override;
  Status flush(std::chrono::milliseconds timeout) override;
  ProducerStats stats() const override;

 private:
  Status writer_for(std::string_view topic, std::shared_ptr<LogWriter>& out);
  void sync_loop();

  const std::string log_dir_;
  const LocalLogOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<LogWriter>, std::less<>> writers_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> errors_{0};  // background fsync failures
  std::thread syncer_;
};

}  // namespace eo::bus::local_log
