"""Seeded generator of a realistic organisation's AWS logs, with planted incidents.

Writes CloudTrail (organisation or per-account trail, with digests, Insights and a
Config snapshot beside the events), VPC Flow Logs (default and custom formats) and
GuardDuty exports in the exact S3 key layout AWS uses, plus ``scenarios.json``: the
ground truth of what was planted, so tests and notebooks can check they find it.

Examples
--------
>>> from workbench.sample import generate
>>> doc = generate("demo-data", days=7, scale=0.2, seed=7)   # doctest: +SKIP
>>> sorted(s["kind"] for s in doc["scenarios"])             # doctest: +SKIP
['anomalous_principal', 'compromised_access_key', 'console_bruteforce', 'hidden_user_bruteforce', 'port_scan', 'root_console_login']
"""

from .generator import VERSION, generate

__all__ = ["VERSION", "generate"]
