#!/usr/bin/env python3
"""The baseline agent_bench compares against: the same probe kinds written plainly with asyncio.

Phases per transport, as in agent_bench: hold N sessions open (connect, TLS, server.version),
ping on all of them for T seconds (request probes), close them, then C workers repeat
connect + server.version + server.ping + close for T seconds (session probes). CPU comes from
resource.getrusage(RUSAGE_SELF) deltas over each measured phase; memory from /proc/self/status.
Prints one JSON document on stdout; progress goes to stderr. Standard library only.
"""

import argparse
import asyncio
import json
import os
import platform
import resource
import ssl
import sys
import time

HOST = "127.0.0.1"
CLIENT = ["electrum/4.5.8", ["1.4", "1.6"]]


def status_bytes(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def process_cpu(pid):
    """User + system CPU seconds of another process (the server), or None."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


SERVER_PID = [0]


def phase_start():
    return time.monotonic(), cpu(), process_cpu(SERVER_PID[0])


def phase(ok, failed, start, first_failure):
    started, cpu_before, server_before = start
    user, system = cpu()
    server_after = process_cpu(SERVER_PID[0])
    server_cpu = -1.0
    if server_before is not None and server_after is not None:
        server_cpu = server_after - server_before
    return {
        "probes": ok,
        "failures": failed,
        "wall_s": time.monotonic() - started,
        "user_s": user - cpu_before[0],
        "sys_s": system - cpu_before[1],
        "server_cpu_s": server_cpu,
        "first_failure": first_failure,
    }


class Session:
    """One Electrum connection: newline-delimited JSON-RPC, replies matched by id."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.next_id = 0

    @classmethod
    async def open(cls, port, tls_context):
        reader, writer = await asyncio.open_connection(HOST, port, ssl=tls_context)
        return cls(reader, writer)

    async def call(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        request = {"jsonrpc": "2.0", "method": method, "params": params, "id": request_id}
        self.writer.write(json.dumps(request).encode() + b"\n")
        await self.writer.drain()
        line = await self.reader.readline()
        if not line:
            raise ConnectionError("closed_by_peer")
        reply = json.loads(line)
        if reply.get("id") != request_id:
            raise ValueError("id_mismatch")
        if "error" in reply:
            raise ValueError("rpc_error")
        return reply.get("result")

    async def close(self):
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except (ConnectionError, ssl.SSLError):
            pass


def failure_name(error):
    return type(error).__name__ + ": " + str(error)


async def held_and_requests(ports, tls_context, sessions, args):
    state = {"next": 0, "held": [], "failed": 0, "first_failure": ""}

    async def opener():
        while state["next"] < sessions:
            index = state["next"]
            state["next"] += 1
            try:
                session = await Session.open(ports[index % len(ports)], tls_context)
                await session.call("server.version", CLIENT)
                state["held"].append(session)
            except Exception as error:  # every failure is counted, as in the agent
                state["failed"] += 1
                state["first_failure"] = state["first_failure"] or failure_name(error)

    rss_before = status_bytes("VmRSS")
    opened_at = time.monotonic()
    openers = max(1, min(args.open_concurrency, sessions))
    await asyncio.gather(*(opener() for _ in range(openers)))
    held = {
        "attempted": sessions,
        "held": len(state["held"]),
        "failures": state["failed"],
        "first_failure": state["first_failure"],
        "open_wall_s": time.monotonic() - opened_at,
        "rss_before": rss_before,
        "rss_held": status_bytes("VmRSS"),
    }

    pings = {"ok": 0, "failed": 0, "first_failure": "", "stop": False}

    async def pinger(session):
        while not pings["stop"]:
            try:
                await session.call("server.ping", [])
                pings["ok"] += 1
            except Exception as error:
                pings["failed"] += 1
                pings["first_failure"] = pings["first_failure"] or failure_name(error)
                return

    start = phase_start()
    tasks = [asyncio.ensure_future(pinger(session)) for session in state["held"]]
    await asyncio.sleep(args.seconds)
    pings["stop"] = True
    await asyncio.gather(*tasks)
    request = phase(pings["ok"], pings["failed"], start, pings["first_failure"])
    held["rss_after_requests"] = status_bytes("VmRSS")
    await asyncio.gather(*(session.close() for session in state["held"]))
    return held, request


async def session_probes(ports, tls_context, args):
    state = {"ok": 0, "failed": 0, "first_failure": "", "stop": False}

    async def worker(port):
        while not state["stop"]:
            session = None
            try:
                session = await Session.open(port, tls_context)
                await session.call("server.version", CLIENT)
                await session.call("server.ping", [])
                state["ok"] += 1
            except Exception as error:
                state["failed"] += 1
                state["first_failure"] = state["first_failure"] or failure_name(error)
            finally:
                if session is not None:
                    await session.close()

    start = phase_start()
    tasks = [asyncio.ensure_future(worker(ports[i % len(ports)])) for i in range(args.concurrency)]
    await asyncio.sleep(args.seconds)
    state["stop"] = True
    await asyncio.gather(*tasks)
    return phase(state["ok"], state["failed"], start, state["first_failure"])


async def transport(ports, tls_context, sessions, args):
    reset_peak_rss()
    held, request, session = None, None, None
    if args.unit in ("request", "both"):
        held, request = await held_and_requests(ports, tls_context, sessions, args)
    if args.unit in ("session", "both"):
        session = await session_probes(ports, tls_context, args)
    return {
        "measured": True,
        "held": held,
        "request": request,
        "session": session,
        "peak_rss": status_bytes("VmHWM"),
    }


def parse_ports(text):
    return [int(port) for port in text.split(",") if port]


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tcp-ports", type=parse_ports, default=[])
    parser.add_argument("--tls-ports", type=parse_ports, default=[])
    parser.add_argument("--sessions", type=int, default=10000)
    parser.add_argument("--tls-sessions", type=int, default=None)
    parser.add_argument("--open-concurrency", type=int, default=256)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--server-pid", type=int, default=0)
    parser.add_argument("--unit", choices=["request", "session", "both"], default="both")
    args = parser.parse_args()

    SERVER_PID[0] = args.server_pid
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    tls_sessions = args.sessions if args.tls_sessions is None else args.tls_sessions

    tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    tls_context.check_hostname = False
    tls_context.verify_mode = ssl.CERT_NONE

    result = {"runtime": "Python " + platform.python_version(), "nofile": nofile}
    if args.tcp_ports:
        print("baseline: tcp", file=sys.stderr, flush=True)
        result["tcp"] = await transport(args.tcp_ports, None, args.sessions, args)
    if args.tls_ports:
        print("baseline: tls", file=sys.stderr, flush=True)
        result["tls"] = await transport(args.tls_ports, tls_context, tls_sessions, args)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
