"""CloudTrail's public keys for a window, from ``ListPublicKeys`` in each region of the digests.

CloudTrail signs each region's digests with that region's key, so the keys are asked of each
region's endpoint. Offline, save ``aws cloudtrail list-public-keys --start-time ... --end-time
... --output json`` (per region) and give the files to ``workbench verify --public-keys``.
"""

from __future__ import annotations

import datetime as dt

from workbench.aws.clients import aws_errors, session
from workbench.integrity.keys import PublicKeys


def fetch_public_keys(regions: list[str], *, start: dt.date, end: dt.date, boto3_session=None) -> PublicKeys:
    """The public keys valid from ``start`` to the day after ``end`` in each of ``regions``.

    Raises
    ------
    AwsCredentialsError, AwsAccessDenied
        Saying what to fix (``cloudtrail:ListPublicKeys`` is needed).
    """
    first = dt.datetime.combine(start, dt.time(), tzinfo=dt.timezone.utc)
    last = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(), tzinfo=dt.timezone.utc)
    entries = []
    base = session(boto3_session)
    for region in regions:
        client = base.client("cloudtrail", region_name=region)
        with aws_errors(f"list CloudTrail's public keys in {region} (needs cloudtrail:ListPublicKeys)"):
            kwargs = {"StartTime": first, "EndTime": last}
            while True:
                page = client.list_public_keys(**kwargs)
                entries += page.get("PublicKeyList", [])
                if not page.get("NextToken"):
                    break
                kwargs["NextToken"] = page["NextToken"]
    return PublicKeys.from_list(entries, origin=f"ListPublicKeys in {', '.join(regions)}")
