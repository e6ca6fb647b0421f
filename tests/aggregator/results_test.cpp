// The results database: schema version, rows that read back as written, the columns derived from
// probe results, the normalized content hash, and duplicates counted by id.
#include "aggregator/results/derive.h"
#include "aggregator/results/json_scan.h"
#include "aggregator/results/normalize.h"
#include "aggregator/results/results_db.h"
#include "aggregator/results/schema.h"
#include "tests/aggregator/support.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ostream>
#include <random>
#include <tuple>

namespace eo::aggregator::results {
namespace {

using nlohmann::json;

ObservationRow full_row() {
  // Every field set to a distinct non-default value, so a column bound or read at the wrong
  // position shows up as a difference.
  ObservationRow r;
  int n = 0;
  auto next = [&](const std::string& name) { return name + "-" + std::to_string(++n); };
  r.observation_id = next("id");
  r.campaign_id = next("c");
  r.round = 3;
  r.task_id = next("task");
  r.agent_id = next("agent");
  r.target_id = next("target");
  r.target_host = next("host");
  r.target_port = 50002;
  r.transport = "tls";
  r.onion = true;
  r.resolved_ips = next("ips");
  r.vantage_id = next("v");
  r.vantage_class = next("class");
  r.vantage_region = next("region");
  r.vantage_provider = next("provider");
  r.vantage_network = "tor";
  r.vantage_egress_ip = next("egress");
  r.vantage_asn = 64500;
  r.vantage_country = next("country");
  r.tor_exit = next("exit");
  r.probe_name = next("probe");
  r.probe_version = 2;
  r.client_profile = next("profile");
  r.client_name = next("client");
  r.started_us = 1234567;
  r.outcome = next("outcome");
  r.failure = next("failure");
  r.error_code = -32601;
  r.error_message = next("message");
  r.dns_us = 11;
  r.connect_us = 12;
  r.tls_us = 13;
  r.first_byte_us = 14;
  r.total_us = 15;
  r.peer_ip = next("peer");
  r.server_version = next("sv");
  r.protocol = next("proto");
  r.protocol_min = next("pmin");
  r.protocol_max = next("pmax");
  r.banner_sha256 = next("banner");
  r.donation_address = next("donation");
  r.feature_keys = next("keys");
  r.genesis_hash = next("genesis");
  r.cert_sha256 = next("cert");
  r.spki_sha256 = next("spki");
  r.cert_subject = next("subject");
  r.cert_issuer = next("issuer");
  r.cert_not_after = 1800000000;
  r.tls_version = next("tlsv");
  r.content_sha256 = next("content");
  r.ramp_throttled = 1;
  r.ramp_threshold = 41;
  r.ramp_kind = next("kind");
  r.result_json = next("json");
  return r;
}

TEST(ResultsDb, CreatesTheCurrentSchemaAndReopens) {
  eo::test::TempDir dir;
  std::string path = dir.path() + "/r.sqlite";
  { ResultsDb db(path); }
  ResultsDb db(path);
  EXPECT_EQ(schema_version(db.database()), kSchemaVersion);
}

TEST(ResultsDb, MigratesAVersion1Database) {
  eo::test::TempDir dir;
  std::string path = dir.path() + "/r.sqlite";
  {
    ResultsDb db(path);
    std::vector<ObservationRow> rows{full_row()};
    db.write_batch(rows, {}, {});
  }
  {
    // Back to what a v1 aggregator left: without the tables of later versions.
    Database raw(path);
    raw.exec(
        "DROP TABLE differential; DROP TABLE operator_clusters; DROP TABLE operator_members; "
        "DROP TABLE findings; DROP TABLE suspicion; DROP TABLE privacy_risk; "
        "DROP TABLE findings_published; DROP INDEX observations_by_start; "
        "DROP INDEX honeypot_events_by_time; DROP TABLE exported_days; "
        "DROP TABLE behaviour_clusters; DROP TABLE behaviour_members; "
        "PRAGMA user_version = 1");
  }
  ResultsDb db(path);
  EXPECT_EQ(schema_version(db.database()), kSchemaVersion);
  EXPECT_EQ(db.totals().observations, 1u);
  auto s = db.database().prepare(
      "SELECT count(*) FROM sqlite_master WHERE name IN "
      "('differential', 'operator_clusters', 'operator_members')");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.i64(0), 3);
}

TEST(ResultsDb, RefusesADatabaseFromANewerAggregator) {
  eo::test::TempDir dir;
  std::string path = dir.path() + "/r.sqlite";
  {
    Database raw(path);
    raw.exec("PRAGMA user_version = 99");
  }
  EXPECT_THROW(ResultsDb{path}, SqliteError);
}

TEST(ResultsDb, EveryColumnReadsBackAsWritten) {
  eo::test::TempDir dir;
  ResultsDb db(dir.path() + "/r.sqlite");
  ObservationRow full = full_row();
  ObservationRow sparse;  // derived columns absent: NULL in SQL, empty again when read
  sparse.observation_id = "sparse";
  sparse.outcome = "timeout";
  EventRow event = to_row(test::synthetic_event(7));
  MalformedRecord bad{
      "observations.v1", sha256_hex("\x01\x02\x03"), 2, 17, "k", "not an eo.v1.Observation", 3,
      "\x01\x02\x03"};
  std::vector<ObservationRow> rows{full, sparse};
  auto counts = db.write_batch(rows, std::vector<EventRow>{event}, std::vector{bad});
  EXPECT_EQ(counts.observations, 2u);
  EXPECT_EQ(counts.events, 1u);
  EXPECT_EQ(counts.malformed, 1u);
  auto back = db.observations();
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0], sparse);  // ordered by target id: "" first
  EXPECT_EQ(back[1], full);
  ASSERT_EQ(db.events().size(), 1u);
  EXPECT_EQ(db.events()[0], event);
  ASSERT_EQ(db.malformed().size(), 1u);
  EXPECT_EQ(db.malformed()[0], bad);
  auto null_check = db.database().prepare(
      "SELECT server_version IS NULL, ramp_threshold IS NULL FROM observations WHERE "
      "observation_id = 'sparse'");
  ASSERT_TRUE(null_check.step());
  EXPECT_EQ(null_check.i64(0), 1);
  EXPECT_EQ(null_check.i64(1), 1);
}

