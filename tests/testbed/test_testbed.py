"""Unit tests of the testbed's logic (no root, no namespaces): scenario validation and the
configurations it derives, the check against the ground truth, netem arguments and the delay
line's schedule. Run: /usr/bin/python3 -m unittest discover -s tests/testbed -p 'test_*.py'"""

import random
import sqlite3
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import checker  # noqa: E402
import history_check  # noqa: E402
import delayline  # noqa: E402
import distributed  # noqa: E402
import netns  # noqa: E402
import scenario as scenario_mod  # noqa: E402

BASE = {
    "name": "t",
    "rounds": 3,
    "probes": ["metadata", "latency"],
    "regions": [{"name": "eu"}, {"name": "us", "netem": {"delay_ms": 20}}],
    "tor_exit": {},
    "servers": [
        {"name": "honest", "profile": {"base": "electrumx"}},
        {"name": "refuser", "profile": {"base": "fulcrum"},
         "rules": [{"name": "r", "match": {"regions": ["eu"]}, "action": {"type": "refuse"}}],
         "expect": ["differential.reachability"], "allow": ["differential.error"]},
        {"name": "syb-a", "profile": {"base": "electrumx"}, "cert": "s", "peers": ["syb-b"],
         "expect": ["operator_cluster"]},
        {"name": "syb-b", "profile": {"base": "electrumx"}, "cert": "s", "peers": ["syb-a"],
         "expect": ["operator_cluster"]},
        {"name": "phish", "profile": {"base": "electrumx"},
         "expect": ["phishing_broadcast"]},
        {"name": "relay", "profile": {"base": "electrumx"}, "upstream": "refuser"},
    ],
}


def scen(**changes):
    import copy
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    return scenario_mod.Scenario(doc)


