#!/usr/bin/env python3
"""Writes the Grafana dashboards of helm/electrum-observatory/dashboards/ (plain dashboard JSON,
one file per dashboard; the chart renders them into ConfigMaps, people without Kubernetes import
them). Edit the panels here and run it; live_check.py fails when a committed file differs from
what this writes (`--check`), so the JSON never drifts from its source.

Every panel queries the `datasource` template variable's Prometheus with `$__rate_interval`;
agent and honeypot panels select instances by `eo_build_info{component=...}` so they need no
relabelling of the deployment."""
import argparse
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[3] / "helm" / "electrum-observatory" / "dashboards"
DS = {"type": "prometheus", "uid": "${datasource}"}
TAG = "electrum-observatory"


def target(expr, legend="", ref="A", instant=False):
    t = {"datasource": DS, "refId": ref, "expr": expr, "editorMode": "code"}
    if legend:
        t["legendFormat"] = legend
    if instant:
        t["instant"] = True
        t["range"] = False  # one bar per series (legendFormat), not a table
    else:
        t["range"] = True
    return t


def targets(*queries, instant=False):
    refs = "ABCDEFGH"
    return [target(q[0], q[1] if len(q) > 1 else "", refs[i], instant)
            for i, q in enumerate(queries)]


def field_config(unit="short", decimals=None, min_=None, max_=None, thresholds=None):
    d = {"unit": unit}
    if decimals is not None:
        d["decimals"] = decimals
    if min_ is not None:
        d["min"] = min_
    if max_ is not None:
        d["max"] = max_
    steps = [{"color": "green", "value": None}]
    for value, color in thresholds or []:
        steps.append({"color": color, "value": value})
    d["thresholds"] = {"mode": "absolute", "steps": steps}
    d["color"] = {"mode": "palette-classic" if not thresholds else "thresholds"}
    return {"defaults": d, "overrides": []}


def timeseries(title, description, queries, unit="short", w=12, **kw):
    return sized(w, {
        "type": "timeseries", "title": title, "description": description, "datasource": DS,
        "targets": targets(*queries), "fieldConfig": field_config(unit, **kw),
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True,
                               "calcs": []},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
    })


def stat(title, description, queries, unit="short", w=12, thresholds=None, **kw):
    return sized(w, {
        "type": "stat", "title": title, "description": description, "datasource": DS,
        "targets": targets(*queries), "fieldConfig": field_config(unit, thresholds=thresholds, **kw),
        "options": {"graphMode": "area", "colorMode": "value", "justifyMode": "auto",
                    "textMode": "auto", "wideLayout": True, "showPercentChange": False,
                    "percentChangeColorMode": "standard", "orientation": "auto",
                    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
    })


def bargauge(title, description, queries, unit="short", w=12, thresholds=None, **kw):
    return sized(w, {
        "type": "bargauge", "title": title, "description": description, "datasource": DS,
        "targets": targets(*queries, instant=True),
        "fieldConfig": field_config(unit, thresholds=thresholds, **kw),
        "options": {"displayMode": "gradient", "valueMode": "color", "namePlacement": "auto",
                    "showUnfilled": True, "sizing": "auto", "minVizWidth": 8,
                    "minVizHeight": 16, "maxVizHeight": 300, "orientation": "horizontal",
                    "legend": {"displayMode": "list", "placement": "bottom", "showLegend": False,
                               "calcs": []},
                    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
    })


def sized(w, panel):
    panel["w"] = w
    return panel


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


def datasource_var():
    return {"name": "datasource", "label": "Data source", "type": "datasource",
            "query": "prometheus", "hide": 0, "refresh": 1, "regex": "",
            "options": [], "skipUrlSync": False}


def query_var(name, label, query, description):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "description": description,
            "query": {"query": query, "refId": f"{name}-variable", "qryType": 1},
            "definition": query, "hide": 0, "refresh": 2, "regex": "", "sort": 1,
            "multi": True, "includeAll": True, "allValue": ".*", "options": [],
            "skipUrlSync": False}


def layout(items):
    """Rows take the full width; other panels flow in a 24-column grid, `w` wide (default 12),
    8 high (stat 4)."""
    panels, x, y, h_row, pid = [], 0, 0, 0, 1
    for p in items:
        p = dict(p)
        p["id"] = pid
        pid += 1
        if p["type"] == "row":
            if x:
                y, x, h_row = y + h_row, 0, 0
            p["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": y}
            y += 1
        else:
            w = p.pop("w", 12)
            h = p.pop("h", 4 if p["type"] == "stat" else 8)
            if x + w > 24:
                y, x, h_row = y + h_row, 0, 0
            p["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
            x += w
            h_row = max(h_row, h)
        panels.append(p)
    return panels


def dashboard(uid, title, description, variables, items):
    return {
        "uid": uid, "title": title, "description": description, "tags": [TAG],
        "timezone": "browser", "editable": True, "graphTooltip": 1, "schemaVersion": 39,
        "version": 1, "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "timepicker": {}, "fiscalYearStartMonth": 0, "liveNow": False, "weekStart": "",
        "links": [{"title": "Electrum Observatory", "type": "dashboards", "tags": [TAG],
                   "asDropdown": True, "includeVars": False, "keepTime": True,
                   "targetBlank": False, "icon": "external link", "tooltip": "", "url": ""}],
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}]},
        "templating": {"list": [datasource_var()] + variables},
        "panels": layout(items),
    }


