// Behaviour clusters on hand-made vectors (what groups, what splits, what must not) and on the
// replies of genuine ElectrumX releases (agent/probes/*/testdata/electrumx-*.jsonl): no honest
// real server may stand out alone.
#include "aggregator/behaviour/cluster.h"
#include "aggregator/behaviour/vector.h"
#include "aggregator/inventory/inventory.h"
#include "aggregator/ratelimit/ratelimit.h"
#include "aggregator/reference/reference.h"
#include "aggregator/report/behaviour_section.h"
#include "tests/aggregator/support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace eo::aggregator {
namespace {

using behaviour::Clustering;
using fingerprint::Fact;

const reference::Reference& ref() { return reference::builtin_reference(); }

// ElectrumX >= 1.19 in its default configuration, as the probes see it.
std::vector<Fact> electrumx_facts() {
  return {{"framing.key_order", "jsonrpc,result,id", ""},
          {"framing.terminator", "lf", ""},
          {"features.services", "present", ""},
          {"features.dsproof", "absent", ""},
          {"donation_address", "empty", ""},
          {"version.profile", "result 1.6", ""},
          {"version.twice", "1 server.version already sent", ""},
          {"error.method_before_version", "1 use server.version to identify client", ""},
          {"alive.method_before_version", "no", ""},
          {"error.unknown_method", "-32601 unknown method \"eo.no_such_method\"", ""},
          {"error.parse_error", "-32700 invalid JSON", ""},
          {"error.empty_batch", "-32600 batch is empty", ""},
          {"claim.software", "ElectrumX", ""}};
}

std::vector<Fact> with(std::vector<Fact> facts, const std::string& name, const std::string& value) {
  std::erase_if(facts, [&](const Fact& f) { return f.name == name; });
  facts.push_back({name, value, ""});
  return facts;
}

behaviour::Vector vec(const std::string& server, const std::vector<Fact>& facts) {
  return behaviour::make_vector(server, facts, ref());
}

const behaviour::Member& member(const Clustering& c, const std::string& server) {
  auto it = std::find_if(c.members.begin(), c.members.end(),
                         [&](const auto& m) { return m.server == server; });
  if (it == c.members.end()) throw std::runtime_error("no member " + server);
  return *it;
}

TEST(Behaviour, NormaliseKeepsTheCodeAndDropsWhatTheRequestPutInTheText) {
  EXPECT_EQ(behaviour::normalise("-32602 2 arguments passed to method \"x\" but it requires 1"),
            "-32602 # arguments passed to method \"x\" but it requires #");
  EXPECT_EQ(behaviour::normalise("1 " + std::string(64, 'a') + "  is not a valid script hash"),
            "1 <hex> is not a valid script hash");
  EXPECT_EQ(behaviour::normalise("result 1.4.2"), "result 1.4.2");
  EXPECT_EQ(behaviour::normalise("jsonrpc,result,id"), "jsonrpc,result,id");
  EXPECT_EQ(behaviour::normalise("- unknown method 7"), "- unknown method #");
}

TEST(Behaviour, IdenticalServersFormOneGroupWithWhatSetsThemApart) {
  std::vector<Fact> fulcrum = {{"framing.key_order", "id,jsonrpc,result", ""},
                               {"framing.terminator", "crlf", ""},
                               {"error.unknown_method", "-32601 Unsupported request: x", ""},
                               {"error.parse_error", "-32700 Failed to parse Json from string", ""},
                               {"claim.software", "Fulcrum", ""}};
  auto c =
      behaviour::cluster({vec("a", electrumx_facts()), vec("b", electrumx_facts()),
                          vec("c", electrumx_facts()), vec("f1", fulcrum), vec("f2", fulcrum)});
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_EQ(c.groups[0].members, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(c.groups[1].members, (std::vector<std::string>{"f1", "f2"}));
  EXPECT_EQ(c.groups[0].mean_distance, 0);
  EXPECT_EQ(c.groups[0].nearest, c.groups[1].id);
  EXPECT_EQ(c.groups[0].nearest_distance, 4);  // framing (one case), two errors, the claim
  for (const auto& m : c.members) EXPECT_FALSE(m.outlier) << m.server;
  const auto& apart = c.groups[1].distinguishing;
  EXPECT_NE(std::find(apart.begin(), apart.end(),
                      "framing.key_order = id,jsonrpc,result (0 of 3 elsewhere)"),
            apart.end());
}

TEST(Behaviour, OneModifiedFactMakesAnOutlierNamedWithThatFact) {
  auto modified = with(electrumx_facts(), "error.unknown_method", "-32601 no such thing");
  auto c = behaviour::cluster({vec("a", electrumx_facts()), vec("b", electrumx_facts()),
                               vec("c", electrumx_facts()), vec("m", modified)});
  const auto& m = member(c, "m");
  EXPECT_TRUE(m.outlier);
  EXPECT_EQ(m.nearest, member(c, "a").group);
  EXPECT_EQ(m.nearest_distance, 1);
  ASSERT_EQ(m.differs.size(), 1u);
  EXPECT_EQ(m.differs[0], "error.unknown_method: -32601 no such thing (" + m.nearest +
                              ": -32601 unknown method \"eo.no_such_method\")");
  EXPECT_FALSE(member(c, "a").outlier);

  // The claim alone: Fulcrum's behaviour claiming ElectrumX is not an honest Fulcrum.
  auto fake = with(electrumx_facts(), "claim.software", "Fulcrum");
  auto d = behaviour::cluster(
      {vec("a", electrumx_facts()), vec("b", electrumx_facts()), vec("fake", fake)});
  EXPECT_TRUE(member(d, "fake").outlier);
  EXPECT_EQ(member(d, "fake").differs,
            (std::vector<std::string>{"claim.software: Fulcrum (" + member(d, "a").group +
                                      ": ElectrumX)"}));
}

TEST(Behaviour, WhereAndWhenWeLookedDoesNotSplitHonestServers) {
  // Seen from a flaky vantage: sessions that failed, a case it never completed, a subnet that
  // ran into the cost limit and was throttled; the others saw the defaults.
  auto flaky = electrumx_facts();
  std::erase_if(flaky, [](const Fact& f) { return f.name == "error.empty_batch"; });
  flaky.push_back({"error.unknown_method", "failure timeout", ""});  // as EPS would: kept
  flaky.push_back({"error.wrong_arguments", "failure timeout", ""});
  flaky.push_back({"version.twice", "failure reset", ""});
  flaky.push_back({"error.parse_error", "-101 excessive resource usage", ""});
  flaky.push_back({"limit.style", "electrumx_cost", ""});
  auto steady = electrumx_facts();
  steady.push_back({"limit.style", "none", ""});
  auto both = steady;
  both.push_back({"limit.style", "electrumx_cost", ""});
  auto c = behaviour::cluster({vec("a", steady), vec("b", both), vec("c", flaky)});
  ASSERT_EQ(c.groups.size(), 1u);
  EXPECT_EQ(c.groups[0].members.size(), 3u);
  EXPECT_FALSE(vec("c", flaky).facts.contains("error.wrong_arguments"));
  EXPECT_FALSE(vec("a", steady).facts.contains("limit.style"));
  // The only limit style ever seen differs: that is behaviour, and it counts.
  auto throttles = with(both, "limit.style", "fulcrum_per_ip");
  EXPECT_EQ(behaviour::compare(vec("b", both), vec("t", throttles)).differing,
            (std::vector<std::string>{"limit.style"}));
}

TEST(Behaviour, ReleasesAndOptionsOfOneImplementationDoNotSplitIt) {
  auto old = with(electrumx_facts(), "version.profile", "result 1.4.2");
  old = with(old, "error.method_before_version", "result");
  old = with(old, "alive.method_before_version", "yes");
  auto operated = with(old, "donation_address", "address");
  auto c = behaviour::cluster(
      {vec("new", electrumx_facts()), vec("old", old), vec("operated", operated)});
  ASSERT_EQ(c.groups.size(), 1u);
  EXPECT_TRUE(
      behaviour::compare(vec("new", electrumx_facts()), vec("o", operated)).differing.empty());
  // A fact ElectrumX's reference does not state (its spacing changed between releases) says
  // nothing between two ElectrumX claims, and counts against a server claiming something else.
  auto compact = with(electrumx_facts(), "framing.spacing", "compact");
  auto spaced = with(electrumx_facts(), "framing.spacing", "spaced");
  EXPECT_TRUE(behaviour::compare(vec("c", compact), vec("s", spaced)).differing.empty());
  auto unclaimed = with(spaced, "claim.software", "Other");
  EXPECT_EQ(behaviour::compare(vec("c", compact), vec("u", unclaimed)).differing,
            (std::vector<std::string>{"claim.software", "version.profile"}));
  // Fulcrum's answer to the same case is no ElectrumX release's.
  auto foreign = with(electrumx_facts(), "error.empty_batch", "-32600 Invalid request");
  EXPECT_EQ(behaviour::compare(vec("new", electrumx_facts()), vec("f", foreign)).differing,
            (std::vector<std::string>{"hostile_input.empty_batch"}));
}

TEST(Behaviour, AnImplementationWithoutAFingerprintFormsItsOwnGroup) {
  std::vector<Fact> unknown = {{"framing.key_order", "result,id,jsonrpc", ""},
                               {"framing.terminator", "lf", ""},
                               {"error.unknown_method", "-1 nope", ""},
                               {"error.parse_error", "-1 bad json", ""},
                               {"claim.software", "NewServer", ""}};
  auto c = behaviour::cluster({vec("a", electrumx_facts()), vec("b", electrumx_facts()),
                               vec("n1", unknown), vec("n2", unknown)});
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_EQ(c.groups[1].members, (std::vector<std::string>{"n1", "n2"}));
  // Too little in common to compare: kept apart, never merged on nothing.
  auto d = behaviour::cluster(
      {vec("x", {{"version.twice", "result", ""}}), vec("y", {{"version.twice", "result", ""}})});
  EXPECT_EQ(d.groups.size(), 2u);
}

// The real captures as servers of their own: one host per capture, every probe it was captured
// with (the rate-limit ramp included, for its style).
std::vector<results::ObservationRow> real_rows() {
  std::vector<results::ObservationRow> rows;
  for (const auto& server : test::captured_servers("metadata")) {
    if (!server.starts_with("electrumx-")) continue;
    auto captured = test::captured_rows(
        {"metadata", "version_matrix", "hostile_input", "rate_limit_ramp"}, server);
    for (auto& row : captured) {
      row.target_host = server;
      row.target_id = "tcp://" + server + ":50001";
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

behaviour::Clustering cluster_rows(const std::vector<results::ObservationRow>& rows) {
  auto servers = inventory::build_inventory(
      rows, [](const std::string&) { return std::optional<inventory::Geo>(); });
  auto limits = ratelimit::infer_rate_limits(rows, ref());
  return behaviour::cluster(behaviour::vectors(rows, servers, limits, ref()));
}

TEST(RealCaptures, GenuineElectrumXIsNeverABehaviourOutlier) {
  const auto rows = real_rows();
  const auto c = cluster_rows(rows);
  ASSERT_GE(c.members.size(), 8u) << "captures of four releases in two configurations";
  for (const auto& m : c.members) {
    EXPECT_FALSE(m.outlier) << m.server << " differs from " << m.nearest << ": "
                            << testing::PrintToString(m.differs);
  }
  std::string groups;
  for (const auto& g : c.groups) groups += g.id + ": " + testing::PrintToString(g.members) + "\n";
  EXPECT_EQ(c.groups.size(), 1u) << groups;
}

TEST(RealCaptures, ARealElectrumXWithOneAlteredAnswerStandsOut) {
  auto rows = real_rows();
  std::string altered;
  for (auto& row : rows) {
    if (row.probe_name != "hostile_input" || row.target_host != "electrumx-2.0.0-default") continue;
    const std::string from = "unknown method";
    auto at = row.result_json.find(from);
    ASSERT_NE(at, std::string::npos);
    row.result_json.replace(at, from.size(), "no such method");
    row.content_sha256.clear();
    altered = row.target_host;
  }
  ASSERT_FALSE(altered.empty());
  const auto c = cluster_rows(rows);
  for (const auto& m : c.members) {
    EXPECT_EQ(m.outlier, m.server == altered) << m.server;
    if (m.server == altered) {
      ASSERT_EQ(m.differs.size(), 1u);
      EXPECT_TRUE(m.differs[0].starts_with("error.unknown_method: -32601 no such method"))
          << m.differs[0];
    }
  }
}

}  // namespace
}  // namespace eo::aggregator

namespace eo::aggregator {
namespace {

report::Cell text(const std::string& t) { return {report::Cell::Kind::text, t, 0, 0}; }
report::Cell integer(std::int64_t i) {
  return {report::Cell::Kind::integer, std::to_string(i), i, 0};
}
report::Cell real(double r) { return {report::Cell::Kind::real, std::to_string(r), 0, r}; }

TEST(BehaviourReport, GroupsAndOutliersAreDrawnAndListedWithServersTextEscaped) {
  report::Tables tables;
  auto& c = tables["behaviour_clusters"];
  c.columns = {"cluster_id",         "servers",         "members",
               "mean_distance",      "nearest_cluster", "nearest_distance",
               "distinguishing_json"};
  c.rows = {{text("b01"), integer(2), text("a b"), real(0), text("b02"), real(3),
             text(R"j(["framing.key_order = jsonrpc,result,id (0 of 1 elsewhere)"])j")},
            {text("b02"), integer(1), text("<script>x</script>"), real(0), text("b01"), real(3),
             text("[]")}};
  auto& m = tables["behaviour_members"];
  m.columns = {"server",          "cluster_id",       "outlier",      "cases",
               "nearest_cluster", "nearest_distance", "differs_json", "vector_json"};
  m.rows = {{text("<script>x</script>"), text("b02"), integer(1), integer(18), text("b01"), real(3),
             text(R"j(["error.unknown_method: <b>update</b> (b01: -32601 unknown)"])j"),
             text("{}")}};
  const std::string html = report::behaviour_section(tables);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>update"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;update&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("id=\"table-behaviour-clusters\""), std::string::npos);
  EXPECT_NE(html.find("id=\"table-behaviour-outliers\""), std::string::npos);
  const std::string svg = report::behaviour_figure_svg(c);
  std::size_t circles = 0;
  for (auto at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1)) {
    ++circles;
  }
  EXPECT_EQ(circles, 2u);
  EXPECT_NE(svg.find("#de2d26"), std::string::npos) << "the outlier is red";
}

}  // namespace
}  // namespace eo::aggregator
