"""Sigma rule files read into rules: one rule file of the library's contract per Sigma rule, values bound.

Each Sigma rule becomes the text of a rule file (:mod:`workbench.detections.rules`): the header
(``name``, ``source: cloudtrail``, ``id``, ``title``, ``severity``, ``tactics``, ``techniques``,
``description``, ``false_positives``, the parameters, ``returns``), then the ``SELECT`` of the hit
columns that every built-in rule has, over the window, accounts and regions as they filter them,
and the Sigma condition (:mod:`.backend`). The condition's values are parameters of the rule
(``-- params: sigma_1 string ...``), bound from :attr:`Rule.values`: none is in the SQL.

From the Sigma rule:

* ``id``: its ``id``; a rule without one gets ``sigma-<file name>`` (stable while the file keeps its name).
* ``severity``: its ``level``; ``informational`` is ``info`` (run when asked), and a rule without one is ``medium``.
* ``tactics``: its ``attack.<tactic>`` tags (``attack.defense-evasion``, or ``attack.ta0005``) as
  ATT&CK ids. The contract needs one: a rule without a tactic the library knows is filed under
  :data:`DEFAULT_TACTIC`, and its description says so.
* ``techniques``: its ``attack.tNNNN[.NNN]`` tags, upper case; ``-`` when it has none.
* ``description``, ``false_positives``: its own, on one line each, and the file it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from workbench.detections.rules import HIT_COLUMNS, TACTICS, Rule
from workbench.errors import QueryDefinitionError, UsageError
from workbench.library import parse_query_text

#: The tactic of a Sigma rule that names none the library knows (the rule contract needs one).
DEFAULT_TACTIC = "TA0005"

#: Sigma ``level`` -> the library's severity.
SEVERITY_OF_LEVEL = {"informational": "info", "low": "low", "medium": "medium", "high": "high",
                     "critical": "critical"}

#: The severity of a Sigma rule without a ``level``.
DEFAULT_SEVERITY = "medium"

#: Sigma rule files: YAML.
SUFFIXES = (".yml", ".yaml")

_TACTIC_OF_NAME = {name.lower().replace(" ", "-"): tactic for tactic, name in TACTICS.items()}
_TECHNIQUE = re.compile(r"t\d{4}(?:\.\d{3})?")

#: The hit columns, as every built-in CloudTrail rule selects them; the detail says which Sigma rule matched.
_SELECT = """SELECT
    from_iso8601_timestamp(eventtime) AS event_time,
    coalesce(recipientaccountid, useridentity.accountid, account) AS account_id,
    awsregion AS region,
    coalesce(useridentity.arn, useridentity.username, useridentity.principalid) AS principal,
    sourceipaddress AS source_ip,
    useridentity.accesskeyid AS access_key_id,
    eventname AS event_name,
    eventid AS event_id,
    concat('{name}: ', coalesce(eventsource, '?'), ' ', coalesce(eventname, '?'), ': ',
        coalesce(errorcode, 'succeeded')) AS detail
FROM cloudtrail
WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/')
    AND (cardinality(:accounts) = 0 OR contains(:accounts, account))
    AND (cardinality(:regions) = 0 OR contains(:regions, region))
    AND ({condition})
