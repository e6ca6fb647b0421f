#!/usr/bin/env python3
"""The honeypot against the real Electrum wallet (Debian's electrum 4.3.4, --regtest).

Three phases, each with its own honeypot (`observatory honeypot`) and Electrum data dirs:

  tcp    the wallet (a fixed seed) connects over TCP to 127.0.0.1, syncs the honeypot's chain,
         sees exactly what the honeypot paid it, pays a second fixed wallet, sees the payment
         confirmed; `observatory privacy-report` must show the wallet (>= 30 script hashes,
         electrum/4.3.4) and tie the broadcast to 127.0.0.1.
  tls    the same over TLS with a throwaway self-signed certificate, pinned by fingerprint
         (Electrum saves it under DIR/regtest/certs/127.0.0.1 on first use).
  netns  the same seed synced from two network namespaces (veth pairs 10.231.1.0/24 and
         10.231.2.0/24): the report must show ONE wallet seen from the TWO namespace addresses.

Needs root (ip netns), electrum and openssl; exits 77 (ctest: skipped) when any is missing.
Python 3 standard library only. Every wait is bounded. Prints `N passed, M failed` last.
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))
import waiting  # noqa: E402  (the one bounded poll: tests/support/waiting.py)

# A segwit Electrum seed made once with `electrum make_seed --seed_type segwit`, and the account
# key `electrum --regtest getmpk` returns for it. Test coins on a private regtest chain only.
SEED = "lazy hair talk lens banner settle cheese picture wisdom quit visual town"
EXPECTED_VPUB = ("vpub5VQkwjVQ3RREQQD9Rhg8AykcksTJffn72zsZgJtvDze1Ks2xwh7zJVhjb2m7CJAx3849CZ"
                 "SaUtCLAuEEdKgZSRtuBukrerTmTr5UW7FJM28")
# The payee: receiving address m/0/0 of a second fixed wallet, seed
# "news elite salad mass wood buyer loop violin cause remain scene broken".
PAYEE = "bcrt1qrtgxgy4y4kz8nv4ddkdg7lpj358hs3v4qqgxeh"

ELECTRUM_VERSION = "4.3.4"
FUND_COUNT = 20
FUND_AMOUNTS = [Decimal("1.5"), Decimal("0.25")]
PAY_AMOUNT = Decimal("1.0")
FEERATE_SAT_VB = "2"          # the honeypot relays from 1000 sat/kvB
GAP_RECEIVING, GAP_CHANGE = 20, 10

# Network namespaces: (namespace, host-side veth, namespace-side veth, host IP, namespace IP).
NAMESPACES = [
    ("eo-wt-ns1", "eo-wt-h1", "eo-wt-n1", "10.231.1.1", "10.231.1.2"),
    ("eo-wt-ns2", "eo-wt-h2", "eo-wt-n2", "10.231.2.1", "10.231.2.2"),
]

SYNC_TIMEOUT = 90
CONFIRM_TIMEOUT = 60
READY_TIMEOUT = 30
STOP_TIMEOUT = 30
CMD_TIMEOUT = 60

T0 = time.monotonic()


def log(msg):
    print(f"[{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


class Failure(Exception):
    pass


class Interrupted(BaseException):
    pass


def on_signal(signum, _frame):
    raise Interrupted(f"signal {signum}")


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            log(f"PASS {what}")
        else:
            self.failed += 1
            log(f"FAIL {what}" + (f": {detail}" if detail else ""))
        return ok

    def fail(self, what, detail=""):
        return self.check(False, what, detail)


def tail(path, lines=40):
    try:
        with open(path, "r", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(cannot read {path}: {e})\n"


def run(argv, timeout=CMD_TIMEOUT, check=True):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"timed out after {timeout}s: {' '.join(argv)}")
    if check and p.returncode != 0:
        raise Failure(f"rc={p.returncode}: {' '.join(argv)}\nstdout: {p.stdout[-2000:]}\n"
                      f"stderr: {p.stderr[-2000:]}")
    return p


# --- bech32 (BIP173) to Electrum script hashes ----------------------------------------------

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def scripthash_of_segwit_v0(address):
    """Electrum's script hash (reversed SHA-256 of the scriptPubKey) of a v0 bech32 address."""
    address = address.lower()
    pos = address.rfind("1")
    hrp, data = address[:pos], [BECH32_CHARSET.index(c) for c in address[pos + 1:]]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    if _bech32_polymod(expanded + data) != 1 or data[0] != 0:
        raise ValueError(f"not a bech32 v0 address: {address}")
    acc, bits, prog = 0, 0, []
    for v in data[1:-6]:
        acc = (acc << 5) | v
        bits += 5
        while bits >= 8:
            bits -= 8
            prog.append((acc >> bits) & 0xFF)
    spk = bytes([0, len(prog)]) + bytes(prog)
    return hashlib.sha256(spk).digest()[::-1].hex()


