"""Starting real ElectrumX releases as test peers: which releases, their venvs, the environment
and command line of one server on loopback, and a bounded wait for its first server.version.

The releases are the lines of scripts/electrumx-versions.txt; scripts/install-electrumx.sh makes
their venvs. What each release needs and answers is in docs/real-servers.md. Standard library
only, so Debian's python3 runs it without a venv. Nothing here listens or connects anywhere but
loopback: a DAEMON_URL, listen address or wait target elsewhere is refused.

    rel = release("2.0.0")
    argv, env = launch(rel, daemon_url="http://u:p@127.0.0.1:18443", tcp_port=50001,
                       ssl_port=50002, certfile=c, keyfile=k, scratch_dir=d)
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    name, protocol = wait_for_server_version("127.0.0.1", 50001, timeout=60, proc=proc)
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import ssl
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/support
import waiting  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
VERSIONS_FILE = ROOT / "scripts" / "electrumx-versions.txt"
INSTALL_SCRIPT = ROOT / "scripts" / "install-electrumx.sh"

# Settings that make a test server quick and quiet and keep it off the network. Booleans in
# ElectrumX are true when the variable is non-empty, so "" is how to say no.
TEST_DEFAULTS = {
    "PEER_DISCOVERY": "off",  # no peer list, no blacklist download, no proxy probing
    "PEER_ANNOUNCE": "",
    "BLACKLIST_URL": "",
    "LOG_SESSIONS": "0",  # no periodic session table
    "LOG_LEVEL": "info",
    "CACHE_MB": "100",
    "DB_ENGINE": "leveldb",  # required from 2.0.0 on; the default before
    # 1.17.0 and later; 1.16.0 polls every 5 s whatever is set
    "DAEMON_POLL_INTERVAL_BLOCKS": "250",
    "DAEMON_POLL_INTERVAL_MEMPOOL": "250",
}


@dataclass(frozen=True)
class Release:
    """One line of scripts/electrumx-versions.txt."""

    package: str  # PyPI project: "e-x" (spesmilo) or "electrumx"
    version: str  # "2.0.0"; also what the server reports ("ElectrumX 2.0.0")
    coin: str  # COIN value for Bitcoin regtest in this release
    pins: tuple[str, ...]
    notes: str

    @property
    def venv(self) -> Path:
        return cache_dir() / "electrumx" / self.version

    @property
    def server(self) -> Path:
        return self.venv / "bin" / "electrumx_server"

    def installed(self) -> bool:
        """True when install-electrumx.sh finished this release's venv."""
        return (self.venv / ".eo-installed").is_file() and self.server.is_file()

    def version_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))


def cache_dir() -> Path:
    env = os.environ.get("EO_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "electrum-observatory"


def releases(path: Path = VERSIONS_FILE) -> list[Release]:
    """Every listed release, in file order (oldest first)."""
    out = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 4)
        if len(parts) < 4:
            raise ValueError(f"{path}: malformed line {line!r}")
        package, version, coin, pins = parts[:4]
        out.append(Release(package, version, coin,
                           () if pins == "-" else tuple(pins.split(",")),
                           parts[4] if len(parts) > 4 else ""))
    return out


def release(version: str) -> Release:
    for rel in releases():
        if rel.version == version:
            return rel
    raise KeyError(f"ElectrumX {version} is not listed in {VERSIONS_FILE}")


def _require_loopback(host: str, what: str) -> None:
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"{what} {host!r} is not a loopback address")