ORDER BY event_time, event_id
"""

_WINDOW_PARAMS = """--   start     date          first day (inclusive, UTC)
--   end       date          last day (inclusive, UTC)
--   accounts  list<string>  = []  account ids to keep; empty keeps all
--   regions   list<string>  = []  regions to keep; empty keeps all"""


def load_sigma_rules(folder, *, default_tactic: str = DEFAULT_TACTIC) -> tuple[list[Rule], list[tuple[str, str]]]:
    """Read every Sigma rule under ``folder`` and convert those over CloudTrail into rules.

    Parameters
    ----------
    folder : str or Path
        A folder of Sigma rules (``*.yml``, ``*.yaml``, read recursively; hidden folders are
        skipped), or one rule file.
    default_tactic : str
        The ATT&CK tactic of a rule that names none the library knows (one of :data:`TACTICS`).

    Returns
    -------
    rules : list of Rule
        One per converted Sigma rule, in file order, each with its values in :attr:`Rule.values`;
        :func:`~workbench.detections.run_rules` runs them beside the built-in ones.
    unsupported : list of (str, str)
        ``(file, reason)`` for each rule (or file) that did not convert: another logsource, a
        correlation rule, a field the table does not hold, a modifier that does not convert, a
        file that is not a Sigma rule. The file is named relative to ``folder``. One bad file
        never stops the others.

    Raises
    ------
    UsageError
        If ``folder`` does not exist, or ``default_tactic`` is not an ATT&CK tactic id the library knows.
    """
    # pySigma takes about half a second to import: only a run with Sigma rules pays it
    from workbench.detections.sigma.backend import CloudTrailBackend

    root = Path(folder)
    if not root.exists():
        raise UsageError(f"Sigma rule folder {root} does not exist")
    if default_tactic not in TACTICS:
        raise UsageError(f"default tactic {default_tactic!r} is not one of {', '.join(TACTICS)}")
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts))
    rules: list[Rule] = []
    unsupported: list[tuple[str, str]] = []
    where_id: dict[str, str] = {}
    backend = CloudTrailBackend()
    for path in files:
        shown = path.name if path == root else path.relative_to(root).as_posix()
        converted, refused = _convert_file(path, shown, backend=backend, default_tactic=default_tactic)
        unsupported += refused
        for rule in converted:
            if rule.id in where_id:
                unsupported.append((shown, f"rule id {rule.id} is also the id of a rule in {where_id[rule.id]}"))
                continue
            where_id[rule.id] = shown
            rules.append(rule)
    return rules, unsupported


def _convert_file(path: Path, shown: str, *, backend, default_tactic: str) -> tuple[list[Rule], list[tuple[str, str]]]:
    """The rules of one file, and ``(file, reason)`` for each of its rules (or the file) that did not convert."""
    import yaml
    from sigma.collection import SigmaCollection
    from sigma.exceptions import SigmaError
    from sigma.rule import SigmaRule

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [], [(shown, f"cannot read the file: {err}")]
    try:
        collection = SigmaCollection.from_yaml(text)
    except yaml.YAMLError as err:
        return [], [(shown, "not YAML: " + " ".join(str(err).split()))]
    except SigmaError as err:
        return [], [(shown, f"not a Sigma rule pySigma reads: {_one_line(str(err))}")]
    except Exception as err:  # pySigma on a malformed document: this file is refused, the others still read
        return [], [(shown, f"not a Sigma rule pySigma reads: {type(err).__name__}: {_one_line(str(err))}")]
    rules, refused = [], []
    if collection.filters and not collection.rules:
        refused.append((shown, "a Sigma filter with none of its rules: a filter applies to the rules of its own file"))
    sigma_rules = [r for r in collection.rules if isinstance(r, SigmaRule)]
    for rule in collection.rules:
        if not isinstance(rule, SigmaRule):
            refused.append((shown, f"{_title(rule)}: correlation rules do not convert "
                                   "(a rule here is one query over single events)"))
    for index, rule in enumerate(sigma_rules, start=1):
        name = _name(path, index if len(sigma_rules) > 1 else None)
        if not rule._output:  # a rule a correlation uses, with `generate: false`: not a rule of its own
            refused.append((shown, f"{_title(rule)}: used by a correlation rule only (generate: false)"))
            continue
        status = str(rule.status or "").lower()
        if status == "unsupported":
            refused.append((shown, f"{_title(rule)}: its status is unsupported "
                                   "(Sigma's mark for a rule no backend converts)"))
            continue
        try:
            condition = backend.condition(rule)
        except SigmaError as err:
            refused.append((shown, f"{_title(rule)}: {_one_line(str(err))}"))
            continue
        except Exception as err:  # a rule pySigma parsed but cannot walk: this one is refused, the others convert
            refused.append((shown, f"{_title(rule)}: conversion failed: {type(err).__name__}: {_one_line(str(err))}"))
            continue
        text = rule_text(rule, condition, name=name, shown=shown, default_tactic=default_tactic)
        try:
            converted = Rule.of(parse_query_text(text))
        except QueryDefinitionError as err:  # a converted rule the library refuses: a bug here, named, not hidden
            refused.append((shown, f"{_title(rule)}: the converted rule breaks the rule contract: {err}"))
            continue
        rules.append(replace(converted, values=dict(condition.values)))
    return rules, refused


def rule_text(rule, condition, *, name: str, shown: str, default_tactic: str = DEFAULT_TACTIC) -> str:
    """The text of the rule file for a parsed Sigma rule and its converted condition.

    Parameters
    ----------
    rule : SigmaRule
        The rule (its metadata fills the header).
    condition : BoundCondition
        Its condition as SQL (:meth:`CloudTrailBackend.condition`).
    name : str
        The rule's query name (lower case, ``[a-z0-9_]``: it is written into the SQL's ``detail``).
    shown : str
        The file it came from, as the description names it.
    default_tactic : str
        The tactic when the rule names none the library knows.
    """
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"rule name {name!r} must be lower-case letters, digits and '_'")
    tactics, techniques = _attack_ids(rule)
    description = _one_line(rule.description or rule.title or "")
    if not tactics:
        tactics = [default_tactic]
        description += f" (The Sigma rule names no ATT&CK tactic: filed under {default_tactic}.)"
    description = _one_line(f"{description} Converted from Sigma rule {shown}.")
    level = str(rule.level).lower() if rule.level is not None else ""
    false_positives = "; ".join(_one_line(str(f)) for f in (rule.falsepositives or []) if str(f).strip())
    header = [
        f"-- name: {name}",
        "-- source: cloudtrail",
        f"-- id: {_rule_id(rule, name)}",
        f"-- title: {_one_line(rule.title or name)}",
        f"-- severity: {SEVERITY_OF_LEVEL.get(level, DEFAULT_SEVERITY)}",
        f"-- tactics: {', '.join(tactics)}",
        f"-- techniques: {', '.join(techniques) or '-'}",
        f"-- description: {description}",
        f"-- false_positives: {false_positives or 'None listed in the Sigma rule.'}",
        "-- params:",
        _WINDOW_PARAMS,
        *(f"--   {param:<9} string        the rule's value {param.removeprefix('sigma_')}, for "
          f"{condition.fields.get(param, 'its field')}" for param in condition.values),
        f"-- returns: {', '.join(HIT_COLUMNS)}",
    ]
    return "\n".join(header) + "\n" + _SELECT.format(name=name, condition=condition.sql)


def _attack_ids(rule) -> tuple[list[str], list[str]]:
    """The ATT&CK tactic ids (known to the library) and technique ids of a rule's tags, in tag order."""
    tactics: list[str] = []
    techniques: list[str] = []
    for tag in rule.tags or []:
        if str(tag.namespace).lower() != "attack":
            continue
        value = str(tag.name).lower().replace("_", "-")
        tactic = _TACTIC_OF_NAME.get(value) or (value.upper() if value.upper() in TACTICS else None)
        if tactic and tactic not in tactics:
            tactics.append(tactic)
        elif _TECHNIQUE.fullmatch(value) and value.upper() not in techniques:
            techniques.append(value.upper())
    return tactics, techniques


def _rule_id(rule, name: str) -> str:
    # a Sigma id is a UUID (pySigma refuses others); without one, the file's name keeps the id stable
    return str(rule.id) if rule.id is not None else "sigma-" + name.removeprefix("sigma_").replace("_", "-")


def _name(path: Path, index: int | None) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_") or "rule"
    return f"sigma_{stem}" + (f"_{index}" if index else "")


def _title(rule) -> str:
    return repr(_one_line(str(getattr(rule, "title", "") or "rule")))


def _one_line(text: str) -> str:
    """``text`` on one line: every line break, control character and run of spaces becomes one space."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in str(text))
    return " ".join(cleaned.split())
