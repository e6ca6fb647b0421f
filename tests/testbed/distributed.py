"""One distributed-mode run of a scenario on the testbed, with faults.

The embedded run's hosts and processes (runner.Run), but every party a separate process on the
real backends: the coordinator's state in a redis-server, observations, honeypot events and
discovered targets over Kafka (librdkafka's mock cluster, hosted by `eo_testbed_kafka_mock` in
the control namespace and forwarded into the others by forwarder.py), and an aggregator
consuming them as it goes. During the campaign:

- the first region's agent is SIGKILLed and restarted 5 s later on the same data dir: it is
  the vantage's only agent, so the tasks it held expire (lease 10 s) and are leased again to it
  (or were finished and published before the kill);
- every broker goes down for 15 s (producers keep records in their spool / queue);
- the coordinator is restarted on the same Redis (and the campaign watch with it);
- the aggregator is restarted (same consumer group: it resumes from its committed offsets).

Afterwards the aggregator catches up (`--once`, same group) and a second one reads every topic
from the start into a separate database: the run passes only if both databases hold the same
observation ids and honeypot event ids, every task of the campaign has an observation, and the
findings meet the ground truth.
"""

import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import checker
import netns
import runner
import scenario as scenario_mod
from runner import RunError, log

REDIS_PORT = 6390
# librdkafka's mock cluster keeps at most 5 MB or 100,000 records per partition and drops the
# oldest beyond that, which would cut the clean re-read short. The full scenario writes ~32 MB of
# observations under 17 keys (~1.9 MB per target: a partition must not get two big ones) and
# ~49 MB of honeypot events under many keys; the small one ~4 MB and ~11 MB. A prime count:
# keys whose hashes agree modulo a power of two collide at every power of two.
TOPICS = {"observations.v1": 61, "honeypot.events.v1": 16, "targets.discovered.v1": 2,
          "findings.v1": 2}
HERE = Path(__file__).resolve().parent
KILL_RESTART_S = 5
BROKERS_DOWN_S = 15


