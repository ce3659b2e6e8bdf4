"""Where the Athena engine finds its settings: arguments, then environment, then a file.

Each setting is looked up in this order, the first value found wins:

1. the keyword argument (``connect("athena", database="security_logs")``);
2. the environment variable ``WORKBENCH_ATHENA_<NAME>`` (``WORKBENCH_ATHENA_DATABASE``,
   ``_WORKGROUP``, ``_REGION``, ``_OUTPUT``);
3. the ``[athena]`` table of the config file: the path in ``WORKBENCH_CONFIG``, else
   ``$XDG_CONFIG_HOME/workbench/config.toml`` (``~/.config/workbench/config.toml``; an older
   ``athena.toml`` there is read when there is no ``config.toml``)::

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

from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import UsageError
from workbench.settings import read_config as read_section
from workbench.settings import resolve_section

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
    """The ``[athena]`` table of the config file (:func:`workbench.settings.read_config`)."""
    return read_section("athena", SETTINGS, path)


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
    values, origin = resolve_section("athena", DEFAULTS, given)
    if values["output"] and not values["output"].startswith("s3://"):
        raise UsageError(
            f"the Athena result location must be an s3:// URL, got {values['output']!r} "
            f"(from {origin['output']})"
        )
    return AthenaSettings(**values, origin=origin)
