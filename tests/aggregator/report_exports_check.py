"""Reads every export of a report with pandas, as an analyst would: csv/<table>.csv with
pandas.read_csv and report.json with json + pandas.DataFrame, and checks that they agree.
Usage: /usr/bin/python3 report_exports_check.py REPORT_DIR EXPECTED_SERVERS HOSTILE_TEXT"""
import json
import pathlib
import sys

import pandas as pd

out = pathlib.Path(sys.argv[1])
expected_servers = int(sys.argv[2])
hostile = sys.argv[3]

with open(out / "report.json", encoding="utf-8") as f:
    tables = json.load(f)
csv_names = sorted(p.stem for p in (out / "csv").glob("*.csv"))
assert csv_names == sorted(tables), (csv_names, sorted(tables))
for name, rows in tables.items():
    frame = pd.read_csv(out / "csv" / f"{name}.csv", encoding="utf-8", keep_default_na=False)
    from_json = pd.DataFrame(rows)
    assert len(frame) == len(rows) == len(from_json), (name, len(frame), len(rows))
    if rows:
        assert sorted(frame.columns) == sorted(rows[0]), (name, list(frame.columns))
    print(f"{name}: {len(frame)} rows, {len(frame.columns)} columns")

servers = pd.read_csv(out / "csv" / "servers.csv", encoding="utf-8", keep_default_na=False)
from_json = pd.DataFrame(tables["servers"])
assert len(servers) == expected_servers, len(servers)
assert list(servers["server"]) == list(from_json["server"])
assert list(servers["asn"]) == list(from_json["asn"]), "integers read back as integers"
assert servers["uptime"].dtype.kind == "f" and from_json["uptime"].dtype.kind == "f"
# Commas, quotes and a line break inside a field survive the round trip.
assert set(servers["as_name"]) == {hostile}, set(servers["as_name"])
assert set(from_json["as_name"]) == {hostile}
print("pandas read every export")
