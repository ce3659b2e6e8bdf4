"""``workbench report``: run notebooks with papermill into notebooks, HTML pages and an index.

For each notebook NAME the output folder gets ``NAME.ipynb`` (executed), ``NAME.html``
(offline page, prose, tables and figures: no code unless asked), ``NAME.summary.json``
(what the notebook wrote through ``summary_path``), ``NAME.run.json`` (how the run went) and,
for all of them, ``index.html``, the security overview, and the one copy of plotly.js the
pages share (:mod:`workbench.report.assets`). A failing notebook is reported with the cell
that failed; the others still run, and their reports are still written. Running some reports
into a folder that holds others updates their lines of the index and keeps the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from workbench.errors import UsageError
from workbench.report.assets import share_plotly, share_plotly_in_notebook
from workbench.report.html import notebook_html
from workbench.report.index import index_html
from workbench.report.notebooks import coerce_value, find_notebooks, notebook_parameters
from workbench.report.storage import is_s3, upload
from workbench.session.summary import read_summary
from workbench.settings import PLOT_THEME_ENV, default_engine, default_logs
from workbench.writes import write_atomic

#: Seconds a kernel may take to start.
KERNEL_START_TIMEOUT = 120


@dataclass
class ReportResult:
    """One notebook's report.

    Attributes
    ----------
    name : str
        Report name (the notebook's name without numeric prefix).
    notebook : Path
        The notebook that was run.
    parameters : dict
        What was injected.
    summary : dict
        What the notebook wrote (empty if it failed before).
    seconds : float
        Wall time, HTML export included.
    error : str or None
        Why it failed (``ename: evalue``), ``None`` if it did not.
    failed_cell : str or None
        Which cell failed: ``cell N (In [k]): first line of its code``.
    html, notebook_written : bool
        Whether ``NAME.html`` and ``NAME.ipynb`` were written.
    finished : str
        When it finished (ISO 8601, UTC).
    """

    name: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    failed_cell: str | None = None
    html: bool = False
    notebook_written: bool = False
    finished: str = ""

    def record(self) -> dict:
        """How the run went, as written to ``NAME.run.json`` (the summary has its own file)."""
        out = asdict(self)
        out.pop("summary")
        out["notebook"] = str(self.notebook)
        return out

    @classmethod
    def from_record(cls, record: dict, summary: dict) -> ReportResult:
        """A result read back from ``NAME.run.json`` and ``NAME.summary.json``."""
        known = {k: v for k, v in record.items() if k in cls.__dataclass_fields__ and k != "summary"}
        return cls(**{**known, "notebook": Path(str(known.get("notebook", "")))}, summary=summary)


@dataclass
class ReportRun:
    """All the reports of one run, and where they are."""

    out: str
    results: list[ReportResult]
    index: str
    files: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[ReportResult]:
        """The reports whose notebook failed."""
        return [r for r in self.results if r.error]


def run_reports(names: list[str] | None = None, *, out: str = "reports", logs=None, engine: str | None = None,
                params: dict | None = None, show_code: bool = False, notebook_dir=None, progress=None,
                cell_progress: bool = False) -> ReportRun:
    """Run notebooks headless and write their reports and an index.

    Parameters
    ----------
    names : list of str, optional
        Report names (``console-logins``) or ``.ipynb`` paths; default: every notebook.
    out : str
        Output folder, or ``s3://bucket/prefix``.
    logs : path, optional
        Log folder injected as ``logs`` (made absolute); default, for the local engine:
        ``$WORKBENCH_LOGS``, else the nearest ``demo-data`` from the working folder.
    engine : str, optional
        Injected as ``engine``; default: the notebooks' own (``$WORKBENCH_ENGINE``, else local).
    params : dict, optional
        More parameters, ``{name: value}``; text values take the type of the notebook's
        default. Each goes to the notebooks that declare it.
    show_code : bool
        Keep the code cells in the HTML pages (by default a page is prose, tables and figures).
    notebook_dir : path, optional
        Where the notebooks are (default: the built-in ones).
    progress : file, optional
        Where to write one line per notebook (default: stderr).
    cell_progress : bool
        Also show papermill's per-cell progress bar.

    Returns
    -------
    ReportRun
        The results, in run order, and the index's location.

    Raises
    ------
    UsageError
        For an unknown notebook, or a parameter no selected notebook declares.
    """
    stream = progress or sys.stderr
    notebooks = find_notebooks(names, notebook_dir)
    declared = {name: notebook_parameters(path) for name, path in notebooks.items()}
    given = dict(params or {})
    unknown = sorted(k for k in given if not any(k in d for d in declared.values()))
    if unknown:
        known = sorted({k for d in declared.values() for k in d})
        raise UsageError(f"no selected notebook has parameter {', '.join(unknown)}; parameters: {', '.join(known)}")
    injected = dict(given)
    reads_logs = any("logs" in d for d in declared.values())
    if reads_logs:
        _check_logs(logs, engine)
    if reads_logs and logs in (None, "") and (engine or default_engine()) == "local":
        logs = default_logs()  # from where the command runs, not from where the notebooks are
    if logs not in (None, "") and not is_s3(str(logs)):
        injected["logs"] = str(Path(logs).resolve())
    if engine:
        injected["engine"] = engine

    with tempfile.TemporaryDirectory(prefix="workbench-report-") as staging:
        folder = Path(staging) if is_s3(out) else Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        results = []
        for number, (name, path) in enumerate(notebooks.items(), start=1):
            print(f"[{number}/{len(notebooks)}] {name} ...", file=stream, flush=True)
            values = {k: coerce_value(v, declared[name][k]["default"]) for k, v in injected.items()
                      if k in declared[name]}
            if "summary_path" in declared[name]:
                values["summary_path"] = str((folder / f"{name}.summary.json").resolve())
            result = _run_one(name, path, folder, values, show_code=show_code, cell_progress=cell_progress)
            results.append(result)
            print(f"      {_outcome(result)}", file=stream, flush=True)
        settings = {"engine": engine or "notebook default", "logs": injected.get("logs"),
                    "parameters": dict(given.items())}
        earlier = [] if is_s3(out) else _earlier_results(folder, skip={r.name for r in results})
        write_atomic(folder / "index.html", index_html(results + earlier, settings=settings))
        files = sorted(p.name for p in folder.iterdir() if p.is_file())
        if is_s3(out):
            base = out.rstrip("/")
            upload(folder, base, files)
            return ReportRun(out=base, results=results, index=f"{base}/index.html",
                             files=[f"{base}/{f}" for f in files])
        return ReportRun(out=str(folder.resolve()), results=results, index=str((folder / "index.html").resolve()),
                         files=[str((folder / f).resolve()) for f in files])


def _check_logs(logs, engine: str | None) -> None:
    """Refuse, before any notebook runs, a local log folder that is not one (with what to do instead)."""
    from workbench.engines.local.listing import LogTree
    from workbench.errors import LogsNotFound

    if (engine or default_engine()) != "local":
        return
    folder = Path(logs) if logs not in (None, "") else default_logs()
    try:
        LogTree(folder)
    except LogsNotFound as err:
        if logs not in (None, ""):
            raise UsageError(str(err)) from None
        raise UsageError(f"no log folder for the reports: without --logs they read demo-data, and there is none in "
                         f"{Path.cwd()} or the folders above it; pass --logs DIR (the folder that holds AWSLogs/), "
                         "or run 'workbench demo' first for the sample") from None


def _earlier_results(folder: Path, *, skip: set[str]) -> list[ReportResult]:
    """The reports an earlier run left in ``folder`` (their ``NAME.run.json``), but those in ``skip``."""
    found = []
    for path in sorted(folder.glob("*.run.json")):
        name = path.name[: -len(".run.json")]
        if name in skip:
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("name") == name:
            found.append(ReportResult.from_record(record, read_summary(folder / f"{name}.summary.json")))
    return found


def _run_one(name: str, path: Path, folder: Path, values: dict, *, show_code: bool,
             cell_progress: bool) -> ReportResult:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    result = ReportResult(name=name, notebook=path, parameters=values)
    started = time.perf_counter()
    executed = folder / f"{name}.ipynb"
    summary = folder / f"{name}.summary.json"
    summary.unlink(missing_ok=True)
    theme = os.environ.get(PLOT_THEME_ENV)
    os.environ[PLOT_THEME_ENV] = "light"  # a report is read on paper and in any browser: light, whatever the lab's
    try:
        papermill.execute_notebook(str(path), str(executed), parameters=values, progress_bar=cell_progress,
                                   cwd=str(path.parent), start_timeout=KERNEL_START_TIMEOUT,
                                   config=_kernel_config())
    except PapermillExecutionError as err:
        result.error = f"{err.ename}: {err.evalue}"
        first_line = next((line for line in str(err.source).splitlines() if line.strip()), "")
        result.failed_cell = f"cell {err.cell_index} (In [{err.exec_count}]): {first_line.strip()}"
    except Exception as err:
        result.error = f"{type(err).__name__}: {err}"
        result.failed_cell = "kernel start" if "kernel" in str(err).lower() else "before the first cell"
    finally:
        if theme is None:
            os.environ.pop(PLOT_THEME_ENV, None)
        else:
            os.environ[PLOT_THEME_ENV] = theme
    result.summary = read_summary(summary)
    if executed.is_file():
        result.notebook_written = True
        try:
            title = f"{result.summary.get('title') or name} \u00b7 security-log report"
            page = notebook_html(nbformat.read(str(executed), as_version=4), title=title, show_code=show_code,
                                 summary=result.summary)
            write_atomic(folder / f"{name}.html", share_plotly(page, folder))
            share_plotly_in_notebook(executed, folder)
            result.html = True
        except Exception as err:
            result.error = result.error or f"HTML export failed: {type(err).__name__}: {err}"
            result.failed_cell = result.failed_cell or "HTML export"
    result.seconds = time.perf_counter() - started
    result.finished = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_atomic(folder / f"{name}.run.json", json.dumps(result.record(), indent=2, default=str) + "\n")
    return result


def _kernel_config():
    """How kernels are started: encrypted local connection (CurveZMQ) when pyzmq can, and a quiet
    kernel log (its shutdown messages would interleave with the progress lines; errors in cells
    are reported from the notebook itself)."""
    import zmq
    from traitlets.config import Config

    policy = "auto" if zmq.has("curve") else "disabled"
    return Config({"KernelManager": {"transport_encryption": policy},
                   "NotebookClient": {"extra_arguments": ["--IPKernelApp.log_level=CRITICAL"]}})


def _outcome(result: ReportResult) -> str:
    if result.error:
        return f"FAILED at {result.failed_cell}: {result.error} ({result.seconds:.1f} s)"
    headline = (result.summary or {}).get("headline", "")
    return f"ok in {result.seconds:.1f} s" + (f": {headline}" if headline else "")
