#!/usr/bin/env python3
"""The honeypot and a genuine ElectrumX on one chain: `observatory honeypot --node-rpc` serves its
regtest chain over Bitcoin Core's JSON-RPC too, the newest listed ElectrumX release indexes it,
and after blocks mined through the node both Electrum servers (the honeypot's own and the real
one) report the same tip. Prints `N passed, M failed` last."""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import electrumx_test as common

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support" / "realserver"))
import electrumx_env  # noqa: E402
import waiting  # noqa: E402  (tests/support, on the path electrumx_test put it)


def run(observatory, rel, work):
    common.log(f"honeypot --node-rpc with ElectrumX {rel.version}")
    ready, cookie_file = work / "honeypot.ready", work / "cookie"
    honeypot_log = open(work / "honeypot.log", "w")
    honeypot = subprocess.Popen(
        [observatory, "honeypot", "--tcp", "127.0.0.1:0", "--node-rpc", "127.0.0.1:0",
         "--rpc-cookie", str(cookie_file), "--ready-file", str(ready), "--data-dir",
         str(work / "data"), "--mine-after-broadcast-ms", "-1"],
        stdout=honeypot_log, stderr=subprocess.STDOUT)
    server = None
    server_log = open(work / "electrumx.log", "w")
    try:
        waiting.wait_until(lambda: ready.exists() or honeypot.poll() is not None,
                           common.READY_TIMEOUT)
        if not ready.exists():
            raise RuntimeError("the honeypot did not start (see honeypot.log)")
        info = json.loads(ready.read_text())
        node_port, honeypot_port = info["node_rpc_port"], info["ports"][0]
        cookie = cookie_file.read_text().strip()
        common.check(node_port > 0, f"node RPC on port {node_port}")
        # Some depth first: ElectrumX cannot reorganize below a short chain's genesis.
        address = common.DONATION
        common.core_rpc(node_port, cookie, "generatetoaddress", 30, address)
        server, (tcp_port,) = common.start_electrumx(
            rel, server_log, ports_count=1,
            daemon_url=f"http://{cookie}@127.0.0.1:{node_port}/", scratch_dir=work)
        electrumx_env.wait_for_server_version("127.0.0.1", tcp_port,
                                              timeout=common.READY_TIMEOUT, proc=server)
        with common.ElectrumSession(tcp_port) as real, \
                common.ElectrumSession(honeypot_port) as ours:
            real.call("blockchain.headers.subscribe", [])
            ours.call("blockchain.headers.subscribe", [])
            common.core_rpc(node_port, cookie, "generatetoaddress", 3, address)
            tip = common.core_rpc(node_port, cookie, "getbestblockhash")

            def at_tip(params):
                return params[0]["height"] == 33 and common.header_hash(params[0]["hex"]) == tip

            common.check(real.wait_for("blockchain.headers.subscribe", at_tip) and
                         ours.wait_for("blockchain.headers.subscribe", at_tip),
                         "the honeypot and the real ElectrumX serve the same chain (height 33)")
    finally:
        if server is not None:
            common.stop_process(server)
        common.stop_process(honeypot)
        server_log.close()
        honeypot_log.close()
        if common.results["failed"]:
            for name in ("honeypot.log", "electrumx.log"):
                common.log(f"--- {name} (tail) ---\n" + (work / name).read_text()[-2000:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observatory", required=True)
    args = parser.parse_args()
    rel = electrumx_env.releases()[-1]
    if not rel.installed():
        common.log(f"ElectrumX {rel.version} is not installed: run scripts/install-electrumx.sh")
        print("0 passed, 1 failed")
        return 1
    work = Path(tempfile.mkdtemp(prefix="eo-honeypot-node-"))
    try:
        run(args.observatory, rel, work)
    except Exception as e:  # noqa: BLE001 - reported as a failure with its cause
        common.check(False, f"{type(e).__name__}: {e}")
    finally:
        if common.results["failed"]:
            common.log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{common.results['passed']} passed, {common.results['failed']} failed")
    return 0 if common.results["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
