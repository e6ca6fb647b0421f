// BusEventSink end to end on the embedded log: what a session records (envelope bytes written
// once per session, each event's own fields after them) reads back from the bus as whole
// events, keyed by session id, in both the batched and the direct mode.
#include "common/bus/factory.h"
#include "common/bus/topics.h"
#include "honeypot/app/bus_event_sink.h"
#include "honeypot/server/recorder.h"
#include "tests/support/process.h"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <array>

namespace eo::honeypot::server {
namespace {

std::vector<eo::v1::HoneypotEvent> record_a_session(bool batched) {
  eo::test::TempDir dir;
  bus::BusConfig config;
  config.log_dir = dir.file("bus");
  config.client_id = "sink-test";
  auto producer = bus::make_producer(config);
  boost::asio::io_context io;
  auto sink = batched ? std::make_unique<app::BusEventSink>(*producer, io.get_executor())
                      : std::make_unique<app::BusEventSink>(*producer);
  RandomSource random;
  EventFactory factory(RecorderConfig{"hp-1", false, "", 4096}, *sink, random);
  const PeerEndpoint peer{*IpAddress::parse("10.1.2.3"), 40000, "127.0.0.1:50001", "tcp"};
  SessionRecorder recorder(factory, "session-1", peer, "electrs");
  recorder.connect("answer");
  const nlohmann::json params = nlohmann::json::array({std::string(64, 'a')});
  const std::array<std::string, 1> scripthashes{std::string(64, 'a')};
  recorder.request("blockchain.scripthash.subscribe", &params, scripthashes, 12, "answer");
  recorder.request("server.ping", nullptr, {}, 3, "answer");
  recorder.disconnect("closed_by_peer", SessionCounts{});
  io.run();  // the posted flush
  sink->flush();
  EXPECT_EQ(sink->recorded(), 4u);
  EXPECT_EQ(sink->refused(), 0u);

  auto consumer = bus::make_consumer(config, "test", {std::string(bus::topics::kHoneypotEvents)});
  std::vector<eo::v1::HoneypotEvent> events;
  for (int i = 0; i < 20 && events.size() < 4; ++i) {
    for (const bus::Message& m : consumer->poll(16, std::chrono::milliseconds(100)).messages) {
      EXPECT_EQ(m.key, "session-1");
      EXPECT_TRUE(events.emplace_back().ParseFromString(m.value));
    }
  }
  return events;
}

void expect_whole_events(const std::vector<eo::v1::HoneypotEvent>& events) {
  ASSERT_EQ(events.size(), 4u);
  for (const auto& e : events) {
    EXPECT_EQ(e.honeypot_id(), "hp-1");
    EXPECT_EQ(e.session_id(), "session-1");
    EXPECT_EQ(e.peer_ip(), "10.1.2.3");
    EXPECT_EQ(e.peer_port(), 40000u);
    EXPECT_EQ(e.local_address(), "127.0.0.1:50001");
    EXPECT_EQ(e.transport(), "tcp");
    EXPECT_EQ(e.profile(), "electrs");
    EXPECT_EQ(e.event_id().size(), 36u);
  }
  EXPECT_EQ(events[0].kind(), eo::v1::HONEYPOT_EVENT_CONNECT);
  EXPECT_EQ(events[1].method(), "blockchain.scripthash.subscribe");
  EXPECT_EQ(events[1].params_json(), "[\"" + std::string(64, 'a') + "\"]");
  ASSERT_EQ(events[1].scripthashes_size(), 1);
  EXPECT_EQ(events[1].latency_us(), 12u);
  // Nothing of the event before leaks into the next one.
  EXPECT_EQ(events[2].method(), "server.ping");
  EXPECT_EQ(events[2].scripthashes_size(), 0);
  EXPECT_TRUE(events[2].params_json().empty());
  EXPECT_EQ(events[3].kind(), eo::v1::HONEYPOT_EVENT_DISCONNECT);
  EXPECT_EQ(events[3].action(), "closed_by_peer");
}

TEST(BusEventSink, BatchedEventsReadBackWhole) { expect_whole_events(record_a_session(true)); }

TEST(BusEventSink, DirectEventsReadBackWhole) { expect_whole_events(record_a_session(false)); }

}  // namespace
}  // namespace eo::honeypot::server