def _service_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def server_env(
    rel: Release,
    *,
    daemon_url: str,
    tcp_port: int | None,
    scratch_dir: Path | str,
    ssl_port: int | None = None,
    certfile: Path | str | None = None,
    keyfile: Path | str | None = None,
    rpc_port: int | None = None,
    host: str = "127.0.0.1",
    report_services: str = "",
    options: dict[str, str] | None = None,
    base_env: dict[str, str] | None = None,
    in_namespace: bool = False,
) -> dict[str, str]:
    """The environment that runs `rel` on regtest against daemon_url, listening on host.

    scratch_dir gets the database (scratch_dir/db, created). options are ElectrumX settings
    applied last (e.g. {"COST_SOFT_LIMIT": "50", "DONATION_ADDRESS": "bcrt1..."}); a value of
    None removes a setting. base_env defaults to a minimal PATH/HOME/LANG, not os.environ, so a
    developer's own ElectrumX variables never leak in. in_namespace: the caller runs the server in
    a network namespace of its own (the testbed), where `host` is that namespace's address, not
    loopback; DAEMON_URL must still be loopback (the node runs in the same namespace).
    """
    url = urlsplit(daemon_url)
    if url.scheme != "http" or not url.hostname or not url.port:
        raise ValueError(f"DAEMON_URL {daemon_url!r}: want http://user:pass@127.0.0.1:PORT")
    _require_loopback(url.hostname, "DAEMON_URL host")
    if not in_namespace:
        _require_loopback(host, "listen host")
    if tcp_port is None and ssl_port is None:
        raise ValueError("need a tcp_port or an ssl_port")
    if ssl_port is not None and not (certfile and keyfile):
        raise ValueError("ssl_port needs certfile and keyfile")

    db_dir = Path(scratch_dir) / "db"
    db_dir.mkdir(parents=True, exist_ok=True)

    services = []
    if tcp_port is not None:
        services.append(f"tcp://{_service_host(host)}:{tcp_port}")
    if ssl_port is not None:
        services.append(f"ssl://{_service_host(host)}:{ssl_port}")
    if rpc_port is not None:
        services.append(f"rpc://{_service_host(host)}:{rpc_port}")

    env = dict(base_env) if base_env is not None else {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
    }
    env.update(TEST_DEFAULTS)
    env.update({
        "COIN": rel.coin,
        "NET": "regtest",
        "DB_DIRECTORY": str(db_dir),
        "DAEMON_URL": daemon_url,
        "SERVICES": ",".join(services),
        "REPORT_SERVICES": report_services,
    })
    if ssl_port is not None:
        env["SSL_CERTFILE"] = str(certfile)
        env["SSL_KEYFILE"] = str(keyfile)
    if os.geteuid() == 0:
        env["ALLOW_ROOT"] = "1"  # every release refuses to run as root without it (CI is root)
    for key, value in (options or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def server_argv(rel: Release) -> list[str]:
    """The command line: the release's own electrumx_server run by its venv's python (all
    settings are in the environment). Not the script alone: e-x 1.16.0's wheel ships it with
    CRLF line ends, no execute bit and a `#!/usr/bin/env python3` line, which would pick whatever
    python3 comes first on PATH instead of the venv's."""
    return [str(rel.venv / "bin" / "python"), str(rel.server)]


def launch(rel: Release, **kwargs) -> tuple[list[str], dict[str, str]]:
    """(argv, env) for subprocess.Popen; kwargs as for server_env."""
    if not rel.installed():
        raise FileNotFoundError(
            f"ElectrumX {rel.version} is not installed in {rel.venv}; run {INSTALL_SCRIPT}")
    return server_argv(rel), server_env(rel, **kwargs)


def server_version_request(client: str = "eo-test", protocol="1.4", request_id: int = 0) -> bytes:
    return (json.dumps({"jsonrpc": "2.0", "method": "server.version",
                        "params": [client, protocol], "id": request_id}) + "\n").encode()


def _ask_once(host: str, port: int, use_tls: bool, timeout: float, request: bytes) -> object:
    with socket.create_connection((host, port), timeout=timeout) as raw:
        sock = raw
        if use_tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE  # the tests' self-signed certificates
            sock = ctx.wrap_socket(raw, server_hostname=host)
        sock.sendall(request)
        buf = b""
        while b"\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before a reply")
            buf += chunk
            if len(buf) > 1_000_000:
                raise ConnectionError("no newline in 1 MB")
        return json.loads(buf.split(b"\n", 1)[0])  # >= 1.18 pads with spaces: json ignores them


def wait_for_server_version(
    host: str,
    port: int,
    *,
    timeout: float,
    use_tls: bool = False,
    proc=None,
    client: str = "eo-test",
    protocol="1.4",
    interval: float = 0.25,
) -> list:
    """Polls host:port until ElectrumX answers server.version; returns its result
    ([server_name, protocol]). ElectrumX listens only once it has caught up with the daemon and
    synced the mempool, so this is also the 'ready' signal. Raises TimeoutError after `timeout`
    seconds, and RuntimeError at once if `proc` (a Popen) has exited or the server answers with an
    error."""
    _require_loopback(host, "wait target")
    deadline = time.monotonic() + timeout
    state = {"last": "nothing tried", "result": None}

    def answered() -> bool:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"electrumx exited with status {proc.returncode} before answering")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            reply = _ask_once(host, port, use_tls, min(5.0, remaining),
                              server_version_request(client, protocol))
        except (OSError, ConnectionError, ValueError) as e:
            state["last"] = f"{type(e).__name__}: {e}"
            return False
        if isinstance(reply, dict) and "result" in reply:
            state["result"] = reply["result"]
            return True
        raise RuntimeError(f"server.version refused: {reply!r}")

    if not waiting.wait_until(answered, timeout, interval):
        raise TimeoutError(f"no server.version reply from {host}:{port} in {timeout:g} s "
                           f"(last: {state['last']})")
    return state["result"]


if __name__ == "__main__":
    # `python3 electrumx_env.py` lists the releases and whether each venv is installed.
    for rel in releases():
        state = "installed" if rel.installed() else "missing (scripts/install-electrumx.sh)"
        print(f"{rel.package} {rel.version} COIN={rel.coin} {state} {rel.venv}")
