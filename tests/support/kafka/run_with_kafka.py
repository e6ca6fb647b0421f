#!/usr/bin/env python3
"""Runs a command beside a real Kafka cluster: starts one (kafka_cluster.py) in a fresh scratch
directory, exports EO_KAFKA_BOOTSTRAP, runs the command, stops the cluster (also when the command
fails or ctest's timeout sends SIGTERM) and exits with the command's status.

Without Java, kcat or the installed jars it exits 77 (ctest's SKIP_RETURN_CODE), except under
CI=true, where that is a failure (exit 1): CI must run every test.

With --sasl the brokers also have a SASL_SSL listener (SCRAM-SHA-512, certificates from
certs.py), and the command gets EO_KAFKA_SASL_BOOTSTRAP, EO_KAFKA_SASL_USER,
EO_KAFKA_SASL_PASSWORD, EO_KAFKA_CA (the brokers' issuer) and EO_KAFKA_OTHER_CA (an unrelated CA).

    run_with_kafka.py [--nodes 1|3] [--release X.Y.Z] [--sasl] -- COMMAND [ARG...]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from certs import make_pki  # noqa: E402
from kafka_cluster import KafkaCluster, KafkaUnavailable, ScramUser, unavailable_status  # noqa: E402


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)  # unwinds through the with block: the JVMs are stopped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1, choices=(1, 3))
    parser.add_argument("--release", help="a line of scripts/kafka/versions.txt (default: the first)")
    parser.add_argument("--sasl", action="store_true", help="add a SASL_SSL listener")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command after --")
    signal.signal(signal.SIGTERM, _terminate)

    with tempfile.TemporaryDirectory(prefix="eo-kafka-") as scratch:
        env = dict(os.environ)
        security = {}
        if args.sasl:
            pki = make_pki(Path(scratch) / "pki")
            user = ScramUser("observatory", "correct-horse-battery")
            security = {"scram_users": (user,), "tls": pki.broker}
            env.update(EO_KAFKA_SASL_USER=user.name, EO_KAFKA_SASL_PASSWORD=user.password,
                       EO_KAFKA_CA=str(pki.ca), EO_KAFKA_OTHER_CA=str(pki.other_ca))
        try:
            cluster = KafkaCluster(scratch, nodes=args.nodes, release=args.release, **security)
        except KafkaUnavailable as missing:
            return unavailable_status(missing)
        started = time.monotonic()
        with cluster:
            print(f"run_with_kafka: kafka {cluster.release}, {args.nodes} node(s) at "
                  f"{cluster.bootstrap}, ready in {time.monotonic() - started:.1f} s", flush=True)
            env["EO_KAFKA_BOOTSTRAP"] = cluster.bootstrap
            if args.sasl:
                env["EO_KAFKA_SASL_BOOTSTRAP"] = cluster.sasl_bootstrap
            status = subprocess.run(command, env=env).returncode
            if status != 0:
                for node in cluster.nodes:
                    print(cluster.log_tail(node), file=sys.stderr)
            return status


if __name__ == "__main__":
    sys.exit(main())
