// Operator clusters on known sets: a shared certificate, a shared donation address and a shared
// non-default banner join servers, naming the observations that showed them; mutual peers join only
// with a second weak kind (the same /24); unrelated servers, default banners and EPS's shipped
// certificate join nothing; outliers are named and clusters feed the centralization figures.
#include "aggregator/operators/operators.h"

#include "aggregator/results/normalize.h"
#include "aggregator/results/results_db.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace eo::aggregator::operators {
namespace {

using results::ObservationRow;

const std::string kDefaultBanner = "You are connected to an ElectrumX 1.20.0 server.";

// One metadata observation of `host` at `ip`, listing `peers` (host names).
ObservationRow meta(const std::string& host, const std::string& ip,
                    const std::vector<std::string>& peers = {},
                    const std::string& banner = kDefaultBanner) {
  ObservationRow r;
  r.observation_id = host + "/metadata";
  r.campaign_id = "c";
  r.target_host = host;
  r.target_id = "tcp://" + host + ":50001";
  r.vantage_id = "v1";
  r.probe_name = "metadata";
  r.outcome = "ok";
  r.started_us = 1;
  r.resolved_ips = ip;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : peers) list.push_back({"", p, {"v1.4.2", "s50002"}});
  nlohmann::json result = {{"banner", {{"result", banner}}}, {"peers", {{"result", list}}}};
  r.banner_sha256 = results::sha256_hex(banner);
  r.result_json = result.dump();
  return r;
}

ObservationRow tls(const std::string& host, const std::string& ip, const std::string& cert,
                   const std::string& subject = "CN=x") {
  ObservationRow r = meta(host, ip);
  r.observation_id = host + "/tls";
  r.target_id = "tls://" + host + ":50002";
  r.probe_name = "tls_certificate";
  r.result_json = "{}";
  r.banner_sha256.clear();
  r.cert_sha256 = cert;
  r.spki_sha256 = "spki-" + cert;
  r.cert_subject = subject;
  r.cert_issuer = subject;
  return r;
}

Clustering run(const std::vector<ObservationRow>& rows,
               std::vector<inventory::Server>* inventory_out = nullptr) {
  auto servers = inventory::build_inventory(rows);
  if (inventory_out) *inventory_out = servers;
  return cluster(rows, servers);
}

std::vector<std::string> kinds(const Cluster& c, bool merged) {
  std::vector<std::string> out;
  for (const auto& l : c.evidence) {
    if (l.merged == merged) out.push_back(l.kind);
  }
  return out;
}

