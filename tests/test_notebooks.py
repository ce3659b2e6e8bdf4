"""The investigation notebooks: how they are written, and what they find on the sample organisation.

Every notebook runs once per session under papermill (the ``demo_run`` fixture, with
injected ``logs`` and ``summary_path``); two run again with injected entity parameters
(``entity_reports``). The summaries they write are compared with ``scenarios.json``.
"""

import ast
import io
import re

import nbformat
import pytest

from workbench.report import list_notebooks, run_reports
from workbench.report.notebooks import notebook_parameters
from workbench.session.summary import read_summary

NAMES = ["detections", "console-logins", "root-and-hidden-logins", "vpc-flow-ports", "guardduty-drilldown", "hunt"]
COMMON = ["engine", "logs", "start", "end", "accounts", "regions", "summary_path"]
LOOPS_AND_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.AsyncFor,
                         ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
SQL = re.compile(r"\bselect\b[\s\S]*\bfrom\b|\bwhere\b\s+\w+\s*(=|between|in)\b", re.IGNORECASE)


def _notebooks():
    return list(list_notebooks().items())


def _code_cells(path):
    return [c for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code"]


def test_the_investigation_notebooks_and_their_names():
    notebooks = list_notebooks()
    assert list(notebooks)[:len(NAMES)] == NAMES, "in this order, before any later notebook"
    assert all(re.match(r"^\d\d-", p.name) for p in notebooks.values()), "files carry a numeric prefix"


@pytest.mark.parametrize("name, path", _notebooks(), ids=[n for n, _ in _notebooks()])
def test_notebook_shape(name, path):
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "workbench report --notebook " + name in first.source, "the title cell says how to run it headless"

    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is nb.cells[1], "one parameters cell, right after the title"
    lines = [line for line in tagged[0].source.splitlines() if line.strip()]
    assert all(re.match(r"^\w+ = .+  # \S", line) for line in lines), "every parameter line has a comment"

    declared = notebook_parameters(path)
    assert list(declared)[:6] == COMMON[:6] and "summary_path" in declared
    assert all(p["help"] for p in declared.values()), "papermill --help-notebook shows every parameter's help"
    assert declared["engine"]["default"] == "None", "engine defaults through the package, not the notebook"

    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## ")]
    numbered = [h for h in headings if re.match(r"^## \d+\. ", h)]
    assert [int(h.split()[1].rstrip(".")) for h in numbered] == list(range(1, len(numbered) + 1))
    assert len(numbered) >= 2


@pytest.mark.parametrize("name, path", _notebooks(), ids=[n for n, _ in _notebooks()])
def test_notebook_cells_only_narrate(name, path):
    for cell in _code_cells(path):
        assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs must be stripped"
        tree = ast.parse(cell.source)
        found = [type(n).__name__ for n in ast.walk(tree) if isinstance(n, LOOPS_AND_DEFINITIONS)]
        assert not found, f"{name}: {found} in {cell.source!r}"
        assert not SQL.search(cell.source), f"{name}: SQL text in a cell: {cell.source!r}"
        calls = re.findall(r"\b\w*figures\.(\w+)\(", cell.source)
        assert len([c for c in calls if c != "embed_plotly"]) <= 1, f"{name}: one figure per cell"
        if "parameters" not in cell.metadata.get("tags", []):
            statements = [line for line in cell.source.splitlines()
                          if line.strip() and not line.startswith(("import ", "from "))]
            assert len(statements) <= 5, f"{name}: cells stay short: {cell.source!r}"


# -- what the notebooks find on the sample organisation ---------------------------------


def _summary(demo_run, name):
    summary = read_summary(demo_run.reports / f"{name}.summary.json")
    assert summary, f"{name} wrote no summary"
    assert summary["headline"] and summary["numbers"]
    return summary["facts"]


def test_every_notebook_ran_with_injected_parameters(demo_run, sample_org):
    for name in NAMES:
        nb = nbformat.read(str(demo_run.reports / f"{name}.ipynb"), as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1, name
        assert f'logs = "{sample_org.resolve()}"' in injected[0].source
        assert "summary_path = " in injected[0].source
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"], name


def test_console_logins_finds_the_password_guessing(demo_run, truth):
    planted = truth["by_kind"]["console_bruteforce"]
    facts = _summary(demo_run, "console-logins")
    hits = [b for b in facts["failed_bursts"] if b["source_ip"] == planted["source_ip"]]
    assert len(hits) == 1 and hits[0]["user_name"] == planted["user_name"]
    assert sorted(hits[0]["event_ids"]) == sorted(planted["event_ids"])
    assert facts["kinds"]["root"] >= 1 and facts["kinds"]["federated (SSO/SAML)"] > facts["kinds"]["IAM user"]


def test_root_and_hidden_finds_the_root_login_and_the_burst(demo_run, truth):
    root = truth["by_kind"]["root_console_login"]
    hidden = truth["by_kind"]["hidden_user_bruteforce"]
    facts = _summary(demo_run, "root-and-hidden-logins")
    assert sorted(facts["root_event_ids"]) == sorted(root["event_ids"])
    assert len(facts["root_signin_event_ids"]) == 1 and set(facts["root_signin_event_ids"]) <= set(root["event_ids"])
    assert len(facts["root_failed_signin_event_ids"]) == root["failed_logins"]
    assert facts["root_source_ips"] == [root["source_ip"]]
    assert facts["hidden_burst_ips"] == [hidden["source_ip"]]
    assert sorted(facts["hidden_bursts"][0]["event_ids"]) == sorted(hidden["event_ids"])
    assert facts["hidden_one_off_ips"] == [hidden["typo_source_ip"]]


def test_vpc_flow_ports_finds_the_scanner(demo_run, truth):
    planted = truth["by_kind"]["port_scan"]
    facts = _summary(demo_run, "vpc-flow-ports")
    assert facts["scanning_ips"] == [planted["source_ip"]]
    scan = facts["scans"][0]
    assert (scan["interface_id"], scan["dst_addr"]) == (planted["eni"], planted["dst_addr"])
    assert scan["distinct_ports"] == len(planted["dst_ports"])
    assert planted["eni"] in {r["interface_id"] for r in facts["top_rejected"]}


def test_web_edge_finds_what_got_through_the_stuffing_and_the_prober(demo_run, truth):
    injection, stuffing = truth["by_kind"]["web_injection"], truth["by_kind"]["credential_stuffing"]
    facts = _summary(demo_run, "web-edge")
    (through,) = facts["got_through"]
    assert (through["client_ip"], through["blocked"], through["trace_id"]) == (
        injection["source_ip"], injection["blocked"], injection["allowed_request_id"])
    assert through["request_url"].endswith(f"{injection['allowed_path']}?{injection['allowed_query']}")
    (burst,) = facts["login_bursts"]
    assert (burst["path"], burst["successes"]) == (stuffing["path"], stuffing["succeeded"])
    assert burst["failures"] == stuffing["attempts"] - stuffing["succeeded"]
    assert facts["probing_ips"] == [truth["by_kind"]["port_scan"]["source_ip"]]
    assert facts["top_rule"]["rule"] in injection["rules"]


def test_dns_finds_the_burst_the_tunnel_and_the_called_controller(demo_run, truth):
    planted = truth["by_kind"]["dns_beacon"]
    facts = _summary(demo_run, "dns")
    (burst,) = facts["nxdomain_bursts"]
    assert (burst["srcaddr"], burst["instance_id"], burst["names"]) == (
        planted["source_ip"], planted["instance_id"], len(planted["nxdomain_names"]))
    (tunnel,) = facts["tunnels"]
    assert (tunnel["domain"], tunnel["names"]) == (planted["domain"].rstrip("."), len(planted["tunnel_names"]))
    assert [r["domain"] for r in facts["rare_domains"]] == [planted["domain"].rstrip(".")]
    (called,) = facts["contacted"]
    assert (called["address"], called["srcaddrs"]) == (planted["domain_address"], [planted["source_ip"]])
    assert called["flows"] == 2 * planted["beacons"]


def test_s3_access_finds_the_leaked_keys_download_and_guesses(demo_run, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    facts = _summary(demo_run, "s3-access")
    (bulk,) = facts["bulk_downloads"]
    assert (bulk["bucket"], bulk["requester"], bulk["remoteip"]) == (
        planted["s3_bucket"], planted["principal_arn"], planted["source_ip"])
    assert (bulk["objects"], bulk["sent_bytes"]) == (len(planted["s3_objects"]), planted["s3_bytes"])
    (burst,) = facts["error_bursts"]
    assert (burst["remoteip"], burst["missing"]) == (planted["source_ip"], len(planted["s3_missing_keys"]))


def test_guardduty_drilldown_reaches_the_key_and_the_attacker(demo_run, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    facts = _summary(demo_run, "guardduty-drilldown")
    assert facts["finding_id"] == planted["attack_sequence_id"], "the default finding is the most severe recent one"
    assert facts["attack_sequence"] and [s["name"] for s in facts["signals"]] == planted["signal_names"]
    assert sorted(facts["signal_event_ids"]) == sorted(planted["event_ids"]), "its signals walked into their events"
    assert (facts["access_key_id"], facts["source_ip"]) == (planted["access_key_id"], planted["source_ip"])
    assert facts["principal"] == planted["user_name"]
    assert sorted(facts["event_ids_from_remote_ip"]) == sorted(planted["event_ids"])
    assert facts["reached_access_keys"] == [planted["access_key_id"]]
    assert set(planted["usual_ips"]) & set(facts["reached_source_ips"]), "the owner's own use is there too"
    assert facts["failed_calls"] >= len(planted["denied_event_ids"])
    _follows_the_role_chain(facts["lineage"], planted)


def _follows_the_role_chain(lineage: dict, planted: dict) -> None:
    """The notebook's lineage reached every key of the planted role chain and what each did."""
    chain = planted["role_chain"]
    assert lineage["roots"] == [planted["access_key_id"]]
    assert lineage["issued_access_keys"] == sorted(h["issued_access_key_id"] for h in chain)
    assert lineage["deepest_hop"] == len(chain)
    assert lineage["accounts_reached"] == sorted({h["account"] for h in chain})
    assert lineage["issued_key_event_ids"] == sorted(planted["role_chain_event_ids"])


def test_hunt_without_entities_starts_from_the_top_finding(demo_run, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    anomaly = truth["by_kind"]["anomalous_principal"]
    facts = _summary(demo_run, "hunt")
    assert facts["started_from"]["access_key_id"] == planted["access_key_id"]
    assert facts["started_from"]["source_ip"] == planted["source_ip"]
    assert set(planted["event_ids"]) <= set(facts["cloudtrail_event_ids"])
    assert (facts["top_outlier"]["principal"], facts["top_outlier"]["day"]) == (anomaly["principal_arn"], anomaly["day"])


@pytest.fixture(scope="session")
def entity_reports(sample_org, truth, tmp_path_factory):
    """The hunt from the attacker's IP and the drill-down into the port-scan finding, as parameters."""
    params = {"source_ip": truth["by_kind"]["compromised_access_key"]["source_ip"],
              "finding_id": truth["by_kind"]["port_scan"]["finding_ids"][0]}
    out = tmp_path_factory.mktemp("entity-reports")
    return run_reports(["hunt", "guardduty-drilldown"], out=str(out), logs=sample_org, params=params,
                       progress=io.StringIO())


def test_hunt_from_the_attacker_ip_reaches_the_key_and_its_events(entity_reports, truth):
    planted = truth["by_kind"]["compromised_access_key"]
    assert not entity_reports.failures
    facts = {r.name: r.summary["facts"] for r in entity_reports.results}["hunt"]
    assert facts["started_from"] == {"source_ip": planted["source_ip"]}
    assert sorted(facts["cloudtrail_event_ids"]) == sorted(planted["event_ids"])
    assert planted["access_key_id"] in facts["reached_access_keys"]
    assert facts["next_pivots"][0] == {"kind": "access_key_id", "value": planted["access_key_id"],
                                       "sources": "cloudtrail, guardduty",
                                       "hits": len(planted["event_ids"]) + len(planted["finding_ids"])}
    assert facts["followed"] == {"access_key_id": [planted["access_key_id"]]}
    assert facts["followed_event_count"] > len(planted["event_ids"]), "following the key shows its whole life"
    assert sorted(planted["finding_ids"]) == sorted(facts["finding_ids"])
    assert not set(planted["role_chain_event_ids"]) & set(facts["cloudtrail_event_ids"]), "the IP does not reach them"
    _follows_the_role_chain(facts["lineage"], planted)


def test_drilldown_into_an_instance_finding_shows_its_flows(entity_reports, truth):
    planted = truth["by_kind"]["port_scan"]
    facts = {r.name: r.summary["facts"] for r in entity_reports.results}["guardduty-drilldown"]
    assert facts["finding_id"] == planted["finding_ids"][0]
    assert (facts["instance_id"], facts["source_ip"]) == (planted["instance_id"], planted["source_ip"])
    assert facts["flows"] >= len(planted["dst_ports"]), "the scan's flows on the instance's interface"
    assert facts["access_key_id"] is None


def test_detections_fire_on_every_planted_scenario_and_name_what_to_hunt(demo_run, truth):
    from workbench.demo.ground_truth import check_detections

    facts = _summary(demo_run, "detections")
    fired = {c.kind: c for c in check_detections(truth, read_summary(demo_run.reports / "detections.summary.json"))}
    assert all(c.found for c in fired.values()), {k: c.detail for k, c in fired.items()}
    root = truth["by_kind"]["root_console_login"]
    assert set(facts["hit_event_ids"]["WB-CT-052"]) <= set(root["event_ids"])
    assert "WB-CT-110" in fired["compromised_access_key"].detail and "WB-CT-101" in fired["anomalous_principal"].detail
    page = (demo_run.reports / "detections.html").read_text()
    key = truth["by_kind"]["compromised_access_key"]["access_key_id"]
    assert f"workbench report --notebook hunt -p access_key_id={key}" in page, "each entity has its hunt command"
