// Differential treatment on known sets: Fisher's exact test and Benjamini-Hochberg against known
// values, then one observation set per finding kind (the finding appears with its counts, p, q and
// evidence) and honest sets (all alike, failures everywhere, a difference in one round only) that
// produce none; the confounders (a shared Tor exit, our own subnet) are named.
#include "aggregator/differential/differential.h"
#include "aggregator/differential/stats.h"
#include "aggregator/differential/subnet.h"
#include "aggregator/results/results_db.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

namespace eo::aggregator::differential {
namespace {

using results::ObservationRow;

TEST(Fisher, KnownValues) {
  // Fisher's lady tasting tea: 3 of 4 cups right, two-sided.
  EXPECT_NEAR(fisher_exact(3, 1, 1, 3), 34.0 / 70.0, 1e-12);
  EXPECT_NEAR(fisher_exact(3, 1, 1, 3), 0.4857, 1e-4);
  // Wikipedia's dieting example (R: fisher.test(matrix(c(1, 11, 9, 3), 2))$p.value).
  EXPECT_NEAR(fisher_exact(1, 9, 11, 3), 0.002759456185220, 1e-12);
  // Zeros: only the two extreme tables are as improbable as the observed one.
  EXPECT_NEAR(fisher_exact(0, 5, 5, 0), 2.0 / 252.0, 1e-12);
  EXPECT_NEAR(fisher_exact(3, 0, 0, 15), 1.0 / 816.0, 1e-12);
  EXPECT_NEAR(fisher_exact(5, 0, 0, 25), 1.0 / 142506.0, 1e-15);
  // Degenerate margins and the most probable table.
  EXPECT_EQ(fisher_exact(0, 0, 3, 4), 1.0);
  EXPECT_EQ(fisher_exact(0, 4, 0, 7), 1.0);
  EXPECT_NEAR(fisher_exact(500, 500, 500, 500), 1.0, 1e-9);
  // Large counts stay finite and ordered (log space).
  double large = fisher_exact(600, 400, 400, 600);
  EXPECT_GT(large, 0.0);
  EXPECT_LT(large, 1e-15);
  EXPECT_EQ(fisher_exact(1, 9, 11, 3), fisher_exact(11, 3, 1, 9));  // symmetric
}

TEST(BenjaminiHochberg, WorkedExample) {
  // The 15 p-values of Benjamini & Hochberg (1995), section 4: at FDR 0.05 the four smallest are
  // discoveries. Given in shuffled order: q-values come back in the input's order.
  std::vector<double> p = {0.0298, 0.0001, 0.3240, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278,
                           0.0344, 0.0459, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000};
  auto q = benjamini_hochberg(p);
  ASSERT_EQ(q.size(), p.size());
  EXPECT_NEAR(q[1], 0.0015, 1e-12);         // 0.0001: min(15 p/1, 15*0.0004/2, ...) = 0.0015
  EXPECT_NEAR(q[3], 0.003, 1e-12);          // 0.0004 * 15 / 2
  EXPECT_NEAR(q[4], 0.0095, 1e-12);         // 0.0019 * 15 / 3
  EXPECT_NEAR(q[5], 0.035625, 1e-12);       // 0.0095 * 15 / 4
  EXPECT_NEAR(q[6], 0.0603, 1e-12);         // 0.0201 * 15 / 5, below every later ratio
  EXPECT_NEAR(q[0], 0.063857142857, 1e-9);  // 0.0298 * 15 / 7
  EXPECT_NEAR(q[14], 1.0, 1e-12);
  EXPECT_EQ(std::count_if(q.begin(), q.end(), [](double x) { return x <= 0.05; }), 4);
  EXPECT_TRUE(benjamini_hochberg(std::vector<double>{}).empty());
}

TEST(Subnet, PrefixesAndPublicAddresses) {
  EXPECT_EQ(subnet_of("198.51.100.77"), "198.51.100.0/24");
  EXPECT_EQ(subnet_of("2001:db8:1:2::5"), "2001:db8:1::/48");
  EXPECT_EQ(subnet_of("not an address"), "");
  EXPECT_TRUE(is_public("8.8.8.8"));
  EXPECT_TRUE(is_public("2001:db8::1"));
  for (const char* ip : {"10.1.2.3", "127.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.1.1", "::1",
                         "fd00::1", "fe80::1", "", "x"}) {
    EXPECT_FALSE(is_public(ip)) << ip;
  }
}

// A campaign: `targets` servers x 6 vantages x `rounds` rounds x four probes, all alike (same
// content, answers, ramp threshold 40, first byte after 50 ms); `alter` changes rows before use.
constexpr int kVantages = 6;
std::vector<ObservationRow> campaign(int targets, int rounds,
                                     const std::function<void(ObservationRow&)>& alter = {}) {
  std::vector<ObservationRow> rows;
  for (int t = 0; t < targets; ++t) {
    for (int round = 0; round < rounds; ++round) {
      for (int v = 0; v < kVantages; ++v) {
        for (const char* probe : {"metadata", "hostile_input", "rate_limit_ramp", "latency"}) {
          ObservationRow r;
          r.target_host = "t" + std::to_string(t) + ".example";
          r.target_id = "tcp://" + r.target_host + ":50001";
          r.campaign_id = "c";
          r.round = round;
          r.vantage_id = "v" + std::to_string(v);
          r.vantage_network = v == 5 ? "tor" : "clearnet";
          r.vantage_egress_ip = v == 5 ? "" : "198.51." + std::to_string(v) + ".10";
          if (v == 5) r.tor_exit = "EXIT" + std::to_string(round % 2);
          r.probe_name = probe;
          r.client_profile = "default";
          r.observation_id =
              r.target_host + "/r" + std::to_string(round) + "/" + r.vantage_id + "/" + probe;
          r.outcome = "ok";
          r.first_byte_us = 50'000;
          r.content_sha256 = std::string("content-") + probe;
          if (r.probe_name == "rate_limit_ramp") {
            r.ramp_throttled = 1;
            r.ramp_threshold = 40;
          }
          if (alter) alter(r);
          rows.push_back(r);
        }
      }
    }
  }
  return rows;
}

void refuse(ObservationRow& r) {
  r.outcome = "refused";
  r.first_byte_us = 0;
  r.content_sha256.clear();
  r.ramp_throttled.reset();
  r.ramp_threshold.reset();
}

std::vector<Test> findings(const std::vector<Test>& tests, const char* status = kFinding) {
  std::vector<Test> out;
  std::copy_if(tests.begin(), tests.end(), std::back_inserter(out),
               [&](const Test& t) { return t.status == status; });
  return out;
}

// The one finding for t0.example and vantage `vantage` in `dimension`, in every round of five.
void expect_single_finding(const std::vector<Test>& tests, const char* dimension,
                           const std::string& vantage, std::size_t evidence_per_round) {
  auto found = findings(tests);
  ASSERT_EQ(found.size(), 1u);
  const auto& f = found[0];
  EXPECT_EQ(f.target_id, "tcp://t0.example:50001");
  EXPECT_EQ(f.dimension, dimension);
  EXPECT_EQ(f.vantage_id, vantage);
  EXPECT_EQ(f.direction, "worse");
  EXPECT_EQ(f.vantage_differs, 5u);
  EXPECT_EQ(f.vantage_alike, 0u);
  EXPECT_EQ(f.rest_differs, 0u);
  EXPECT_EQ(f.rest_alike, 25u);
  EXPECT_NEAR(f.p, 1.0 / 142506.0, 1e-15);
  // The smallest p of the run: BH gives it p * (number of tests) / 1.
  EXPECT_NEAR(f.q, f.p * double(tests.size()), 1e-15);
  EXPECT_LE(f.q, 0.05);
  EXPECT_TRUE(f.confounders.empty());
  ASSERT_EQ(f.evidence.size(), 5 * evidence_per_round);
  for (const auto& id : f.evidence) {
    EXPECT_EQ(id.rfind("t0.example/", 0), 0u) << id;
    EXPECT_NE(id.find("/" + vantage + "/"), std::string::npos) << id;
  }
}

bool t0(const ObservationRow& r) { return r.target_host == "t0.example"; }

TEST(Differential, RefusedInOneRegionEveryRound) {
  auto rows = campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.vantage_id == "v3") refuse(r);
  });
  expect_single_finding(analyze(rows), kReachability, "v3", 4);
}

