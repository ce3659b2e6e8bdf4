"""The CloudFormation stack (infra/workbench.yaml) and its deploy step.

The template is linted (cfn-lint) and security-checked (checkov); its Glue tables must be
the package's own tables (workbench.aws.ddl.table_spec) for single-account and organisation
layouts; the prefixes their projection produces must be where the sample generator (and
AWS) put the files; the notebook's lifecycle script must pass shellcheck; and the deploy
step must package, upload and create or update the stack.
"""

import base64
import datetime as dt
import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.moto_aws import aws, aws_server  # noqa: F401 - fixtures of the upload test
from workbench.aws import deploy
from workbench.aws.cfn import TEMPLATE, load_template, parameter_values, resolve
from workbench.aws.ddl import table_spec
from workbench.cli import deploy as deploy_command
from workbench.cli import main
from workbench.errors import UsageError, WorkbenchError
from workbench.sample import generate
from workbench.sources import SOURCES, get_source
from workbench.words import parse_size

ROOT = Path(__file__).resolve().parents[1]
TABLES = {"cloudtrail": "CloudTrailTable", "vpcflow": "VpcFlowTable", "guardduty": "GuardDutyTable"}
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PSEUDO = {"AWS::AccountId": "210987654321", "AWS::Region": "eu-west-1"}

#: Parameter sets -> what table_spec() must be called with to describe the same tables.
LAYOUTS = {
    "single account": (
        {"LogBucket": "aws-cloudtrail-logs-111122223333", "Accounts": "111122223333", "Regions": "us-east-1"},
        {"bucket": "aws-cloudtrail-logs-111122223333", "accounts": ["111122223333"], "regions": ["us-east-1"]},
    ),
    "organisation trail under a prefix": (
        {"LogBucket": "org-logs", "LogPrefix": "trail/", "OrganizationId": "o-abcdefghij",
         "Accounts": "111122223333,444455556666", "Regions": "us-east-1,eu-west-1",
         "ProjectionStartDate": "2025/06/01", "DatabaseName": "org_logs"},
        {"bucket": "org-logs", "prefix": "trail/", "org_id": "o-abcdefghij", "accounts": ["111122223333", "444455556666"],
         "regions": ["us-east-1", "eu-west-1"], "start": "2025/06/01", "database": "org_logs"},
    ),
    "defaults: this account and region": (
        {"LogBucket": "logs"},
        {"bucket": "logs", "accounts": ["210987654321"], "regions": ["eu-west-1"]},
    ),
}


@pytest.fixture(scope="module")
def template():
    return load_template()


def tool(name: str) -> str:
    """A command-line tool installed by ``make install``: next to this interpreter, in the
    separate tool environment ``.tools/`` (checkov, whose pins clash with the dev extras), or on PATH."""
    for folder in (Path(sys.executable).parent, ROOT / ".tools" / "bin"):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; run: make install")
    return found


# -- linters ------------------------------------------------------------------------


@pytest.mark.slow
def test_cfn_lint_finds_no_errors():
    done = subprocess.run([tool("cfn-lint"), "--format", "json", str(TEMPLATE)], capture_output=True, text=True)
    matches = json.loads(done.stdout or "[]")
    errors = [f"{m['Rule']['Id']} {m['Message']} (line {m['Location']['Start']['LineNumber']})"
              for m in matches if m["Level"] == "Error"]
    assert not errors, "\n".join(errors)
    assert done.returncode in (0, 4, 8, 12), done.stderr  # 2 = errors; 4 = warnings, 8 = informational


@pytest.mark.slow
def test_checkov_fails_nothing_and_every_skip_is_explained_and_needed(template):
    done = subprocess.run(
        [tool("checkov"), "-f", str(TEMPLATE), "--framework", "cloudformation", "--skip-download", "-o", "json"],
        capture_output=True, text=True,
    )
    report = json.loads(done.stdout)
    results = report["results"]
    failed = [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in results["failed_checks"]]
    assert not failed, "\n".join(failed)
    assert report["summary"]["passed"] > 40
    declared = {}
    for name, body in template["Resources"].items():
        for skip in body.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert len(skip.get("comment", "")) > 40, f"{name} skips {skip['id']} without a written reason"
            declared[(name, skip["id"])] = skip["comment"]
    used = {(c["resource"].split(".")[-1], c["check_id"]) for c in results["skipped_checks"]}
    assert used == set(declared), "a skip must silence a check that would fail, and only those are skipped"


