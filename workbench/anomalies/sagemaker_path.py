"""The SageMaker path: Random Cut Forest over principal-days, IP Insights over principal/IP pairs.

The same features as the local path, scored by SageMaker's built-in algorithms when one
machine is not enough or a team wants the models AWS runs:

1. **export**: the principal-day feature matrix is written to S3 as headerless CSV; the
   principal/IPv4 events IP Insights learns from are written by Athena itself with
   ``UNLOAD`` (the Athena engine; parameters bound, never formatted into the SQL), or from
   the engine's result (any other engine);
2. **train**: one training job per algorithm (``CreateTrainingJob`` with the algorithm's
   image for the region);
3. **score**: a model from each job's artefacts (``CreateModel``) and a batch transform
   (``CreateTransformJob``) over every principal-day and every principal/IP pair of the window;
4. **read back**: the transform outputs (JSON Lines, one line per input line, in order)
   become the ``score`` of the same ranked table the local path returns, and ``ip_score``
   of the pair table.

Why not the SDK's estimator classes: the current SageMaker Python SDK (v3) no longer ships
the ``RandomCutForest`` and ``IPInsights`` estimators of v2, and its generic ``ModelTrainer``
creates a default bucket and simulates IAM policies, which the stack's least-privilege role
neither needs nor allows. So the requests are built here, in the shape of the SageMaker API
(which the tests check against a local AWS API server), sent with boto3, and the SDK is used
for what it is the reference for: the algorithm images of each region
(``image_uris.retrieve``; v3 and v2 both work). The SDK is optional
(``pip install 'sagemaker>=2.200,<4' 'boto3>=1.34'``) and imported only here, only when this path runs.

Everything SageMaker needs comes from :class:`SageMakerSettings`: given directly, or read
from the workbench stack's outputs (``ModelRoleArn``, ``ResultsBucket``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workbench.anomalies.features import MODEL_COLUMNS
from workbench.distribution import install_hint
from workbench.errors import UsageError, WorkbenchError

#: The install line for the optional SageMaker SDK.
PIP_LINE = install_hint("sagemaker")
#: SageMaker's names of the two algorithms.
RCF, IP_INSIGHTS = "randomcutforest", "ipinsights"
#: Query whose rows (principal, IPv4 address, one per call) IP Insights learns from.
PAIR_QUERY = "principal_ip_events"
_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")


class SageMakerJobFailed(WorkbenchError):
    """A training or transform job ended Failed or Stopped."""


def algorithm_image(algorithm: str, region: str) -> str:
    """The ECR image of a built-in algorithm in ``region``, from the SageMaker SDK.

    Raises
    ------
    WorkbenchError
        If the SDK is not installed, with the line that installs it.
    """
    try:
        from sagemaker.core import image_uris  # SDK v3
    except ImportError:
        try:
            from sagemaker import image_uris  # SDK v2
        except ImportError:
            raise WorkbenchError(f"the SageMaker path needs the SageMaker Python SDK: {PIP_LINE}") from None
    return image_uris.retrieve(framework=algorithm, region=region, version="1")


@dataclass(frozen=True)
class SageMakerSettings:
    """Where and how the SageMaker jobs run.

    Parameters
    ----------
    role_arn : str
        Execution role SageMaker assumes to read the training data and write models and
        scores (the stack's ``ModelRoleArn`` output).
    bucket : str
        S3 bucket for training data, models and scores (the stack's ``ResultsBucket``).
    prefix : str
        Key prefix inside the bucket; every run writes below ``<prefix><run id>/``.
    region : str, optional
        Region of the jobs (default: the session's).
    training_instance_type, transform_instance_type : str
        Instance types of the training jobs and the batch transforms.
    instance_count : int
        Instances per job.
    max_runtime_seconds : int
        Longest a training job may run.
    poll_seconds : int
        Seconds between two status checks while waiting for a job.
    rcf_hyperparameters, ipinsights_hyperparameters : dict
        Extra hyperparameters (override the defaults chosen from the data).
    """

    role_arn: str
    bucket: str
    prefix: str = "anomaly/"
    region: str | None = None
    training_instance_type: str = "ml.m5.large"
    transform_instance_type: str = "ml.m5.large"
    instance_count: int = 1
    max_runtime_seconds: int = 3600
    poll_seconds: int = 30
    rcf_hyperparameters: dict = field(default_factory=dict)
    ipinsights_hyperparameters: dict = field(default_factory=dict)

    def __post_init__(self):
        if not str(self.role_arn).startswith("arn:"):
            raise UsageError(f"SageMaker needs an execution role ARN (the stack output ModelRoleArn), "
                             f"got {self.role_arn!r}")
        if not self.bucket or "/" in self.bucket or self.bucket.startswith("s3:"):
            raise UsageError(f"bucket must be a bucket name (the stack output ResultsBucket), got {self.bucket!r}")
        if self.prefix and not self.prefix.endswith("/"):
            object.__setattr__(self, "prefix", self.prefix + "/")

    @classmethod
    def from_stack(cls, stack: str = "workbench", *, boto3_session=None, **options) -> SageMakerSettings:
        """Settings from the workbench stack's outputs, ``options`` overriding them.

        Raises
        ------
        UsageError
            If the stack has no ``ModelRoleArn`` or ``ResultsBucket`` output and none is given.
        """
        import boto3

        session = boto3_session or boto3.Session()
        described = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
        values = {"role_arn": outputs.get("ModelRoleArn"), "bucket": outputs.get("ResultsBucket"),
                  "region": session.region_name}
        values.update({k: v for k, v in options.items() if v is not None})
        missing = [k for k in ("role_arn", "bucket") if not values.get(k)]
        if missing:
            raise UsageError(f"stack {stack!r} has no output for {', '.join(missing)}: update the stack "
                             "(make deploy) or pass them as parameters")
        return cls(**values)


@dataclass(frozen=True)
class RunPlaces:
    """The S3 locations and job names of one run."""

    run_id: str
    base: str

    @classmethod
    def of(cls, settings: SageMakerSettings, run_id: str) -> RunPlaces:
        if not _NAME.match(run_id) or len(run_id) > 40:
            raise UsageError(f"run id {run_id!r}: letters, digits and single hyphens, at most 40 characters")
        return cls(run_id, f"s3://{settings.bucket}/{settings.prefix}{run_id}/")

    def uri(self, *parts: str) -> str:
        return self.base + "/".join(parts)

    def job(self, algorithm: str) -> str:
        """Name of this run's training job, model and transform job for ``algorithm``."""
        short = {RCF: "rcf", IP_INSIGHTS: "ipi"}[algorithm]
        return f"workbench-{short}-{self.run_id}"


def new_run_id(now: dt.datetime | None = None) -> str:
    """A run id from the time (UTC): ``20261108-071502``."""
    return (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%d-%H%M%S")


# -- requests (plain data, in the API's shape) -------------------------------------------


def training_request(*, name: str, image: str, settings: SageMakerSettings, train_uri: str, output_uri: str,
                     hyperparameters: dict, content_type: str, distribution: str = "FullyReplicated",
                     compression: str = "None") -> dict:
    """The ``CreateTrainingJob`` request of one built-in algorithm on one S3 channel ``train``."""
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": settings.role_arn,
        "HyperParameters": {k: str(v) for k, v in hyperparameters.items()},
        "InputDataConfig": [{
            "ChannelName": "train",
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": train_uri,
                                            "S3DataDistributionType": distribution}},
            "ContentType": content_type,
            "CompressionType": compression,
        }],
        "OutputDataConfig": {"S3OutputPath": output_uri},
        "ResourceConfig": {"InstanceType": settings.training_instance_type,
                           "InstanceCount": settings.instance_count, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": settings.max_runtime_seconds},
    }


def rcf_hyperparameters(rows: int, settings: SageMakerSettings) -> dict:
    """Random Cut Forest's hyperparameters for ``rows`` principal-days of the model features."""
    values = {"feature_dim": len(MODEL_COLUMNS), "num_trees": 100,
              "num_samples_per_tree": int(max(1, min(256, rows)))}
    values.update(settings.rcf_hyperparameters)
    return values


def ipinsights_hyperparameters(entities: int, settings: SageMakerSettings) -> dict:
    """IP Insights' hyperparameters for ``entities`` distinct principals.

    ``num_entity_vectors`` is twice the number of entities (AWS's advice: fewer hash
    collisions); small vectors and a few epochs suit a window of one organisation's principals.
    """
    values = {"num_entity_vectors": max(2 * entities, 2), "vector_dim": 32, "epochs": 10, "batch_size": 1000}
    values.update(settings.ipinsights_hyperparameters)
    return values


def model_request(*, name: str, image: str, model_data_url: str, settings: SageMakerSettings) -> dict:
    """The ``CreateModel`` request for a trained built-in algorithm."""
    return {"ModelName": name, "ExecutionRoleArn": settings.role_arn,
            "PrimaryContainer": {"Image": image, "ModelDataUrl": model_data_url}}


def transform_request(*, name: str, model_name: str, input_uri: str, output_uri: str,
                      settings: SageMakerSettings) -> dict:
    """The ``CreateTransformJob`` request: CSV lines in, one JSON line out per input line."""
    return {
        "TransformJobName": name,
        "ModelName": model_name,
        "BatchStrategy": "MultiRecord",
        "MaxPayloadInMB": 6,
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
            "ContentType": "text/csv",
            "SplitType": "Line",
            "CompressionType": "None",
        },
        "TransformOutput": {"S3OutputPath": output_uri, "Accept": "application/jsonlines", "AssembleWith": "Line"},
        "TransformResources": {"InstanceType": settings.transform_instance_type,
                               "InstanceCount": settings.instance_count},
    }


def unload_statement(select_sql: str, location: str) -> str:
    """Athena ``UNLOAD`` of a query to ``location`` as gzip'd, comma-separated text, no header."""
    if not (location.startswith("s3://") and location.endswith("/")):
        raise UsageError(f"UNLOAD needs an s3:// folder ending in '/', got {location!r}")
    body = "\n".join(line for line in select_sql.strip().splitlines() if not line.lstrip().startswith("--"))
    return (f"UNLOAD (\n{body}\n)\nTO '{location}'\n"
            "WITH (format = 'TEXTFILE', field_delimiter = ',', compression = 'GZIP')")


# -- data to S3 --------------------------------------------------------------------------


def feature_csv(features: pd.DataFrame) -> bytes:
    """The model features as headerless CSV, one line per principal-day, in table order."""
    return features[list(MODEL_COLUMNS)].to_csv(header=False, index=False, float_format="%.6f").encode()


def pair_csv(pairs: pd.DataFrame) -> bytes:
    """``principal,source_ip`` lines, IPv4 pairs only (IP Insights reads nothing else)."""
    return pairs[["principal", "source_ip"]].to_csv(header=False, index=False).encode()


def ip_pairs_to_score(pairs: pd.DataFrame) -> pd.DataFrame:
    """The distinct principal/IPv4 pairs of the window, in order: the IP Insights transform's input."""
    ipv4 = pairs.source_ip.astype(str).str.fullmatch(r"\d{1,3}(\.\d{1,3}){3}")
    return pairs[ipv4].drop_duplicates(["principal", "source_ip"]).reset_index(drop=True)


def put_object(s3, uri: str, body: bytes) -> str:
    bucket, key = _split(uri)
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return uri


def export_pair_events(engine, window: dict, location: str, *, s3) -> dict:
    """Write the principal/IPv4 events of the window below ``location`` (an S3 folder).

    On the Athena engine the data never leaves AWS: an ``UNLOAD`` of the library query
    ``principal_ip_events`` writes gzip'd CSV there. Other engines run the query and upload
    its rows as one CSV file.

    Returns
    -------
    dict
        ``{"uri": location, "compression": "Gzip" | "None", "how": "unload" | "engine"}``.
    """
    if getattr(engine, "name", "") == "athena":
        run_unload(engine, PAIR_QUERY, window, location)
        return {"uri": location, "compression": "Gzip", "how": "unload"}
    rows = engine.query(PAIR_QUERY, window)
    put_object(s3, location + "events.csv", pair_csv(rows))
    return {"uri": location, "compression": "None", "how": "engine"}


def run_unload(engine, query_name: str, params: dict, location: str) -> str:
    """Run ``UNLOAD`` of a library query on the Athena engine; returns the query execution id.

    The query's parameters are bound as Athena execution parameters, exactly as the engine
    binds them for a ``SELECT``; the full-scan guard applies the same way.
    """
    from workbench.aws.clients import aws_errors
    from workbench.engines.athena.params import execution_parameters

    query, values, reads = engine.prepare(query_name, params)
    engine.check_workgroup()
    engine.check_tables(sorted({r.table for r in reads}))
    sql, parameters = execution_parameters(query, values)
    statement = unload_statement(sql, location)
    wr = engine.wr
    with aws_errors(f"unload {query.name} to {location}"):
        execution_id = wr.athena.start_query_execution(
            sql=statement, database=engine.settings.database, s3_output=engine.settings.output,
            workgroup=engine.settings.workgroup, params=parameters or None, paramstyle="qmark",
            boto3_session=engine.session)
        try:
            wr.athena.wait_query(query_execution_id=execution_id, boto3_session=engine.session)
        except (wr.exceptions.QueryFailed, wr.exceptions.QueryCancelled):
            execution = wr.athena.get_query_execution(execution_id, boto3_session=engine.session)
            raise engine.failure(f"UNLOAD of {query.name}", execution) from None
    engine.last_execution_id, engine.last_sql, engine.last_parameters = execution_id, statement, parameters
    return execution_id


# -- jobs ------------------------------------------------------------------------------


def train_model_and_transform(sagemaker, *, training: dict, image: str, transform_input: str, transform_output: str,
                              settings: SageMakerSettings, say=None) -> dict:
    """Train, make the model, run the batch transform; wait for each. Returns the three names."""
    say = say or (lambda text: None)
    name = training["TrainingJobName"]
    say(f"training job {name} ({training['AlgorithmSpecification']['TrainingImage'].rsplit('/', 1)[-1]})")
    sagemaker.create_training_job(**training)
    described = _wait(sagemaker, "training", name, settings)
    artefacts = described["ModelArtifacts"]["S3ModelArtifacts"]
    sagemaker.create_model(**model_request(name=name, image=image, model_data_url=artefacts, settings=settings))
    say(f"batch transform {name} over {transform_input}")
    sagemaker.create_transform_job(**transform_request(name=name, model_name=name, input_uri=transform_input,
                                                       output_uri=transform_output, settings=settings))
    _wait(sagemaker, "transform", name, settings)
    return {"training_job": name, "model": name, "transform_job": name, "model_artifacts": artefacts}


def read_scores(s3, uri: str, key: str, *, expected: int) -> np.ndarray:
    """Values of ``key`` from a transform output (one JSON object per line, in input order)."""
    bucket, object_key = _split(uri)
    try:
        body = s3.get_object(Bucket=bucket, Key=object_key)["Body"].read().decode()
    except Exception as err:
        raise SageMakerJobFailed(f"the batch transform wrote no output at {uri}: {err}") from None
    values = [float(json.loads(line)[key]) for line in body.splitlines() if line.strip()]
    if len(values) != expected:
        raise SageMakerJobFailed(f"{uri} holds {len(values)} scores for {expected} input lines")
    return np.asarray(values, dtype="float64")


def score_sagemaker(days: pd.DataFrame, pairs: pd.DataFrame, *, engine, window: dict,
                    settings: SageMakerSettings, run_id: str | None = None, boto3_session=None,
                    say=None) -> tuple[np.ndarray, pd.DataFrame, dict]:
    """Score principal-days with Random Cut Forest and principal/IP pairs with IP Insights.

    Parameters
    ----------
    days : DataFrame
        The principal-day feature table (the rows to score, in order).
    pairs : DataFrame
        The principal/IP table (:func:`~workbench.anomalies.features.principal_ip_features`).
    engine : Engine
        Where the IP Insights training events come from (``UNLOAD`` on Athena).
    window : dict
        Query parameters of the window (``start``, ``end``, ``accounts``, ``regions``).
    settings : SageMakerSettings
        Role, bucket, instance types.
    run_id : str, optional
        Names this run's jobs and S3 folder (default: the time, :func:`new_run_id`).
    boto3_session : boto3.Session, optional
        Session for S3 and SageMaker (default: the Athena engine's, else a new one).
    say : callable, optional
        Progress messages.

    Returns
    -------
    scores : numpy.ndarray
        Random Cut Forest's anomaly score of every row of ``days`` (higher is more unusual).
    pairs : DataFrame
        ``pairs`` with ``ip_score``: IP Insights' negated dot product (higher is less expected).
    run : dict
        The run id, its S3 folder and the job names.
    """
    import boto3

    session = boto3_session or getattr(engine, "session", None) or boto3.Session(region_name=settings.region)
    region = settings.region or session.region_name
    if not region:
        raise UsageError("SageMaker needs a region: set AWS_DEFAULT_REGION or SageMakerSettings(region=...)")
    settings = replace(settings, region=region)
    places = RunPlaces.of(settings, run_id or new_run_id())
    s3, sagemaker = session.client("s3", region_name=region), session.client("sagemaker", region_name=region)
    run = {"run_id": places.run_id, "location": places.base}

    rcf_image = algorithm_image(RCF, region)
    put_object(s3, places.uri("rcf", "train", "features.csv"), feature_csv(days))
    run["rcf"] = train_model_and_transform(
        sagemaker, image=rcf_image, settings=settings, say=say,
        training=training_request(name=places.job(RCF), image=rcf_image, settings=settings,
                                  train_uri=places.uri("rcf", "train/"), output_uri=places.uri("rcf", "model/"),
                                  hyperparameters=rcf_hyperparameters(len(days), settings),
                                  content_type="text/csv;label_size=0", distribution="ShardedByS3Key"),
        transform_input=places.uri("rcf", "train", "features.csv"), transform_output=places.uri("rcf", "scores/"))
    scores = read_scores(s3, places.uri("rcf", "scores", "features.csv.out"), "score", expected=len(days))

    ip_image = algorithm_image(IP_INSIGHTS, region)
    exported = export_pair_events(engine, window, places.uri("ipinsights", "train/"), s3=s3)
    scored_pairs = ip_pairs_to_score(pairs)
    put_object(s3, places.uri("ipinsights", "pairs", "pairs.csv"), pair_csv(scored_pairs))
    run["ipinsights"] = train_model_and_transform(
        sagemaker, image=ip_image, settings=settings, say=say,
        training=training_request(name=places.job(IP_INSIGHTS), image=ip_image, settings=settings,
                                  train_uri=exported["uri"], output_uri=places.uri("ipinsights", "model/"),
                                  hyperparameters=ipinsights_hyperparameters(days.principal.nunique(), settings),
                                  content_type="text/csv", compression=exported["compression"]),
        transform_input=places.uri("ipinsights", "pairs", "pairs.csv"),
        transform_output=places.uri("ipinsights", "scores/"))
    dots = read_scores(s3, places.uri("ipinsights", "scores", "pairs.csv.out"), "dot_product",
                       expected=len(scored_pairs))
    by_pair = dict(zip(zip(scored_pairs.principal, scored_pairs.source_ip), -dots))
    out = pairs.copy()
    out["ip_score"] = [by_pair.get(k, np.nan) for k in zip(out.principal, out.source_ip)]
    run["exported"] = exported
    return scores, out, run


def _wait(sagemaker, kind: str, name: str, settings: SageMakerSettings) -> dict:
    from botocore.exceptions import WaiterError

    waiter = sagemaker.get_waiter(f"{kind}_job_completed_or_stopped")
    key = {"training": "TrainingJobName", "transform": "TransformJobName"}[kind]
    attempts = max(1, int(settings.max_runtime_seconds * 2 / max(settings.poll_seconds, 1)))
    with contextlib.suppress(WaiterError):  # the description below says what happened
        waiter.wait(**{key: name}, WaiterConfig={"Delay": settings.poll_seconds, "MaxAttempts": attempts})
    described = getattr(sagemaker, f"describe_{kind}_job")(**{key: name})
    status = described.get("TrainingJobStatus") or described.get("TransformJobStatus")
    if status != "Completed":
        reason = described.get("FailureReason") or "no reason given"
        raise SageMakerJobFailed(f"SageMaker {kind} job {name} ended {status}: {reason} (see its logs in CloudWatch, "
                                 f"/aws/sagemaker/{kind.capitalize()}Jobs)")
    return described


def _split(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise UsageError(f"expected an s3:// location, got {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key
