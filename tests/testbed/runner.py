"""One embedded-mode run of a scenario on the testbed.

Honeypots in the server namespace, the coordinator (SQLite, mTLS with a dev CA) in the control
namespace, one `observatory agent --coordinator` per vantage namespace (each with its own data
dir: the embedded log has one writer per directory), a campaign of several rounds, then
`observatory aggregator --once` over every agent's and honeypot's log into one results.sqlite,
and the check against the ground truth. With the scenario's `canaries`, the campaign gets a
fresh secret and every honeypot the registry of what it issues (`observatory canary registry`).
Every process runs inside a testbed namespace, so `netns.down` ends whatever a failed or killed
run left.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

import checker
import history_check
import netns
import waiting  # tests/support, on the path netns put it
import scenario as scenario_mod
from scenario import electrumx_env

COORDINATOR_PORT = 50151
# A schedule's change is made when the next round is this close (the round before has finished
# probing: sync windows are shorter than the spacing minus this).
SCHEDULE_LEAD_S = 4


class RunError(RuntimeError):
    pass


def log(msg):
    print(f"[testbed {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Run:
    def __init__(self, scen, observatory, out, prefix, repo):
        self.s = scen
        self.bin = str(Path(observatory).resolve())
        self.out = Path(out).resolve()
        self.prefix = prefix
        self.repo = Path(repo).resolve()
        self.procs = []  # (name, Popen)
        self.campaign_name = None
        self.campaign_file = None
        self.registry = None
        self.ctl = f"{prefix}-ctl"
        self.srv = f"{prefix}-srv"
        self.ctl_ip = scenario_mod.CONTROL_ADDRESSES[0].split("/")[0]
        # schedule events not yet made, and each honeypot's current claim and certificate
        self.pending = sorted(((e["before_round"], s["name"], e) for s in scen.servers
                               for e in s["schedule"]), key=lambda x: (x[0], x[1]))
        self.current = {s["name"]: {"cert": s["cert"], "server_version": None}
                        for s in scen.servers}
        self.schedule_log = []  # (round, server, what), as made

    def region_ns(self, region):
        return f"{self.prefix}-{region['name']}"

    # --- processes ---------------------------------------------------------------------------

    def start(self, name, namespace, argv, env=None):
        logfile = open(self.out / "logs" / f"{name}.log", "a")  # a restart appends
        proc = subprocess.Popen(netns.exec_argv(namespace, argv), stdout=logfile,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        logfile.close()
        self.procs.append((name, proc))
        return proc

    def proc(self, name):
        return next((p for n, p in self.procs if n == name), None)

    def check_alive(self):
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise RunError(f"{name} exited with {proc.returncode}; see "
                               f"{self.out / 'logs' / (name + '.log')}")

    def stop(self, names=None, timeout_s=15):
        chosen = [(n, p) for n, p in self.procs if names is None or n in names]
        for _n, p in chosen:
            if p.poll() is None:
                p.terminate()
        for name, p in chosen:
            try:
                p.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                log(f"{name} ignored SIGTERM for {timeout_s}s; killing it")
                p.kill()
                p.wait(timeout=5)
        self.procs = [(n, p) for n, p in self.procs if (n, p) not in chosen]

    def wait_port(self, namespace, host, port, timeout_s=20):
        probe = (f"import socket,sys\ntry:\n socket.create_connection(('{host}',{port}),1).close()"
                 f"\nexcept OSError:\n sys.exit(1)")
        def accepts():
            self.check_alive()
            r = subprocess.run(netns.exec_argv(namespace, [sys.executable, "-c", probe]),
                               capture_output=True, timeout=10)
            return r.returncode == 0

        if waiting.wait_until(accepts, timeout_s, 0.2):
            return
        raise RunError(f"{host}:{port} in {namespace} not listening after {timeout_s}s")

    def cli(self, argv, timeout_s, namespace=None, log_name=None):
        """Runs an observatory command to its end; its output also goes to logs/LOG_NAME.log."""
        full = [self.bin] + argv
        if namespace:
            full = netns.exec_argv(namespace, full)
        r = subprocess.run(full, capture_output=True, text=True, timeout=timeout_s)
        if log_name:
            (self.out / "logs" / f"{log_name}.log").write_text(r.stdout + r.stderr)
        if r.returncode != 0:
            raise RunError(f"{' '.join(argv[:2])}: exit {r.returncode}: {r.stdout}{r.stderr}")
        return r.stdout

    # --- steps -------------------------------------------------------------------------------

    def hosts(self):
        hosts = [netns.Host(self.ctl, scenario_mod.CONTROL_ADDRESSES),
                 netns.Host(self.srv, [a for s in self.s.servers for a in s["addresses"]])]
        for region in self.s.vantage_regions():
            hosts.append(netns.Host(self.region_ns(region), region["addresses"],
                                    region["netem"]))
        return hosts

    def make_pki(self):
        pki = self.out / "pki"
        agents = ",".join(scenario_mod.agent_id(r) for r in self.s.vantage_regions())
        self.cli(["dev-ca", "--out", str(pki), "--agents", agents, "--hosts", self.ctl_ip,
                  "--days", "2"], timeout_s=60)
        certs = self.out / "certs"
        certs.mkdir(exist_ok=True)
        for group, members in self.s.cert_groups().items():
            ips = ",".join(f"IP:{self.s.server_ip(s)}" for s in self.s.servers
                           if s["name"] in members)
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
                            "-subj", f"/CN={group}.testbed", "-addext", f"subjectAltName={ips}",
                            "-keyout", str(certs / f"{group}.key"),
                            "-out", str(certs / f"{group}.pem")],
                           check=True, capture_output=True, timeout=60)

    def tls_args(self, who):
        pki = self.out / "pki"
        return ["--tls-ca", str(pki / "ca.pem"), "--tls-cert", str(pki / f"{who}.pem"),
                "--tls-key", str(pki / f"{who}.key")]

    def apply_kernel_rules(self):
        """Each server's `kernel` rules as iptables rules in the server namespace (gone with it)."""
        for s in self.s.servers:
            for rule in s["kernel"]:
                for subnet in rule["reject"]:
                    subprocess.run(netns.exec_argv(self.srv, [
                        "iptables", "-A", "INPUT", "-d", self.s.server_ip(s), "-s", subnet,
                        "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"]),
                        check=True, capture_output=True, timeout=30)
                    log(f"kernel rule: {s['name']} resets connections from {subnet}")

    def start_real_servers(self):
        """The scenario's genuine servers, each its own ElectrumX release, on one
        `observatory chain` node in the server namespace (loopback there)."""
        real = self.s.real_servers()
        if not real:
            return
        data = self.out / "data"
        ready, cookie = data / "chain.ready", data / "chain.cookie"
        self.start("chain", self.srv, [self.bin, "chain", "--rpc-listen", "127.0.0.1:0",
                                       "--rpc-cookie", str(cookie), "--ready-file", str(ready),
                                       "--blocks", "110"])
        if not waiting.wait_until(lambda: self.check_alive() or ready.exists(), 30, 0.1):
            raise RunError("observatory chain did not start within 30 s")
        port = json.loads(ready.read_text())["rpc_port"]
        url = f"http://{cookie.read_text().strip()}@127.0.0.1:{port}/"
        certs = self.out / "certs"
        for s in real:
            rel = electrumx_env.release(s["real"]["version"])
            if not rel.installed():
                raise RunError(f"{s['name']}: ElectrumX {rel.version} is not installed "
                               "(scripts/install-electrumx.sh)")
            env = electrumx_env.server_env(
                rel, daemon_url=url, tcp_port=scenario_mod.TCP_PORT,
                ssl_port=scenario_mod.TLS_PORT, certfile=certs / f"{s['cert']}.pem",
                keyfile=certs / f"{s['cert']}.key", scratch_dir=data / f"electrumx-{s['name']}",
                host=self.s.server_ip(s), options=s["real"]["options"], in_namespace=True)
            self.start(f"electrumx-{s['name']}", self.srv, electrumx_env.server_argv(rel), env)

    def start_honeypot(self, s):
        """One honeypot with its current claim and certificate (a schedule's restart changes
        them); a restart appends to the same log and data dir."""
        registry = ["--canary-registry", str(self.registry)] if self.registry else []
        certs = self.out / "certs"
        now = self.current[s["name"]]
        cfg = self.s.honeypot_config(s, str(certs / f"{now['cert']}.pem"),
                                     str(certs / f"{now['cert']}.key"), now["server_version"])
        path = self.out / "config" / f"honeypot-{s['name']}.yaml"
        path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        self.start(f"honeypot-{s['name']}", self.srv,
                   [self.bin, "honeypot", "--config", str(path),
                    "--data-dir", str(self.out / "data" / f"honeypot-{s['name']}"),
                    "--mine-after-broadcast-ms", "-1"] + registry + self.bus_args())

    def start_honeypots(self):
        self.apply_kernel_rules()
        self.start_real_servers()
        for s in self.s.servers:
            if not s["real"]:
                self.start_honeypot(s)
        for s in self.s.servers:
            self.wait_port(self.srv, self.s.server_ip(s), scenario_mod.TLS_PORT)

    def campaign_round(self):
        """(current round, seconds to the next) from `campaign status`, rounds 0-based as the
        results number them; None while the status does not say."""
        coord = ["--coordinator", f"{self.ctl_ip}:{COORDINATOR_PORT}"] + self.tls_args("operator")
        out = self.cli(["campaign", "status", self.campaign_name] + coord, timeout_s=30,
                       namespace=self.ctl)
        shown = re.search(r"round (\d+)", out)
        next_in = re.search(r"next in (\d+) s", out)
        if not shown or not next_in:
            return None
        return int(shown.group(1)) - 1, int(next_in.group(1))

    def play_schedule(self):
        """Makes the schedule's changes due before the next round: stop, start, or restart with
        another claim or certificate."""
        if not self.pending:
            return
        status = self.campaign_round()
        if status is None:
            return
        current, next_in = status
        while self.pending and self.pending[0][0] <= current + 1:
            k, name, event = self.pending[0]
            if k <= current:
                raise RunError(f"{name}: the change before round {k} was not made in time "
                               f"(round {current} is running)")
            if next_in > SCHEDULE_LEAD_S:
                return
            self.pending.pop(0)
            server = next(s for s in self.s.servers if s["name"] == name)
            what = event["action"]
            if event["action"] in ("stop", "restart"):
                self.stop([f"honeypot-{name}"])
            if event["action"] in ("start", "restart"):
                for key in ("server_version", "cert"):
                    if key in event:
                        self.current[name][key] = event[key]
                        what += f" {key}={event[key]}"
                self.start_honeypot(server)
                self.wait_port(self.srv, self.s.server_ip(server), scenario_mod.TLS_PORT)
            self.schedule_log.append((k, name, what))
            log(f"schedule: {name} {what} before round {k}")

    # The embedded mode's bus and store; the distributed run (distributed.py) overrides these.
    def bus_args(self):
        return []

    def store(self):
        return f"sqlite:{self.out / 'data' / 'coordinator.sqlite'}"

    def start_coordinator(self):
        self.start("coordinator", self.ctl,
                   [self.bin, "coordinator", "--listen", f"{self.ctl_ip}:{COORDINATOR_PORT}",
                    "--store", self.store(),
                    "--data-dir", str(self.out / "data" / "coordinator"), "--lease-ms", "10000"]
                   + self.bus_args() + self.tls_args("coordinator"))
        self.wait_port(self.ctl, self.ctl_ip, COORDINATOR_PORT)

    def start_agent(self, region):
        aid = scenario_mod.agent_id(region)
        path = self.out / "config" / f"{aid}.yaml"
        path.write_text(yaml.safe_dump(self.s.agent_config(region), sort_keys=False))
        self.start(aid, self.region_ns(region),
                   [self.bin, "agent", "--coordinator", f"{self.ctl_ip}:{COORDINATOR_PORT}",
                    "--config", str(path), "--data-dir", str(self.out / "data" / aid),
                    "--concurrency", "8"] + self.bus_args() + self.tls_args(f"agent-{aid}"))

    def start_agents(self):
        for region in self.s.vantage_regions():
            self.start_agent(region)

    def start_watch(self):
        coord = ["--coordinator", f"{self.ctl_ip}:{COORDINATOR_PORT}"] + self.tls_args("operator")
        return self.start("campaign-watch", self.ctl,
                          [self.bin, "campaign", "watch", self.campaign_name] + coord)

    def during_campaign(self, elapsed_s):
        """Called about once a second while the campaign runs (the distributed run's faults)."""

    def known_probes(self):
        out = self.cli(["agent", "--list-probes"], timeout_s=30)
        return {line.split()[0] for line in out.splitlines() if line.strip()}

    def prepare_campaign(self):
        """The campaign file, and with canaries the registry the honeypots load (written before
        they start: they recognize only canaries registered when they start)."""
        name = f"{self.s.name}-{time.strftime('%Y%m%d-%H%M%S')}"
        secret = os.urandom(32).hex() if self.s.canaries else None
        doc = self.s.campaign(name, self.known_probes(), secret)
        path = self.out / "config" / "campaign.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        os.chmod(path, 0o600)  # it holds the canary secret
        self.campaign_name, self.campaign_file = name, path
        if secret:
            self.registry = self.out / "config" / "canary-registry.tsv"
            self.cli(["canary", "registry", "--campaign", str(path), "--out", str(self.registry)],
                     timeout_s=120)

    def run_campaign(self):
        name, path = self.campaign_name, self.campaign_file
        coord = ["--coordinator", f"{self.ctl_ip}:{COORDINATOR_PORT}"] + self.tls_args("operator")
        if self.s.continuous:
            # A standing campaign, ended by `until` halfway through what would be the round
            # after the last one: exactly `rounds` rounds start.
            doc = yaml.safe_load(path.read_text())
            end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
                seconds=(self.s.rounds - 0.5) * self.s.round_spacing_s)
            doc["until"] = end.strftime("%Y-%m-%dT%H:%M:%SZ")
            path.write_text(yaml.safe_dump(doc, sort_keys=False))
        self.cli(["campaign", "submit", str(path)] + coord, timeout_s=60, namespace=self.ctl)
        budget = 2 * self.s.rounds * max(self.s.round_spacing_s, 60) + 300
        log(f"campaign {name}: {self.s.rounds} rounds, {len(self.s.servers)} servers, "
            f"{len(self.s.vantage_regions())} vantages (at most {budget} s)")
        self.start_watch()
        started = time.monotonic()

        # The watch exiting is the campaign's end; each poll also checks every other process
        # and plays the scenario's faults due by then (during_campaign, by elapsed time).
        def campaign_over():
            # the watch is looked up each time: a fault may have restarted it with the coordinator
            if self.proc("campaign-watch").poll() is not None:
                return True
            for n, p in self.procs:
                if n != "campaign-watch" and p.poll() is not None:
                    raise RunError(f"{n} exited with {p.returncode} during the campaign")
            self.play_schedule()
            self.during_campaign(time.monotonic() - started)
            return False

        if not waiting.wait_until(campaign_over, budget, 1.0):
            raise RunError(f"campaign {name} not done after {budget} s")
        watch = self.proc("campaign-watch")
        self.procs = [(n, p) for n, p in self.procs if n != "campaign-watch"]
        if watch.returncode != 0:
            raise RunError(f"campaign watch exited {watch.returncode}")
        return name

    def aggregate(self):
        db = self.out / "results.sqlite"
        for old in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            old.unlink(missing_ok=True)
        dirs = sorted(p for p in (self.out / "data").iterdir()
                      if (p / "bus").is_dir() and p.name != "coordinator")
        # Every log stored first, then one analysis over all of them: an analysis per log would
        # publish findings from part of the vantages and withdraw them at the next.
        for i, d in enumerate(dirs):
            store_only = ["--ingest-only"] if i + 1 < len(dirs) else []
            self.cli(["aggregator", "--once", *store_only, "--log-dir", str(d / "bus"), "--db",
                      str(db), "--geo-database", "none", "--idle-ms", "1000", "--group",
                      "testbed"], timeout_s=600)
        return db

    def execute(self):
        """The whole run; returns the check's result. Tears the testbed down in any case."""
        # a reused --out starts clean: an old run's logs would be aggregated with this one's
        for sub in ("logs", "config", "data", "pki", "certs"):
            shutil.rmtree(self.out / sub, ignore_errors=True)
        for sub in ("logs", "config", "data"):
            (self.out / sub).mkdir(parents=True)
        started = time.monotonic()
        try:
            self.noise = netns.up(self.prefix, self.hosts(), self.out / "logs")
            log(f"testbed up: {len(self.hosts())} namespaces, prefix {self.prefix}, "
                f"link noise: {self.noise}")
            self.make_pki()
            self.prepare_campaign()
            self.start_honeypots()
            self.start_coordinator()
            self.start_agents()
            campaign_started = time.monotonic()
            self.run_campaign()
            campaign_s = time.monotonic() - campaign_started
        finally:
            self.stop()
            netns.down(self.prefix)
        log("testbed down; aggregating")
        db = self.aggregate()
        result = checker.check(self.s, db)
        if self.s.expected_changes():
            report_dir = self.out / "observatory-report"
            self.cli(["report", "--db", str(db), "--out", str(report_dir)], timeout_s=120)
            history = history_check.check(self.s, db, report_dir / "report.html")
            history["made"] = self.schedule_log
            result["history"] = history
            if not history["ok"]:
                result["ok"] = False
                result["problems"] = result["problems"] + history["problems"]
        result["wall_time_s"] = round(time.monotonic() - started, 1)
        result["campaign_s"] = round(campaign_s, 1)
        result["link_noise"] = self.noise
        result["canaries"] = self.s.canaries
        return result


