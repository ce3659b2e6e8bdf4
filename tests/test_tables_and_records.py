"""Tables and records as reports show them: text stays text, ids open in the console, counts are integers."""

import html
import json

import pandas as pd

from workbench.aws import console
from workbench.figures.tables import INTERACTIVE_ROWS, short, table_html
from workbench.session import show

HOSTILE = '"><script>window.__pwned=1</script><img src=x onerror=alert(1)>'


def test_a_table_has_no_index_and_prints_counts_as_integers():
    page = table_html(pd.DataFrame({"who": ["alice", "bob"], "calls": [3.0, 12.0], "share": [0.5, 1.0]},
                                   index=[17, 42]))
    assert ">17<" not in page and ">42<" not in page, "no index column"
    assert ">3<" in page and ">12<" in page and ">3.0<" not in page
    assert ">0.5<" in page and 'class="num"' in page


def test_long_text_is_shortened_in_the_middle_with_the_whole_on_hover():
    arn = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com"
    shown = short(arn)
    assert shown.startswith("arn:aws:sts::") and shown.endswith("alice@example.com") and "\u2026" in shown
    page = table_html(pd.DataFrame({"principal": [arn]}))
    assert f'title="{html.escape(arn)}"' in page and html.escape(shown) in page


def test_every_value_stays_text():
    page = table_html(pd.DataFrame({"user_agent": [HOSTILE], "event_id": [HOSTILE], "region": ["us-east-1"]}))
    assert "<script>window" not in page and "<img src=x" not in page
    assert html.escape(HOSTILE) in page or html.escape(short(HOSTILE)) in page


def test_ids_open_in_the_console_when_the_row_has_its_region():
    page = table_html(pd.DataFrame({"event_id": ["0000-1111", "0000-2222"], "region": ["eu-west-1", "not a region"]}))
    assert ('href="https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/0000-1111"'
            in page)
    assert "0000-2222</a>" not in page, "no region, no link"
    assert console.guardduty_finding("f" * 32, "us-east-1").endswith("#/findings?macros=current&fId=" + "f" * 32)
    assert console.cloudtrail_event('x"><b>', "us-east-1").endswith("/events/x%22%3E%3Cb%3E"), "URL-encoded"


def test_long_tables_get_sorting_search_and_download_and_short_ones_do_not():
    long = table_html(pd.DataFrame({"n": range(INTERACTIVE_ROWS + 1)}), name="events")
    short_one = table_html(pd.DataFrame({"n": range(3)}))
    assert "<div class=\"wb-table\" data-interactive" in long and 'data-name="events"' in long and "download CSV" in long
    assert "<div class=\"wb-table\" data-interactive" not in short_one and "<script>" not in short_one
    assert "no rows" in table_html(pd.DataFrame({"n": []}))


def test_records_open_as_escaped_json_with_a_console_link():
    frame = pd.DataFrame({"eventid": ["abc-123", HOSTILE], "eventtime": ["2026-11-03T10:00:00Z"] * 2,
                          "eventname": ["CreateAccessKey", "X"], "awsregion": ["us-east-1", "bogus"],
                          "requestparameters": ['{"userName": "mallory"}', HOSTILE], "errorcode": [None, None]})
    page = show.records(frame, source="cloudtrail")._repr_html_()
    assert page.count('<details class="wb-record">') == 2
    assert "cloudtrailv2/home?region=us-east-1#/events/abc-123" in page
    assert page.count("open in the AWS console") == 1, "a record without a real region gets no link"
    assert "<script>window" not in page and "<img src=x" not in page
    first = page[page.index("<pre>") + 5:page.index("</pre>")]
    record = json.loads(html.unescape(first))
    assert record["requestparameters"] == {"userName": "mallory"}, "JSON text is shown as the object it holds"
    assert "errorcode" not in record, "empty fields are left out"


def test_findings_open_alike():
    frame = pd.DataFrame({"id": ["f" * 32], "updatedat": ["2026-11-04T02:27:32.317Z"],
                          "type": ["AttackSequence:IAM/CompromisedCredentials"], "region": ["us-east-1"],
                          "service": ['{"detection": {"sequence": {"signals": []}}}']})
    page = show.records(frame, source="guardduty")._repr_html_()
    assert "guardduty/home?region=us-east-1#/findings?macros=current&amp;fId=" + "f" * 32 in page
    assert "&quot;detection&quot;" in page


def test_reasons_stay_whole_and_wrap():
    why = ("34 calls, 3.8x its usual 9; 13 errors (usually 0); calls at hours outside its baseline's hours "
           "(18:00-00:00 UTC); first calls from 95.186.156.83")
    page = table_html(pd.DataFrame({"why": [why]}))
    assert html.escape(why) in page and "\u2026" not in page and 'class="wrap"' in page
