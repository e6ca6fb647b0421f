#!/usr/bin/env python3
"""One broker of three SIGKILLed while a producer delivers, then restarted: every record that
publish() accepted is in the topic at the end (RF 3, min.insync.replicas=2, acks=all), each
distinct record counted once. ctest -L kafka_real; the broker dies by SIGKILL, as with a machine
crash, and the cluster (tests/support/kafka) is stopped whatever happens.

    kafka_broker_kill_test.py BUS_PUBLISH_CHILD
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support" / "kafka"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))
from kafka_cluster import KafkaCluster, KafkaUnavailable, unavailable_status  # noqa: E402
import waiting  # noqa: E402

TOPIC = "observations.v1"
COUNT = 30_000
KILL_AFTER = 10_000  # spooled records when the broker dies: deliveries are in flight
OVERRIDES = ["message.timeout.ms=10000", "reconnect.backoff.max.ms=500"]


def wait_for(condition, timeout: float, what: str) -> None:
    if not waiting.wait_until(condition, timeout):
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def main() -> int:
    child_binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="eo-kafka-kill-") as scratch_dir:
        scratch = Path(scratch_dir)
        try:
            cluster = KafkaCluster(scratch / "cluster", nodes=3)
        except KafkaUnavailable as missing:
            return unavailable_status(missing)
        with cluster:
            cluster.create_topic(TOPIC, 6, 3, {"min.insync.replicas": "2"})
            acks, log = scratch / "acks", scratch / "child.log"
            child = [child_binary, str(acks), str(COUNT), cluster.bootstrap,
                     str(scratch / "spool"), "agent", TOPIC, *OVERRIDES]
            with open(log, "ab") as out:
                proc = subprocess.Popen(child, stdout=out, stderr=subprocess.STDOUT)
            try:
                wait_for(lambda: lines(acks) >= KILL_AFTER or proc.poll() is not None, 60,
                         f"{KILL_AFTER} records spooled")
                victim = cluster.nodes[1]
                cluster.kill_node(victim)
                killed_at = lines(acks)
                cluster.start_node(victim)
                cluster.wait_ready()
                status = proc.wait(timeout=120)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            # A flush that ran out while leaders moved leaves records in the spool: a new
            # producer on it (COUNT 0) delivers them, as a restarted agent would.
            for _ in range(3):
                if status == 0:
                    break
                status = subprocess.run([*child[:2], "0", *child[3:]], stdout=open(log, "ab"),
                                        stderr=subprocess.STDOUT, timeout=120).returncode
            if status != 0:
                print(log.read_text(errors="replace")[-2000:], file=sys.stderr)
                raise AssertionError(f"the producer did not deliver its spool (exit {status})")

            out = subprocess.run(["kcat", "-C", "-b", cluster.bootstrap, "-t", TOPIC, "-e", "-q",
                                  "-f", "%s\n"], capture_output=True, text=True, timeout=120,
                                 check=True).stdout.split()
            sequences = [int(value.rsplit(":", 1)[1]) for value in out]
            distinct = set(sequences)
            missing = set(range(COUNT)) - distinct
            print(f"broker {victim.node_id} SIGKILLed after {killed_at} spooled and restarted; "
                  f"{len(sequences)} records in the topic, {len(distinct)} distinct of {COUNT}, "
                  f"{len(sequences) - len(distinct)} duplicates (dropped by id downstream)")
            if missing:
                raise AssertionError(f"{len(missing)} accepted records lost, e.g. "
                                     f"{sorted(missing)[:10]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
