"""``workbench deploy`` (``make deploy``): package the code and create or update the stack.

Three steps, each usable alone:

1. :func:`package` builds what the stack runs besides the template: the upkeep Lambda's
   zip (``upkeep.py`` alone, byte-for-byte reproducible, so its hash is its version), the
   workbench wheel the notebook and the report job install, and the notebooks;
2. :func:`upload` puts them under ``s3://<artifact bucket>/<prefix>`` (``lambda/``,
   ``wheels/``, ``notebooks/``), the bucket being one you own in the stack's region;
3. :func:`apply_stack` creates the stack, or updates it (parameters you leave out keep
   their previous values), waits, and returns its outputs.

Parameters are checked against the template's constraints before anything is sent, so a
mistyped account id fails here and not ten minutes into a stack update.

>>> from workbench.aws.deploy import deploy                                   # doctest: +SKIP
>>> deploy("workbench", {"LogBucket": "my-trail-bucket", "OrganizationId": "o-abc123defg"},
...        artifact_bucket="my-artifacts")                                  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from workbench.aws.cfn import TEMPLATE, parameter_values, parse_template
from workbench.errors import UsageError, WorkbenchError
from workbench.settings import shipped_dir

#: The source checkout the package runs from, if it does (else it was installed from a wheel).
ROOT = Path(__file__).resolve().parents[2]
UPKEEP_SOURCE = Path(__file__).with_name("upkeep.py")
#: CloudFormation takes a template body up to this size; larger ones go through S3.
MAX_TEMPLATE_BODY = 51_200
#: Python of the notebook instance's conda_python3 kernel (platform notebook-al2-v3).
NOTEBOOK_PYTHON = "3.10"


@dataclass
class Package:
    """What :func:`upload` puts in the artifact bucket."""

    lambda_zip: bytes
    version: str
    wheels: list[Path] = field(default_factory=list)
    notebooks: list[Path] = field(default_factory=list)
    complete: bool = False  # the wheels include every dependency (offline install)


def lambda_zip(source: Path = UPKEEP_SOURCE) -> bytes:
    """The upkeep Lambda's code: ``upkeep.py`` at the zip's root, fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("upkeep.py", date_time=(1980, 1, 1, 0, 0, 0))
        entry.external_attr = 0o644 << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, source.read_bytes())
    return buffer.getvalue()


def build_wheel(out_dir: Path, *, root: Path = ROOT) -> Path:
    """The workbench wheel: built from the source tree with pip, or, when the package was installed
    from a wheel (no source tree), that wheel made again from the installed files. Returns its path."""
    if not (root / "pyproject.toml").is_file():
        return installed_wheel(out_dir)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out_dir), str(root)],
                   check=True)
    wheels = sorted(out_dir.glob("workbench-*.whl"))
    if not wheels:
        raise WorkbenchError(f"pip built no workbench wheel in {out_dir}")
    return wheels[-1]


