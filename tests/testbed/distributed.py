"""One distributed-mode run of a scenario on the testbed, with faults.

The embedded run's hosts and processes (runner.Run), but every party a separate process on the
real backends: the coordinator's state in a redis-server, observations, honeypot events and
discovered targets over a real three-node Apache Kafka cluster (KRaft, tests/support/kafka) in
the control namespace on its address, topics made by scripts/kafka-create-topics.sh (12
partitions, replication factor 3, min.insync.replicas=2), and an aggregator consuming them as
it goes. From the campaign's start, one step after another (docs/testbed.md):

- the broker leading observations.v1[0] is SIGKILLed and restarted 5 s later;
- the first region's agent is SIGKILLed and restarted 5 s later on the same data dir: it is
  the vantage's only agent, so the tasks it held expire (lease 10 s) and are leased again to it
  (or were finished and published before the kill);
- a standby aggregator joins the consumer group;
- once every replica is back in sync, the active KRaft controller is SIGKILLed and restarted;
- the coordinator is restarted on the same Redis (and the campaign watch with it);
- the first aggregator is restarted (same group: it resumes from its committed offsets);
- once the metadata lists all three brokers again, every broker is SIGKILLed and the cluster
  stays down for two minutes (agents and honeypots spool to disk), then restarts on its storage;
- once both aggregators hold partitions again, the first one leaves the group and the standby
  takes over while the spooled backlog arrives.

Afterwards the group catches up (`--once`) and a fresh group reads every topic from the start
into a separate database: the run passes only if both databases hold the same observation ids
and honeypot event ids, every task of the campaign has an observation, no observation id is
stored twice, each broker fault overlapped probing (observations started while it lasted), the
standby took over the first aggregator's partitions and stored everything left (a catch-up after
it finds nothing new), and the findings meet the ground truth.
"""

import os
import re
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
import waiting  # tests/support, on the path netns put it
from runner import RunError, log

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support" / "kafka"))
from kafka_cluster import KafkaCluster, KafkaUnavailable, unavailable_status  # noqa: E402,F401

REDIS_PORT = 6390
PARTITIONS = 12  # scripts/kafka-create-topics.sh's default
TOPICS = ["observations.v1", "honeypot.events.v1", "targets.discovered.v1", "findings.v1"]
REPLICATED = ["observations.v1", "honeypot.events.v1"]  # what the faults must not lose
HERE = Path(__file__).resolve().parent
RESTART_AFTER_S = 5
OUTAGE_S = 120  # issue 17: every broker down for two minutes
HEAL_TIMEOUT_S = 120  # a restarted broker back in every in-sync set


class Step:
    """One fault: runs `after_s` after the previous step ran, once ready() (if given) holds."""

    def __init__(self, what, after_s, action, ready=None):
        self.what, self.after_s, self.action, self.ready = what, after_s, action, ready


