// Canary sightings: a request for an issued canary adds one CANARY_SIGHTING event with the
// session's peer, client name, TLS fingerprint, the canary's issuance and the session's other
// script hashes; requests for anything else add nothing.
#include "honeypot/server/canary_sink.h"

#include "honeypot/server/memory_event_sink.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace eo::honeypot::server {
namespace {

const canary::Issuance kIssued{"camp", "tls://leaky.example:50002", "network=clearnet", 2};

struct Fixture {
  canary::Registry registry;
  MemoryEventSink next;
  std::unique_ptr<CanarySightingSink> sink;
  SessionEnvelope envelope;
  std::string canary;
  int counter = 0;

  explicit Fixture(const std::string& session = "s1") {
    registry.issue(bitcoin::Bytes(32, 1), kIssued);
    canary = canary::canary_window(canary::task_key(bitcoin::Bytes(32, 1), kIssued),
                                   bitcoin::OutputType::p2wpkh)
                 .at(3)
                 .scripthash;
    sink = std::make_unique<CanarySightingSink>(next, registry);
    envelope.fields.set_session_id(session);
    envelope.fields.set_peer_ip("203.0.113.5");
    envelope.fields.set_transport("tls");
    envelope.fields.set_honeypot_id("hp1");
    envelope.fields.SerializeToString(&envelope.bytes);
  }

  eo::v1::HoneypotEvent own(eo::v1::HoneypotEventKind kind) {
    eo::v1::HoneypotEvent e;
    e.set_event_id("e" + std::to_string(++counter));
    e.set_kind(kind);
    e.set_time_unix_us(1'000'000 * counter);
    return e;
  }

  void request(std::vector<std::string> scripthashes) {
    auto e = own(eo::v1::HONEYPOT_EVENT_REQUEST);
    e.set_method("blockchain.scripthash.subscribe");
    for (auto& s : scripthashes) e.add_scripthashes(s);
    sink->record_parts(envelope, e);
  }
};

TEST(CanarySightingSink, RecordsWhoAskedForACanary) {
  Fixture f;
  auto hello = f.own(eo::v1::HONEYPOT_EVENT_TLS_HELLO);
  hello.set_tls_fingerprint("ja3hash");
  f.sink->record_parts(f.envelope, hello);
  auto version = f.own(eo::v1::HONEYPOT_EVENT_VERSION);
  version.set_client_name("electrum/4.3.4");
  f.sink->record_parts(f.envelope, version);
  const std::string other_a(64, 'a'), other_b(64, 'b');
  f.request({other_a});
  f.request({f.canary, other_b});
  f.sink->record_parts(f.envelope, f.own(eo::v1::HONEYPOT_EVENT_DISCONNECT));

  EXPECT_EQ(f.next.size(), 6u);  // every event passed on, plus the sighting
  auto sightings = f.next.events_of(eo::v1::HONEYPOT_EVENT_CANARY_SIGHTING);
  ASSERT_EQ(sightings.size(), 1u);
  const auto& s = sightings[0];
  EXPECT_EQ(s.event_id(), "e4:canary");
  EXPECT_EQ(s.time_unix_us(), 4'000'000);
  EXPECT_EQ(s.session_id(), "s1");
  EXPECT_EQ(s.peer_ip(), "203.0.113.5");
  EXPECT_EQ(s.honeypot_id(), "hp1");
  EXPECT_EQ(s.client_name(), "electrum/4.3.4");
  EXPECT_EQ(s.tls_fingerprint(), "ja3hash");
  ASSERT_EQ(s.scripthashes_size(), 1);
  EXPECT_EQ(s.scripthashes(0), f.canary);
  auto details = nlohmann::json::parse(s.params_json());
  ASSERT_EQ(details["canaries"].size(), 1u);
  EXPECT_EQ(details["canaries"][0]["target_id"], kIssued.target_id);
  EXPECT_EQ(details["canaries"][0]["vantage_class"], kIssued.vantage_class);
  EXPECT_EQ(details["canaries"][0]["round"], 2);
  EXPECT_EQ(details["canaries"][0]["label"], "p2wpkh/0/3");
  EXPECT_EQ(details["other_scripthashes"], nlohmann::json::array({other_a, other_b}));
  EXPECT_EQ(details["request_event_id"], "e4");
  EXPECT_EQ(f.sink->sightings(), 1u);
}

TEST(CanarySightingSink, NothingForOrdinaryScripthashes) {
  Fixture f;
  f.request({std::string(64, 'c'), std::string(64, 'd')});
  EXPECT_EQ(f.next.size(), 1u);
  EXPECT_EQ(f.sink->sightings(), 0u);
}

TEST(CanarySightingSink, WholeEventsThroughRecordAreNotDuplicated) {
  Fixture f;
  eo::v1::HoneypotEvent whole = f.envelope.fields;
  whole.MergeFrom(f.own(eo::v1::HONEYPOT_EVENT_REQUEST));
  whole.add_scripthashes(f.canary);
  whole.set_params_json("[\"x\"]");
  f.sink->record(whole);
  auto sightings = f.next.events_of(eo::v1::HONEYPOT_EVENT_CANARY_SIGHTING);
  ASSERT_EQ(sightings.size(), 1u);
  EXPECT_EQ(sightings[0].scripthashes_size(), 1);
  EXPECT_EQ(sightings[0].peer_ip(), "203.0.113.5");
  EXPECT_NE(sightings[0].params_json(), "[\"x\"]");
}

}  // namespace
}  // namespace eo::honeypot::server