class ScenarioTest(unittest.TestCase):
    def test_rejects_bad_files(self):
        bad = [
            {"rounds": 1},
            {"regions": [{"name": "eu"}]},
            {"regions": [{"name": "eu"}, {"name": "eu"}]},
            {"servers": [{"name": "x", "profile": {"base": "bitcoind"}}]},
            {"servers": [{"name": "x", "profile": {"base": "eps"}, "expect": ["sybil"]}]},
            {"servers": [{"name": "x", "profile": {"base": "eps"}, "peers": ["nobody"]}]},
            {"servers": [{"name": "x", "profile": {"base": "eps"},
                          "rules": [{"match": {"regions": ["mars"]},
                                     "action": {"type": "refuse"}}]}]},
            {"tor_exit": None, "servers": [{"name": "x", "profile": {"base": "eps"},
                                            "rules": [{"match": {"tor_exit": True},
                                                       "action": {"type": "refuse"}}]}]},
            {"surprise": 1},
        ]
        for change in bad:
            with self.subTest(change=change), self.assertRaises(scenario_mod.ScenarioError):
                scen(**change)

    def test_regions_get_their_own_subnets_and_rules_name_them(self):
        s = scen()
        self.assertEqual([r["addresses"] for r in s.regions],
                         [["10.77.11.2/24", "fd77:11::2/48"], ["10.77.12.2/24", "fd77:12::2/48"]])
        refuser = s.servers[1]
        cfg = s.honeypot_config(refuser, "c.pem", "k.pem")
        self.assertEqual(cfg["profile"]["rules"][0]["match"],
                         {"subnets": ["10.77.11.0/24", "fd77:11::/48"]})
        self.assertEqual(cfg["profile"]["tor_exits"], ["10.77.9.2"])
        self.assertEqual(cfg["listeners"][1]["cert_file"], "c.pem")

    def test_sybils_share_a_certificate_and_list_each_other(self):
        s = scen()
        self.assertEqual(s.cert_groups()["s"], ["syb-a", "syb-b"])
        cfg = s.honeypot_config(s.servers[2], "c", "k")
        self.assertEqual(cfg["profile"]["peers"],
                         [["10.77.104.1", "10.77.104.1", ["v1.4", "s50002", "t50001"]]])

    def test_relay_points_at_its_upstream_and_behaves_as_it(self):
        s = scen()
        relay = s.servers[5]
        self.assertEqual(s.honeypot_config(relay, "c", "k")["upstream"], "10.77.102.1:50001:t")
        self.assertEqual(s.behaves_as(relay), "fulcrum")

    def test_a_probe_the_binary_lacks_fails_the_run(self):
        s = scen(probes=["metadata", "broadcast_check"])
        doc = s.campaign("c1", {"metadata", "broadcast_check"})
        self.assertEqual(doc["probes"], ["metadata", "broadcast_check"])
        self.assertEqual(doc["vantages"], [{"region": "eu"}, {"region": "us"},
                                           {"region": "torexit"}])
        self.assertEqual(len(doc["targets"]["list"]), 6)
        # A binary whose probe list lacks broadcast_check cannot find the phishing it plants.
        with self.assertRaisesRegex(scenario_mod.ScenarioError, "lacks: broadcast_check"):
            s.campaign("c1", {"metadata"})

    def test_canaries_put_a_secret_in_the_campaign_and_are_needed_for_a_leak(self):
        leaky = [dict(BASE["servers"][5], expect=["query_leak"])]
        servers = BASE["servers"][:5] + leaky
        probes = ["metadata", "xpub_gap_scan"]
        s = scen(probes=probes, canaries=True, servers=servers)
        self.assertEqual(s.canary_probes(), ["xpub_gap_scan"])
        doc = s.campaign("c1", set(probes), "ab" * 32)
        self.assertEqual(doc["canary_secret"], "ab" * 32)
        self.assertNotIn("canary_secret",
                         scen().campaign("c1", set(scen().probes)))
        for change in ({"probes": probes},  # no canaries
                       {"probes": ["metadata"], "canaries": True},  # no probe asks them
                       {"probes": probes + ["address_formats"], "canaries": True,
                        "params": {"xpub_gap_scan": {"control": "1"},
                                   "address_formats": {"control": 1}}}):  # only controls
            with self.subTest(change=change), self.assertRaises(scenario_mod.ScenarioError):
                scen(servers=servers, **change)
        # address_formats without control asks canaries too
        both = scen(probes=["address_formats"], canaries=True, servers=servers)
        self.assertEqual(both.canary_probes(), ["address_formats"])

    def test_shipped_scenarios_load(self):
        for path in sorted((HERE / "scenarios").glob("*.yaml")):
            with self.subTest(path=path.name):
                s = scenario_mod.load(path)
                # each plants findings or changes (the history scenario plants only changes)
                self.assertTrue(any(srv["expect"] or srv["schedule"] for srv in s.servers))
                self.assertTrue(any(not srv["expect"] for srv in s.servers))


SCHEDULED = [
    {"name": "flaky", "profile": {"base": "fulcrum"},
     "schedule": [{"before_round": 1, "action": "stop"}, {"before_round": 3, "action": "start"}]},
    {"name": "upgrader", "profile": {"base": "electrumx"},
     "schedule": [{"before_round": 2, "action": "restart", "server_version": "ElectrumX 1.20.0",
                   "cert": "new"}]},
]


