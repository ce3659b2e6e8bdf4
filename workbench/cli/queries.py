"""``workbench queries``: the query library, its parameters and what each query returns."""

from __future__ import annotations

NAME = "queries"
HELP = "list the query library: names, parameters, descriptions"
DESCRIPTION = "List every query with its parameters and columns, or show one query in full with its SQL."


def add_arguments(parser) -> None:
    parser.add_argument("name", nargs="?", help="show one query in full, with its SQL")


def run(args) -> int:
    import sys

    from workbench.library import get_query, list_queries, shadowed

    if args.name:
        query = get_query(args.name)
        print(f"{query.qualified_name}  ({query.path})\n\n{query.sql}")
        return 0
    for query in list_queries():
        print(f"{query.qualified_name}\n    {query.description}")
        for p in query.params:
            default = "" if p.required else f" (default: {p.default if p.default != [] else 'all'})"
            print(f"    -p {p.name}=<{p.type}>  {p.doc}{default}")
        print(f"    returns: {', '.join(query.returns)}\n")
    for name, files in shadowed().items():
        print(f"workbench: warning: query {name} is defined twice ({' and '.join(map(str, files))}); it is refused "
              "until one is renamed", file=sys.stderr)
    return 0
