"""The processing pipeline: which Sigma rules the ``cloudtrail`` table answers, and where it holds each field.

pySigma applies the pipeline to a rule before the backend (:mod:`.backend`) converts its
condition. It refuses a rule whose logsource is not ``product: aws, service: cloudtrail``, and
names, for each Sigma field (field names are case-insensitive), where the table holds it:

* a column: ``eventName`` -> ``eventname``;
* a field of a struct column: ``userIdentity.sessionContext.sessionIssuer.userName`` ->
  ``useridentity.sessioncontext.sessionissuer.username``;
* a path into a column that holds a JSON document: ``requestParameters.userName`` ->
  ``requestparameters.$.userName`` (the path keeps its spelling: JSON keys are case-sensitive),
  which the backend reads with ``json_extract_scalar``.

The columns and struct fields are the source definition's (:mod:`workbench.sources.cloudtrail`),
so a column added there is a field Sigma rules may use. Any other field is refused with the
reason, so the rule is listed as not converted instead of matching nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from sigma.exceptions import SigmaTransformationError
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations.base import FieldMappingTransformationBase, PreprocessingTransformation
from sigma.processing.transformations.fields import SetFieldTransformation
from sigma.rule import SigmaRule

from workbench.sources import get_source
from workbench.words import did_you_mean

#: Columns that hold a JSON document as text: a Sigma field below one of them is a JSON path.
JSON_COLUMNS = ("requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails")

#: Where a field of a JSON column is: the column, this mark, then the path (``requestparameters.$.userName``).
JSON_PATH_MARK = ".$"

#: One step of a JSON path the backend writes into the SQL: identifier characters only.
_PATH_STEP = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@cache
def cloudtrail_fields() -> dict[str, str]:
    """Sigma field names (lower case) -> the column or struct field of the ``cloudtrail`` table.

    Every column with one value per event (a string, or a field of a struct, at any depth);
    arrays and maps (``resources``, ``webIdFederationData.attributes``) hold no one value to
    compare and are left out.

    Examples
    --------
    >>> cloudtrail_fields()["useridentity.sessioncontext.sessionissuer.username"]
    'useridentity.sessioncontext.sessionissuer.username'
    >>> cloudtrail_fields()["eventname"]
    'eventname'
    """
    return {spelling.lower(): table for spelling, table in _spellings()}


@cache
def _spellings() -> tuple[tuple[str, str], ...]:
    """(the field as CloudTrail spells it, the table's name for it), for every field of one value."""
    found: list[tuple[str, str]] = []
    for column in get_source("cloudtrail").columns:
        _add_fields(column.key, column.name, column.type, found)
    return tuple(found)


@cache
def _lists() -> tuple[str, ...]:
    """The fields (as CloudTrail spells them) that hold an array or a map: many values, not one."""
    found: list[tuple[str, str]] = []
    for column in get_source("cloudtrail").columns:
        _add_fields(column.key, column.name, column.type, found, kinds=("array", "map"))
    return tuple(spelling for spelling, _ in found)


def _add_fields(spelling: str, table_name: str, typ, found: list[tuple[str, str]], *,
                kinds=("scalar",)) -> None:
    if typ.kind in kinds:
        found.append((spelling, table_name))
    elif typ.kind == "struct":
        for key, field_type in typ.fields:
            _add_fields(f"{spelling}.{key}", f"{table_name}.{key.lower()}", field_type, found, kinds=kinds)


def table_field(sigma_field: str) -> str:
    """Where the ``cloudtrail`` table holds a Sigma field (see the module's docstring).

    Raises
    ------
    SigmaTransformationError
        For a field the table does not hold, or a JSON path that is not identifier characters
        and dots (``requestParameters.ipPermissions.items[0]``).

    Examples
    --------
    >>> table_field("EventName")
    'eventname'
    >>> table_field("requestParameters.policyArn")
    'requestparameters.$.policyArn'
    """
    fields = cloudtrail_fields()
    known = fields.get(sigma_field.lower())
    if known is not None:
        return known
    column, _, path = sigma_field.partition(".")
    if column.lower() in JSON_COLUMNS and path:
        steps = path.split(".")
        if not all(_PATH_STEP.fullmatch(step) for step in steps):
            raise SigmaTransformationError(
                f"field {sigma_field!r}: a path into {column} must be names of letters, digits and '_' "
                "joined by '.' (no array indexes or quoting)")
        return f"{column.lower()}{JSON_PATH_MARK}.{'.'.join(steps)}"
    if sigma_field.lower() == "managementevent":
        raise SigmaTransformationError(
            "field 'managementEvent': the cloudtrail table has no such column (nor has AWS's Athena table "
            "for CloudTrail); eventCategory: Management says the same")
    for many in _lists():
        if (sigma_field.lower() + ".").startswith(many.lower() + "."):
            raise SigmaTransformationError(
                f"field {sigma_field!r}: {many} holds a list of values (an array or a map), not one value")
    close = did_you_mean(sigma_field, [spelling for spelling, _ in _spellings()])
    raise SigmaTransformationError(
        f"field {sigma_field!r} is not a CloudTrail field the cloudtrail table holds"
        + (f" (did you mean {' or '.join(close)}?)" if close else ""))


@dataclass
class CloudTrailOnly(PreprocessingTransformation):
    """Refuse a rule whose logsource is not ``product: aws, service: cloudtrail`` (any spelling of case)."""

    def apply(self, rule) -> None:
        super().apply(rule)
        logsource = rule.logsource if isinstance(rule, SigmaRule) else None
        product = ((logsource.product if logsource else None) or "").lower()
        service = ((logsource.service if logsource else None) or "").lower()
        if (product, service) != ("aws", "cloudtrail"):
            said = ", ".join(f"{key}: {value}" for key, value in (
                ("category", logsource.category if logsource else None), ("product", product or None),
                ("service", service or None)) if value) or "none"
            raise SigmaTransformationError(
                f"logsource {said}; only product: aws, service: cloudtrail converts (to the cloudtrail table)")


@dataclass
class CloudTrailFieldMapping(FieldMappingTransformationBase):
    """Map each Sigma field to where the ``cloudtrail`` table holds it (:func:`table_field`).

    A keyword (a value without a field) passes through unmapped: the backend refuses it.
    """

    def apply_field_name(self, field: str | None) -> str | None:
        return None if field is None else table_field(field)


def cloudtrail_pipeline() -> ProcessingPipeline:
    """The pipeline of :class:`~workbench.detections.sigma.backend.CloudTrailBackend`.

    Its steps: refuse other logsources; drop the rule's ``fields:`` list (every converted rule
    returns the hit columns, so the list has no use here, and a field in it the table does not
    hold should not refuse the rule); map the fields of the detection.
    """
    return ProcessingPipeline(
        name="workbench CloudTrail table",
        priority=20,
        items=[
            ProcessingItem(identifier="workbench_cloudtrail_only", transformation=CloudTrailOnly()),
            ProcessingItem(identifier="workbench_no_fields_list", transformation=SetFieldTransformation(fields=[])),
            ProcessingItem(identifier="workbench_cloudtrail_fields", transformation=CloudTrailFieldMapping()),
        ],
    )
