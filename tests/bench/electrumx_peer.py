#!/usr/bin/env python3
"""A real ElectrumX for honeypot_bench to measure against, launched as tests/realserver does:
`observatory chain` (the project's regtest node, 110 blocks), each given address paid once
(sendtoaddress, then one block), then the release's own electrumx_server from its cached venv
(scripts/install-electrumx.sh; tests/support/realserver/electrumx_env.py) on a loopback TCP port,
with ElectrumX's per-session cost throttling off (COST_SOFT_LIMIT/COST_HARD_LIMIT 0), as the
honeypot's electrs profile has none. ElectrumX listens only once it has indexed the node's chain.

Writes {"port", "pid", "version", "node_pid"} to --ready-file once server.version answers, then
waits for SIGTERM/SIGINT and stops both processes. Exit 3 when the release is not
installed (the bench reports it as skipped), 2 on any other failure.
"""

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "realserver"))
sys.path.insert(0, str(HERE.parent / "support" / "realserver"))
sys.path.insert(0, str(HERE.parent / "support"))
import electrumx_env  # noqa: E402
import electrumx_test as common  # noqa: E402  (Node, core_rpc, start_electrumx, stop_process)

NO_THROTTLING = {"COST_SOFT_LIMIT": "0", "COST_HARD_LIMIT": "0", "MAX_SESSIONS": "5000",
                 "LOG_LEVEL": "warning"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--observatory", required=True)
    parser.add_argument("--version", default=None, help="default: the newest listed release")
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--pay", default="", help="comma-separated regtest addresses")
    parser.add_argument("--amount", default="0.0005")
    args = parser.parse_args()

    rel = electrumx_env.release(args.version) if args.version else electrumx_env.releases()[-1]
    if not rel.installed():
        print(f"ElectrumX {rel.version} is not installed ({rel.venv}); run "
              f"{electrumx_env.INSTALL_SCRIPT}", flush=True)
        return 3

    stopping = {"now": False}

    def on_signal(*_):
        stopping["now"] = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    work = Path(tempfile.mkdtemp(prefix="eo-bench-electrumx-"))
    node = server = None
    failed = True
    server_log = open(work / "electrumx.log", "w")
    try:
        node = common.Node(args.observatory, work)
        for address in filter(None, args.pay.split(",")):
            node.call("sendtoaddress", address, float(args.amount))
        node.call("generatetoaddress", 1, common.DONATION)
        server, (tcp_port,) = common.start_electrumx(
            rel, server_log, ports_count=1, daemon_url=node.url.rstrip("/") + "/",
            scratch_dir=work, options=NO_THROTTLING)
        name, _ = electrumx_env.wait_for_server_version(
            "127.0.0.1", tcp_port, timeout=common.READY_TIMEOUT, proc=server)
        ready = Path(args.ready_file)
        tmp = ready.with_suffix(".tmp")
        tmp.write_text(json.dumps({"port": tcp_port, "pid": server.pid, "version": name,
                                   "node_pid": node.proc.pid}))
        tmp.rename(ready)
        print(f"{name} on 127.0.0.1:{tcp_port} (pid {server.pid}), work {work}", flush=True)
        while True:
            signal.pause()  # until SIGTERM/SIGINT

    except KeyboardInterrupt:
        if stopping["now"]:
            failed = False
            return 0
        return 2
    except Exception as e:  # noqa: BLE001
        print(f"electrumx_peer: {type(e).__name__}: {e} (see {work})", flush=True)
        return 2
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if server is not None:
            common.stop_process(server)
        if node is not None:
            node.stop()
        server_log.close()
        if not failed:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
