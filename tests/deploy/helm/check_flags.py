#!/usr/bin/python3
"""Checks a rendered chart against the observatory binary itself.

- Every container that runs the chart's image with its entrypoint (`observatory ROLE ...`):
  each --flag must be one that `observatory ROLE --help` lists. The report sidecar's shell
  script is read for its `observatory report` flags the same way.
- Every agent ConfigMap's agent.yaml, with `tasks: []` added, is run as `observatory agent
  --tasks` (it parses the vantages, politeness and profiles, runs nothing, exits 0).
- Every Tor sidecar's torrc passes `tor --verify-config` of Debian's tor (the one the image
  ships), its paths moved into a temporary folder.
- Every campaign ConfigMap's campaign.yaml is given to `observatory campaign submit` against a
  port that refuses: a file the coordinator would refuse exits 2 with its reason, a valid one
  gets as far as connecting (exit 1).

Usage: check_flags.py OBSERVATORY RENDERED.yaml...
"""
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

observatory = sys.argv[1]
help_cache = {}
problems = []
checked = {"flags": 0, "agent configs": 0, "torrcs": 0, "campaigns": 0}
tor = shutil.which("tor")


def help_flags(command):
    key = tuple(command)
    if key not in help_cache:
        out = subprocess.run([observatory, *command, "--help"], capture_output=True, text=True)
        if out.returncode != 0:
            problems.append(f"`observatory {' '.join(command)} --help` failed: {out.stderr.strip()}")
        help_cache[key] = set(re.findall(r"(--[a-z0-9][a-z0-9-]*)", out.stdout))
    return help_cache[key]


def check_command(where, words):
    command = []
    for word in words:
        if word.startswith("-"):
            break
        command.append(word)
        if command[0] not in ("campaign", "targets", "canary"):
            break
    if not command:
        problems.append(f"{where}: no observatory subcommand in {words}")
        return
    known = help_flags(command[:2] if command[0] in ("campaign", "targets", "canary") else command[:1])
    for word in words:
        if word.startswith("--"):
            flag = word.split("=", 1)[0]
            checked["flags"] += 1
            if flag not in known:
                problems.append(f"{where}: `observatory {' '.join(command)}` has no {flag}")


def pod_spec(doc):
    kind = doc.get("kind")
    if kind in ("Deployment", "StatefulSet", "Job", "DaemonSet"):
        return doc["spec"]["template"]["spec"]
    return None


for path in sys.argv[2:]:
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for doc in docs:
        name = f"{path.rsplit('/', 1)[-1]}: {doc['kind']}/{doc['metadata']['name']}"
        spec = pod_spec(doc)
        if spec:
            for c in spec.get("containers", []) + spec.get("initContainers", []):
                where = f"{name} container {c['name']}"
                image = c.get("image", "")
                if "command" not in c and "electrum-observatory" in image:
                    check_command(where, c.get("args", []))
                elif c.get("command", [None])[0] == "/bin/sh":
                    script = " ".join(c.get("args", []))
                    for m in re.finditer(r"\bobservatory\s+([^;&|\n]+)", script):
                        check_command(where, shlex.split(m.group(1)))
        if doc["kind"] == "ConfigMap":
            data = doc.get("data") or {}
            if "agent.yaml" in data:
                config = yaml.safe_load(data["agent.yaml"])
                config["tasks"] = []
                with tempfile.TemporaryDirectory() as tmp:
                    with open(f"{tmp}/agent.yaml", "w") as f:
                        yaml.safe_dump(config, f)
                    out = subprocess.run([observatory, "agent", "--tasks", f"{tmp}/agent.yaml",
                                          "--data-dir", f"{tmp}/data", "--geo-database", "none"],
                                         capture_output=True, text=True, timeout=60)
                    checked["agent configs"] += 1
                    if out.returncode != 0:
                        problems.append(f"{name}: agent.yaml refused by observatory agent: {out.stderr.strip()[-400:]}")
            if "torrc" in data and tor:
                with tempfile.TemporaryDirectory() as tmp:
                    torrc = data["torrc"].replace("/var/lib/tor/", f"{tmp}/lib/").replace("/run/tor/", f"{tmp}/run/")
                    with open(f"{tmp}/torrc", "w") as f:
                        f.write(torrc)
                    out = subprocess.run([tor, "--verify-config", "-f", f"{tmp}/torrc"],
                                         capture_output=True, text=True, timeout=60)
                    checked["torrcs"] += 1
                    if out.returncode != 0 or "Configuration was valid" not in out.stdout:
                        problems.append(f"{name}: torrc refused by tor: {out.stdout.strip()[-400:]}")
            if "campaign.yaml" in data:
                with tempfile.TemporaryDirectory() as tmp:
                    with open(f"{tmp}/campaign.yaml", "w") as f:
                        f.write(data["campaign.yaml"])
                    secret_file = (yaml.safe_load(data["campaign.yaml"]) or {}).get("canary_secret_file")
                    if secret_file:  # the Job mounts the Secret there: a stand-in of 32 bytes
                        with open(f"{tmp}/{secret_file}", "wb") as f:
                            f.write(bytes(range(32)))
                    out = subprocess.run([observatory, "campaign", "submit", f"{tmp}/campaign.yaml",
                                          "--coordinator", "127.0.0.1:1", "--insecure"],
                                         capture_output=True, text=True, timeout=60)
                    checked["campaigns"] += 1
                    if out.returncode != 1 or "connect" not in out.stderr:
                        problems.append(f"{name}: campaign.yaml refused (exit {out.returncode}): {out.stderr.strip()[-400:]}")

for p in problems:
    print(f"check_flags: {p}", file=sys.stderr)
print("check_flags: " + ", ".join(f"{v} {k}" for k, v in checked.items()) +
      f" checked against {observatory}; {len(problems)} problems")
sys.exit(1 if problems else 0)
