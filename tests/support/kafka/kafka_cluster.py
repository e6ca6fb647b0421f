"""A real Apache Kafka cluster for tests: KRaft nodes that are broker and controller at once (one
node, or three), fresh directories, ports picked free, ~512 MB heap each, a bounded wait until
metadata lists every broker, and a stop that kills the JVMs whatever happened. On loopback by
default; `namespace` and `host` put every node (and the admin calls) in a network namespace on
one of its addresses (the distributed testbed's control host).

The jars are the ones scripts/install-kafka.sh put in the cache (the first release in
scripts/kafka/versions.txt, or EO_KAFKA_VERSION). Readiness is asked with Debian's kcat, which
speaks through the same librdkafka as the observatory. Standard library only. Optionally a
SASL_SSL listener (SCRAM-SHA-512, users made at format time) beside the PLAINTEXT one.

    with KafkaCluster(scratch_dir, nodes=1) as kafka:
        run(..., env={"EO_KAFKA_BOOTSTRAP": kafka.bootstrap})
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import waiting  # noqa: E402  (tests/support/waiting.py: the one bounded poll)

ROOT = Path(__file__).resolve().parents[3]
VERSIONS_FILE = ROOT / "scripts" / "kafka" / "versions.txt"
HOST = "127.0.0.1"
HEAP = "-Xmx512m"


class KafkaUnavailable(RuntimeError):
    """Java, kcat or the installed jars are missing: the test cannot run here."""


SKIP = 77  # ctest's SKIP_RETURN_CODE for the kafka_real tests


def unavailable_status(missing: KafkaUnavailable) -> int:
    """Exit status for a test that cannot start Kafka: a skip, but a failure under CI=true."""
    if os.environ.get("CI") == "true":
        print(f"kafka: {missing} (CI=true: every tool must be installed)", file=sys.stderr)
        return 1
    print(f"kafka: SKIP: {missing}", file=sys.stderr)
    return SKIP


def cache_dir() -> Path:
    env = os.environ.get("EO_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "electrum-observatory"


def releases() -> list[str]:
    """The releases scripts/install-kafka.sh installs, the default first."""
    lines = (line.strip() for line in VERSIONS_FILE.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def version() -> str:
    return os.environ.get("EO_KAFKA_VERSION") or releases()[0]


def libs(release: str | None = None) -> Path:
    """The installed jars of `release`; raises KafkaUnavailable naming what is missing."""
    release = release or version()
    path = cache_dir() / "kafka" / release
    if not (path / ".eo-installed").is_file():
        raise KafkaUnavailable(f"kafka {release} is not installed in {path} "
                               f"(run scripts/install-kafka.sh {release})")
    for tool in ("java", "kcat"):
        if not shutil.which(tool):
            raise KafkaUnavailable(f"{tool} not found (scripts/debian-packages.txt)")
    return path / "libs"


# Kafka cannot bind port 0 here: every node's configuration names every controller's port before
# any starts (controller.quorum.voters), and a restarted broker must come back at the address its
# clients bootstrap from. So the nodes get candidate ports (waiting.candidate_port, free in this
# namespace; a node in a fresh namespace finds them free there too), and start() starts the
# cluster again on others when a node could not bind one, PORT_ATTEMPTS times in all.
PORT_ATTEMPTS = 5
BIND_FAILED = "Address already in use"


@dataclass(frozen=True)
class ScramUser:
    name: str
    password: str


@dataclass(frozen=True)
class Tls:
    """The broker's certificate for the SASL_SSL listener: PEM files, key in PKCS#8."""

    cert_chain: Path
    key: Path


@dataclass
class Node:
    node_id: int
    port: int  # PLAINTEXT
    controller_port: int
    sasl_port: int | None
    directory: Path
    process: subprocess.Popen | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.directory / "server.log"


