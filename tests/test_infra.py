"""The CloudFormation stack (infra/workbench.yaml) and its deploy step.

The template is linted (cfn-lint) and security-checked (checkov); its Glue tables must be
the package's own tables (workbench.aws.ddl.table_spec) for single-account and organisation
layouts; the prefixes their projection produces must be where the sample generator (and
AWS) put the files; the notebook's lifecycle script must pass shellcheck; and the deploy
step must package, upload and create or update the stack.
"""

import base64
import datetime as dt
import hashlib
import itertools
import json
import os
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
TABLES = {"cloudtrail": "CloudTrailTable", "vpcflow": "VpcFlowTable", "guardduty": "GuardDutyTable", "alb": "AlbTable",
          "waf": "WafTable",
          "alb_connections": "AlbConnectionsTable", "nlb": "NlbTable", "clb": "ClbTable",
          "cloudfront": "CloudFrontTable", "resolver": "ResolverTable", "s3access": "S3AccessTable"}
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PSEUDO = {"AWS::AccountId": "210987654321", "AWS::Region": "eu-west-1"}
#: A notebook has no direct internet access unless asked: a stack with a notebook names its subnet.
NETWORK = {"SubnetId": "subnet-0123456789abcdef0"}

#: Parameter sets -> what table_spec() must be called with to describe the same tables.
LAYOUTS = {
    "single account": (
        {"LogBucket": "aws-cloudtrail-logs-111122223333", "Accounts": "111122223333", "Regions": "us-east-1"},
        {"bucket": "aws-cloudtrail-logs-111122223333", "accounts": ["111122223333"], "regions": ["us-east-1"]},
    ),
    "organisation trail under a prefix": (
        {"LogBucket": "org-logs", "LogPrefix": "trail/", "OrganizationId": "o-abcdefghij",
         "Accounts": "111122223333,444455556666", "Regions": "us-east-1,eu-west-1",
         "ProjectionStartDate": "2025/06/01", "DatabaseName": "org_logs", "WebAcls": "shop-web-acl,edge-acl",
         "Distributions": "E2QWRUHEXAMPLE,EMLARXS9EXAMPLE", "ResolverVpcs": "vpc-0123456789abcdef0,vpc-0a1b2c3d",
         "S3AccessBuckets": "shop-data-1a2b3c4d,logs.example.com"},
        {"bucket": "org-logs", "prefix": "trail/", "org_id": "o-abcdefghij", "accounts": ["111122223333", "444455556666"],
         "regions": ["us-east-1", "eu-west-1"], "start": "2025/06/01", "database": "org_logs"},
    ),
    "defaults: this account and region": (
        {"LogBucket": "logs"},
        {"bucket": "logs", "accounts": ["210987654321"], "regions": ["eu-west-1"]},
    ),
    "Hive-compatible flow log and CloudFront prefixes": (
        {"LogBucket": "logs", "LogPrefix": "edge/", "FlowLogPaths": "hive", "CloudFrontPaths": "hive",
         "Distributions": "EMLARXS9EXAMPLE"},
        {"bucket": "logs", "prefix": "edge/", "accounts": ["210987654321"], "regions": ["eu-west-1"],
         "hive": ["vpcflow", "cloudfront"]},
    ),
    "WAF logs in their own bucket": (
        {"LogBucket": "logs", "LogPrefix": "trail/", "WafLogBucket": "aws-waf-logs-shop", "WebAcls": "shop-web-acl"},
        {"bucket": "logs", "prefix": "trail/", "accounts": ["210987654321"], "regions": ["eu-west-1"]},
    ),
}


def spec_arguments(source_name: str, params: dict, spec_args: dict) -> dict:
    """What table_spec() is called with for one table of a stack with ``params``: the WAF table
    reads its own bucket when there is one, and projects a placeholder web ACL until one is named
    (CloudFront's a placeholder distribution, Resolver's a placeholder VPC, the S3 server access logs' a
    placeholder bucket)."""
    scopes = {"waf": params.get("WebAcls") or "none", "cloudfront": params.get("Distributions") or "NONE",
              "resolver": params.get("ResolverVpcs") or "vpc-00000000", "s3access": params.get("S3AccessBuckets") or "none"}
    args = {**spec_args, "scopes": scopes.get(source_name, "none").split(",")}
    args["hive"] = source_name in args.get("hive", ())
    if source_name == "waf" and params.get("WafLogBucket"):
        args.update(bucket=params["WafLogBucket"], prefix="")
    return args


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
    stack = resolve(load_template(), {**NETWORK, "LogBucket": "logs", **params})
    content = stack["Resources"]["NotebookLifecycle"]["Properties"]["OnStart"][0]["Content"]
    return base64.b64decode(content).decode()