class ScheduleTest(unittest.TestCase):
    def test_a_schedule_gives_the_changes_the_history_must_show(self):
        s = scen(rounds=4, continuous=True, servers=SCHEDULED)
        self.assertEqual(s.expected_changes(), [
            ("flaky", "reachability", 1, "down"), ("flaky", "reachability", 3, "up"),
            ("upgrader", "version", 2, "ElectrumX 1.20.0"), ("upgrader", "certificate", 2, None),
            ("upgrader", "key", 2, None)])
        self.assertEqual(s.cert_groups()["new"], ["upgrader"])
        self.assertEqual(s.campaign("c", {"metadata", "latency"})["rounds"], "continuous")
        cfg = s.honeypot_config(s.servers[1], "c.pem", "c.key", "ElectrumX 1.20.0")
        self.assertEqual(cfg["profile"]["server_version"], "ElectrumX 1.20.0")

    def test_rejects_bad_schedules(self):
        bad = [
            [{"before_round": 0, "action": "stop"}],           # before the first round
            [{"before_round": 4, "action": "stop"}],           # no such round
            [{"before_round": 1, "action": "restart"}],        # a restart changes something
            [{"before_round": 1, "action": "start"}],          # already running
            [{"before_round": 1, "action": "stop", "cert": "x"}],
            [{"before_round": 2, "action": "stop"}, {"before_round": 1, "action": "start"}],
        ]
        for schedule in bad:
            with self.subTest(schedule=schedule), self.assertRaises(scenario_mod.ScenarioError):
                scen(rounds=4, servers=[{"name": "x", "profile": {"base": "electrumx"},
                                         "schedule": schedule}])

    def test_history_check_wants_each_change_at_its_round_and_no_other(self):
        s = scen(rounds=4, servers=SCHEDULED)
        flaky, upgrader = "10.77.101.1", "10.77.102.1"
        changes = [(flaky, "reachability", "c", 1, "up", "down"),
                   (flaky, "reachability", "c", 3, "down", "up"),
                   (upgrader, "version", "c", 2, "ElectrumX 1.16.0", "ElectrumX 1.20.0"),
                   (upgrader, "certificate", "c", 2, "aa", "bb"),
                   (upgrader, "key", "c", 2, "cc", "dd"),
                   (upgrader, "addresses", "c", 3, "x", "y")]  # not watched
        rows, problems = history_check.compare(s, changes)
        self.assertEqual(problems, [])
        self.assertTrue(all(r["ok"] for r in rows))
        late = [c if c[1] != "version" else c[:3] + (3,) + c[4:] for c in changes]
        _rows, problems = history_check.compare(s, late)
        self.assertEqual(problems, [
            "upgrader: version change before round 2 not in the history",
            "upgrader: unexpected version change at round 3 to 'ElectrumX 1.20.0'"])


def make_db(path, findings_rows=None):
    db = sqlite3.connect(path)
    db.executescript("""
      CREATE TABLE differential(target_id TEXT, dimension TEXT, vantage_id TEXT, status TEXT);
      CREATE TABLE fingerprints(target_id TEXT, claimed_implementation TEXT,
                                implementation TEXT, modified INTEGER);
      CREATE TABLE operator_clusters(cluster_id TEXT, servers INTEGER);
      CREATE TABLE operator_members(server TEXT, cluster_id TEXT);
      CREATE TABLE findings(finding_id TEXT, kind TEXT, server TEXT);
    """)
    db.executemany("INSERT INTO differential VALUES (?,?,?,?)", [
        ("tls://10.77.102.1:50002", "reachability", "eu", "finding"),
        ("tls://10.77.101.1:50002", "latency", "us", "not_significant"),
        ("tls://10.77.101.1:50002", "content", "us", "finding"),  # false positive
    ])
    db.executemany("INSERT INTO fingerprints VALUES (?,?,?,?)", [
        ("tls://10.77.101.1:50002", "electrumx", "electrumx", 0),
        ("tls://10.77.102.1:50002", "fulcrum", "fulcrum", 0),
        ("tls://10.77.103.1:50002", "electrumx", "unknown", 0),
    ])
    db.execute("INSERT INTO operator_clusters VALUES ('10.77.103.1', 2)")
    db.executemany("INSERT INTO operator_members VALUES (?,?)", [
        ("10.77.103.1", "10.77.103.1"), ("10.77.104.1", "10.77.103.1"),
        ("10.77.101.1", "10.77.101.1")])
    for row in findings_rows or []:
        db.execute("INSERT INTO findings VALUES (?,?,?)", row)
    db.commit()
    db.close()


class CheckerTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = str(Path(self.dir.name) / "r.sqlite")

    def tearDown(self):
        self.dir.cleanup()

    def test_analysis_tables_against_the_truth(self):
        make_db(self.db)
        result = checker.check(scen(), self.db)
        self.assertEqual(result["source"], "analysis tables")
        rows = result["rows"]
        self.assertEqual(rows["differential.reachability"],
                         {"planted": 1, "found": 1, "missed": 0, "false_positives": 0,
                          "precision": 1.0, "recall": 1.0})
        self.assertEqual(rows["differential.content"]["false_positives"], 1)
        self.assertEqual(rows["differential.content"]["precision"], 0.0)
        self.assertEqual(rows["operator_cluster"]["found"], 2)
        self.assertFalse(result["ok"])
        # Planted and not found is a miss, whatever produces the kind or not.
        self.assertEqual(result["problems"], ["honest: unexpected differential.content",
                                              "phish: missed phishing_broadcast"])

    def test_a_missed_kind_fails(self):
        make_db(self.db)
        db = sqlite3.connect(self.db)
        db.execute("DELETE FROM differential WHERE dimension = 'reachability'")
        db.execute("DELETE FROM differential WHERE dimension = 'content'")
        db.commit()
        db.close()
        result = checker.check(scen(), self.db)
        self.assertEqual(result["problems"], ["refuser: missed differential.reachability",
                                              "phish: missed phishing_broadcast"])
        self.assertEqual(result["rows"]["differential.reachability"]["recall"], 0.0)

    def test_allowed_kinds_are_not_false_positives(self):
        make_db(self.db, findings_rows=[
            ("1", "differential.reachability", "10.77.102.1"),
            ("2", "differential.error", "10.77.102.1"),
            ("3", "operator_cluster", "10.77.103.1"),
            ("4", "operator_cluster", "10.77.104.1"),
            ("5", "phishing_broadcast", "10.77.105.1"),
            ("6", "query_leak", "10.77.200.1"),  # not a scenario server
        ])
        result = checker.check(scen(), self.db)
        self.assertEqual(result["source"], "findings table")
        self.assertEqual(result["problems"], ["10.77.200.1 (not in the scenario): query_leak"])
        self.assertEqual(result["rows"]["phishing_broadcast"]["found"], 1)

    def test_confusion_uses_behaviour_not_claim(self):
        make_db(self.db)
        result = checker.check(scen(), self.db)
        c = result["confusion"]
        self.assertEqual(c["electrumx->electrumx"], 1)
        self.assertEqual(c["fulcrum->fulcrum"], 1)
        self.assertEqual(c["electrumx->unknown"], 1)
        self.assertEqual(c["electrumx->no fingerprint"], 2)  # syb-b, phish
        self.assertEqual(c["fulcrum->no fingerprint"], 1)  # the relay behaves as its upstream


