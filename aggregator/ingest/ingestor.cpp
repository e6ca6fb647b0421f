// The order write -> commit is the whole durability argument; a refused commit is not an error
// (the partition moved or the coordinator is away): the records come again and are ignored.
#include "aggregator/ingest/ingestor.h"

#include "common/telemetry/log.h"

#include <algorithm>
#include <stdexcept>

namespace eo::aggregator::ingest {

Ingestor::Ingestor(bus::Consumer& consumer, results::ResultsDb& db, IngestOptions options)
    : consumer_(consumer), db_(db), options_(options) {}

Ingestor::Polled Ingestor::poll(std::chrono::milliseconds timeout) {
  auto polled = consumer_.poll(options_.max_batch, timeout);
  if (!polled.status.ok()) {
    throw std::runtime_error("bus consumer: " + std::string(bus::to_string(polled.status.code)) +
                             ": " + polled.status.detail);
  }
  Polled out{std::make_unique<std::vector<bus::Message>>(std::move(polled.messages)), {}};
  if (!out.messages->empty()) {
    out.decoded = std::async(std::launch::async,
                             [messages = out.messages.get(), rows = std::move(spare_)]() mutable {
                               decode(*messages, rows);
                               return std::move(rows);
                             });
    spare_ = {};
  }
  return out;
}

std::size_t Ingestor::step() {
  Polled current = ahead_ ? std::move(*ahead_) : poll(options_.poll_timeout);
  ahead_.reset();
  stats_.lag_records = consumer_.lag();
  const auto& messages = *current.messages;
  if (messages.empty()) {
    stats_.lag_seconds = 0;
    return 0;
  }
  // What is already fetched behind this batch decodes while this one is written.
  if (Polled next = poll(std::chrono::milliseconds(0)); !next.messages->empty()) {
    ahead_ = std::move(next);
  }
  auto batch = current.decoded.get();
  auto counts = db_.write_batch(batch.observations, batch.events, batch.malformed);
  stats_.malformed += batch.malformed.size();
  spare_ = std::move(batch);
  auto status = consumer_.commit(messages);
  if (!status.ok()) {
    ++stats_.commit_failures;
    telemetry::log(telemetry::LogLevel::warn, "offset commit refused; the batch will come again",
                   {{"code", bus::to_string(status.code)}, {"detail", status.detail}});
  } else {
    for (const auto& m : messages) {
      auto& next = stats_.committed[{m.topic, m.partition}];
      next = std::max(next, m.offset + 1);
    }
  }
  stats_.consumed += messages.size();
  stats_.observations += counts.observations;
  stats_.observation_duplicates += counts.observation_duplicates;
  stats_.events += counts.events;
  stats_.event_duplicates += counts.event_duplicates;
  ++stats_.batches;
  std::int64_t newest = 0;
  for (const auto& m : messages) newest = std::max(newest, m.timestamp_us);
  auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  stats_.lag_seconds = std::max<double>(0, double(now_us - newest) / 1e6);
  return messages.size();
}

}  // namespace eo::aggregator::ingest
