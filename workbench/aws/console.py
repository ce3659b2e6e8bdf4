"""Links into the AWS console for what a report shows: a CloudTrail event, a GuardDuty finding.

The console opens them for a reader signed in to the account (and, for an organisation, switched
into the member account). Every part of a link comes from a record, so each is URL-encoded here
and HTML-escaped where the link is written.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")


def cloudtrail_event(event_id: str, region: str) -> str | None:
    """The CloudTrail console's page of one event (event history keeps 90 days); ``None`` without a region."""
    if not _REGION.fullmatch(str(region or "")) or not event_id:
        return None
    return (f"https://{region}.console.aws.amazon.com/cloudtrailv2/home?region={region}"
            f"#/events/{quote(str(event_id), safe='')}")


def guardduty_finding(finding_id: str, region: str) -> str | None:
    """The GuardDuty console's findings page opened on one finding; ``None`` without a region."""
    if not _REGION.fullmatch(str(region or "")) or not finding_id:
        return None
    return (f"https://{region}.console.aws.amazon.com/guardduty/home?region={region}"
            f"#/findings?macros=current&fId={quote(str(finding_id), safe='')}")


__all__ = ["cloudtrail_event", "guardduty_finding"]
