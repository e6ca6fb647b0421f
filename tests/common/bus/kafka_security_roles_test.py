#!/usr/bin/env python3
"""The observatory's roles on a real broker's SASL_SSL listener (issue 17, item 4), through the
binary: a honeypot and an aggregator with the right --kafka-property settings carry a client's
session into the results database; two agents run a campaign with a wrong sasl.password and an
untrusted CA (ssl.ca.location) respectively: each logs an error naming the setting, keeps running
and keeps its observations spooled; restarted on the same spool with the right settings, each
delivers every observation, and the aggregator holds each exactly once.

Runs under tests/support/kafka/run_with_kafka.py --sasl (its EO_KAFKA_* variables).
    kafka_security_roles_test.py OBSERVATORY
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "support"))
import waiting  # noqa: E402

T0 = time.monotonic()
REFUSED = "the brokers refuse this client; observations stay spooled until the setting is fixed"


def log(msg: str) -> None:
    print(f"[{time.monotonic() - T0:5.1f}s] {msg}", flush=True)


def kafka_args(password: str | None = None, ca: str | None = None) -> list[str]:
    props = {"security.protocol": "SASL_SSL", "sasl.mechanisms": "SCRAM-SHA-512",
             "sasl.username": os.environ["EO_KAFKA_SASL_USER"],
             "sasl.password": password or os.environ["EO_KAFKA_SASL_PASSWORD"],
             "ssl.ca.location": ca or os.environ["EO_KAFKA_CA"]}
    args = ["--kafka", os.environ["EO_KAFKA_SASL_BOOTSTRAP"]]
    for key, value in props.items():
        args += ["--kafka-property", f"{key}={value}"]
    return args


class Roles:
    def __init__(self, binary: str, work: Path):
        self.bin, self.work, self.procs = binary, work, {}

    def start(self, name: str, *argv: str) -> subprocess.Popen:
        with open(self.work / f"{name}.log", "ab") as logf:
            proc = subprocess.Popen([self.bin, *argv], stdout=logf, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def log_text(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text(errors="replace")

    def wait(self, what: str, predicate, timeout: float) -> None:
        if not waiting.wait_until(predicate, timeout, 0.2):
            tails = "\n".join(f"--- {n}\n" + "\n".join(self.log_text(n).splitlines()[-8:])
                              for n in self.procs)
            raise AssertionError(f"not within {timeout} s: {what}\n{tails}")

    def alive(self, name: str) -> None:
        if self.procs[name].poll() is not None:
            raise AssertionError(f"{name} exited ({self.procs[name].returncode}):\n"
                                 + self.log_text(name)[-2000:])

    def stop(self, name: str, sig=signal.SIGTERM) -> None:
        proc = self.procs.pop(name)
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self) -> None:
        for name in list(self.procs)[::-1]:
            self.stop(name)

    def cli(self, *argv: str) -> str:
        done = subprocess.run([self.bin, *argv], capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise AssertionError(f"observatory {' '.join(argv[:2])}: {done.stdout}{done.stderr}")
        return done.stdout


def query(db: Path, sql: str) -> list[tuple]:
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:  # the aggregator has not made its tables yet
            return []


def electrum_session(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"server.version",'
                  b'"params":["kafka-security-roles","1.4"]}\n')
        if not s.makefile().readline():
            raise AssertionError("the honeypot did not answer server.version")


def observation_ids(out: Path) -> list[str]:
    ids = []
    for line in out.read_text().splitlines():
        doc = json.loads(line)
        ids.append(doc.get("observation_id") or doc["observationId"])
    return ids


def run(work: Path, roles: Roles) -> None:
    # The brokers do not auto-create topics (as in production): the documented admin step, on
    # the plaintext listener, sized for one broker.
    started = time.monotonic()
    subprocess.run([str(REPO / "scripts" / "kafka-create-topics.sh"),
                    os.environ["EO_KAFKA_BOOTSTRAP"]], check=True, capture_output=True,
                   env=dict(os.environ, EO_KAFKA_PARTITIONS="2", EO_KAFKA_REPLICATION="1",
                            EO_KAFKA_MIN_ISR="1"))
    log(f"topics created ({time.monotonic() - started:.1f} s)")
    db = work / "results.sqlite"
    ready = work / "honeypot.ready"
    honeypot = roles.start("honeypot", "honeypot", "--tcp", "127.0.0.1:0", "--id", "sec-roles",
                           "--ready-file", str(ready), "--data-dir", str(work / "honeypot"),
                           "--mine-after-broadcast-ms", "-1", *kafka_args())
    roles.start("aggregator", "aggregator", "--group", "sec-roles", "--db", str(db),
                "--data-dir", str(work / "aggregator"), "--geo-database", "none",
                "--analyze-every", "3600", *kafka_args())
    roles.start("coordinator", "coordinator", "--listen", "127.0.0.1:0", "--insecure",
                "--store", f"sqlite:{work}/coordinator.sqlite", "--data-dir",
                str(work / "coordinator"))
    roles.wait("honeypot ready", lambda: ready.exists() or honeypot.poll() is not None, 30)
    roles.alive("honeypot")
    honeypot_port = json.loads(ready.read_text())["ports"][0]

    # 1. A client's session reaches the results database through the secured honeypot and
    # aggregator.
    electrum_session(honeypot_port)
    roles.wait("the session's events in the results database", lambda: query(
        db, "SELECT 1 FROM honeypot_events WHERE method = 'server.version'"), 30)
    log("honeypot -> SASL_SSL -> aggregator: the session's server.version is in the results")

    coordinator = {}

    def listening() -> bool:
        coordinator["port"] = waiting.logged_field(work / "coordinator.log",
                                                   "coordinator listening", "port")
        return coordinator["port"] is not None

    roles.wait("coordinator listening", listening, 20)
    coord = ["--coordinator", f"127.0.0.1:{coordinator['port']}", "--insecure"]

    # 2. Agents with a wrong password and an untrusted CA: one region each.
    other_ca = os.environ["EO_KAFKA_OTHER_CA"]
    mistakes = {"agent-pw": ("eu", "sasl.password", kafka_args(password="wrong-horse")),
                "agent-ca": ("us", "ssl.ca.location", kafka_args(ca=other_ca))}
    for aid, (region, _, kafka) in mistakes.items():
        config = work / f"{aid}.yaml"
        config.write_text(json.dumps({
            "agent_id": aid, "timeout_ms": 5000, "deadline_ms": 20000,
            "vantages": [{"id": f"{region}-clear", "region": region, "provider": "loopback"}],
            "politeness": {"max_requests_per_second_per_target": 200,
                           "max_concurrency_per_target": 4, "backoff_after_error_ms": 200}}))
        roles.start(aid, "agent", *coord, "--config", str(config), "--data-dir",
                    str(work / aid), "--out", str(work / f"{aid}.jsonl"), "--geo-database",
                    "none", *kafka)
    campaign = work / "campaign.yaml"
    campaign.write_text(json.dumps({
        "name": "sec-roles", "targets": {"list": [f"127.0.0.1:{honeypot_port}:t"]},
        "probes": ["metadata", "version_matrix", "address_formats"],
        "vantages": [{"region": "eu"}, {"region": "us"}], "rounds": 1,
        "sync_window_s": 1, "round_spacing_s": 1,  # every task at once, not spread over 60 s
        "politeness": {"max_concurrency_per_target": 4,
                       "max_requests_per_second_per_target": 200,
                       "backoff_after_error_ms": 200}}))
    roles.cli("campaign", "submit", str(campaign), *coord)
    status = {}

    def campaign_done() -> bool:
        status["last"] = roles.cli("campaign", "status", "sec-roles", *coord)
        return status["last"].startswith("campaign sec-roles: done,")

    try:
        roles.wait("campaign done", campaign_done, 40)
    except AssertionError as late:
        raise AssertionError(f"{late}\n{status.get('last')}") from None
    expected = {}
    for aid, (_, setting, _) in mistakes.items():
        roles.wait(f"{aid} logs the refusal naming {setting}", lambda aid=aid, setting=setting: any(
            REFUSED in line and setting in line for line in roles.log_text(aid).splitlines()), 20)
        roles.alive(aid)
        ids = observation_ids(work / f"{aid}.jsonl")
        if not ids or len(set(ids)) != len(ids):
            raise AssertionError(f"{aid}: {len(ids)} observations, {len(set(ids))} distinct")
        expected[aid] = set(ids)
        line = next(l for l in roles.log_text(aid).splitlines() if REFUSED in l)
        log(f"{aid}: running, {len(ids)} observations spooled, logged: {line[:200]}")
    held = query(db, "SELECT count(*) FROM observations")[0][0]
    if held:
        raise AssertionError(f"the results hold {held} observations from refused agents")

    # Fixed: the same agents on the same spools with the right settings. SIGKILL, because a
    # stop would spend its 30 s flush on brokers that refuse it; the spool is durable per publish.
    for aid in mistakes:
        roles.stop(aid, signal.SIGKILL)
        roles.start(f"{aid}-fixed", "agent", *coord, "--config", str(work / f"{aid}.yaml"),
                    "--data-dir", str(work / aid), "--geo-database", "none", *kafka_args())
    every = set().union(*expected.values())

    def delivered() -> set:
        return {r[0] for r in query(db, "SELECT observation_id FROM observations")}

    roles.wait(f"all {len(every)} observations in the results", lambda: delivered() >= every, 40)
    # The results are keyed by observation id: exactly once means none missing and none extra.
    rows = query(db, "SELECT agent_id, observation_id FROM observations")
    for aid, ids in expected.items():
        held = {oid for agent, oid in rows if agent == aid}
        if held != ids:
            raise AssertionError(f"{aid}: {len(ids - held)} missing, {len(held - ids)} extra")
    if len(rows) != len(every):
        raise AssertionError(f"{len(rows)} observations in the results, {len(every)} published")
    # Its own cumulative count, printed when it stops: a record delivered twice would show as a
    # duplicate.
    roles.stop("aggregator")
    final = re.findall(r"aggregator: \d+ records, (\d+) new observations, \d+ new honeypot "
                       r"events, (\d+) duplicates", roles.log_text("aggregator"))[-1]
    if final != (str(len(every)), "0"):
        raise AssertionError(f"the aggregator counted {final[0]} new observations and {final[1]} "
                             f"duplicates; {len(every)} were published")
    rows = query(db, "SELECT agent_id, count(*) FROM observations GROUP BY agent_id")
    log(f"fixed agents delivered every observation exactly once: {rows}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="eo-sec-roles-") as scratch:
        roles = Roles(sys.argv[1], Path(scratch))
        try:
            run(Path(scratch), roles)
        finally:
            roles.stop_all()
    log("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
