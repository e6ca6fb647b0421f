"""The server histories against the scenario's schedules: every change a schedule made must be
in `server_changes` at its round (reachability down and up, the claimed version, the
certificate and key), no other change of those attributes may be, and the report's changes
table must show each at its round.
"""

import html as html_mod
import sqlite3

# The attributes a schedule changes; any change of them it did not make is a failure.
WATCHED = ("reachability", "version", "certificate", "key")


def read_changes(db_path):
    """[(server host, attribute, campaign, round, old value, new value)]: changes only, not the
    first values seen."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return list(db.execute(
            "SELECT server, attribute, campaign_id, round, old_value, new_value "
            "FROM server_changes WHERE old_value IS NOT NULL "
            "ORDER BY server, attribute, changed_us"))
    finally:
        db.close()


def compare(scenario, changes):
    """(rows, problems): per expected change whether the history has it at its round."""
    by_ip = scenario.server_by_ip()
    actual = {}
    for host, attribute, _campaign, rnd, _old, new in changes:
        if attribute in WATCHED:
            actual[(by_ip.get(host, host), attribute, rnd)] = new
    rows, problems = [], []
    expected = set()
    for name, attribute, rnd, value in scenario.expected_changes():
        expected.add((name, attribute, rnd))
        got = actual.get((name, attribute, rnd))
        ok = got is not None and (value is None or got == value)
        rows.append({"server": name, "attribute": attribute, "round": rnd, "expected": value,
                     "found": got, "ok": ok})
        if not ok:
            problems.append(f"{name}: {attribute} change before round {rnd} "
                            f"{'not in the history' if got is None else f'shows {got!r}'}")
    for (name, attribute, rnd), new in sorted(actual.items()):
        if (name, attribute, rnd) not in expected:
            problems.append(f"{name}: unexpected {attribute} change at round {rnd} to {new!r}")
    return rows, problems


def report_problems(scenario, changes, page):
    """The report's changes table must carry each expected change at its round."""
    by_ip = scenario.server_by_ip()
    problems = []
    for f in ("table-changes", "figure-availability", "figure-reachability", "figure-versions"):
        if f'id="{f}"' not in page:
            problems.append(f"report: no {f}")
    wanted = {(n, a, r) for n, a, r, _v in scenario.expected_changes()}
    for host, attribute, campaign, rnd, _old, _new in changes:
        if (by_ip.get(host, host), attribute, rnd) not in wanted:
            continue
        cells = "".join(f"<td>{html_mod.escape(v, quote=True)}</td>"
                        for v in (host, attribute, campaign)) + f'<td data-sort="{rnd}">{rnd}</td>'
        if cells not in page:
            problems.append(f"report: the changes table lacks {by_ip.get(host, host)} "
                            f"{attribute} at round {rnd}")
    return problems


def check(scenario, db_path, report_html):
    changes = read_changes(db_path)
    rows, problems = compare(scenario, changes)
    with open(report_html, encoding="utf-8") as f:
        problems += report_problems(scenario, changes, f.read())
    return {"rows": rows, "problems": problems, "ok": not problems}


def format_table(rows):
    lines = ["| server | attribute | before round | expected | in the history |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['server']} | {r['attribute']} | {r['round']} | "
                     f"{r['expected'] or '(a new hash)'} | "
                     f"{'yes' if r['ok'] else 'no'}: {r['found']} |")
    return "\n".join(lines)