def installed_wheel(out_dir: Path, *, distribution: str = "workbench") -> Path:
    """The wheel of the installed distribution, made again from the files its ``RECORD`` lists.

    The files are the installed ones, byte for byte, and ``RECORD`` is written afresh with their
    hashes; what the installer added (``INSTALLER``, ``REQUESTED``, ``direct_url.json``) is left out.

    Raises
    ------
    WorkbenchError
        If the distribution is not installed, or installed in a way that lists no files.
    """
    from importlib import metadata

    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        raise WorkbenchError(f"{distribution} is not installed: install it, or deploy from a checkout") from None
    listed = list(dist.files or ())
    info = next((f.parts[0] for f in listed if len(f.parts) == 2 and f.parts[1] == "WHEEL"), None)
    if info is None:
        raise WorkbenchError(f"the installed {distribution} lists no wheel files (an editable install?); "
                             "deploy from its checkout, or pass --wheel")
    packages = {f.parts[0] for f in listed if len(f.parts) > 1 and f.parts[-1] == "__init__.py"}
    files = [f for f in listed if (f.parts[0] in packages or f.parts[0] == info) and "__pycache__" not in f.parts
             and not (f.parts[0] == info and f.parts[-1] in ("INSTALLER", "REQUESTED", "direct_url.json", "RECORD"))]
    path = out_dir / f"{distribution}-{dist.version}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in sorted(files, key=str):
            data = Path(item.locate()).read_bytes()
            archive.writestr(str(item), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{item},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


def download_dependencies(wheel: Path, out_dir: Path, *, extras: str = "athena",
                          python: str = NOTEBOOK_PYTHON) -> list[Path]:
    """Wheels of every dependency, for a notebook without internet access (Linux x86-64)."""
    requirement = f"workbench[{extras}] @ {wheel.resolve().as_uri()}" if extras else str(wheel)
    subprocess.run([
        sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
        "--platform", "manylinux2014_x86_64", "--python-version", python, "-d", str(out_dir), requirement,
    ], check=True)
    return sorted(p for p in out_dir.glob("*.whl") if p != wheel)


def package(work_dir: Path, *, wheel: Path | None = None, build: bool = True,
            with_dependencies: bool = False, extras: str = "athena") -> Package:
    """Everything the stack needs from this source tree.

    Parameters
    ----------
    work_dir : Path
        Where built wheels go.
    wheel : Path, optional
        A wheel built beforehand (else one is built when ``build``).
    with_dependencies : bool
        Also download every dependency's wheel, so the notebook installs offline.
    """
    data = lambda_zip()
    pack = Package(lambda_zip=data, version=hashlib.sha256(data).hexdigest()[:16])
    if wheel is None and build:
        wheel = build_wheel(work_dir)
    if wheel is not None:
        pack.wheels.append(Path(wheel))
        if with_dependencies:
            pack.wheels += download_dependencies(Path(wheel), work_dir, extras=extras)
            pack.complete = True
    folder = shipped_dir("notebooks")
    pack.notebooks = sorted(folder.glob("*.ipynb")) if folder else []
    return pack


def upload(s3, bucket: str, prefix: str, pack: Package) -> list[str]:
    """Put the package under ``s3://bucket/prefix``; returns the keys written.

    Older ``workbench-*.whl`` files in ``wheels/`` are removed, so the notebook installs
    the wheel of this deploy.
    """
    keys = []

    def put(key: str, body: bytes) -> None:
        s3.put_object(Bucket=bucket, Key=prefix + key, Body=body)
        keys.append(prefix + key)

    put(f"lambda/upkeep-{pack.version}.zip", pack.lambda_zip)
    names = {w.name for w in pack.wheels}
    old = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}wheels/").get("Contents", [])
    for item in old:
        name = item["Key"].rsplit("/", 1)[-1]
        if name not in names and (name.startswith("workbench-") or name == "COMPLETE"):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    for path in pack.wheels:
        put(f"wheels/{path.name}", path.read_bytes())
    if pack.complete:
        put("wheels/COMPLETE", b"every dependency is here: pip may install with --no-index\n")
    for path in pack.notebooks:
        put(f"notebooks/{path.name}", path.read_bytes())
    return keys


def apply_stack(cfn, stack: str, template_body: str, parameters: dict, *, template_url: str | None = None,
                wait: bool = True, say=print) -> dict:
    """Create ``stack``, or update it; returns its outputs (``{}`` when not waiting).

    Template parameters not in ``parameters`` keep their previous values on an update.

    Raises
    ------
    WorkbenchError
        If the stack cannot be created or updated, with the reasons CloudFormation gave.
    """
    from botocore.exceptions import ClientError, WaiterError

    existing = _describe(cfn, stack)
    if existing and existing["StackStatus"] == "ROLLBACK_COMPLETE":
        raise WorkbenchError(f"stack {stack} failed to create earlier (ROLLBACK_COMPLETE); delete it and deploy again")
    declared = parse_template(template_body).get("Parameters", {})
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    if existing:
        previous = {p["ParameterKey"] for p in existing.get("Parameters", [])}
        params += [{"ParameterKey": k, "UsePreviousValue": True}
                   for k in declared if k not in parameters and k in previous]
    kwargs = {"StackName": stack, "Parameters": params, "Capabilities": ["CAPABILITY_IAM"],
              **({"TemplateURL": template_url} if template_url else {"TemplateBody": template_body})}
    try:
        if existing:
            cfn.update_stack(**kwargs)
            waiter, verb = "stack_update_complete", "updating"
        else:
            cfn.create_stack(**kwargs, Tags=[{"Key": "workbench:stack", "Value": stack}])
            waiter, verb = "stack_create_complete", "creating"
    except ClientError as err:
        if "No updates are to be performed" in str(err):
            say(f"stack {stack} is up to date")
            return _outputs(_describe(cfn, stack))
        raise
    say(f"{verb} stack {stack} ...")
    if not wait:
        return {}
    try:
        cfn.get_waiter(waiter).wait(StackName=stack, WaiterConfig={"Delay": 15, "MaxAttempts": 240})
    except WaiterError:
        raise WorkbenchError(f"{verb} stack {stack} failed: {_failures(cfn, stack)}") from None
    return _outputs(_describe(cfn, stack))