# --- processes -------------------------------------------------------------------------------

class Electrum:
    """One Electrum data dir (one wallet), optionally run inside a network namespace."""

    def __init__(self, root, name, netns=None):
        self.dir = os.path.join(root, f"electrum-{name}")
        self.name = name
        self.netns = netns
        self.pid = None
        self.daemon_out = os.path.join(root, f"electrum-{name}-daemon.out")

    def argv(self, *args, offline=False):
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        return prefix + ["electrum", "--regtest", "-D", self.dir] + \
            (["--offline"] if offline else []) + list(args)

    def cmd(self, *args, offline=False, timeout=CMD_TIMEOUT):
        return run(self.argv(*args, offline=offline), timeout=timeout).stdout.strip()

    def json(self, *args, offline=False):
        out = self.cmd(*args, offline=offline)
        try:
            return json.loads(out)
        except ValueError:
            raise Failure(f"electrum {args[0]}: not JSON: {out[:500]}")

    def restore(self):
        self.cmd("restore", SEED, offline=True)
        self.cmd("setconfig", "log_to_file", "true", offline=True)
        return self.cmd("getmpk", offline=True)

    def start(self, server, fingerprint=None):
        extra = ["--serverfingerprint", fingerprint] if fingerprint else []
        log(f"electrum[{self.name}]: starting daemon --oneserver --server {server}"
            + (f" (netns {self.netns})" if self.netns else ""))
        with open(self.daemon_out, "w") as out:
            p = subprocess.run(self.argv("daemon", "-d", "--oneserver", "--server", server, *extra),
                               stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                               timeout=CMD_TIMEOUT)
        text = tail(self.daemon_out, 20)
        if "(PID " in text:
            self.pid = int(text.split("(PID ", 1)[1].split(")", 1)[0])
        if p.returncode != 0 or self.pid is None:
            raise Failure(f"electrum daemon did not start (rc={p.returncode}): {text}")
        self.cmd("load_wallet")

    def alive(self):
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def stop(self):
        if self.pid is None:
            return True
        clean = True
        try:
            self.cmd("stop", timeout=STOP_TIMEOUT)
        except Failure as e:
            log(f"electrum[{self.name}]: stop failed: {e}")
            clean = False
        waiting.wait_until(lambda: not self.alive(), STOP_TIMEOUT, 0.2)
        if self.alive():
            log(f"electrum[{self.name}]: daemon {self.pid} still running, SIGKILL")
            os.kill(self.pid, signal.SIGKILL)
            clean = False
        self.pid = None
        return clean

    def log_file(self):
        logs = os.path.join(self.dir, "regtest", "logs")
        try:
            files = sorted(os.listdir(logs))
        except OSError:
            return None
        return os.path.join(logs, files[-1]) if files else None

    def dump_logs(self):
        print(f"----- electrum[{self.name}] daemon output ({self.daemon_out}) -----")
        print(tail(self.daemon_out, 10), end="")
        path = self.log_file()
        if path:
            print(f"----- electrum[{self.name}] log tail ({path}) -----")
            print(tail(path, 60), end="")


