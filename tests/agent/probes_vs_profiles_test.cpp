// The probe suite against the honeypot emulating ElectrumX, Fulcrum and electrs: each observation
// carries the bytes that tell the implementations apart (version replies, framing, error texts).

#include "tests/agent/local_probe.h"
#include "tests/honeypot/server/server_fixture.h"
#include "tests/support/hostile_peers.h"

#include <gtest/gtest.h>

namespace eo::agent {
namespace {

using honeypot::server::Base;
using honeypot::server::default_profile;
using honeypot::server::test::ServerFixture;

v1::Observation run_probe(std::uint16_t port, const std::string& probe) {
  return test::run_local_probe(test::local_probe_request(port, probe));
}

nlohmann::json result_of(const v1::Observation& o) {
  return nlohmann::json::parse(o.result_json());
}

struct Expect {
  Base base;
  std::string version_prefix;
  bool crlf;
  std::string key_order;
  std::string unknown_method_message;
};

class ProbesVsProfiles : public ::testing::TestWithParam<Expect> {};

TEST_P(ProbesVsProfiles, ObservationsCarryTheDistinguishingBytes) {
  const Expect& e = GetParam();
  ServerFixture server(default_profile(e.base));

  auto metadata = run_probe(server.tcp_port(), "metadata");
  ASSERT_EQ(metadata.outcome(), v1::OUTCOME_OK) << metadata.failure();
  auto meta = result_of(metadata);
  ASSERT_TRUE(meta["version"].contains("result")) << meta.dump();
  EXPECT_EQ(meta["version"]["result"][0].get<std::string>().rfind(e.version_prefix, 0), 0u)
      << meta["version"].dump();
  EXPECT_EQ(meta["version"]["crlf"], e.crlf);
  EXPECT_EQ(meta["version"]["key_order"], e.key_order);
  // The envelope: ids, target, vantage, raw bytes, one exchange per request.
  EXPECT_EQ(metadata.observation_id().size(), 36u);
  EXPECT_EQ(metadata.target().id(), "tcp://127.0.0.1:" + std::to_string(server.tcp_port()));
  EXPECT_EQ(metadata.vantage().id(), "local");
  EXPECT_EQ(metadata.probe_name(), "metadata");
  EXPECT_EQ(metadata.exchanges_size(), 9);
  EXPECT_NE(metadata.response_bytes().find(e.crlf ? "\r\n" : "\n"), std::string::npos);
  EXPECT_GT(metadata.timings().connect_us(), 0u);

  auto hostile = run_probe(server.tcp_port(), "hostile_input");
  ASSERT_EQ(hostile.outcome(), v1::OUTCOME_OK) << hostile.failure();
  auto h = result_of(hostile);
  EXPECT_EQ(h["unknown_method"]["error"]["code"], -32601) << h["unknown_method"].dump();
  EXPECT_EQ(h["unknown_method"]["error"]["message"], e.unknown_method_message);
  EXPECT_EQ(h["parse_error"]["error"]["code"], -32700) << h["parse_error"].dump();
}

INSTANTIATE_TEST_SUITE_P(
    Implementations, ProbesVsProfiles,
    ::testing::Values(Expect{Base::electrumx, "ElectrumX", false, "jsonrpc,result,id",
                             "unknown method \"eo.no_such_method\""},
                      Expect{Base::fulcrum, "Fulcrum", true, "id,jsonrpc,result",
                             "Unsupported request: eo.no_such_method"},
                      Expect{Base::electrs, "electrs", false, "id,jsonrpc,result",
                             "method not found"}),
    [](const auto& info) { return std::string(to_string(info.param.base)); });

TEST(ProbesVsProfiles, ElectrumXRefusesAMethodBeforeVersion) {
  ServerFixture server(default_profile(Base::electrumx));
  auto h = result_of(run_probe(server.tcp_port(), "hostile_input"));
  EXPECT_EQ(h["method_before_version"]["error"]["code"], 1) << h["method_before_version"].dump();
  EXPECT_FALSE(h["method_before_version"]["alive_after"]);
}

TEST(ProbesVsProfiles, HostileCorpusNeverCrashesTheRunner) {
  for (auto behaviour :
       {eo::test::hostile::garbage(), eo::test::hostile::endless_line(),
        eo::test::hostile::invalid_utf8_reply(), eo::test::hostile::reset_mid_reply()}) {
    eo::test::LineServer peer(behaviour);
    auto before = eo::test::current_rss_bytes();
    auto o = run_probe(static_cast<std::uint16_t>(peer.port()), "metadata");
    EXPECT_NE(o.outcome(), v1::OUTCOME_OK);
    EXPECT_FALSE(o.failure().empty());
    EXPECT_LT(eo::test::current_rss_bytes(), before + (64u << 20));
  }
}

}  // namespace
}  // namespace eo::agent
