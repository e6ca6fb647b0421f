// Inventory and centralization on a known set: uptime over rounds, reachability by vantage, the
// latest claim, geo from the lookup, shares, HHI and the half-cover count.
#include "aggregator/inventory/inventory.h"

#include <gtest/gtest.h>

namespace eo::aggregator::inventory {
namespace {

using results::ObservationRow;

ObservationRow row(const std::string& host, std::int64_t round, const std::string& vantage,
                   const std::string& outcome, std::int64_t t) {
  ObservationRow r;
  r.observation_id = host + "/" + std::to_string(round) + "/" + vantage + "/" + std::to_string(t);
  r.campaign_id = "c";
  r.round = round;
  r.target_host = host;
  r.target_id = "tcp://" + host + ":50001";
  r.vantage_id = vantage;
  r.outcome = outcome;
  r.started_us = t;
  r.probe_name = "metadata";
  return r;
}

TEST(Concentration, SharesHhiAndHalfCover) {
  auto c = concentration("asn", {"A", "A", "A", "A", "A", "B", "B", "B", "C", "D", "unknown"});
  EXPECT_EQ(c.servers, 10u);
  EXPECT_EQ(c.unknown, 1u);
  ASSERT_EQ(c.groups.size(), 4u);
  EXPECT_EQ(c.groups[0], (GroupShare{"A", 5, 0.5}));
  EXPECT_EQ(c.groups[1], (GroupShare{"B", 3, 0.3}));
  EXPECT_EQ(c.groups[2].group, "C");  // ties by name
  EXPECT_NEAR(c.hhi, 0.36, 1e-12);
  EXPECT_EQ(c.half_cover, 1u);

  auto spread = concentration("country", {"A", "A", "A", "A", "B", "B", "B", "C", "C", "C"});
  EXPECT_NEAR(spread.hhi, 0.34, 1e-12);
  EXPECT_EQ(spread.half_cover, 2u);

  auto none = concentration("x", {});
  EXPECT_EQ(none.half_cover, 0u);
  EXPECT_EQ(none.hhi, 0);
}

TEST(Inventory, UptimeReachabilityClaimsAndGeo) {
  std::vector<ObservationRow> rows;
  // a.example: reachable from v1 in rounds 0-2, from v2 in rounds 0-1, by nobody in round 3.
  for (int round = 0; round < 4; ++round) {
    rows.push_back(row("a.example", round, "v1", round < 3 ? "ok" : "timeout", 100 + round));
    rows.push_back(row("a.example", round, "v2", round < 2 ? "rpc_error" : "refused", 200 + round));
  }
  rows[0].server_version = "ElectrumX 1.20.0";
  rows[0].resolved_ips = "10.0.0.1";
  rows[2].server_version = "ElectrumX 1.20.1";  // later: wins
  rows[2].protocol_min = "1.4";
  rows[2].protocol_max = "1.6.0";
  rows[2].peer_ip = "10.0.0.1";
  auto b = row("B.Example", 0, "v1", "ok", 50);  // host case does not split a server
  b.resolved_ips = "10.0.0.2";
  b.server_version = "electrs/0.11.1";
  b.cert_sha256 = "cc";
  rows.push_back(b);
  auto b_tls = b;
  b_tls.target_id = "tls://b.example:50002";
  rows.push_back(b_tls);
  auto c = row("c.example", 0, "v1", "ok", 60);
  c.resolved_ips = "10.0.0.3";
  rows.push_back(c);
  rows.push_back(row("d.example", 0, "v1", "timeout", 70));  // never answered, no geo
  auto e = row("abcdef.onion", 0, "tor", "ok", 80);
  e.onion = true;
  rows.push_back(e);

  GeoLookup geo = [](const std::string& ip) -> std::optional<Geo> {
    if (ip == "10.0.0.1" || ip == "10.0.0.2") return Geo{"DE", 100, "Hoster"};
    if (ip == "10.0.0.3") return Geo{"US", 200, "Cloud"};
    return std::nullopt;
  };
  auto servers = build_inventory(rows, geo);
  ASSERT_EQ(servers.size(), 5u);
  const Server& a = servers[0];
  EXPECT_EQ(servers[1].server, "abcdef.onion");
  EXPECT_EQ(a.server, "a.example");
  EXPECT_EQ(a.rounds_probed, 4u);
  EXPECT_EQ(a.rounds_reachable, 3u);
  EXPECT_DOUBLE_EQ(a.uptime, 0.75);
  EXPECT_EQ(a.reachability, (std::vector<VantageReach>{{"v1", 4, 3}, {"v2", 4, 2}}));
  EXPECT_EQ(a.claimed_software, "ElectrumX");
  EXPECT_EQ(a.claimed_version, "1.20.1");
  EXPECT_EQ(a.protocol_max, "1.6.0");
  EXPECT_EQ(a.first_seen_us, 100);
  EXPECT_EQ(a.last_seen_us, 201);
  EXPECT_EQ(a.addresses, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(a.country, "DE");
  EXPECT_EQ(a.asn, 100u);

  const Server& bs = servers[2];
  EXPECT_EQ(bs.server, "b.example");
  EXPECT_EQ(bs.targets,
            (std::vector<std::string>{"tcp://B.Example:50001", "tls://b.example:50002"}));
  EXPECT_EQ(bs.claimed_software, "electrs");
  EXPECT_EQ(bs.claimed_version, "0.11.1");
  EXPECT_EQ(bs.cert_sha256, "cc");
  EXPECT_EQ(servers[4].server, "d.example");
  EXPECT_EQ(servers[4].country, "unknown");
  EXPECT_EQ(servers[4].first_seen_us, 0);
  EXPECT_EQ(servers[4].uptime, 0);
  EXPECT_EQ(servers[1].country, "onion");

  auto figures = centralization(servers);
  ASSERT_EQ(figures.size(), 4u);
  const auto& asn = figures[0];
  EXPECT_EQ(asn.dimension, "asn");
  EXPECT_EQ(asn.servers, 3u);
  EXPECT_EQ(asn.unknown, 2u);  // d (no geo) and the onion
  EXPECT_EQ(asn.groups[0], (GroupShare{"AS100", 2, 2.0 / 3}));
  EXPECT_NEAR(asn.hhi, 5.0 / 9, 1e-12);
  EXPECT_EQ(asn.half_cover, 1u);
  EXPECT_EQ(figures[1].dimension, "country");
  EXPECT_EQ(figures[1].groups[0].group, "DE");
  EXPECT_EQ(figures[2].dimension, "claimed_software");
  EXPECT_EQ(figures[2].servers, 2u);
  EXPECT_EQ(figures[3].dimension, "implementation");
  EXPECT_EQ(figures[3].servers, 0u);  // nothing fingerprinted in this set
}

TEST(Inventory, SplitSoftware) {
  using Split = std::pair<std::string, std::string>;
  EXPECT_EQ(split_software("ElectrumX 1.20.0"), (Split{"ElectrumX", "1.20.0"}));
  EXPECT_EQ(split_software("electrs/0.11.1"), (Split{"electrs", "0.11.1"}));
  EXPECT_EQ(split_software("MyServer"), (Split{"MyServer", ""}));
  EXPECT_EQ(split_software("Fulcrum 2.1.1 custom"), (Split{"Fulcrum 2.1.1 custom", ""}));
}

}  // namespace
}  // namespace eo::aggregator::inventory
