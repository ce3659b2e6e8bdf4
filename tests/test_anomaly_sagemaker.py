"""The SageMaker path of anomaly detection: the requests it builds, and a whole run against a
local AWS API server (moto, server mode).

moto accepts SageMaker's training, model and batch-transform calls and reports the jobs
Completed at once, but runs no algorithm and writes no transform output. The test therefore
plays the algorithms: it writes the JSON Lines a batch transform would write, at the place the
run will read them, and checks everything the workbench sends and reads. Athena likewise runs
no SQL in moto: the UNLOAD test checks the statement and its bound parameters.
Real SageMaker is opt-in: ``pytest -m aws`` with ``WORKBENCH_SAGEMAKER_STACK`` (or
``WORKBENCH_SAGEMAKER_ROLE`` and ``WORKBENCH_SAGEMAKER_BUCKET``) set.
"""

import json
import os
import re

import boto3
import pytest

import workbench
from tests.moto_aws import ACCOUNT, REGION, aws, aws_server, create_athena_setup  # noqa: F401
from workbench.anomalies import find_anomalies, load_features
from workbench.anomalies.features import MODEL_COLUMNS
from workbench.anomalies.model_local import score_local
from workbench.anomalies.ranking import rank_principal_days
from workbench.anomalies.sagemaker_path import (
    IP_INSIGHTS,
    RCF,
    RunPlaces,
    SageMakerJobFailed,
    SageMakerSettings,
    export_pair_events,
    ip_pairs_to_score,
    read_scores,
    training_request,
    transform_request,
    unload_statement,
)
from workbench.engines.local import LocalEngine
from workbench.errors import UsageError

ROLE = f"arn:aws:iam::{ACCOUNT}:role/workbench-ModelRole-ABC"
BUCKET = "workbench-results"
RCF_IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/randomcutforest:1"  # AWS's registry for us-east-1


@pytest.fixture(scope="module")
def tables(sample_org, window):
    with LocalEngine(sample_org) as engine:
        days, pairs, _ = load_features(engine, **window)
    return days, pairs


def settings(**extra):
    return SageMakerSettings(role_arn=ROLE, bucket=BUCKET, region=REGION, poll_seconds=1, **extra)


# -- requests ---------------------------------------------------------------------------------


def test_training_and_transform_requests_have_the_api_shape():
    places = RunPlaces.of(settings(), "r1")
    request = training_request(name=places.job(RCF), image=RCF_IMAGE, settings=settings(),
                               train_uri=places.uri("rcf", "train/"), output_uri=places.uri("rcf", "model/"),
                               hyperparameters={"feature_dim": 12, "num_trees": 100},
                               content_type="text/csv;label_size=0", distribution="ShardedByS3Key")
    assert request == {
        "TrainingJobName": "workbench-rcf-r1",
        "AlgorithmSpecification": {"TrainingImage": RCF_IMAGE, "TrainingInputMode": "File"},
        "RoleArn": ROLE,
        "HyperParameters": {"feature_dim": "12", "num_trees": "100"},  # the API takes strings only
        "InputDataConfig": [{"ChannelName": "train", "ContentType": "text/csv;label_size=0", "CompressionType": "None",
                             "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                             "S3Uri": f"s3://{BUCKET}/anomaly/r1/rcf/train/",
                                                             "S3DataDistributionType": "ShardedByS3Key"}}}],
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/anomaly/r1/rcf/model/"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    transform = transform_request(name="workbench-ipi-r1", model_name="workbench-ipi-r1", settings=settings(),
                                  input_uri="s3://b/in/pairs.csv", output_uri="s3://b/out/")
    assert transform["TransformInput"] == {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                                          "S3Uri": "s3://b/in/pairs.csv"}},
                                           "ContentType": "text/csv", "SplitType": "Line", "CompressionType": "None"}
    assert transform["TransformOutput"] == {"S3OutputPath": "s3://b/out/", "Accept": "application/jsonlines",
                                            "AssembleWith": "Line"}


def test_the_algorithm_images_come_from_the_sdk():
    from workbench.anomalies.sagemaker_path import algorithm_image

    assert algorithm_image(RCF, "us-east-1") == RCF_IMAGE
    assert re.fullmatch(r"\d{12}\.dkr\.ecr\.eu-west-1\.amazonaws\.com/ipinsights:1", algorithm_image(IP_INSIGHTS, "eu-west-1"))


def test_unload_wraps_the_query_without_its_comments():
    sql = "-- name: x\n-- source: cloudtrail\nSELECT a, b\nFROM cloudtrail\nWHERE day BETWEEN ? AND ?"
    assert unload_statement(sql, "s3://b/p/") == (
        "UNLOAD (\nSELECT a, b\nFROM cloudtrail\nWHERE day BETWEEN ? AND ?\n)\nTO 's3://b/p/'\n"
        "WITH (format = 'TEXTFILE', field_delimiter = ',', compression = 'GZIP')")
    with pytest.raises(UsageError):
        unload_statement(sql, "s3://b/p")  # UNLOAD writes into a folder


