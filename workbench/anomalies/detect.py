"""From logs to a ranked list of unusual principal-days: queries, features, a model, reasons.

>>> import workbench
>>> from workbench import anomalies
>>> engine = workbench.connect("local", logs="demo-data")                         # doctest: +SKIP
>>> found = anomaly.find_anomalies(engine, start="2026-11-01", end="2026-11-07")  # doctest: +SKIP
>>> found.top(5)                                                                 # doctest: +SKIP
>>> anomaly.events_of_top(engine, found.ranked, n=3)                             # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.anomalies.features import principal_day_features, principal_ip_features
from workbench.anomalies.model_local import score_local
from workbench.anomalies.ranking import empty_ranking, rank_principal_days
from workbench.errors import UsageError

#: The library queries the features are computed from.
FEATURE_QUERIES = ("principal_day_features", "principal_hourly_sources", "principal_api_days")
#: Models by parameter value, and the name their scores carry.
MODELS = {"local": "local: isolation forest", "sagemaker": "sagemaker: random cut forest"}
#: Columns of :meth:`Anomalies.top`.
TOP_COLUMNS = ["rank", "principal", "event_day", "score", "flagged", "why", "compared_with"]


@dataclass
class Anomalies:
    """What :func:`find_anomalies` found.

    Attributes
    ----------
    ranked : DataFrame
        Every principal-day of the window, most unusual first
        (:func:`~workbench.anomalies.ranking.rank_principal_days`).
    pairs : DataFrame
        Every principal, day and source IP with how familiar the address is (``ip_score``).
    model : str
        The model that scored the rows.
    window : dict
        The query parameters of the window.
    run : dict
        The SageMaker run (jobs, S3 folder), empty for the local model.
    """

    ranked: pd.DataFrame
    pairs: pd.DataFrame
    model: str
    window: dict
    run: dict = field(default_factory=dict)

    @property
    def flagged(self) -> pd.DataFrame:
        """The flagged rows, most unusual first."""
        return self.ranked[self.ranked.flagged].reset_index(drop=True)

    def top(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` most unusual principal-days, with the columns a person reads first."""
        return self.ranked.head(n)[TOP_COLUMNS].reset_index(drop=True)

    def addresses(self, n: int = 10) -> pd.DataFrame:
        """The source IPs behind the ``n`` most unusual principal-days, least familiar first."""
        keys = self.ranked.head(n)[["rank", "principal", "event_day"]]
        joined = keys.merge(self.pairs, on=["principal", "event_day"], how="inner")
        return joined.sort_values(["rank", "ip_score", "calls"], ascending=[True, False, False],
                                  kind="stable").reset_index(drop=True)

    def __repr__(self) -> str:
        head = ""
        if len(self.ranked):
            first = self.ranked.iloc[0]
            head = f"; most unusual: {first.principal} on {first.event_day}"
        return (f"Anomalies({self.model}; {len(self.ranked)} principal-days from {self.window.get('start')} to "
                f"{self.window.get('end')}, {int(self.ranked.flagged.sum())} flagged{head})")


