#!/usr/bin/env python3
"""The Grafana dashboards and Prometheus alert rules of helm/electrum-observatory, checked by the
tools a user runs and against a live run (ctest -L deploy: deploy.grafana).

1. The dashboard JSON is what make_dashboards.py writes; every panel queries the `datasource`
   variable's Prometheus; Grafana's dashboard schema (grafana-foundation-sdk, strict unmarshal
   and Validate: dashcheck/).
2. `promtool check rules` and `promtool test rules` (rules/tests/).
3. A live run on loopback: librdkafka's mock cluster (three brokers), a honeypot (Fulcrum that
   claims to be ElectrumX, so a modified_implementation finding is published), the coordinator,
   three agents (eu, us, asia; clearnet), the aggregator, each with --metrics-listen, and Debian's
   Prometheus scraping them every second with the rules loaded. A three-round campaign probes the
   honeypot. Faults, so that the alerts have something to say: the us agent is SIGKILLed while it
   runs a probe (its leases expire, its region has no agent) and the brokers go down with it
   (the spools grow); both come back once Prometheus has recorded those effects.
   Then every PromQL expression of every panel (range queries over the run, instant ones at its
   end) and every template variable must return data, with $__rate_interval, $__interval,
   $__range and the variables substituted as Grafana would ("All" = .*). Every rule must be
   evaluated by Prometheus without error; its expression with each comparison made a `bool` one
   must return data (the series it needs exist), and the alerts the faults raise must fire.

Missing tools skip (exit 77) unless CI=true, where they fail. Everything started is stopped at
the end, also on failure.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))
import waiting  # noqa: E402  the tests' one bounded poll

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
CHART = REPO / "helm" / "electrum-observatory"
CACHE = Path.home() / ".cache" / "electrum-observatory"
SKIP = 77

RATE_INTERVAL = "5s"  # Grafana: max(4 x scrape interval, $__interval + scrape interval); scrape 1 s
INTERVAL = "1s"
TOPICS = {"observations.v1": 4, "honeypot.events.v1": 2, "targets.discovered.v1": 1,
          "findings.v1": 1}
# Alerts whose condition the run's faults create: their expression as written must return data.
MUST_FIRE = {"EoAgentDown", "EoRegionWithoutAgent", "EoSpoolGrowing", "EoLeaseExpiries",
             "EoNewFinding"}
T0 = time.monotonic()


def log(msg):
    print(f"[{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


class Failure(Exception):
    pass


def need_tools(names):
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        msg = (f"missing tools: {', '.join(missing)} (prometheus and promtool: "
               "scripts/debian-packages.txt; go: the toolchain scripts/install-helm-tools.sh "
               "also needs)")
        if os.environ.get("CI") == "true":
            print(f"FAIL: {msg} (CI=true: missing tools fail)", file=sys.stderr)
            sys.exit(1)
        print(f"SKIP: {msg}")
        sys.exit(SKIP)


def wait_port(port, timeout_s=20, proc=None, name=""):
    def listening():
        if proc is not None and proc.poll() is not None:
            raise Failure(f"{name} exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    if not waiting.wait_until(listening, timeout_s):
        raise Failure(f"{name}: nothing listens on 127.0.0.1:{port} after {timeout_s} s")


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


# --- static checks ----------------------------------------------------------------------------

def check_dashboards_static(dashboards):
    r = subprocess.run([sys.executable, str(HERE / "make_dashboards.py"), "--check"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure(r.stderr.strip())
    for path in dashboards:
        d = json.loads(path.read_text())
        names = [v["name"] for v in d["templating"]["list"]]
        if "datasource" not in names:
            raise Failure(f"{path.name}: no 'datasource' template variable")
        for p in d["panels"]:
            if p["type"] == "row":
                continue
            if p.get("datasource", {}).get("uid") != "${datasource}":
                raise Failure(f"{path.name}: panel '{p['title']}' does not use ${{datasource}}")
            for t in p.get("targets", []):
                if t.get("datasource", {}).get("uid") != "${datasource}":
                    raise Failure(f"{path.name}: '{p['title']}' {t['refId']} not on ${{datasource}}")
                # Windows of rates follow Grafana's interval, never a fixed one.
                for m in re.finditer(r"\b(rate|increase|deriv)\(([^\[]*)\[([^\]]+)\]", t["expr"]):
                    if not m.group(3).startswith("$__"):
                        raise Failure(f"{path.name}: '{p['title']}': {m.group(1)} over "
                                      f"[{m.group(3)}], not $__rate_interval/$__range")
    log(f"dashboards: {len(dashboards)} files are make_dashboards.py's, every panel on "
        "${datasource}, rates over $__rate_interval or $__range")


def build_dashcheck():
    out = CACHE / "dashcheck" / "dashcheck"
    out.parent.mkdir(parents=True, exist_ok=True)
    sources = [HERE / "dashcheck" / n for n in ("main.go", "go.mod", "go.sum")]
    if out.exists() and all(out.stat().st_mtime > p.stat().st_mtime for p in sources):
        log(f"dashcheck up to date ({out}; grafana-foundation-sdk {sdk_version()})")
        return out
    env = dict(os.environ, GOMODCACHE=str(CACHE / "go-mod"), GOCACHE=str(CACHE / "go-build"),
               GOTOOLCHAIN="local", GOFLAGS="-mod=readonly -modcacherw")
    lock = ["flock", "/tmp/eo-build.lock"] if shutil.which("flock") else []
    started = time.monotonic()
    r = subprocess.run(lock + ["go", "build", "-o", str(out), "."], cwd=HERE / "dashcheck",
                       env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure(f"go build dashcheck: {r.stderr.strip()}")
    log(f"dashcheck built ({time.monotonic() - started:.1f} s, grafana-foundation-sdk "
        f"{sdk_version()})")
    return out


def sdk_version():
    for line in (HERE / "dashcheck" / "go.mod").read_text().splitlines():
        if "grafana-foundation-sdk" in line:
            return line.split()[-1]
    return "?"


def check_schema(dashcheck, dashboards):
    r = subprocess.run([str(dashcheck)] + [str(p) for p in dashboards], capture_output=True,
                       text=True)
    print(r.stdout, end="")
    if r.returncode != 0:
        raise Failure(f"Grafana dashboard schema: {r.stderr.strip()}")


def check_rules(rule_files, rule_tests):
    for argv in (["promtool", "check", "rules"] + [str(f) for f in rule_files],
                 ["promtool", "test", "rules"] + [str(f) for f in rule_tests]):
        r = subprocess.run(argv, capture_output=True, text=True)
        print((r.stdout + r.stderr).strip())
        if r.returncode != 0:
            raise Failure(f"{' '.join(argv[:3])} failed")


# --- the live run ------------------------------------------------------------------------------

class Run:
    def __init__(self, observatory, kafka_mock, work):
        self.bin = observatory
        self.kafka_mock = kafka_mock
        self.work = work
        self.procs = {}
        self.ports = {}
        self.log_start = {}
        self.mock = None
        self.done = False

    def start(self, name, argv, **kw):
        path = self.work / "logs" / f"{name}.log"
        logf = open(path, "ab")
        # A restart appends: its ports are read from what this start writes.
        self.log_start[name] = logf.tell()
        p = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT, **kw)
        logf.close()
        self.procs[name] = p
        return p

    def logged_port(self, name, message, timeout_s=20):
        """The port `name` reports in its `message` log line (it bound port 0)."""
        p = self.procs[name]
        path = self.work / "logs" / f"{name}.log"
        found = {}

        def logged():
            if p.poll() is not None:
                raise Failure(f"{name} exited with {p.returncode} before '{message}'\n"
                              + self.tail(name))
            found["port"] = waiting.logged_field(path, message, "port", self.log_start[name])
            return found["port"] is not None

        if not waiting.wait_until(logged, timeout_s):
            raise Failure(f"{name}: no '{message}' line after {timeout_s} s\n" + self.tail(name))
        return int(found["port"])

    def stop(self, name, sig=signal.SIGTERM):
        p = self.procs.pop(name, None)
        if p is None or p.poll() is not None:
            return
        p.send_signal(sig)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def stop_all(self):
        for name in list(self.procs)[::-1]:
            self.stop(name)
        if self.mock is not None and self.mock.poll() is None:
            try:
                self.mock.stdin.write("quit\n")
                self.mock.stdin.flush()
                self.mock.wait(timeout=5)
            except Exception:
                self.mock.kill()
                self.mock.wait()

    def tail(self, name, lines=15):
        path = self.work / "logs" / f"{name}.log"
        if not path.exists():
            return ""
        text = path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(f"  {name}| {l}" for l in text)

    def kafka(self, command):
        self.mock.stdin.write(command + "\n")
        self.mock.stdin.flush()
        answer = self.mock.stdout.readline().strip()
        if answer != "ok":
            raise Failure(f"kafka mock: {command}: {answer!r}")

    # roles

    def start_kafka(self):
        logf = open(self.work / "logs" / "kafka-mock.log", "ab")
        self.mock = subprocess.Popen([self.kafka_mock], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=logf, text=True, bufsize=1)
        logf.close()
        first = self.mock.stdout.readline().strip()
        if not first.startswith("bootstraps "):
            raise Failure(f"kafka mock: unexpected first line {first!r}")
        self.bootstraps = first.split()[1]
        for topic, partitions in TOPICS.items():
            self.kafka(f"topic {topic} {partitions}")

    # Every role binds its metrics port at 0 and logs it ("metrics listening"): metrics_port()
    # reads it back once the role started with METRICS.
    METRICS = ["--metrics-listen", "127.0.0.1:0"]

    def metrics_port(self, name):
        self.ports[name] = self.logged_port(name, "metrics listening")
        wait_port(self.ports[name], proc=self.procs[name], name=name)

    def data(self, name):
        d = self.work / "data" / name
        d.mkdir(parents=True, exist_ok=True)
        return str(d)

    def start_honeypot(self):
        config = self.work / "honeypot.yaml"
        # Fulcrum's behaviour under ElectrumX's name: a modified_implementation finding.
        config.write_text(json.dumps({
            "honeypot_id": "grafana-live",
            "listeners": [{"host": "127.0.0.1", "port": 0}],
            "profile": {"base": "fulcrum", "name": "claims-electrumx",
                        "rules": [{"name": "pretend",
                                   "action": {"type": "claim", "implementation": "electrumx"}}]},
        }))
        ready = self.work / "honeypot.ready"
        p = self.start("honeypot", [self.bin, "honeypot", "--config", str(config),
                                    "--ready-file", str(ready), "--kafka", self.bootstraps,
                                    "--data-dir", self.data("honeypot"),
                                    "--mine-after-broadcast-ms", "-1"]
                       + self.METRICS)
        if not waiting.wait_until(lambda: ready.exists() or p.poll() is not None, 20) \
                or not ready.exists():
            raise Failure("honeypot did not start\n" + self.tail("honeypot"))
        self.honeypot_port = json.loads(ready.read_text())["ports"][0]
        self.metrics_port("honeypot")

    def start_coordinator(self):
        p = self.start("coordinator", [
            self.bin, "coordinator", "--listen", "127.0.0.1:0",
            "--insecure", "--store", f"sqlite:{self.data('coordinator')}/coordinator.sqlite",
            "--kafka", self.bootstraps, "--data-dir", self.data("coordinator"),
            "--lease-ms", "2000"] + self.METRICS)
        self.coordinator_port = self.logged_port("coordinator", "coordinator listening")
        wait_port(self.coordinator_port, proc=p, name="coordinator")
        self.metrics_port("coordinator")

    def start_agent(self, aid, region):
        config = self.work / f"{aid}.yaml"
        config.write_text(json.dumps({
            "agent_id": aid, "timeout_ms": 5000, "deadline_ms": 30000,
            "vantages": [{"id": f"{region}-clear", "region": region, "provider": "loopback"}],
            "politeness": {"max_requests_per_second_per_target": 200,
                           "max_concurrency_per_target": 4, "backoff_after_error_ms": 200}}))
        self.start(aid, [self.bin, "agent", "--coordinator",
                         f"127.0.0.1:{self.coordinator_port}", "--insecure",
                         "--config", str(config), "--kafka", self.bootstraps,
                         "--data-dir", self.data(aid), "--concurrency", "4",
                         "--geo-database", "none"] + self.METRICS)
        self.metrics_port(aid)

    def start_aggregator(self):
        self.start("aggregator", [
            self.bin, "aggregator", "--kafka", self.bootstraps, "--group", "grafana-live",
            "--kafka-property", "session.timeout.ms=6000", "--data-dir", self.data("aggregator"),
            "--db", f"{self.data('aggregator')}/results.sqlite", "--geo-database", "none",
            "--analyze-every", "3", "--batch", "500"] + self.METRICS)
        self.metrics_port("aggregator")

    def write_agent_targets(self, agents):
        """The agents' scrape targets, which Prometheus re-reads when the file changes: a
        restarted agent binds another metrics port. Agents carry their region as a target label,
        as the chart's PodMonitor relabels it."""
        path = self.work / "agents.json"
        staged = path.with_suffix(".tmp")
        staged.write_text(json.dumps([
            {"targets": [f"127.0.0.1:{self.ports[aid]}"], "labels": {"region": region}}
            for aid, region in agents]))
        staged.replace(path)
        return path

    def start_prometheus(self, rule_files, agents):
        jobs = []
        for job in ("coordinator", "aggregator", "honeypot"):
            jobs.append({"job_name": job, "static_configs": [
                {"targets": [f"127.0.0.1:{self.ports[job]}"]}]})
        jobs.append({"job_name": "agents", "file_sd_configs": [
            {"files": [str(self.write_agent_targets(agents))]}]})
        config = {"global": {"scrape_interval": "1s", "scrape_timeout": "900ms",
                             "evaluation_interval": "1s"},
                  "rule_files": [str(f) for f in rule_files], "scrape_configs": jobs}
        path = self.work / "prometheus.yml"
        path.write_text(json.dumps(config, indent=2))
        p = self.start("prometheus", [
            "prometheus", f"--config.file={path}",
            f"--storage.tsdb.path={self.work / 'prometheus'}",
            "--web.listen-address=127.0.0.1:0",
            "--storage.tsdb.retention.time=1d", "--log.level=warn"])
        # Prometheus binds port 0 too; its only listener, read back from /proc (its "Listening
        # on" line is info, below --log.level=warn).
        self.prom_port = None

        def ready():
            if p.poll() is not None:
                raise Failure("prometheus exited\n" + self.tail("prometheus"))
            if self.prom_port is None:
                ports = waiting.listening_ports(p.pid)
                if len(ports) != 1:
                    return False
                self.prom_port = ports.pop()
            try:
                http_get(f"http://127.0.0.1:{self.prom_port}/-/ready", timeout=1)
                return True
            except Exception:
                return False

        if not waiting.wait_until(ready, 30, interval=0.2):
            raise Failure("prometheus did not get ready\n" + self.tail("prometheus"))

    def cli(self, argv, timeout=30):
        r = subprocess.run([self.bin] + argv, capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise Failure(f"observatory {' '.join(argv[:2])}: exit {r.returncode}: "
                          f"{r.stdout}{r.stderr}")
        return r.stdout + r.stderr

    def scrape(self, name):
        try:
            return http_get(f"http://127.0.0.1:{self.ports[name]}/metrics", timeout=2)
        except Exception:
            return ""

    # Prometheus

    def api(self, path, **params):
        url = f"http://127.0.0.1:{self.prom_port}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        doc = json.loads(http_get(url, timeout=30))
        if doc.get("status") != "success":
            raise Failure(f"prometheus {path}: {doc}")
        return doc["data"]

    def query_range(self, expr, start, end):
        return self.api("query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}",
                        step="1")["result"]

    def query(self, expr, at=None):
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        return self.api("query", **params)["result"]


def metric_value(text, name, **labels):
    """The value of one sample of a /metrics text, or None."""
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] != name:
            continue
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            return float(value)
    return None


