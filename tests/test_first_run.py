"""The first ten minutes: messages that say what to do, the defaults a new user meets.

Every message here is one a new user hits on day one (a typo, a folder one level too deep, a
window outside the logs, a report run from the wrong folder), and each must name the fix.
"""

import json
import re
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.report.notebooks import list_notebooks, notebook_parameters
from workbench.settings import plot_theme

ROOT = Path(__file__).resolve().parents[1]


def test_a_mistyped_query_notebook_or_engine_gets_a_suggestion(capsys):
    assert main(["queries", "root_activty"]) == 2
    assert "did you mean cloudtrail/root_activity?" in capsys.readouterr().err
    assert main(["report", "--notebook", "hunting"]) == 2
    assert "did you mean hunt?" in capsys.readouterr().err
    from workbench.engines import ENGINES
    from workbench.errors import UnknownName

    with pytest.raises(UnknownName, match="did you mean local"):
        ENGINES.lookup("locl")


def test_engine_and_logs_may_come_before_the_command(sample_org, capsys):
    assert main(["--engine", "local", f"--logs={sample_org}", "query", "root_activity", "-p", "start=2026-11-03",
                 "-p", "end=2026-11-03", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out), "the planted root sign-in is on 2026-11-03"


def test_a_log_folder_one_level_too_deep_names_the_right_one(sample_org, capsys):
    inside = next((sample_org / "AWSLogs").iterdir())
    assert main(["query", "root_activity", "-p", "start=2026-11-01", "-p", "end=2026-11-02", "--logs", str(inside)]) == 2
    err = capsys.readouterr().err
    assert f"--logs {sample_org}" in err and "inside an AWSLogs/ tree" in err


def test_an_empty_result_says_which_days_the_logs_hold(sample_org, capsys):
    assert main(["query", "root_activity", "-p", "start=2026-12-01", "-p", "end=2026-12-02", "--logs",
                 str(sample_org)]) == 0
    err = capsys.readouterr().err
    assert "why no rows: the CloudTrail logs here cover 2026-11-01 to 2026-11-07" in err


def test_a_notebook_query_with_no_rows_says_why(sample_org, capsys):
    import workbench

    inv = workbench.Investigation("local", sample_org, "2026-12-01", "2026-12-02")
    assert inv.query("console_logins").empty
    assert "console_logins: no rows, and here is why: the CloudTrail logs here cover 2026-11-01" in \
        capsys.readouterr().out


def test_a_window_that_ends_before_it_starts_is_refused(sample_org, capsys):
    import workbench
    from workbench.errors import UsageError

    with pytest.raises(UsageError, match="ends .* before it starts"):
        workbench.Investigation("local", sample_org, "2026-11-07", "2026-11-01")


def test_an_entity_query_without_its_entity_says_which_parameter(sample_org, capsys):
    assert main(["query", "events_by_access_key", "-p", "start=2026-11-01", "-p", "end=2026-11-02", "--logs",
                 str(sample_org)]) == 2
    assert "needs parameter access_key_id" in capsys.readouterr().err


def test_a_report_run_from_the_wrong_folder_says_to_pass_logs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_LOGS", raising=False)
    assert main(["report", "--notebook", "console-logins", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "pass --logs DIR" in err and "workbench demo" in err and "import" not in err
    assert not (tmp_path / "out").exists(), "refused before any notebook ran"


def test_query_help_says_the_window_is_needed(capsys):
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    assert "-p start=YYYY-MM-DD -p end=YYYY-MM-DD" in re.sub(r"\s+", " ", capsys.readouterr().out)


def test_report_help_lists_every_notebook(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = re.sub(r"-\s+", "-", capsys.readouterr().out)  # argparse wraps at hyphens
    assert all(name in out for name in list_notebooks())


@pytest.mark.parametrize("name", list(list_notebooks()))
def test_notebook_parameters_are_typed_for_papermill(name):
    params = notebook_parameters(list_notebooks()[name])
    untyped = [p for p, spec in params.items() if spec["inferred_type_name"] in (None, "None")]
    assert untyped == [], f"papermill --help-notebook shows 'Unknown type' for {untyped}"
    assert all(spec["help"] for spec in params.values()), "every parameter says what it is"


def test_plots_follow_a_dark_jupyterlab_and_reports_stay_light(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_PLOT_THEME", raising=False)
    monkeypatch.setenv("JUPYTERLAB_SETTINGS_DIR", str(tmp_path))
    assert plot_theme() == "light", "no JupyterLab settings: light"
    settings = tmp_path / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings"
    settings.parent.mkdir(parents=True)
    settings.write_text('{\n    // the theme chosen in Settings > Theme\n    "theme": "JupyterLab Dark"\n}\n')
    assert plot_theme() == "dark"
    import pandas as pd

    from workbench.figures.signins import outcomes_over_time

    fig = outcomes_over_time(pd.DataFrame({"time": ["2026-11-01"], "outcome": ["Success"], "sign_ins": [3]}))
    assert fig.layout.template.layout.paper_bgcolor not in (None, "white"), "the dark template"
    monkeypatch.setenv("WORKBENCH_PLOT_THEME", "light")  # what workbench report sets for its kernels
    assert plot_theme() == "light"


def test_the_demo_installs_only_the_workbench_and_the_lab_is_a_target():
    makefile = (ROOT / "Makefile").read_text()
    demo = re.search(r"^demo: (.*?) ##", makefile, re.M).group(1)
    assert demo.split() == ["$(BASE_STAMP)"], "make demo needs no test tools"
    base = re.search(r"^\$\(BASE_STAMP\):.*?(?=^\S)", makefile, re.M | re.S).group(0)
    assert "pip install --progress-bar on -e ." in base and "[dev" not in base
    assert re.search(r"^lab: .*##", makefile, re.M) and "jupyter lab" in makefile
    assert ".ipynb_checkpoints/" in (ROOT / ".gitignore").read_text().splitlines()


def test_doctor_reports_the_local_logs_and_goes_on_past_a_failure(sample_org, capsys, monkeypatch):
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "WORKBENCH_ATHENA_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    code = main(["doctor", "--logs", str(sample_org)])
    out = capsys.readouterr().out
    assert "OK    local CloudTrail: 7 days (2026-11-01 to 2026-11-07), 3 accounts" in out
    assert "FAIL  region" in out and "SKIP  credentials, Athena and Glue" in out, "what was not checked, and why"
    assert code == 1