def write_report(scen, result, out):
    out = Path(out)
    lines = [f"# Testbed scenario `{scen.name}`", "",
             f"Wall time {result['wall_time_s']} s (campaign {result['campaign_s']} s), "
             f"{scen.rounds} rounds, {len(scen.servers)} servers, "
             f"{len(scen.vantage_regions())} vantages; findings read from the "
             f"{result['source']}; link noise: {result['link_noise']}."
             + (" The campaign issues canaries (a fresh secret; honeypots hold its registry)."
                if result["canaries"] else " The campaign issues no canaries."), "", "## Findings against the ground truth", "",
             result["table"], "", "## Implementation fingerprints (servers)", "",
             result["confusion_table"], "", "## Verdict", ""]
    if result["ok"]:
        lines.append("Ground truth met.")
    else:
        lines += [f"- {p}" for p in result["problems"]]
    if "history" in result:
        lines += ["", "## Server histories against the schedule", "",
                  history_check.format_table(result["history"]["rows"]), "",
                  "Made: " + "; ".join(f"{name} {what} before round {k}"
                                       for k, name, what in result["history"]["made"])]
    lines += ["", "## Every finding", ""] + [f"- {f}" for f in result["found"]]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    (out / "report.json").write_text(checker.to_json(result) + "\n")
    return "\n".join(lines)


def run_scenario(path, observatory, out, prefix, repo):
    scen = scenario_mod.load(path)
    if os.geteuid() != 0:
        raise RunError("the testbed needs root (network namespaces)")
    result = Run(scen, observatory, out, prefix, repo).execute()
    print(write_report(scen, result, out), flush=True)
    return result