def substitute(expr, range_s, variables):
    expr = expr.replace("$__rate_interval", RATE_INTERVAL).replace("$__interval", INTERVAL)
    expr = expr.replace("$__range", f"{range_s}s")
    for name in sorted(variables, key=len, reverse=True):
        expr = expr.replace("${" + name + "}", variables[name]).replace("$" + name,
                                                                          variables[name])
    if "$" in expr:
        raise Failure(f"unsubstituted variable in {expr}")
    return expr


def as_bool(expr):
    """Each comparison with a number becomes a `bool` one: the expression then returns 0/1 for
    every series it looks at, so data means the series the rule needs exist."""
    return re.sub(r"(==|!=|>=|<=|>|<)\s*(-?[0-9][0-9.e+]*)\b", r"\1 bool \2", expr)


def label_values_query(query):
    m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", query.strip())
    if not m:
        raise Failure(f"variable query not understood: {query}")
    return m.group(1), m.group(2)


def live(args, dashboards, rule_files):
    work = Path(args.work)
    if work.exists():
        shutil.rmtree(work)
    (work / "logs").mkdir(parents=True)
    run = Run(args.observatory, args.kafka_mock, work)
    agents = [("agent-eu", "eu"), ("agent-us", "us"), ("agent-asia", "asia")]
    try:
        run.start_kafka()
        run.start_honeypot()
        run.start_coordinator()
        run.start_aggregator()
        for aid, region in agents:
            run.start_agent(aid, region)
        run.start_prometheus(rule_files, agents)
        # Every target scraped a few times before anything happens: a fault before the first
        # scrape would be invisible to Prometheus (its `ready` comes before the first scrape).
        targets = len(agents) + 3
        def all_up():
            up = run.query("count(count_over_time(up[10s]) >= 2 and up == 1)")
            return bool(up) and int(float(up[0]["value"][1])) == targets

        if not waiting.wait_until(all_up, 20, interval=0.5):
            raise Failure(f"prometheus: not all {targets} targets up and scraped twice: "
                          f"{run.query('up')}")
        log(f"running: kafka mock {run.bootstraps}, honeypot :{run.honeypot_port}, coordinator "
            f":{run.coordinator_port}, prometheus :{run.prom_port}, metrics "
            + ", ".join(f"{k} :{v}" for k, v in run.ports.items()))
        campaign = work / "campaign.yaml"
        campaign.write_text(json.dumps({
            "name": "grafana-live",
            "targets": {"list": [f"127.0.0.1:{run.honeypot_port}:t"]},
            "probes": ["metadata", "version_matrix", "latency", "xpub_gap_scan",
                       "address_formats"],
            "params": {"latency": {"pings": 3, "connects": 1}},
            "vantages": [{"region": r} for _, r in agents],
            "rounds": 3, "round_spacing_s": 10, "sync_window_s": 3,
            "politeness": {"max_concurrency_per_target": 6,
                           "max_requests_per_second_per_target": 200,
                           "backoff_after_error_ms": 200}}))
        coord = ["--coordinator", f"127.0.0.1:{run.coordinator_port}", "--insecure"]
        start = time.time()
        run.cli(["campaign", "submit", str(campaign)] + coord)
        log("campaign grafana-live submitted: 3 rounds x 3 regions x 5 probes on the honeypot")

        # Faults, each at the moment the run reports it matters: the us agent is SIGKILLed while
        # it runs a probe (it holds a lease) and the brokers go down with it; both come back once
        # Prometheus has seen what that causes. Every wait shares the campaign's budget.
        deadline = time.monotonic() + args.budget

        def remaining():
            return max(0.0, deadline - time.monotonic())

        def all_running():
            for name, p in run.procs.items():
                if p.poll() is not None:
                    raise Failure(f"{name} exited with {p.returncode}\n" + run.tail(name))

        def us_probing():
            all_running()
            in_flight = metric_value(run.scrape("agent-us"), "eo_agent_probes_in_flight")
            return bool(in_flight and in_flight > 0)

        if not waiting.wait_until(us_probing, remaining(), interval=0.1):
            raise Failure("agent-us never had a probe in flight\n" + run.tail("agent-us"))
        run.kafka("down")
        run.stop("agent-us", signal.SIGKILL)
        log("agent-us SIGKILLed with a probe in flight; brokers down")

        # The outage's effects, as Prometheus records them: the alert expressions see the agent
        # down, its region without an agent, the spools growing and its lease expired; and a
        # surviving agent held records in its spool over three scrapes (2 s or more) without
        # delivering any, which only the brokers being away explains (a delivery takes
        # milliseconds and the gauges are exported every second and at each publish).
        rules = {r["name"]: r["query"] for g in run.api("rules")["groups"] for r in g["rules"]}
        effects = ["EoAgentDown", "EoRegionWithoutAgent", "EoSpoolGrowing", "EoLeaseExpiries"]
        held = "records held in a spool"
        survivor = f'instance!="127.0.0.1:{run.ports["agent-us"]}"'
        depth = f'eo_agent_observations{{state="spool_depth",{survivor}}}'
        holding = (f'min_over_time({depth}[3s]) > 0 '
                   f'and on(instance) count_over_time({depth}[3s]) >= 3 '
                   f'and on(instance) changes(eo_agent_observations{{state="delivered",'
                   f'{survivor}}}[3s]) == 0')
        checks = dict(rules, **{held: holding})
        seen = set()

        def outage_seen():
            all_running()
            seen.update(n for n in effects + [held] if n not in seen and run.query(checks[n]))
            return len(seen) == len(effects) + 1

        outage_start = time.monotonic()
        if not waiting.wait_until(outage_seen, remaining(), interval=0.5):
            raise Failure("the outage's effects never all showed; missing: "
                          + ", ".join(n for n in effects + [held] if n not in seen))
        run.kafka("up")
        run.start_agent("agent-us", "us")
        run.write_agent_targets(agents)
        log(f"outage seen after {time.monotonic() - outage_start:.1f} s ({', '.join(effects)}, "
            f"{held}); brokers up, agent-us restarted (same spool, metrics now on "
            f":{run.ports['agent-us']})")

        last = {}

        def campaign_done():
            all_running()
            last["status"] = run.cli(["campaign", "status", "grafana-live"] + coord)
            last["expiries"] = metric_value(run.scrape("coordinator"),
                                            "eo_coordinator_lease_expiries_total") or 0
            last["published"] = metric_value(run.scrape("aggregator"),
                                             "eo_aggregator_findings_published_total") or 0
            return bool(re.match(r"campaign \S+: done,", last["status"])
                        and last["expiries"] >= 1 and last["published"] >= 1)

        if waiting.wait_until(campaign_done, remaining(), interval=0.5):
            run.done = True
            log(f"campaign done; {last['expiries']:.0f} lease expiries, {last['published']:.0f} "
                "findings published: " + last["status"].strip())
        else:
            log("budget spent before the campaign was done, the expiries counted and a finding "
                "published: checking what there is\n" + run.cli(["campaign", "status",
                                                                  "grafana-live"] + coord))
        # Every target scraped at least twice more after the last record, so the rules have
        # evaluated over it.
        last_record = time.time()

        def scraped_after():
            oldest = run.query("min(timestamp(up))")
            return bool(oldest) and float(oldest[0]["value"][1]) >= last_record + 2

        if not waiting.wait_until(scraped_after, 20, interval=0.5):
            raise Failure(f"prometheus: no scrape of every target after the last record: "
                          f"{run.query('timestamp(up)')}")
        end = time.time()
        range_s = int(end - start) + 1
        return check_live(run, dashboards, start, end, range_s)
    finally:
        run.stop_all()
        log("everything stopped")