class Honeypot:
    def __init__(self, exe, root, name):
        self.exe = exe
        self.name = name
        self.dir = os.path.join(root, f"honeypot-{name}")
        self.data = os.path.join(self.dir, "data")
        self.ready = os.path.join(self.dir, "ready.json")
        self.logpath = os.path.join(self.dir, "honeypot.log")
        self.proc = None
        self.ports = []
        self.height = None

    def start(self, listen_args, xpub):
        os.makedirs(self.dir, exist_ok=True)
        argv = [self.exe, "honeypot", *listen_args, "--profile", "electrumx",
                "--data-dir", self.data, "--ready-file", self.ready, "--id", f"eo-wt-{self.name}",
                "--fund-xpub", xpub, "--fund-count", str(FUND_COUNT),
                "--fund-amounts", ",".join(str(a) for a in FUND_AMOUNTS),
                "--mine-after-broadcast-ms", "1000"]
        log(f"honeypot[{self.name}]: starting {' '.join(listen_args)}")
        with open(self.logpath, "w") as out:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT)
        log(f"honeypot[{self.name}]: waiting for the ready file (<= {READY_TIMEOUT}s)")
        def ready():
            if self.proc.poll() is not None:
                raise Failure(f"honeypot exited early, rc={self.proc.returncode}")
            try:
                with open(self.ready) as f:
                    ready = json.load(f)
                self.ports, self.height = ready["ports"], ready["height"]
                return True
            except (OSError, ValueError, KeyError):
                return False
        if not waiting.wait_until(ready, READY_TIMEOUT, 0.1):
            raise Failure(f"no ready file after {READY_TIMEOUT}s")
        log(f"honeypot[{self.name}]: ready, ports {self.ports}, height {self.height}")

    def stop(self):
        """SIGTERM; True when it exits 0 within the timeout."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc is not None and self.proc.returncode == 0
        log(f"honeypot[{self.name}]: SIGTERM")
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log(f"honeypot[{self.name}]: no exit {STOP_TIMEOUT}s after SIGTERM, SIGKILL")
            self.proc.kill()
            self.proc.wait(timeout=10)
            return False
        return rc == 0

    def report(self):
        out = os.path.join(self.dir, "report.json")
        md = os.path.join(self.dir, "report.md")
        log(f"honeypot[{self.name}]: privacy-report")
        run([self.exe, "privacy-report", "--data-dir", self.data, "--show-ips", "--json", out,
             "--markdown", md])
        with open(out) as f:
            return json.load(f)

    def dump_logs(self):
        print(f"----- honeypot[{self.name}] log tail ({self.logpath}) -----")
        print(tail(self.logpath, 40), end="")


# --- the wallet's side -----------------------------------------------------------------------

def expected_amount(i):
    return FUND_AMOUNTS[i % len(FUND_AMOUNTS)]


EXPECTED_TOTAL = sum(expected_amount(i) for i in range(FUND_COUNT)).normalize()


def balance_is(bal, want):
    """getbalance shows only a confirmed balance, exactly `want`."""
    return isinstance(bal, dict) and list(bal) == ["confirmed"] and \
        Decimal(bal["confirmed"]) == want


def wait_synced(el, height):
    """Until connected at `height`, is_synchronized and with confirmed history."""
    log(f"electrum[{el.name}]: waiting for sync to height {height}: connected, is_synchronized, "
        f"funding tx confirmed (<= {SYNC_TIMEOUT}s)")
    seen = {"last": None}

    def synchronized():
        info = el.json("getinfo")
        synced = el.json("is_synchronized")
        txs = el.json("onchain_history")["transactions"]
        state = {"connected": info.get("connected"), "server_height": info.get("server_height"),
                 "blockchain_height": info.get("blockchain_height"), "is_synchronized": synced,
                 "transactions": len(txs),
                 "min_confirmations": min((t["confirmations"] for t in txs), default=None)}
        if state != seen["last"]:
            log(f"electrum[{el.name}]: {state}")
            seen["last"] = state
        return bool(state["connected"] and state["server_height"] == height
                    and state["blockchain_height"] == height and synced is True and txs
                    and state["min_confirmations"] >= 1)

    if not waiting.wait_until(synchronized, SYNC_TIMEOUT, 0.5):
        raise Failure(f"wallet not synchronized after {SYNC_TIMEOUT}s; last state {seen['last']}")


def check_funded(res, el, label):
    bal = el.json("getbalance")
    res.check(balance_is(bal, EXPECTED_TOTAL), f"{label}: balance is exactly the "
              f"{EXPECTED_TOTAL} BTC paid", f"getbalance = {bal}")
    rows = el.json("listaddresses", "--receiving", "--balance")
    got = [Decimal(b) for _, b in rows[:FUND_COUNT]]
    want = [expected_amount(i) for i in range(FUND_COUNT)]
    res.check(got == want, f"{label}: receiving addresses m/0/0..{FUND_COUNT - 1} hold "
              f"{','.join(str(a) for a in FUND_AMOUNTS)} cycled", f"got {got}")
    receiving = [a for a, _ in rows]
    change = el.json("listaddresses", "--change")
    res.check(len(receiving) >= GAP_RECEIVING and len(change) >= GAP_CHANGE,
              f"{label}: wallet derived {len(receiving)} receiving + {len(change)} change")
    return receiving, change


def pay_and_confirm(res, el, label, height):
    log(f"electrum[{el.name}]: payto {PAYEE} {PAY_AMOUNT} --feerate {FEERATE_SAT_VB}")
    tx = el.cmd("payto", PAYEE, str(PAY_AMOUNT), "--feerate", FEERATE_SAT_VB)
    log(f"electrum[{el.name}]: broadcast ({len(tx) // 2} bytes)")
    try:
        txid = el.cmd("broadcast", tx)
    except Failure as e:
        raise Failure(f"honeypot refused Electrum's broadcast (see Electrum's error): {e}")
    res.check(len(txid) == 64 and all(c in "0123456789abcdef" for c in txid),
              f"{label}: broadcast returned a txid", txid)
    log(f"electrum[{el.name}]: waiting for {txid} confirmed in history (<= {CONFIRM_TIMEOUT}s)")
    seen = {"last": None, "mine": []}

    def confirmed():
        txs = el.json("onchain_history")["transactions"]
        mine = seen["mine"] = [t for t in txs if t["txid"] == txid]
        state = (mine[0]["confirmations"], mine[0]["height"]) if mine else None
        if state != seen["last"]:
            log(f"electrum[{el.name}]: payment (confirmations, height) = {state}")
            seen["last"] = state
        return bool(mine and mine[0]["confirmations"] >= 1)

    if not waiting.wait_until(confirmed, CONFIRM_TIMEOUT, 0.5):
        raise Failure(f"payment {txid} not confirmed after {CONFIRM_TIMEOUT}s; "
                      f"history entry {seen['mine']}")
    mine = seen["mine"]
    entry = mine[0]
    res.check(entry["height"] == height + 1 and entry["incoming"] is False
              and Decimal(entry["bc_value"]) == -(PAY_AMOUNT + Decimal(entry["fee_sat"]) / 10**8),
              f"{label}: payment confirmed at height {height + 1}",
              json.dumps(entry))
    # wait until the wallet has seen the new tip too, then the balance is final
    waiting.wait_until(lambda: el.json("is_synchronized") is True, CONFIRM_TIMEOUT, 0.5)
    bal = el.json("getbalance")
    want = EXPECTED_TOTAL - PAY_AMOUNT - Decimal(entry["fee_sat"]) / 10**8
    res.check(balance_is(bal, want),
              f"{label}: balance after paying is {want} (fee {entry['fee_sat']} sat)",
              f"getbalance = {bal}")
    return txid


def check_report(res, report, label, addresses, receiving, change, txid=None, transport=None):
    wallets = [w for w in report.get("wallets", []) if w.get("scripthash_count", 0) >= 30]
    res.check(len(wallets) == 1, f"{label}: report shows one wallet with >= 30 script hashes",
              json.dumps([{k: w.get(k) for k in ("wallet_id", "addresses", "scripthash_count")}
                          for w in report.get("wallets", [])]))
    if not wallets:
        return
    w = wallets[0]
    res.check(f"electrum/{ELECTRUM_VERSION}" in w.get("client_names", []),
              f"{label}: client name electrum/{ELECTRUM_VERSION}", str(w.get("client_names")))
    res.check(ELECTRUM_VERSION in str(w.get("inferred_software", "")),
              f"{label}: inferred software {w.get('inferred_software')!r}")
    res.check(sorted(w.get("addresses", [])) == sorted(addresses),
              f"{label}: wallet seen from {sorted(addresses)}", str(w.get("addresses")))
    want = {scripthash_of_segwit_v0(a) for a in receiving[:GAP_RECEIVING] + change[:GAP_CHANGE]}
    got = set(w.get("scripthashes", []))
    res.check(want <= got, f"{label}: the wallet's 20 receiving + 10 change script hashes are "
              f"all in the report", f"{len(want - got)} missing")
    if transport:
        sessions = [s for s in report.get("sessions", []) if s.get("session_id") in w["sessions"]]
        res.check(sessions and all(s.get("transport") == transport for s in sessions),
                  f"{label}: the wallet's sessions used {transport}",
                  str([s.get("transport") for s in sessions]))
    if txid:
        b = [b for b in report.get("broadcasts", []) if b.get("txid") == txid]
        res.check(len(b) == 1 and b[0].get("address") in addresses
                  and b[0].get("wallet_id") == w.get("wallet_id"),
                  f"{label}: broadcast {txid[:16]}... attributed to {addresses} and the wallet",
                  json.dumps(report.get("broadcasts")))


# --- phases ----------------------------------------------------------------------------------

def make_cert(root):
    cert, key = os.path.join(root, "cert.pem"), os.path.join(root, "key.pem")
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert])
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                         capture_output=True, timeout=CMD_TIMEOUT, check=True).stdout
    return cert, key, hashlib.sha256(der).hexdigest()


def phase_loopback(res, args, root, transport, cleanup):
    label = transport
    el = Electrum(root, transport)
    xpub = el.restore()
    res.check(xpub == EXPECTED_VPUB, f"{label}: the fixed seed restores the expected vpub", xpub)
    hp = Honeypot(args.observatory, root, transport)
    cleanup.append((el, hp))
    fingerprint = None
    if transport == "tls":
        cert, key, fingerprint = make_cert(root)
        log(f"tls: self-signed P-256 certificate, SHA-256 fingerprint {fingerprint}")
        hp.start(["--tls", "127.0.0.1:0", "--cert", cert, "--key", key], xpub)
        server = f"127.0.0.1:{hp.ports[0]}:s"
    else:
        hp.start(["--tcp", "127.0.0.1:0"], xpub)
        server = f"127.0.0.1:{hp.ports[0]}:t"
    el.start(server, fingerprint)
    wait_synced(el, hp.height)
    if transport == "tls":
        pinned = os.path.join(el.dir, "regtest", "certs", "127.0.0.1")
        res.check(os.path.exists(pinned) and os.path.getsize(pinned) > 0,
                  "tls: Electrum pinned the self-signed certificate (TOFU)", pinned)
    receiving, change = check_funded(res, el, label)
    txid = pay_and_confirm(res, el, label, hp.height)
    res.check(el.stop(), f"{label}: electrum daemon stopped")
    res.check(hp.stop(), f"{label}: honeypot stopped cleanly on SIGTERM (rc 0)")
    check_report(res, hp.report(), label, ["127.0.0.1"], receiving, change, txid, transport)


def netns_cleanup():
    for ns, host_if, _, _, _ in NAMESPACES:
        if os.path.exists(f"/run/netns/{ns}"):
            p = run(["ip", "netns", "pids", ns], check=False)
            for pid in p.stdout.split():
                log(f"netns: SIGKILL leftover process {pid} in {ns}")
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            run(["ip", "netns", "del", ns], check=False)
        if os.path.exists(f"/sys/class/net/{host_if}"):
            run(["ip", "link", "del", host_if], check=False)


def netns_setup():
    netns_cleanup()
    for ns, host_if, ns_if, host_ip, ns_ip in NAMESPACES:
        log(f"netns: {ns}: {ns_if} {ns_ip}/24 <-> {host_if} {host_ip}/24")
        run(["ip", "netns", "add", ns])
        run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if])
        run(["ip", "link", "set", ns_if, "netns", ns])
        run(["ip", "addr", "add", f"{host_ip}/24", "dev", host_if])
        run(["ip", "link", "set", host_if, "up"])
        run(["ip", "-n", ns, "addr", "add", f"{ns_ip}/24", "dev", ns_if])
        run(["ip", "-n", ns, "link", "set", ns_if, "up"])
        run(["ip", "-n", ns, "link", "set", "lo", "up"])


def listening_ports(ip):
    """TCP ports in LISTEN on `ip` in this namespace (from /proc/net/tcp)."""
    want = "".join(f"{int(o):02X}" for o in reversed(ip.split(".")))
    ports = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, port = local.split(":")
            if addr == want and state == "0A":
                ports.add(int(port, 16))
    return ports


def phase_netns(res, args, root, cleanup):
    label = "netns"
    netns_setup()
    hp = Honeypot(args.observatory, root, "netns")
    cleanup.append((None, hp))
    wallets = [Electrum(root, f"netns{i + 1}", netns=ns[0]) for i, ns in enumerate(NAMESPACES)]
    xpub = None
    for el in wallets:
        cleanup.append((el, None))
        xpub = el.restore()
        res.check(xpub == EXPECTED_VPUB, f"{label}: {el.name}: the fixed seed restores the "
                  f"expected vpub", xpub)
    listen = []
    for _, _, _, host_ip, _ in NAMESPACES:
        listen += ["--tcp", f"{host_ip}:0"]
    hp.start(listen, xpub)
    if len(hp.ports) != len(NAMESPACES):
        raise Failure(f"expected {len(NAMESPACES)} ports in the ready file, got {hp.ports}")
    for (ns, _, _, host_ip, ns_ip), port, el in zip(NAMESPACES, hp.ports, wallets):
        if port not in listening_ports(host_ip):
            raise Failure(f"honeypot port {port} is not listening on {host_ip} "
                          f"(listening there: {sorted(listening_ports(host_ip))})")
        log(f"netns: wallet from {ns} ({ns_ip}) -> {host_ip}:{port}")
        el.start(f"{host_ip}:{port}:t")
        wait_synced(el, hp.height)
        bal = el.json("getbalance")
        res.check(balance_is(bal, EXPECTED_TOTAL),
                  f"{label}: from {ns_ip}: balance {EXPECTED_TOTAL}", f"getbalance = {bal}")
        receiving = [a for a, _ in el.json("listaddresses", "--receiving", "--balance")]
        change = el.json("listaddresses", "--change")
        res.check(el.stop(), f"{label}: electrum daemon in {ns} stopped")
    res.check(hp.stop(), f"{label}: honeypot stopped cleanly on SIGTERM (rc 0)")
    report = hp.report()
    res.check(len(report.get("wallets", [])) == 1, f"{label}: exactly one wallet in the report",
              str([w.get("wallet_id") for w in report.get("wallets", [])]))
    check_report(res, report, label, [ns[4] for ns in NAMESPACES], receiving, change,
                 transport="tcp")
    if report.get("wallets"):
        res.check(len(report["wallets"][0].get("sessions", [])) >= 2,
                  f"{label}: the wallet has one session per namespace")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--observatory", required=True, help="the observatory binary")
    ap.add_argument("--phases", default="tcp,tls,netns", help="comma list of tcp,tls,netns")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = ap.parse_args()

    if not os.access(args.observatory, os.X_OK):
        print(f"observatory binary not found: {args.observatory}")
        print("0 passed, 1 failed")
        return 1
    missing = [t for t in ("electrum", "openssl", "ip") if shutil.which(t) is None]
    if missing or os.geteuid() != 0:
        # Under CI every test runs: a missing tool or privilege fails there instead of skipping.
        ci = os.environ.get("CI") == "true"
        print(f"{'FAILED' if ci else 'SKIP'}: needs root (ip netns) and electrum, openssl, ip "
              f"(missing: {missing}, euid {os.geteuid()})")
        print(f"0 passed, {1 if ci else 0} failed")
        return 1 if ci else 77
    version = run(["electrum", "version", "--offline"]).stdout.strip()
    if version != ELECTRUM_VERSION:
        log(f"note: electrum {version}, test written against {ELECTRUM_VERSION}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    res = Results()
    root = tempfile.mkdtemp(prefix="eo-wt-")
    log(f"work dir {root}")
    phases = {"tcp": lambda c: phase_loopback(res, args, root, "tcp", c),
              "tls": lambda c: phase_loopback(res, args, root, "tls", c),
              "netns": lambda c: phase_netns(res, args, root, c)}
    durations = []
    try:
        for name in args.phases.split(","):
            cleanup = []
            started = time.monotonic()
            log(f"=== phase {name} ===")
            failed_before = res.failed
            try:
                phases[name](cleanup)
            except Failure as e:
                res.fail(f"{name}: {e}")
            except Exception:
                res.fail(f"{name}: unexpected error", traceback.format_exc())
            finally:
                for el, hp in cleanup:
                    if el is not None and el.pid is not None:
                        el.stop()
                    if hp is not None:
                        hp.stop()
                if name == "netns":
                    netns_cleanup()
            if res.failed > failed_before:
                for el, hp in cleanup:
                    if hp is not None:
                        hp.dump_logs()
                    if el is not None:
                        el.dump_logs()
            durations.append(f"{name} {time.monotonic() - started:.1f}s")
    except Interrupted as e:
        res.fail(f"interrupted by {e}")
        netns_cleanup()
    log("durations: " + ", ".join(durations))
    if res.failed == 0 and not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        log(f"work dir kept: {root}")
    print(f"{res.passed} passed, {res.failed} failed", flush=True)
    return 0 if res.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
