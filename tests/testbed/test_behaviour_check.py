"""The checker's behaviour-cluster expectation on stated groups (no root): a planted fake must sit
outside its honest peers' groups, and honest servers of one implementation must share one group.
Run with the other testbed unit tests (testbed.unit)."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import checker  # noqa: E402
import scenario as scenario_mod  # noqa: E402

SMALL = Path(__file__).resolve().parent / "scenarios" / "small.yaml"


def groups(scenario, by_name):
    ips = {name: ip for ip, name in scenario.server_by_ip().items()}
    return {ips[name]: group for name, group in by_name.items()}


class BehaviourCheckTest(unittest.TestCase):
    def setUp(self):
        self.s = scenario_mod.load(SMALL)
        # What the aggregator found on the small scenario (2026-12-07).
        self.found = {"honest-electrumx": "b01", "refuses-tor": "b01", "real-electrumx": "b01",
                      "real-refuses-asia": "b01", "honest-fulcrum": "b02", "tarpit-us": "b02",
                      "relays-queries": "b02", "refuses-eu": "b03", "fake-electrumx": "b04"}

    def test_the_fake_alone_and_honest_peers_together_pass(self):
        self.assertEqual(checker.behaviour_problems(self.s, groups(self.s, self.found)), [])

    def test_a_fake_among_honest_servers_fails(self):
        self.found["fake-electrumx"] = "b02"
        self.assertEqual(checker.behaviour_problems(self.s, groups(self.s, self.found)),
                         ["fake-electrumx: in behaviour group b02 with honest honest-fulcrum, "
                          "relays-queries, tarpit-us"])

    def test_honest_peers_split_fail_and_a_missing_vector_is_named(self):
        self.found["real-refuses-asia"] = "b05"
        del self.found["fake-electrumx"]
        self.assertEqual(checker.behaviour_problems(self.s, groups(self.s, self.found)),
                         ["fake-electrumx: no behaviour vector",
                          "honest electrumx servers split over behaviour groups b01: "
                          "honest-electrumx real-electrumx refuses-tor, b05: real-refuses-asia"])

    def test_a_database_without_behaviour_tables_has_nothing_to_check(self):
        self.assertEqual(checker.behaviour_problems(self.s, None), [])


if __name__ == "__main__":
    unittest.main()
