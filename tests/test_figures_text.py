"""Strings from the logs are text on every figure: plotly's HTML dialect never sees them as markup."""

import pandas as pd

from workbench import figures

PAYLOAD = '<a href="javascript:alert(1)">x</a><b>bold</b>'


def _strings(fig) -> list[str]:
    out = []
    for trace in fig.data:
        for name in ("x", "y", "customdata", "name", "hovertext"):
            if name not in trace or trace[name] is None:
                continue
            value = trace[name]
            items = [value] if isinstance(value, str) else list(pd.Series(list(value)).explode())
            out += [v for v in items if isinstance(v, str)]
    return out


def test_categories_names_and_hover_data_are_escaped_and_still_match_their_order():
    shares = pd.DataFrame({"who": [PAYLOAD, "bob"], "kind": [PAYLOAD, "root"], "sign_ins": [3, 1],
                           "with_mfa": [1, 1], "share": [0.33, 1.0]})
    fig = figures.signins.mfa_share(shares)
    texts = _strings(fig)
    assert texts and not any("<" in t for t in texts)
    assert "&lt;b&gt;bold&lt;/b&gt;" in "".join(texts)
    drawn = {y for trace in fig.data for y in trace.y}
    assert drawn <= set(fig.layout.yaxis.categoryarray), "the category order names the escaped values"


def test_a_timeline_of_hostile_activity_names_keeps_them_as_text():
    rows = pd.DataFrame({"time": pd.to_datetime(["2026-11-03T10:00:00Z"] * 2), "source": ["cloudtrail", "cloudtrail"],
                         "account_id": ["1", "1"], "region": ["us-east-1"] * 2, "activity": [PAYLOAD, "ListBuckets"],
                         "actor": [PAYLOAD, "alice"], "source_ip": ["203.0.113.7"] * 2, "access_key_id": [None, None],
                         "outcome": ["OK", "AccessDenied"], "ref": ["e1", "e2"]})
    fig = figures.timeline.timeline(rows)
    assert not any("<" in t for t in _strings(fig))


def test_detection_figures_keep_a_rules_words_and_a_hits_values_as_text():
    from workbench.detections import list_rules
    from workbench.detections.run import COLUMNS

    rule = list_rules()[0]
    hostile = rule.__class__(**{**rule.__dict__, "title": PAYLOAD, "techniques": (PAYLOAD,)})
    hits = pd.DataFrame([dict.fromkeys(COLUMNS) | {
        "severity": "high", "rule_id": rule.id, "title": PAYLOAD, "tactics": "Credential Access", "techniques": PAYLOAD,
        "event_time": pd.Timestamp("2026-11-03T10:00:00Z"), "principal": PAYLOAD, "source_ip": PAYLOAD,
        "detail": PAYLOAD, "event_id": "e1"}])
    for fig in (figures.detections.by_tactic(hits), figures.detections.attack_matrix([hostile], hits),
                figures.detections.timeline(hits)):
        texts = _strings(fig) + [t for trace in fig.data for t in (trace.text or ()) if isinstance(t, str)]
        assert texts and not any("<a" in t or "<b>" in t for t in texts), texts
    matrix = figures.detections.attack_matrix([hostile], hits)
    assert "&lt;b&gt;bold&lt;/b&gt;" in matrix.data[0].text[0] and "1 hit" in matrix.data[0].text[0]


def test_the_country_and_lineage_figures_keep_values_from_the_logs_as_text():
    per_country = pd.DataFrame({"country": [PAYLOAD, "DE"], "outcome": ["Failure", "Success"], "sign_ins": [3, 1],
                                "principals": [1, 1], "networks": [1, 1]})
    lineage = pd.DataFrame({"event_time": pd.to_datetime(["2026-11-03T10:00:00Z"] * 2), "hop": [0, 1],
                            "principal": [PAYLOAD, f"arn:aws:sts::1:assumed-role/{PAYLOAD}/s"],
                            "event_name": [PAYLOAD, "ListBuckets"], "error_code": [None, "AccessDenied"],
                            "account_id": ["1", PAYLOAD], "root_access_key_id": ["AKIA1", "AKIA1"],
                            "credential": [PAYLOAD, "ASIA1"], "source_ip": [PAYLOAD, "1.1.1.1"], "event_id": ["e1", "e2"]})
    for fig in (figures.signins.countries(per_country), figures.lineage.timeline(lineage)):
        texts = _strings(fig)
        assert texts and not any("<a" in t or "<b>" in t for t in texts), texts
