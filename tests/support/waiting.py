"""How the Python tests wait (docs/layout.md, "How tests wait"): never a bare sleep.

wait_until() is the one bounded poll; everything else awaits a real event through it (a ready
file, a port held by the child, a reply, a log line). Ports are never picked and passed on:
a server that can bind port 0 does, and the test reads the port back (logged_field() from our
binaries' "metrics listening"/"coordinator listening" lines, listening_ports() from /proc for
any other program). start_listening() starts an external server that needs a port number on its
command line: a candidate port, checked to be held by that child, another one when it is not.
The C++ twins are in tests/support/process.h.
"""
from __future__ import annotations

import json
import os
import re
import socket
import time


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    """True as soon as predicate() is true; False once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(interval, remaining))


def _listeners():
    """(port, socket inode) of every listening TCP socket, IPv4 and IPv6."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A":
                        yield int(fields[1].rsplit(":", 1)[1], 16), fields[9]
        except OSError:
            pass


def _listening_inodes(port: int) -> set[str]:
    return {inode for bound, inode in _listeners() if bound == port}


def _holds(pid: str, inodes: set[str]) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False


def listening_ports(pid: int) -> set[int]:
    """The TCP ports `pid` itself listens on (in the caller's network namespace)."""
    held = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                held.add(target[8:-1])
    except OSError:
        return set()
    return {port for port, inode in _listeners() if inode in held}


def logged_field(path, message: str, field: str, start: int = 0):
    """`field` of the first line of our binaries' log `path`, from byte `start` on, whose message
    is `message`; either log format (JSON, or text "TS LEVEL COMPONENT: MESSAGE key=value ...",
    common/telemetry/log.cpp). None while there is no such line."""
    try:
        with open(path, "rb") as f:
            f.seek(start)
            text = f.read().decode(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                doc = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(doc, dict) and doc.get("msg") == message and field in doc:
                return doc[field]
            continue
        head = re.match(r"\S+ \S+ \S+: (.*)", line)
        if head and (head.group(1) + " ").startswith(message + " "):
            value = re.search(rf"(?:^| ){re.escape(field)}=(\S+)", head.group(1))
            if value:
                return value.group(1)
    return None


def child_listens_on(pid: int, port: int) -> bool:
    """True when `pid` or one of its descendants holds a listening socket on `port`."""
    inodes = _listening_inodes(port)
    if not inodes:
        return False
    family = {str(pid)}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = f.read().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        if ppid == str(pid):
            family.add(entry)
    return any(_holds(p, inodes) for p in family)


def candidate_port() -> int:
    """A port free now, for a server that cannot bind port 0 and report it; a candidate only:
    its user checks that the server is the one listening there and retries with another
    (start_listening does). Never hand it on unchecked (tests/lint/no_port_pick_test.sh)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_listening(launch, count: int = 1, timeout: float = 60.0, attempts: int = 5,
                    ready=None):
    """launch(ports) -> Popen for `count` candidate ports. Returns (proc, ports) once the child
    holds every port (and ready(proc, ports), when given, is true); when the child exits or
    another process holds a port, stops it and tries other ports, `attempts` times. Raises
    RuntimeError when no attempt came up."""
    last = "no attempt"
    for _ in range(attempts):
        ports = [candidate_port() for _ in range(count)]
        proc = launch(ports)

        def up():
            return proc.poll() is not None or (
                all(child_listens_on(proc.pid, p) for p in ports)
                and (ready is None or ready(proc, ports)))

        if wait_until(up, timeout, 0.1) and proc.poll() is None:
            return proc, ports
        last = f"ports {ports}: " + ("exited" if proc.poll() is not None else "not listening")
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except Exception:  # noqa: BLE001
                proc.kill()
                proc.wait()
    raise RuntimeError(f"the server did not come up on a port of its own ({last})")
