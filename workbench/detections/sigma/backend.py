"""The backend: a Sigma rule's condition as one SQL condition over the ``cloudtrail`` table, its values bound.

pySigma parses a rule, the pipeline (:mod:`.pipeline`) maps its fields to the table's, and this
backend writes each part of the condition in the library's dialect (Athena, i.e. Trino; DuckDB
reads it through the library's translation). No value of the rule is written into the SQL: each
becomes a ``:sigma_N`` placeholder and its value goes into :attr:`BoundCondition.values`, bound by
the engine like any query parameter. Only the table's own column names and JSON paths of
identifier characters (checked again here) are written.

What each part becomes (``c`` a column, ``:p`` a bound value):

=================================  =====================================================
Sigma                              SQL
=================================  =====================================================
``field: value``                   ``lower(c) = lower(:p)`` (Sigma matches case-insensitively)
``*`` and ``?`` in a value         ``lower(c) LIKE lower(:p) ESCAPE '\\'`` (``%``, ``_``, ``\\`` literal)
``contains``, ``startswith``,      the same LIKE, the value with ``*`` around, after, before it
``endswith``
``cased``                          ``c = :p``, ``c LIKE :p ESCAPE '\\'``
``re`` (``i``, ``m``, ``s``)       ``regexp_like(c, :p)``, the flags as ``(?ims)`` in the pattern;
                                   it matches anywhere in the value unless anchored (``^``, ``$``)
``cidr``                           the range as LIKE prefixes (pySigma's expansion) of the address
``lt``, ``lte``, ``gt``, ``gte``   ``try_cast(c AS double) < cast(:p AS double)``
a number; ``true``, ``false``      ``c = :p`` (its text: every column is text); ``lower(c) = :p``
``fieldref``                       ``lower(c) = lower(d)`` (with ``startswith``/``endswith``/``contains``:
                                   a prefix, suffix or part of the other field's value)
``exists``                         ``c IS NOT NULL`` (for a JSON path: any JSON value there)
``field: null``                    ``c IS NULL``
a list; ``all``                    ``OR``; ``AND``
a map; ``and``, ``or``             ``AND``; ``AND``, ``OR``
``not``                            ``NOT coalesce(x, false)``: a field the event lacks matches no
                                   value, so ``not`` of it is true (SQL's NULL would drop the event)
=================================  =====================================================

``1 of selection_*``, ``all of them`` and the other quantifiers reach the backend already
expanded into ``OR`` and ``AND`` by pySigma. Refused, with the reason (a Sigma error, which the
loader lists as not converted): keywords (values without a field: the table has no one text
column), placeholders (``expand``), timestamp parts (``minute``, ``hour``...), query expressions
and correlation rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from sigma.conversion.base import Backend
from sigma.exceptions import SigmaConversionError, SigmaFeatureNotSupportedByBackendError
from sigma.rule import SigmaRule
from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCasedString,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
)

from workbench.detections.sigma.pipeline import JSON_PATH_MARK, cloudtrail_pipeline

#: The escape character of every LIKE pattern (written ``ESCAPE '\'``: a plain character in both
#: Athena's and DuckDB's string literals).
LIKE_ESCAPE = "\\"

#: Prefix of the placeholders (``:sigma_1``, ``:sigma_2``...).
PLACEHOLDER_PREFIX = "sigma_"

_COLUMN = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")
_JSON_PATH = re.compile(r"\$(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_COMPARE = {CompareOperators.LT: "<", CompareOperators.LTE: "<=", CompareOperators.GT: ">",
            CompareOperators.GTE: ">="}
_REGEX_FLAGS = {SigmaRegularExpressionFlag.IGNORECASE: "i", SigmaRegularExpressionFlag.MULTILINE: "m",
                SigmaRegularExpressionFlag.DOTALL: "s"}


@dataclass
class BoundCondition:
    """A rule's condition as SQL, and the values of its placeholders.

    Attributes
    ----------
    sql : str
        One boolean SQL expression over the ``cloudtrail`` table, with ``:sigma_N`` placeholders.
    values : dict
        ``{"sigma_1": value, ...}``: every value a string.
    fields : dict
        ``{"sigma_1": table field, ...}``: what each value is compared with (for the parameter's
        description).
    """

    sql: str
    values: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


def column_sql(table_field: str, *, document: bool = False) -> str:
    """The SQL that reads a field named by the pipeline (``eventname``, ``requestparameters.$.userName``).

    Parameters
    ----------
    table_field : str
        A column, a struct field (``a.b.c``, lower case) or a JSON column, the pipeline's mark and a path.
    document : bool
        For a JSON path, the JSON value there (``json_extract``: objects and arrays too) instead of
        its scalar text (``json_extract_scalar``).

    Raises
    ------
    SigmaFeatureNotSupportedByBackendError
        For anything else: a name that did not come from the pipeline is never written into SQL.

    Examples
    --------
    >>> column_sql("requestparameters.$.userName")
    "json_extract_scalar(requestparameters, '$.userName')"
    """
    column, mark, path = table_field.partition(JSON_PATH_MARK)
    if mark:
        path = "$" + path
        if _COLUMN.fullmatch(column) and _JSON_PATH.fullmatch(path):
            return f"json_extract({column}, '{path}')" if document else f"json_extract_scalar({column}, '{path}')"
    elif _COLUMN.fullmatch(table_field):
        return table_field
    raise SigmaFeatureNotSupportedByBackendError(
        f"field {table_field!r} is not one of the cloudtrail table's (map it with the workbench pipeline)")


class CloudTrailBackend(Backend):
    """Converts Sigma rules over CloudTrail into SQL conditions over the ``cloudtrail`` table.

    Use :meth:`condition` for one rule: it returns the SQL and the values to bind. The backend
    keeps the values of the rule being converted, so one backend converts one rule at a time.

    Parameters
    ----------
    processing_pipeline : ProcessingPipeline, optional
        Default: :func:`~workbench.detections.sigma.pipeline.cloudtrail_pipeline`; another must
        map fields to the same names.
    """

    name = "workbench CloudTrail (Athena SQL, values bound)"
    formats: ClassVar[dict[str, str]] = {
        "default": "one SQL condition with :sigma_N placeholders (see BoundCondition)"}
    convert_or_as_in = True  # a list of plain values of one field: field IN (...)

    def __init__(self, processing_pipeline=None, **backend_options):
        super().__init__(processing_pipeline or cloudtrail_pipeline(), collect_errors=False, **backend_options)
        self._values: dict[str, str] = {}
        self._fields: dict[str, str] = {}

    def condition(self, rule: SigmaRule) -> BoundCondition:
        """The rule's condition, its values bound (a rule with several conditions: any of them).

        Raises
        ------
        SigmaError
            Naming what the rule uses that does not convert.
        """
        self._values, self._fields = {}, {}
        parts = self.convert_rule(rule)
        if not parts:
            raise SigmaConversionError("the rule has no condition to convert")
        sql = parts[0] if len(parts) == 1 else " OR ".join(f"({part})" for part in parts)
        return BoundCondition(sql, dict(self._values), dict(self._fields))

    # -- values -----------------------------------------------------------------

    def _bind(self, value: str, table_field: str) -> str:
        """A new placeholder holding ``value``."""
        name = f"{PLACEHOLDER_PREFIX}{len(self._values) + 1}"
        self._values[name] = value
        self._fields[name] = table_field
        return f":{name}"

    @staticmethod
    def _plain(value: SigmaString) -> str:
        """The text of a value without wildcards."""
        if value.contains_placeholder():
            raise SigmaFeatureNotSupportedByBackendError(
                "placeholders (the expand modifier) need lists of values this workbench does not keep")
        return "".join(part for part in value.s if isinstance(part, str))

    @staticmethod
    def _like_pattern(value: SigmaString) -> str:
        """A value with wildcards as a LIKE pattern: ``*`` -> ``%``, ``?`` -> ``_``, the rest literal."""
        if value.contains_placeholder():
            raise SigmaFeatureNotSupportedByBackendError(
                "placeholders (the expand modifier) need lists of values this workbench does not keep")
        return value.convert(escape_char=LIKE_ESCAPE, wildcard_multi="%", wildcard_single="_",
                             add_escaped=LIKE_ESCAPE)

    # -- boolean structure --------------------------------------------------------

    def convert_condition_and(self, cond, state) -> str:
        return "(" + " AND ".join(self.convert_condition(arg, state) for arg in cond.args) + ")"

    def convert_condition_or(self, cond, state) -> str:
        return "(" + " OR ".join(self.convert_condition(arg, state) for arg in cond.args) + ")"

    def convert_condition_not(self, cond, state) -> str:
        (inner,) = cond.args
        return f"NOT coalesce({self.convert_condition(inner, state)}, false)"

    def convert_condition_as_in_expression(self, cond, state) -> str:
        """``field IN (...)`` for an OR of plain values of one field, each value bound."""
        cased = {isinstance(arg.value, SigmaCasedString) for arg in cond.args}
        if len(cased) != 1:  # cased and uncased values in one list: one comparison each
            return self.convert_condition_or(cond, state)
        table_field = cond.args[0].field
        column = column_sql(table_field)
        values = [self._plain(arg.value) if isinstance(arg.value, SigmaString) else str(arg.value)
                  for arg in cond.args]
        if cased == {True}:
            return f"{column} IN ({', '.join(self._bind(v, table_field) for v in values)})"
        return f"lower({column}) IN ({', '.join(f'lower({self._bind(v, table_field)})' for v in values)})"

    # -- field = value ------------------------------------------------------------

    def convert_condition_field_eq_val_str(self, cond, state) -> str:
        return self._string_match(cond.field, cond.value, cased=False)

    def convert_condition_field_eq_val_str_case_sensitive(self, cond, state) -> str:
        return self._string_match(cond.field, cond.value, cased=True)

    def _string_match(self, table_field: str, value: SigmaString, *, cased: bool) -> str:
        column = column_sql(table_field)
        if value.contains_special():
            pattern = self._bind(self._like_pattern(value), table_field)
            if cased:
                return f"{column} LIKE {pattern} ESCAPE '{LIKE_ESCAPE}'"
            return f"lower({column}) LIKE lower({pattern}) ESCAPE '{LIKE_ESCAPE}'"
        bound = self._bind(self._plain(value), table_field)
        return f"{column} = {bound}" if cased else f"lower({column}) = lower({bound})"

    def convert_condition_field_eq_val_num(self, cond, state) -> str:
        # every column is text: a number matches its decimal spelling (requestParameters.fromPort: 22)
        number: SigmaNumber = cond.value
        return f"{column_sql(cond.field)} = {self._bind(str(number.number), cond.field)}"

    def convert_condition_field_eq_val_bool(self, cond, state) -> str:
        # readOnly: true; CloudTrail's JSON booleans read as the text 'true' and 'false'
        boolean: SigmaBool = cond.value
        return f"lower({column_sql(cond.field)}) = {self._bind('true' if boolean.boolean else 'false', cond.field)}"

    def convert_condition_field_eq_val_re(self, cond, state) -> str:
        regex: SigmaRegularExpression = cond.value
        if regex.regexp.contains_placeholder():
            raise SigmaFeatureNotSupportedByBackendError("placeholders in a regular expression do not convert")
        flags = "".join(sorted(_REGEX_FLAGS[f] for f in regex.flags))
        pattern = (f"(?{flags})" if flags else "") + str(regex.regexp)
        return f"regexp_like({column_sql(cond.field)}, {self._bind(pattern, cond.field)})"

    def convert_condition_field_eq_val_cidr(self, cond, state) -> str:
        column = column_sql(cond.field)
        patterns = [p.replace("*", "%") for p in cond.value.expand(wildcard="*")]  # digits, '.', ':', hex
        if any(ch in p for p in patterns for ch in "_" + LIKE_ESCAPE):
            raise SigmaFeatureNotSupportedByBackendError(f"CIDR {cond.value.cidr!r} does not expand to prefixes")
        return "(" + " OR ".join(f"lower({column}) LIKE lower({self._bind(p, cond.field)}) ESCAPE '{LIKE_ESCAPE}'"
                                 for p in patterns) + ")"

    def convert_condition_field_compare_op_val(self, cond, state) -> str:
        op = _COMPARE.get(cond.value.op)
        if op is None:
            raise SigmaFeatureNotSupportedByBackendError(f"comparison {cond.value.op.name} does not convert")
        bound = self._bind(str(cond.value.number.number), cond.field)
        return f"try_cast({column_sql(cond.field)} AS double) {op} cast({bound} AS double)"

    def convert_condition_field_eq_field(self, cond, state) -> str:
        """``fieldref``: case-insensitive, as Sigma's string matching; a missing field matches nothing."""
        this, other = f"lower({column_sql(cond.field)})", f"lower({column_sql(cond.value.field)})"
        starts, ends = cond.value.starts_with, cond.value.ends_with
        if starts and ends:
            return f"strpos({this}, {other}) > 0"
        if starts:
            return f"substr({this}, 1, length({other})) = {other}"
        if ends:
            return f"substr(reverse({this}), 1, length({other})) = reverse({other})"
        return f"{this} = {other}"

    def convert_condition_field_eq_val_null(self, cond, state) -> str:
        return f"{column_sql(cond.field)} IS NULL"

    def convert_condition_field_exists(self, cond, state) -> str:
        return f"{column_sql(cond.field, document=True)} IS NOT NULL"

    def convert_condition_field_not_exists(self, cond, state) -> str:
        return f"{column_sql(cond.field, document=True)} IS NULL"

    # -- refused ------------------------------------------------------------------

    def convert_condition_field_eq_val_timestamp_part(self, cond, state):
        raise SigmaFeatureNotSupportedByBackendError(
            "timestamp-part modifiers (minute, hour, day, week, month, year) do not convert")

    def convert_condition_field_eq_query_expr(self, cond, state):
        raise SigmaFeatureNotSupportedByBackendError("query expressions do not convert")

    def _keyword(self, cond, state):
        raise SigmaFeatureNotSupportedByBackendError(
            "keywords (values without a field) do not convert: the cloudtrail table has no one text column "
            "to search")

    convert_condition_val_str = convert_condition_val_num = convert_condition_val_re = _keyword
    convert_condition_query_expr = convert_condition_field_eq_query_expr

    def _correlation(self, *args, **kwargs):
        raise SigmaFeatureNotSupportedByBackendError(
            "correlation rules do not convert: a rule here is one query over single events")

    convert_correlation_event_count_rule = convert_correlation_value_count_rule = _correlation
    convert_correlation_temporal_rule = convert_correlation_temporal_ordered_rule = _correlation
    convert_correlation_extended_temporal_rule = convert_correlation_extended_temporal_ordered_rule = _correlation
    convert_correlation_value_sum_rule = convert_correlation_value_avg_rule = _correlation
    convert_correlation_value_percentile_rule = convert_correlation_value_median_rule = _correlation