TEST(Differential, AlteredContentForOneVantage) {
  auto rows = campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.vantage_id == "v2" && r.probe_name == "metadata") r.content_sha256 = "altered";
  });
  expect_single_finding(analyze(rows), kContent, "v2", 1);
}

TEST(Differential, ErrorsForOneVantage) {
  auto rows = campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.vantage_id == "v1" && r.probe_name == "metadata") {
      r.outcome = "rpc_error";
      r.error_code = -32600;
      r.content_sha256.clear();
    }
  });
  expect_single_finding(analyze(rows), kError, "v1", 1);
}

TEST(Differential, RateLimitsOneVantageHarder) {
  auto rows = campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.vantage_id == "v4" && r.ramp_threshold) r.ramp_threshold = 10;
  });
  expect_single_finding(analyze(rows), kRateLimit, "v4", 1);
}

TEST(Differential, LatencyTarpitForOneVantage) {
  // v0's baseline is the median over its targets (50 ms): 2 s on t0 is an excess only for it.
  auto rows = campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.vantage_id == "v0") r.first_byte_us = 2'000'000;
  });
  expect_single_finding(analyze(rows), kLatency, "v0", 4);
}

TEST(Differential, HonestSetsProduceNoFinding) {
  EXPECT_TRUE(analyze(campaign(3, 5)).empty());  // nothing differs: nothing to test

  // Down for everyone: every round is left out, none is differential.
  auto down = analyze(campaign(3, 5, [](ObservationRow& r) {
    if (t0(r)) refuse(r);
  }));
  EXPECT_TRUE(findings(down).empty());

  // Down for everyone in rounds 1 and 3, alike otherwise: left out, named if tested.
  auto flaky = analyze(campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.round % 2 == 1) refuse(r);
  }));
  EXPECT_TRUE(findings(flaky).empty());

  // One vantage refused in one round only: no repetition (and p = 5/30).
  auto once = analyze(campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.vantage_id == "v3" && r.round == 2) refuse(r);
  }));
  EXPECT_TRUE(findings(once).empty());
  auto v3 = std::find_if(once.begin(), once.end(), [](auto& t) {
    return t.vantage_id == "v3" && t.dimension == kReachability;
  });
  ASSERT_NE(v3, once.end());
  EXPECT_NEAR(v3->p, 5.0 / 30.0, 1e-12);
  EXPECT_EQ(v3->status, kNotSignificant);
}

