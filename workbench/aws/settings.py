"""Where the Athena engine finds its settings: arguments, then environment, then a file.

Each setting is looked up in this order, the first value found wins:

1. the keyword argument (``connect("athena", database="security_logs")``);
2. the environment variable ``WORKBENCH_ATHENA_<NAME>`` (``WORKBENCH_ATHENA_DATABASE``,
   ``_WORKGROUP``, ``_REGION``, ``_OUTPUT``);
3. the ``[athena]`` table of the config file: the path in ``WORKBENCH_CONFIG``, else
   ``$XDG_CONFIG_HOME/workbench/athena.toml`` (``~/.config/workbench/athena.toml``)::

       [athena]
       database = "security_logs"
       workgroup = "workbench"
       region = "eu-west-1"
       output = "s3://my-athena-results/workbench/"

4. the default: database ``security_logs`` (as ``workbench ddl`` names it), workgroup
   ``primary``, the region of the boto3 session (``AWS_REGION``, the profile), and the
   workgroup's own result location.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import UsageError
from workbench.settings import ATHENA_ENV_PREFIX, CONFIG_ENV, config_path, config_path_given

SETTINGS = ("database", "workgroup", "region", "output")
DEFAULTS = {"database": "security_logs", "workgroup": "primary", "region": None, "output": None}


@dataclass(frozen=True)
class AthenaSettings:
    """The resolved settings, and where each one came from.

    Attributes
    ----------
    database : str
        Glue database holding the log tables.
    workgroup : str
        Athena workgroup the queries run in (its scan cutoff applies).
    region : str or None
        AWS region; ``None`` leaves it to the boto3 session.
    output : str or None
        ``s3://`` location for query results; ``None`` uses the workgroup's.
    origin : dict
        Per setting: ``"argument"``, ``"$WORKBENCH_ATHENA_..."``, the config file path, or
        ``"default"``.
    """

    database: str
    workgroup: str
    region: str | None
    output: str | None
    origin: dict = field(default_factory=dict, compare=False)

    def describe(self, name: str) -> str:
        """``"security_logs (from $WORKBENCH_ATHENA_DATABASE)"``: a value and its origin."""
        return f"{getattr(self, name)} (from {self.origin.get(name, 'default')})"


def read_config(path: Path | None = None) -> dict:
    """The ``[athena]`` table of the config file (empty if there is no file).

    Raises
    ------
    UsageError
        If ``$WORKBENCH_CONFIG`` names a missing file, or the file is not valid TOML, or it
        sets an unknown key.
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
                             "pip install 'workbench[athena]'") from None
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"{path} is not valid TOML: {err}") from None
    table = doc.get("athena", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: 'athena' must be a table ([athena])")
    unknown = sorted(set(table) - set(SETTINGS))
    if unknown:
        raise UsageError(f"{path}: unknown setting(s) {', '.join(unknown)} in [athena]; "
                         f"known: {', '.join(SETTINGS)}")
    return {k: str(v) for k, v in table.items() if v not in (None, "")}


def resolve_settings(
    *,
    database: str | None = None,
    workgroup: str | None = None,
    region: str | None = None,
    output: str | None = None,
) -> AthenaSettings:
    """Settings from the arguments, else ``WORKBENCH_ATHENA_*``, else the config file, else defaults.

    Examples
    --------
    >>> resolve_settings(database="logs", workgroup="wb", region="eu-west-1").database
    'logs'
    """
    given = {"database": database, "workgroup": workgroup, "region": region, "output": output}
    path = config_path()
    from_file: dict | None = None
    values, origin = {}, {}
    for name in SETTINGS:
        env_name = ATHENA_ENV_PREFIX + name.upper()
        if given[name]:
            values[name], origin[name] = given[name], "argument"
        elif os.environ.get(env_name):
            values[name], origin[name] = os.environ[env_name], f"${env_name}"
        else:
            if from_file is None:
                from_file = read_config(path)
            if from_file.get(name):
                values[name], origin[name] = from_file[name], str(path)
            else:
                values[name], origin[name] = DEFAULTS[name], "default"
    if values["output"] and not values["output"].startswith("s3://"):
        raise UsageError(
            f"the Athena result location must be an s3:// URL, got {values['output']!r} "
            f"(from {origin['output']})"
        )
    return AthenaSettings(**values, origin=origin)