def test_bad_settings_are_refused_before_aws_is_called():
    with pytest.raises(UsageError, match="ModelRoleArn"):
        SageMakerSettings(role_arn="my-role", bucket=BUCKET)
    with pytest.raises(UsageError, match="ResultsBucket"):
        SageMakerSettings(role_arn=ROLE, bucket="s3://bucket/prefix")
    with pytest.raises(UsageError, match="run id"):
        RunPlaces.of(settings(), "no spaces allowed")
    assert SageMakerSettings(role_arn=ROLE, bucket=BUCKET, prefix="models").prefix == "models/"


# -- against the local AWS API server --------------------------------------------------------------


def _play_the_algorithms(days, pairs, run_id):
    """Write what the two batch transforms would write: a score per principal-day, a dot product per pair."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    local = score_local(days, seed=0)
    rcf_lines = "\n".join(json.dumps({"score": round(float(s) * 3, 6)}) for s in local)  # another scale, same order
    s3.put_object(Bucket=BUCKET, Key=f"anomaly/{run_id}/rcf/scores/features.csv.out", Body=rcf_lines.encode())
    scored = ip_pairs_to_score(pairs)
    dots = "\n".join(json.dumps({"dot_product": 5.0 - 10.0 * float(p.ip_score)}) for p in scored.itertuples())
    s3.put_object(Bucket=BUCKET, Key=f"anomaly/{run_id}/ipinsights/scores/pairs.csv.out", Body=dots.encode())
    return local, scored


def test_a_sagemaker_run_against_a_local_aws_server(aws, sample_org, window, truth, tables):
    days, pairs = tables
    local, _scored_pairs = _play_the_algorithms(days, pairs, "t1")
    with LocalEngine(sample_org) as engine:
        found = find_anomalies(engine, **window, model="sagemaker", run_id="t1",
                               sagemaker={"role_arn": ROLE, "bucket": BUCKET, "poll_seconds": 1})
    local_ranked = rank_principal_days(days, local, model="local: isolation forest")

    # the same table as the local path, ranked by the transform's scores
    assert list(found.ranked.columns) == list(local_ranked.columns)
    assert found.model == "sagemaker: random cut forest"
    assert found.ranked.principal.tolist() == local_ranked.principal.tolist()
    assert found.ranked.why.tolist() == local_ranked.why.tolist()
    assert found.ranked.score.tolist() == pytest.approx((local_ranked.score * 3).tolist(), abs=1e-5)
    planted = truth["by_kind"]["anomalous_principal"]["principal_arn"]
    assert planted in set(found.ranked.head(3).principal)
    ipv4 = found.pairs.source_ip.str.fullmatch(r"\d{1,3}(\.\d{1,3}){3}")
    assert found.pairs.ip_score.notna().tolist() == ipv4.tolist()  # every principal/IPv4 row, on every day

    sm, s3 = boto3.client("sagemaker"), boto3.client("s3")
    base = f"s3://{BUCKET}/anomaly/t1/"
    rcf = sm.describe_training_job(TrainingJobName="workbench-rcf-t1")
    assert rcf["AlgorithmSpecification"]["TrainingImage"] == RCF_IMAGE
    assert rcf["RoleArn"] == ROLE
    assert rcf["HyperParameters"] == {"feature_dim": str(len(MODEL_COLUMNS)), "num_trees": "100",
                                      "num_samples_per_tree": "256"}
    assert rcf["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == base + "rcf/train/"
    assert rcf["InputDataConfig"][0]["ContentType"] == "text/csv;label_size=0"
    assert rcf["OutputDataConfig"]["S3OutputPath"] == base + "rcf/model/"
    model = sm.describe_model(ModelName="workbench-rcf-t1")
    assert model["PrimaryContainer"]["ModelDataUrl"] == rcf["ModelArtifacts"]["S3ModelArtifacts"]
    assert model["ExecutionRoleArn"] == ROLE
    transform = sm.describe_transform_job(TransformJobName="workbench-rcf-t1")
    assert transform["ModelName"] == "workbench-rcf-t1"
    assert transform["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == base + "rcf/train/features.csv"
    assert transform["TransformOutput"]["S3OutputPath"] == base + "rcf/scores/"

    ipi = sm.describe_training_job(TrainingJobName="workbench-ipi-t1")
    assert ipi["AlgorithmSpecification"]["TrainingImage"].endswith(".dkr.ecr.us-east-1.amazonaws.com/ipinsights:1")
    assert ipi["HyperParameters"]["num_entity_vectors"] == str(2 * days.principal.nunique())
    assert ipi["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == base + "ipinsights/train/"
    assert sm.describe_transform_job(TransformJobName="workbench-ipi-t1")["TransformInput"]["DataSource"][
        "S3DataSource"]["S3Uri"] == base + "ipinsights/pairs/pairs.csv"

    # what the jobs read: the features, one line per principal-day; principal,IPv4 per call
    features = s3.get_object(Bucket=BUCKET, Key="anomaly/t1/rcf/train/features.csv")["Body"].read().decode()
    lines = features.splitlines()
    assert len(lines) == len(days) and all(len(line.split(",")) == len(MODEL_COLUMNS) for line in lines)
    events = s3.get_object(Bucket=BUCKET, Key="anomaly/t1/ipinsights/train/events.csv")["Body"].read().decode()
    first = events.splitlines()[0].split(",")
    assert len(first) == 2 and re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", first[1])
    assert found.run["exported"]["how"] == "engine"


def test_missing_transform_output_is_an_error(aws):
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    with pytest.raises(SageMakerJobFailed, match="wrote no output"):
        read_scores(boto3.client("s3"), f"s3://{BUCKET}/nothing.out", "score", expected=1)
    boto3.client("s3").put_object(Bucket=BUCKET, Key="two.out", Body=b'{"score": 1}\n{"score": 2}\n')
    with pytest.raises(SageMakerJobFailed, match="2 scores for 3"):
        read_scores(boto3.client("s3"), f"s3://{BUCKET}/two.out", "score", expected=3)


def test_athena_unloads_the_training_pairs_with_bound_parameters(aws):
    create_athena_setup()
    engine = workbench.connect("athena", workgroup="workbench")
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    window = {"start": "2026-11-01", "end": "2026-11-07", "accounts": ["111122223333"], "regions": []}
    exported = export_pair_events(engine, window, f"s3://{BUCKET}/anomaly/t2/ipinsights/train/",
                                  s3=boto3.client("s3"))
    assert exported == {"uri": f"s3://{BUCKET}/anomaly/t2/ipinsights/train/", "compression": "Gzip", "how": "unload"}
    athena = boto3.client("athena")
    (execution_id,) = athena.list_query_executions()["QueryExecutionIds"]
    execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
    text = execution["Query"]
    assert text.startswith("UNLOAD (\nSELECT") and "-- name:" not in text
    assert text.endswith(f"TO 's3://{BUCKET}/anomaly/t2/ipinsights/train/'\n"
                         "WITH (format = 'TEXTFILE', field_delimiter = ',', compression = 'GZIP')")
    assert "2026-11-01" not in text and ":start" not in text and "?" in text  # values are bound, not formatted in
    assert execution["ExecutionParameters"] == ["'2026-11-01'", "'2026-11-07'", "ARRAY['111122223333']",
                                                "ARRAY['111122223333']", "CAST(ARRAY[] AS ARRAY(VARCHAR))",
                                                "CAST(ARRAY[] AS ARRAY(VARCHAR))"]
    assert execution["WorkGroup"] == "workbench"


def test_settings_come_from_the_stack_outputs(aws):
    template = {"Resources": {"Results": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": BUCKET}}},
                "Outputs": {"ResultsBucket": {"Value": BUCKET}, "ModelRoleArn": {"Value": ROLE}}}
    boto3.client("cloudformation").create_stack(StackName="wb", TemplateBody=json.dumps(template))
    got = SageMakerSettings.from_stack("wb", training_instance_type="ml.c5.xlarge")
    assert (got.role_arn, got.bucket, got.region, got.training_instance_type) == (ROLE, BUCKET, REGION, "ml.c5.xlarge")
    with pytest.raises(UsageError, match="no output"):
        boto3.client("cloudformation").create_stack(StackName="bare", TemplateBody=json.dumps(
            {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}))
        SageMakerSettings.from_stack("bare")


# -- real SageMaker (opt-in) ------------------------------------------------------------------


@pytest.mark.aws
def test_real_sagemaker_scores_the_sample(sample_org, window, truth):
    """Trains both algorithms and runs both batch transforms in a real account (costs a few cents,
    takes about 15 minutes)."""
    options = {"stack": os.environ.get("WORKBENCH_SAGEMAKER_STACK", "workbench"),
               "role_arn": os.environ.get("WORKBENCH_SAGEMAKER_ROLE"),
               "bucket": os.environ.get("WORKBENCH_SAGEMAKER_BUCKET")}
    with LocalEngine(sample_org) as engine:
        found = find_anomalies(engine, **window, model="sagemaker", sagemaker=options, say=print)
    assert found.ranked.score.notna().all() and found.pairs.ip_score.notna().any()
    planted = truth["by_kind"]["anomalous_principal"]["principal_arn"]
    assert planted in set(found.ranked.head(10).principal)
