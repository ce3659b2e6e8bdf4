"""The ranked table every model returns: one row per principal-day, most unusual first.

Both paths (local and SageMaker) end here, so a notebook or a test reads the same columns
whichever model scored the rows: :data:`LEAD_COLUMNS`, then the feature table's columns
(:data:`~workbench.anomalies.features.DAY_COLUMNS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.anomalies.explain import compared_with, feature_tails, reasons
from workbench.anomalies.features import DAY_COLUMNS

#: The first columns of a ranked table, in order.
LEAD_COLUMNS = ("rank", "principal", "event_day", "score", "flagged", "why", "reasons", "compared_with", "model")

#: A row is flagged when its score is at least this many standard deviations above the
#: window's mean score: the cut AWS suggests for Random Cut Forest scores, and one that reads
#: the same on the isolation forest's scale.
FLAG_SIGMAS = 3.0


def rank_principal_days(features: pd.DataFrame, scores, *, model: str, flag_sigmas: float = FLAG_SIGMAS
                        ) -> pd.DataFrame:
    """Attach scores, ranks, flags and reasons to the principal-day feature table.

    Parameters
    ----------
    features : DataFrame
        The principal-day feature table.
    scores : array-like
        One score per row of ``features``, higher meaning more unusual.
    model : str
        Which model scored the rows (``"local"``, ``"sagemaker-rcf"``...), kept in ``model``.
    flag_sigmas : float
        A row is ``flagged`` when its score is at least the mean plus this many standard
        deviations of all scores.

    Returns
    -------
    DataFrame
        :data:`LEAD_COLUMNS` then the feature columns, sorted by score (ties: principal,
        day), ``rank`` from 1. ``reasons`` is a list of sentences, ``why`` the same joined
        with "; ", ``compared_with`` what the baseline was.
    """
    table = features.reset_index(drop=True).copy()
    values = np.asarray(scores, dtype="float64")
    if len(values) != len(table):
        raise ValueError(f"{len(values)} scores for {len(table)} principal-days")
    table["score"] = values
    table["model"] = model
    table["flagged"] = values >= flag_cut(values, sigmas=flag_sigmas)
    tails = feature_tails(table)
    table["reasons"] = [reasons(table.loc[i], tails.loc[i]) for i in table.index]
    table["why"] = ["; ".join(r) for r in table.reasons]
    table["compared_with"] = [compared_with(table.loc[i]) for i in table.index]
    table = table.sort_values(["score", "principal", "event_day"], ascending=[False, True, True], kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    rest = [c for c in DAY_COLUMNS if c not in LEAD_COLUMNS]
    return table[list(LEAD_COLUMNS) + rest].reset_index(drop=True)


def flag_cut(values, *, sigmas: float = FLAG_SIGMAS) -> float:
    """The score from which a row is flagged: mean plus ``sigmas`` standard deviations.

    With no spread at all (every score equal) nothing is flagged.
    """
    values = np.asarray(values, dtype="float64")
    if len(values) == 0 or float(values.std()) == 0.0:
        return float("inf")
    return float(values.mean() + sigmas * values.std())


def empty_ranking(*, model: str) -> pd.DataFrame:
    """A ranked table with no rows (a window with no activity), with every column."""
    from workbench.anomalies.features import principal_day_features

    empty = principal_day_features(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    return rank_principal_days(empty, [], model=model)