TEST(Differential, FailuresEverywhereAreNamedAndLeftOut) {
  // v3 refused in rounds 0-4; in round 5 everyone was: that round is left out and named.
  auto rows = campaign(3, 6, [](ObservationRow& r) {
    if (t0(r) && (r.vantage_id == "v3" || r.round == 5)) refuse(r);
  });
  auto found = findings(analyze(rows));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].vantage_differs, 5u);
  EXPECT_EQ(found[0].rounds_everywhere, 1u);
  EXPECT_EQ(found[0].confounders,
            (std::vector<std::string>{"failures seen by every vantage: 1 rounds left out"}));
}

TEST(Differential, SharedTorExitIsAConfounder) {
  // The Tor vantage fails on two servers through the same exits: the exits, not the servers.
  auto rows = campaign(3, 5, [](ObservationRow& r) {
    if (r.target_host != "t2.example" && r.vantage_id == "v5") refuse(r);
  });
  auto tests = analyze(rows);
  EXPECT_TRUE(findings(tests).empty());
  auto confounded = findings(tests, kConfounded);
  ASSERT_EQ(confounded.size(), 2u);
  for (const auto& t : confounded) {
    EXPECT_EQ(t.dimension, kReachability);
    EXPECT_EQ(t.vantage_id, "v5");
    EXPECT_EQ(t.confounders, (std::vector<std::string>{"shared tor exit EXIT0,EXIT1"}));
    EXPECT_LE(t.q, 0.05);
    EXPECT_EQ(t.evidence.size(), 20u);
  }

  // On one server only, the same exits work elsewhere: a finding.
  auto alone = analyze(campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.vantage_id == "v5") refuse(r);
  }));
  ASSERT_EQ(findings(alone).size(), 1u);
  EXPECT_EQ(findings(alone)[0].vantage_id, "v5");
}

