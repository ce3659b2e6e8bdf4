"""``workbench import`` on the shapes logs arrive in from wherever they went.

Every shape here is written by the test from the same CloudTrail records, in the form each
tool documents (Elasticsearch search hits and documents, Logstash documents, Elastic Common
Schema documents without the original, Splunk JSON and CSV exports, renamed and respelled
times), and must import to the same rows as the plain S3 body. The real detonation records
beside the project go through the same shapes when they are present.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.engines.local import LocalEngine
from workbench.formats.importer import detect_source, import_files

ACCOUNT = "111122223333"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "stratus-red-team"


def _identity(kind: str, name: str) -> dict:
    if kind == "IAMUser":
        return {"type": "IAMUser", "principalId": f"AIDA{name.upper()}", "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
                "accountId": ACCOUNT, "accessKeyId": f"AKIA{name.upper():0<16}", "userName": name}
    if kind == "AssumedRole":
        return {"type": "AssumedRole", "principalId": f"AROAROLE:{name}",
                "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/{name}", "accountId": ACCOUNT,
                "accessKeyId": f"ASIA{name.upper():0<16}",
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAROLE",
                                                     "arn": f"arn:aws:iam::{ACCOUNT}:role/deploy",
                                                     "accountId": ACCOUNT, "userName": "deploy"},
                                   "attributes": {"creationDate": "2026-11-03T08:00:00Z", "mfaAuthenticated": "true"}}}
    return {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT}


def records() -> list[dict]:
    """CloudTrail records of several kinds, written here from CloudTrail's documented fields."""
    out = []
    calls = [("IAMUser", "alice", "iam.amazonaws.com", "CreateUser", {"userName": "mallory"}, None),
             ("IAMUser", "alice", "s3.amazonaws.com", "ListBuckets", None, None),
             ("AssumedRole", "ci-run", "ec2.amazonaws.com", "RunInstances", {"instanceType": "p3.16xlarge"},
              "Client.UnauthorizedOperation"),
             ("AssumedRole", "ci-run", "sts.amazonaws.com", "GetCallerIdentity", None, None),
             ("Root", "", "iam.amazonaws.com", "CreateAccessKey", None, None)]
    for i, (kind, name, service, api, params, error) in enumerate(calls):
        record = {"eventVersion": "1.10", "userIdentity": _identity(kind, name),
                  "eventTime": f"2026-11-03T{9 + i:02d}:1{i}:0{i}Z", "eventSource": service, "eventName": api,
                  "awsRegion": "eu-west-1" if i % 2 else "us-east-1", "sourceIPAddress": f"203.0.113.{10 + i}",
                  "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2", "requestParameters": params,
                  "responseElements": None, "requestID": f"req-{i}", "eventID": f"0000000{i}-1111-2222-3333-444444444444",
                  "readOnly": api.startswith(("List", "Get")), "eventType": "AwsApiCall", "managementEvent": True,
                  "recipientAccountId": ACCOUNT, "eventCategory": "Management"}
        if error:
            record.update(errorCode=error, errorMessage="You are not authorized to perform this operation.")
        if kind == "Root":
            record["userIdentity"]["invokedBy"] = "signin.amazonaws.com"
        out.append(record)
    for i, outcome in enumerate(("Success", "Failure")):
        out.append({"eventVersion": "1.09", "userIdentity": _identity("IAMUser", "bob"),
                    "eventTime": f"2026-11-04T07:0{i}:00Z", "eventSource": "signin.amazonaws.com",
                    "eventName": "ConsoleLogin", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7",
                    "userAgent": "Mozilla/5.0 (X11; Linux x86_64)", "requestParameters": None,
                    "responseElements": {"ConsoleLogin": outcome},
                    "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/", "MobileVersion": "No",
                                            "MFAUsed": "No"},
                    "eventID": f"5555555{i}-1111-2222-3333-444444444444", "readOnly": False,
                    "eventType": "AwsConsoleSignIn", "managementEvent": True, "recipientAccountId": ACCOUNT,
                    "eventCategory": "Management",
                    **({"errorMessage": "Failed authentication"} if outcome == "Failure" else {})})
    return out


# -- the shapes, each written as its tool writes it ------------------------------------------


def s3_body(recs):
    return json.dumps({"Records": recs})


