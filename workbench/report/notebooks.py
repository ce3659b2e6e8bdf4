"""The investigation notebooks: where they are, their report names, their parameters.

A notebook file may carry a numeric prefix that orders it (``01-console-logins.ipynb``);
its report name leaves the prefix out (``console-logins``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from workbench.errors import UsageError
from workbench.settings import parse_list, shipped_dir
from workbench.words import did_you_mean

_PREFIX = re.compile(r"^\d+[-_.\s]*")


def notebook_dir() -> Path:
    """The built-in notebooks: inside the installed package, else the checkout's ``notebooks/``."""
    folder = shipped_dir("notebooks")
    if folder is None:
        raise UsageError("cannot find the notebooks: they ship inside the package (workbench/notebooks) and sit in "
                         "notebooks/ of a checkout; reinstall the package")
    return folder


def report_name(path: str | Path) -> str:
    """``01-console-logins.ipynb`` -> ``console-logins``."""
    return _PREFIX.sub("", Path(path).stem)


def list_notebooks(folder: str | Path | None = None) -> dict[str, Path]:
    """Report name -> notebook file, in file-name order (the numeric prefixes)."""
    folder = Path(folder) if folder else notebook_dir()
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        if not path.name.startswith("."):
            found[report_name(path)] = path
    return found


def find_notebooks(names: list[str] | None = None, folder: str | Path | None = None) -> dict[str, Path]:
    """The notebooks to run: all of them, or the ones named (report names or ``.ipynb`` paths).

    Raises
    ------
    UsageError
        For a name that is no notebook, listing the names there are.
    """
    available = list_notebooks(folder)
    if not names:
        return available
    chosen = {}
    for name in names:
        if name.endswith(".ipynb") and Path(name).is_file():
            chosen[report_name(name)] = Path(name)
        elif report_name(name) in available:
            chosen[report_name(name)] = available[report_name(name)]
        else:
            close = did_you_mean(report_name(name), available)
            raise UsageError(f"no notebook called {name!r}" + (f"; did you mean {' or '.join(close)}?" if close else "")
                             + f"; the notebooks are: {', '.join(available)}")
    return chosen


def notebook_parameters(path: str | Path) -> dict[str, dict]:
    """The parameters a notebook declares in its ``parameters`` cell (papermill's view of it).

    Returns
    -------
    dict
        name -> ``{"name", "default", "help", "inferred_type_name"}``.
    """
    import papermill

    return papermill.inspect_notebook(str(path))


def coerce_value(text, default: str | None):
    """A ``-p key=value`` text as the type of the parameter's default.

    ``int``, ``float`` and ``bool`` defaults convert the text; a list default splits it
    on commas; a ``None`` or string default keeps it as text (empty or ``none`` is
    ``None``). Values that are not text are passed as they are.
    """
    if not isinstance(text, str):
        return text
    try:
        example = ast.literal_eval(default) if default is not None else None
    except (ValueError, SyntaxError):
        example = None
    stripped = text.strip()
    if isinstance(example, bool):
        if stripped.lower() in ("1", "true", "yes", "on"):
            return True
        if stripped.lower() in ("0", "false", "no", "off"):
            return False
        raise UsageError(f"expected true or false, got {text!r}")
    if isinstance(example, int):
        try:
            return int(stripped)
        except ValueError:
            raise UsageError(f"expected a whole number, got {text!r}") from None
    if isinstance(example, float):
        try:
            return float(stripped)
        except ValueError:
            raise UsageError(f"expected a number, got {text!r}") from None
    if isinstance(example, (list, tuple)):
        return parse_list(stripped)
    if stripped.lower() in ("", "none", "null"):
        return None
    return text
