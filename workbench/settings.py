"""Every setting the workbench reads from its surroundings, and what a missing value means.

Environment variables (one prefix, ``WORKBENCH_``):

========================  ==================================================================
``WORKBENCH_ENGINE``      engine when none is given: ``local`` (default), ``athena``, ...
``WORKBENCH_LOGS``        log folder when none is given (default: the nearest ``demo-data``)
``WORKBENCH_QUERY_PATH``  more query folders, ``os.pathsep``-separated, after the built-in ones
``WORKBENCH_CHECKS``      ``off`` keeps no file checks between sessions
``WORKBENCH_MAX_FILE_BYTES``  most a log file may inflate to (default 256 MB); the rest is cut and reported
``WORKBENCH_CONFIG``      the config file (default ``$XDG_CONFIG_HOME/workbench/config.toml``)
``WORKBENCH_PLOT_THEME``  ``light``, ``dark``, or ``auto`` (default): dark when JupyterLab's theme is
                          (reports, made by ``workbench report``, are always light)
``WORKBENCH_COUNTRY_DB``  an MMDB file (MaxMind, DB-IP, IPinfo) for an IP's country, before the shipped data
``WORKBENCH_ASN_DB``      an MMDB file for an IP's ASN and organisation, before the shipped data
``WORKBENCH_ATHENA_*``    Athena settings: ``_DATABASE``, ``_WORKGROUP``, ``_REGION``, ``_OUTPUT``
                          (:mod:`workbench.aws.settings`)
``WORKBENCH_TRINO_*``     Trino settings: ``_HOST``, ``_PORT``, ``_CATALOG``, ``_SCHEMA``, ``_USER``,
                          ``_PASSWORD``, ``_HTTP_SCHEME`` (:mod:`workbench.engines.trino.settings`)
========================  ==================================================================

An engine's settings (:func:`resolve_section`) come from its keyword arguments, else
``WORKBENCH_<SECTION>_<NAME>``, else the ``[<section>]`` table of the config file, else defaults.

The partition-upkeep Lambda reads ``WORKBENCH_UPKEEP_*`` (:mod:`workbench.aws.upkeep`); it
is deployed alone, without the package, so those stay in its own module.

A notebook's parameters default to ``None``; the functions here say what ``None`` means, so
that the notebooks, ``workbench.pivot`` and the command line agree:

- engine: ``$WORKBENCH_ENGINE``, else ``"local"``;
- logs: ``$WORKBENCH_LOGS``, else the nearest ``demo-data`` folder (the working folder or one
  of its parents: a notebook opened from ``notebooks/`` finds the sample), else ``demo-data``;
- window: the sample's days when the logs are a generated sample, else the last seven days
  up to today (UTC).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import UsageError
from workbench.words import parse_size

ENGINE_ENV = "WORKBENCH_ENGINE"
LOGS_ENV = "WORKBENCH_LOGS"
QUERY_PATH_ENV = "WORKBENCH_QUERY_PATH"
CHECKS_ENV = "WORKBENCH_CHECKS"
CONFIG_ENV = "WORKBENCH_CONFIG"
MAX_FILE_BYTES_ENV = "WORKBENCH_MAX_FILE_BYTES"
PLOT_THEME_ENV = "WORKBENCH_PLOT_THEME"
COUNTRY_DB_ENV = "WORKBENCH_COUNTRY_DB"
ASN_DB_ENV = "WORKBENCH_ASN_DB"
ATHENA_ENV_PREFIX = "WORKBENCH_ATHENA_"
ENV_PREFIX = "WORKBENCH_"

#: The engine used when none is named.
DEFAULT_ENGINE = "local"
#: Where ``make demo`` and ``workbench sample`` put the sample organisation.
DEMO_LOGS = "demo-data"
#: Where ``workbench report`` and ``workbench demo`` put the reports.
REPORTS = "reports"
#: Days in the default window when the logs are not a sample.
DEFAULT_DAYS = 7
#: Most one log file may inflate to. Real CloudTrail files hold a few MB; a small gzip that
#: inflates to gigabytes is cut here, reported, and read no further, so memory stays bounded.
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class SampleSettings:
    """The sample organisation's defaults, shared by ``workbench sample``, the demo and the tests."""

    start: dt.date = dt.date(2026, 11, 1)
    days: int = 7
    accounts: int = 3
    regions: tuple[str, ...] = ("us-east-1", "ap-northeast-1")
    seed: int = 7
    scale: float = 1.0


#: The defaults of the sample generator.
SAMPLE = SampleSettings()


# -- engine and logs -------------------------------------------------------------------


def default_engine() -> str:
    """``$WORKBENCH_ENGINE`` if set, else ``"local"``."""
    return os.environ.get(ENGINE_ENV, "").strip() or DEFAULT_ENGINE


def engine_name(engine: str | None) -> str:
    """The engine to use for a parameter value: the value itself, or the default for ``None``."""
    return default_engine() if engine in (None, "") else str(engine)