def deploy(stack: str, parameters: dict, *, artifact_bucket: str, artifact_prefix: str = "workbench/",
           wheel: Path | None = None, build: bool = True, with_dependencies: bool = False,
           template: Path = TEMPLATE, session=None, region: str | None = None, wait: bool = True,
           dry_run: bool = False, upload_only: bool = False, say=print) -> dict:
    """Package, upload and create or update the stack; returns its outputs.

    Parameters
    ----------
    stack : str
        Stack name (it also names the workgroup and the scheduled jobs).
    parameters : dict
        Template parameters (``LogBucket`` is required); ``ArtifactBucket``,
        ``ArtifactPrefix`` and ``CodeVersion`` are set from the upload.
    artifact_bucket, artifact_prefix : str
        Where the code goes: a bucket of yours in the stack's region.
    dry_run : bool
        Check the parameters and package, but send nothing to AWS.
    upload_only : bool
        Upload the code but leave the stack alone (for StackSets: upload to the bucket of
        each region, then pass the returned ``CodeVersion`` to the StackSet).
    """
    if artifact_prefix and not artifact_prefix.endswith("/"):
        artifact_prefix += "/"
    if not Path(template).is_file():
        raise UsageError(f"no template at {template}: the package ships it (workbench/infra); reinstall it, "
                         "or deploy from a checkout of the workbench source (infra/)")
    template_body = Path(template).read_text()
    with tempfile.TemporaryDirectory() as tmp:
        pack = package(Path(tmp), wheel=wheel, build=build and not dry_run, with_dependencies=with_dependencies,
                       extras=parameters.get("PackageExtras", "athena"))
        full = {**parameters, "ArtifactBucket": artifact_bucket, "ArtifactPrefix": artifact_prefix,
                "CodeVersion": pack.version}
        try:
            if not upload_only:
                parameter_values(parse_template(template_body), full)
        except ValueError as err:
            raise UsageError(str(err)) from None
        if dry_run:
            say(f"would upload to s3://{artifact_bucket}/{artifact_prefix}: lambda/upkeep-{pack.version}.zip, "
                f"{len(pack.wheels)} wheel(s), {len(pack.notebooks)} notebook(s)")
            for key, value in full.items():
                say(f"  {key}={value}")
            return {}
        from workbench.aws import clients as aws

        session = aws.session(session, region=region)
        with aws.aws_errors(f"upload the code to s3://{artifact_bucket}/{artifact_prefix}"):
            s3 = session.client("s3")
            keys = upload(s3, artifact_bucket, artifact_prefix, pack)
            url = None
            if len(template_body.encode()) > MAX_TEMPLATE_BODY:
                digest = hashlib.sha256(template_body.encode()).hexdigest()[:16]
                key = f"{artifact_prefix}templates/workbench-{digest}.yaml"
                s3.put_object(Bucket=artifact_bucket, Key=key, Body=template_body.encode())
                url = f"https://{artifact_bucket}.s3.{session.region_name}.amazonaws.com/{key}"
        say(f"uploaded {len(keys)} file(s) to s3://{artifact_bucket}/{artifact_prefix} (CodeVersion {pack.version})")
        if upload_only:
            return {"CodeVersion": pack.version}
        with aws.aws_errors(f"deploy stack {stack}"):
            outputs = apply_stack(session.client("cloudformation"), stack, template_body, full,
                                  template_url=url, wait=wait, say=say)
    for key, value in outputs.items():
        say(f"  {key}: {value}")
    return outputs


def _describe(cfn, stack: str) -> dict | None:
    from botocore.exceptions import ClientError

    try:
        return cfn.describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as err:
        if "does not exist" in str(err):
            return None
        raise


def _outputs(description: dict | None) -> dict:
    return {o["OutputKey"]: o["OutputValue"] for o in (description or {}).get("Outputs", [])}


def _failures(cfn, stack: str) -> str:
    events = cfn.describe_stack_events(StackName=stack).get("StackEvents", [])
    reasons = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
               for e in events if e.get("ResourceStatus", "").endswith("_FAILED")]
    return "; ".join(reasons[:5]) or "see the stack's events in the CloudFormation console"
