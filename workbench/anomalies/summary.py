"""The anomalies notebook's summary: headline, key numbers, and the top entries as facts."""

from __future__ import annotations

from workbench.words import attention


def summarise(found, *, top_n: int = 10) -> dict:
    """The summary of an :class:`~workbench.anomalies.detect.Anomalies` result.

    Parameters
    ----------
    found : Anomalies
        What :func:`~workbench.anomalies.detect.find_anomalies` returned.
    top_n : int
        Entries listed under ``facts["top"]``.

    Returns
    -------
    dict
        ``title``, ``headline`` (names the three most unusual principals, and why the first
        stands out), ``numbers``
        and ``facts`` (``top``: rank, principal, day, score, flagged, reasons;
        ``flagged_principals``; ``model``), as :func:`workbench.write_summary` stores it.
    """
    ranked = found.ranked
    flagged = ranked[ranked.flagged]
    if ranked.empty:
        headline = "No principal activity in the window: nothing to compare."
    else:
        first = ranked.iloc[0]
        reason = first.reasons[0] if first.reasons else "no single feature stands out"
        then = ", ".join(f"{_short(r.principal)} on {r.event_day}" for r in ranked.iloc[1:3].itertuples())
        headline = (f"{len(flagged)} of {len(ranked)} principal-days stand out ({found.model}); most unusual: "
                    f"{_short(first.principal)} on {first.event_day} ({reason})" + (f"; then {then}." if then else "."))
    top = [{"rank": int(r.rank), "principal": r.principal, "event_day": r.event_day, "score": round(float(r.score), 4),
            "flagged": bool(r.flagged), "reasons": list(r.reasons), "compared_with": r.compared_with}
           for r in ranked.head(top_n).itertuples()]
    urgent = [f"{_short(r.principal)} on {r.event_day}: {r.reasons[0] if r.reasons else 'stands out'}"
              for r in flagged.head(3).itertuples()]
    return {
        "title": "Anomalies: principal-days that stand out",
        "headline": headline,
        **attention(urgent),
        "numbers": {"principal-days": len(ranked), "principals": int(ranked.principal.nunique()),
                    "flagged": len(flagged)},
        "facts": {"model": found.model, "window": dict(found.window), "top": top,
                  "flagged_principals": sorted(set(flagged.principal)), "run": dict(found.run)},
    }


def _short(principal: str) -> str:
    """``lukas.weber@example.com (186489688791)`` for a session ARN; names stay as they are."""
    text = str(principal)
    if not text.startswith("arn:"):
        return text
    return f"{text.rsplit('/', 1)[-1].split(':')[-1]} ({text.split(':')[4]})"