TEST(Differential, OwnSubnetIsNamed) {
  // v3 and v4 leave from one /24: a server's per-subnet cost limit sees them as one client.
  auto rows = campaign(3, 5, [](ObservationRow& r) {
    if (r.vantage_id == "v4") r.vantage_egress_ip = "198.51.3.20";
    if (t0(r) && r.vantage_id == "v3" && r.ramp_threshold) r.ramp_threshold = 10;
  });
  auto tests = analyze(rows);
  EXPECT_TRUE(findings(tests).empty());
  auto confounded = findings(tests, kConfounded);
  ASSERT_EQ(confounded.size(), 1u);
  EXPECT_EQ(confounded[0].dimension, kRateLimit);
  EXPECT_EQ(confounded[0].confounders,
            (std::vector<std::string>{"own subnet 198.51.3.0/24 shared with v4"}));

  // For reachability the subnet is named but does not explain a refusal.
  auto refused = analyze(campaign(3, 5, [](ObservationRow& r) {
    if (r.vantage_id == "v4") r.vantage_egress_ip = "198.51.3.20";
    if (t0(r) && r.vantage_id == "v3") refuse(r);
  }));
  auto found = findings(refused);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].confounders,
            (std::vector<std::string>{"own subnet 198.51.3.0/24 shared with v4"}));
}

TEST(Differential, ServedOnlyToOneVantageIsBetter) {
  auto rows = campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.vantage_id != "v2") refuse(r);
  });
  auto found = findings(analyze(rows));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].vantage_id, "v2");
  EXPECT_EQ(found[0].direction, "better");
  EXPECT_EQ(found[0].evidence.size(), 5u * 5u * 4u);  // the others' refused observations
}

TEST(Differential, TheUntouchedRegionsAreNoMirrorFindings) {
  // Three regions, one refused in every round: with so few vantages the two untouched ones are
  // also "significantly" better than the rest, which only restates the refusal.
  auto all = campaign(1, 12, [](ObservationRow& r) {
    if (r.vantage_id == "v2") refuse(r);
  });
  std::vector<ObservationRow> rows;
  for (const auto& r : all) {
    if (r.vantage_id == "v0" || r.vantage_id == "v1" || r.vantage_id == "v2") rows.push_back(r);
  }
  auto tests = analyze(rows);
  auto found = findings(tests);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].vantage_id, "v2");
  EXPECT_EQ(found[0].direction, "worse");
  int mirrors = 0;
  for (const auto& t : tests) {
    if (t.dimension != kReachability || t.direction != "better" || t.q > 0.05) continue;
    ++mirrors;
    EXPECT_EQ(t.status, kConfounded) << t.vantage_id;
    EXPECT_EQ(t.confounders, (std::vector<std::string>{"mirrors the worse treatment of v2"}));
  }
  EXPECT_EQ(mirrors, 2) << "the untouched regions stood apart as mirrors";
}

TEST(Differential, SavedWholeWithCountsAndEvidence) {
  auto tests = analyze(campaign(3, 5, [](ObservationRow& r) {
    if (t0(r) && r.vantage_id == "v3") refuse(r);
  }));
  eo::test::TempDir dir;
  results::ResultsDb db(dir.file("r.sqlite"));
  save_differential(db.database(), tests);
  save_differential(db.database(), tests);  // replaced, not appended
  auto count = db.database().prepare("SELECT count(*) FROM differential");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.i64(0), static_cast<std::int64_t>(tests.size()));
  auto s = db.database().prepare(
      "SELECT vantage_differs, rest_alike, status, json_array_length(evidence_json) "
      "FROM differential WHERE status = 'finding'");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.i64(0), 5);
  EXPECT_EQ(s.i64(1), 25);
  EXPECT_EQ(s.text(2), "finding");
  EXPECT_EQ(s.i64(3), 20);
  EXPECT_FALSE(s.step());
}

}  // namespace
}  // namespace eo::aggregator::differential
