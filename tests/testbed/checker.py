"""The check: what the aggregator found against what the scenario planted.

Findings are read from the `findings` table when the results database has one with rows;
otherwise from the analysis tables it is built from (differential rows with status 'finding',
fingerprints.modified, operator clusters). It forgives nothing: a planted finding that is missed
is a failure, whatever the source tree or the run's probe list says (a scenario whose probes the
binary lacks does not run at all: scenario.campaign refuses it).
"""

import json
import sqlite3
from urllib.parse import urlsplit

from scenario import IMPLEMENTATIONS, KINDS


def host_of_target(target_id):
    """'tls://10.77.101.1:50002' -> '10.77.101.1' (IPv6 hosts come in brackets)."""
    return urlsplit(target_id).hostname or target_id


def _tables(db):
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def read_findings(db):
    """(source, {(server host, kind)}): from `findings` when it has rows, else from the
    analysis tables."""
    if "findings" in _tables(db) and db.execute("SELECT count(*) FROM findings").fetchone()[0]:
        found = {(server, kind) for server, kind in
                 db.execute("SELECT DISTINCT server, kind FROM findings")}
        return "findings table", found
    found = set()
    for target, dimension in db.execute(
            "SELECT DISTINCT target_id, dimension FROM differential WHERE status = 'finding'"):
        found.add((host_of_target(target), f"differential.{dimension}"))
    for (target,) in db.execute("SELECT target_id FROM fingerprints WHERE modified != 0"):
        found.add((host_of_target(target), "modified_implementation"))
    for (server,) in db.execute(
            "SELECT m.server FROM operator_members m JOIN operator_clusters c "
            "ON m.cluster_id = c.cluster_id WHERE c.servers >= 2"):
        found.add((server, "operator_cluster"))
    return "analysis tables", found


def read_fingerprints(db):
    """server host -> (claimed implementation or None, inferred implementation)."""
    out = {}
    for target, claimed, inferred in db.execute(
            "SELECT target_id, claimed_implementation, implementation FROM fingerprints"):
        out[host_of_target(target)] = (claimed, inferred)
    return out


def read_behaviour(db):
    """server host -> its behaviour group (aggregator/behaviour), or None without the tables."""
    if "behaviour_members" not in _tables(db):
        return None
    return dict(db.execute("SELECT server, cluster_id FROM behaviour_members"))


def behaviour_problems(scenario, groups):
    """Each planted fake (`expect: [modified_implementation]`) must fall outside its honest peers'
    behaviour groups: its group holds no server that was not planted as a fake too. Honest servers
    that behave as one implementation (relays as the server they relay to) must share one group:
    where and when a vantage looked may not split them. A database from an aggregator before
    behaviour clusters (schema v7) has no groups to check."""
    if groups is None:
        return []
    problems = []
    by_name = {name: groups.get(ip) for ip, name in scenario.server_by_ip().items()}
    fakes = {s["name"] for s in scenario.servers if "modified_implementation" in s["expect"]}
    for fake in sorted(fakes):
        if by_name[fake] is None:
            problems.append(f"{fake}: no behaviour vector")
            continue
        honest = sorted(n for n, g in by_name.items() if g == by_name[fake] and n not in fakes)
        if honest:
            problems.append(f"{fake}: in behaviour group {by_name[fake]} with honest "
                            + ", ".join(honest))
    peers = {}
    for s in scenario.servers:
        if s["name"] not in fakes:
            peers.setdefault(scenario.behaves_as(s), []).append(s["name"])
    for implementation, names in sorted(peers.items()):
        split = sorted({by_name[n] or "none" for n in names})
        if len(split) > 1:
            problems.append(f"honest {implementation} servers split over behaviour groups "
                            + ", ".join(f"{g}: " + " ".join(sorted(n for n in names
                                                                   if (by_name[n] or "none") == g))
                                        for g in split))
    return problems


