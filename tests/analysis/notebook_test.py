"""analysis.notebook: the researchers' notebook (analysis/observatory.ipynb) executed headless on
a real export that this test makes with our binary, and its outputs checked.

The export: seven `observatory honeypot` emulations on loopback addresses (ElectrumX x2, Fulcrum
x2, electrs, EPS, and a Fulcrum claiming to be ElectrumX), probed by `observatory local` from two
vantages: clearnet and "tor" (a SOCKS5 relay of this file's own on loopback, which `local` takes
for Tor's port), with the probes the tables rest on; then a second, shorter campaign
(metadata only) after the electrs server was stopped, so uptime and reachability vary. The run
writes OUT/report.json, OUT/csv/ and OUT/results.sqlite.

Then `python3 -m nbconvert --execute` runs the notebook with EO_EXPORT_DIR=OUT, and the test
checks the executed notebook: no error output, and the summary the notebook writes
(EO_NOTEBOOK_SUMMARY) agrees with report.json (servers, modified flags, implementations) and
holds the clustering's contingency table and adjusted Rand index.

With --testbed, the export is instead `observatory report` over the results database the
testbed's small scenario left (testbed.small_embedded: 9 servers, 4 vantages, real ElectrumX
releases among emulations, planted refusals and a fake ElectrumX).

Usage: /usr/bin/python3 notebook_test.py OBSERVATORY_BINARY SOURCE_DIR WORK_DIR ARTIFACTS_DIR
       /usr/bin/python3 notebook_test.py --testbed OBSERVATORY_BINARY SOURCE_DIR TESTBED_OUT
           WORK_DIR ARTIFACTS_DIR
Exit 0 passed, 1 failed, 77 skipped (a Python package missing, outside CI=true only; --testbed:
no testbed run, see testbed_export).
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
import waiting  # noqa: E402

PACKAGES = ["pandas", "numpy", "matplotlib", "seaborn", "sklearn", "scipy", "nbformat",
            "nbconvert", "nbclient", "ipykernel"]
SERVERS = [  # (address, profile); the last one claims electrumx and behaves like fulcrum
    ("127.0.0.11", "electrumx"), ("127.0.0.12", "electrumx"), ("127.0.0.13", "fulcrum"),
    ("127.0.0.14", "fulcrum"), ("127.0.0.15", "electrs"), ("127.0.0.16", "eps"),
    ("127.0.0.17", "fake-electrumx"),
]
STOPPED = "127.0.0.15"  # down for the second campaign
# The probes the report's tables rest on (fingerprint facts, latency, the rate-limit ramp, the
# phishing check); the wallet probes (address_formats, xpub_gap_scan) would double the run.
FIRST_PROBES = "metadata,version_matrix,hostile_input,latency,rate_limit_ramp,broadcast_check"


def fail(message: str) -> None:
    print(f"FAIL {message}", flush=True)
    sys.exit(1)


class Socks5Relay:
    """A minimal SOCKS5 server (RFC 1928 CONNECT; no auth or RFC 1929 user/password, any
    credentials) on 127.0.0.1:0: `observatory local` sees a SOCKS port and adds its Tor vantage,
    whose streams this relays to the loopback honeypots."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    @staticmethod
    def _read(s: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = s.recv(n - len(data))
            if not chunk:
                raise ConnectionError("eof")
            data += chunk
        return data

    def _serve(self, client: socket.socket):
        upstream = None
        try:
            client.settimeout(30)
            _, count = self._read(client, 2)
            methods = self._read(client, count)
            if 0 in methods:
                client.sendall(b"\x05\x00")
            elif 2 in methods:
                client.sendall(b"\x05\x02")
                _, ulen = self._read(client, 2)
                self._read(client, ulen)
                plen = self._read(client, 1)[0]
                self._read(client, plen)
                client.sendall(b"\x01\x00")
            else:
                client.sendall(b"\x05\xff")
                return
            _, cmd, _, atyp = self._read(client, 4)
            if atyp == 1:
                host = socket.inet_ntoa(self._read(client, 4))
            elif atyp == 3:
                host = self._read(client, self._read(client, 1)[0]).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, self._read(client, 16))
            port = int.from_bytes(self._read(client, 2), "big")
            if cmd != 1:
                client.sendall(b"\x05\x07\x00\x01" + bytes(6))
                return
            try:
                upstream = socket.create_connection((host, port), timeout=10)
            except OSError:
                client.sendall(b"\x05\x05\x00\x01" + bytes(6))
                return
            client.sendall(b"\x05\x00\x00\x01" + bytes(6))
            client.settimeout(None)
            upstream.settimeout(None)
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
            self._pipe(client, upstream)
        except (OSError, ConnectionError, ValueError):
            pass
        finally:
            client.close()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def start_honeypot(binary: str, work: pathlib.Path, address: str, profile: str):
    ready = work / f"ready-{address}.json"
    args = [binary, "honeypot", "--data-dir", str(work / f"hp-{address}"), "--ready-file",
            str(ready), "--id", f"hp-{address}"]
    if profile == "fake-electrumx":
        config = work / f"honeypot-{address}.yaml"
        config.write_text(
            f"listeners:\n  - {{host: {address}, port: 0}}\n"
            "profile:\n  base: fulcrum\n  rules:\n"
            "    - {name: pretend, action: {type: claim, implementation: electrumx}}\n")
        args += ["--config", str(config)]
    else:
        args += ["--tcp", f"{address}:0", "--profile", profile]
    log = open(work / f"honeypot-{address}.log", "w")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    if not waiting.wait_until(lambda: ready.exists() and ready.stat().st_size > 0 or
                              proc.poll() is not None, 30):
        fail(f"honeypot {address} not ready in 30 s")
    if proc.poll() is not None:
        fail(f"honeypot {address} exited: {(work / f'honeypot-{address}.log').read_text()}")
    port = json.loads(ready.read_text())["ports"][0]
    return proc, f"{address}:{port}:t"


