"""``workbench report``: notebooks in, pages, summaries and an index out; failures named, others kept.

Small notebooks of the test's own keep these fast; the investigation notebooks themselves
run in ``test_notebooks.py`` and ``test_demo.py``.
"""

import boto3
import nbformat
import pytest

from tests.moto_aws import aws, aws_server  # noqa: F401
from workbench.cli import main
from workbench.report import run_reports
from workbench.report.notebooks import coerce_value, report_name
from workbench.session.summary import read_summary

PARAMETERS = '''answer = 41  # a number
label = "plain"  # a text
summary_path = None  # where the summary goes'''


def _notebook(path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), params]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, str(path))
    return path


@pytest.fixture()
def notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _notebook(folder / "01-good.ipynb",
              "import workbench\nsecret_marker = 'code-only-text'",
              "workbench.write_summary(summary_path, {'title': 'Good', 'headline': f'{label}: {answer + 1}', "
              "'numbers': {'answer': answer + 1}, 'facts': {'label': label}})")
    _notebook(folder / "02-broken.ipynb", "value = answer * 2", "raise ValueError('the data is not there')",
              "never = 'reached'")
    return folder


def test_a_failing_notebook_is_named_with_its_cell_and_the_others_are_written(notebooks, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["report", "--notebook", str(notebooks / "01-good.ipynb"), "--notebook",
                 str(notebooks / "02-broken.ipynb"), "--out", str(out), "-p", "answer=1", "-p", "label=hello"])
    captured = capsys.readouterr()
    assert code == 1
    assert "workbench: report broken failed at cell" in captured.err
    assert "raise ValueError('the data is not there')" in captured.err
    assert "ValueError: the data is not there" in captured.err
    assert captured.out.strip() == str(out / "index.html")
    assert "[1/2] good" in captured.err and "[2/2] broken" in captured.err
    for name in ("good", "broken"):
        assert (out / f"{name}.ipynb").is_file() and (out / f"{name}.html").is_file()
    summary = read_summary(out / "good.summary.json")
    assert summary["numbers"] == {"answer": 2} and summary["facts"] == {"label": "hello"}, "typed -p values"
    index = (out / "index.html").read_text()
    assert 'href="good.html"' in index and "answer: <b>2</b>" in index and "hello: 2" in index
    assert "failed to run" in index and "at cell" in index and "ValueError: the data is not there" in index


def test_a_report_has_no_code_unless_asked_and_opens_with_its_verdict(notebooks, tmp_path):
    hidden = run_reports([str(notebooks / "01-good.ipynb")], out=str(tmp_path / "hidden"), progress=_Null())
    shown = run_reports([str(notebooks / "01-good.ipynb")], out=str(tmp_path / "shown"), show_code=True,
                        progress=_Null())
    assert not shown.failures and not hidden.failures
    assert "code-only-text" in (tmp_path / "shown" / "good.html").read_text()
    page = (tmp_path / "hidden" / "good.html").read_text()
    assert "code-only-text" not in page and "<h1" in page, "prose stays, code goes"
    assert "In&nbsp;[" not in page and 'class="jp-InputPrompt' not in page, "no prompts"
    verdict = page.index('<div class="wb-verdict')
    assert page.index("<h1") < verdict, "the title, then the verdict"
    assert "plain: 42" in page[verdict:page.index("</div></div>", verdict)], "the headline in the verdict box"
    assert "<title>Good \u00b7 security-log report</title>" in page, "the tab says what the page is"


def test_the_index_is_a_security_overview_and_keeps_earlier_reports(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, status, items in (("01-alarm", "needs attention", ["root signed in from 203.0.113.7"]),
                                ("02-quiet", "clear", []), ("00-detections", "clear", [])):
        _notebook(folder / f"{name}.ipynb",
                  "import workbench\nworkbench.write_summary(summary_path, {'title': '" + name + "', 'headline': 'h', "
                  f"'status': {status!r}, 'attention': {items!r}, 'numbers': {{'count': 3.0}}}}, "
                  "scope={'start': '2026-11-01', 'end': '2026-11-07', 'accounts': [], 'regions': [], 'engine': 'local'})")
    _notebook(folder / "03-broken.ipynb", "raise ValueError('no data')")
    out = tmp_path / "out"
    run_reports([str(folder / "02-quiet.ipynb"), str(folder / "03-broken.ipynb"), str(folder / "00-detections.ipynb")],
                out=str(out), progress=_Null())
    run_reports([str(folder / "01-alarm.ipynb")], out=str(out), progress=_Null())  # one more report, later
    index = (out / "index.html").read_text()
    rows = [line for line in index.splitlines() if line.startswith("<tr><td>")]
    assert 'href="detections.html"' in rows.pop(0), "the detections first, whatever their status"
    assert [r.split('class="status ')[1].split('"')[0] for r in rows] == ["attention", "failed", "clear"], \
        "then most urgent first; the earlier run's reports kept"
    assert "root signed in from 203.0.113.7" in rows[0] and "count: <b>3</b>" in rows[0], "counts as integers"
    assert "2026-11-01 to 2026-11-07 (UTC), all accounts, all regions" in rows[0]
    assert "failed to run" in rows[1] and "ValueError: no data" in rows[1]
    assert "1 needs attention" in index and "1 failed to run" in index and "2 clear" in index


def test_pages_load_nothing_from_the_network(notebooks, tmp_path):
    run_reports([str(notebooks / "01-good.ipynb")], out=str(tmp_path), progress=_Null())
    page = (tmp_path / "good.html").read_text()
    for cdn in ("cdnjs.cloudflare.com", "unpkg.com", "cdn.jsdelivr.net", "cdn.plot.ly", "require.min.js"):
        assert cdn not in page


def test_reports_go_to_s3(aws, notebooks):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="security-reports")
    run = run_reports([str(notebooks / "01-good.ipynb")], out="s3://security-reports/daily/2026-11-07/",
                      progress=_Null())
    assert run.index == "s3://security-reports/daily/2026-11-07/index.html"
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="security-reports")["Contents"]}
    assert keys == {f"daily/2026-11-07/{n}" for n in ("good.ipynb", "good.html", "good.summary.json", "good.run.json",
                                                      "index.html")}
    page = s3.get_object(Bucket="security-reports", Key="daily/2026-11-07/good.html")
    assert page["ContentType"].startswith("text/html")
    assert b"plain: 42" in s3.get_object(Bucket="security-reports", Key="daily/2026-11-07/index.html")["Body"].read()


def test_unknown_notebooks_and_parameters_are_refused_before_anything_runs(capsys, tmp_path):
    assert main(["report", "--notebook", "no-such-notebook", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no notebook called 'no-such-notebook'" in err and "console-logins" in err and "hunt" in err
    assert main(["report", "--notebook", "hunt", "-p", "colour=red", "--out", str(tmp_path)]) == 2
    assert "no selected notebook has parameter colour" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_names_without_numbers_and_typed_values():
    assert report_name("notebooks/01-console-logins.ipynb") == "console-logins"
    assert report_name("hunt.ipynb") == "hunt"
    assert coerce_value("25", "20") == 25
    assert coerce_value("0.5", "1.0") == 0.5
    assert coerce_value("no", "True") is False
    assert coerce_value("111122223333, 444455556666", "[]") == ["111122223333", "444455556666"]
    assert coerce_value("6h", '"2h"') == "6h"
    assert coerce_value("", "None") is None and coerce_value("203.0.113.7", "None") == "203.0.113.7"


class _Null:
    def write(self, text):
        return len(text)

    def flush(self):
        pass
