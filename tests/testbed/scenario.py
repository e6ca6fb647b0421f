"""Scenario files: the planted servers, the vantage regions and the ground truth.

A scenario (YAML, tests/testbed/scenarios/) names regions (each its own /24 and /48, with netem
settings), an optional Tor-exit vantage, and servers: a honeypot profile and rules, or a genuine
server (`real`: an ElectrumX release with its options, started by the runner on
`observatory chain`), kernel rules (`kernel`: iptables in the server namespace), a TLS
certificate (shared by name), peers (other servers of the scenario) and `expect`, the finding
kinds the server must produce (none for an honest server), plus `allow`, kinds that follow
from its planted behaviour and are not counted as false positives. A honeypot's `schedule`
changes it between rounds (stopped, started again, restarted claiming another version or with
another certificate); with `continuous: true` the campaign is a standing one (`rounds:
continuous`) that the runner ends after `rounds` rounds. This module validates the file and turns
it into the honeypot, agent and campaign configurations; it starts nothing.
"""

import copy
import ipaddress
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support" / "realserver"))
import electrumx_env  # noqa: E402

DIFFERENTIAL_DIMENSIONS = ("reachability", "content", "error", "rate_limit", "latency")
KINDS = tuple(f"differential.{d}" for d in DIFFERENTIAL_DIMENSIONS) + (
    "modified_implementation", "operator_cluster", "honeypot_suspicion", "phishing_broadcast",
    "query_leak")
IMPLEMENTATIONS = ("electrumx", "fulcrum", "electrs", "eps")
TOR_REGION = "torexit"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")

CONTROL_ADDRESSES = ["10.77.0.2/24", "fd77:0::2/48"]
TOR_ADDRESSES = ["10.77.9.2/24", "fd77:9::2/48"]
TCP_PORT = 50001
TLS_PORT = 50002
# Probes that query canaries when the task has a canary key and no `control=1`.
CANARY_PROBES = ("address_formats", "xpub_gap_scan")


class ScenarioError(ValueError):
    pass


def _require(cond, message):
    if not cond:
        raise ScenarioError(message)


def region_addresses(index):
    return [f"10.77.{10 + index}.2/24", f"fd77:{10 + index}::2/48"]


def server_addresses(index):
    return [f"10.77.{100 + index}.1/24", f"fd77:{100 + index}::1/48"]