def default_logs(folder: str | os.PathLike | None = None) -> Path:
    """The log folder to use when none is given.

    Parameters
    ----------
    folder : path, optional
        Where to start looking for ``demo-data`` (default: the working folder).

    Returns
    -------
    Path
        ``$WORKBENCH_LOGS`` if set; else the first ``demo-data`` folder found in ``folder``
        or its parents; else ``demo-data`` (which may not exist yet).
    """
    if os.environ.get(LOGS_ENV):
        return Path(os.environ[LOGS_ENV])
    here = Path(folder or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / DEMO_LOGS).is_dir():
            return candidate / DEMO_LOGS
    return Path(DEMO_LOGS)


def logs_folder(logs: str | os.PathLike | None) -> Path:
    """The log folder for a parameter value: the value itself, or :func:`default_logs` for ``None``."""
    return default_logs() if logs in (None, "") else Path(logs)


# -- the time window -------------------------------------------------------------------


def default_window(logs: str | os.PathLike | None = None, *, today: dt.date | None = None) -> tuple[str, str]:
    """``(start, end)`` days (``YYYY-MM-DD``, inclusive) when a notebook is given none.

    The generated sample's own days when ``logs`` holds one (``scenarios.json``), else the
    last :data:`DEFAULT_DAYS` days up to ``today`` (UTC).
    """
    if logs is not None:
        truth = Path(logs) / "scenarios.json"
        if truth.is_file():
            try:
                generator = json.loads(truth.read_text(encoding="utf-8"))["generator"]
                return generator["start"], generator["end"]
            except (KeyError, ValueError, TypeError):
                pass
    today = today or dt.datetime.now(dt.timezone.utc).date()
    return (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat(), today.isoformat()


def window(start, end, logs=None) -> tuple[str, str]:
    """Resolve notebook ``start``/``end`` parameters (either may be ``None``) to days.

    A missing ``start`` makes a window of :data:`DEFAULT_DAYS` days ending at ``end``; a
    missing ``end`` one of :data:`DEFAULT_DAYS` days from ``start``; both missing:
    :func:`default_window`.

    Raises
    ------
    UsageError
        For a day that is not ``YYYY-MM-DD`` or a window that ends before it starts.
    """
    if start in (None, "") and end in (None, ""):
        return default_window(logs)
    first = parse_day(start, "start") if start not in (None, "") else None
    last = parse_day(end, "end") if end not in (None, "") else None
    span = dt.timedelta(days=DEFAULT_DAYS - 1)
    first = first or last - span
    last = last or first + span
    if last < first:
        raise UsageError(f"the window ends ({last}) before it starts ({first})")
    return first.isoformat(), last.isoformat()


def plot_theme() -> str:
    """``"dark"`` or ``"light"``: ``$WORKBENCH_PLOT_THEME``, else (``auto``) JupyterLab's own theme.

    JupyterLab keeps the chosen theme in its user settings
    (``$JUPYTERLAB_SETTINGS_DIR``, default ``~/.jupyter/lab/user-settings``); a theme whose
    name says dark makes figures dark, so they do not glare in a dark lab.
    """
    given = os.environ.get(PLOT_THEME_ENV, "auto").strip().lower()
    if given in ("light", "dark"):
        return given
    folder = Path(os.environ.get("JUPYTERLAB_SETTINGS_DIR") or Path.home() / ".jupyter" / "lab" / "user-settings")
    settings = folder / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings"
    try:
        text = settings.read_text(encoding="utf-8")
    except OSError:
        return "light"
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]  # JSON with comments
    try:
        theme = json.loads("\n".join(lines)).get("theme", "")
    except (ValueError, AttributeError):
        return "light"
    return "dark" if "dark" in str(theme).lower() else "light"