def compare(scenario, found):
    """Per kind: planted, found, missed, false positives; and per server its verdict lines.

    A (server, kind) pair is planted when the server's `expect` lists the kind. Found: planted
    and reported. A false positive: reported for a server whose `expect` and `allow` both leave
    the kind out (every kind on an honest server). Findings for hosts outside the scenario are
    false positives too."""
    by_ip = scenario.server_by_ip()
    reported = {}
    for host, kind in found:
        reported.setdefault(by_ip.get(host, host), set()).add(kind)
    rows = {k: {"planted": 0, "found": 0, "missed": 0, "false_positives": 0} for k in KINDS}
    problems = []
    servers = {s["name"]: s for s in scenario.servers}
    for name, s in servers.items():
        got = reported.get(name, set())
        for kind in s["expect"]:
            rows[kind]["planted"] += 1
            if kind in got:
                rows[kind]["found"] += 1
            else:
                rows[kind]["missed"] += 1
                problems.append(f"{name}: missed {kind}")
        for kind in sorted(got - set(s["expect"]) - set(s["allow"])):
            rows.setdefault(kind, {"planted": 0, "found": 0, "missed": 0, "false_positives": 0})
            rows[kind]["false_positives"] += 1
            problems.append(f"{name}: unexpected {kind}")
    for host in sorted(set(reported) - set(servers)):
        for kind in sorted(reported[host]):
            rows.setdefault(kind, {"planted": 0, "found": 0, "missed": 0, "false_positives": 0})
            rows[kind]["false_positives"] += 1
            problems.append(f"{host} (not in the scenario): {kind}")
    for kind, row in rows.items():
        tp, fp, planted = row["found"], row["false_positives"], row["planted"]
        row["precision"] = tp / (tp + fp) if tp + fp else None
        row["recall"] = tp / planted if planted else None
    return rows, problems


def confusion(scenario, fingerprints):
    """{(true implementation, inferred implementation): servers}; truth = what the server
    behaves as, whatever it claims (scenario.behaves_as)."""
    by_ip = scenario.server_by_ip()
    truth = {s["name"]: scenario.behaves_as(s) for s in scenario.servers}
    matrix = {}
    for host, (_claimed, inferred) in fingerprints.items():
        name = by_ip.get(host)
        if name is None:
            continue
        key = (truth[name], inferred or "unknown")
        matrix[key] = matrix.get(key, 0) + 1
    for name in truth:
        ip = scenario.server_ip(next(s for s in scenario.servers if s["name"] == name))
        if ip not in fingerprints:
            key = (truth[name], "no fingerprint")
            matrix[key] = matrix.get(key, 0) + 1
    return matrix


def _fmt(x):
    return "–" if x is None else f"{x:.2f}"


def format_table(rows):
    lines = ["| finding kind | planted | found | missed | false positives | precision | recall |",
             "|---|---|---|---|---|---|---|"]
    for kind in sorted(rows):
        r = rows[kind]
        if not (r["planted"] or r["false_positives"] or r["found"]):
            continue
        lines.append(f"| {kind} | {r['planted']} | {r['found']} | {r['missed']} | "
                     f"{r['false_positives']} | {_fmt(r['precision'])} | {_fmt(r['recall'])} |")
    return "\n".join(lines)


def format_confusion(matrix):
    inferred = sorted({i for (_t, i) in matrix} | set(IMPLEMENTATIONS))
    lines = ["| behaves as \\ inferred | " + " | ".join(inferred) + " |",
             "|---|" + "---|" * len(inferred)]
    for t in IMPLEMENTATIONS:
        lines.append(f"| {t} | " + " | ".join(str(matrix.get((t, i), 0)) for i in inferred)
                     + " |")
    return "\n".join(lines)


def check(scenario, db_path):
    """Everything the report needs, as one dict (also written as JSON by the runner)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        source, found = read_findings(db)
        fingerprints = read_fingerprints(db)
        behaviour = read_behaviour(db)
    finally:
        db.close()
    rows, problems = compare(scenario, found)
    problems += behaviour_problems(scenario, behaviour)
    matrix = confusion(scenario, fingerprints)
    by_ip = scenario.server_by_ip()
    return {
        "source": source,
        "rows": rows,
        "problems": problems,
        "behaviour_groups": {by_ip.get(h, h): g for h, g in sorted((behaviour or {}).items())},
        "confusion": {f"{t}->{i}": n for (t, i), n in sorted(matrix.items())},
        "table": format_table(rows),
        "confusion_table": format_confusion(matrix),
        "found": sorted(f"{scenario.server_by_ip().get(h, h)}: {k}" for h, k in found),
        "ok": not problems,
    }


def to_json(result):
    return json.dumps({k: v for k, v in result.items() if k not in ("table", "confusion_table")},
                      indent=2, sort_keys=True)