class DistributedRun(runner.Run):
    def __init__(self, scen, observatory, kafka_mock, out, prefix, repo):
        super().__init__(scen, observatory, out, prefix, repo)
        self.kafka_mock_bin = str(Path(kafka_mock).resolve())
        self.mock = None
        self.bootstraps = None
        self.faults_done = []  # (elapsed s, what)
        span = scen.rounds * scen.round_spacing_s  # the campaign's scheduled length
        killed = scen.vantage_regions()[0]
        self.schedule = [
            (0.10 * span, f"SIGKILL {scenario_mod.agent_id(killed)}",
             lambda: self.kill_agent(killed)),
            (0.10 * span + KILL_RESTART_S, f"restart {scenario_mod.agent_id(killed)}",
             lambda: self.start_agent(killed)),
            (0.25 * span, "brokers down", lambda: self.kafka("down")),
            (0.25 * span + BROKERS_DOWN_S, "brokers up", lambda: self.kafka("up")),
            (0.60 * span, "restart coordinator", self.restart_coordinator),
            (0.80 * span, "restart aggregator", self.restart_aggregator),
        ]

    # --- the backends ------------------------------------------------------------------------

    def bus_args(self):
        return ["--kafka", self.bootstraps]

    def store(self):
        return f"redis://127.0.0.1:{REDIS_PORT}/{self.prefix}"

    def kafka(self, command, timeout_s=10):
        """One command to the mock cluster's host; its one-line answer must be 'ok'."""
        self.mock.stdin.write(command + "\n")
        self.mock.stdin.flush()
        answer = self._mock_line(timeout_s)
        if answer != "ok":
            raise RunError(f"kafka mock: {command}: {answer}")

    def _mock_line(self, timeout_s):
        ready, _, _ = select.select([self.mock.stdout], [], [], timeout_s)
        if not ready:
            raise RunError(f"kafka mock: no answer within {timeout_s} s")
        line = self.mock.stdout.readline()
        if not line:
            raise RunError(f"kafka mock exited with {self.mock.poll()}")
        return line.strip()

    def start_kafka(self):
        logfile = open(self.out / "logs" / "kafka-mock.log", "a")
        self.mock = subprocess.Popen(netns.exec_argv(self.ctl, [self.kafka_mock_bin]),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=logfile, text=True, bufsize=1)
        logfile.close()
        self.procs.append(("kafka-mock", self.mock))
        first = self._mock_line(20)
        if not first.startswith("bootstraps "):
            raise RunError(f"kafka mock: unexpected first line {first!r}")
        self.bootstraps = first.split()[1]
        for topic, partitions in TOPICS.items():
            self.kafka(f"topic {topic} {partitions}")
        ports = [b.rsplit(":", 1)[1] for b in self.bootstraps.split(",")]
        spaces = [self.srv] + [self.region_ns(r) for r in self.s.vantage_regions()]
        self.start("kafka-forwarder", self.ctl,
                   [sys.executable, str(HERE / "forwarder.py"), "--ports", ",".join(ports),
                    "--netns", ",".join(spaces)])
        for ns in spaces:
            for port in ports:
                self.wait_port(ns, "127.0.0.1", int(port))
        log(f"kafka mock cluster {self.bootstraps}, forwarded into {len(spaces)} namespaces")

    def start_redis(self):
        redis = shutil.which("redis-server")
        if not redis:
            raise RunError("redis-server not found (Debian package redis-server)")
        data = self.out / "data" / "redis"
        data.mkdir(parents=True, exist_ok=True)
        self.start("redis", self.ctl,
                   [redis, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", str(data)])
        self.wait_port(self.ctl, "127.0.0.1", REDIS_PORT)

    def aggregator_argv(self, group, db, once):
        # The mock cluster waits out a leaving member's session before it reassigns (a broker
        # would not); a short session keeps each restart's handover to seconds.
        argv = [self.bin, "aggregator", "--kafka", self.bootstraps, "--group", group,
                "--kafka-property", "session.timeout.ms=6000",
                "--data-dir", str(self.out / "data" / "aggregator"),  # its findings.v1 spool
                "--db", str(db), "--geo-database", "none"]
        return argv + (["--once"] if once else [])

    def start_aggregator(self):
        self.start("aggregator", self.ctl,
                   self.aggregator_argv("testbed", self.out / "results.sqlite", once=False))

    # --- faults ------------------------------------------------------------------------------

    def kill_agent(self, region):
        name = scenario_mod.agent_id(region)
        proc = self.proc(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        self.procs = [(n, p) for n, p in self.procs if n != name]

    def restart_coordinator(self):
        self.stop(["campaign-watch", "coordinator"])
        self.start_coordinator()
        self.start_watch()

    def restart_aggregator(self):
        self.stop(["aggregator"], timeout_s=60)
        self.start_aggregator()

    def during_campaign(self, elapsed_s):
        while self.schedule and self.schedule[0][0] <= elapsed_s:
            _at, what, action = self.schedule.pop(0)
            log(f"fault at {elapsed_s:.0f} s: {what}")
            action()
            self.faults_done.append((round(elapsed_s, 1), what))

    # --- the run -----------------------------------------------------------------------------

    def catch_up(self):
        """The restarted aggregator's group catches up; a fresh group re-reads every topic."""
        self.stop(["aggregator"], timeout_s=60)
        db = self.out / "results.sqlite"
        self.cli(self.aggregator_argv("testbed", db, once=True)[1:], timeout_s=900,
                 namespace=self.ctl, log_name="aggregator-catch-up")
        reread = self.out / "reread.sqlite"
        self.cli(self.aggregator_argv(f"reread-{int(time.time())}", reread, once=True)[1:],
                 timeout_s=900, namespace=self.ctl, log_name="aggregator-reread")
        return db, reread

    def execute(self):
        for sub in ("logs", "config", "data", "pki", "certs"):
            shutil.rmtree(self.out / sub, ignore_errors=True)
        for sub in ("logs", "config", "data"):
            (self.out / sub).mkdir(parents=True)
        for old in ("results.sqlite", "reread.sqlite"):
            for suffix in ("", "-wal", "-shm"):
                (self.out / f"{old}{suffix}").unlink(missing_ok=True)
        started = time.monotonic()
        try:
            self.noise = netns.up(self.prefix, self.hosts(), self.out / "logs")
            log(f"testbed up: {len(self.hosts())} namespaces, prefix {self.prefix}, "
                f"link noise: {self.noise}")
            self.make_pki()
            self.prepare_campaign()
            self.start_kafka()
            self.start_redis()
            self.start_honeypots()
            self.start_coordinator()
            self.start_agents()
            self.start_aggregator()
            campaign_started = time.monotonic()
            self.run_campaign()
            campaign_s = time.monotonic() - campaign_started
            if self.schedule:
                raise RunError(f"campaign ended before every fault: {self.schedule[0][1]}")
            # agents and honeypots flush what they hold to Kafka when they stop
            self.stop([n for n, _ in self.procs
                       if n.startswith("agent-") or n.startswith("honeypot-")], timeout_s=60)
            db, reread = self.catch_up()
        finally:
            self.stop()
            netns.down(self.prefix)
        log("testbed down; checking")
        result = checker.check(self.s, db)
        probes = self.s.probes
        counting = count_once(db, reread, self.s.rounds * len(self.s.servers)
                              * len(self.s.vantage_regions()) * len(probes))
        result["counting"] = counting
        result["faults"] = self.faults_done
        if counting["problems"]:
            result["problems"] = result["problems"] + counting["problems"]
            result["ok"] = False
        result["wall_time_s"] = round(time.monotonic() - started, 1)
        result["campaign_s"] = round(campaign_s, 1)
        result["link_noise"] = self.noise
        result["canaries"] = self.s.canaries
        return result



def count_once(db_path, reread_path, expected_tasks):
    """Every observation counted exactly once: the faulted pipeline's database holds exactly
    the observation (and honeypot event) ids a clean re-read of the topics yields, and every
    one of the campaign's `expected_tasks` has an observation."""
    def rows(path, sql):
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()
    observations = "SELECT observation_id, task_id FROM observations"
    got, clean = rows(db_path, observations), rows(reread_path, observations)
    events = "SELECT event_id FROM honeypot_events"
    got_events = {r[0] for r in rows(db_path, events)}
    clean_events = {r[0] for r in rows(reread_path, events)}
    got_ids, clean_ids = {r[0] for r in got}, {r[0] for r in clean}
    tasks = {r[1] for r in got}
    per_task = {}
    for _oid, task in got:
        per_task[task] = per_task.get(task, 0) + 1
    problems = []
    if len(got_ids) != len(got):
        problems.append(f"results: {len(got) - len(got_ids)} duplicate observation rows")
    if got_ids != clean_ids:
        problems.append(f"results vs re-read: {len(clean_ids - got_ids)} observations "
                        f"missing, {len(got_ids - clean_ids)} extra")
    if got_events != clean_events:
        problems.append(f"honeypot events vs re-read: {len(clean_events - got_events)} "
                        f"missing, {len(got_events - clean_events)} extra")
    if len(tasks) != expected_tasks:
        problems.append(f"{len(tasks)} tasks observed, {expected_tasks} in the campaign")
    return {"observations": len(got), "distinct_ids": len(got_ids),
            "reread_distinct_ids": len(clean_ids), "tasks_observed": len(tasks),
            "tasks_expected": expected_tasks,
            "tasks_observed_twice": sum(1 for n in per_task.values() if n > 1),
            "honeypot_events": len(got_events), "reread_honeypot_events": len(clean_events),
            "problems": problems}


def run_scenario(path, observatory, kafka_mock, out, prefix, repo):
    scen = scenario_mod.load(path)
    if os.geteuid() != 0:
        raise RunError("the testbed needs root (network namespaces)")
    result = DistributedRun(scen, observatory, kafka_mock, out, prefix, repo).execute()
    report = runner.write_report(scen, result, out)
    c = result["counting"]
    extra = ["", "## Distributed mode", "",
             "Faults (s into the campaign): "
             + "; ".join(f"{t}: {what}" for t, what in result["faults"]) + ".",
             f"Observations: {c['observations']} rows, {c['distinct_ids']} distinct ids; a "
             f"fresh re-read of the topic: {c['reread_distinct_ids']}; tasks observed "
             f"{c['tasks_observed']} of {c['tasks_expected']} "
             f"({c['tasks_observed_twice']} observed twice: re-leased after the kill); honeypot "
             f"events {c['honeypot_events']}, re-read {c['reread_honeypot_events']}."]
    with open(Path(out) / "report.md", "a") as f:
        f.write("\n".join(extra) + "\n")
    print(report + "\n" + "\n".join(extra), flush=True)
    return result
