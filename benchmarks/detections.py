"""The rule pack over the benchmark store: one pass against one query per rule, and its growth with the rules.

Measured on one warm engine (the files checked once before): the whole pack as ``workbench detect``
runs it; the picking rules (those that select calls by value and so share one pass) in one pass for
a growing number of them; and the same few rules one by one, so the two ways stand side by side on
the same rules and the same run. The hits of the two ways are compared.
"""

from __future__ import annotations

from benchmarks.measure import Timer
from workbench.detections import list_rules, run_rules
from workbench.detections.one_pass import narrows
from workbench.engines.local import LocalEngine

#: How many picking rules the growth curve runs in one pass (the last point is all of them).
GROWTH = (1, 4, 16)

#: How many rules are also run one by one (each its own read of the window's files).
ALONE = 4


def rule_pack(store, whole: dict, *, say=print) -> dict:
    """Time the rule pack over ``whole`` (``{"start", "end"}``) of ``store``; see the module docstring."""
    rules = list_rules()
    picking = [r for r in rules if narrows(r) and r.query.source == "cloudtrail"]
    out: dict = {"rules": len(rules), "picking_rules": len(picking)}
    with LocalEngine(store, cache=False, remember_checks=False) as engine:
        engine.query("console_logins", whole)  # the check pass, as in a session that has run a query
        events = engine.last_scan.records
        with Timer() as pack:  # as workbench detect runs them: all but the info rules
            found = run_rules(engine, rules=rules, **whole)
        out["pack"] = {"seconds": pack.seconds, "cpu_seconds": pack.cpu, "hits": len(found.hits),
                       "reads": len(found.scans), "failed": sorted(found.failed),
                       "passes": {k: round(v, 2) for k, v in found.passes.items()},
                       "alone_seconds": {k: round(v, 2) for k, v in found.seconds.items()}}
        say(f"   the {len(found.rules)} rules workbench detect runs (of {len(rules)}): {pack.seconds:.1f} s, "
            f"{len(found.scans)} reads of the files, {len(found.hits)} hits ({events:,} events in the window)")
        growth = []
        for count in (*[n for n in GROWTH if n < len(picking)], len(picking)):
            with Timer() as timer:
                run_rules(engine, rules=picking[:count], severity=None, **whole)
            growth.append({"rules": count, "seconds": timer.seconds, "events_per_s": events / timer.seconds})
            say(f"   {count:>3} picking rules in one pass: {timer.seconds:.1f} s")
        out["one_pass_growth"] = growth
        few = picking[:ALONE]
        with Timer() as alone:
            by_one = run_rules(engine, rules=few, one_pass=False, severity=None, **whole)
        with Timer() as together:
            in_pass = run_rules(engine, rules=few, severity=None, **whole)
    keys = ["rule_id", "event_id", "detail"]
    equal = sorted(by_one.hits[keys].itertuples(index=False, name=None)) == \
        sorted(in_pass.hits[keys].itertuples(index=False, name=None))
    per_rule = alone.seconds / len(few)
    all_pass = growth[-1]["seconds"]
    out["same_rules"] = {"rules": len(few), "one_by_one_seconds": alone.seconds, "one_pass_seconds": together.seconds,
                         "speedup": alone.seconds / together.seconds, "answers_equal": equal}
    out["seconds_per_rule_alone"] = per_rule
    # what one by one would cost for every picking rule, at the measured time per rule
    out["one_by_one_all_picking_seconds_at_measured_rate"] = per_rule * len(picking)
    out["one_pass_speedup_all_picking"] = per_rule * len(picking) / all_pass
    out["answers_equal"] = equal
    say(f"   the same {len(few)} rules: one by one {alone.seconds:.1f} s ({per_rule:.1f} s a rule), one pass "
        f"{together.seconds:.1f} s ({alone.seconds / together.seconds:.1f}x), hits {'equal' if equal else 'DIFFERENT'}")
    say(f"   all {len(picking)} picking rules: one pass {all_pass:.1f} s against {per_rule * len(picking):.0f} s "
        f"one by one at {per_rule:.1f} s a rule ({out['one_pass_speedup_all_picking']:.0f}x)")
    return out