def stop(proc: subprocess.Popen):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def local(binary: str, work: pathlib.Path, targets: list[str], socks: int, probes: str,
          name: str):
    started = time.monotonic()
    run = subprocess.run(
        [binary, "local", "--targets", ",".join(targets), "--probes", probes,
         "--sync-window-s", "2", "--timeout-s", "150", "--tor-socks", f"127.0.0.1:{socks}",
         "--data-dir", str(work / "data"), "--out", str(work / "export")],
        capture_output=True, text=True, timeout=200)
    (work / f"local-{name}.log").write_text(run.stdout + run.stderr)
    print(f"observatory local ({name}, --probes {probes}): exit {run.returncode} in "
          f"{time.monotonic() - started:.0f} s", flush=True)
    if run.returncode != 0:
        fail(f"observatory local {name} exited {run.returncode}:\n{run.stdout}{run.stderr}")


def packages_or_skip() -> None:
    missing = []
    for package in PACKAGES:
        if subprocess.run([sys.executable, "-c", f"import {package}"],
                          capture_output=True).returncode != 0:
            missing.append(package)
    if missing:
        why = (f"missing Python packages for {sys.executable}: {', '.join(missing)} "
               "(scripts/install-deps.sh installs them from scripts/debian-packages.txt)")
        if os.environ.get("CI") == "true":
            fail(why + " (CI=true: every tool must be installed)")
        print(f"SKIP {why}")
        sys.exit(77)


class Checks:
    def __init__(self):
        self.results = []

    def __call__(self, what, ok):
        self.results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)