TEST(Operators, SharedCertificateJoinsServers) {
  std::vector<inventory::Server> servers;
  auto c = run({tls("a.example", "203.0.113.1", "cert1"), tls("b.example", "198.51.100.7", "cert1"),
                tls("c.example", "192.0.2.9", "cert2")},
               &servers);
  ASSERT_EQ(c.clusters.size(), 1u);
  const auto& cl = c.clusters[0];
  EXPECT_EQ(cl.id, "a.example");
  EXPECT_EQ(cl.members, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(kinds(cl, true), (std::vector<std::string>{"certificate", "spki"}));
  EXPECT_EQ(cl.evidence[0].value, "cert1");
  EXPECT_TRUE(cl.evidence[0].strong);
  EXPECT_EQ(cl.evidence[0].observations,
            (std::vector<std::string>{"a.example/tls", "b.example/tls"}));
  EXPECT_EQ(c.cluster_of.at("b.example"), "a.example");
  EXPECT_EQ(c.cluster_of.at("c.example"), "c.example");  // alone: its own operator

  // Centralization by operator: {a, b} and {c}.
  auto figure = inventory::concentration("operator_cluster", operator_groups(c, servers));
  EXPECT_EQ(figure.groups.size(), 2u);
  EXPECT_NEAR(figure.hhi, 4.0 / 9 + 1.0 / 9, 1e-12);
  EXPECT_EQ(figure.half_cover, 1u);
}

TEST(Operators, SharedDonationAddressAndBannerJoinServers) {
  auto a = meta("a.example", "203.0.113.1", {}, "Welcome to Bob's servers");
  auto b = meta("b.example", "198.51.100.7", {}, "Welcome to Bob's servers");
  auto c = meta("c.example", "192.0.2.9");
  auto d = meta("d.example", "192.0.2.200");
  c.donation_address = d.donation_address = "bc1qexample";
  auto clusters = run({a, b, c, d}).clusters;
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(clusters[0].members, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(kinds(clusters[0], true), (std::vector<std::string>{"banner"}));
  EXPECT_EQ(clusters[1].members, (std::vector<std::string>{"c.example", "d.example"}));
  // c and d also share a /24: a weak annotation next to the strong link.
  EXPECT_EQ(kinds(clusters[1], true), (std::vector<std::string>{"donation_address"}));
  EXPECT_EQ(kinds(clusters[1], false), (std::vector<std::string>{"network"}));
  EXPECT_EQ(clusters[1].evidence[1].value, "AS? 192.0.2.0/24");
}

TEST(Operators, DefaultDonationAddressJoinsNobody) {
  // Two honest Fulcrums left at the author's donation address, in different networks.
  auto a = meta("a.example", "203.0.113.1");
  auto b = meta("b.example", "198.51.100.7");
  a.donation_address = b.donation_address = "1Ca1inCimwRhhcpFX84TPRrPQSryTgKW6N";
  EXPECT_TRUE(run({a, b}).clusters.empty());
}

TEST(Operators, SameAddressJoinsServers) {
  auto clusters = run({meta("a.example", "203.0.113.1"), meta("b.example", "203.0.113.1"),
                       meta("c.example", "10.0.0.1"), meta("d.example", "10.0.0.1")})
                      .clusters;
  ASSERT_EQ(clusters.size(), 1u);  // a private address names nobody
  EXPECT_EQ(clusters[0].members, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(kinds(clusters[0], true), (std::vector<std::string>{"ip"}));
  EXPECT_TRUE(clusters[0].evidence[0].observations.empty());  // addresses: the inventory's
}

TEST(Operators, AStrongLinkNamesEachServersFirstObservationById) {
  auto a2 = tls("a.example", "203.0.113.1", "cert1");
  a2.observation_id = "a.example/tls-0";  // sorts before "a.example/tls"
  auto c = run(
      {tls("a.example", "203.0.113.1", "cert1"), tls("b.example", "198.51.100.7", "cert1"), a2});
  ASSERT_EQ(c.clusters.size(), 1u);
  EXPECT_EQ(c.clusters[0].evidence[0].observations,
            (std::vector<std::string>{"a.example/tls", "b.example/tls"}));
}

TEST(Operators, MutualPeersJoinOnlyWithASecondWeakKind) {
  // p1-p3 list each other and sit in one /24: two weak kinds on each pair.
  auto ring = run({meta("p1.example", "203.0.113.1", {"p2.example", "p3.example"}),
                   meta("p2.example", "203.0.113.2", {"p1.example", "p3.example"}),
                   meta("p3.example", "203.0.113.3", {"p1.example", "p2.example"}),
                   meta("x.example", "192.0.2.1", {"p1.example"})});
  ASSERT_EQ(ring.clusters.size(), 1u);
  EXPECT_EQ(ring.clusters[0].members,
            (std::vector<std::string>{"p1.example", "p2.example", "p3.example"}));
  auto merged = kinds(ring.clusters[0], true);
  EXPECT_EQ(std::count(merged.begin(), merged.end(), "peers"), 3);
  EXPECT_EQ(std::count(merged.begin(), merged.end(), "network"), 3);
  EXPECT_EQ(ring.cluster_of.at("x.example"), "x.example");
  // A peers link names the two metadata answers that list each other; a network link, none.
  for (const auto& l : ring.clusters[0].evidence) {
    std::vector<std::string> expected;
    if (l.kind == "peers") expected = {l.servers[0] + "/metadata", l.servers[1] + "/metadata"};
    EXPECT_EQ(l.observations, expected) << l.kind << " " << l.value;
  }

  // Mutual peers in different networks: one weak kind, no cluster.
  auto apart = run({meta("p1.example", "203.0.113.1", {"p2.example"}),
                    meta("p2.example", "198.51.100.2", {"p1.example"})});
  EXPECT_TRUE(apart.clusters.empty());

  // One /24 alone (a cloud subnet of strangers): no cluster either.
  auto neighbours = run({meta("n1.example", "203.0.113.1"), meta("n2.example", "203.0.113.2")});
  EXPECT_TRUE(neighbours.clusters.empty());
}

// A hostile_input observation whose error answers make a behaviour fingerprint of three facts.
ObservationRow hostile(const std::string& host, const std::string& ip, const std::string& text) {
  ObservationRow r = meta(host, ip);
  r.observation_id = host + "/hostile";
  r.probe_name = "hostile_input";
  r.banner_sha256.clear();
  nlohmann::json result;
  for (const char* c : {"unknown_method", "bad_json", "empty_batch"}) {
    result[c] = {{"error", {{"code", -32601}, {"message", text}}}};
  }
  r.result_json = result.dump();
  return r;
}

TEST(Operators, SameSubnetAndBehaviourJoin) {
  auto c =
      run({hostile("a.example", "203.0.113.1", "odd"), hostile("b.example", "203.0.113.2", "odd"),
           hostile("c.example", "198.51.100.3", "odd"),     // same behaviour, elsewhere
           hostile("d.example", "203.0.113.4", "other")});  // same subnet, other behaviour
  ASSERT_EQ(c.clusters.size(), 1u);
  EXPECT_EQ(c.clusters[0].members, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(kinds(c.clusters[0], true), (std::vector<std::string>{"network", "behaviour"}));
  EXPECT_EQ(c.behaviour.at("a.example"), c.behaviour.at("c.example"));
  EXPECT_NE(c.behaviour.at("a.example"), c.behaviour.at("d.example"));
}

TEST(Operators, UnrelatedServersFormNoCluster) {
  // Same default banner, EPS's shipped certificate, distinct everything else.
  const std::string eps = "C=AU, ST=Some-State, O=Internet Widgits Pty Ltd";
  auto c = run({meta("a.example", "203.0.113.1"), meta("b.example", "198.51.100.7"),
                tls("a.example", "203.0.113.1", "eps-cert", eps),
                tls("b.example", "198.51.100.7", "eps-cert", eps),
                meta("c.example", "192.0.2.9", {"a.example"})});
  EXPECT_TRUE(c.clusters.empty());
  EXPECT_EQ(c.cluster_of.size(), 3u);
}

TEST(Operators, OutliersAreNamed) {
  std::vector<ObservationRow> rows = {tls("a.example", "203.0.113.1", "cert1"),
                                      tls("b.example", "198.51.100.1", "cert1"),
                                      tls("c.example", "192.0.2.1", "cert1")};
  auto servers = inventory::build_inventory(rows);
  servers[0].implementation = servers[1].implementation = "electrumx";
  servers[2].implementation = "fulcrum";
  auto c = cluster(rows, servers);
  ASSERT_EQ(c.clusters.size(), 1u);
  EXPECT_EQ(c.clusters[0].outliers,
            (std::vector<std::string>{"c.example: implementation fulcrum (cluster: electrumx)"}));
}

TEST(Operators, SavedWithEvidence) {
  auto c = run({tls("a.example", "203.0.113.1", "cert1"), tls("b.example", "198.51.100.7", "cert1"),
                tls("c.example", "192.0.2.9", "cert2")});
  eo::test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  save_operators(db.database(), c);
  save_operators(db.database(), c);  // replaced, not appended
  auto s = db.database().prepare(
      "SELECT cluster_id, servers, members, json_extract(evidence_json, '$[0].kind') "
      "FROM operator_clusters");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "a.example");
  EXPECT_EQ(s.i64(1), 2);
  EXPECT_EQ(s.text(2), "a.example,b.example");
  EXPECT_EQ(s.text(3), "certificate");
  EXPECT_FALSE(s.step());
  auto m = db.database().prepare("SELECT count(*) FROM operator_members");
  ASSERT_TRUE(m.step());
  EXPECT_EQ(m.i64(0), 3);
}

}  // namespace
}  // namespace eo::aggregator::operators
