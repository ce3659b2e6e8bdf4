"""The local model: scikit-learn's IsolationForest over the principal-day features.

Why an isolation forest (docs/anomalies.md has the longer version):

- there are no labels: nobody has marked last week's principal-days good or bad, so the
  model must learn "usual" from the window itself;
- the features (:data:`~workbench.anomalies.features.MODEL_COLUMNS`) are already departures
  from each principal's own baseline, zero on an ordinary day, with a long tail on one side;
  an isolation forest cuts exactly such tails off first, needs no distribution, no distance
  scale shared between features and no tuning of a neighbourhood size;
- it is fast (a few hundred trees over thousands of rows take a second), and with a fixed
  ``random_state`` it gives the same scores on every run.

Each tree is grown on all rows (up to ``max_samples``): anomalies here are a handful among
thousands, so the masking that sub-sampling guards against does not arise, and the full
sample makes the ranking steadier from seed to seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.anomalies.features import MODEL_COLUMNS
from workbench.errors import UsageError

#: The name this model's scores carry in ``model`` columns and summaries.
NAME = "local"


@dataclass
class IsolationForestModel:
    """An isolation forest trained on one window's principal-days.

    Parameters
    ----------
    seed : int
        ``random_state`` of the forest: the same seed and data give the same scores.
    trees : int
        Number of trees.
    max_samples : int
        Rows each tree is grown on (all of them up to this number).
    columns : tuple of str
        Feature columns the model reads.

    Examples
    --------
    >>> model = IsolationForestModel(seed=0).fit(features)   # doctest: +SKIP
    >>> model.score(features)                                # doctest: +SKIP
    array([0.41, 0.39, ..., 0.78])
    """

    seed: int = 0
    trees: int = 300
    max_samples: int = 2048
    columns: tuple[str, ...] = MODEL_COLUMNS
    forest: object = field(default=None, repr=False)

    def fit(self, features: pd.DataFrame) -> IsolationForestModel:
        """Grow the forest on ``features`` (rows of the principal-day feature table).

        Raises
        ------
        UsageError
            If there are no rows to learn from.
        """
        from sklearn.ensemble import IsolationForest

        matrix = self._matrix(features)
        if len(matrix) == 0:
            raise UsageError("no principal-day to learn from: the window holds no CloudTrail activity")
        self.forest = IsolationForest(n_estimators=self.trees, max_samples=min(len(matrix), self.max_samples),
                                      random_state=self.seed, n_jobs=1)
        self.forest.fit(matrix)
        return self

    def score(self, features: pd.DataFrame) -> np.ndarray:
        """Anomaly scores in (0, 1]: about 0.5 and below is ordinary, near 1 stands out.

        The score is the isolation forest's own ``2 ** (-mean depth / c(n))`` (the
        negated ``score_samples``), so it means the same from window to window.
        """
        if self.forest is None:
            raise UsageError("the model is not trained: call fit(features) first")
        if len(features) == 0:
            return np.zeros(0)
        return -self.forest.score_samples(self._matrix(features))

    def _matrix(self, features: pd.DataFrame) -> np.ndarray:
        missing = [c for c in self.columns if c not in features.columns]
        if missing:
            raise UsageError(f"feature table lacks {', '.join(missing)}: make it with principal_day_features()")
        return features[list(self.columns)].to_numpy(dtype="float64")


def score_local(features: pd.DataFrame, *, seed: int = 0, trees: int = 300) -> np.ndarray:
    """Train on the window's principal-days and score every one of them.

    Parameters
    ----------
    features : DataFrame
        The principal-day feature table (:func:`~workbench.anomalies.features.principal_day_features`).
    seed : int
        Seed of the forest.
    trees : int
        Number of trees.

    Returns
    -------
    numpy.ndarray
        One score per row of ``features``, in its order (higher is more unusual).
    """
    if len(features) == 0:
        return np.zeros(0)
    return IsolationForestModel(seed=seed, trees=trees).fit(features).score(features)
