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

Usage: /usr/bin/python3 notebook_test.py OBSERVATORY_BINARY SOURCE_DIR WORK_DIR ARTIFACTS_DIR
Exit 0 passed, 1 failed, 77 skipped (a Python package missing, outside CI=true only).
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import socket
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


def main() -> int:
    binary, source, work, artifacts = sys.argv[1:5]
    source, work, artifacts = pathlib.Path(source), pathlib.Path(work), pathlib.Path(artifacts)
    in_ci = os.environ.get("CI") == "true"
    missing = []
    for package in PACKAGES:
        if subprocess.run([sys.executable, "-c", f"import {package}"],
                          capture_output=True).returncode != 0:
            missing.append(package)
    if missing:
        why = (f"missing Python packages for {sys.executable}: {', '.join(missing)} "
               "(scripts/install-deps.sh installs them from scripts/debian-packages.txt)")
        if in_ci:
            fail(why + " (CI=true: every tool must be installed)")
        print(f"SKIP {why}")
        return 77

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

    # The notebook, headless: nbconvert executes every cell (a cell's error fails the run).
    artifacts.mkdir(parents=True, exist_ok=True)
    executed = artifacts / "observatory-notebook.ipynb"
    summary_path = work / "notebook-summary.json"
    env = dict(os.environ, EO_EXPORT_DIR=str(export), EO_NOTEBOOK_SUMMARY=str(summary_path),
               EO_FIGURES_DIR=str(artifacts / "notebook-figures"),
               PYDEVD_DISABLE_FILE_VALIDATION="1", JUPYTER_PLATFORM_DIRS="1")
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.timeout=120", "--ExecutePreprocessor.kernel_name=python3",
         "--output-dir", str(artifacts), "--output", executed.name,
         str(source / "analysis" / "observatory.ipynb")],
        capture_output=True, text=True, env=env, timeout=300)
    print(f"nbconvert --execute: exit {run.returncode} in {time.monotonic() - started:.0f} s",
          flush=True)
    if run.returncode != 0:
        fail(f"the notebook failed:\n{run.stdout}{run.stderr[-6000:]}")

    nb = json.loads(executed.read_text())
    errors = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    if errors:
        fail(f"error outputs: {errors}")
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
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
    checks = []

    def check(what, ok):
        checks.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)

    servers = report["servers"]
    check(f"servers: notebook {summary['servers']} == report.json {len(servers)} == "
          f"{len(SERVERS)}", summary["servers"] == len(servers) == len(SERVERS))
    modified = sorted(s["server"] for s in servers if s["modified"])
    check(f"modified servers {summary['modified_servers']} == report.json {modified} == "
          "['127.0.0.17']", summary["modified_servers"] == modified == ["127.0.0.17"])
    check("implementations as report.json",
          summary["implementations"] == {s["server"]: s["implementation"] for s in servers})
    check(f"vantages {summary['vantages']} (clearnet and tor)",
          sorted(summary["vantages"]) == ["clearnet", "tor"])
    check(f"uptime of the stopped server {summary['uptime'][STOPPED]} == 0.5",
          summary["uptime"][STOPPED] == 0.5)
    check(f"findings {summary['findings']} == report.json {len(report['findings'])}",
          summary["findings"] == len(report["findings"]))
    check(f"rate-limit rows {summary['rate_limits']} == report.json "
          f"{len(report['rate_limits'])}", summary["rate_limits"] == len(report["rate_limits"]))
    fm = summary["feature_matrix"]
    check(f"feature matrix {fm['servers']} servers x {fm['facts']} one-hot facts",
          fm["servers"] == len(SERVERS) and fm["facts"] >= 20)
    check("contingency table covers every server",
          sum(sum(row.values()) for row in summary["contingency"].values()) == len(SERVERS))
    # Each emulation behaves apart, so the clusters should follow the inferred implementations,
    # and the Fulcrum claiming ElectrumX should sit with the Fulcrums, not with its claim.
    check(f"adjusted Rand index {summary['adjusted_rand_index']:.3f} >= 0.8",
          summary["adjusted_rand_index"] >= 0.8)
    clusters = summary["clusters"]
    check("the fake ElectrumX clusters with the Fulcrums, apart from the ElectrumX servers",
          clusters["127.0.0.17"] == clusters["127.0.0.13"] == clusters["127.0.0.14"] !=
          clusters["127.0.0.11"])
    check(f"latency samples per vantage {summary['latency_samples']}",
          all(summary["latency_samples"].get(v, 0) > 0 for v in ("clearnet", "tor")))
    check(f"{images} figures (>= 8) and {html_tables} tables (>= 6) in the outputs",
          images >= 8 and html_tables >= 6)
    if not all(checks):
        return 1
    print(f"PASS the notebook ran on a fresh export ({executed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