def execute(source: pathlib.Path, export: pathlib.Path, results_db: pathlib.Path,
            work: pathlib.Path, artifacts: pathlib.Path, name: str, check: Checks) -> dict:
    """Runs the notebook headless (nbconvert executes every cell; a cell's error fails the
    run) on `export`, checks what every export must give, returns the notebook's summary."""
    artifacts.mkdir(parents=True, exist_ok=True)
    executed = artifacts / f"{name}.ipynb"
    summary_path = work / "notebook-summary.json"
    env = dict(os.environ, EO_EXPORT_DIR=str(export), EO_RESULTS_DB=str(results_db),
               EO_NOTEBOOK_SUMMARY=str(summary_path),
               EO_FIGURES_DIR=str(artifacts / f"{name}-figures"),
               PYDEVD_DISABLE_FILE_VALIDATION="1", JUPYTER_PLATFORM_DIRS="1")
    env.pop("MPLBACKEND", None)  # the kernel's inline backend puts the figures in the outputs
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.timeout=120", "--ExecutePreprocessor.kernel_name=python3",
         "--output-dir", str(artifacts), "--output", executed.name,
         str(source / "analysis" / "observatory.ipynb")],
        capture_output=True, text=True, env=env, timeout=300)
    print(f"nbconvert --execute: exit {run.returncode} in {time.monotonic() - started:.0f} s "
          f"({executed})", flush=True)
    if run.returncode != 0:
        fail(f"the notebook failed:\n{run.stdout}{run.stderr[-6000:]}")

    nb = json.loads(executed.read_text())
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    errors = [o for c in code_cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    if errors:
        fail(f"error outputs: {errors}")
    unexecuted = [c for c in code_cells if c.get("execution_count") is None]
    if unexecuted:
        fail(f"{len(unexecuted)} code cells did not run")
    images = sum(1 for c in code_cells for o in c.get("outputs", [])
                 if "image/png" in o.get("data", {}))
    html_tables = sum(1 for c in code_cells for o in c.get("outputs", [])
                      if "<table" in "".join(o.get("data", {}).get("text/html", "")))

    report = json.loads((export / "report.json").read_text())
    summary = json.loads(summary_path.read_text())
    print(json.dumps(summary, indent=1), flush=True)
    servers = report["servers"]
    check(f"servers: notebook {summary['servers']} == report.json {len(servers)}",
          summary["servers"] == len(servers))
    modified = sorted(s["server"] for s in servers if s["modified"])
    check(f"modified servers {summary['modified_servers']} == report.json {modified}",
          summary["modified_servers"] == modified)
    check("implementations as report.json",
          summary["implementations"] == {s["server"]: s["implementation"] for s in servers})
    check(f"vantages {summary['vantages']} as report.json's server_reachability",
          summary["vantages"] == sorted({r["vantage_id"] for r in
                                         report["server_reachability"]}))
    for table in ("findings", "rate_limits", "differential"):
        check(f"{table} rows {summary[table]} == report.json {len(report[table])}",
              summary[table] == len(report[table]))
    fm = summary["feature_matrix"]
    check(f"feature matrix {fm['servers']} servers x {fm['facts']} one-hot facts",
          fm["servers"] == len(servers) and fm["facts"] >= 20)
    check("contingency table covers every server",
          sum(sum(row.values()) for row in summary["contingency"].values()) == len(servers))
    check(f"adjusted Rand index {summary['adjusted_rand_index']:.3f} is in [-1, 1]",
          -1 <= summary["adjusted_rand_index"] <= 1)
    check(f"latency samples per vantage {summary['latency_samples']}",
          all(summary["latency_samples"].get(v, 0) > 0 for v in summary["vantages"]))
    check(f"{images} figures (>= 8) and {html_tables} tables (>= 6) in the outputs",
          images >= 8 and html_tables >= 6)
    behaviour = summary["aggregator_behaviour"]
    check(f"the aggregator's {behaviour['groups']} behaviour groups compared: "
          f"{behaviour['agreement']}",
          behaviour["groups"] >= 1 and behaviour["agreement"] and
          all(v is None or -1 <= v <= 1 for v in behaviour["agreement"].values()))
    # A modified server should sit with the servers of what it runs, not of what it claims:
    # the majority of its cluster's other members share its inferred implementation.
    for server in modified:
        peers = [s for s, c in summary["clusters"].items()
                 if c == summary["clusters"][server] and s != server]
        kinds = [summary["implementations"][s] for s in peers]
        check(f"modified {server} ({summary['implementations'][server]}) clusters with {kinds}",
              bool(kinds) and kinds.count(summary["implementations"][server]) * 2 > len(kinds))
    return summary


def fresh_export(binary, source, work, artifacts) -> int:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    relay = Socks5Relay()
    procs, targets = {}, []
    try:
        for address, profile in SERVERS:
            procs[address], target = start_honeypot(binary, work, address, profile)
            targets.append(target)
        local(binary, work, targets, relay.port, FIRST_PROBES, "first")
        stop(procs[STOPPED])
        local(binary, work, targets, relay.port, "metadata", "second")
    finally:
        for proc in procs.values():
            stop(proc)
    export = work / "export"
    for path in ("report.json", "csv/servers.csv", "results.sqlite"):
        if not (export / path).exists():
            fail(f"the run wrote no {export / path}")

    check = Checks()
    summary = execute(source, export, export / "results.sqlite", work, artifacts,
                      "observatory-notebook", check)
    check(f"{summary['servers']} servers == {len(SERVERS)} planted",
          summary["servers"] == len(SERVERS))
    check(f"modified {summary['modified_servers']} == ['127.0.0.17'] (the fake ElectrumX)",
          summary["modified_servers"] == ["127.0.0.17"])
    check(f"vantages {summary['vantages']} == clearnet and tor",
          summary["vantages"] == ["clearnet", "tor"])
    check(f"uptime of the stopped server {summary['uptime'][STOPPED]} == 0.5",
          summary["uptime"][STOPPED] == 0.5)
    # Each emulation behaves apart, so the clusters should follow the inferred implementations,
    # and the Fulcrum claiming ElectrumX should sit with the Fulcrums, not with its claim.
    check(f"adjusted Rand index {summary['adjusted_rand_index']:.3f} >= 0.8",
          summary["adjusted_rand_index"] >= 0.8)
    clusters = summary["clusters"]
    check("the fake ElectrumX clusters with the Fulcrums, apart from the ElectrumX servers",
          clusters["127.0.0.17"] == clusters["127.0.0.13"] == clusters["127.0.0.14"] !=
          clusters["127.0.0.11"])
    # The aggregator's vectors hold the claim: the fake stands apart from both.
    groups = summary["aggregator_behaviour"]["clusters"]
    check(f"the aggregator's groups {groups}: the fake ElectrumX in neither the ElectrumX "
          "servers' group nor the Fulcrums'",
          groups["127.0.0.11"] == groups["127.0.0.12"] and
          groups["127.0.0.13"] == groups["127.0.0.14"] and
          groups["127.0.0.17"] not in (groups["127.0.0.11"], groups["127.0.0.13"]))
    if not all(check.results):
        return 1
    print("PASS the notebook ran on a fresh export")
    return 0


def testbed_export(binary, source, testbed_out, work, artifacts) -> int:
    """The testbed's small scenario (testbed.small_embedded, which runs first) left its
    results.sqlite; `observatory report` writes its exports here, and the notebook runs on
    them. Without a run of the testbed newer than the binary: skip when not root (the testbed
    skipped too), fail as root under CI=true (it should have run)."""
    db = testbed_out / "results.sqlite"
    if not db.exists() or db.stat().st_mtime < pathlib.Path(binary).stat().st_mtime:
        why = f"no testbed run newer than the binary ({db}; ctest -R testbed.small_embedded)"
        if os.environ.get("CI") == "true" and os.geteuid() == 0:
            fail(why + " (CI=true as root: the testbed runs first)")
        print(f"SKIP {why}")
        return 77
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    copy = work / "results.sqlite"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    run = subprocess.run([binary, "report", "--db", str(copy), "--out", str(work / "export")],
                         capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        fail(f"observatory report exited {run.returncode}:\n{run.stdout}{run.stderr}")
    check = Checks()
    summary = execute(source, work / "export", copy, work, artifacts, "observatory-notebook-testbed",
                      check)
    check(f"vantages {summary['vantages']}: at least 3 (differential treatment needs them)",
          len(summary["vantages"]) >= 3)
    check(f"differential findings {summary['differential_findings']} > 0 (the planted refusals)",
          summary["differential_findings"] > 0)
    if not all(check.results):
        return 1
    print("PASS the notebook ran on the testbed's export")
    return 0


def main() -> int:
    packages_or_skip()
    if sys.argv[1] == "--testbed":
        binary, source, testbed_out, work, artifacts = map(pathlib.Path, sys.argv[2:7])
        return testbed_export(str(binary), source, testbed_out, work, artifacts)
    binary, source, work, artifacts = sys.argv[1:5]
    return fresh_export(binary, pathlib.Path(source), pathlib.Path(work), pathlib.Path(artifacts))


if __name__ == "__main__":
    sys.exit(main())