def check_live(run, dashboards, start, end, range_s):
    failures = []
    report = []
    # Template variables.
    variables = {"datasource": "prometheus"}
    for path in dashboards:
        d = json.loads(path.read_text())
        for v in d["templating"]["list"]:
            if v["type"] != "query":
                continue
            selector, label = label_values_query(v["query"]["query"])
            values = run.api(f"label/{label}/values", **{"match[]": selector,
                                                         "start": f"{start:.0f}",
                                                         "end": f"{end:.0f}"})
            report.append(f"  variable {path.stem}.${v['name']}: {len(values)} values {values}")
            if not values:
                failures.append(f"{path.name}: variable ${v['name']} ({v['query']['query']}) "
                                "has no values")
            variables[v["name"]] = v.get("allValue", ".*")
    # Panels.
    panels = queries = 0
    for path in dashboards:
        d = json.loads(path.read_text())
        for p in d["panels"]:
            if p["type"] == "row":
                continue
            panels += 1
            for t in p["targets"]:
                queries += 1
                expr = substitute(t["expr"], range_s, variables)
                if t.get("instant"):
                    result = run.query(expr, at=end)
                    samples = len(result)
                else:
                    result = run.query_range(expr, start, end)
                    samples = sum(len(s.get("values", [])) for s in result)
                line = (f"  {path.stem} / {p['title']} [{t['refId']}]: {len(result)} series, "
                        f"{samples} samples")
                report.append(line)
                if not result or samples == 0:
                    failures.append(f"no data: {path.name} / {p['title']} [{t['refId']}]: {expr}")
    # Rules.
    groups = run.api("rules")["groups"]
    fired = {}
    rules = 0
    for g in groups:
        for r in g["rules"]:
            rules += 1
            name = r.get("name")
            if r.get("health") != "ok" or r.get("lastError"):
                failures.append(f"rule {name}: health {r.get('health')}: {r.get('lastError')}")
            raw = run.query_range(r["query"], start, end)
            boolean = run.query_range(as_bool(r["query"]), start, end)
            fired[name] = bool(raw)
            report.append(f"  rule {name}: bool form {len(boolean)} series; expression "
                          f"{'returned data (fired)' if raw else 'empty (quiet)'}; state "
                          f"{r.get('state', '-')}")
            if not boolean:
                failures.append(f"rule {name}: no data even as bool: {as_bool(r['query'])}")
    for name in sorted(MUST_FIRE):
        if not fired.get(name):
            failures.append(f"alert {name}: its condition was created by the run, the "
                            "expression never returned data")
    alerts = run.api("alerts")["alerts"]
    report.append("  alerts at the end: " + (", ".join(
        sorted({f"{a['labels']['alertname']} ({a['state']})" for a in alerts})) or "none"))
    # What the spools hold at the end (the gauge is exported once a second, also when nothing
    # is published); a record still unacknowledged shows here.
    depth = {s["metric"]["instance"]: s["value"][1]
             for s in run.query('eo_agent_observations{state="spool_depth"}', at=end)}
    report.append("  spool depth at the end: " + ", ".join(f"{k} {v}" for k, v in sorted(depth.items())))
    # A campaign that ended loses its task series (stale queued counts would raise
    # EoCampaignStalled and EoAgentSilent forever).
    if run.done:
        left = run.query('eo_coordinator_tasks{campaign="grafana-live"}', at=end)
        if left:
            failures.append(f"the ended campaign still has task series: {left}")
        else:
            report.append("  the ended campaign's task series are gone")
    peak = run.query(f'max_over_time(sum(eo_agent_observations{{state="spool_depth"}})[{range_s}s:1s])',
                     at=end)
    wallets = run.query("max(eo_aggregator_honeypot_wallets)", at=end)
    report.append(f"  spool depth peak {peak[0]['value'][1] if peak else '-'}; "
                  f"wallets inferred {wallets[0]['value'][1] if wallets else '-'}")
    print("\n".join(report))
    log(f"{len(dashboards)} dashboards, {panels} panels, {queries} queries; {rules} rules")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--observatory", required=True)
    ap.add_argument("--kafka-mock", required=True)
    ap.add_argument("--work", required=True, help="logs, data and Prometheus' storage (wiped)")
    ap.add_argument("--budget", type=float, default=60, help="seconds for the campaign")
    ap.add_argument("--static-only", action="store_true")
    args = ap.parse_args()
    need_tools(["prometheus", "promtool", "go"])
    dashboards = sorted((CHART / "dashboards").glob("*.json"))
    rule_files = sorted((CHART / "rules").glob("*.yaml"))
    rule_tests = sorted((CHART / "rules" / "tests").glob("*.yaml"))
    if not dashboards or not rule_files or not rule_tests:
        print("FAIL: no dashboards, rules or rule tests under " + str(CHART), file=sys.stderr)
        return 1
    try:
        check_dashboards_static(dashboards)
        check_schema(build_dashcheck(), dashboards)
        check_rules(rule_files, rule_tests)
        if args.static_only:
            return 0
        failures = live(args, dashboards, rule_files)
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    log("OK: every panel, variable and rule returned data from the live run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