def lifecycle_script(**params) -> str:
    stack = resolve(load_template(), {"LogBucket": "logs", **params})
    content = stack["Resources"]["NotebookLifecycle"]["Properties"]["OnStart"][0]["Content"]
    return base64.b64decode(content).decode()


@pytest.mark.parametrize("params", [{"ArtifactBucket": "artifacts"}, {}, {"CodeRepository": "https://example.com/r.git"}])
def test_the_lifecycle_script_passes_shellcheck(params, tmp_path):
    script = lifecycle_script(**params)
    assert script.startswith("#!/bin/bash\n") and "${" not in script, "every template variable is resolved"
    assert len(script) < 16384, "SageMaker takes lifecycle scripts up to 16384 characters"
    path = tmp_path / "on-start.sh"
    path.write_text(script)
    done = subprocess.run([tool("shellcheck"), "--shell=bash", "--severity=style", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_notebook_is_pointed_at_this_stacks_athena():
    script = lifecycle_script(ArtifactBucket="artifacts", DatabaseName="org_logs", ArtifactPrefix="wb/")
    for line in ('DATABASE="org_logs"', 'WORKGROUP="workbench"', 'REGION="us-east-1"',
                 'ARTIFACTS="s3://artifacts/wb/"', 'EXTRAS="athena"'):
        assert line in script
    for name in ("WORKBENCH_ATHENA_DATABASE", "WORKBENCH_ATHENA_WORKGROUP", "WORKBENCH_ATHENA_REGION"):
        assert f'os.environ.setdefault("{name}"' in script and f"export {name}=" in script


def test_the_report_job_runs_the_report_command_on_athena(tmp_path):
    stack = resolve(load_template(), {"LogBucket": "logs", "ArtifactBucket": "artifacts"})
    project = stack["Resources"]["ReportProject"]["Properties"]
    env = {v["Name"]: v["Value"] for v in project["Environment"]["EnvironmentVariables"]}
    assert env["WORKBENCH_ATHENA_WORKGROUP"] == "workbench" and env["REPORTS"] == "s3://<ResultsBucket>/reports"
    spec = yaml.safe_load(project["Source"]["BuildSpec"])
    commands = spec["phases"]["install"]["commands"] + spec["phases"]["build"]["commands"]
    assert any(c.startswith("workbench report --engine athena") and '--out "$REPORTS/' in c for c in commands)
    path = tmp_path / "buildspec.sh"
    path.write_text("\n".join(commands) + "\n")
    done = subprocess.run([tool("shellcheck"), "--shell=sh", "--exclude=SC2148", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    schedule = stack["Resources"]["ReportSchedule"]["Properties"]["Target"]
    assert schedule["Arn"] == "arn:aws:scheduler:::aws-sdk:codebuild:startBuild"
    assert json.loads(schedule["Input"]) == {"ProjectName": "workbench-report"}


# -- the Glue tables are the package's tables ------------------------------------------


def serde(row_format: str) -> tuple[str, dict]:
    """Glue SerDe of an Athena ``ROW FORMAT`` clause."""
    match = re.fullmatch(r"SERDE '([^']+)'", row_format)
    if match:
        return match.group(1), {}
    match = re.fullmatch(r"DELIMITED FIELDS TERMINATED BY '(.)'", row_format)
    assert match, f"unexpected row format {row_format!r}"
    return "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", {"field.delim": match.group(1),
                                                                   "serialization.format": match.group(1)}


def columns_yaml(spec) -> str:
    return "\n".join(f"            - {{Name: {n}, Type: {t if re.fullmatch(r'[a-z]+', t) else json.dumps(t)}}}"
                     for n, t in spec.columns)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("source_name", sorted(SOURCES))
def test_glue_tables_equal_the_package_definitions(layout, source_name, template):
    params, spec_args = LAYOUTS[layout]
    stack = resolve(template, params, pseudo=PSEUDO)
    table = stack["Resources"][TABLES[source_name]]["Properties"]
    spec = table_spec(get_source(source_name), **spec_args)
    got = table["TableInput"]
    storage = got["StorageDescriptor"]
    assert table["DatabaseName"] == spec.database
    assert got["Name"] == spec.name and got["TableType"] == "EXTERNAL_TABLE"
    assert [(c["Name"], c["Type"]) for c in storage["Columns"]] == list(spec.columns), (
        f"the columns of {source_name} changed; in infra/workbench.yaml they should read:\n{columns_yaml(spec)}")
    assert [(p["Name"], p["Type"]) for p in got["PartitionKeys"]] == list(spec.partitions)
    assert got["Parameters"] == spec.properties
    assert storage["Location"] == spec.location
    assert storage["InputFormat"] == (spec.input_format or TEXT_INPUT)
    assert storage["OutputFormat"] == (spec.output_format or TEXT_OUTPUT)
    library, serde_params = serde(spec.row_format)
    assert storage["SerdeInfo"]["SerializationLibrary"] == library
    extra = {k: v for k, v in storage["SerdeInfo"].get("Parameters", {}).items() if k not in serde_params}
    assert {k: storage["SerdeInfo"]["Parameters"][k] for k in serde_params} == serde_params
    assert all(spec.properties.get(k) == v for k, v in extra.items()), "extra SerDe settings repeat table properties"


@pytest.fixture(scope="module", params=["o-abcdefghij", None], ids=["organisation", "single trails"])
def sample(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("infra-org")
    doc = generate(out, start=dt.date(2026, 11, 1), days=2, accounts=3, regions=("us-east-1", "eu-west-1"),
                   org_id=request.param, seed=3, scale=0.02)
    return out, doc["generator"]


@pytest.mark.parametrize("source_name", sorted(SOURCES))
def test_projection_produces_exactly_the_folders_the_files_are_in(sample, source_name, template):
    out, gen = sample
    source = get_source(source_name)
    real: dict[str, int] = {}
    for path in (out / "AWSLogs").rglob("*"):
        parts = source.parse_key(path.relative_to(out).as_posix()) if path.is_file() else None
        if parts:
            folder = f"s3://sample-logs/{path.parent.relative_to(out).as_posix()}/"
            real[folder] = real.get(folder, 0) + 1
    assert real, f"the sample has no {source_name} files"
    regions = sorted(set(gen["regions"]) | set(gen["cloudtrail_regions"]))
    params = {"LogBucket": "sample-logs", "OrganizationId": gen["org_id"] or "", "Accounts": ",".join(gen["accounts"]),
              "Regions": ",".join(regions), "ProjectionStartDate": gen["start"].replace("-", "/")}
    props = resolve(template, params)["Resources"][TABLES[source_name]]["Properties"]["TableInput"]["Parameters"]
    first, last = props["projection.day.range"].split(",")
    assert first == gen["start"].replace("-", "/") and last == "NOW"
    window = [dt.date.fromisoformat(gen["start"]) + dt.timedelta(days=i) for i in range(gen["days"])]
    produced = {}
    for account, region, day in itertools.product(props["projection.account.values"].split(","),
                                                  props["projection.region.values"].split(","), window):
        location = (props["storage.location.template"].replace("${account}", account)
                    .replace("${region}", region).replace("${day}", day.strftime("%Y/%m/%d")))
        produced[location + "/"] = source.key_prefix(account=account, region=region, day=day,
                                                     org_id=gen["org_id"])
    assert set(real) <= set(produced), f"files the projection cannot reach: {sorted(set(real) - set(produced))[:3]}"
    assert all(url == f"s3://sample-logs/{key}" for url, key in produced.items()), "projection = the source's key layout"
    org_in_key = gen["org_id"] is not None and source.org_trail
    assert all((f"/{gen['org_id']}/" in url) == org_in_key for url in produced)


# -- IAM, names and parameters -----------------------------------------------------------


def policy_documents(stack: dict):
    for name, body in stack["Resources"].items():
        props = body.get("Properties", {})
        if body["Type"] == "AWS::IAM::ManagedPolicy":
            yield name, props["PolicyDocument"]
        if body["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                yield f"{name}/{policy['PolicyName']}", policy["PolicyDocument"]


def test_iam_is_least_privilege_and_valid(template):
    stack = resolve(template, {"LogBucket": "logs", "ArtifactBucket": "artifacts",
                               "LogKmsKeyArns": "arn:aws:kms:us-east-1:111122223333:key/abcd"})
    documents = dict(policy_documents(stack))
    assert {"QueryPolicy", "UpkeepRole/upkeep", "ReportRole/report-job", "SchedulerRole/start-scheduled-work"} <= set(documents)
    for name, document in documents.items():
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert statement["Effect"] == "Allow"
            assert not [a for a in actions if "*" in a], f"{name}: wildcard action"
            assert "*" not in resources, f"{name}: every resource"
    query = {s.get("Sid"): s for s in documents["QueryPolicy"]["Statement"]}
    assert query["ReadLogFiles"]["Resource"] == "arn:aws:s3:::logs/AWSLogs/*"
    assert query["DecryptLogFiles"]["Resource"] == ["arn:aws:kms:us-east-1:111122223333:key/abcd"]
    assert query["RunQueriesInThisWorkgroup"]["Resource"].endswith(":workgroup/workbench")

    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():  # IAM's policy grammar, as moto checks it
        iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        for i, document in enumerate(documents.values()):
            iam.create_policy(PolicyName=f"p{i}", PolicyDocument=json.dumps(document))


def test_nothing_collides_across_stackset_instances(template):
    """IAM and S3 names are global: the stack sets none. Regional names carry the stack name."""
    named = {}
    for stack_name, account, region in (("StackSet-wb-1", "111111111111", "us-east-1"),
                                        ("StackSet-wb-2", "222222222222", "eu-west-1")):
        stack = resolve(template, {"LogBucket": "logs", "ArtifactBucket": "artifacts"},
                        pseudo={"AWS::StackName": stack_name, "AWS::AccountId": account, "AWS::Region": region})
        for name, body in stack["Resources"].items():
            props = body["Properties"]
            assert not {"RoleName", "ManagedPolicyName", "BucketName", "NotebookInstanceName", "FunctionName",
                        "NotebookInstanceLifecycleConfigName"} & set(props), name
            for key in ("Name", "LogGroupName"):
                if isinstance(props.get(key), str):
                    assert stack_name in props[key], f"{name}.{key} does not carry the stack name"
                    named.setdefault(name, set()).add(props[key])
    assert named and all(len(values) == 2 for values in named.values())


@pytest.mark.parametrize("path", sorted((ROOT / "infra" / "parameters").glob("*.json")), ids=lambda p: p.name)
def test_parameter_examples_fit_the_template(path, template):
    given = {p["ParameterKey"]: p["ParameterValue"] for p in json.loads(path.read_text())}
    values = parameter_values(template, given)
    assert values["LogBucket"] and values["Accounts"]


def test_bad_parameters_are_refused_before_aws_is_called(template):
    for bad in ({"LogBucket": "logs", "Accounts": "1234"}, {"LogBucket": "logs", "OrganizationId": "org-1"},
                {"LogBucket": "logs", "LogPrefix": "/x"}, {"LogBucket": "logs", "Bogus": "1"},
                {"LogBucket": "logs", "BytesScannedCutoffPerQuery": "1000"}, {}):
        with pytest.raises(ValueError):
            parameter_values(template, bad)


def test_outputs_name_what_a_user_needs(template):
    outputs = resolve(template, {"LogBucket": "logs", "ArtifactBucket": "artifacts"})["Outputs"]
    assert {"NotebookUrl", "WorkGroup", "Database", "Tables", "QueryPolicyArn", "ReportsLocation"} <= set(outputs)
    assert outputs["Tables"] == "cloudtrail,vpcflow,guardduty"
    bare = resolve(template, {"LogBucket": "logs", "CreateNotebook": "false"})
    assert "Notebook" not in bare["Resources"] and "UpkeepFunction" not in bare["Resources"]  # no code uploaded
    assert {"CloudTrailTable", "WorkGroup", "QueryPolicy"} <= set(bare["Resources"])


# -- the deploy step -------------------------------------------------------------------------


def parse(*argv):
    import argparse

    return deploy_command.add_arguments(argparse.ArgumentParser()).parse_args(
        ["--stack", "wb", "--log-bucket", "logs", "--artifact-bucket", "art", *argv])


def test_options_become_template_parameters():
    args = parse("--org-id", "o-abcdefghij", "--log-prefix", "/trail", "--start", "2025-01-31",
                 "--scan-cutoff", "10G", "--no-reports", "--parameter", "NotebookVolumeSizeGB=50")
    assert deploy_command.stack_parameters(args) == {
        "LogBucket": "logs", "OrganizationId": "o-abcdefghij", "LogPrefix": "trail/", "ProjectionStartDate": "2025/01/31",
        "BytesScannedCutoffPerQuery": str(10 * 1024**3), "CreateScheduledReports": "false", "NotebookVolumeSizeGB": "50",
    }
    assert parse_size("500MiB") == 500 * 1024**2 and parse_size("1000") == 1000
    with pytest.raises(UsageError):
        parse_size("lots")


def test_dry_run_checks_parameters_without_aws(capsys):
    assert main(["deploy", "--stack", "wb", "--log-bucket", "logs", "--artifact-bucket", "art", "--dry-run"]) == 0
    assert "CodeVersion=" in capsys.readouterr().out
    assert main(["deploy", "--stack", "wb", "--log-bucket", "logs", "--artifact-bucket", "art", "--accounts", "12",
                        "--dry-run"]) == 2
    assert "Accounts='12' does not match" in capsys.readouterr().err


def test_the_lambda_zip_is_reproducible():
    import io
    import zipfile

    first, second = deploy.lambda_zip(), deploy.lambda_zip()
    assert first == second
    assert zipfile.ZipFile(io.BytesIO(first)).namelist() == ["upkeep.py"]


class FakeCloudFormation:
    """Records create/update calls; the stack is complete at once."""

    def __init__(self, existing=None, *, no_change=False):
        self.stack, self.no_change, self.calls = existing, no_change, []

    def describe_stacks(self, StackName):
        from botocore.exceptions import ClientError

        if self.stack is None:
            raise ClientError({"Error": {"Code": "ValidationError", "Message": f"Stack with id {StackName} does not exist"}},
                              "DescribeStacks")
        return {"Stacks": [self.stack]}

    def _store(self, kind, kwargs):
        from botocore.exceptions import ClientError

        self.calls.append((kind, kwargs))
        if self.no_change:
            raise ClientError({"Error": {"Code": "ValidationError", "Message": "No updates are to be performed."}},
                              "UpdateStack")
        self.stack = {"StackStatus": "CREATE_COMPLETE", "Parameters": kwargs["Parameters"],
                      "Outputs": [{"OutputKey": "WorkGroup", "OutputValue": kwargs["StackName"]}]}

    def create_stack(self, **kwargs):
        self._store("create", kwargs)

    def update_stack(self, **kwargs):
        self._store("update", kwargs)

    def get_waiter(self, name):
        return type("Waiter", (), {"wait": lambda self, **kw: None})()


def test_create_then_update_keeps_parameters_not_given():
    body = TEMPLATE.read_text()
    cfn = FakeCloudFormation()
    assert deploy.apply_stack(cfn, "wb", body, {"LogBucket": "logs", "Accounts": "111122223333"}, say=lambda _: None) \
        == {"WorkGroup": "wb"}
    kind, first = cfn.calls[-1]
    assert kind == "create" and first["Capabilities"] == ["CAPABILITY_IAM"] and "TemplateBody" in first
    deploy.apply_stack(cfn, "wb", body, {"LogBucket": "logs"}, say=lambda _: None)
    kind, second = cfn.calls[-1]
    assert kind == "update"
    assert {"ParameterKey": "Accounts", "UsePreviousValue": True} in second["Parameters"]
    assert {"ParameterKey": "LogBucket", "ParameterValue": "logs"} in second["Parameters"]
    said = []
    deploy.apply_stack(FakeCloudFormation(cfn.stack, no_change=True), "wb", body, {"LogBucket": "logs"}, say=said.append)
    assert said == ["stack wb is up to date"]
    with pytest.raises(WorkbenchError, match="ROLLBACK_COMPLETE"):
        deploy.apply_stack(FakeCloudFormation({"StackStatus": "ROLLBACK_COMPLETE"}), "wb", body, {}, say=print)


def test_upload_puts_the_code_where_the_stack_looks(aws, tmp_path):
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="art")
    s3.put_object(Bucket="art", Key="wb/wheels/workbench-0.0.9-py3-none-any.whl", Body=b"old")
    wheel = tmp_path / "workbench-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"wheel")
    outputs = deploy.deploy("wb", {"LogBucket": "logs"}, artifact_bucket="art", artifact_prefix="wb",
                            wheel=wheel, upload_only=True, say=lambda _: None)
    version = outputs["CodeVersion"]
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="art")["Contents"]}
    assert f"wb/lambda/upkeep-{version}.zip" in keys and "wb/wheels/workbench-0.1.0-py3-none-any.whl" in keys
    assert "wb/wheels/workbench-0.0.9-py3-none-any.whl" not in keys, "an older wheel would confuse pip"
    stack = resolve(load_template(), {"LogBucket": "logs", "ArtifactBucket": "art", "ArtifactPrefix": "wb/",
                                      "CodeVersion": version})
    code = stack["Resources"]["UpkeepFunction"]["Properties"]["Code"]
    assert code == {"S3Bucket": "art", "S3Key": f"wb/lambda/upkeep-{version}.zip"}
    assert s3.get_object(Bucket="art", Key=code["S3Key"])["Body"].read() == deploy.lambda_zip()

