"""A userspace stand-in for `tc netem` on kernels built without it.

Two TAP devices and one process: frames the host sends (its "eth0" is one TAP, moved into the
host's namespace) wait delay ± jitter (normal, clipped at 0, kept in order as a queue would) and
are lost with the given probability before they leave on the other TAP, which sits on the hub's
bridge; frames towards the host pass at once. That is netem on the host's egress, as
`tc qdisc add dev eth0 root netem delay D J loss L` would set it. The process runs in the hub
namespace, so `netns.down` ends it with everything else.
"""

import argparse
import fcntl
import heapq
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
MAX_FRAME = 65536
MAX_QUEUED = 10000  # frames held at once; beyond that a frame is dropped, as a full qdisc does


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


class Line:
    """One direction's schedule: when each frame may leave (pure: no I/O, testable)."""

    def __init__(self, delay_ms, jitter_ms, loss_pct, rng):
        self.delay = delay_ms / 1000.0
        self.jitter = jitter_ms / 1000.0
        self.loss = loss_pct / 100.0
        self.rng = rng
        self.last = 0.0

    def release_time(self, now):
        """When a frame that arrived at `now` leaves, or None when it is lost."""
        if self.loss > 0 and self.rng.random() < self.loss:
            return None
        wait = self.delay + (self.rng.gauss(0.0, self.jitter) if self.jitter > 0 else 0.0)
        self.last = max(now + max(wait, 0.0), self.last)
        return self.last


def send(fd, frame):
    """Writes a frame; a full queue or a device that is down (EIO) loses it, as a wire would."""
    try:
        os.write(fd, frame)
    except OSError:
        pass


def forward(host_fd, hub_fd, line, ready_file=None):
    queue = []  # (release time, sequence, frame)
    seq = 0
    if ready_file:
        with open(ready_file, "w") as f:
            f.write("ready\n")
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _t, _s, frame = heapq.heappop(queue)
            send(hub_fd, frame)
        timeout = max(queue[0][0] - now, 0.0) if queue else 1.0
        readable, _, _ = select.select([host_fd, hub_fd], [], [], timeout)
        if host_fd in readable:
            for _ in range(64):
                try:
                    frame = os.read(host_fd, MAX_FRAME)
                except BlockingIOError:
                    break
                at = line.release_time(time.monotonic())
                if at is not None and len(queue) < MAX_QUEUED:
                    seq += 1
                    heapq.heappush(queue, (at, seq, frame))
        if hub_fd in readable:
            for _ in range(64):
                try:
                    frame = os.read(hub_fd, MAX_FRAME)
                except BlockingIOError:
                    break
                send(host_fd, frame)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host-tap", required=True)
    parser.add_argument("--hub-tap", required=True)
    parser.add_argument("--delay-ms", type=float, default=0)
    parser.add_argument("--jitter-ms", type=float, default=0)
    parser.add_argument("--loss-pct", type=float, default=0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--ready-file", help="written once both TAPs are open")
    args = parser.parse_args()
    host_fd = open_tap(args.host_tap)
    hub_fd = open_tap(args.hub_tap)
    line = Line(args.delay_ms, args.jitter_ms, args.loss_pct, random.Random(args.seed))
    forward(host_fd, hub_fd, line, args.ready_file)


if __name__ == "__main__":
    sys.exit(main())
