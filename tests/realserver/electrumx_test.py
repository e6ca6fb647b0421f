#!/usr/bin/env python3
"""The observatory against genuine ElectrumX releases (scripts/electrumx-versions.txt).

For one release and one configuration:
  1. `observatory chain` serves a regtest chain over Bitcoin Core's JSON-RPC (cookie auth);
  2. the release's own electrumx_server (its venv from scripts/install-electrumx.sh) indexes it
     and serves TCP and TLS on loopback;
  3. (default configuration) the server follows the node: new blocks, a mempool transaction and
     a reorganization made with invalidateblock;
  4. `observatory local` runs every probe against both ports (the ramp shortened to 40 pings:
     from ElectrumX 1.18 each held reply takes up to 1 s);
  5. the verdicts: implementation electrumx, a version range that holds the true version, not
     modified, no honeypot-suspicion indicator, and (default configuration) no finding at all.

Configurations: `default`, and `operator`: the options an operator may set (DROP_CLIENT_UNKNOWN,
cost limits, banner, donation address, peer announcement), after which the verdict must still be
"electrumx, not modified". Every wait is bounded; every process is stopped, also on failure.
Prints the release and the verdicts, and `N passed, M failed` last.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support" / "realserver"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import electrumx_env  # noqa: E402
import waiting  # noqa: E402

READY_TIMEOUT = 60
FOLLOW_TIMEOUT = 30
LOCAL_TIMEOUT = 600
RAMP_REQUESTS = 40
DONATION = "bcrt1qrtgxgy4y4kz8nv4ddkdg7lpj358hs3v4qqgxeh"
BANNER = "Welcome to a test server run by its operator."

results = {"passed": 0, "failed": 0}


def log(message):
    print(message, flush=True)


def check(condition, what):
    if condition:
        results["passed"] += 1
        log(f"  ok: {what}")
    else:
        results["failed"] += 1
        log(f"  FAILED: {what}")
    return condition


def start_electrumx(rel, server_log, ports_count=2, **launch_args):
    """ElectrumX takes its ports from the environment and cannot report a bound port 0 back:
    candidate ports, checked to be held by this ElectrumX (waiting.start_listening), others when
    not. Returns (Popen, [tcp_port, ssl_port]); the chain node binds port 0 itself."""
    def launch(ports):
        server_log.truncate(0)
        argv, env = electrumx_env.launch(
            rel, tcp_port=ports[0], ssl_port=ports[1] if ports_count > 1 else None,
            **launch_args)
        return subprocess.Popen(argv, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    return waiting.start_listening(launch, count=ports_count, timeout=READY_TIMEOUT)


class Node:
    """`observatory chain` on a port of its own choosing, spoken to over HTTP."""

    def __init__(self, observatory, work):
        self.cookie = work / "node.cookie"
        ready = work / "node.ready"
        self.log = open(work / "node.log", "w")
        self.proc = subprocess.Popen(
            [observatory, "chain", "--rpc-listen", "127.0.0.1:0", "--rpc-cookie",
             str(self.cookie), "--ready-file", str(ready), "--blocks", "110"],
            stdout=self.log, stderr=subprocess.STDOUT)
        if not waiting.wait_until(lambda: ready.exists() or self.proc.poll() is not None,
                                  READY_TIMEOUT) or not ready.exists():
            raise RuntimeError(f"observatory chain did not start (see {work}/node.log)")
        self.port = json.loads(ready.read_text())["rpc_port"]
        self.url = f"http://{self.cookie.read_text().strip()}@127.0.0.1:{self.port}/"

    def call(self, method, *params):
        return core_rpc(self.port, self.cookie.read_text().strip(), method, *params)

    def stop(self):
        stop_process(self.proc)
        self.log.close()


def core_rpc(port, credentials, method, *params):
    """One Bitcoin Core JSON-RPC call to 127.0.0.1:port with basic authentication."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/", json.dumps({"method": method, "params": list(params), "id": 1}),
                     {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()})
        reply = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    if reply.get("error"):
        raise RuntimeError(f"{method}: {reply['error']}")
    return reply["result"]


