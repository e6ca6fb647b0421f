#!/usr/bin/python3
"""Plays an agent machine's first boot from its rendered cloud-init, under a fake root, and prints
the podman command its systemd unit runs, made runnable here.

  machine.py USER_DATA EXEC_START_JSON ROOT IMAGE NAME [PODMAN_GLOBAL_FLAG...] -- [PODMAN_RUN_FLAG...]

write_files are written under ROOT with their permissions (deferred ones after the rest, as
cloud-init does after the packages), then the runcmd lines that set files up (install, chown, chgrp,
chmod) run with their paths under ROOT; systemctl and package steps are the real machine's.
The podman command: the unit's words with every host path under ROOT, IMAGE for the image, NAME
for the container, detached and kept (not --rm), the journald log driver (no journald here) replaced by k8s-file, and
this sandbox's podman flags added. One word per line on stdout.
"""
import json
import os
import subprocess
import sys

import yaml

args = sys.argv[1:]
sep = args.index("--")
user_data, exec_json, root, image, name, *global_flags = args[:sep]
run_flags = args[sep + 1:]

text = open(user_data).read()
assert text.startswith("#cloud-config\n"), "not a cloud-config document"
doc = yaml.safe_load(text)
prefixes = ("/etc/electrum-observatory", "/var/lib/electrum-observatory", "/etc/systemd/system", "/etc/tor")


def under_root(path):
    return os.path.join(root, path.lstrip("/")) if path.startswith(prefixes) else path


for deferred in (False, True):
    for f in doc.get("write_files", []):
        if bool(f.get("defer", False)) != deferred:
            continue
        path = under_root(f["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a" if f.get("append") else "w") as out:
            out.write(f.get("content", ""))
        os.chmod(path, int(f.get("permissions", "0644"), 8))

for cmd in doc.get("runcmd", []):
    if cmd[0] in ("install", "chown", "chgrp", "chmod"):
        subprocess.run([under_root(w) for w in cmd], check=True)

words = json.load(open(exec_json))
out = [words[0], *global_flags, words[1], "--detach", *run_flags]
rest = words[2:]
image_at = rest.index("agent") - 1
i = 0
while i < len(rest):
    w = rest[i]
    if w == "--rm":  # kept, for its logs; the caller removes it
        i += 1; continue
    if w == "--name":
        out += ["--name", name]; i += 2; continue
    if w == "--log-driver":
        out += ["--log-driver", "k8s-file"]; i += 2; continue
    if w == "--volume":
        host, _, inside = rest[i + 1].partition(":")
        out += ["--volume", f"{under_root(host)}:{inside}"]; i += 2; continue
    if i == image_at:
        out += [image]; i += 1; continue
    out.append(w); i += 1
print("\n".join(out))