AGENT = 'instance=~"$agent"'
AGENT_VAR = query_var("agent", "Agent", 'label_values(eo_build_info{component=~"agent|local"}, instance)',
                      "Agent processes by scrape instance (observatory local counts as one)")


def fleet():
    return dashboard(
        "eo-fleet", "Electrum Observatory / Fleet",
        "Agents: who is connected where, what they probe, how fast, and whether their "
        "observations reach the bus.",
        [query_var("region", "Region", "label_values(eo_coordinator_agents_connected, region)",
                   "Vantage regions the coordinator has seen"), AGENT_VAR],
        [
            row("Agents"),
            stat("Agents connected", "Agents with an open task stream (coordinator)",
                 [("sum(eo_coordinator_agents_connected{region=~\"$region\"})",)], w=6),
            stat("Agent processes up", "Agent scrape targets answering now (Prometheus `up`)",
                 [(f"sum(up and on (job, instance) max by (job, instance) "
                   f"(max_over_time(eo_build_info{{component=~\"agent|local\",{AGENT}}}[1h])))",)], w=6),
            stat("Agent processes down", "Agent scrape targets seen within the hour that do not answer",
                 [(f"count(up == 0 and on (job, instance) max by (job, instance) "
                   f"(max_over_time(eo_build_info{{component=~\"agent|local\",{AGENT}}}[1h]))) or vector(0)",)],
                 w=6, thresholds=[(1, "red")]),
            stat("Probes in flight", "Probes running now over all agents",
                 [(f"sum(eo_agent_probes_in_flight{{{AGENT}}})",)], w=6),
            timeseries("Agents by region and network",
                       "Connected agents per vantage region and network (clearnet, tor); a region "
                       "whose last agent left reads 0",
                       [("sum by (region, network) (eo_coordinator_agents_connected{region=~\"$region\"})",
                         "{{region}} / {{network}}")], decimals=0, min_=0),
            timeseries("Agent processes up", "Prometheus `up` per agent instance",
                       [(f"up and on (job, instance) max by (job, instance) "
                         f"(max_over_time(eo_build_info{{component=~\"agent|local\",{AGENT}}}[1h]))",
                         "{{instance}}")], decimals=0, min_=0, max_=1),
            row("Probes"),
            timeseries("Probe rate by outcome", "Probes finished per second, by outcome",
                       [(f"sum by (outcome) (rate(eo_agent_probes_total{{{AGENT}}}[$__rate_interval]))",
                         "{{outcome}}")], unit="ops"),
            timeseries("Probe rate by agent", "Probes finished per second, by agent instance",
                       [(f"sum by (instance) (rate(eo_agent_probes_total{{{AGENT}}}[$__rate_interval]))",
                         "{{instance}}")], unit="ops"),
            timeseries("Probes not OK by probe",
                       "Share of probes whose outcome is neither OUTCOME_OK nor OUTCOME_RPC_ERROR "
                       "(refused, timeout, TLS, proxy ... failures)",
                       [(f"(sum by (probe) (rate(eo_agent_probes_total{{outcome!~\"OUTCOME_OK|OUTCOME_RPC_ERROR\",{AGENT}}}[$__rate_interval])) "
                         f"or 0 * sum by (probe) (rate(eo_agent_probes_total{{{AGENT}}}[$__rate_interval]))) "
                         f"/ sum by (probe) (rate(eo_agent_probes_total{{{AGENT}}}[$__rate_interval]))",
                         "{{probe}}")], unit="percentunit", min_=0, max_=1),
            timeseries("Probe latency p50 / p95", "Wall time of one probe, over all agents",
                       [(f"histogram_quantile(0.95, sum by (le, probe) (rate(eo_agent_probe_duration_seconds_bucket{{{AGENT}}}[$__rate_interval])))",
                         "p95 {{probe}}"),
                        (f"histogram_quantile(0.5, sum by (le) (rate(eo_agent_probe_duration_seconds_bucket{{{AGENT}}}[$__rate_interval])))",
                         "p50 all")], unit="s"),
            row("Delivery"),
            timeseries("Spool depth", "Observations in an agent's local spool not yet acknowledged "
                       "by Kafka (0 on the embedded log)",
                       [(f"max by (instance) (eo_agent_observations{{state=\"spool_depth\",{AGENT}}})",
                         "{{instance}}")], min_=0, thresholds=[(1000, "orange"), (100000, "red")]),
            timeseries("Delivery errors", "Failed delivery attempts per second (each is retried, "
                       "nothing is lost; persistent errors stall the spool)",
                       [(f"sum by (instance) (rate(eo_agent_observations{{state=\"delivery_errors\",{AGENT}}}[$__rate_interval]))",
                         "{{instance}}")], unit="ops"),
            timeseries("Observations published, delivered, replayed",
                       "Per second, over the selected agents",
                       [(f"sum by (state) (rate(eo_agent_observations{{state=~\"published|delivered|replayed\",{AGENT}}}[$__rate_interval]))",
                         "{{state}}")], unit="ops", w=24),
        ])