TEST(ResultsDb, DuplicatesAreCountedAndLeftAlone) {
  eo::test::TempDir dir;
  ResultsDb db(dir.path() + "/r.sqlite");
  auto a = to_row(test::synthetic_observation(1));
  auto changed = a;
  changed.outcome = "timeout";  // same id, different content: the first write stays
  std::vector<ObservationRow> batch{a, a};
  auto first = db.write_batch(batch, {}, {});
  EXPECT_EQ(first.observations, 1u);
  EXPECT_EQ(first.observation_duplicates, 1u);
  std::vector<ObservationRow> again{changed};
  auto second = db.write_batch(again, {}, {});
  EXPECT_EQ(second.observations, 0u);
  EXPECT_EQ(second.observation_duplicates, 1u);
  EXPECT_EQ(db.observations().at(0).outcome, "ok");
}

TEST(ResultsDb, ObservationsReadByTargetThenStartThenId) {
  eo::test::TempDir dir;
  ResultsDb db(dir.path() + "/r.sqlite");
  // Written in a scrambled order; ties on target and start are broken by id.
  std::vector<std::tuple<std::string, std::int64_t, std::string>> keys = {
      {"tcp://b:1", 5, "o1"}, {"tcp://a:1", 9, "o2"}, {"tcp://b:1", 1, "o3"},
      {"tcp://a:1", 9, "o0"}, {"tcp://c:1", 0, "o4"}, {"tcp://a:1", 2, "o5"},
      {"tcp://b:1", 5, "o0b"}};
  std::vector<ObservationRow> batch;
  for (const auto& [target, start, id] : keys) {
    auto row = to_row(test::synthetic_observation(batch.size()));
    row.target_id = target;
    row.started_us = start;
    row.observation_id = id;
    batch.push_back(row);
  }
  db.write_batch(batch, {}, {});
  std::vector<std::string> ids;
  for (const auto& row : db.observations()) ids.push_back(row.observation_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"o5", "o0", "o2", "o3", "o0b", "o1", "o4"}));
  std::size_t same_probe = 0;
  for (const auto& row : batch) same_probe += row.probe_name == batch[6].probe_name;
  auto filtered = db.observations({batch[6].probe_name});
  EXPECT_EQ(filtered.size(), same_probe);
  for (const auto& row : filtered) EXPECT_EQ(row.probe_name, batch[6].probe_name);
}

