"""``workbench context``: what is known offline of an address or a user agent, and the data behind it."""

from __future__ import annotations

import json
import sys

NAME = "context"
HELP = "country, network owner and AWS range of an address; client and tool of a user agent"
DESCRIPTION = (
    "Look values up offline, as the --enrich columns and the notebooks do: an address (IPv4 or IPv6, or "
    "CloudTrail's 'AWS Internal' and service host names) gets its kind (public, private, documentation...), "
    "country, ASN and organisation, and AWS service and region when it is in AWS's published ranges; "
    "anything else is read as a user agent: client, version, OS, the program behind it (Terraform, Pacu...) "
    "and its kind. --sources says which data is in use and how old; --update fetches AWS's current ranges "
    "(needs the internet; the shipped snapshot stays in use otherwise). Your own MMDB files take precedence: "
    "WORKBENCH_COUNTRY_DB, WORKBENCH_ASN_DB."
)


def add_arguments(parser) -> None:
    parser.add_argument("values", nargs="*", metavar="VALUE",
                        help="addresses or user agents (quote those with spaces)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="output format (default: %(default)s)")
    parser.add_argument("--sources", action="store_true",
                        help="list the data in use: what, and published or built when")
    parser.add_argument("--update", action="store_true",
                        help="fetch AWS's current ip-ranges.json into the user cache "
                             "(used while newer than the shipped snapshot)")
    parser.add_argument("--url", default=None, help="where --update fetches from (default: AWS's published address)")


def run(args) -> int:
    from dataclasses import asdict

    from workbench.context import addresses, agent, aws_ranges
    from workbench.context.ranges import address_kind

    if args.update:
        ranges = aws_ranges.update(args.url or aws_ranges.AWS_RANGES_URL)
        print(f"kept {ranges.prefixes:,} AWS prefixes published {ranges.published()} in {aws_ranges.cached_path()}")
    book = addresses.default()
    if args.sources or args.update:
        for line in book.sources():
            print(line)
    if not args.values:
        if not (args.sources or args.update):
            print("nothing to look up: give addresses or user agents, or --sources (see --help)", file=sys.stderr)
            return 2
        return 0
    rows = []
    for value in args.values:
        if address_kind(value) not in ("not-an-address", "missing"):
            rows.append({"value": value, "as": "address", **asdict(book.lookup(value))})
        else:
            rows.append({"value": value, "as": "user agent", **asdict(agent(value))})
    if args.format == "json":
        print(json.dumps(rows, indent=1))
        return 0
    for row in rows:
        print(_printable(row["value"]))
        for key, value in row.items():
            if key not in ("value", "as") and value not in (None, False, ""):
                print(f"  {key:<13} {_printable(str(value))}")
    return 0


def _printable(text: str) -> str:
    """``text`` with control characters shown escaped, so a hostile value cannot drive the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