class Scenario:
    def __init__(self, doc, source="scenario"):
        self.source = source
        _require(isinstance(doc, dict), f"{source}: not a mapping")
        known = {"name", "rounds", "round_spacing_s", "sync_window_s", "probes", "params",
                 "profiles", "politeness", "regions", "tor_exit", "servers", "description",
                 "canaries", "continuous"}
        unknown = set(doc) - known
        _require(not unknown, f"{source}: unknown keys {sorted(unknown)}")
        self.name = doc.get("name", "")
        _require(NAME_RE.match(self.name or ""), f"{source}: name: [a-z0-9-]+ required")
        self.rounds = int(doc.get("rounds", 3))
        _require(self.rounds >= 2, f"{source}: rounds: at least 2 (findings need repetition)")
        self.round_spacing_s = int(doc.get("round_spacing_s", 30))
        self.sync_window_s = int(doc.get("sync_window_s", 5))
        self.probes = list(doc.get("probes", []))
        _require(self.probes, f"{source}: probes: at least one")
        self.params = doc.get("params", {}) or {}
        self.profiles = doc.get("profiles")
        self.politeness = doc.get("politeness", {}) or {}
        self.canaries = bool(doc.get("canaries", False))
        self.continuous = bool(doc.get("continuous", False))
        self._load_regions(doc)
        self._load_servers(doc)
        self._check_canaries()

    def _load_regions(self, doc):
        regions = doc.get("regions") or []
        _require(len(regions) >= 2, f"{self.source}: regions: at least 2")
        self.regions = []
        for i, r in enumerate(regions):
            name = r.get("name", "")
            _require(NAME_RE.match(name) and name != TOR_REGION,
                     f"{self.source}: regions[{i}].name: [a-z0-9-]+, not '{TOR_REGION}'")
            self.regions.append({"name": name, "netem": r.get("netem", {}) or {},
                                 "addresses": region_addresses(i + 1)})
        names = [r["name"] for r in self.regions]
        _require(len(set(names)) == len(names), f"{self.source}: regions: duplicate names")
        tor = doc.get("tor_exit")
        self.tor_exit = None
        if tor is not None:
            self.tor_exit = {"name": TOR_REGION, "netem": (tor or {}).get("netem", {}) or {},
                             "addresses": TOR_ADDRESSES}

    def vantage_regions(self):
        return self.regions + ([self.tor_exit] if self.tor_exit else [])

    def _load_servers(self, doc):
        servers = doc.get("servers") or []
        _require(servers, f"{self.source}: servers: at least one")
        self.servers = []
        names = set()
        for i, s in enumerate(servers):
            where = f"{self.source}: servers[{i}]"
            known = {"name", "profile", "real", "kernel", "rules", "cert", "peers", "upstream",
                     "expect", "allow", "note", "schedule"}
            unknown = set(s) - known
            _require(not unknown, f"{where}: unknown keys {sorted(unknown)}")
            name = s.get("name", "")
            _require(NAME_RE.match(name), f"{where}.name: [a-z0-9-]+ required")
            _require(name not in names, f"{where}.name: duplicate {name}")
            names.add(name)
            real = self._real(s.get("real"), where)
            _require((real is None) != ("profile" not in s),
                     f"{where}: a honeypot 'profile' or a 'real' server, one of the two")
            _require(real is None or not (s.get("rules") or s.get("peers") or s.get("upstream")),
                     f"{where}: rules, peers and upstream are honeypot settings; a real server "
                     "misbehaves by its options or by kernel rules")
            profile = {"base": real["software"]} if real else s["profile"]
            base = profile.get("base", "")
            _require(base in IMPLEMENTATIONS, f"{where}.profile.base: one of {IMPLEMENTATIONS}")
            kernel = [self._kernel_rule(r, f"{where}.kernel[{j}]")
                      for j, r in enumerate(s.get("kernel", []) or [])]
            for key in ("expect", "allow"):
                for kind in s.get(key, []) or []:
                    _require(kind in KINDS, f"{where}.{key}: unknown kind '{kind}'")
            self.servers.append({
                "name": name, "profile": profile, "real": real, "kernel": kernel,
                "rules": s.get("rules", []) or [],
                "cert": s.get("cert", name), "peers": s.get("peers", []) or [],
                "upstream": s.get("upstream"),
                "expect": sorted(set(s.get("expect", []) or [])),
                "allow": sorted(set(s.get("allow", []) or [])),
                "addresses": server_addresses(i + 1), "index": i + 1,
                "schedule": self._schedule(s.get("schedule"), real, where),
            })
        for s in self.servers:
            up = s["upstream"]
            _require(up is None or (up in names and up != s["name"]),
                     f"{self.source}: {s['name']}.upstream: '{up}' is not another server")
            _require(up is None or not s["rules"],
                     f"{self.source}: {s['name']}: rules do not apply to an upstream relay")
            for p in s["peers"]:
                _require(p in names and p != s["name"],
                         f"{self.source}: {s['name']}.peers: '{p}' is not another server")
            for j, rule in enumerate(s["rules"]):
                self._rule(rule, f"{self.source}: {s['name']}.rules[{j}]")

    def canary_probes(self):
        """The scenario's probes that query canaries (not kept on the test vectors by
        `control: 1`)."""
        return [p for p in self.probes if p in CANARY_PROBES
                and str((self.params.get(p) or {}).get("control", "0")) != "1"]

    def _check_canaries(self):
        # A leak is seen only through canaries the campaign issued.
        leaky = [s["name"] for s in self.servers if "query_leak" in s["expect"]]
        for name in leaky:
            _require(self.canaries and self.canary_probes(),
                     f"{self.source}: {name} expects query_leak: needs canaries: true and a "
                     f"probe querying canaries ({', '.join(CANARY_PROBES)} without control)")
        if self.canaries:
            _require(self.canary_probes(),
                     f"{self.source}: canaries: true but no probe queries canaries")

    def _real(self, real, where):
        """A genuine server: {software: electrumx, version: <a release of
        scripts/electrumx-versions.txt>, options: {ENV: value}}."""
        if real is None:
            return None
        _require(isinstance(real, dict), f"{where}.real: a mapping")
        unknown = set(real) - {"software", "version", "options"}
        _require(not unknown, f"{where}.real: unknown keys {sorted(unknown)}")
        _require(real.get("software") == "electrumx", f"{where}.real.software: electrumx")
        version = str(real.get("version", ""))
        listed = [r.version for r in electrumx_env.releases()]
        _require(version in listed, f"{where}.real.version: one of {listed}")
        options = {str(k): str(v) for k, v in (real.get("options") or {}).items()}
        return {"software": "electrumx", "version": version, "options": options}

    def _kernel_rule(self, rule, where):
        """{reject: [regions]}: the server's host resets TCP connections from those regions'
        subnets (iptables in the server namespace), as an operator's firewall would."""
        _require(isinstance(rule, dict) and set(rule) == {"reject"},
                 f"{where}: {{reject: [regions]}}")
        by_name = {r["name"]: r for r in self.vantage_regions()}
        subnets = []
        for name in rule["reject"] or []:
            _require(name in by_name, f"{where}.reject: unknown region '{name}'")
            subnets += [subnet_cidr(a) for a in by_name[name]["addresses"] if ":" not in a]
        _require(subnets, f"{where}.reject: at least one region")
        return {"reject": subnets}

    def _schedule(self, schedule, real, where):
        """Changes between rounds: [{before_round: K, action: stop | start | restart,
        server_version: "...", cert: NAME}], applied shortly before round K (0-based, as the
        results number rounds) starts; restart takes server_version and/or cert."""
        if not schedule:
            return []
        _require(real is None, f"{where}.schedule: honeypots only")
        out = []
        for j, event in enumerate(schedule):
            at = f"{where}.schedule[{j}]"
            _require(isinstance(event, dict), f"{at}: a mapping")
            unknown = set(event) - {"before_round", "action", "server_version", "cert"}
            _require(not unknown, f"{at}: unknown keys {sorted(unknown)}")
            k = event.get("before_round")
            _require(isinstance(k, int) and 1 <= k < self.rounds,
                     f"{at}.before_round: a round from 1 to {self.rounds - 1}")
            action = event.get("action")
            _require(action in ("stop", "start", "restart"), f"{at}.action: stop|start|restart")
            changes = {key: str(event[key]) for key in ("server_version", "cert") if key in event}
            _require((action == "restart") == bool(changes),
                     f"{at}: restart takes server_version or cert, and only restart does")
            out.append({"before_round": k, "action": action, **changes})
        rounds = [e["before_round"] for e in out]
        _require(rounds == sorted(rounds) and len(set(rounds)) == len(rounds),
                 f"{where}.schedule: one event per round, in round order")
        running = True
        for e in out:
            _require(e["action"] != "stop" or running, f"{where}.schedule: stop while stopped")
            _require(e["action"] == "stop" or e["action"] == "restart" or not running,
                     f"{where}.schedule: start while running")
            _require(e["action"] != "restart" or running, f"{where}.schedule: restart while stopped")
            running = e["action"] != "stop"
        return out

    def expected_changes(self):
        """What the server histories must show, from the schedules: (server, attribute, round,
        new value or None when it is a hash we do not know in advance)."""
        out = []
        for s in self.servers:
            for e in s["schedule"]:
                k = e["before_round"]
                if e["action"] in ("stop", "start"):
                    out.append((s["name"], "reachability", k,
                                "down" if e["action"] == "stop" else "up"))
                if "server_version" in e:
                    out.append((s["name"], "version", k, e["server_version"]))
                if "cert" in e:
                    out.append((s["name"], "certificate", k, None))
                    out.append((s["name"], "key", k, None))
        return out

    def real_servers(self):
        return [s for s in self.servers if s["real"]]

    def _rule(self, rule, where):
        """A rule's match translated to honeypot terms (regions -> subnets); validates it."""
        _require(isinstance(rule, dict) and "action" in rule, f"{where}: needs an action")
        out = copy.deepcopy(rule)
        match = dict(out.get("match", {}) or {})
        regions = match.pop("regions", None)
        if regions is not None:
            by_name = {r["name"]: r for r in self.vantage_regions()}
            subnets = []
            for name in regions:
                _require(name in by_name, f"{where}.match.regions: unknown region '{name}'")
                subnets += [subnet_cidr(a) for a in by_name[name]["addresses"]]
            match["subnets"] = subnets
        if match.get("tor_exit"):
            _require(self.tor_exit is not None, f"{where}: tor_exit match without a tor_exit")
        if match:
            out["match"] = match
        return out

    # --- derived configurations -------------------------------------------------------------

    def server_ip(self, server):
        return server["addresses"][0].split("/")[0]

    def behaves_as(self, server):
        """The implementation a server behaves as: its profile's base (a real server's software),
        or for a relay the implementation of the server it relays to."""
        seen = set()
        while server["upstream"] and server["name"] not in seen:
            seen.add(server["name"])
            server = next(s for s in self.servers if s["name"] == server["upstream"])
        return server["profile"]["base"]

    def server_by_ip(self):
        return {self.server_ip(s): s["name"] for s in self.servers}

    def honeypot_config(self, server, cert_file, key_file, server_version=None):
        """`server_version`: the claim a schedule's restart gives it instead of the profile's."""
        profile = copy.deepcopy(server["profile"])
        profile.setdefault("name", server["name"])
        if server_version:
            profile["server_version"] = server_version
        rules = [self._rule(r, server["name"]) for r in server["rules"]]
        if rules:
            profile["rules"] = rules
        if self.tor_exit:
            profile["tor_exits"] = [TOR_ADDRESSES[0].split("/")[0]]
        if server["peers"]:
            by_name = {s["name"]: s for s in self.servers}
            profile["peers"] = [[self.server_ip(by_name[p]), self.server_ip(by_name[p]),
                                 ["v1.4", f"s{TLS_PORT}", f"t{TCP_PORT}"]]
                                for p in server["peers"]]
        ip = self.server_ip(server)
        config = {
            "honeypot_id": f"tb-{server['name']}",
            "listeners": [
                {"host": ip, "port": TCP_PORT},
                {"host": ip, "port": TLS_PORT, "transport": "tls", "cert_file": cert_file,
                 "key_file": key_file},
            ],
            "profile": profile,
        }
        if server["upstream"]:
            # A relay: every query goes on to another server (a query leak by construction).
            by_name = {s["name"]: s for s in self.servers}
            config["upstream"] = f"{self.server_ip(by_name[server['upstream']])}:{TCP_PORT}:t"
        return config

    def campaign(self, name, known_probes, canary_secret_hex=None):
        """The campaign file. A probe the scenario needs and the binary lacks fails the run: its
        planted findings could not be found, and leaving it out would hide that. With canaries,
        `canary_secret_hex` is the campaign's secret (the runner draws it per run)."""
        missing = [p for p in self.probes if p not in known_probes]
        _require(not missing, f"{self.source}: the scenario needs probes this observatory binary "
                              f"lacks: {', '.join(missing)}")
        probes = list(self.probes)
        doc = {
            "name": name,
            "targets": {"list": [f"{self.server_ip(s)}:{TLS_PORT}:s" for s in self.servers]},
            "probes": probes,
            "vantages": [{"region": r["name"]} for r in self.vantage_regions()],
            "rounds": "continuous" if self.continuous else self.rounds,
            "round_spacing_s": self.round_spacing_s,
            "sync_window_s": self.sync_window_s,
            "politeness": self.politeness,
        }
        params = {k: v for k, v in self.params.items() if k in probes}
        if params:
            doc["params"] = params
        if self.profiles:
            doc["profiles"] = self.profiles
        if self.canaries:
            _require(canary_secret_hex, f"{self.source}: canaries need a secret")
            doc["canary_secret"] = canary_secret_hex
        return doc

    def agent_config(self, region):
        ip = region["addresses"][0].split("/")[0]
        return {
            "agent_id": agent_id(region),
            "vantages": [{"id": region["name"], "region": region["name"], "provider": "testbed",
                          "bind": ip}],
            "politeness": {k: v for k, v in self.politeness.items()
                           if k in ("max_requests_per_second_per_target",
                                    "max_concurrency_per_target", "backoff_after_error_ms")},
        }

    def cert_groups(self):
        """Certificate name -> servers presenting it (a shared name is one shared key pair)."""
        groups = {}
        for s in self.servers:
            groups.setdefault(s["cert"], []).append(s["name"])
            for e in s["schedule"]:
                if "cert" in e and s["name"] not in groups.setdefault(e["cert"], []):
                    groups[e["cert"]].append(s["name"])
        return groups


def agent_id(region):
    return f"agent-{region['name']}"


def subnet_cidr(address):
    """The /24 (IPv4) or /48 (IPv6) holding an address given in CIDR form."""
    net = ipaddress.ip_network(address, strict=False)
    bits = 24 if net.version == 4 else 48
    return str(ipaddress.ip_network(f"{net.network_address}/{bits}", strict=False))


def load(path):
    with open(path) as f:
        return Scenario(yaml.safe_load(f), source=str(path))