TEST(ResultsDb, AWindowReadsTheNewestHoursThroughTheTimeIndex) {
  eo::test::TempDir dir;
  ResultsDb db(dir.path() + "/r.sqlite");
  EXPECT_EQ(window_start(db, std::chrono::hours(1)), kAllHistory);  // nothing stored yet
  constexpr std::int64_t kHour = 3'600'000'000;
  std::vector<ObservationRow> batch;
  for (std::int64_t hour = 0; hour < 10; ++hour) {
    auto row = to_row(test::synthetic_observation(static_cast<std::uint64_t>(hour)));
    row.started_us = hour * kHour;
    batch.push_back(row);
  }
  std::vector<EventRow> events{to_row(test::synthetic_event(1)), to_row(test::synthetic_event(2))};
  events[0].time_us = 2 * kHour;
  events[1].time_us = 8 * kHour;
  db.write_batch(batch, events, {});
  EXPECT_EQ(window_start(db, std::chrono::hours(0)), kAllHistory);
  const auto since = window_start(db, std::chrono::hours(3));  // hours 7, 8 and 9
  EXPECT_EQ(since, 6 * kHour + 1);
  auto rows = db.observations({}, since);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows.front().started_us, 7 * kHour);
  EXPECT_EQ(db.observations({rows[0].probe_name}, since).size(), 1u);
  ASSERT_EQ(db.events(since).size(), 1u);
  EXPECT_EQ(db.events(since)[0].time_us, 8 * kHour);
  EXPECT_EQ(db.observations().size(), 10u);
  // The window is a range search of the index, not a scan of the history.
  for (const char* sql : {"EXPLAIN QUERY PLAN SELECT * FROM observations WHERE started_us >= ?",
                          "EXPLAIN QUERY PLAN SELECT * FROM honeypot_events WHERE time_us >= ? "
                          "ORDER BY time_us, event_id",
                          "EXPLAIN QUERY PLAN SELECT max(started_us) FROM observations",
                          // The open-data day files and retention, a day at a time.
                          "EXPLAIN QUERY PLAN SELECT * FROM observations WHERE started_us >= ? "
                          "AND started_us < ? ORDER BY started_us, observation_id",
                          "EXPLAIN QUERY PLAN DELETE FROM observations WHERE started_us >= ? AND "
                          "started_us < ?"}) {
    auto plan = db.database().prepare(sql);
    std::string text;
    while (plan.step()) text += plan.text(3) + ";";
    EXPECT_NE(text.find("USING"), std::string::npos) << sql << ": " << text;
    EXPECT_EQ(text.find("SCAN observations;"), std::string::npos) << text;
    EXPECT_EQ(text.find("SCAN honeypot_events;"), std::string::npos) << text;
  }
}

TEST(Derive, EnvelopeAndMetadataColumns) {
  auto o = test::synthetic_observation(8 * 6 + 0);  // server 1 (TLS), vantage 0, metadata
  auto row = to_row(o);
  EXPECT_EQ(row.observation_id, "obs-48");
  EXPECT_EQ(row.target_id, "tls://server1.example:50002");
  EXPECT_EQ(row.transport, "tls");
  EXPECT_EQ(row.vantage_class, "region=us,network=clearnet");  // from the task id
  EXPECT_EQ(row.vantage_network, "clearnet");
  EXPECT_EQ(row.outcome, "ok");
  EXPECT_EQ(row.peer_ip, "198.51.100.1");
  EXPECT_EQ(row.server_version, "ElectrumX 1.20.0");
  EXPECT_EQ(row.protocol, "1.6.0");
  EXPECT_EQ(row.protocol_min, "1.4");
  EXPECT_EQ(row.protocol_max, "1.6.0");
  EXPECT_EQ(row.feature_keys,
            "genesis_hash,hash_function,hosts,protocol_max,protocol_min,pruning,server_version,"
            "services");
  EXPECT_EQ(row.banner_sha256, sha256_hex("You are connected to an ElectrumX 1.20.0 server."));
  EXPECT_EQ(row.donation_address, "");
  EXPECT_EQ(row.cert_sha256, std::string(64, 'c'));
  EXPECT_EQ(row.tls_version, "TLSv1.3");
  EXPECT_EQ(row.content_sha256.size(), 64u);
  EXPECT_FALSE(row.ramp_throttled.has_value());
}

