"""The testbed's hosts: network namespaces joined by veth pairs and one bridge.

Everything lives in namespaces whose names start with the prefix: the bridge sits in
"<prefix>-hub" and every veth pair (or delay line, where the kernel has no netem) is created
there with its other end moved into its host's namespace, so nothing is added to the root
namespace. Deleting the namespaces (after ending the processes still inside them) removes every
veth, TAP, the bridge and the qdiscs with them: `down` works after a failure or a killed run
because it needs nothing but the prefix.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
import waiting  # noqa: E402  (the one bounded poll: tests/support/waiting.py)

# Linux interface names are at most 15 bytes; inside a namespace every host's end is "eth0"
# and the hub's end is "h<index>".
HOST_IF = "eth0"
SUPERNET_V4 = "10.77.0.0/16"
SUPERNET_V6 = "fd77::/16"


def run(argv, check=True):
    """Runs a command, returns its stdout; raises with its stderr when check and it fails."""
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def namespaces(prefix):
    """Our namespaces: every one whose name starts with "<prefix>-"."""
    out = run(["ip", "netns", "list"], check=False)
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    return [n for n in names if n.startswith(prefix + "-")]


class Host:
    """One namespace: its name, its addresses (CIDR strings) and optional netem settings."""

    def __init__(self, name, addresses, netem=None):
        self.name = name
        self.addresses = addresses
        self.netem = netem or {}

    def primary_ip(self):
        return self.addresses[0].split("/")[0]


def netem_args(netem):
    """`tc qdisc ... netem` arguments from {delay_ms, jitter_ms, loss_pct}; [] when all zero."""
    delay = float(netem.get("delay_ms", 0))
    jitter = float(netem.get("jitter_ms", 0))
    loss = float(netem.get("loss_pct", 0))
    if delay < 0 or jitter < 0 or not 0 <= loss <= 100:
        raise ValueError(f"netem out of range: {netem}")
    if delay == 0 and jitter == 0 and loss == 0:
        return []
    args = ["delay", f"{delay}ms"]
    if jitter > 0:
        args += [f"{jitter}ms", "distribution", "normal"]
    if loss > 0:
        args += ["loss", f"{loss}%"]
    return args


def veth_commands(prefix, index, host):
    """A veth pair from the hub's bridge to the host's eth0."""
    hub = f"{prefix}-hub"
    hub_if = f"h{index}"
    return [
        ["ip", "-n", hub, "link", "add", hub_if, "type", "veth", "peer", "name", HOST_IF,
         "netns", host.name],
        ["ip", "-n", hub, "link", "set", hub_if, "master", "br0"],
        ["ip", "-n", hub, "link", "set", hub_if, "up"],
    ]


def address_commands(host):
    cmds = []
    for cidr in host.addresses:
        extra = ["nodad"] if ":" in cidr else []
        cmds.append(["ip", "-n", host.name, "addr", "add", cidr, "dev", HOST_IF] + extra)
    return cmds + [
        ["ip", "-n", host.name, "link", "set", HOST_IF, "up"],
        # One L2 segment, many subnets: every testbed address is on-link.
        ["ip", "-n", host.name, "route", "add", SUPERNET_V4, "dev", HOST_IF],
        ["ip", "-n", host.name, "-6", "route", "add", SUPERNET_V6, "dev", HOST_IF],
    ]


def delay_line_link(prefix, index, host, state_dir):
    """The host's link through delayline.py (two TAPs and a process in the hub namespace)."""
    hub = f"{prefix}-hub"
    host_tap, hub_tap = f"t{index}", f"h{index}"
    ready = Path(state_dir) / f"{host.name}.delayline"
    ready.unlink(missing_ok=True)
    argv = exec_argv(hub, [sys.executable, str(Path(__file__).with_name("delayline.py")),
                           "--host-tap", host_tap, "--hub-tap", hub_tap,
                           "--delay-ms", str(host.netem.get("delay_ms", 0)),
                           "--jitter-ms", str(host.netem.get("jitter_ms", 0)),
                           "--loss-pct", str(host.netem.get("loss_pct", 0)),
                           "--seed", str(index), "--ready-file", str(ready)])
    with open(Path(state_dir) / f"{host.name}.delayline.log", "w") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True)
    waiting.wait_until(lambda: ready.exists() or proc.poll() is not None, 10)
    if not ready.exists():
        raise RuntimeError(f"delay line for {host.name} did not start")
    for cmd in (["ip", "-n", hub, "link", "set", host_tap, "netns", host.name],
                ["ip", "-n", host.name, "link", "set", host_tap, "name", HOST_IF],
                ["ip", "-n", hub, "link", "set", hub_tap, "master", "br0"],
                ["ip", "-n", hub, "link", "set", hub_tap, "up"]):
        run(cmd)


