"""How the Python tests wait (docs/layout.md, "How tests wait"): never a bare sleep.

wait_until() is the one bounded poll; everything else awaits a real event through it (a ready
file, a port held by the child, a reply, a log line). start_listening() starts an external
server that needs a port number on its command line: a candidate port, checked to be held by
that child, another one when it is not. The C++ twins are in tests/support/process.h.
"""
from __future__ import annotations

import os
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


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(inode)
        except OSError:
            pass
    return inodes


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


def _candidate_port() -> int:
    # A candidate only: start_listening checks that its child is the one listening there.
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
        ports = [_candidate_port() for _ in range(count)]
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