TEST(Derive, RampColumnsAndVantageClassWithoutATaskId) {
  auto o = test::synthetic_observation(6);  // rate_limit_ramp of server 0
  o.clear_task_id();
  o.mutable_vantage()->set_region("");
  auto row = to_row(o);
  EXPECT_EQ(row.vantage_class, "network=clearnet");
  EXPECT_EQ(row.ramp_throttled, 1);
  EXPECT_EQ(row.ramp_threshold, 40);
  EXPECT_EQ(row.ramp_kind, "error");
}

TEST(Derive, ResultThatIsNotJsonDerivesNothingAndKeepsTheText) {
  auto o = test::synthetic_observation(0);
  o.set_result_json("{not json");
  auto row = to_row(o);
  EXPECT_EQ(row.server_version, "");
  EXPECT_EQ(row.content_sha256, "");
  EXPECT_EQ(row.result_json, "{not json");
}

TEST(Derive, PeerAddressesOverTorAreTheProxysAndAreDropped) {
  auto o = test::synthetic_observation(0);
  o.mutable_vantage()->set_network(v1::NETWORK_TOR);
  EXPECT_EQ(to_row(o).peer_ip, "");
  EXPECT_EQ(host_of("[2001:db8::1]:50002"), "2001:db8::1");
  EXPECT_EQ(host_of("203.0.113.5:50001"), "203.0.113.5");
}

TEST(Derive, ARecycledRowEqualsAFreshOne) {
  // Every probe shape, over TLS and TCP, with and without an error, over Tor and not, each
  // decoded into a row that last held each of the others: nothing of the previous one remains.
  std::vector<v1::Observation> observations;
  for (std::uint64_t i = 0; i < 16; ++i) observations.push_back(test::synthetic_observation(i));
  observations[3].mutable_error()->set_code(-32600);
  observations[3].mutable_error()->set_message("bad request");
  observations[5].mutable_vantage()->set_network(v1::NETWORK_TOR);
  observations[8].set_result_json("{not json");
  observations[9].set_outcome(v1::OUTCOME_TIMEOUT);
  for (const auto& previous : observations) {
    for (const auto& o : observations) {
      ObservationRow row = to_row(previous);
      to_row(o, row);
      EXPECT_EQ(row, to_row(o)) << previous.observation_id() << " then " << o.observation_id();
    }
  }
}

TEST(Derive, EventRowsRecycleAndScriptHashesEncodeAsJson) {
  std::vector<v1::HoneypotEvent> events;
  for (std::uint64_t i = 0; i < 4; ++i) events.push_back(test::synthetic_event(i));
  events[1].clear_scripthashes();
  events[2].add_scripthashes("ABCdef0123");
  events[3].add_scripthashes("not \"hex\"\n\xff");  // what a hostile client may send
  events[3].set_kind(static_cast<v1::HoneypotEventKind>(999));
  for (const auto& previous : events) {
    for (const auto& e : events) {
      EventRow row = to_row(previous);
      to_row(e, row);
      EXPECT_EQ(row, to_row(e)) << previous.event_id() << " then " << e.event_id();
    }
  }
  for (const auto& e : events) {
    std::vector<std::string> hashes(e.scripthashes().begin(), e.scripthashes().end());
    EXPECT_EQ(to_row(e).scripthashes,
              json(hashes).dump(-1, ' ', false, json::error_handler_t::replace));
  }
  EXPECT_EQ(to_row(events[1]).scripthashes, "[]");
  EXPECT_EQ(to_row(events[3]).kind, "unknown");
}

TEST(JsonScan, MembersAndStringValues) {
  auto all = members(R"({"a":1, "b\"c":[2,{"d":3}] ,"a":"x"})");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].first, R"("b\"c")");
  EXPECT_EQ((*all)[1].second, R"([2,{"d":3}])");
  EXPECT_EQ((*all)[2].second, R"("x")");
  EXPECT_TRUE(members("{}")->empty());
  EXPECT_FALSE(members("[1]"));
  EXPECT_FALSE(members(R"({"a":1,})"));
  EXPECT_FALSE(members(R"({"a" 1})"));
  EXPECT_FALSE(members(R"({"a":1)"));

  EXPECT_EQ(string_value(R"("plain")"), "plain");
  EXPECT_EQ(string_value(R"("tab\there \u00e9")"), "tab\there \xc3\xa9");
  EXPECT_FALSE(string_value("1"));
  EXPECT_FALSE(string_value(R"("a"b")"));
  EXPECT_FALSE(string_value("\"\xff\""));  // not UTF-8
  EXPECT_FALSE(string_value("\""));
  // Found by json_scan_fuzz (corpus/json_scan/regress-nul-*): nlohmann stops at a NUL byte.
  EXPECT_FALSE(string_value(std::string_view("\"a\"\0\"", 5)));
}

