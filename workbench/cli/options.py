"""Options and argument types several commands share."""

from __future__ import annotations

import argparse
import datetime as dt

from workbench.errors import UsageError
from workbench.settings import LOGS_ENV, default_engine, default_logs, parse_list


def add_logs(parser: argparse.ArgumentParser) -> None:
    """``--logs DIR``: the folder holding ``AWSLogs/``."""
    parser.add_argument("--logs", default=None, metavar="DIR",
                        help=f"folder holding AWSLogs/ (default: ${LOGS_ENV}, else the nearest demo-data folder "
                        f"here or above; now {default_logs()})")


def logs_of(args) -> str:
    """The ``--logs`` folder, or the default one."""
    return str(args.logs) if args.logs else str(default_logs())


def add_engine(parser: argparse.ArgumentParser, *, default: str | None = "env") -> None:
    """``--engine NAME``, with the choices of the engine registry."""
    from workbench.engines import ENGINES

    names = ENGINES.names()
    parser.add_argument("--engine", choices=names, default=default_engine() if default == "env" else default,
                        help=f"query engine: {', '.join(names)} (default: $WORKBENCH_ENGINE, else local); "
                        "athena takes its settings from WORKBENCH_ATHENA_* or ~/.config/workbench/athena.toml "
                        "and ignores --logs")


def add_params(parser: argparse.ArgumentParser, *, what: str) -> None:
    """``-p KEY=VALUE``, repeatable."""
    parser.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                        help=f"{what} (repeatable); lists are comma-separated")


def params(pairs: list[str]) -> dict:
    """``-p`` pairs as a dict."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"parameter {pair!r} is not KEY=VALUE (e.g. -p start=2026-11-01)")
        out[key.strip()] = value
    return out


def add_sources(parser: argparse.ArgumentParser) -> None:
    """``--sources S1,S2``: some of the log sources."""
    from workbench.sources import SOURCES

    parser.add_argument("--sources", type=csv, metavar="S1,S2", help=f"{','.join(SOURCES)} (default: all)")


def day(text: str) -> dt.date:
    """An argument that is a day, ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day as YYYY-MM-DD") from None


def positive_int(text: str) -> int:
    """An argument that is a whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def csv(text: str) -> list[str]:
    """An argument that is a comma-separated list."""
    return parse_list(text)
