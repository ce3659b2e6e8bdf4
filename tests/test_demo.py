"""``workbench demo``: the sample, every notebook as a report, every planted scenario found."""

from workbench.report import list_notebooks


def test_demo_finds_every_planted_scenario(demo_run, truth):
    text = demo_run.text
    assert "already generated" in text, "the demo reuses a sample with the same settings"
    n = len(truth["scenarios"])
    assert f"{n}/{n} planted scenarios found" in text, text
    assert f"{n}/{n} planted scenarios fired a rule" in text, "every planted scenario fires a detection rule"
    assert demo_run.code == 0, text
    assert truth["by_kind"]["hidden_user_bruteforce"]["source_ip"] in text
    assert truth["by_kind"]["port_scan"]["source_ip"] in text
    assert truth["by_kind"]["compromised_access_key"]["access_key_id"] in text


def test_demo_runs_every_notebook_and_prints_the_index(demo_run):
    names = list(list_notebooks())
    for number, name in enumerate(names, start=1):
        assert f"[{number}/{len(names)}] {name}" in demo_run.text
    index = demo_run.reports / "index.html"
    assert index.is_file()
    assert demo_run.text.rstrip().endswith(str(index.resolve()))
    for name in names:
        assert (demo_run.reports / f"{name}.html").is_file() and (demo_run.reports / f"{name}.ipynb").is_file()
