"""The envelopes search tools and SIEMs wrap log records in, and what each holds.

During an incident logs rarely come as S3 copies; they come as exports from wherever they
went. The envelopes met, outermost first:

- an Elasticsearch / OpenSearch search response: ``{"hits": {"hits": [{"_source": ...}]}}``;
- one search hit or an elasticdump line: ``{"_index": ..., "_id": ..., "_source": {...}}``;
- Splunk's search results: ``{"results": [...], "preview": false, ...}``, and the lines of its
  export: ``{"preview": false, "result": {...}}``;
- a document that keeps the original record as JSON text: Elastic's ``event.original``
  (Logstash and Beats), Splunk's ``_raw``, or a Logstash ``message`` that was never parsed.

:func:`open_envelope` takes one envelope off a value; what remains is either a record, a
document of records, or a document whose fields a source maps back to its own
(:mod:`workbench.formats.cloudtrail_fields`). Whether a JSON text is the original record is
decided by what it parses to, so a ``message`` that is only a log line stays a field.
"""

from __future__ import annotations

import json
from collections.abc import Callable

#: Keys of a document that may hold the original record as JSON text, in the order tried.
ORIGINAL_TEXT_KEYS = ("event.original", "_raw", "message")

#: Envelopes inside envelopes deeper than this are not opened (hostile files nest without end).
MAX_DEPTH = 6

#: Dotted keys of more parts than this stay as they are (a hostile header nests without end).
MAX_KEY_PARTS = 16


def open_envelope(value, *, is_records: Callable[[object], bool]) -> tuple[list, str] | None:
    """The values inside ``value``'s outer envelope, and the envelope's name; ``None`` for no envelope.

    Parameters
    ----------
    value : object
        A JSON value read from a file.
    is_records : callable
        Whether a parsed original text is what the caller reads (a record, a list of them, a
        body of them): only then is a document's ``event.original``, ``_raw`` or ``message``
        taken instead of the document.
    """
    if not isinstance(value, dict):
        return None
    hits = value.get("hits")
    if isinstance(hits, dict) and isinstance(hits.get("hits"), list):
        return [_source(hit) for hit in hits["hits"]], "Elasticsearch/OpenSearch search hits"
    if isinstance(value.get("_source"), dict) and ("_index" in value or "_id" in value or len(value) <= 4):
        return [value["_source"]], "Elasticsearch/OpenSearch documents"
    if isinstance(value.get("results"), list) and _splunk(value):
        return list(value["results"]), "Splunk search results"
    if isinstance(value.get("result"), dict) and _splunk(value):
        return [value["result"]], "Splunk export"
    for key in ORIGINAL_TEXT_KEYS:
        text = _field(value, key)
        if isinstance(text, str) and text.lstrip()[:1] in ("{", "["):
            try:
                original = json.loads(text)
            except (ValueError, RecursionError):
                continue
            if is_records(original):
                return [original], f"original record in {key}"
    return None


def _source(hit):
    return hit.get("_source", hit) if isinstance(hit, dict) else hit


def _splunk(value: dict) -> bool:
    """Whether a document with ``result``/``results`` is Splunk's (its results carry such keys)."""
    return any(key in value for key in ("preview", "lastrow", "offset", "init_offset", "messages", "fields"))


def _field(document: dict, dotted: str):
    """``document["a"]["b"]`` or ``document["a.b"]`` for ``dotted`` ``"a.b"``."""
    if dotted in document:
        return document[dotted]
    value = document
    for step in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def nested(document: dict) -> dict:
    """``document`` with dotted keys (``"aws.cloudtrail.event_id"``, as Kibana's CSV and flattened
    exports write them) turned into nested objects; a nested value wins over a dotted one. Keys of
    more than :data:`MAX_KEY_PARTS` parts stay flat."""
    if not any("." in key for key in document):
        return document
    out: dict = {}
    for key, value in document.items():
        if "." not in key or key.count(".") >= MAX_KEY_PARTS:
            continue
        *parents, last = key.split(".")
        here = out
        for step in parents:
            here = here.setdefault(step, {}) if isinstance(here.get(step, {}), dict) else {}
        here.setdefault(last, value)
    for key, value in document.items():
        if "." not in key or key.count(".") >= MAX_KEY_PARTS:
            out[key] = _merge(value, out[key]) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _merge(first: dict, second: dict) -> dict:
    merged = dict(second)
    for key, value in first.items():
        merged[key] = _merge(value, merged[key]) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


__all__ = ["MAX_DEPTH", "ORIGINAL_TEXT_KEYS", "nested", "open_envelope"]