def netem_supported(namespace):
    """Whether this kernel has the netem qdisc (some VM kernels are built without it)."""
    probe = ["ip", "netns", "exec", namespace, "tc", "qdisc", "add", "dev", "br0", "root",
             "netem", "delay", "1ms"]
    result = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    if result.returncode == 0:
        run(["ip", "netns", "exec", namespace, "tc", "qdisc", "del", "dev", "br0", "root"])
        return True
    return False


def up(prefix, hosts, state_dir="/tmp"):
    """Creates the hub and the hosts, after removing whatever a previous run left (idempotent).
    Link noise comes from netem on the host's eth0 or, on kernels without netem, from a delay
    line (delayline.py) in its place; returns which ("netem" or "delay line")."""
    down(prefix)
    hub = f"{prefix}-hub"
    try:
        run(["ip", "netns", "add", hub])
        run(["ip", "-n", hub, "link", "set", "lo", "up"])
        run(["ip", "-n", hub, "link", "add", "br0", "type", "bridge"])
        run(["ip", "-n", hub, "link", "set", "br0", "up"])
        have_netem = netem_supported(hub)
        for index, host in enumerate(hosts):
            run(["ip", "netns", "add", host.name])
            run(["ip", "-n", host.name, "link", "set", "lo", "up"])
            noise = netem_args(host.netem)
            if noise and not have_netem:
                delay_line_link(prefix, index, host, state_dir)
            else:
                for cmd in veth_commands(prefix, index, host):
                    run(cmd)
            for cmd in address_commands(host):
                run(cmd)
            if noise and have_netem:
                run(["ip", "netns", "exec", host.name, "tc", "qdisc", "add", "dev", HOST_IF,
                     "root", "netem"] + noise)
        return "netem" if have_netem else "delay line"
    except BaseException:
        down(prefix)
        raise


def pids_in(namespace):
    out = run(["ip", "netns", "pids", namespace], check=False)
    return [int(p) for p in out.split() if p.isdigit()]


def kill_processes(prefix, grace_s=5.0):
    """Ends every process inside our namespaces: SIGTERM, then SIGKILL after grace_s."""
    def none_left(sig):
        pids = [p for ns in namespaces(prefix) for p in pids_in(ns)]
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        return not pids

    if waiting.wait_until(lambda: none_left(signal.SIGTERM), grace_s, 0.2):
        return
    if not waiting.wait_until(lambda: none_left(signal.SIGKILL), 60, 0.2):
        raise RuntimeError(f"processes in {prefix}* namespaces survive SIGKILL")


def down(prefix):
    """Removes every namespace with the prefix (and so their veths, bridge and qdiscs)."""
    kill_processes(prefix)
    for ns in namespaces(prefix):
        run(["ip", "netns", "delete", ns], check=False)
    left = namespaces(prefix)
    if left:
        raise RuntimeError(f"namespaces left behind: {left}")


def exec_argv(namespace, argv):
    return ["ip", "netns", "exec", namespace] + list(argv)

