"""A CloudTrail record from a document an export holds, and the mapping that gave it.

Three kinds of document carry CloudTrail without its original text:

- the record's own fields at the top, as Logstash's JSON codec leaves them, often with
  ``@timestamp`` instead of ``eventTime`` and the shipper's own keys (``@version``, Splunk's
  ``_time``, ``_cd``...) beside them;
- the record's own fields under ``aws.cloudtrail`` (a Logstash ``json`` filter with a target);
- Elastic Common Schema fields, as the Elastic AWS integration writes them when it does not keep
  ``event.original``: ``event.action`` for ``eventName``, ``aws.cloudtrail.user_identity.arn``
  for ``userIdentity.arn`` and so on (:data:`ECS_FIELDS`), mapped back to CloudTrail's names.

A time renamed (:data:`TIME_KEYS`) or respelled (a space for ``T``, fractions, offsets) comes
back as CloudTrail writes it. Keys that begin with ``@`` or ``_`` are a shipper's, never
CloudTrail's, and are dropped.
"""

from __future__ import annotations

import json
import re

from workbench.formats.envelopes import nested
from workbench.formats.times import CLOUDTRAIL_FORMAT, cloudtrail_time, parse_time

#: Keys of which a CloudTrail record has at least one.
RECORD_KEYS = ("eventVersion", "eventTime", "eventName", "eventID")

#: Where exports put the event's time when ``eventTime`` is gone, in the order tried.
TIME_KEYS = ("@timestamp", "_time", "timestamp", "event_time", "eventtime", "time")

#: Elastic Common Schema field -> CloudTrail field, as the Elastic AWS integration maps them.
#: The first ECS field with a value wins for each CloudTrail field.
ECS_FIELDS = (
    ("aws.cloudtrail.event_version", "eventVersion"),
    ("@timestamp", "eventTime"),
    ("event.provider", "eventSource"),
    ("event.action", "eventName"),
    ("cloud.region", "awsRegion"),
    ("source.address", "sourceIPAddress"),
    ("source.ip", "sourceIPAddress"),
    ("user_agent.original", "userAgent"),
    ("aws.cloudtrail.error_code", "errorCode"),
    ("aws.cloudtrail.error_message", "errorMessage"),
    ("aws.cloudtrail.request_id", "requestID"),
    ("event.id", "eventID"),
    ("aws.cloudtrail.event_type", "eventType"),
    ("aws.cloudtrail.api_version", "apiVersion"),
    ("aws.cloudtrail.management_event", "managementEvent"),
    ("aws.cloudtrail.read_only", "readOnly"),
    ("aws.cloudtrail.recipient_account_id", "recipientAccountId"),
    ("aws.cloudtrail.shared_event_id", "sharedEventID"),
    ("aws.cloudtrail.vpc_endpoint_id", "vpcEndpointId"),
    ("aws.cloudtrail.vpc_endpoint_account_id", "vpcEndpointAccountId"),
    ("aws.cloudtrail.event_category", "eventCategory"),
    ("aws.cloudtrail.user_identity.type", "userIdentity.type"),
    ("user.id", "userIdentity.principalId"),
    ("aws.cloudtrail.user_identity.arn", "userIdentity.arn"),
    ("cloud.account.id", "userIdentity.accountId"),
    ("aws.cloudtrail.user_identity.access_key_id", "userIdentity.accessKeyId"),
    ("aws.cloudtrail.user_identity.invoked_by", "userIdentity.invokedBy"),
    ("aws.cloudtrail.user_identity.session_context.mfa_authenticated",
     "userIdentity.sessionContext.attributes.mfaAuthenticated"),
    ("aws.cloudtrail.user_identity.session_context.creation_date",
     "userIdentity.sessionContext.attributes.creationDate"),
    ("aws.cloudtrail.user_identity.session_context.session_issuer.type",
     "userIdentity.sessionContext.sessionIssuer.type"),
    ("aws.cloudtrail.user_identity.session_context.session_issuer.principal_id",
     "userIdentity.sessionContext.sessionIssuer.principalId"),
    ("aws.cloudtrail.user_identity.session_context.session_issuer.arn",
     "userIdentity.sessionContext.sessionIssuer.arn"),
    ("aws.cloudtrail.user_identity.session_context.session_issuer.account_id",
     "userIdentity.sessionContext.sessionIssuer.accountId"),
)

#: CloudTrail's JSON-valued fields and where ECS keeps them: as an object (``flattened``), else as text.
_JSON_FIELDS = (
    ("requestParameters", "request_parameters"),
    ("responseElements", "response_elements"),
    ("additionalEventData", "additional_eventdata"),
    ("serviceEventDetails", "service_event_details"),
)

#: CloudTrail fields whose values are the text ``"true"``/``"false"`` where ECS has booleans.
_TEXT_BOOLEANS = ("userIdentity.sessionContext.attributes.mfaAuthenticated",)

#: CloudTrail's own spelling, checked before any parsing (almost every record has it).
_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")

ORIGINAL = ""
TOP_LEVEL = "CloudTrail fields at the top level"
UNDER_AWS = "CloudTrail fields under aws.cloudtrail"
ECS = "Elastic Common Schema fields mapped back to CloudTrail's (no original record)"


