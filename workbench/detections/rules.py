"""The rule library: rule files found, read and checked against the rule contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import QueryDefinitionError, UsageError
from workbench.library import Query, parse_query_text, query_dirs
from workbench.words import did_you_mean

#: The columns every rule returns, in this order: one table, one timeline and one pivot for all hits.
HIT_COLUMNS = ("event_time", "account_id", "region", "principal", "source_ip", "access_key_id", "event_name",
               "event_id", "detail")

#: What a judged rule's query returns (``-- judge:`` in its header): one row per account, principal, day,
#: source address and user agent, with that group's first call; its judge
#: (:mod:`workbench.detections.judges`) makes the hits.
CLIENT_DAYS = ("account_id", "principal", "day", "source_ip", "user_agent", "calls", "event_time", "event_id",
               "event_name", "access_key_id", "region")

#: Severity levels, most severe first. ``info`` is for change monitoring (the CIS benchmark's alarms on
#: policy, security-group and network changes): run when asked (``severity="info"``), not by default.
SEVERITIES = ("critical", "high", "medium", "low", "info")

#: The least severe level a run takes by default: ``info`` rules are left out.
DEFAULT_SEVERITY = "low"

#: ATT&CK tactic ids and their names, as rules name them.
TACTICS = {
    "TA0043": "Reconnaissance", "TA0042": "Resource Development",
    "TA0001": "Initial Access", "TA0002": "Execution", "TA0003": "Persistence", "TA0004": "Privilege Escalation",
    "TA0005": "Defense Evasion", "TA0006": "Credential Access", "TA0007": "Discovery", "TA0008": "Lateral Movement",
    "TA0009": "Collection", "TA0010": "Exfiltration", "TA0040": "Impact", "TA0011": "Command and Control",
}


@dataclass(frozen=True)
class Rule:
    """One detection rule: its query and what its hits mean.

    Attributes
    ----------
    id : str
        Stable id (``WB-CT-001``): hits keep it across renames of the file.
    title, severity : str
        What fired, and how bad it is (one of :data:`SEVERITIES`).
    tactics, techniques : tuple of str
        ATT&CK tactic (``TA0005``) and technique (``T1562.008``) ids.
    false_positives : str
        When it fires on nothing bad.
    query : Query
        The rule's query (``source/name``).
    values : dict
        Values the rule binds to its own parameters, beside the window's (a converted Sigma
        rule's strings: values are bound, never written into its SQL).
    judge : str
        For a rule whose question needs context no engine has (a network, a client program), the
        judge that turns its query's rows (:data:`CLIENT_DAYS`) into hits; empty for the others.
    """

    id: str
    title: str
    severity: str
    tactics: tuple[str, ...]
    techniques: tuple[str, ...]
    false_positives: str
    query: Query
    values: dict = field(default_factory=dict, compare=False)
    judge: str = ""

    @classmethod
    def of(cls, query: Query) -> Rule:
        """The rule of a parsed rule file; :class:`QueryDefinitionError` when it breaks the contract."""
        where = str(query.path or query.name)
        missing = [k for k in ("id", "title", "severity", "tactics", "techniques") if not query.header(k)]
        if missing:
            raise QueryDefinitionError(f"{where}: a rule needs '-- {missing[0]}:' in its header")
        severity = query.header("severity").lower()
        if severity not in SEVERITIES:
            raise QueryDefinitionError(f"{where}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
        judge = query.header("judge")
        wanted = CLIENT_DAYS if judge else HIT_COLUMNS
        if tuple(query.returns) != wanted:
            what = f"a rule with a judge ({judge}) returns" if judge else "a rule returns"
            raise QueryDefinitionError(f"{where}: {what} {', '.join(wanted)}; this one returns "
                                       f"{', '.join(query.returns)}")
        tactics = tuple(t.strip() for t in query.header("tactics").split(",") if t.strip())
        unknown = [t for t in tactics if t not in TACTICS]
        if unknown:
            raise QueryDefinitionError(f"{where}: unknown ATT&CK tactic {unknown[0]!r}")
        return cls(id=query.header("id"), title=query.header("title"), severity=severity, tactics=tactics,
                   techniques=tuple(t.strip() for t in query.header("techniques").split(",") if t.strip()),
                   false_positives=query.header("false_positives"), query=query, judge=judge)

    @property
    def tactic_names(self) -> tuple[str, ...]:
        """The tactics in words."""
        return tuple(TACTICS[t] for t in self.tactics)


def rule_dirs(extra=()) -> list[Path]:
    """Folders holding ``<source>/<rule>.sql``: ``detections/`` of every query folder, then ``extra``."""
    return [d / "detections" for d in query_dirs() if (d / "detections").is_dir()] + [Path(p) for p in extra]


def list_rules(extra=()) -> list[Rule]:
    """Every rule, sorted by id; a rule folder given in ``extra`` is read after the built-in ones.

    Raises
    ------
    QueryDefinitionError
        For a rule file that breaks the contract, or two rules with one id.
    UsageError
        For an ``extra`` folder that does not exist.
    """
    found: dict[str, Rule] = {}
    for folder in rule_dirs(extra):
        if not folder.is_dir():
            raise UsageError(f"rule folder {folder} does not exist")
        for path in sorted(folder.glob("*/*.sql")):
            rule = Rule.of(parse_query_text(path.read_text(encoding="utf-8"), path=path))
            if rule.id in found:
                raise QueryDefinitionError(f"{path}: rule id {rule.id} is also {found[rule.id].query.path}")
            found[rule.id] = rule
    return [found[k] for k in sorted(found)]


def get_rule(name: str, extra=()) -> Rule:
    """A rule by id (``WB-CT-001``) or name (``cloudtrail_stopped``)."""
    rules = list_rules(extra)
    for rule in rules:
        if name in (rule.id, rule.query.name, rule.query.qualified_name):
            return rule
    close = did_you_mean(name, [r.query.name for r in rules] + [r.id for r in rules])
    raise UsageError(f"no rule called {name!r}" + (f"; did you mean {' or '.join(close)}?" if close else "")
                     + "; 'workbench detect --list' lists them")