def campaigns():
    C = 'campaign=~"$campaign"'
    return dashboard(
        "eo-campaigns", "Electrum Observatory / Campaigns",
        "The coordinator: campaign progress, task leases, expiries and how late tasks start.",
        [query_var("campaign", "Campaign", "label_values(eo_coordinator_tasks, campaign)",
                   "Running campaigns")],
        [
            row("Progress"),
            stat("Rounds started", "Campaign rounds whose tasks were created, in the time range",
                 [("sum(increase(eo_coordinator_rounds_started_total[$__range]))",)], w=6, decimals=0),
            stat("Lease expiries", "Leases that ran out (agent gone) in the time range",
                 [("sum(increase(eo_coordinator_lease_expiries_total[$__range]))",)], w=6,
                 decimals=0, thresholds=[(1, "orange")]),
            stat("Tasks queued", "Tasks waiting for an agent of their vantage class",
                 [(f"sum(eo_coordinator_tasks{{state=\"queued\",{C}}})",)], w=6),
            stat("Targets discovered", "Targets added from what servers advertised, in the time range",
                 [("sum(increase(eo_coordinator_targets_discovered_total[$__range]))",)], w=6, decimals=0),
            timeseries("Campaign progress", "Finished (done or failed) tasks over tasks created so far",
                       [(f"max by (campaign) (eo_coordinator_campaign_progress_ratio{{{C}}})",
                         "{{campaign}}")], unit="percentunit", min_=0, max_=1),
            timeseries("Tasks by state", "Tasks of running campaigns",
                       [(f"sum by (campaign, state) (eo_coordinator_tasks{{{C}}})",
                         "{{campaign}} {{state}}")], min_=0),
            row("Leases"),
            timeseries("Leases and completions", "Leases sent to agents and completions they "
                       "reported, per second",
                       [("sum(rate(eo_coordinator_leases_total[$__rate_interval]))", "leases"),
                        ("sum by (result) (rate(eo_coordinator_completions_total[$__rate_interval]))",
                         "completed {{result}}")], unit="ops"),
            timeseries("Lease expiries and late leases",
                       "Leases that ran out per second (their agent went away), and leases handed "
                       "out after their round's sync window closed",
                       [("sum(rate(eo_coordinator_lease_expiries_total[$__rate_interval]))", "expired"),
                        ("sum(rate(eo_coordinator_leases_after_window_total[$__rate_interval]))",
                         "after the sync window")], unit="ops"),
            timeseries("Scheduling lag", "From a task's planned start to its lease",
                       [("histogram_quantile(0.5, sum by (le) (rate(eo_coordinator_scheduling_lag_seconds_bucket[$__rate_interval])))", "p50"),
                        ("histogram_quantile(0.95, sum by (le) (rate(eo_coordinator_scheduling_lag_seconds_bucket[$__rate_interval])))", "p95"),
                        ("histogram_quantile(0.99, sum by (le) (rate(eo_coordinator_scheduling_lag_seconds_bucket[$__rate_interval])))", "p99")],
                       unit="s"),
            timeseries("Mean scheduling lag", "Mean time from planned start to lease",
                       [("sum(rate(eo_coordinator_scheduling_lag_seconds_sum[$__rate_interval])) / sum(rate(eo_coordinator_scheduling_lag_seconds_count[$__rate_interval]))",
                         "mean")], unit="s"),
        ])