def is_cloudtrail(value) -> bool:
    """Whether a parsed value is CloudTrail: a record, a ``Records`` body or a list of records."""
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, dict) and any(k in v for k in RECORD_KEYS) for v in value)
    return isinstance(value, dict) and (isinstance(value.get("Records"), list) or any(k in value for k in RECORD_KEYS))


def cloudtrail_record(document: dict) -> tuple[dict, str] | None:
    """The CloudTrail record ``document`` is or maps back to, and how (:data:`TOP_LEVEL`,
    :data:`UNDER_AWS`, :data:`ECS`, or ``""`` for a plain record); ``None`` when it is none."""
    if any(key in document for key in RECORD_KEYS):
        record, time_key, dropped = _own_fields(document, document)
        if time_key:
            return record, f"{TOP_LEVEL}, eventTime from {time_key}"
        return record, TOP_LEVEL if dropped else ORIGINAL
    tree = nested(document)
    aws = tree.get("aws")
    under = aws.get("cloudtrail") if isinstance(aws, dict) else None
    if isinstance(under, dict) and any(key in under for key in RECORD_KEYS):
        record, time_key, _ = _own_fields(under, tree)
        return record, UNDER_AWS + (f", eventTime from {time_key}" if time_key else "")
    event = tree.get("event") if isinstance(tree.get("event"), dict) else {}
    if isinstance(under, dict) or (event.get("action") and str(event.get("provider", "")).endswith(".amazonaws.com")):
        return _from_ecs(tree), ECS
    return None


def respell_time(record: dict) -> bool:
    """Write ``record["eventTime"]`` as CloudTrail does when it is spelled otherwise; whether it was."""
    value = record.get("eventTime")
    if isinstance(value, str) and (_CANONICAL.fullmatch(value) or _canonical(value)):
        return False
    respelled = cloudtrail_time(value)
    if respelled is None:
        return False
    record["eventTime"] = respelled
    return True


def _canonical(value: str) -> bool:
    when = parse_time(value)
    return when is not None and when.strftime(CLOUDTRAIL_FORMAT) == value


def _own_fields(fields: dict, document: dict) -> tuple[dict, str | None, bool]:
    """The record of CloudTrail's own ``fields``, the key its time came from when renamed,
    and whether a shipper's keys were dropped."""
    shipper = [k for k in fields if str(k)[:1] in ("@", "_")]
    record = {k: v for k, v in fields.items() if k not in shipper} if shipper else fields
    time_key = None
    if record.get("eventTime") in (None, ""):
        time_key = next((k for k in TIME_KEYS if document.get(k) not in (None, "")), None)
        if time_key is not None:
            record = dict(record) if record is fields and fields is not document else record
            record["eventTime"] = document[time_key]
    return record, time_key, len(record) - (time_key is not None) < len(fields)


def _from_ecs(tree: dict) -> dict:
    record: dict = {}
    for ecs, field in ECS_FIELDS:
        value = _get(tree, ecs)
        if value not in (None, "") and _get(record, field) is None:
            _put(record, field, _text_boolean(value) if field in _TEXT_BOOLEANS else value)
    name = _get(tree, "user.name")
    if name not in (None, ""):
        assumed = _get(record, "userIdentity.type") == "AssumedRole"
        _put(record, "userIdentity.sessionContext.sessionIssuer.userName" if assumed else "userIdentity.userName", name)
    for field, ecs in _JSON_FIELDS:
        value = _get(tree, f"aws.cloudtrail.flattened.{ecs}")
        if value is None:
            value = _json_or_text(_get(tree, f"aws.cloudtrail.{ecs}"))
        if value not in (None, ""):
            record[field] = value
    resources = _get(tree, "aws.cloudtrail.resources")
    if isinstance(resources, list):
        record["resources"] = [
            {"ARN": r.get("arn"), "accountId": r.get("account_id"), "type": r.get("type")}
            for r in resources if isinstance(r, dict)]
    if record.get("eventName") == "ConsoleLogin":
        _console_login(record, tree)
    return record


def _console_login(record: dict, tree: dict) -> None:
    """The sign-in's outcome and MFA, which ECS keeps in ``event.outcome`` and ``console_login``."""
    outcome = str(_get(tree, "event.outcome") or "").lower()
    if "responseElements" not in record and outcome in ("success", "failure"):
        record["responseElements"] = {"ConsoleLogin": outcome.capitalize()}
    extra = _get(tree, "aws.cloudtrail.console_login.additional_eventdata")
    if "additionalEventData" not in record and isinstance(extra, dict):
        data = {}
        for ecs, field in (("mfa_used", "MFAUsed"), ("mobile_version", "MobileVersion")):
            if extra.get(ecs) is not None:
                data[field] = "Yes" if _text_boolean(extra[ecs]) == "true" else "No"
        if extra.get("login_to"):
            data["LoginTo"] = extra["login_to"]
        record["additionalEventData"] = data


def _json_or_text(value):
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def _text_boolean(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower() if str(value).lower() in ("true", "false") else value


def _get(tree: dict, dotted: str):
    value = tree
    for step in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _put(tree: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for step in parents:
        tree = tree.setdefault(step, {})
    tree[last] = value


__all__ = ["ECS_FIELDS", "RECORD_KEYS", "TIME_KEYS", "cloudtrail_record", "is_cloudtrail", "respell_time"]