@pytest.mark.parametrize("params", [{"ArtifactBucket": "artifacts"}, {}, {"CodeRepository": "https://example.com/r.git"}])
def test_the_lifecycle_script_passes_shellcheck(params, tmp_path):
    script = lifecycle_script(**params)
    assert script.startswith("#!/bin/bash\n") and not re.search(r"\$\{[A-Za-z0-9:.]+\}", script), (
        "every template variable is resolved")
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


def user_part(script: str) -> tuple[str, str]:
    """The lifecycle script split in two: the ``user_part`` function (run as the notebook user)
    and everything else (run as root)."""
    start = script.index("\nuser_part() {\n") + 1
    end = script.index("\n}\n", start) + 3
    return script[start:end], script[:start] + script[end:]


def test_root_writes_nothing_in_the_notebook_users_home():
    """As root, the script writes one root-owned file; all else happens as the user, so a link the
    user plants in their home cannot make root overwrite a root-owned file."""
    script = lifecycle_script(ArtifactBucket="artifacts", CodeRepository="https://example.com/r.git")
    function, as_root = user_part(script)
    assert "chown" not in script and "sudo" not in function
    redirections = re.findall(r"(?<![0-9&])>\s*(\S+)", as_root)
    assert redirections == ["/etc/profile.d/workbench.sh"], redirections
    for verb in ("mkdir", "cp ", "mv ", "ln ", "rm ", "tee", "install ", "aws ", "pip", "touch"):
        assert not [line for line in as_root.splitlines() if line.strip().startswith(verb)], f"root runs {verb}"
    run = [line for line in as_root.splitlines() if "user_part" in line and not line.startswith("user_part")]
    assert run and run[-1].strip() == 'bash -c "$(declare -f user_part); user_part"'
    assert 'sudo -H -u "$NB_USER" -- env' in as_root and "NB_USER=ec2-user" in as_root