def findings():
    return dashboard(
        "eo-findings", "Electrum Observatory / Findings",
        "The aggregator's analyses: findings by kind, modified implementations, honeypot suspicion.",
        [],
        [
            row("Now"),
            stat("Findings", "Findings of the last analysis pass", [("sum(eo_aggregator_findings)",)],
                 w=6, decimals=0),
            stat("Modified implementations", "Targets whose claimed software their behaviour contradicts",
                 [("max(eo_aggregator_modified_implementations)",)], w=6, decimals=0,
                 thresholds=[(1, "orange")]),
            stat("Suspected honeypots", "Servers with a honeypot_suspicion finding",
                 [("sum(eo_aggregator_findings{kind=\"honeypot_suspicion\"})",)], w=6, decimals=0,
                 thresholds=[(1, "red")]),
            stat("Servers known", "Servers in the inventory", [("max(eo_aggregator_servers_known)",)],
                 w=6, decimals=0),
            row("Over time"),
            timeseries("Findings by kind", "Findings of each analysis pass, by kind",
                       [("sum by (kind) (eo_aggregator_findings)", "{{kind}}")], decimals=0, min_=0),
            timeseries("Published and withdrawn", "Findings published on findings.v1 (new or changed) "
                       "and withdrawals of those that no longer hold, per interval",
                       [("sum(increase(eo_aggregator_findings_published_total[$__rate_interval]))", "published"),
                        ("sum(increase(eo_aggregator_findings_withdrawn_total[$__rate_interval]))", "withdrawn")]),
            timeseries("Modified implementations", "Targets whose claimed software their behaviour "
                       "contradicts, per analysis pass",
                       [("max(eo_aggregator_modified_implementations)", "modified")], decimals=0, min_=0),
            bargauge("Top honeypot suspicion", "The ten highest suspicion scores (data/suspicion.yaml "
                     "weights; the aggregator exports its top 20)",
                     [("topk(10, max by (server) (eo_aggregator_suspicion_score))", "{{server}}")],
                     min_=0, thresholds=[(1, "orange"), (2, "red")]),
        ])


def honeypot():
    H = 'instance=~"$honeypot"'
    return dashboard(
        "eo-honeypot", "Electrum Observatory / Honeypot",
        "The honeypot's own Electrum server: sessions, requests, errors; and what its recorded "
        "events let an operator infer (wallets), from the aggregator.",
        [query_var("honeypot", "Honeypot", 'label_values(eo_build_info{component="honeypot"}, instance)',
                   "Honeypot processes by scrape instance")],
        [
            row("Server"),
            stat("Sessions open", "Client sessions open now",
                 [(f"sum(eo_honeypot_sessions{{{H}}})",)], w=6, decimals=0),
            stat("Requests", "Requests handled in the time range (batch items count)",
                 [(f"sum(increase(eo_honeypot_requests_total{{{H}}}[$__range]))",)], w=6, decimals=0),
            stat("Wallets inferred", "Wallets the recorded sessions link into by shared script "
                 "hashes (aggregator, last analysis pass)",
                 [("max(eo_aggregator_honeypot_wallets)",)], w=6, decimals=0),
            stat("Sessions recorded", "Honeypot sessions in the results database (aggregator)",
                 [("max(eo_aggregator_honeypot_sessions)",)], w=6, decimals=0),
            timeseries("Sessions open", "Client sessions open now, by honeypot",
                       [(f"sum by (instance) (eo_honeypot_sessions{{{H}}})", "{{instance}}")],
                       decimals=0, min_=0),
            timeseries("Connections by transport", "Client connections accepted per second",
                       [(f"sum by (transport) (rate(eo_honeypot_connections_total{{{H}}}[$__rate_interval]))",
                         "{{transport}}")], unit="ops"),
            timeseries("Requests and notifications", "Per second",
                       [(f"sum(rate(eo_honeypot_requests_total{{{H}}}[$__rate_interval]))", "requests"),
                        (f"sum(rate(eo_honeypot_lines_total{{{H}}}[$__rate_interval]))", "lines"),
                        (f"sum(rate(eo_honeypot_notifications_total{{{H}}}[$__rate_interval]))",
                         "notifications")], unit="ops"),
            timeseries("Errors and refusals", "Per second: error replies and unreadable lines, "
                       "refused connections (rules, caps), oversize lines, session tasks that threw",
                       [(f"sum(rate(eo_honeypot_errors_total{{{H}}}[$__rate_interval]))", "errors"),
                        (f"sum(rate(eo_honeypot_refused_total{{{H}}}[$__rate_interval]))", "refused"),
                        (f"sum(rate(eo_honeypot_oversize_lines_total{{{H}}}[$__rate_interval]))", "oversize lines"),
                        (f"sum(rate(eo_honeypot_task_failures_total{{{H}}}[$__rate_interval]))", "task failures")],
                       unit="ops"),
            timeseries("Wallets inferred", "What the recorded events let an operator link: sessions "
                       "and the wallets they group into (aggregator, common/privacy)",
                       [("max(eo_aggregator_honeypot_wallets)", "wallets"),
                        ("max(eo_aggregator_honeypot_sessions)", "sessions")], decimals=0, min_=0, w=24),
        ])