def elastic_documents(recs):
    """Filebeat/Elastic Agent documents that kept the original (``event.original``), one per line."""
    return "".join(json.dumps({"@timestamp": r["eventTime"].replace("Z", ".000Z"),
                               "event": {"original": json.dumps(r), "kind": "event"},
                               "cloud": {"provider": "aws"}, "data_stream": {"dataset": "aws.cloudtrail"}}) + "\n"
                   for r in recs)


def search_hits(recs):
    """An Elasticsearch/OpenSearch search response (``_search``), the original in ``message``."""
    hits = [{"_index": ".ds-logs-aws.cloudtrail", "_id": str(i), "_score": 1.0,
             "_source": {"@timestamp": r["eventTime"], "message": json.dumps(r)}} for i, r in enumerate(recs)]
    return json.dumps({"took": 5, "timed_out": False, "hits": {"total": {"value": len(hits)}, "hits": hits}})


def elasticdump_lines(recs):
    """elasticdump's output: one hit per line."""
    return "".join(json.dumps({"_index": "cloudtrail", "_id": r["eventID"], "_source": {"event.original": json.dumps(r)}})
                   + "\n" for r in recs)


def logstash_top_level(recs):
    """Logstash's JSON codec: the record's fields at the top, ``@timestamp`` for ``eventTime``."""
    out = []
    for r in recs:
        doc = {k: v for k, v in r.items() if k != "eventTime"}
        doc.update({"@timestamp": r["eventTime"].replace("Z", ".000Z"), "@version": "1", "type": "cloudtrail"})
        del doc["type"]  # a shipper's key without @ or _ is CloudTrail's namesake: keep the test honest
        out.append(json.dumps(doc))
    return "\n".join(out) + "\n"


def under_aws_cloudtrail(recs):
    """A Logstash ``json`` filter with ``target => "[aws][cloudtrail]"``."""
    return json.dumps([{"@timestamp": r["eventTime"], "aws": {"cloudtrail": r}} for r in recs])


def ecs_without_original(recs):
    """The Elastic AWS integration's fields when ``event.original`` is not kept (its default)."""
    out = []
    for r in recs:
        ui = r["userIdentity"]
        sc = ui.get("sessionContext", {})
        cloudtrail = {
            "event_version": r["eventVersion"], "event_type": r["eventType"], "event_category": r["eventCategory"],
            "recipient_account_id": r["recipientAccountId"], "request_id": r.get("requestID"),
            "read_only": r["readOnly"], "management_event": r["managementEvent"],
            "error_code": r.get("errorCode"), "error_message": r.get("errorMessage"),
            "user_identity": {"type": ui["type"], "arn": ui["arn"], "access_key_id": ui.get("accessKeyId"),
                              "invoked_by": ui.get("invokedBy"),
                              "session_context": {
                                  "mfa_authenticated": sc.get("attributes", {}).get("mfaAuthenticated") == "true"
                                  if sc else None,
                                  "creation_date": sc.get("attributes", {}).get("creationDate"),
                                  "session_issuer": {k2: sc.get("sessionIssuer", {}).get(k1) for k1, k2 in
                                                     (("type", "type"), ("principalId", "principal_id"),
                                                      ("arn", "arn"), ("accountId", "account_id"))}}},
            "flattened": {k2: r[k1] for k1, k2 in (("requestParameters", "request_parameters"),
                                                   ("responseElements", "response_elements"),
                                                   ("additionalEventData", "additional_eventdata")) if r.get(k1)},
        }
        out.append(json.dumps({
            "@timestamp": r["eventTime"].replace("Z", ".000Z"),
            "event": {"action": r["eventName"], "provider": r["eventSource"], "id": r["eventID"],
                      "outcome": "failure" if r.get("errorCode") or r.get("errorMessage") else "success"},
            "cloud": {"region": r["awsRegion"], "account": {"id": ui["accountId"]}},
            "source": {"address": r["sourceIPAddress"]}, "user_agent": {"original": r["userAgent"]},
            "user": {"id": ui["principalId"],
                     "name": sc.get("sessionIssuer", {}).get("userName") if sc else ui.get("userName")},
            "aws": {"cloudtrail": cloudtrail}}))
    return "\n".join(out) + "\n"


def splunk_export(recs):
    """Splunk's export endpoint (``output_mode=json``): one result per line, the record in ``_raw``."""
    return "".join(json.dumps({"preview": False, "offset": i, "result": {
        "_raw": json.dumps(r), "_time": r["eventTime"].replace("Z", ".000+00:00"), "sourcetype": "aws:cloudtrail",
        "_cd": f"1:{i}", "host": "splunk-hf"}}) + "\n" for i, r in enumerate(recs))