def fake_wheel(folder: Path, name: str, version: str, *, requires=(), extras=(), payload: str = "") -> Path:
    """A minimal pure-Python wheel of ``name`` (PEP 427), importable as ``name`` with underscores."""
    import zipfile

    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                + "".join(f"Provides-Extra: {e}\n" for e in extras)
                + "".join(f"Requires-Dist: {r}\n" for r in requires))
    files = {f"{dist}/__init__.py": f"VERSION = {version!r}\n{payload}", f"{info}/METADATA": metadata,
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name_in, text in files.items():
            archive.writestr(zipfile.ZipInfo(name_in, date_time=(1980, 1, 1, 0, 0, 0)), text)
    return path


def test_a_lock_pins_every_wheel_by_version_and_hash(tmp_path):
    ours = fake_wheel(tmp_path, "aws-security-log-workbench", "0.2.0", requires=["demo-dependency==1.0"])
    dep = fake_wheel(tmp_path, "demo-dependency", "1.0")
    lock = deploy.lock_text([ours, dep], extras="athena").splitlines()
    assert lock == [f"aws-security-log-workbench[athena]==0.2.0 --hash=sha256:{hashlib.sha256(ours.read_bytes()).hexdigest()}",
                    f"demo-dependency==1.0 --hash=sha256:{hashlib.sha256(dep.read_bytes()).hexdigest()}"]
    (tmp_path / "other").mkdir()
    newer = fake_wheel(tmp_path / "other", "demo-dependency", "2.0")
    with pytest.raises(WorkbenchError, match="two versions of demo-dependency"):
        deploy.lock_text([ours, dep, newer])
    assert deploy.lock_name("3.10") == "requirements-py310.txt" and deploy.REPORT_PYTHON in deploy.TARGET_PYTHONS


@pytest.mark.slow
def test_the_notebook_installs_the_wheelhouse_by_hash_and_nothing_else(tmp_path):
    """The lifecycle script's user part, run for real: a stub ``aws`` serves a folder as the
    artifact bucket, pip installs into a fresh virtual environment, offline."""
    home, bucket, env_dir = tmp_path / "home", tmp_path / "s3" / "art" / "wb", tmp_path / "env"
    (home / "SageMaker").mkdir(parents=True)
    (home / "anaconda3" / "bin").mkdir(parents=True)
    aws_stub = home / "anaconda3" / "bin" / "aws"
    aws_stub.write_text(f"""#!/bin/bash
# aws s3 sync|cp [--quiet] [--delete] [--recursive] s3://SRC DST, served from {tmp_path / 's3'}
set -euo pipefail
words=()
for a in "$@"; do case "$a" in --*) ;; *) words+=("$a");; esac; done
src="{tmp_path / 's3'}/${{words[2]#s3://}}"; dst="${{words[3]}}"
[ -d "$src" ] || exit 1
[ "${{words[1]}}" = sync ] && rm -rf "$dst"
mkdir -p "$dst" && cp -r "$src/." "$dst/"
""")
    aws_stub.chmod(0o755)
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"

    def wheelhouse(*, drop: str = "", payload: str = "") -> str:
        """Upload a complete wheelhouse as the deploy step does; returns its PackageSha256."""
        built = tmp_path / "built"
        shutil.rmtree(built, ignore_errors=True)
        built.mkdir()
        wheels = [fake_wheel(built, "aws-security-log-workbench", "0.2.0", extras=["athena"],
                             requires=["demo-dependency==1.0", 'demo-extra==1.0; extra == "athena"']),
                  fake_wheel(built, "demo-dependency", "1.0", payload=payload), fake_wheel(built, "demo-extra", "1.0")]
        pack = deploy.Package(lambda_zip=b"", version="v", wheels=[w for w in wheels if drop not in w.name or not drop],
                              complete=True, locks={deploy.lock_name(python): deploy.lock_text(
                                  [w for w in wheels if drop not in w.name or not drop], extras="athena")})
        shutil.rmtree(bucket, ignore_errors=True)
        (bucket / "wheels").mkdir(parents=True)
        for name, body in pack.files().items():
            (bucket / "wheels" / name).write_bytes(body)
        (bucket / "wheels" / deploy.CHECKSUMS).write_bytes(pack.checksums())
        return pack.sha256

    function, _ = user_part(lifecycle_script(ArtifactBucket="art", ArtifactPrefix="wb/"))

    def start(pinned: str):
        env = {"PATH": os.environ["PATH"], "USER_HOME": str(home), "PY_ENV": str(env_dir), "REGION": "eu-west-1",
               "DATABASE": "org_logs", "WORKGROUP": "wb", "ARTIFACTS": "s3://art/wb/", "EXTRAS": "athena",
               "PACKAGE_SHA256": pinned, "INDEX_URL": "", "WAIT_STEPS": "60"}
        done = subprocess.run(["bash", "-c", f"{function}\nuser_part"], env=env, capture_output=True, text=True,
                              timeout=400)
        assert done.returncode == 0, done.stderr
        installed = subprocess.run([str(env_dir / "bin" / "python"), "-c", "import aws_security_log_workbench, demo_extra"],
                                   capture_output=True).returncode == 0
        log = home / "SageMaker" / ".workbench" / "install.log"
        return done.stderr, installed, log.read_text() if log.exists() else ""

    pinned = wheelhouse()
    tampered = bucket / "wheels" / "demo_dependency-1.0-py3-none-any.whl"
    tampered.write_bytes(tampered.read_bytes() + b"\0")
    said, installed, _ = start(pinned)
    assert "does not match SHA256SUMS" in said and not installed, "a changed wheel is not installed"

    wheelhouse(payload="import os  # someone else's code\n")
    said, installed, _ = start(pinned)
    assert "not the one this stack was deployed with" in said and not installed, (
        "a wheelhouse rewritten with a consistent SHA256SUMS is refused: the stack pins its hash")

    pinned = wheelhouse(drop="demo_extra")
    said, installed, log = start(pinned)
    assert not installed and "demo-extra" in log.lower().replace("_", "-"), (
        "a dependency missing from the wheelhouse is not fetched from any index")

    pinned = wheelhouse()
    said, installed, log = start(pinned)
    assert installed, said + log
    startup = (home / ".ipython" / "profile_default" / "startup" / "00-workbench.py").read_text()
    assert 'os.environ.setdefault("WORKBENCH_ATHENA_DATABASE", "org_logs")' in startup


def test_the_notebook_has_no_direct_internet_access_unless_asked(template):
    inside = resolve(template, {"LogBucket": "logs", "SubnetId": "subnet-0123456789abcdef0"})
    assert inside["Resources"]["Notebook"]["Properties"]["DirectInternetAccess"] == "Disabled"
    with pytest.raises(ValueError, match="NotebookWithoutInternetNeedsASubnet"):
        resolve(template, {"LogBucket": "logs"})
    opened = resolve(template, {"LogBucket": "logs", "NotebookDirectInternetAccess": "Enabled"})
    assert opened["Resources"]["Notebook"]["Properties"]["DirectInternetAccess"] == "Enabled"
    assert "Notebook" not in resolve(template, {"LogBucket": "logs", "CreateNotebook": "false"})["Resources"]


def test_the_report_job_runs_the_report_command_on_athena(tmp_path):
    stack = resolve(load_template(), {**NETWORK, "LogBucket": "logs", "ArtifactBucket": "artifacts"})
    project = stack["Resources"]["ReportProject"]["Properties"]
    env = {v["Name"]: v["Value"] for v in project["Environment"]["EnvironmentVariables"]}
    assert env["WORKBENCH_ATHENA_WORKGROUP"] == "workbench" and env["REPORTS"] == "s3://<ResultsBucket>/reports"
    spec = yaml.safe_load(project["Source"]["BuildSpec"])
    commands = spec["phases"]["install"]["commands"] + spec["phases"]["build"]["commands"]
    assert any(c.startswith("workbench report --engine athena") and '--out "$REPORTS/' in c for c in commands)
    script = "\n".join(commands)
    assert "workbench[" not in script, "pip must never be asked for the name an unrelated package holds"
    assert "--require-hashes" in script and "--no-index" in script and "sha256sum --check" in script
    assert env["PACKAGE_SHA256"] == "" and env["INDEX_URL"] == ""
    assert f"python: {deploy.REPORT_PYTHON}" in project["Source"]["BuildSpec"], "the report job's Python has a lock"
    path = tmp_path / "buildspec.sh"
    path.write_text("\n".join(commands) + "\n")
    done = subprocess.run([tool("shellcheck"), "--shell=sh", "--exclude=SC2148", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    schedule = stack["Resources"]["ReportSchedule"]["Properties"]["Target"]
    assert schedule["Arn"] == "arn:aws:scheduler:::aws-sdk:codebuild:startBuild"
    assert json.loads(schedule["Input"]) == {"ProjectName": "workbench-report"}


# -- the Glue tables are the package's tables ------------------------------------------


def serde(row_format: str, properties: dict | None = None) -> tuple[str, dict]:
    """Glue SerDe of an Athena ``ROW FORMAT`` clause and its ``SERDEPROPERTIES``."""
    match = re.fullmatch(r"SERDE '([^']+)'", row_format)
    if match:
        return match.group(1), dict(properties or {})
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
    stack = resolve(template, {**NETWORK, **params}, pseudo=PSEUDO)
    table = stack["Resources"][TABLES[source_name]]["Properties"]
    spec = table_spec(get_source(source_name), **spec_arguments(source_name, params, spec_args))
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
    library, serde_params = serde(spec.row_format, spec.serde_properties)
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
    scopes_found = set()  # CloudFront's distributions, Resolver's VPCs, the buckets of S3 server access logs
    for path in out.rglob("*"):  # AWSLogs/ and, beside it, s3-access-logs/
        parts = source.parse_key(path.relative_to(out).as_posix()) if path.is_file() else None
        if parts:
            folder = f"s3://sample-logs/{path.parents[source.time_folders].relative_to(out).as_posix()}/"
            real[folder] = real.get(folder, 0) + 1
            scopes_found.add(parts["scope"])
    assert real, f"the sample has no {source_name} files"
    regions = sorted(set(gen["regions"]) | set(gen["cloudtrail_regions"]))
    params = {**NETWORK, "LogBucket": "sample-logs", "OrganizationId": gen["org_id"] or "", "Accounts": ",".join(gen["accounts"]),
              "Regions": ",".join(regions), "ProjectionStartDate": gen["start"].replace("-", "/"),
              "WebAcls": "shop-web-acl",
              "Distributions": ",".join(sorted(scopes_found)) if source.name == "cloudfront" else "",
              "ResolverVpcs": ",".join(sorted(scopes_found)) if source.name == "resolver" else "",
              "S3AccessBuckets": ",".join(sorted(scopes_found)) if source.name == "s3access" else ""}
    props = resolve(template, params)["Resources"][TABLES[source_name]]["Properties"]["TableInput"]["Parameters"]
    first, last = props["projection.day.range"].split(",")
    assert first == gen["start"].replace("-", "/") and last == "NOW"
    window = [dt.date.fromisoformat(gen["start"]) + dt.timedelta(days=i) for i in range(gen["days"])]
    produced = {}
    scopes = props[f"projection.{source.scope_partition}.values"].split(",") if source.scope_partition else [None]
    regions = props["projection.region.values"].split(",") if source.regional else [""]
    assert source.regional == ("${region}" in props["storage.location.template"])
    for account, region, scope, day in itertools.product(props["projection.account.values"].split(","),
                                                         regions, scopes, window):
        location = (props["storage.location.template"].replace("${account}", account)
                    .replace("${region}", region).replace("${day}", day.strftime("%Y/%m/%d")))
        if scope:
            location = location.replace("${" + source.scope_partition + "}", scope)
        produced[location + "/"] = source.key_prefix(account=account, region=region, day=day,
                                                     org_id=gen["org_id"], scope=scope)
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
    stack = resolve(template, {**NETWORK, "LogBucket": "logs", "ArtifactBucket": "artifacts",
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
    folders = sorted({get_source(name).service_folder for name in SOURCES if get_source(name).awslogs}
                     | {"CloudTrail-Digest"})
    own = sorted(s.service_folder for s in SOURCES.values() if not s.awslogs)  # beside AWSLogs/: s3-access-logs
    assert own == ["s3-access-logs"]
    assert sorted(query["ReadLogFiles"]["Resource"]) == sorted(
        [f"arn:aws:s3:::logs/AWSLogs/*/{f}/*" for f in folders] + [f"arn:aws:s3:::logs/{f}/*" for f in own]), (
        "logs are read only from the folders of the sources (and CloudTrail's digests)")
    listed = query["ListLogFolders"]["Condition"]["StringLike"]["s3:prefix"]
    assert not [p for p in listed if p.endswith("AWSLogs/*")], "listing stops at the source folders"
    assert [f"{f}/*" for f in own] == [p for p in listed if not p.startswith("AWSLogs/")], (
        "outside AWSLogs/, only the folders of the sources that are not under it are listed")
    upkeep_listed = next(s for s in documents["UpkeepRole/upkeep"]["Statement"] if s.get("Sid") == "ListLogFolders")
    assert set(listed) - {"AWSLogs/*/CloudTrail-Digest/*"} == set(
        upkeep_listed["Condition"]["StringLike"]["s3:prefix"]), "the upkeep Lambda lists the folders the tables read"
    assert query["DecryptLogFiles"]["Resource"] == ["arn:aws:kms:us-east-1:111122223333:key/abcd"]
    assert query["RunQueriesInThisWorkgroup"]["Resource"].endswith(":workgroup/workbench")
    separate = resolve(template, {**NETWORK, "LogBucket": "logs", "ArtifactBucket": "artifacts",
                                  "WafLogBucket": "aws-waf-logs-shop"})
    own = {s.get("Sid"): s for s in dict(policy_documents(separate))["QueryPolicy"]["Statement"]}
    assert "arn:aws:s3:::aws-waf-logs-shop/AWSLogs/*/WAFLogs/*" in own["ReadLogFiles"]["Resource"]
    assert not [r for r in own["ReadLogFiles"]["Resource"] if r.startswith("arn:aws:s3:::logs/") and "WAFLogs" in r]
    assert own["ListWafLogFolders"]["Resource"] == "arn:aws:s3:::aws-waf-logs-shop"
    upkeep_listing = [s for s in dict(policy_documents(separate))["UpkeepRole/upkeep"]["Statement"]
                      if s.get("Sid") == "ListWafLogFolders"]
    assert upkeep_listing and upkeep_listing[0]["Resource"] == "arn:aws:s3:::aws-waf-logs-shop"

    moto = pytest.importorskip("moto")
    import boto3

    results = "arn:aws:stack:us-east-1:123456789012:ResultsBucket/"
    writes = {}
    for name, document in documents.items():
        for s in document["Statement"]:
            if "s3:PutObject" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]):
                for r in s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]:
                    if r.startswith(results):
                        writes.setdefault(name, set()).add(r[len(results):])
    assert writes == {"QueryPolicy": {"athena/*"}, "ModelPolicy": {"anomaly/*"}, "ModelRole/anomaly-jobs": {"anomaly/*"},
                      "ReportRole/report-job": {"reports/*"}}, "only the report job writes published reports"
    bucket_policy = stack["Resources"]["ResultsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    deny = next(s for s in bucket_policy if s.get("Sid") == "OnlyTheReportJobWritesReports")
    assert deny["Effect"] == "Deny" and deny["Resource"].endswith("/reports/*")
    assert deny["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == "arn:aws:stack:us-east-1:123456789012:ReportRole"
    trust = stack["Resources"]["NotebookRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"] == "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/*"

    with moto.mock_aws():  # IAM's policy grammar, as moto checks it
        iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        for i, document in enumerate(documents.values()):
            iam.create_policy(PolicyName=f"p{i}", PolicyDocument=json.dumps(document))


def test_nothing_collides_across_stackset_instances(template):
    """IAM and S3 names are global: the stack sets none. Regional names carry the stack name."""
    named = {}
    for stack_name, account, region in (("StackSet-wb-1", "111111111111", "us-east-1"),
                                        ("StackSet-wb-2", "222222222222", "eu-west-1")):
        stack = resolve(template, {**NETWORK, "LogBucket": "logs", "ArtifactBucket": "artifacts"},
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
                {"LogBucket": "logs", "BytesScannedCutoffPerQuery": "1000"}, {"LogBucket": "logs", "ResolverVpcs": "vpc-1"},
                {"LogBucket": "logs", "ResolverVpcs": "vpc-0123456789abcdef0,"},
                {"LogBucket": "logs", "S3AccessBuckets": "Shop_Data"}, {"LogBucket": "logs", "S3AccessBuckets": "ab"}, {}):
        with pytest.raises(ValueError):
            parameter_values(template, bad)


def test_outputs_name_what_a_user_needs(template):
    outputs = resolve(template, {**NETWORK, "LogBucket": "logs", "ArtifactBucket": "artifacts"})["Outputs"]
    assert {"NotebookUrl", "WorkGroup", "Database", "Tables", "QueryPolicyArn", "ReportsLocation"} <= set(outputs)
    assert outputs["Tables"] == ",".join(SOURCES)
    bare = resolve(template, {**NETWORK, "LogBucket": "logs", "CreateNotebook": "false"})
    assert "Notebook" not in bare["Resources"] and "UpkeepFunction" not in bare["Resources"]  # no code uploaded
    assert {"CloudTrailTable", "WorkGroup", "QueryPolicy"} <= set(bare["Resources"])


# -- the deploy step -------------------------------------------------------------------------


def parse(*argv):
    import argparse

    return deploy_command.add_arguments(argparse.ArgumentParser()).parse_args(
        ["--stack", "wb", "--log-bucket", "logs", "--artifact-bucket", "art", *argv])


def test_options_become_template_parameters():
    args = parse("--org-id", "o-abcdefghij", "--log-prefix", "/trail", "--start", "2025-01-31",
                 "--scan-cutoff", "10G", "--no-reports", "--parameter", "NotebookVolumeSizeGB=50",
                 "--hive-paths", "cloudfront", "--vpcs", "vpc-0123456789abcdef0", "--buckets", "shop-data,logs.example.com")
    assert deploy_command.stack_parameters(args) == {
        "LogBucket": "logs", "OrganizationId": "o-abcdefghij", "LogPrefix": "trail/", "ProjectionStartDate": "2025/01/31",
        "BytesScannedCutoffPerQuery": str(10 * 1024**3), "CreateScheduledReports": "false", "NotebookVolumeSizeGB": "50",
        "CloudFrontPaths": "hive", "ResolverVpcs": "vpc-0123456789abcdef0", "S3AccessBuckets": "shop-data,logs.example.com",
    }
    with pytest.raises(UsageError, match="vpcflow and cloudfront only"):
        deploy_command.stack_parameters(parse("--hive-paths", "cloudtrail"))
    assert parse_size("500MiB") == 500 * 1024**2 and parse_size("1000") == 1000
    with pytest.raises(UsageError):
        parse_size("lots")


def test_dry_run_checks_parameters_without_aws(capsys):
    base = ["deploy", "--stack", "wb", "--log-bucket", "logs", "--artifact-bucket", "art", "--dry-run"]
    assert main(base) == 2, "a notebook without internet access needs a subnet"
    err = capsys.readouterr().err
    assert "NotebookWithoutInternetNeedsASubnet" in err and "SubnetId" in err and "NotebookDirectInternetAccess" in err
    assert main([*base, "--subnet", "subnet-0123456789abcdef0"]) == 0
    assert "CodeVersion=" in capsys.readouterr().out
    assert main([*base, "--notebook-internet"]) == 0
    assert "NotebookDirectInternetAccess=Enabled" in capsys.readouterr().out
    assert main([*base, "--no-notebook"]) == 0
    capsys.readouterr()
    assert main(["deploy", "--stack", "wb", "--log-bucket", "logs", "--artifact-bucket", "art", "--accounts", "12",
                 "--no-notebook", "--dry-run"]) == 2
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
    s3.put_object(Bucket="art", Key="wb/wheels/aws_security_log_workbench-0.0.9-py3-none-any.whl", Body=b"old")
    s3.put_object(Bucket="art", Key="wb/wheels/workbench-9.9.9-py3-none-any.whl", Body=b"not ours")
    wheel = tmp_path / "aws_security_log_workbench-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"wheel")
    outputs = deploy.deploy("wb", {"LogBucket": "logs"}, artifact_bucket="art", artifact_prefix="wb",
                            wheel=wheel, with_dependencies=False, upload_only=True, say=lambda _: None)
    version = outputs["CodeVersion"]
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="art")["Contents"]}
    assert f"wb/lambda/upkeep-{version}.zip" in keys
    assert {k for k in keys if k.startswith("wb/wheels/")} == {
        "wb/wheels/aws_security_log_workbench-0.1.0-py3-none-any.whl", "wb/wheels/SHA256SUMS"}, (
        "only this deploy's files: an older wheel, or anyone else's, would confuse pip")
    sums = s3.get_object(Bucket="art", Key="wb/wheels/SHA256SUMS")["Body"].read()
    assert sums == f"{hashlib.sha256(b'wheel').hexdigest()}  aws_security_log_workbench-0.1.0-py3-none-any.whl\n".encode()
    assert outputs["PackageSha256"] == hashlib.sha256(sums).hexdigest()
    with pytest.raises(UsageError, match="not a wheel of aws-security-log-workbench"):
        deploy.deploy("wb", {"LogBucket": "logs"}, artifact_bucket="art", wheel=tmp_path / "workbench-1.0-py3-none-any.whl",
                      with_dependencies=False, upload_only=True, say=lambda _: None)
    stack = resolve(load_template(), {**NETWORK, "LogBucket": "logs", "ArtifactBucket": "art", "ArtifactPrefix": "wb/",
                                      "CodeVersion": version, "PackageSha256": outputs["PackageSha256"]})
    assert f'PACKAGE_SHA256="{outputs["PackageSha256"]}"' in base64.b64decode(
        stack["Resources"]["NotebookLifecycle"]["Properties"]["OnStart"][0]["Content"]).decode()
    code = stack["Resources"]["UpkeepFunction"]["Properties"]["Code"]
    assert code == {"S3Bucket": "art", "S3Key": f"wb/lambda/upkeep-{version}.zip"}
    assert s3.get_object(Bucket="art", Key=code["S3Key"])["Body"].read() == deploy.lambda_zip()



@pytest.mark.index
def test_the_deployed_wheelhouse_installs_offline_by_hash_on_both_pythons(tmp_path):
    """What ``workbench deploy`` uploads, downloaded for real: each lock resolves with no index
    and every hash checked, for the notebook's and the report job's Python and platform."""
    pack = deploy.package(tmp_path)
    assert pack.complete and set(pack.locks) == {deploy.lock_name(p) for p in deploy.TARGET_PYTHONS}
    house = tmp_path / "wheels"
    house.mkdir()
    for name, body in pack.files().items():
        (house / name).write_bytes(body)
    for python in deploy.TARGET_PYTHONS:
        lock = pack.locks[deploy.lock_name(python)]
        assert lock.startswith("aws-security-log-workbench[athena]==") or "\naws-security-log-workbench[athena]==" in lock
        assert all(" --hash=sha256:" in line for line in lock.splitlines())
        done = subprocess.run([
            sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-index", "--find-links", str(house),
            "--require-hashes", "-r", str(house / deploy.lock_name(python)), "--target", str(tmp_path / "t"),
            "--python-version", python, "--only-binary=:all:", *(f"--platform={t}" for t in deploy.PLATFORMS),
        ], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
