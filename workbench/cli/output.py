"""Query results on stdout: a table for people, or CSV and JSON for other programs."""

from __future__ import annotations

import json
import sys

import pandas as pd

from workbench.session.summary import plain


def print_frame(frame: pd.DataFrame, *, fmt: str, max_rows: int) -> None:
    """Print ``frame`` as ``table`` (the first ``max_rows``), ``csv`` or ``json`` (timestamps as ISO text)."""
    if fmt == "json":
        print(json.dumps(plain(frame.to_dict(orient="records")), indent=1, default=str))
    elif fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif frame.empty:
        print("(no rows)")
    else:
        with pd.option_context("display.max_columns", None, "display.width", 200, "display.max_colwidth", 60):
            print(frame.head(max_rows).to_string(index=False))
        if len(frame) > max_rows:
            print(f"... {len(frame) - max_rows} more rows (use --max-rows, or --format csv/json)")