def splunk_results(recs):
    """Splunk's search results (``output_mode=json``, one document)."""
    return json.dumps({"preview": False, "init_offset": 0, "messages": [], "fields": [{"name": "_raw"}],
                       "results": [{"_raw": json.dumps(r), "_time": r["eventTime"]} for r in recs]})


def splunk_csv(recs):
    """Splunk's CSV export: ``_time``, ``_raw`` and the search's other fields."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["_time", "host", "source", "sourcetype", "_raw"])
    for r in recs:
        writer.writerow([r["eventTime"].replace("T", " ").replace("Z", ".000 UTC"), "hf", "s3://trail",
                         "aws:cloudtrail", json.dumps(r)])
    return out.getvalue()


def respelled_times(recs):
    """A bare array whose times were rewritten: a space for ``T``, fractions, another offset."""
    out = []
    for i, r in enumerate(recs):
        r = dict(r)
        day, clock = r["eventTime"][:-1].split("T")
        hour = int(clock[:2])
        r["eventTime"] = [f"{day} {clock}", f"{day}T{clock}.123456789Z",
                          f"{day}T{hour + 2:02d}{clock[2:]}+02:00", f"{day}T{clock}.000+0000"][i % 4]
        out.append(r)
    return json.dumps(out)


SHAPES = {
    "elastic-documents.ndjson": (elastic_documents, "original record in event.original"),
    "search-hits.json": (search_hits, "Elasticsearch/OpenSearch search hits; original record in message"),
    "elasticdump.json": (elasticdump_lines, "Elasticsearch/OpenSearch documents; original record in event.original"),
    "logstash.ndjson": (logstash_top_level, "CloudTrail fields at the top level, eventTime from @timestamp"),
    "under-aws.json": (under_aws_cloudtrail, "CloudTrail fields under aws.cloudtrail"),
    "splunk-export.json": (splunk_export, "Splunk export; original record in _raw"),
    "splunk-results.json": (splunk_results, "Splunk search results; original record in _raw"),
    "splunk.csv": (splunk_csv, "original record in _raw"),
    "respelled.json": (respelled_times, "eventTime respelled as CloudTrail writes it (UTC, to the second)"),
}

#: The columns a document without the original still carries (ECS keeps no TLS details and so on).
ECS_COLUMNS = ["eventversion", "eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress", "useragent",
               "errorcode", "errormessage", "requestparameters", "responseelements", "additionaleventdata",
               "requestid", "eventid", "readonly", "eventtype", "recipientaccountid", "eventcategory",
               "account", "region", "day"]


def _rows(root: Path) -> pd.DataFrame:
    with LocalEngine(root) as engine:
        rows = engine.query("SELECT * FROM cloudtrail", allow_full_scan=True)
    rows = rows.sort_values("eventid").reset_index(drop=True)
    for column in rows.columns:  # structs come back as dicts: compare their JSON
        rows[column] = rows[column].map(lambda v: json.dumps(v, sort_keys=True, default=str)
                                        if isinstance(v, (dict, list)) else v)
    return rows


def _import(tmp_path: Path, name: str, text: str, **options):
    folder = tmp_path / name.replace(".", "-")
    source = folder / "in" / name
    source.parent.mkdir(parents=True)
    source.write_text(text, encoding="utf-8")
    return import_files([source], folder / "out", **options), folder / "out"


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plain")
    report, out = _import(tmp, "body.json", s3_body(records()))
    assert report.complete and report.written == len(records())
    return _rows(out)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_each_export_shape_imports_to_the_rows_of_the_plain_body(plain, tmp_path, name):
    write, mapping = SHAPES[name]
    text = write(records())
    path = tmp_path / name
    path.write_text(text)
    assert detect_source(str(path))[0].name == "cloudtrail", "recognised without flags"
    report, out = _import(tmp_path, name, text)
    assert report.complete and report.written == len(records()), report.summary()
    assert report.mappings.get(mapping) == len(records()), report.mappings
    assert f"{len(records())} record(s): {mapping}" in report.summary()
    pd.testing.assert_frame_equal(_rows(out), plain)


def test_elastic_fields_without_the_original_map_back_to_cloudtrails(plain, tmp_path):
    report, out = _import(tmp_path, "ecs.ndjson", ecs_without_original(records()))
    assert report.complete and report.written == len(records())
    assert "Elastic Common Schema fields mapped back to CloudTrail's (no original record)" in report.summary()
    rows = _rows(out)
    pd.testing.assert_frame_equal(rows[ECS_COLUMNS], plain[ECS_COLUMNS])
    for field in ("arn", "type", "accesskeyid", "invokedby", "accountid", "principalid"):
        assert [json.loads(v).get(field) for v in rows.useridentity] == \
               [json.loads(v).get(field) for v in plain.useridentity], field
    assert [json.loads(v).get("sessioncontext") for v in rows.useridentity] == \
           [json.loads(v).get("sessioncontext") for v in plain.useridentity]


def test_the_original_record_wins_over_the_documents_fields(tmp_path):
    recs = records()[:2]
    docs = [json.loads(line) for line in ecs_without_original(recs).splitlines()]
    for doc, record in zip(docs, recs):
        doc["event"]["action"] = "SomethingElse"  # a field an ingest pipeline got wrong
        doc["event"]["original"] = json.dumps(record)
    report, out = _import(tmp_path, "both.ndjson", "".join(json.dumps(d) + "\n" for d in docs))
    assert report.mappings == {"original record in event.original": 2}
    assert sorted(_rows(out).eventname) == sorted(r["eventName"] for r in recs)


def test_records_without_an_account_need_one_and_say_how_many_did(tmp_path):
    recs = records()
    for record in recs[:3]:
        record.pop("recipientAccountId")
        record["userIdentity"].pop("accountId")
    report, _ = _import(tmp_path, "stripped.json", json.dumps(recs))
    assert report.rejected == 3 and report.written == len(recs) - 3
    assert "rejected 3 cloudtrail record(s): no account id (recipientAccountId, userIdentity.accountId): " \
           "give --account" in report.summary()
    given, out = _import(tmp_path / "given", "stripped.json", json.dumps(recs), account="444455556666")
    assert given.complete and given.written == len(recs) and given.supplied == {"account": 3}
    assert "3 record(s) had no account of their own: placed with --account" in given.summary()
    with LocalEngine(out) as engine:
        accounts = engine.query("SELECT account, count(*) AS n FROM cloudtrail GROUP BY account ORDER BY account",
                                allow_full_scan=True)
    assert dict(zip(accounts.account, accounts.n)) == {ACCOUNT: len(recs) - 3, "444455556666": 3}


def test_a_file_whose_records_all_lack_a_time_is_counted_as_rejected_not_as_nothing_lost(tmp_path):
    recs = records()
    for record in recs:
        record.pop("eventTime")
    report, _ = _import(tmp_path, "timeless.json", json.dumps(recs))
    summary = report.summary()
    assert report.written == 0 and report.rejected == len(recs) and not report.complete
    assert "nothing lost" not in summary
    assert f"rejected {len(recs)} cloudtrail record(s): no usable time (eventTime)" in summary


def test_a_csv_export_with_elastic_field_names_is_read(plain, tmp_path):
    docs = [json.loads(line) for line in ecs_without_original(records()).splitlines()]
    flat = []
    for doc in docs:
        row = {}

        def walk(prefix, value, row=row):
            if isinstance(value, dict) and not prefix.endswith("flattened"):
                for key, inner in value.items():
                    walk(f"{prefix}.{key}" if prefix else key, inner)
            elif value is not None:
                row[prefix] = json.dumps(value) if isinstance(value, (dict, list)) else value
        walk("", doc)
        flat.append(row)
    names = sorted({k for row in flat for k in row})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names)
    writer.writeheader()
    writer.writerows(flat)
    report, folder = _import(tmp_path, "kibana.csv", out.getvalue())
    assert report.complete and report.written == len(records()), report.summary()
    rows = _rows(folder)
    assert list(rows.eventid) == list(plain.eventid)
    assert list(rows.eventtime) == list(plain.eventtime) and list(rows.eventname) == list(plain.eventname)


def test_gzip_exports_are_read_alike(plain, tmp_path):
    path = tmp_path / "in" / "export.json.gz"
    path.parent.mkdir()
    path.write_bytes(gzip.compress(splunk_export(records()).encode()))
    report = import_files([path], tmp_path / "out")
    assert report.complete and report.written == len(records())
    pd.testing.assert_frame_equal(_rows(tmp_path / "out"), plain)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"real-world samples not present ({SAMPLES.name} is not beside "
                                                  "the project)")
@pytest.mark.parametrize("name", ["splunk.csv", "search-hits.json", "logstash.ndjson", "respelled.json"])
def test_real_detonation_records_import_alike_in_every_shape(tmp_path, name):
    recs = [r for p in sorted(SAMPLES.glob("*.json")) for r in json.loads(p.read_text())]
    recs = [r for r in recs if r.get("eventTime")]
    _, base = _import(tmp_path / "base", "base.json", s3_body(recs))
    report, out = _import(tmp_path, name, SHAPES[name][0](recs))
    assert report.written + report.duplicates == len(recs) and report.complete, report.summary()
    pd.testing.assert_frame_equal(_rows(out), _rows(base))


def test_guardduty_findings_come_through_the_same_envelopes(tmp_path):
    finding = {"schemaVersion": "2.0", "accountId": ACCOUNT, "region": "eu-west-1", "partition": "aws", "id": "f" * 32,
               "type": "Recon:EC2/PortProbeUnprotectedPort", "severity": 2, "createdAt": "2026-11-03T01:00:00.000Z",
               "updatedAt": "2026-11-03T02:00:00.000Z", "resource": {"resourceType": "Instance"},
               "service": {"count": 3}, "title": "t", "description": "d"}
    hits = {"hits": {"hits": [{"_source": {"message": json.dumps(finding)}},
                              {"_source": {"event": {"original": json.dumps({"detail-type": "GuardDuty Finding",
                                                                              "source": "aws.guardduty",
                                                                              "detail": dict(finding, id="e" * 32)})}}}]}}
    splunk = "".join(json.dumps({"preview": False, "result": {"_raw": json.dumps(dict(finding, id=c * 32))}}) + "\n"
                     for c in "abc")
    for name, text, written in (("hits.json", json.dumps(hits), 2), ("splunk.json", splunk, 3)):
        report, out = _import(tmp_path, name, text)
        assert report.complete and report.written == written and report.files[0]["kind"] == "guardduty", name
        assert sum(report.mappings.values()) == written
        with LocalEngine(out) as engine:
            ids = engine.query("SELECT id FROM guardduty", allow_full_scan=True).id
        assert len(ids) == written


def test_the_cli_names_the_mapping_and_checks_the_account(tmp_path, capsys):
    from workbench.cli import main

    recs = records()
    for record in recs:
        record.pop("recipientAccountId")
        record["userIdentity"].pop("accountId")
    path = tmp_path / "export.json"
    path.write_text(splunk_export(recs))
    assert main(["import", str(path), "--out", str(tmp_path / "out"), "--account", "12345"]) == 2
    assert "is not an account id (AWS account ids are 12 digits)" in capsys.readouterr().err
    assert main(["import", str(path), "--out", str(tmp_path / "out")]) == 1, "rejected records: exit status 1"
    assert "give --account" in capsys.readouterr().out
    assert main(["import", str(path), "--out", str(tmp_path / "out"), "--account", "444455556666"]) == 0
    out = capsys.readouterr().out
    assert f"{len(recs)} record(s): Splunk export; original record in _raw" in out
    assert f"{len(recs)} record(s) had no account of their own: placed with --account" in out


def test_hostile_exports_cost_their_own_record_and_nothing_else(tmp_path):
    good = records()[0]
    deep = json.dumps(dict(good, eventID="deep"))[:-1] + ', "requestParameters": ' + "[" * 5000 + "]" * 5000 + "}"
    lines = [{"preview": False, "result": {"_raw": deep}}, {"preview": False, "result": {"_raw": "{not json"}},
             {"preview": False, "result": {"_raw": json.dumps(good)}}]
    report, _ = _import(tmp_path, "hostile.json", "".join(json.dumps(line) + "\n" for line in lines))
    assert report.written == 1 and not report.complete
    assert sum(p.lost for p in report.problems if "are not CloudTrail records" in p.reason) == 2, report.summary()
    out = io.StringIO()
    writer = csv.writer(out)
    endless = ".".join(["a"] * 5000)  # a header that would nest five thousand objects deep
    writer.writerow(["_time", "_raw", endless])
    writer.writerow(["2026-11-03 09:10:00", json.dumps(good), "x"])
    report, folder = _import(tmp_path, "endless.csv", out.getvalue())
    assert report.complete and report.written == 1, report.summary()
    assert _rows(folder).eventid.tolist() == [good["eventID"]]