class AggregatorLogTest(unittest.TestCase):
    LOG = ("aggregator: 10 records, 4 new observations, 5 new honeypot events, 1 duplicates, "
           "0 malformed, lag 0.5 s\n"
           "aggregator: 20 records, 8 new observations, 9 new honeypot events, 3 duplicates, "
           "0 malformed, lag 0 s\n"
           "2026-12-07T15:38:48Z info aggregator: aggregator stopped observations_stored=8\n"
           "aggregator: 7 records, 2 new observations, 3 new honeypot events, 2 duplicates, "
           "0 malformed, lag 0 s\n")

    def test_progress_is_the_last_line(self):
        self.assertEqual(distributed.progress(self.LOG), (2, 3, 2))
        self.assertIsNone(distributed.progress("nothing consumed"))

    def test_a_fault_without_probing_is_a_problem(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "results.sqlite"
            conn = sqlite3.connect(db)
            conn.execute("CREATE TABLE observations (started_us INTEGER NOT NULL)")
            conn.executemany("INSERT INTO observations VALUES (?)",
                             [(int(t * 1e6),) for t in (101.0, 102.5, 130.0)])
            conn.commit()
            conn.close()
            report, problems = distributed.overlaps(
                db, {"broker kill": (100.0, 105.0), "outage": (140.0, 260.0)}, (100.0, 135.0))
        self.assertEqual(report["broker kill"]["observations_started_meanwhile"], 2)
        self.assertEqual(report["outage"]["from_campaign_start_s"], 40.0)
        self.assertEqual(problems, ["outage: no probe started while it lasted (120.0 s): it did "
                                    "not overlap probing"])

    def test_duplicates_add_up_over_restarts(self):
        # cumulative within a process: 3 for the first, 2 for the restarted one
        self.assertEqual(distributed.duplicates_met(self.LOG), 5)


class NoiseTest(unittest.TestCase):
    def test_netem_args(self):
        self.assertEqual(netns.netem_args({}), [])
        self.assertEqual(netns.netem_args({"delay_ms": 20, "jitter_ms": 2, "loss_pct": 0.5}),
                         ["delay", "20.0ms", "2.0ms", "distribution", "normal", "loss", "0.5%"])
        with self.assertRaises(ValueError):
            netns.netem_args({"loss_pct": 101})

    def test_delay_line_delays_keeps_order_and_loses(self):
        line = delayline.Line(50, 10, 0, random.Random(1))
        times = [line.release_time(t * 0.001) for t in range(1000)]
        self.assertEqual(times, sorted(times))
        waits = [at - t * 0.001 for t, at in enumerate(times)]
        self.assertGreaterEqual(min(waits), 0.0)
        self.assertAlmostEqual(sum(waits) / len(waits), 0.055, delta=0.01)
        lossy = delayline.Line(0, 0, 10, random.Random(2))
        lost = sum(lossy.release_time(0.0) is None for _ in range(10000))
        self.assertTrue(800 < lost < 1200, lost)
        self.assertIsNone(delayline.Line(0, 0, 100, random.Random(3)).release_time(0.0))


if __name__ == "__main__":
    unittest.main()


class CountOnceTest(unittest.TestCase):
    @staticmethod
    def db(path, observations, events):
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE observations(observation_id TEXT, task_id TEXT)")
        db.execute("CREATE TABLE honeypot_events(event_id TEXT)")
        db.executemany("INSERT INTO observations VALUES (?, ?)", observations)
        db.executemany("INSERT INTO honeypot_events VALUES (?)", [(e,) for e in events])
        db.commit()
        db.close()

    def test_lost_extra_and_unobserved_are_problems(self):
        with tempfile.TemporaryDirectory() as d:
            clean = f"{d}/clean.sqlite"
            self.db(clean, [("o1", "t1"), ("o2", "t2"), ("o3", "t2")], ["e1", "e2"])
            same = f"{d}/same.sqlite"
            self.db(same, [("o1", "t1"), ("o2", "t2"), ("o3", "t2")], ["e1", "e2"])
            ok = distributed.count_once(same, clean, 2)
            self.assertEqual(ok["problems"], [])
            self.assertEqual(ok["tasks_observed_twice"], 1)
            cases = {
                "lost": ([("o1", "t1"), ("o2", "t2")], ["e1", "e2"], 2),
                "duplicate": ([("o1", "t1"), ("o1", "t1"), ("o2", "t2"), ("o3", "t2")],
                              ["e1", "e2"], 2),
                "event lost": ([("o1", "t1"), ("o2", "t2"), ("o3", "t2")], ["e1"], 2),
                "task never observed": ([("o1", "t1"), ("o2", "t2"), ("o3", "t2")],
                                        ["e1", "e2"], 3),
            }
            for name, (observations, events, tasks) in cases.items():
                with self.subTest(name):
                    path = f"{d}/{name}.sqlite"
                    self.db(path, observations, events)
                    self.assertTrue(distributed.count_once(path, clean, tasks)["problems"])