def parse_day(value, name: str = "day") -> dt.date:
    """A day from a date, a datetime or ``YYYY-MM-DD`` text.

    Raises
    ------
    UsageError
        Naming ``name`` and the value, when it is not a day.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise UsageError(f"{name}: expected a day as YYYY-MM-DD, got {value!r}") from None


# -- lists -----------------------------------------------------------------------------


def parse_list(value) -> list[str]:
    """A list from a parameter or an option: ``None``, ``"a,b"`` (commas) or a sequence.

    Items are stripped and empty ones dropped: the one rule for ``--accounts``, ``-p
    regions=...``, query parameters of type ``list<string>`` and notebook list parameters.

    Examples
    --------
    >>> parse_list(" 111122223333, 444455556666,"), parse_list(None), parse_list(["a", " "])
    (['111122223333', '444455556666'], [], ['a'])
    """
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
    else:
        raise UsageError(f"expected a list of strings (or text with commas), got {value!r}")
    return [text for text in (str(v).strip() for v in items) if text]


# -- folders ---------------------------------------------------------------------------


def query_path() -> list[Path]:
    """The folders named in ``$WORKBENCH_QUERY_PATH``, in order."""
    return [Path(p) for p in os.environ.get(QUERY_PATH_ENV, "").split(os.pathsep) if p]


def max_file_bytes(given: int | None = None) -> int:
    """Most a log file may inflate to: ``given``, else ``$WORKBENCH_MAX_FILE_BYTES`` (``512M``...), else 256 MB."""
    if given:
        return int(given)
    text = os.environ.get(MAX_FILE_BYTES_ENV, "").strip()
    return parse_size(text) if text else DEFAULT_MAX_FILE_BYTES


def keep_checks() -> bool:
    """Whether file checks are kept between sessions (``$WORKBENCH_CHECKS`` is not ``off``)."""
    return os.environ.get(CHECKS_ENV, "").strip().lower() not in ("off", "0", "no", "false")


def address_db(kind: str, given: str | os.PathLike | None = None) -> Path | None:
    """A user's own MMDB file for ``kind`` (``"country"`` or ``"asn"``): ``given``, else the environment, else ``None``.

    Raises
    ------
    UsageError
        If a file is named and does not exist.
    """
    env = {"country": COUNTRY_DB_ENV, "asn": ASN_DB_ENV}[kind]
    text = str(given) if given else os.environ.get(env, "").strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.is_file():
        raise UsageError(f"{env}: no file {path}; name an MMDB file (MaxMind, DB-IP or IPinfo) or unset it")
    return path


def user_cache_dir() -> Path:
    """The per-user cache folder: ``$XDG_CACHE_HOME/workbench``, else ``~/.cache/workbench``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "workbench"


def shipped_dir(name: str) -> Path | None:
    """A folder the package ships (``queries``, ``notebooks``, ``infra``), or ``None``.

    Inside the installed package (a wheel carries them as ``workbench/<name>``), else in the
    source checkout beside the package.
    """
    here = Path(__file__).resolve().parent
    return next((c for c in (here / name, here.parent / name) if c.is_dir()), None)


def config_path() -> Path:
    """The config file: ``$WORKBENCH_CONFIG``, else ``$XDG_CONFIG_HOME/workbench/config.toml``.

    ``athena.toml`` there, the file's name before other engines had settings, is read when
    ``config.toml`` does not exist.
    """
    given = os.environ.get(CONFIG_ENV)
    if given:
        return Path(given).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())) / "workbench"
    current = base / "config.toml"
    return current if current.is_file() or not (base / "athena.toml").is_file() else base / "athena.toml"


def config_path_given() -> bool:
    """Whether ``$WORKBENCH_CONFIG`` names the config file (then a missing file is an error)."""
    return bool(os.environ.get(CONFIG_ENV))


# -- engine settings -------------------------------------------------------------------


def read_config(section: str, known: tuple[str, ...], path: Path | None = None) -> dict:
    """The ``[section]`` table of the config file (empty if there is no file).

    Raises
    ------
    UsageError
        If ``$WORKBENCH_CONFIG`` names a missing file, the file is not valid TOML, or the
        table sets a key not in ``known``.
    """
    path = path or config_path()
    if not path.is_file():
        if config_path_given() and path == config_path():
            raise UsageError(f"{CONFIG_ENV} names {path}, which does not exist")
        return {}
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise UsageError(f"reading {path} needs the tomli package on Python 3.10: "
                             "pip install 'tomli>=2'") from None
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"{path} is not valid TOML: {err}") from None
    table = doc.get(section, {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: '{section}' must be a table ([{section}])")
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise UsageError(f"{path}: unknown setting(s) {', '.join(unknown)} in [{section}]; known: {', '.join(known)}")
    return {k: str(v) for k, v in table.items() if v not in (None, "")}


def resolve_section(section: str, defaults: dict, given: dict) -> tuple[dict, dict]:
    """An engine's settings and where each came from.

    Parameters
    ----------
    section : str
        ``"athena"``, ``"trino"``: the environment prefix (``WORKBENCH_TRINO_``) and config table.
    defaults : dict
        Every setting's name and default (``None``: none).
    given : dict
        Keyword arguments; ``None`` or empty means not given.

    Returns
    -------
    values, origin : dict, dict
        Per setting, its value, and ``"argument"``, ``"$WORKBENCH_..."``, the config file's path
        or ``"default"``.
    """
    path = config_path()
    from_file: dict | None = None
    values, origin = {}, {}
    for name, default in defaults.items():
        env_name = f"{ENV_PREFIX}{section.upper()}_{name.upper()}"
        if given.get(name) not in (None, ""):
            values[name], origin[name] = given[name], "argument"
        elif os.environ.get(env_name):
            values[name], origin[name] = os.environ[env_name], f"${env_name}"
        else:
            if from_file is None:
                from_file = read_config(section, tuple(defaults), path)
            if from_file.get(name):
                values[name], origin[name] = from_file[name], str(path)
            else:
                values[name], origin[name] = default, "default"
    return values, origin