def pipeline():
    return dashboard(
        "eo-pipeline", "Electrum Observatory / Pipeline",
        "From the agents' producers through the bus to the aggregator's results database.",
        [],
        [
            row("Consumer"),
            stat("Consumer lag", "Age of the newest record in the aggregator's last batch "
                 "(0 when caught up)", [("max(eo_aggregator_consumer_lag_seconds)",)], unit="s",
                 w=6, thresholds=[(60, "orange"), (300, "red")]),
            stat("Observations ingested", "Newly written to the results database, in the time range",
                 [("sum(increase(eo_aggregator_observations_ingested_total[$__range]))",)], w=6, decimals=0),
            stat("Malformed records", "Records that are not a decodable message of their topic, "
                 "in the time range",
                 [("sum(increase(eo_aggregator_malformed_records_total[$__range]))",)], w=6,
                 decimals=0, thresholds=[(1, "orange")]),
            stat("Offset commit failures", "Commits refused in the time range (the records come again)",
                 [("sum(increase(eo_aggregator_offset_commit_failures_total[$__range]))",)], w=6,
                 decimals=0, thresholds=[(1, "orange")]),
            timeseries("Consumer lag", "Age of the newest record of the last batch, per aggregator",
                       [("max by (instance) (eo_aggregator_consumer_lag_seconds)", "{{instance}}")],
                       unit="s", min_=0),
            timeseries("Consumer lag in records", "Records behind the aggregator group's commit per "
                       "topic, summed over partitions, as Kafka measured it (librdkafka's "
                       "consumer_lag; absent on the embedded log)",
                       [("sum by (topic) (eo_aggregator_consumer_lag_records)", "{{topic}}")],
                       decimals=0, min_=0),
            timeseries("Ingest rate", "Records per second: polled (redeliveries included), new "
                       "observations and honeypot events written, duplicates dropped",
                       [("sum(rate(eo_aggregator_records_consumed_total[$__rate_interval]))", "consumed"),
                        ("sum(rate(eo_aggregator_observations_ingested_total[$__rate_interval]))", "observations"),
                        ("sum(rate(eo_aggregator_honeypot_events_ingested_total[$__rate_interval]))", "honeypot events"),
                        ("sum by (kind) (rate(eo_aggregator_duplicates_total[$__rate_interval]))", "duplicate {{kind}}")],
                       unit="ops"),
            row("Offsets"),
            timeseries("Committed offsets", "Next offset to read per topic (summed over partitions), "
                       "as last committed by the aggregator",
                       [("sum by (topic) (eo_aggregator_committed_offset)", "{{topic}}")], decimals=0),
            timeseries("Offsets committed per second", "How fast each topic's committed offsets move",
                       [("sum by (topic) (deriv(eo_aggregator_committed_offset[$__rate_interval]))",
                         "{{topic}}")], unit="ops"),
            row("Producers"),
            timeseries("In and out", "Observations the agents delivered to the bus vs. records the "
                       "aggregator consumed, per second",
                       [("sum(rate(eo_agent_observations{state=\"delivered\"}[$__rate_interval]))", "agents delivered"),
                        ("sum(rate(eo_aggregator_records_consumed_total[$__rate_interval]))", "aggregator consumed")],
                       unit="ops"),
            timeseries("Spool depth, all agents", "Observations waiting in the agents' local spools",
                       [("sum(eo_agent_observations{state=\"spool_depth\"})", "spool depth")], min_=0),
        ])


DASHBOARDS = {"fleet.json": fleet, "campaigns.json": campaigns, "findings.json": findings,
              "honeypot.json": honeypot, "pipeline.json": pipeline}


def render():
    return {name: json.dumps(make(), indent=2) + "\n" for name, make in DASHBOARDS.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail when a committed file differs")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    stale = []
    for name, text in render().items():
        path = a.out / name
        if a.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            a.out.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print("not what tests/deploy/grafana/make_dashboards.py writes (run it): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
