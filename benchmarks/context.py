"""Context lookups and the enrichment of a large result: what ``--enrich`` and the notebooks pay.

Measured in one process with cold caches: addresses looked up one by one (the shipped country and
ASN databases and AWS's ranges, each distinct value once), user agents parsed one by one, and a
result of about a million CloudTrail rows (``source_ip``, ``user_agent``) read from the benchmark
store and enriched as :func:`workbench.context.enrich` does it.
"""

from __future__ import annotations

import random

import pandas as pd

from benchmarks.measure import Timer
from workbench.context import addresses, agents, aws_ranges, geo
from workbench.context.enrichment import enrich
from workbench.engines.local import LocalEngine

#: Random public IPv4 addresses looked up for the lookup rate.
LOOKUPS = 100_000
#: User agents of the store given 199 more versions each, for the parse rate.
AGENT_VARIANTS = 25
#: Rows of the result that is enriched.
ROWS = 1_000_000

ROWS_SQL = ("SELECT sourceipaddress AS source_ip, useragent AS user_agent FROM cloudtrail "
            "WHERE day BETWEEN replace(:start, '-', '/') AND replace(:end, '-', '/') LIMIT " + str(ROWS))


def enrichment(store, whole: dict, *, say=print) -> dict:
    """Time lookups and the enrichment of a ``ROWS``-row result of ``store`` over ``whole``."""
    geo._open.cache_clear()
    aws_ranges.load.cache_clear()
    with Timer() as opening:
        book = addresses.Addresses()
        book.lookup("8.8.8.8")
    r = random.Random(7)
    ips = [f"{r.randrange(1, 224)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}" for _ in range(LOOKUPS)]
    book = addresses.Addresses()
    with Timer() as looked:
        found = [book.lookup(ip) for ip in ips]
    public = sum(a.kind == "public" for a in found)
    with_country = sum(a.country is not None for a in found)
    aws = sum(a.is_aws for a in found)
    with LocalEngine(store, cache=False, remember_checks=False) as engine:
        frame = engine.query(ROWS_SQL, whole)
    texts = list(dict.fromkeys(frame.user_agent.dropna()))
    # distinct versions of each, as a busy organisation has them: a few thousand to parse
    texts += [t.replace("/1.", f"/1.{n}.").replace("/2.", f"/2.{n}.").replace("/13", f"/{100 + n}")
              for n in range(1, 200) for t in texts[:AGENT_VARIANTS]]
    texts = list(dict.fromkeys(texts))
    agents.agent("aws-cli/2.0 warm-up") and agents.agent("Mozilla/5.0 (X11; Linux x86_64) warm-up")
    agents.agent.cache_clear()
    with Timer() as parsed:
        for text in texts:
            agents.agent(text)
    agents.agent.cache_clear()
    addresses.default.cache_clear()
    with Timer() as enriched:
        out = enrich(frame)
    addresses.default.cache_clear()
    spread = pd.DataFrame({"source_ip": [ips[i % len(ips)] for i in range(ROWS)]})
    with Timer() as worst:
        enrich(spread)
    result = {
        "open_seconds": opening.seconds, "lookups": LOOKUPS, "lookup_seconds": looked.seconds,
        "lookups_per_s": LOOKUPS / looked.seconds, "public": public, "with_country": with_country, "aws": aws,
        "agents": len(texts), "agent_seconds": parsed.seconds, "agents_per_s": len(texts) / parsed.seconds,
        "rows": len(frame), "distinct_addresses": int(frame.source_ip.nunique()),
        "distinct_agents": int(frame.user_agent.nunique()),
        "enrich_seconds": enriched.seconds, "rows_per_s": len(frame) / enriched.seconds,
        "columns_added": len(out.columns) - len(frame.columns),
        "spread_rows": ROWS, "spread_distinct_addresses": len(set(ips)), "spread_enrich_seconds": worst.seconds,
    }
    say(f"   opening the country and ASN data and AWS's ranges: {opening.seconds:.2f} s")
    say(f"   {LOOKUPS:,} random addresses looked up: {looked.seconds:.2f} s ({result['lookups_per_s']:,.0f}/s; "
        f"{public:,} public, {with_country:,} with a country, {aws:,} in AWS's ranges)")
    say(f"   {len(texts):,} distinct user agents parsed (the store's and other versions of them): "
        f"{parsed.seconds:.2f} s ({result['agents_per_s']:,.0f}/s)")
    say(f"   enrich {len(frame):,} rows ({result['distinct_addresses']:,} addresses, "
        f"{result['distinct_agents']:,} user agents): {enriched.seconds:.2f} s ({result['rows_per_s']:,.0f} rows/s, "
        f"{result['columns_added']} columns added)")
    say(f"   enrich {ROWS:,} rows of {len(set(ips)):,} distinct random addresses (the worst case): "
        f"{worst.seconds:.2f} s")
    return result