TEST(Derive, MetadataDuplicateAndEscapedKeysReadAsAParserWould) {
  auto o = test::synthetic_observation(0);
  o.set_result_json(
      R"({"version":{"result":["Old 1.0","1.4"],"result":["ElectrumX 1.20.0","1.6.0"]},)"
      R"("features":{"result":{"protocol_max":"1.5","z\u0061":1,"protocol_max":"1.6.0","b":2}},)"
      R"("banner":{"result":"hi\nthere"},"donation_address":{"result":7}})");
  auto row = to_row(o);
  EXPECT_EQ(row.server_version, "ElectrumX 1.20.0");
  EXPECT_EQ(row.protocol, "1.6.0");
  EXPECT_EQ(row.protocol_max, "1.6.0");
  EXPECT_EQ(row.feature_keys, "b,protocol_max,za");
  EXPECT_EQ(row.banner_sha256, sha256_hex("hi\nthere"));
  EXPECT_EQ(row.donation_address, "");  // not a string
}

// The metadata columns as a full parse gives them (nlohmann, the last of duplicate keys wins):
// the reference that the one-scan reading in derive.cpp must agree with.
struct MetadataColumns {
  std::string server_version, protocol, protocol_min, protocol_max, feature_keys, genesis_hash,
      banner_sha256, donation_address;
  bool operator==(const MetadataColumns&) const = default;
  friend std::ostream& operator<<(std::ostream& out, const MetadataColumns& c) {
    return out << json{c.server_version, c.protocol,     c.protocol_min,  c.protocol_max,
                       c.feature_keys,   c.genesis_hash, c.banner_sha256, c.donation_address}
                      .dump(-1, ' ', false, json::error_handler_t::replace);
  }
};

MetadataColumns columns_of(const ObservationRow& row) {
  return {row.server_version, row.protocol,     row.protocol_min,  row.protocol_max,
          row.feature_keys,   row.genesis_hash, row.banner_sha256, row.donation_address};
}

MetadataColumns parsed_columns(const json& result) {
  MetadataColumns out;
  auto at = [](const json& object, const char* key) -> const json* {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  };
  auto string_at = [](const json* v) { return v && v->is_string() ? v->get<std::string>() : ""; };
  if (const json* version = at(result, "version")) {
    if (const json* r = at(*version, "result")) {
      if (r->is_array() && r->size() == 2) {
        out.server_version = string_at(&(*r)[0]);
        out.protocol = string_at(&(*r)[1]);
      } else if (r->is_string()) {
        out.protocol = r->get<std::string>();
      }
    }
  }
  if (const json* features = at(result, "features")) {
    if (const json* f = at(*features, "result"); f && f->is_object()) {
      for (const auto& [key, value] : f->items()) {
        out.feature_keys += (out.feature_keys.empty() ? "" : ",") + key;
      }
      out.protocol_min = string_at(at(*f, "protocol_min"));
      out.protocol_max = string_at(at(*f, "protocol_max"));
      out.genesis_hash = string_at(at(*f, "genesis_hash"));
    }
  }
  if (const json* banner = at(result, "banner")) {
    if (const json* text = at(*banner, "result"); text && text->is_string()) {
      out.banner_sha256 = sha256_hex(text->get_ref<const std::string&>());
    }
  }
  if (const json* donation = at(result, "donation_address")) {
    out.donation_address = string_at(at(*donation, "result"));
  }
  return out;
}

