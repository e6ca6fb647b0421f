#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (corpus/<target>/seed-*) from real bytes: the captures
of genuine ElectrumX releases (agent/probes/*/testdata/electrumx-*.jsonl), Bitcoin Core's and the
BIPs' vectors already in tests/, ClientHellos of this machine's Python ssl (Electrum's TLS) and
openssl s_client, and replies as tor 0.4.9 and SOCKS5 proxies write them. Regression inputs
(corpus/<target>/regress-*) are kept by hand and never touched here.
    usage: tests/fuzz/make_seeds.py   (from anywhere; rewrites the seed-* files)"""
import base64, glob, hashlib, json, os, re, socket, ssl, struct, subprocess, threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CAP = 40  # seeds per source kind: enough variety, a corpus that replays in a second


def write(target, seeds):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for old in glob.glob(os.path.join(folder, "seed-*")):
        os.remove(old)
    unique = {}
    for name, data in seeds:
        unique.setdefault(bytes(data), name)
    for data, name in unique.items():
        digest = hashlib.sha1(data).hexdigest()[:8]
        with open(os.path.join(folder, f"seed-{name}-{digest}"), "wb") as out:
            out.write(data)
    print(f"{target}: {len(unique)} seeds")


def captures():
    for path in sorted(glob.glob(os.path.join(ROOT, "agent/probes/*/testdata/electrumx-*.jsonl"))):
        release = os.path.basename(path)[len("electrumx-"):-len(".jsonl")]
        probe = path.split(os.sep)[-3]
        for line in open(path).read().splitlines()[1:]:
            yield f"{release}-{probe}", json.loads(line)


def capped(items):
    seen = {}
    for name, data in items:
        kind = name.split("-")[-1]
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= CAP:
            yield name, data


def client_lines():
    for name, obs in captures():
        for line in base64.b64decode(obs.get("request_bytes", "")).split(b"\n"):
            if line.strip():
                yield name, line


def hex_strings(text, length=None):
    for token in re.findall(r"[0-9a-f]{20,}", text):
        if len(token) % 2 == 0 and (length is None or len(token) == length):
            yield bytes.fromhex(token)


def cpp_strings(path):
    """String literals of a C++ test file, adjacent ones joined as the compiler joins them."""
    text = open(os.path.join(ROOT, path)).read()
    for run in re.findall(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+', text):
        yield "".join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', run))


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def log_record(key, value, timestamp_us):
    payload = bytes([1, 0]) + struct.pack("<qI", timestamp_us, len(key)) + key + value
    return struct.pack("<II", len(payload), crc32c(payload)) + payload


def client_hello(connect):
    """The first bytes a TLS client sends to a listening socket."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    got = []

    def accept():
        conn, _ = server.accept()
        conn.settimeout(5)
        got.append(conn.recv(65536))
        conn.close()

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        connect(server.getsockname()[1])
    except (OSError, ssl.SSLError, subprocess.SubprocessError):
        pass
    thread.join()
    server.close()
    return got[0]


def python_hello(port, **options):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for key, value in options.items():
        setattr(context, key, value)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        context.wrap_socket(sock, server_hostname="electrum.example.org")


def openssl_hello(port, *flags):
    subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                    "-servername", "electrum.example.org", *flags],
                   input=b"", capture_output=True, timeout=10)


def main():
    lines = list(client_lines())
    write("simple_call", capped(lines))
    params = []
    for name, line in lines:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and "params" in message:
            params.append((name, json.dumps(message["params"], separators=(",", ":")).encode()))
    write("params", capped(params))

    results = []
    for name, obs in captures():
        if obs.get("result_json"):
            results.append((name, obs["result_json"].encode()))
        for exchange in obs.get("exchanges", []):
            if exchange.get("result_json", "").startswith("{"):
                results.append((name + "_" + exchange["method"].replace("/", "_"),
                                exchange["result_json"].encode()))
    write("json_scan", capped(results))

    core = json.load(open(os.path.join(ROOT, "tests/common/bitcoin/data/core_tx_vectors.json")))
    txs = [("core", bytes.fromhex(v["hex"])) for group in ("valid", "check_transaction_invalid")
           for v in core[group]]
    for name, obs in captures():
        text = base64.b64decode(obs.get("request_bytes", "")).decode(errors="replace") + \
            json.dumps(obs.get("exchanges", []))
        txs += [(name, raw) for raw in hex_strings(text) if len(raw) >= 60 and len(raw) != 80]
    write("tx", capped(txs))

    headers = []
    for name, obs in captures():
        headers += [(name, bytes([i % 3]) + raw)
                    for i, raw in enumerate(hex_strings(json.dumps(obs), 160))]
    write("header", capped(headers))

    b58 = set(re.compile(r"^[1-9A-HJ-NP-Za-km-z]{25,111}$").match(s) and s
              for f in ("base58_test.cpp", "bip32_test.cpp", "script_test.cpp")
              for s in cpp_strings(f"tests/common/bitcoin/{f}")) - {None, False}
    write("base58", [("vector", b"\0" + s.encode()) for s in sorted(b58)])
    write("xpub", [("vector", b"\0" + s.encode()) for s in sorted(b58)
                   if s[1:4] in ("pub", "prv")])
    b32 = set(s for f in ("bech32_test.cpp", "script_test.cpp")
              for s in cpp_strings(f"tests/common/bitcoin/{f}")
              if 8 <= len(s) <= 90 and "1" in s and " " not in s)
    write("bech32", [("vector", b"\0" + s.encode()) for s in sorted(b32)])

    hellos = [
        ("python-default", client_hello(lambda p: python_hello(p))),
        ("python-tls12", client_hello(lambda p: python_hello(
            p, maximum_version=ssl.TLSVersion.TLSv1_2))),
        ("openssl-s_client", client_hello(lambda p: openssl_hello(p))),
        ("openssl-tls12", client_hello(lambda p: openssl_hello(p, "-tls1_2"))),
    ]
    write("ja3", [(n, h) for n, h in hellos if h])

    write("socks5", [
        ("tor-ipv4-ok", b"\0" + bytes.fromhex("05000001000000000000")),
        ("tor-refused", b"\0" + bytes.fromhex("05050001000000000000")),
        ("dante-ipv6", b"\0" + bytes.fromhex("050000047f0000000000000000000000000000010050")),
        ("domain", b"\0" + bytes.fromhex("050000030b") + b"example.org" + b"\x00\x50"),
        ("connect-onion", b"\x01\xc3\x51" + b"expyuzz4wqqyqhjn.onion"),
        ("connect-ipv6", b"\x01\xc3\x52" + b"2001:db8::1"),
    ])

    circuit = ("4 BUILT $1111111111111111111111111111111111111111~guard,"
               "$3333333333333333333333333333333333333333~exit0 PURPOSE=CONFLUX_LINKED "
               "SOCKS_USERNAME=\"tcp://127.0.0.1:50001\" SOCKS_PASSWORD=\"c/0\" CONFLUX_ID=CB05")
    write("tor_reply", [
        ("protocolinfo", b"\0250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE "
         b"COOKIEFILE=\"/var/run/tor/control.authcookie\"\r\n250-VERSION Tor=\"0.4.9.11\"\r\n"
         b"250 OK\r\n"),
        ("auth-ok", b"\x07250 OK\r\n"),
        ("auth-refused", b"\x11515 Authentication failed: Wrong length on authentication cookie."
         b"\r\n"),
        ("stream-status", b"\x03250-stream-status=29 SUCCEEDED 4 127.0.0.1:50001\r\n250 OK\r\n"),
        ("circuit-status", b"\x05250+circuit-status=\r\n" + circuit.encode() +
         b"\r\n60 LAUNCHED BUILD_FLAGS=NEED_CAPACITY PURPOSE=GENERAL\r\n.\r\n250 OK\r\n"),
        ("ns-id", b"\x09250+ns/id/3333333333333333333333333333333333333333=\r\nr exit0 "
         b"aqmdsL4/sOsaHi+nndDpIQn5kOY 86CzXtfStpCYOcwxqJgRz3r7BLE 2038-01-01 00:00:00 "
         b"127.0.0.1 34552 0\r\ns Exit Fast Running\r\n.\r\n250 OK\r\n"),
    ])

    write("bus_record", [
        ("observation", b"\0" + log_record(b"tcp://127.0.0.1:50001",
                                           lines[0][1] if lines else b"{}", 1796638740897104)),
        ("two-records", b"\0" + log_record(b"k", b"v", 1) + log_record(b"", b"", 2)),
        ("torn-tail", b"\0" + log_record(b"key", b"value", 3)[:-2]),
        ("zeros", b"\0" + bytes(32)),
    ])


if __name__ == "__main__":
    main()