class DistributedRun(runner.Run):
    def __init__(self, scen, observatory, out, prefix, repo):
        super().__init__(scen, observatory, out, prefix, repo)
        self.kafka = None
        self.bootstraps = None
        self.faults_done = []  # (s into the campaign, wall-clock s, what)
        self.windows = {}  # fault -> (down at, back at), wall-clock s
        self.group_before_handover = {}  # (topic, partition) -> (client, lag) before it
        self.last_client = None  # the client that held every partition after the handover
        killed = scen.vantage_regions()[0]
        agent = scenario_mod.agent_id(killed)
        healed = lambda: self.kafka.fully_replicated(REPLICATED)  # noqa: E731
        self.steps = [
            Step("SIGKILL the leader of observations.v1[0]", 3, self.kill_leader),
            Step(f"SIGKILL {agent}", 2, lambda: self.kill_agent(killed)),
            Step("restart the killed leader", 0, lambda: self.restart_broker("broker kill"),
                 lambda: self.down_for("broker kill") >= RESTART_AFTER_S),
            Step(f"restart {agent}", 2, lambda: self.start_agent(killed)),
            Step("standby aggregator joins", 1, self.start_standby),
            Step("SIGKILL the active controller", 0, self.kill_controller, healed),
            Step("restart the killed controller", 0,
                 lambda: self.restart_broker("controller kill"),
                 lambda: self.down_for("controller kill") >= RESTART_AFTER_S),
            Step("restart coordinator", 1, self.restart_coordinator),
            Step("restart aggregator", 1, self.restart_aggregator),
            # not waiting for the restarted controller's replicas to catch up (23 s under load):
            # the outage must begin while the campaign still probes, and what min.insync.replicas
            # acknowledged is on two replicas either way
            Step("all brokers down", 1, self.all_brokers_down, self.brokers_listed),
            Step("all brokers up", 0, self.all_brokers_up,
                 lambda: self.down_for("outage") >= OUTAGE_S),
            # once both members hold partitions again, while the spooled backlog arrives
            Step("first aggregator leaves; the standby takes over", 0, self.hand_over,
                 self.two_members),
        ]
        self.last_step_at = 0.0  # the first step's after_s counts from the campaign's start
        self.victim = None

    # --- the backends ------------------------------------------------------------------------

    def bus_args(self):
        return ["--kafka", self.bootstraps]

    def store(self):
        return f"redis://127.0.0.1:{REDIS_PORT}/{self.prefix}"

    def launch_kafka(self):
        """Formats and starts three KRaft nodes in the control namespace on its address; the
        rest of the set-up runs while the JVMs start (ready_kafka waits for them)."""
        self.kafka = KafkaCluster(self.out / "data" / "kafka", nodes=3, host=self.ctl_ip,
                                  namespace=self.ctl)
        self.bootstraps = self.kafka.bootstrap
        self.kafka.launch()

    def ready_kafka(self):
        started = time.monotonic()
        self.kafka.wait_ready()
        r = subprocess.run(netns.exec_argv(self.ctl, [
            str(self.repo / "scripts" / "kafka-create-topics.sh"), self.bootstraps]),
            capture_output=True, text=True, timeout=300)
        (self.out / "logs" / "kafka-create-topics.log").write_text(r.stdout + r.stderr)
        if r.returncode != 0:
            raise RunError(f"kafka-create-topics.sh: exit {r.returncode}: {r.stderr[-2000:]}")
        if not waiting.wait_until(lambda: self.kafka.fully_replicated(TOPICS), 60, 0.2):
            raise RunError("the topics' replicas are not in sync 60 s after their creation")
        log(f"kafka {self.kafka.release}: 3 brokers at {self.bootstraps}, topics made and "
            f"in sync {time.monotonic() - started:.1f} s after the set-up")

    def stop_kafka(self):
        """Kills the brokers (the data is the run's own: no controlled shutdown to wait for),
        keeps their logs in logs/ and removes their storage (~50 MB)."""
        if not self.kafka:
            return
        for node in self.kafka.nodes:
            self.kafka.kill_node(node)
            if node.log.exists():
                shutil.copyfile(node.log, self.out / "logs" / f"kafka-{node.node_id}.log")
        shutil.rmtree(self.kafka.scratch, ignore_errors=True)

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

    def aggregator_argv(self, group, db, once, data_dir="aggregator"):
        # After the whole cluster restarts, the group settles only once it stops waiting for the
        # members it knew, up to their session: measured, both aggregators held partitions again
        # 68 s after the brokers were back with the default 45 s session, 23-33 s with 6 s.
        # The client id (the data directory's name) tells the aggregators apart in the group: a
        # member whose session lapsed rejoins under a new member id, seen in CI after the outage.
        argv = [self.bin, "aggregator", "--kafka", self.bootstraps, "--group", group,
                "--kafka-property", "session.timeout.ms=6000",
                "--kafka-property", f"client.id={data_dir}",
                "--data-dir", str(self.out / "data" / data_dir),  # its findings.v1 spool
                "--db", str(db), "--geo-database", "none"]
        return argv + (["--once"] if once else [])

    def start_aggregator(self):
        self.start("aggregator", self.ctl,
                   self.aggregator_argv("testbed", self.out / "results.sqlite", once=False))

    # --- faults ------------------------------------------------------------------------------

    def kill_broker(self, node, fault):
        self.kafka.kill_node(node)
        self.victim = node
        self.windows[fault] = (time.time(), None)
        return f"node {node.node_id}"

    def down_for(self, fault):
        return time.time() - self.windows[fault][0]

    def restart_broker(self, fault):
        self.kafka.start_node(self.victim)
        self.windows[fault] = (self.windows[fault][0], time.time())
        return f"node {self.victim.node_id}"

    def kill_leader(self):
        return self.kill_broker(self.kafka.leader("observations.v1", 0), "broker kill")

    def kill_controller(self):
        return self.kill_broker(self.kafka.controller(), "controller kill")

    def all_brokers_down(self):
        for node in self.kafka.nodes:
            self.kafka.kill_node(node)
        self.windows["outage"] = (time.time(), None)

    def all_brokers_up(self):
        for node in self.kafka.nodes:
            self.kafka.start_node(node)
        self.windows["outage"] = (self.windows["outage"][0], time.time())

    def kill_agent(self, region):
        name = scenario_mod.agent_id(region)
        proc = self.proc(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        self.procs = [(n, p) for n, p in self.procs if n != name]

    def start_standby(self):
        self.start("aggregator-standby", self.ctl,
                   self.aggregator_argv("testbed", self.out / "results.sqlite", once=False,
                                        data_dir="aggregator-standby"))

    def group(self):
        """{(topic, partition): (client, lag)} of the replicated topics in Kafka's view of the
        aggregators' group; lag 0 for a partition that has never held a record."""
        rows = self.kafka.describe_group("testbed")
        return {(r["topic"], int(r["partition"])):
                (r["client"], 0 if r["lag"] == "-" and r["end"] == "0"
                 else -1 if r["lag"] == "-" else int(r["lag"]))
                for r in rows if r["topic"] in REPLICATED}

    def two_members(self):
        """Both aggregators hold partitions (the group has settled after the outage)."""
        if not self.brokers_listed():
            return False
        try:
            held = self.group()
        except RuntimeError:
            return False
        clients = {c for c, _lag in held.values()}
        if len(held) == 2 * PARTITIONS and clients == {"aggregator", "aggregator-standby"}:
            self.group_before_handover = held
            return True
        return False

    def brokers_listed(self):
        meta = self.kafka.metadata(2)
        return bool(meta) and len(meta.get("brokers", [])) == len(self.kafka.nodes)

    def standby_took_over(self):
        """One member holds every partition of the replicated topics and has committed each to
        its end (an empty partition has nothing to commit), and it held only part of them
        before the handover: the standby took over what the first aggregator held."""
        try:
            held = self.group()
        except RuntimeError:
            return False
        clients = {c for c, _lag in held.values()}
        if len(held) != 2 * PARTITIONS or len(clients) != 1 or "-" in clients:
            return False
        if any(lag != 0 for _c, lag in held.values()):
            return False
        self.last_client = clients.pop()
        return True

    @property
    def taken_over(self):
        """Partitions the first aggregator held before the handover (the standby's afterwards)."""
        return sum(1 for c, _lag in self.group_before_handover.values() if c == "aggregator")

    def hand_over(self):
        self.stop(["aggregator"], timeout_s=60)

    def restart_coordinator(self):
        self.stop(["campaign-watch", "coordinator"])
        self.start_coordinator()
        self.start_watch()

    def restart_aggregator(self):
        self.stop(["aggregator"], timeout_s=60)
        self.start_aggregator()

    def during_campaign(self, elapsed_s):
        self.play_faults(elapsed_s)

    def play_faults(self, elapsed_s):
        while self.steps:
            step = self.steps[0]
            if self.last_step_at is not None and elapsed_s < self.last_step_at + step.after_s:
                return
            if step.ready and not step.ready():
                return
            self.steps.pop(0)
            detail = step.action()
            log(f"fault at {elapsed_s:.0f} s: {step.what}" + (f" ({detail})" if detail else ""))
            self.faults_done.append((round(elapsed_s, 1), time.time(),
                                     step.what + (f" ({detail})" if detail else "")))
            self.last_step_at = elapsed_s

    def finish_faults(self, campaign_started):
        """The steps left when the campaign ended (the outage outlasts it), in the same order."""
        def done():
            self.check_alive()
            self.play_faults(time.monotonic() - campaign_started)
            return not self.steps

        if not waiting.wait_until(done, OUTAGE_S + 2 * HEAL_TIMEOUT_S, 1.0):
            raise RunError(f"fault step not reached: {self.steps[0].what}")

    # --- the run -----------------------------------------------------------------------------

    def catch_up(self):
        """The group catches up after the standby stops; a fresh group re-reads every topic."""
        self.stop(["aggregator-standby"], timeout_s=60)
        db = self.out / "results.sqlite"
        self.cli(self.aggregator_argv("testbed", db, once=True)[1:], timeout_s=900,
                 namespace=self.ctl, log_name="aggregator-catch-up")
        reread = self.out / "reread.sqlite"
        self.cli(self.aggregator_argv(f"reread-{int(time.time())}", reread, once=True,
                                      data_dir="aggregator-reread")[1:],
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
            self.launch_kafka()
            self.make_pki()
            self.prepare_campaign()
            self.start_redis()
            self.start_honeypots()
            self.ready_kafka()
            self.start_coordinator()
            self.start_agents()
            self.start_aggregator()
            campaign_started = time.monotonic()
            campaign_window = [time.time(), None]
            self.run_campaign()
            campaign_window[1] = time.time()
            campaign_s = time.monotonic() - campaign_started
            self.finish_faults(campaign_started)
            # agents and honeypots flush what they hold (and spooled) to Kafka when they stop
            self.stop([n for n, _ in self.procs
                       if n.startswith("agent-") or n.startswith("honeypot-")], timeout_s=60)
            if not waiting.wait_until(lambda: self.check_alive() or self.standby_took_over(),
                                      180, 1.0):
                raise RunError("the standby aggregator has not committed every partition to its "
                               "end 180 s after the producers stopped: it did not take over")
            log(f"the standby holds all {2 * PARTITIONS} partitions, {self.taken_over} of them "
                f"the first aggregator's, and has committed each to its end")
            db, reread = self.catch_up()
        finally:
            self.stop()
            self.stop_kafka()
            netns.down(self.prefix)
        log("testbed down; checking")
        result = checker.check(self.s, db)
        probes = self.s.probes
        counting = count_once(db, reread, self.s.rounds * len(self.s.servers)
                              * len(self.s.vantage_regions()) * len(probes))
        counting["problems"] += self.check_faults(db, campaign_window)
        result["counting"] = counting
        result["faults"] = [(t, what) for t, _wall, what in self.faults_done]
        result["windows"] = self.windows_report
        result["aggregators"] = self.aggregators
        if counting["problems"]:
            result["problems"] = result["problems"] + counting["problems"]
            result["ok"] = False
        result["wall_time_s"] = round(time.monotonic() - started, 1)
        result["campaign_s"] = round(campaign_s, 1)
        result["link_noise"] = self.noise
        result["canaries"] = self.s.canaries
        return result

    def check_faults(self, db, campaign_window):
        """What the faults must show: each broker fault overlapped probing (observations whose
        probe started while the brokers were down), and the standby took over partitions the
        first aggregator had held and left the catch-up nothing to store. Records met twice
        (redelivered, or held twice by the topics) are counted for the report."""
        self.aggregators = {}
        self.windows_report, problems = overlaps(db, self.windows, campaign_window)
        standby = (self.out / "logs" / "aggregator-standby.log").read_text(errors="replace")
        self.aggregators["standby"] = {
            "stored": (progress(standby) or (0, 0, 0))[:2],
            "partitions_taken_over": self.taken_over,
            "partitions": len(self.group_before_handover)}
        if self.last_client != "aggregator-standby" or not self.taken_over:
            problems.append(f"no takeover: after the handover {self.last_client} held every "
                            f"partition, {self.taken_over} of them the first aggregator's before")
        # A redelivered record (an offset not yet committed when a member left) is dropped by
        # its id: reported, not a failure. The re-read's count is what the topics hold twice.
        redelivered = sum(
            duplicates_met((self.out / "logs" / f"{name}.log").read_text(errors="replace"))
            for name in ("aggregator", "aggregator-standby", "aggregator-catch-up"))
        catch_up = progress((self.out / "logs" / "aggregator-catch-up.log").read_text(
            errors="replace")) or (0, 0, 0)
        self.aggregators["catch_up_new"] = catch_up[:2]
        if catch_up[0] or catch_up[1]:
            problems.append(f"the catch-up after the standby stored {catch_up[0]} observations "
                            f"and {catch_up[1]} events the standby had left")
        reread = (self.out / "logs" / "aggregator-reread.log").read_text(errors="replace")
        self.aggregators["redelivered"] = redelivered
        self.aggregators["topic_duplicates"] = (progress(reread) or (0, 0, 0))[2]
        return problems


def progress(text):
    """(new observations, new honeypot events, duplicates) of an aggregator's last progress
    line in `text`, or None."""
    found = re.findall(r"aggregator: \d+ records, (\d+) new observations, (\d+) new honeypot "
                       r"events, (\d+) duplicates", text)
    return tuple(int(v) for v in found[-1]) if found else None


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


def overlaps(db, windows, campaign_window):
    """For each fault window (wall-clock down, up), the observations whose probe started inside
    it; a window without any did not overlap probing, a problem. Returns (report, problems)."""
    report, problems = {}, []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for fault, (down, up) in windows.items():
            n = conn.execute("SELECT COUNT(*) FROM observations WHERE started_us BETWEEN ? AND ?",
                             (int(down * 1e6), int(up * 1e6))).fetchone()[0]
            report[fault] = {
                "down_s": round(up - down, 1), "observations_started_meanwhile": n,
                "from_campaign_start_s": round(down - campaign_window[0], 1),
                "campaign_ended_s": round(campaign_window[1] - campaign_window[0], 1)}
            if n == 0:
                problems.append(f"{fault}: no probe started while it lasted "
                                f"({round(up - down, 1)} s): it did not overlap probing")
    finally:
        conn.close()
    return report, problems


def duplicates_met(log_text):
    """Records an aggregator's log says it met already stored, over every process that wrote
    to it (a restart appends: each process' last progress line, before its "stopped" line)."""
    return sum((progress(chunk) or (0, 0, 0))[2] for chunk in log_text.split("aggregator stopped"))


def w_end(result):
    return next((w["campaign_ended_s"] for w in result["windows"].values()), None)


def run_scenario(path, observatory, out, prefix, repo):
    scen = scenario_mod.load(path)
    if os.geteuid() != 0:
        raise RunError("the testbed needs root (network namespaces)")
    result = DistributedRun(scen, observatory, out, prefix, repo).execute()
    report = runner.write_report(scen, result, out)
    c, a = result["counting"], result["aggregators"]
    extra = ["", "## Distributed mode", "",
             "Faults (s into the campaign): "
             + "; ".join(f"{t}: {what}" for t, what in result["faults"]) + ".",
             f"Observations: {c['observations']} rows, {c['distinct_ids']} distinct ids; a "
             f"fresh re-read of the topic: {c['reread_distinct_ids']}; tasks observed "
             f"{c['tasks_observed']} of {c['tasks_expected']} "
             f"({c['tasks_observed_twice']} observed twice: re-leased after the kill); honeypot "
             f"events {c['honeypot_events']}, re-read {c['reread_honeypot_events']}.",
             "Broker faults (down for, s from the campaign's start, observations started "
             "meanwhile): " + "; ".join(
                 f"{fault}: {w['down_s']} s at {w['from_campaign_start_s']} s, "
                 f"{w['observations_started_meanwhile']}"
                 for fault, w in result["windows"].items())
             + f" (the campaign ended at {w_end(result)} s).",
             f"Aggregators: the standby's stored (observations, events) "
             f"{a['standby']}; the catch-up after it found {a['catch_up_new']} new; records met "
             f"again by the group's members (dropped by id): {a['redelivered']}; records the "
             f"topics hold twice (re-read): {a['topic_duplicates']}."]
    with open(Path(out) / "report.md", "a") as f:
        f.write("\n".join(extra) + "\n")
    print(report + "\n" + "\n".join(extra), flush=True)
    return result
