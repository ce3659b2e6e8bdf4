"""The HTML reports in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver`` packages), offline, with no console errors and every figure drawn.

Screenshots are saved in ``reports/test-screenshots/`` for a person to look at.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from selenium.webdriver.support.wait import WebDriverWait

from workbench.report import list_notebooks
from workbench.session.summary import read_summary

CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("WORKBENCH_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "reports" / "test-screenshots"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1800")


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        message = f"needs {CHROMIUM} and {CHROMEDRIVER}: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="workbench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _open(browser, page: Path):
    """Load a page, wait for Plotly to finish drawing, return the console messages that are errors."""
    browser.get_log("browser")  # forget what earlier pages said
    browser.get(page.resolve().as_uri())
    WebDriverWait(browser, 30).until(lambda b: b.execute_script(
        "return document.readyState === 'complete' && [...document.querySelectorAll('.js-plotly-plot')]"
        ".every(p => p.querySelector('.main-svg'))"))
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def _figure_cells(name: str) -> int:
    path = list_notebooks()[name]
    cells = nbformat.read(str(path), as_version=4).cells
    return sum(1 for c in cells if c.cell_type == "code" and re.search(r"\bfigures\.(?!embed_)[\w.]+\(", c.source))


@pytest.mark.parametrize("name", list(list_notebooks()))
def test_report_page_draws_every_figure_without_errors(browser, demo_run, name):
    errors = _open(browser, demo_run.reports / f"{name}.html")
    assert errors == [], errors
    plots = browser.execute_script("return document.querySelectorAll('.js-plotly-plot').length")
    drawn = browser.execute_script(
        "return [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.querySelector('.main-svg')).length")
    marks = browser.execute_script("return document.querySelectorAll('.js-plotly-plot .main-svg').length")
    assert plots == _figure_cells(name) and drawn == plots, (plots, drawn)
    assert marks >= 2 * plots, "each figure draws its plot and its overlay layers"
    assert browser.execute_script("return typeof window.Plotly") == "object", "the folder's plotly.js is loaded"
    assert browser.execute_script("return document.querySelectorAll('.jp-CodeCell .jp-InputArea').length") == 0, \
        "a report has no code cells"
    assert "In [" not in browser.execute_script("return document.body.innerText"), "nor prompts"
    verdict = browser.execute_script("return document.querySelector('.wb-verdict .wb-status').textContent")
    assert verdict == read_summary(demo_run.reports / f"{name}.summary.json")["status"], "the verdict opens the page"
    size = (demo_run.reports / f"{name}.html").stat().st_size
    assert size < 600_000, f"{name}.html is {size} bytes: plotly.js belongs in the folder's shared file"
    _screenshot(browser, f"{name}.png")


def test_index_page_links_every_report(browser, demo_run):
    errors = _open(browser, demo_run.reports / "index.html")
    assert errors == []
    rows = browser.execute_script("return document.querySelectorAll('tbody tr').length")
    assert rows == len(list_notebooks())
    links = browser.execute_script("return [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert {f"{n}.html" for n in list_notebooks()} <= set(links)
    assert all((demo_run.reports / link).is_file() for link in links)
    shown = browser.execute_script("return [...document.querySelectorAll('tbody tr')].map(r => "
                                   "[r.querySelector('a').getAttribute('href'), r.querySelector('.status').textContent])")
    statuses = {href[:-len(".html")]: status for href, status in shown}
    assert statuses == {n: read_summary(demo_run.reports / f"{n}.summary.json")["status"] for n in list_notebooks()}
    order = [status for _, status in shown]
    assert order == sorted(order, key=lambda st: {"needs attention": 0, "failed to run": 1}.get(st, 2)), \
        "most urgent first"
    assert "needs attention" in order, "the demo's planted incidents need attention"
    _screenshot(browser, "index.png")


def test_long_tables_sort_search_and_download_offline(browser, demo_run):
    assert _open(browser, demo_run.reports / "console-logins.html") == []
    table = "document.querySelector('.wb-table[data-interactive]')"
    rows = browser.execute_script(f"return {table}.querySelectorAll('tbody tr').length")
    assert rows > 12
    first = browser.execute_script(f"return {table}.querySelector('tbody tr td').textContent")
    browser.execute_script(f"const s = {table}.querySelector('input'); s.value = {first!r}; "
                           "s.dispatchEvent(new Event('input'))")
    visible = browser.execute_script(f"return [...{table}.querySelectorAll('tbody tr')]"
                                     ".filter(r => r.style.display !== 'none').length")
    assert 0 < visible < rows, "the search keeps the matching rows"
    browser.execute_script(f"const s = {table}.querySelector('input'); s.value = ''; s.dispatchEvent(new Event('input'))")
    column = browser.execute_script(f"return [...{table}.querySelectorAll('th')].findIndex(th => th.textContent === "
                                    "'sign_ins')")
    assert column >= 0
    browser.execute_script(f"{table}.querySelectorAll('th')[{column}].click()")
    values = browser.execute_script(f"return [...{table}.querySelectorAll('tbody tr')].map(r => "
                                    f"Number(r.cells[{column}].textContent))")
    assert values == sorted(values), "a click on a header sorts by it"
    assert browser.execute_script(f"return {table}.querySelector('button').textContent") == "download CSV"


def _screenshot(browser, file_name: str) -> None:
    """The whole page (up to 16000 pixels high), for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(max(height, 600), 16000))
    browser.save_screenshot(str(SCREENSHOTS / file_name))
    browser.set_window_size(1400, 1800)