class KafkaCluster:
    """Formats and starts `nodes` combined broker+controller nodes; stop() (or leaving the with
    block) stops them. Not thread-safe."""

    def __init__(self, scratch_dir: Path | str, nodes: int = 1, *, release: str | None = None,
                 scram_users: tuple[ScramUser, ...] = (), tls: Tls | None = None,
                 ready_timeout: float = 90.0, host: str = HOST, namespace: str | None = None):
        if nodes not in (1, 3):
            raise ValueError(f"nodes: {nodes}; a cluster here has 1 or 3 nodes")
        if (tls is None) != (not scram_users):
            raise ValueError("scram_users and tls: the SASL_SSL listener needs both")
        self.release = release or version()
        self.libs = libs(self.release)
        self.scratch = Path(scratch_dir)
        self.scram_users = scram_users
        self.tls = tls
        self.ready_timeout = ready_timeout
        self.host = host
        self.namespace = namespace
        self.nodes = self._candidate_nodes(nodes)

    @property
    def bootstrap(self) -> str:
        return ",".join(f"{self.host}:{n.port}" for n in self.nodes)

    @property
    def sasl_bootstrap(self) -> str:
        return ",".join(f"{self.host}:{n.sasl_port}" for n in self.nodes if n.sasl_port)

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> "KafkaCluster":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """launch() and wait_ready(); stops whatever started when either fails. When a node could
        not bind its candidate port (another process took it), starts the whole cluster again on
        other ports and fresh storage, PORT_ATTEMPTS times in all."""
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                self.launch()
                self.wait_ready()
                return
            except BaseException as failure:
                self.stop()
                if (attempt == PORT_ATTEMPTS or not isinstance(failure, Exception)
                        or not self._bind_failed()):
                    raise
            for node in self.nodes:
                shutil.rmtree(node.directory, ignore_errors=True)
            self.nodes = self._candidate_nodes(len(self.nodes))

    def launch(self) -> None:
        """Formats and starts every node without waiting for them: the caller may do other work
        meanwhile, then wait_ready(); stop() is the caller's on failure, and so is another try
        when a port was taken (start() does both)."""
        # Kafka's Uuid.randomUuid() text form (base64url, no padding, never a leading "-"),
        # without a JVM start to print it
        cluster_id = "-"
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        for node in self.nodes:
            node.directory.mkdir(parents=True, exist_ok=False)
            self._write_config(node)
            args = ["format", "-t", cluster_id, "-c", str(node.directory / "server.properties")]
            for user in self.scram_users:
                args += ["--add-scram",
                         f"SCRAM-SHA-512=[name={user.name},password={user.password}]"]
            self._java("kafka.tools.StorageTool", *args)
        for node in self.nodes:
            self.start_node(node)

    def start_node(self, node: Node) -> None:
        """Starts (or restarts, on its existing storage) one node; does not wait."""
        if node.process and node.process.poll() is None:
            raise RuntimeError(f"kafka node {node.node_id} is already running")
        log = open(node.log, "ab")
        node.process = subprocess.Popen(
            self._in_namespace(self._java_argv("kafka.Kafka",
                                               str(node.directory / "server.properties"))),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)  # a Ctrl-C to the test does not reach the JVM first
        log.close()

    def kill_node(self, node: Node) -> None:
        """SIGKILL, as a crash of the machine would: no controlled shutdown."""
        if node.process and node.process.poll() is None:
            node.process.send_signal(signal.SIGKILL)
            node.process.wait()

    def stop(self) -> None:
        for node in self.nodes:
            if node.process and node.process.poll() is None:
                node.process.terminate()
        deadline = time.monotonic() + 30
        for node in self.nodes:
            if not node.process:
                continue
            try:
                node.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill_node(node)

    # --- readiness ---------------------------------------------------------------------------

    def metadata(self, timeout: float = 5.0) -> dict | None:
        """kcat's metadata JSON from the PLAINTEXT listeners, or None when nothing answers."""
        try:
            out = subprocess.run(
                self._in_namespace(["kcat", "-L", "-J", "-b", self.bootstrap,
                                    "-m", str(int(timeout))]),
                capture_output=True, text=True, timeout=timeout + 5)
        except subprocess.TimeoutExpired:
            return None
        if out.returncode != 0:
            return None
        try:
            return json.loads(out.stdout)
        except json.JSONDecodeError:
            return None

    def wait_ready(self, expected_brokers: int | None = None) -> None:
        """Until metadata lists every running broker; raises naming the last answer and the log
        tail of any node that died."""
        expected = expected_brokers or len(self.nodes)
        last = "no answer"

        def ready() -> bool:
            nonlocal last
            for node in self.nodes:
                if node.process and node.process.poll() is not None:
                    raise RuntimeError(f"kafka node {node.node_id} exited with "
                                       f"{node.process.returncode}:\n{self.log_tail(node)}")
            meta = self.metadata()
            if not meta:
                return False
            brokers = meta.get("brokers", [])
            last = f"{len(brokers)} of {expected} brokers"
            return len(brokers) >= expected

        if waiting.wait_until(ready, self.ready_timeout, 0.2):
            return
        tails = "\n".join(self.log_tail(n) for n in self.nodes)
        raise RuntimeError(f"kafka at {self.bootstrap} not ready after {self.ready_timeout:.0f} s "
                           f"({last}):\n{tails}")

    def log_tail(self, node: Node, lines: int = 20) -> str:
        try:
            text = node.log.read_text(errors="replace").splitlines()
        except OSError:
            return f"[node {node.node_id}: no log]"
        return "\n".join(f"[node {node.node_id}] {line}" for line in text[-lines:])

    # --- admin -------------------------------------------------------------------------------

    def create_topic(self, topic: str, partitions: int, replication: int,
                     configs: dict[str, str] | None = None) -> None:
        """Kafka's own TopicCommand, as docs/kafka.md tells an operator to do it."""
        args = ["--bootstrap-server", self.bootstrap, "--create", "--topic", topic,
                "--partitions", str(partitions), "--replication-factor", str(replication)]
        for key, value in (configs or {}).items():
            args += ["--config", f"{key}={value}"]
        self._java("org.apache.kafka.tools.TopicCommand", *args)

    def leader(self, topic: str, partition: int) -> Node:
        """The node that leads `topic`'s `partition` now, from the brokers' metadata."""
        meta = self.metadata()
        for entry in (meta or {}).get("topics", []):
            if entry.get("topic") != topic:
                continue
            for p in entry.get("partitions", []):
                if p.get("partition") == partition and p.get("leader", -1) >= 0:
                    return self.node(p["leader"])
        raise RuntimeError(f"no leader known for {topic}[{partition}]")

    def controller(self) -> Node:
        """The active KRaft controller: the leader of the newest epoch that the running nodes'
        quorum-state files record (clients' metadata names no controller under KRaft)."""
        best = None
        for node in self.nodes:
            if not node.process or node.process.poll() is not None:
                continue
            path = node.directory / "data" / "__cluster_metadata-0" / "quorum-state"
            try:
                state = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                continue
            if state.get("leaderId", -1) >= 0 and (
                    best is None or state["leaderEpoch"] > best["leaderEpoch"]):
                best = state
        if best is None:
            raise RuntimeError("no node records a controller leader")
        return self.node(best["leaderId"])

    def fully_replicated(self, topics: list[str]) -> bool:
        """Every node listed by the brokers and in the in-sync set of every partition of
        `topics`: the cluster has healed from a restart."""
        meta = self.metadata()
        if not meta or len(meta.get("brokers", [])) < len(self.nodes):
            return False
        seen = {entry.get("topic"): entry.get("partitions", []) for entry in meta.get("topics", [])}
        return all(topic in seen and seen[topic] and
                   all(len(p.get("isrs", [])) == len(self.nodes) for p in seen[topic])
                   for topic in topics)

    def describe_group(self, group: str) -> list[dict[str, str]]:
        """Kafka's own view of a consumer group, one row per partition it has offsets for or
        holds: topic, partition, current (committed, "-" when none), end, lag, member, host and
        client (its client.id; each "-" when no member holds it); from ConsumerGroupCommand
        (kafka-consumer-groups.sh --describe)."""
        out = self._java("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                         "--bootstrap-server", self.bootstrap, "--describe", "--group", group)
        rows = []
        for line in out.splitlines():
            cols = line.split()
            if len(cols) >= 9 and cols[0] == group:
                rows.append(dict(zip(("topic", "partition", "current", "end", "lag", "member",
                                      "host", "client"), cols[1:9])))
        return rows

    def node(self, node_id: int) -> Node:
        return next(n for n in self.nodes if n.node_id == node_id)

    def _candidate_nodes(self, count: int) -> list[Node]:
        port = waiting.candidate_port
        return [Node(i, port(), port(), port() if self.tls else None,
                     self.scratch / f"kafka-{i}") for i in range(1, count + 1)]

    def _bind_failed(self) -> bool:
        """A node exited because one of its ports was taken."""
        for node in self.nodes:
            try:
                if BIND_FAILED in node.log.read_text(errors="replace"):
                    return True
            except OSError:
                pass
        return False

    # --- internals ---------------------------------------------------------------------------

    def _java_argv(self, main: str, *args: str) -> list[str]:
        logging = (f"-Dlog4j.configuration=file:{self._log_config()}"
                   if self.release.startswith("3.") else
                   f"-Dlog4j2.configurationFile={self._log_config()}")
        return ["java", HEAP, "-XX:+UseG1GC", "-Djava.awt.headless=true", logging,
                "-cp", f"{self.libs}/*", main, *args]

    def _in_namespace(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.namespace, *argv] if self.namespace else argv

    def _java(self, main: str, *args: str) -> str:
        out = subprocess.run(self._in_namespace(self._java_argv(main, *args)),
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{main} {' '.join(args)} failed ({out.returncode}):\n"
                               f"{out.stdout}{out.stderr}")
        return out.stdout

    def _log_config(self) -> Path:
        """WARN and up to the console (the node's server.log), so a failure's log is short."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        if self.release.startswith("3."):
            path = self.scratch / "log4j.properties"
            text = ("log4j.rootLogger=WARN, stdout\n"
                    "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
                    "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
                    "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
                    "log4j.logger.kafka.server.KafkaServer=INFO\n"
                    "log4j.logger.kafka.server.BrokerServer=INFO\n")
        else:
            path = self.scratch / "log4j2.properties"
            text = ("rootLogger.level=WARN\nrootLogger.appenderRef.stdout.ref=STDOUT\n"
                    "appender.stdout.type=Console\nappender.stdout.name=STDOUT\n"
                    "appender.stdout.layout.type=PatternLayout\n"
                    "appender.stdout.layout.pattern=[%d] %p %m (%c)%n\n"
                    "logger.broker.name=kafka.server.BrokerServer\nlogger.broker.level=INFO\n")
        if not path.exists():
            path.write_text(text)
        return path

    def _write_config(self, node: Node) -> None:
        replicas = len(self.nodes)
        voters = ",".join(f"{n.node_id}@{self.host}:{n.controller_port}" for n in self.nodes)
        listeners = [f"PLAINTEXT://{self.host}:{node.port}"]
        protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"]
        if node.sasl_port:
            listeners.append(f"SASL_SSL://{self.host}:{node.sasl_port}")
            protocols.append("SASL_SSL:SASL_SSL")
        config = {
            "process.roles": "broker,controller",
            "node.id": str(node.node_id),
            "controller.quorum.voters": voters,
            "listeners": ",".join(listeners + [f"CONTROLLER://{self.host}:{node.controller_port}"]),
            "advertised.listeners": ",".join(listeners),
            "listener.security.protocol.map": ",".join(protocols),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(node.directory / "data"),
            "num.partitions": "1",
            "default.replication.factor": str(replicas),
            "min.insync.replicas": str(min(2, replicas)),
            "offsets.topic.replication.factor": str(replicas),
            "offsets.topic.num.partitions": "5",  # fewer than 50: a faster first group join
            "transaction.state.log.replication.factor": str(replicas),
            "transaction.state.log.min.isr": str(min(2, replicas)),
            "group.initial.rebalance.delay.ms": "0",
            "group.min.session.timeout.ms": "1000",  # the tests' consumers use 3 s sessions
            "auto.create.topics.enable": "false",  # topics are created deliberately, as in prod
        }
        if node.sasl_port:
            config.update({
                "sasl.enabled.mechanisms": "SCRAM-SHA-512",
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config":
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "ssl.keystore.type": "PEM",
                "ssl.keystore.certificate.chain": _pem_value(self.tls.cert_chain),
                "ssl.keystore.key": _pem_value(self.tls.key),
            })
        text = "".join(f"{key}={value}\n" for key, value in config.items())
        (node.directory / "server.properties").write_text(text)


def _pem_value(path: Path) -> str:
    # A properties value on one line: PEM's line breaks as the \n escape Java's Properties reads.
    return path.read_text().strip().replace("\n", "\\n")