TEST(Derive, MetadataScanAgreesWithAFullParseOverMutations) {
  // Mutations of a metadata result: what still parses must derive what a parser derives, and
  // nothing may throw on what does not.
  auto base = test::synthetic_observation(0);  // metadata
  const std::string original = base.result_json();
  std::mt19937 random(20261121);
  const std::string alphabet = "{}[]\",:\\ au0123456789.-tnlfe\x01\xc3\xa9\xff";
  std::size_t valid = 0, changed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = original;
    int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      std::size_t at = random() % text.size();
      switch (random() % 4) {
        case 0:
          text.erase(at, 1 + random() % 3);
          break;
        case 1:
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
        case 2:
          text[at] = alphabet[random() % alphabet.size()];
          break;
        default: {  // a duplicated span: duplicate keys, nested copies
          std::size_t length = 1 + random() % 40;
          text.insert(random() % text.size(), text.substr(at, length));
        }
      }
    }
    base.set_result_json(text);
    ObservationRow row;
    ASSERT_NO_THROW(row = to_row(base)) << text;
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) continue;
    ++valid;
    auto expected = parsed_columns(parsed);
    changed += !(expected == parsed_columns(json::parse(original)));
    ASSERT_EQ(columns_of(row), expected) << text;
  }
  // The mutations must reach both cases for the comparison to mean something.
  EXPECT_GT(valid, 500u);
  EXPECT_GT(changed, 50u);
}

TEST(JsonScan, MemberTextSkipsWhatItDoesNotNeed) {
  std::string_view text =
      R"({"a":"x\"}y","b":[1,{"c":"]"}],"n":-1.5e3 , "o":{"k":[true,null]},"s":"v"})";
  EXPECT_EQ(member_text(text, "a"), R"("x\"}y")");
  EXPECT_EQ(member_text(text, "b"), R"([1,{"c":"]"}])");
  EXPECT_EQ(member_text(text, "n"), "-1.5e3");
  EXPECT_EQ(member_text(text, "o"), R"({"k":[true,null]})");
  EXPECT_EQ(member_text(text, "s"), R"("v")");
  EXPECT_FALSE(member_text(text, "c"));  // nested keys are not members
  EXPECT_FALSE(member_text("{}", "a"));
  EXPECT_FALSE(member_text("[1]", "a"));
  EXPECT_FALSE(member_text(R"({"a":[1,2)", "a"));
  EXPECT_FALSE(member_text(R"({"b":1 "a":2})", "a"));
  EXPECT_FALSE(member_text(R"({"a":"open)", "a"));
}

TEST(Normalize, VolatileFieldsAndPeerOrderDoNotChangeTheHash) {
  json a = {{"tip", {{"result", {{"height", 1}}}}},
            {"estimatefee", {{"result", 0.001}}},
            {"banner", {{"result", "hi"}}},
            {"latency", {{"rtt_us", 5}}},
            {"peers", {{"result", {{"1.2.3.4", "a", {"v1.4"}}, {"5.6.7.8", "b", {"v1.4"}}}}}}};
  json b = a;
  b["tip"]["result"]["height"] = 2;
  b["estimatefee"]["result"] = 0.002;
  b["latency"]["rtt_us"] = 7;
  std::swap(b["peers"]["result"][0], b["peers"]["result"][1]);
  EXPECT_EQ(content_sha256(a.dump()), content_sha256(b.dump()));
  EXPECT_EQ(content_sha256(a.dump()), content_sha256(a.dump(2)));  // whitespace is not content
  json c = a;
  c["banner"]["result"] = "hello";  // content
  EXPECT_NE(content_sha256(a.dump()), content_sha256(c.dump()));
  EXPECT_EQ(*normalize(a.dump()),
            R"({"banner":{"result":"hi"},"latency":{},"peers":{"result":[["1.2.3.4","a",["v1.4"]],)"
            R"(["5.6.7.8","b",["v1.4"]]]}})");
}

TEST(Normalize, NotJsonHasNoContentHash) {
  for (const char* text : {"", "{", "{\"a\":}", "[1,]x", "{\"a\" 1}", "\"open"}) {
    EXPECT_FALSE(normalize(text).has_value()) << text;
    EXPECT_EQ(content_sha256(text), "") << text;
  }
  EXPECT_EQ(*normalize(" {\"a\" : [ 1 , \"x y\" ] } "), R"({"a":[1,"x y"]})");
  std::string deep(10000, '[');
  EXPECT_FALSE(normalize(deep + std::string(10000, ']')).has_value());  // bounded recursion
}

}  // namespace
}  // namespace eo::aggregator::results
