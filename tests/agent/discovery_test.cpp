// What a target advertises, read from a metadata observation: peers and features hosts become
// targets (TLS preferred, default ports, .onion flagged), the source and junk are left out, and a
// flood is bounded.
#include "agent/discovery.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace eo::agent {
namespace {

using json = nlohmann::json;

v1::Observation metadata_with(const json& result) {
  v1::Observation o;
  o.set_observation_id("obs-1");
  o.set_campaign_id("c1");
  o.set_round(2);
  o.mutable_target()->set_id("tls://source.example:50002");
  o.set_result_json(result.dump());
  return o;
}

TEST(Discovery, PeersAndFeaturesHostsBecomeTargets) {
  json result = {
      {"peers",
       {{"result",
         json::array(
             {json::array({"1.2.3.4", "A.Example", json::array({"v1.4", "s50002", "t"})}),
              json::array({"5.6.7.8", "tcp.example", json::array({"v1.4", "t60001"})}),
              json::array({"9.9.9.9", "abcdefghijklmnop.onion", json::array({"s", "p10000"})}),
              json::array({"1.1.1.1", "source.example", json::array({"s50002"})})})}}},
      {"features",
       {{"result",
         {{"hosts",
           {{"source.example", {{"ssl_port", 50002}}},
            {"hosts.example", {{"tcp_port", 50001}, {"ssl_port", nullptr}}}}}}}}}};
  auto found = advertised_targets(metadata_with(result));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->observation_id(), "obs-1");
  EXPECT_EQ(found->campaign_id(), "c1");
  EXPECT_EQ(found->round(), 2u);
  EXPECT_EQ(found->source_target_id(), "tls://source.example:50002");
  std::map<std::string, bool> ids;
  for (const auto& t : found->targets()) {
    ids[t.id()] = t.onion();
    EXPECT_EQ(t.provenance(), "peer:tls://source.example:50002");
  }
  EXPECT_EQ(ids, (std::map<std::string, bool>{{"tls://a.example:50002", false},
                                              {"tcp://tcp.example:60001", false},
                                              {"tls://abcdefghijklmnop.onion:50002", true},
                                              {"tcp://hosts.example:50001", false}}));
  EXPECT_FALSE(found->truncated());
}

TEST(Discovery, JunkIsLeftOutAndNothingThrows) {
  for (const auto& peers :
       {json("not a list"), json::array({1, 2, 3}),
        json::array({json::array({"ip", "bad host/", json::array({"s1"})})}),
        json::array({json::array({"ip", "h.example", json::array({"s99999"})})}),
        json::array({json::array({"ip", "h.example", json::array({"sx1"})})}),
        json::array({json::array({"ip", "h.example", "s50002"})})}) {
    EXPECT_FALSE(advertised_targets(metadata_with({{"peers", {{"result", peers}}}})).has_value())
        << peers.dump();
  }
  v1::Observation garbage;
  garbage.set_result_json("{not json");
  EXPECT_FALSE(advertised_targets(garbage).has_value());
  EXPECT_FALSE(advertised_targets(v1::Observation{}).has_value());
  EXPECT_FALSE(advertised_targets(metadata_with({{"peers", {{"error", "refused"}}}})).has_value());
}

TEST(Discovery, AFloodIsBounded) {
  json peers = json::array();
  for (int i = 0; i < 5000; ++i) {
    peers.push_back(json::array({"ip", "h" + std::to_string(i) + ".example", json::array({"s"})}));
  }
  auto found = advertised_targets(metadata_with({{"peers", {{"result", peers}}}}));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(std::size_t(found->targets_size()), kMaxAdvertisedTargets);
  EXPECT_TRUE(found->truncated());
}

}  // namespace
}  // namespace eo::agent
