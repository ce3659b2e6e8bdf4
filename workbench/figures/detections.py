"""Figures of detection hits: by tactic and severity, the ATT&CK matrix of what fired, the timeline."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.detections.rules import SEVERITIES, TACTICS
from workbench.figures.style import BAND_COLOURS, NEUTRAL, as_text, empty, finish
from workbench.words import count

#: A colour per severity: GuardDuty's bands, and grey for change monitoring.
SEVERITY_COLOURS = {**BAND_COLOURS, "info": NEUTRAL}

#: Tactics left to right as ATT&CK orders them (the attack's course).
TACTIC_ORDER = ("TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0006", "TA0007", "TA0008",
                "TA0009", "TA0011", "TA0010", "TA0040")


def by_tactic(hits: pd.DataFrame) -> go.Figure:
    """Hits per ATT&CK tactic, stacked by severity (a hit of a rule with two tactics counts in both)."""
    title = "Hits by tactic and severity"
    if hits.empty:
        return empty(title, "No rule fired in the window.")
    rows = hits.assign(tactic=hits.tactics.str.split(", ")).explode("tactic")
    order = [TACTICS[t] for t in TACTIC_ORDER if TACTICS[t] in set(rows.tactic)]
    counts = rows.groupby(["tactic", "severity"]).size().reset_index(name="hits")
    fig = px.bar(counts, x="tactic", y="hits", color="severity", color_discrete_map=SEVERITY_COLOURS,
                 category_orders={"tactic": order, "severity": list(SEVERITIES)}, labels={"tactic": ""})
    return finish(fig, title, height=380)


def attack_matrix(rules: list, hits: pd.DataFrame) -> go.Figure:
    """The ATT&CK matrix of the rules that ran: one column per tactic, one cell per technique.

    A cell is coloured by the worst severity that fired for it and says how many hits; grey cells
    are techniques the rules look for that nothing did in the window. Hover for the rules.
    """
    title = "What fired, on the ATT&CK matrix"
    cells: dict[tuple[str, str], dict] = {}
    fired = hits.groupby("rule_id").size().to_dict() if len(hits) else {}
    for rule in rules:
        for tactic in rule.tactics:
            for technique in rule.techniques or ("-",):
                cell = cells.setdefault((tactic, technique), {"hits": 0, "rules": [], "worst": None})
                n = fired.get(rule.id, 0)
                cell["hits"] += n
                cell["rules"].append(f"{rule.id} {rule.title} ({n})")
                if n and (cell["worst"] is None or SEVERITIES.index(rule.severity) < SEVERITIES.index(cell["worst"])):
                    cell["worst"] = rule.severity
    if not cells:
        return empty(title, "No rules ran.")
    tactics = [t for t in TACTIC_ORDER if any(k[0] == t for k in cells)]
    fig = go.Figure()
    depth = 0
    for x, tactic in enumerate(tactics):
        column = sorted(((tech, c) for (tac, tech), c in cells.items() if tac == tactic),
                        key=lambda item: (-item[1]["hits"], item[0]))
        depth = max(depth, len(column))
        for y, (technique, cell) in enumerate(column):
            colour = SEVERITY_COLOURS[cell["worst"]] if cell["worst"] else "#e9ecef"
            label = as_text(technique) + (f"<br>{count(cell['hits'], 'hit')}" if cell["hits"] else "")
            lines = "<br>".join(f"%{{customdata[{i}]}}" for i in range(len(cell["rules"])))
            fig.add_trace(go.Scatter(  # the rules' own words go in customdata, which finish() escapes
                x=[x], y=[y], mode="markers+text", text=[label], textfont={"size": 10, "color": "#212529"},
                marker={"symbol": "square", "size": 54, "color": colour,
                        "line": {"width": 1, "color": NEUTRAL}},
                customdata=[cell["rules"]], hovertemplate=lines + "<extra></extra>", showlegend=False))
    fig.update_xaxes(tickvals=list(range(len(tactics))), ticktext=[TACTICS[t] for t in tactics], side="top",
                     range=[-0.6, len(tactics) - 0.4], showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, autorange="reversed", range=[-0.6, depth - 0.4])
    return finish(fig, title, height=max(320, 62 * depth + 160), width=max(700, 118 * len(tactics)))


def timeline(hits: pd.DataFrame) -> go.Figure:
    """Every hit in time, one row per rule, coloured by severity; hover for who, from where and what."""
    title = "Hits in time"
    if hits.empty:
        return empty(title, "No rule fired in the window.")
    rows = hits.assign(rule=hits.rule_id + " " + hits.title)
    order = list(dict.fromkeys(rows.rule))
    fig = px.scatter(rows, x="event_time", y="rule", color="severity", color_discrete_map=SEVERITY_COLOURS,
                     category_orders={"rule": order, "severity": list(SEVERITIES)},
                     hover_data=["account_id", "principal", "source_ip", "event_name", "detail", "event_id"],
                     labels={"event_time": "", "rule": ""})
    fig.update_traces(marker={"size": 11})
    fig.update_yaxes(type="category")
    return finish(fig, title, height=max(300, 28 * len(order) + 150))