def load_features(source, *, start=None, end=None, accounts=None, regions=None,
                  min_baseline_days: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Run the feature queries and build the principal-day and principal/IP tables.

    Parameters
    ----------
    source : Engine or Investigation
        An open engine (then ``start`` and ``end`` are required), or an
        :class:`~workbench.session.investigation.Investigation`, whose window and scope apply.
    start, end : str, optional
        First and last day (``YYYY-MM-DD``, UTC, inclusive).
    accounts, regions : list of str, optional
        Keep only these.
    min_baseline_days : int
        Fewest other days a principal needs before it is compared with itself alone.

    Returns
    -------
    days, pairs, window
        The principal-day feature table, the principal/IP table and the query parameters used.
    """
    run, window = _runner(source, start=start, end=end, accounts=accounts, regions=regions)
    daily, hourly, apis = (run(name) for name in FEATURE_QUERIES)
    days = principal_day_features(daily, hourly, apis, min_baseline_days=min_baseline_days)
    return days, principal_ip_features(hourly), window


def find_anomalies(source, *, start=None, end=None, accounts=None, regions=None, model: str = "local",
                   seed: int = 0, sagemaker=None, run_id: str | None = None, min_baseline_days: int = 3,
                   say=None) -> Anomalies:
    """Score every principal-day of a window and rank them, each with its reasons.

    Parameters
    ----------
    source : Engine or Investigation
        Where the logs are read (see :func:`load_features`).
    start, end, accounts, regions
        The window and scope (taken from an Investigation when not given).
    model : {"local", "sagemaker"}
        ``local``: scikit-learn's isolation forest, here and now. ``sagemaker``: Random Cut
        Forest and IP Insights as SageMaker training and batch-transform jobs (needs
        ``pip install 'sagemaker>=2.200,<4' 'boto3>=1.34'`` and ``sagemaker``).
    seed : int
        Seed of the local model: the same seed and logs give the same scores.
    sagemaker : SageMakerSettings or dict, optional
        Role, bucket, instance types for ``model="sagemaker"`` (a dict is passed to
        :class:`~workbench.anomalies.sagemaker_path.SageMakerSettings`; a dict with ``stack``
        reads the rest from that stack's outputs).
    run_id : str, optional
        Names the SageMaker jobs and their S3 folder.
    min_baseline_days : int
        See :func:`load_features`.
    say : callable, optional
        Progress messages of the SageMaker path.

    Returns
    -------
    Anomalies
    """
    if model not in MODELS:
        raise UsageError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
    days, pairs, window = load_features(source, start=start, end=end, accounts=accounts, regions=regions,
                                        min_baseline_days=min_baseline_days)
    if days.empty:
        return Anomalies(empty_ranking(model=MODELS[model]), pairs, MODELS[model], window)
    if model == "local":
        return Anomalies(rank_principal_days(days, score_local(days, seed=seed), model=MODELS[model]), pairs,
                         MODELS[model], window)
    from workbench.anomalies.sagemaker_path import score_sagemaker

    engine = getattr(source, "engine", source)
    scores, scored_pairs, run = score_sagemaker(days, pairs, engine=engine, window=window,
                                                settings=sagemaker_settings(sagemaker), run_id=run_id, say=say)
    return Anomalies(rank_principal_days(days, scores, model=MODELS[model]), scored_pairs, MODELS[model], window, run)


def sagemaker_settings(given):
    """:class:`~workbench.anomalies.sagemaker_path.SageMakerSettings` from settings, a dict or nothing.

    A dict with ``role_arn`` and ``bucket`` is used as it is; otherwise the missing ones are read
    from the outputs of the CloudFormation stack named by ``stack`` (default ``workbench``).
    ``None`` values count as not given.
    """
    from workbench.anomalies.sagemaker_path import SageMakerSettings

    if isinstance(given, SageMakerSettings):
        return given
    options = {k: v for k, v in dict(given or {}).items() if v is not None}
    stack = options.pop("stack", "workbench")
    if options.get("role_arn") and options.get("bucket"):
        return SageMakerSettings(**options)
    return SageMakerSettings.from_stack(stack, **options)


def events_of_top(source, ranked: pd.DataFrame, *, n: int = 3) -> pd.DataFrame:
    """Every CloudTrail event of the ``n`` most unusual principal-days (``events_by_principal``).

    Returns
    -------
    DataFrame
        ``rank``, then the columns of ``events_by_principal`` in reading order (time, API,
        error, source IP first), then ``anomalous_principal`` and ``event_day``; in rank then
        time order.
    """
    lead = ["rank", "event_time", "event_source", "event_name", "error_code", "source_ip", "region", "user_agent",
            "principal", "access_key_id"]
    frames = []
    for row in ranked.head(n).itertuples():
        run, _ = _runner(source, start=row.event_day, end=row.event_day, accounts=None, regions=None,
                         keep_scope=True)
        events = run("events_by_principal", principal=row.principal)
        events.insert(0, "event_day", row.event_day)
        events.insert(0, "anomalous_principal", row.principal)
        events.insert(0, "rank", row.rank)
        frames.append(events)
    if not frames:
        return pd.DataFrame(columns=lead + ["anomalous_principal", "event_day"])
    events = pd.concat(frames, ignore_index=True)
    return events[lead + [c for c in events.columns if c not in lead]]


def calls_by_hour(events: pd.DataFrame) -> pd.DataFrame:
    """Calls and failures of :func:`events_of_top`'s events per entry, hour of day (UTC, 0-23) and source IP."""
    columns = ["rank", "anomalous_principal", "hour", "source_ip", "calls", "errors"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    frame = events.assign(hour=pd.to_datetime(events.event_time, utc=True).dt.hour,
                          failed=events.error_code.notna())
    out = frame.groupby(["rank", "anomalous_principal", "hour", "source_ip"], sort=True).agg(
        calls=("event_id", "size"), errors=("failed", "sum")).reset_index()
    return out[columns]


def _runner(source, *, start, end, accounts, regions, keep_scope: bool = False):
    """A function ``name, **params -> DataFrame`` over ``source``, and the window it applies."""
    if hasattr(source, "window") and hasattr(source, "engine"):  # an Investigation
        window = dict(source.window)
        if keep_scope or start or end:
            window.update({k: v for k, v in (("start", start), ("end", end)) if v})
        for key, value in (("accounts", accounts), ("regions", regions)):
            if value:
                window[key] = value

        def run(name, **params):
            frame = source.engine.query(name, {**window, **params})
            source.scans.append(frame.attrs.get("scan", {}))
            return frame
        return run, window
    if not (start and end):
        raise UsageError("give start and end (YYYY-MM-DD), or an Investigation that has them")
    window = {"start": str(start), "end": str(end), "accounts": list(accounts or []), "regions": list(regions or [])}

    def run(name, **params):
        return source.query(name, {**window, **params})
    return run, window
