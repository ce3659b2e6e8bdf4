"""Anomaly detection: which principal-days stand out from their own baseline, and why.

- :mod:`~workbench.anomalies.features`: features per principal and day (and per principal and
  source IP), computed from three library queries and pure pandas;
- :mod:`~workbench.anomalies.model_local`: scikit-learn's isolation forest, here and now;
- :mod:`~workbench.anomalies.sagemaker_path`: Random Cut Forest and IP Insights on SageMaker
  (optional: ``pip install 'sagemaker>=2.200,<4' 'boto3>=1.34'``; never imported by the local path);
- :mod:`~workbench.anomalies.explain`: the reasons, in words;
- :mod:`~workbench.anomalies.ranking`: the ranked table both paths return;
- :mod:`~workbench.anomalies.detect`: the whole thing in one call, :func:`find_anomalies`.

>>> from workbench import anomalies
>>> found = anomaly.find_anomalies(engine, start="2026-11-01", end="2026-11-07")  # doctest: +SKIP
>>> found.top(10)                                                                # doctest: +SKIP
"""

from workbench.anomalies.detect import Anomalies, calls_by_hour, events_of_top, find_anomalies, load_features
from workbench.anomalies.features import MODEL_FEATURES, principal_day_features, principal_ip_features
from workbench.anomalies.summary import summarise

__all__ = [
    "MODEL_FEATURES",
    "Anomalies",
    "calls_by_hour",
    "events_of_top",
    "find_anomalies",
    "load_features",
    "principal_day_features",
    "principal_ip_features",
    "summarise",
]
