"""Certificates for a broker's SASL_SSL listener on 127.0.0.1, made with the openssl command: a
CA, the broker's certificate from it (subjectAltName IP:127.0.0.1, so librdkafka's hostname
check passes) with a PKCS#8 key as Kafka's PEM keystore wants, and a second, unrelated CA that a
client can be told to trust instead (an untrusted broker)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from kafka_cluster import Tls

_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


@dataclass(frozen=True)
class TestPki:
    broker: Tls
    ca: Path  # the broker's issuer
    other_ca: Path  # trusts nothing the broker has


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _ca(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    _openssl("req", "-x509", *_EC, "-keyout", str(key), "-out", str(cert), "-days", "2",
             "-subj", f"/CN=eo test {name}")
    return cert, key


def make_pki(directory: Path) -> TestPki:
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = _ca(directory, "kafka-ca")
    other_ca, _ = _ca(directory, "other-ca")
    key, csr, cert = (directory / f"broker.{ext}" for ext in ("key", "csr", "pem"))
    _openssl("req", *_EC, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    extensions = directory / "broker.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
             "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile", str(extensions))
    chain = directory / "broker-chain.pem"
    chain.write_text(cert.read_text() + ca.read_text())
    return TestPki(Tls(chain, key), ca, other_ca)