def stop_process(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class ElectrumSession:
    """One Electrum session on loopback (server.version first): calls, and waits on the
    notifications the server pushes for its subscriptions. Every read is bounded."""

    def __init__(self, port, use_tls=False, timeout=10):
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if use_tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            raw = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.sock, self.timeout, self.buffer, self.next_id = raw, timeout, b"", 0
        self.notifications = []
        self.call("server.version", ["eo-realserver", "1.4"])

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.sock.close()

    def _message(self, deadline):
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no message from the server in time")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the session")
            self.buffer += chunk
            if len(self.buffer) > 4_000_000:
                raise ConnectionError("no newline in 4 MB")
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def call(self, method, params):
        """The result (or the error object) of one request."""
        self.next_id += 1
        self.sock.sendall((json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                       "params": params}) + "\n").encode())
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self.next_id:
                return reply.get("result", reply.get("error"))
            if "method" in reply:
                self.notifications.append(reply)

    def wait_for(self, method, predicate, timeout=FOLLOW_TIMEOUT):
        """Consumes notifications of `method` until predicate(params) holds; False when none
        did within `timeout` (others are dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            while self.notifications:
                note = self.notifications.pop(0)
                if note.get("method") == method and predicate(note.get("params")):
                    return True
            try:
                message = self._message(deadline)
            except TimeoutError:
                log(f"  (no {method} notification that holds within {timeout} s)")
                return False
            if "method" in message:
                self.notifications.append(message)


def scripthash(script_hex):
    return hashlib.sha256(bytes.fromhex(script_hex)).digest()[::-1].hex()


def check_follows_the_node(node, tcp_port):
    """New blocks, a mempool transaction and a reorganization reach the server: each awaited as
    the notification the server pushes for its subscriptions."""
    tip = node.call("getblockcount")
    coinbase = node.call("getblock", node.call("getblockhash", 1), 2)["tx"][0]
    address = coinbase["vout"][0]["scriptPubKey"]["address"]
    funding = scripthash(coinbase["vout"][0]["scriptPubKey"]["hex"])
    with ElectrumSession(tcp_port) as s:
        check(s.call("blockchain.headers.subscribe", [])["height"] == tip,
              f"server synced to the node's tip {tip}")
        s.call("blockchain.scripthash.subscribe", [funding])
        node.call("generatetoaddress", 2, address)
        check(s.wait_for("blockchain.headers.subscribe",
                         lambda p: p[0]["height"] == tip + 2), "server follows new blocks")
        txid = node.call("sendtoaddress", address, 1.25)
        # The funding script's status changes when the server has the transaction.
        check(s.wait_for("blockchain.scripthash.subscribe", lambda p: any(
            item["tx_hash"] == txid
            for item in s.call("blockchain.scripthash.get_mempool", [funding]))),
            "server sees the node's mempool transaction")
        check(s.call("blockchain.transaction.get", [txid]) == node.call("getrawtransaction", txid),
              "server relays the raw transaction")
        node.call("invalidateblock", node.call("getbestblockhash"))
        fork = node.call("generatetoaddress", 2, address)
        check(s.wait_for("blockchain.headers.subscribe",
                         lambda p: p[0]["height"] == tip + 3 and
                         header_hash(p[0]["hex"]) == fork[-1]),
              "server follows a reorganization")
        history = s.call("blockchain.scripthash.get_history", [funding])
    confirmed = [item for item in history if item["tx_hash"] == txid]
    check(confirmed and confirmed[0]["height"] == tip + 2,
          "the transaction is confirmed in the new branch")


def header_hash(header_hex):
    return hashlib.sha256(hashlib.sha256(bytes.fromhex(header_hex)).digest()).digest()[::-1].hex()


def version_in_range(version, text):
    """Whether a release (e.g. "1.16.0") lies in a fingerprint range: ">= 1.19", "1.17 - 1.18",
    "1.16"; ranges name major.minor."""
    have = tuple(int(p) for p in version.split(".")[:2])

    def parse(v):
        return tuple(int(p) for p in v.strip().split(".")[:2])

    text = text.strip()
    if text.startswith(">="):
        return have >= parse(text[2:])
    if text.startswith("<="):
        return have <= parse(text[2:])
    if " - " in text:
        low, high = text.split(" - ")
        return parse(low) <= have <= parse(high)
    return bool(text) and have == parse(text)


def campaign_file(work, name, tcp_port, ssl_port):
    path = work / "campaign.yaml"
    path.write_text(
        f"name: {name}\n"
        f"targets: {{list: [\"127.0.0.1:{tcp_port}:t\", \"127.0.0.1:{ssl_port}:s\"]}}\n"
        "probes: all\n"
        f"params: {{rate_limit_ramp: {{max_requests: {RAMP_REQUESTS}}}}}\n"
        "vantages: [{network: clearnet}]\n"
        "rounds: 1\n"
        "sync_window_s: 2\n")
    return path


def check_verdicts(rel, variant, out):
    db = sqlite3.connect(out / "results.sqlite")
    rows = db.execute("SELECT target_id, implementation, version_range, modified, evidence_json "
                      "FROM fingerprints ORDER BY target_id").fetchall()
    check(len(rows) == 2, f"a verdict for each of TCP and TLS ({len(rows)})")
    for target, implementation, version_range, modified, evidence in rows:
        log(f"  verdict {target}: {implementation} {version_range!r} modified={modified} "
            f"evidence={evidence}")
        check(implementation == "electrumx", f"{target}: implementation electrumx")
        check(version_in_range(rel.version, version_range or ""),
              f"{target}: range {version_range!r} holds {rel.version}")
        check(modified == 0, f"{target}: not modified")
    for server, score, level, indicators in db.execute(
            "SELECT server, score, level, indicators_json FROM suspicion"):
        check(score == 0 and indicators in ("[]", ""),
              f"{server}: no suspicion indicator (score {score}, {indicators})")
    findings = db.execute("SELECT kind, target_id, summary FROM findings").fetchall()
    bad = [f for f in findings if f[0] in ("modified_implementation", "honeypot_suspicion")]
    check(not bad, f"no modified or suspicion finding: {bad}")
    if variant == "default":
        check(not findings, f"no finding of any kind: {findings}")
    ramps = db.execute("SELECT target_id, style, threshold FROM rate_limits").fetchall()
    log(f"  rate limits: {ramps}")
    if variant == "default":
        check(all(style == "none" for _, style, _ in ramps),
              f"no rate limit read from a default server: {ramps}")


def capture(observatory, rel, variant, work, tcp_port, ssl_port, into):
    """Every probe's observation (its exchanges: the server's replies byte for byte) written to
    INTO/<probe>/testdata/electrumx-<version>-<variant>.jsonl, one observation a line after a
    provenance line, to seed unit tests and fuzzers with real replies."""
    tasks = work / "capture-tasks.yaml"
    tasks.write_text(
        "agent_id: capture\ncampaign_id: capture\n"
        f"tasks:\n  - {{target: \"127.0.0.1:{tcp_port}:t\", probes: all,"
        f" params: {{rate_limit_ramp: {{max_requests: {RAMP_REQUESTS}}}}}}}\n"
        f"  - {{target: \"127.0.0.1:{ssl_port}:s\", probes: [tls_certificate]}}\n")
    out = work / "capture.jsonl"
    subprocess.run([observatory, "agent", "--tasks", str(tasks), "--out", str(out),
                    "--data-dir", str(work / "capture-data")],
                   check=True, capture_output=True, timeout=LOCAL_TIMEOUT)
    by_probe = {}
    for line in out.read_text().splitlines():
        observation = json.loads(line)
        by_probe.setdefault(observation["probe_name"], []).append(line)
    provenance = json.dumps({
        "server": f"ElectrumX {rel.version}", "package": f"{rel.package}=={rel.version} (PyPI)",
        "configuration": variant, "options": variant_options(variant, work),
        "chain": "observatory chain (regtest), 110 blocks + the test's moves",
        "captured": time.strftime("%Y-%m-%d"),
        "how": "tests/realserver/electrumx_test.py --capture: observatory agent --tasks, every "
               "probe against 127.0.0.1 (TCP; tls_certificate over TLS)"})
    for probe, lines in sorted(by_probe.items()):
        folder = Path(into) / probe / "testdata"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"electrumx-{rel.version}-{variant}.jsonl"
        path.write_text("\n".join([provenance] + lines) + "\n")
        log(f"  captured {path}")


def variant_options(variant, work):
    if variant == "default":
        return {}
    banner = work / "banner.txt"
    banner.write_text(BANNER + "\n")
    return {"DROP_CLIENT_UNKNOWN": "1", "COST_SOFT_LIMIT": "50", "COST_HARD_LIMIT": "500",
            "BANNER_FILE": str(banner), "DONATION_ADDRESS": DONATION, "PEER_ANNOUNCE": "1"}


def run(observatory, rel, variant, work, capture_into=None):
    log(f"ElectrumX {rel.version} ({rel.package} from PyPI), configuration {variant}")
    node = Node(observatory, work)
    server = None
    server_log = open(work / "electrumx.log", "w")
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        str(work / "key.pem"), "-out", str(work / "cert.pem"), "-days", "2",
                        "-subj", "/CN=127.0.0.1"], check=True, capture_output=True, timeout=60)
        options = variant_options(variant, work)
        server, (tcp_port, ssl_port) = start_electrumx(
            rel, server_log, daemon_url=node.url,
            certfile=work / "cert.pem", keyfile=work / "key.pem", scratch_dir=work,
            # What features.hosts announces (ElectrumX refuses a private address here).
            report_services="tcp://operator.example.org:50001" if options else "",
            options=options)
        name, protocol = electrumx_env.wait_for_server_version(
            "127.0.0.1", tcp_port, timeout=READY_TIMEOUT, proc=server)
        log(f"  serving: {name} (protocol {protocol})")
        check(name == f"ElectrumX {rel.version}", f"the release says {name!r}")
        if variant == "default":
            check_follows_the_node(node, tcp_port)
        if capture_into:
            capture(observatory, rel, variant, work, tcp_port, ssl_port, capture_into)
        out = work / "report"
        local = subprocess.run(
            [observatory, "local", "--campaign",
             str(campaign_file(work, f"realserver-{variant}", tcp_port, ssl_port)),
             "--no-tor", "--out", str(out), "--data-dir", str(work / "data")],
            capture_output=True, text=True, timeout=LOCAL_TIMEOUT)
        (work / "local.log").write_text(local.stdout + local.stderr)
        if not check(local.returncode == 0, f"observatory local exit {local.returncode}"):
            log(local.stderr[-3000:])
            return
        check_verdicts(rel, variant, out)
    finally:
        if server is not None:
            stop_process(server)
        server_log.close()
        node.stop()
        if results["failed"]:
            for name in ("electrumx.log", "node.log", "local.log"):
                path = work / name
                if path.exists():
                    log(f"--- {name} (tail) ---\n" + path.read_text()[-2000:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observatory", required=True, help="the observatory binary")
    parser.add_argument("--version", required=True, help="a release of electrumx-versions.txt")
    parser.add_argument("--variant", choices=["default", "operator"], default="default")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--capture", metavar="PROBES_DIR",
                        help="also write every probe's observation to "
                             "PROBES_DIR/<probe>/testdata/ (agent/probes)")
    args = parser.parse_args()
    rel = electrumx_env.release(args.version)
    if not rel.installed():
        log(f"ElectrumX {rel.version} is not installed ({rel.venv}): run "
            f"scripts/install-electrumx.sh")
        print("0 passed, 1 failed")
        return 1
    work = Path(tempfile.mkdtemp(prefix=f"eo-realserver-{rel.version}-{args.variant}-"))
    try:
        run(args.observatory, rel, args.variant, work, args.capture)
    except Exception as e:  # noqa: BLE001 - reported as a failure with its cause
        check(False, f"{type(e).__name__}: {e}")
    finally:
        if args.keep or results["failed"]:
            log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 0 if results["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