#: What an attacker writes into the fields a report shows: each would set window.__pwned if it ran.
PAYLOADS = {
    "user_name": '<img src=x onerror="window.__pwned=(window.__pwned||[]).concat(\'user\')">',
    "user_agent": "<script>window.__pwned=(window.__pwned||[]).concat('agent')</script>",
    "root_agent": '<svg onload="window.__pwned=(window.__pwned||[]).concat(\'svg\')"></svg>',
    "source_ip": "<iframe src=\"javascript:parent.__pwned=['ip']\"></iframe>",
}


def _hostile_logs(folder: Path) -> Path:
    """Console sign-ins whose user name, user agent and source IP are HTML, in the S3 layout."""
    import json

    from workbench.formats.importer import import_files

    account = "111122223333"

    def signin(i, *, user, agent, ip, ok, root=False):
        identity = ({"type": "Root", "arn": f"arn:aws:iam::{account}:root", "accountId": account} if root else
                    {"type": "IAMUser", "userName": user, "accountId": account,
                     "arn": f"arn:aws:iam::{account}:user/x{i}"})
        return {"eventVersion": "1.09", "eventTime": f"2026-11-03T10:{i:02d}:00Z", "eventID": f"hostile-{i}",
                "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
                "sourceIPAddress": ip, "userAgent": agent, "recipientAccountId": account, "userIdentity": identity,
                "eventType": "AwsConsoleSignIn", "responseElements": {"ConsoleLogin": "Success" if ok else "Failure"},
                "additionalEventData": {"MFAUsed": "No"}, "errorMessage": None if ok else "Failed authentication"}

    records = [signin(i, user=PAYLOADS["user_name"], agent=PAYLOADS["user_agent"], ip="203.0.113.66", ok=False)
               for i in range(6)]
    records.append(signin(10, user=PAYLOADS["user_name"], agent=PAYLOADS["user_agent"], ip=PAYLOADS["source_ip"],
                          ok=True))
    records.append(signin(11, user=None, agent=PAYLOADS["root_agent"], ip="198.51.100.4", ok=True, root=True))
    dump = folder / "dump.json"
    dump.write_text(json.dumps(records))
    logs = folder / "logs"
    assert import_files([dump], logs).written == len(records)
    return logs


def test_log_fields_stay_text_in_every_report(browser, tmp_path):
    from workbench.report import run_reports

    logs = _hostile_logs(tmp_path)
    run = run_reports(["console-logins", "root-and-hidden-logins"], out=str(tmp_path / "reports"), logs=logs,
                      params={"start": "2026-11-03", "end": "2026-11-03"})
    assert not run.failures, [(f.failed_cell, f.error) for f in run.failures]
    headline = run.results[0].summary["headline"]
    assert PAYLOADS["user_name"] in headline, "the payload reached the verdict line"
    for page in ("console-logins.html", "root-and-hidden-logins.html", "index.html"):
        _open(browser, tmp_path / "reports" / page)
        assert browser.execute_script("return window.__pwned === undefined"), (page, browser.execute_script(
            "return window.__pwned"))
        assert browser.execute_script("return document.querySelectorAll('img[src=\"x\"], iframe, svg[onload]').length") == 0
    _open(browser, tmp_path / "reports" / "console-logins.html")
    shown = browser.execute_script("return document.body.innerText")
    assert "onerror=" in shown, "the payload is shown as the text it is"
