"""``workbench detect``: run the detection rules over a window and print what fired, most severe first."""

from __future__ import annotations

import sys

from workbench.cli.options import add_engine, add_logs, csv, day, logs_of

NAME = "detect"
HELP = "run the detection rules (MITRE ATT&CK-tagged) over a window: what else bad happened?"
DESCRIPTION = (
    "Run every detection rule (queries/detections/: CloudTrail rules for credential access, defense evasion, "
    "discovery, execution, exfiltration, impact, initial access, lateral movement, persistence and privilege "
    "escalation, with ATT&CK tactic and technique ids; first-seen rules that judge each principal against its "
    "own baseline; correlations; flow-log rules), plus your own (--rules) and Sigma rules (--sigma), over the "
    "days from --start to --end, and print the hits grouped by rule, most severe first (--format json or csv: "
    "one object or row per hit, with rule_id, title, severity, tactics, techniques, event_time, account_id, "
    "region, principal, source_ip, access_key_id, event_name, event_id, detail). The rules over one source run "
    "as one query, so the files are read once. A rule that cannot run is named on stderr and the others still "
    "run. Exit status 0 whether or not anything fired; 2 for a usage error."
)


def add_arguments(parser) -> None:
    add_logs(parser)
    parser.add_argument("--start", type=day, help="first day, YYYY-MM-DD (UTC; with --end, required unless --list)")
    parser.add_argument("--end", type=day, help="last day, YYYY-MM-DD (UTC, inclusive)")
    parser.add_argument("--accounts", type=csv, default=[], metavar="ID1,ID2", help="account ids to keep")
    parser.add_argument("--regions", type=csv, default=[], metavar="R1,R2", help="regions to keep")
    parser.add_argument("--rules", action="append", default=[], metavar="DIR",
                        help="a folder of more rules (<source>/<rule>.sql, the same header); repeatable")
    parser.add_argument("--sigma", action="append", default=[], metavar="DIR",
                        help="a folder (or file) of Sigma rules over CloudTrail, converted and run beside the others; "
                             "each rule that does not convert is listed on stderr as 'unsupported: FILE: reason'; "
                             "repeatable")
    parser.add_argument("--baseline-days", type=int, metavar="N",
                        help="days before --start that make each principal's baseline for the first-seen rules "
                             "(default: 30)")
    parser.add_argument("--allow-full-scan", action="store_true",
                        help="let a rule of --rules read the logs with no time bound (every file)")
    parser.add_argument("--rule", action="append", default=[], metavar="ID",
                        help="run only this rule (id or name); repeatable")
    parser.add_argument("--severity", choices=("critical", "high", "medium", "low", "info"),
                        help="run only rules of this severity or worse (default: low, which leaves out the info "
                             "rules: the CIS alarms on policy, security-group and network changes; --severity info "
                             "runs them too; rules named with --rule always run)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="output format (default: %(default)s)")
    parser.add_argument("--list", action="store_true", help="list the rules (id, severity, tactics, title) and stop")
    add_engine(parser)


def run(args) -> int:
    from workbench.cli.output import print_frame
    from workbench.detections import get_rule, list_rules, load_sigma_rules, run_rules
    from workbench.detections.rules import DEFAULT_SEVERITY
    from workbench.engines import connect
    from workbench.errors import UsageError
    from workbench.words import count

    rules = [get_rule(name, args.rules) for name in args.rule] if args.rule else list_rules(args.rules)
    for folder in args.sigma:
        converted, unsupported = load_sigma_rules(folder)
        for where, reason in unsupported:
            print(f"unsupported: {where}: {reason}", file=sys.stderr)
        rules += converted
    taken = {}
    for rule in rules:
        if rule.id in taken:
            raise UsageError(f"two rules have the id {rule.id}: {_origin(taken[rule.id])} and {_origin(rule)}")
        taken[rule.id] = rule
    if args.list:
        for rule in rules:
            print(f"{rule.id}  {rule.severity:<8}  {', '.join(rule.tactic_names):<40}  {rule.title}")
        return 0
    if args.baseline_days is not None and args.baseline_days < 1:
        raise UsageError(f"--baseline-days must be at least 1, not {args.baseline_days}")
    if args.start is None or args.end is None:
        raise UsageError("detect needs the window: --start YYYY-MM-DD --end YYYY-MM-DD (UTC days, inclusive)")
    if args.end < args.start:
        raise UsageError(f"the window ends ({args.end}) before it starts ({args.start})")
    with connect(args.engine, logs=logs_of(args)) as engine:
        found = run_rules(engine, start=args.start.isoformat(), end=args.end.isoformat(), accounts=args.accounts,
                          regions=args.regions, rules=rules,
                          severity=None if args.rule else (args.severity or DEFAULT_SEVERITY),
                          params={} if args.baseline_days is None else {"baseline_days": args.baseline_days},
                          allow_full_scan=args.allow_full_scan, progress=sys.stderr.isatty())
    for rule_id, error in found.failed.items():
        print(f"workbench: rule {rule_id} failed: {error}", file=sys.stderr)
    if args.format != "table":
        print_frame(found.hits, fmt=args.format, max_rows=len(found.hits))
    elif found.hits.empty:
        print(f"no rule fired ({len(found.rules)} rules, {args.start} to {args.end})")
    else:
        for (severity, rule_id, title), hits in found.hits.groupby(["severity", "rule_id", "title"], sort=False):
            print(f"\n{severity.upper()}  {rule_id}  {title}  ({count(len(hits), 'hit')}; {hits.tactics.iloc[0]}; "
                  f"{hits.techniques.iloc[0]})")
            for hit in hits.head(20).itertuples():
                print(f"  {hit.event_time:%Y-%m-%d %H:%M:%S}  {hit.account_id}  {hit.principal}  from {hit.source_ip}: "
                      f"{hit.detail}  [{hit.event_id}]")
            if len(hits) > 20:
                print(f"  ... {len(hits) - 20} more (--format csv for all)")
    seconds = found.total_seconds
    print(f"{count(len(found.hits), 'hit')} from {found.hits.rule_id.nunique() if len(found.hits) else 0} of "
          f"{count(len(found.rules), 'rule')} in {seconds:.1f} s", file=sys.stderr)
    return 0


def _origin(rule) -> str:
    return str(rule.query.path) if rule.query.path else f"Sigma rule {rule.query.name}"
