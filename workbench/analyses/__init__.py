"""Pure functions over query results (DataFrames in, DataFrames or text out, no I/O), one module per topic.

The figures (:mod:`workbench.figures`) have the same topics, so a notebook reads
``analyses.signins.mfa_share(logins)`` and then ``figures.signins.mfa_share(...)``:

- :mod:`signins`: console sign-ins, MFA, new source IPs, password guessing;
- :mod:`root`: what root did;
- :mod:`hidden`: sign-ins with an unknown user name (``HIDDEN_DUE_TO_SECURITY_REASONS``);
- :mod:`flows`: VPC flows, rejections, scans;
- :mod:`findings`: GuardDuty findings and where to drill in;
- :mod:`timeline`: CloudTrail, flows and findings as one timeline;
- :mod:`activity`: principal-days against the principal's own baseline;
- :mod:`pivots`: which rows mention an entity, and what to pivot on next;
- :mod:`lineage`: which call issued a temporary key, with whose credentials, up to its root;
- :mod:`detections`: detection hits: what to hunt next, the verdict line;
- :mod:`web`: the web edge: traffic, WAF blocks, what got through, sign-in bursts, path probes;
- :mod:`dns`: DNS lookups with the flow logs: which rare names were then called.
"""

from workbench.analyses import (
    activity,
    detections,
    dns,
    findings,
    flows,
    hidden,
    lineage,
    pivots,
    root,
    signins,
    timeline,
    web,
)

__all__ = ["activity", "detections", "dns", "findings", "flows", "hidden", "lineage", "pivots", "root", "signins",
           "timeline", "web"]
