"""``workbench deploy`` (``make deploy``): package the code and create or update the stack.

Three steps, each usable alone:

1. :func:`package` builds what the stack runs besides the template: the upkeep Lambda's
   zip (``upkeep.py`` alone, byte-for-byte reproducible, so its hash is its version), the
   workbench wheel, the wheels of every dependency for the notebook's and the report job's
   Pythons with a lock per Python (``requirements-py310.txt``: each wheel pinned by version
   and SHA-256) and ``SHA256SUMS`` of every file, whose own hash the stack is given
   (``PackageSha256``), and the notebooks;
2. :func:`upload` puts them under ``s3://<artifact bucket>/<prefix>`` (``lambda/``,
   ``wheels/``, ``notebooks/``), the bucket being one you own in the stack's region;
3. :func:`apply_stack` creates the stack, or updates it (parameters you leave out keep
   their previous values), waits, and returns its outputs.

Parameters are checked against the template's constraints before anything is sent, so a
mistyped account id fails here and not ten minutes into a stack update.

The notebook and the report job install from that wheelhouse alone (``pip --no-index
--require-hashes``): nothing is asked of a public index, where an unrelated ``workbench``
exists, unless the stack's ``PackageIndexUrl`` says so (``docs/security.md``).

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
from workbench.distribution import DISTRIBUTION, WHEEL_PREFIX, wheel_name_is_ours
from workbench.errors import UsageError, WorkbenchError
from workbench.settings import shipped_dir

#: The source checkout the package runs from, if it does (else it was installed from a wheel).
ROOT = Path(__file__).resolve().parents[2]
UPKEEP_SOURCE = Path(__file__).with_name("upkeep.py")
#: CloudFormation takes a template body up to this size; larger ones go through S3.
MAX_TEMPLATE_BODY = 51_200
#: Python of the notebook instance's conda_python3 kernel (platform notebook-al2-v3).
NOTEBOOK_PYTHON = "3.10"
#: Python of the report job (the buildspec's runtime-versions on aws/codebuild/standard:7.0).
REPORT_PYTHON = "3.12"
#: Platforms of the downloaded wheels: every manylinux tag up to glibc 2.26, the notebook's
#: (Amazon Linux 2); the report job's Ubuntu 22.04 runs them all. pip matches a ``--platform``
#: tag exactly, so each is named.
PLATFORMS = ("manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64",
             *(f"manylinux_2_{minor}_x86_64" for minor in range(17, 27)))
#: Every Python the stack installs the package into: one lock each.
TARGET_PYTHONS = (NOTEBOOK_PYTHON, REPORT_PYTHON)
#: The manifest of the uploaded wheelhouse (``sha256sum`` format); the stack pins its hash.
CHECKSUMS = "SHA256SUMS"


@dataclass
class Package:
    """What :func:`upload` puts in the artifact bucket."""

    lambda_zip: bytes
    version: str
    wheels: list[Path] = field(default_factory=list)
    notebooks: list[Path] = field(default_factory=list)
    complete: bool = False  # the wheels include every dependency (offline install)
    #: ``requirements-pyXY.txt`` -> its text: every wheel a Python installs, pinned by hash.
    locks: dict[str, str] = field(default_factory=dict)

    def files(self) -> dict[str, bytes]:
        """What goes under ``wheels/``, by name: the wheels, the locks, the marker."""
        out = {path.name: path.read_bytes() for path in self.wheels}
        out.update({name: text.encode() for name, text in self.locks.items()})
        if self.complete:
            out["COMPLETE"] = b"every dependency is here: pip installs with --no-index --require-hashes\n"
        return out

    def checksums(self) -> bytes:
        """``SHA256SUMS`` of :meth:`files` (``sha256sum --check`` reads it)."""
        return checksums(self.files())

    @property
    def sha256(self) -> str:
        """The hash of :meth:`checksums`: the stack's ``PackageSha256``, which pins every file."""
        return hashlib.sha256(self.checksums()).hexdigest() if self.wheels else ""


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
    wheels = sorted(out_dir.glob(f"{WHEEL_PREFIX}*.whl"))
    if not wheels:
        raise WorkbenchError(f"pip built no workbench wheel in {out_dir}")
    return wheels[-1]


def installed_wheel(out_dir: Path, *, distribution: str = DISTRIBUTION) -> Path:
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
    path = out_dir / f"{distribution.replace('-', '_')}-{dist.version}-py3-none-any.whl"
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
    """Wheels of every dependency for ``python`` on :data:`PLATFORMS`, for an install without an index."""
    requirement = f"{DISTRIBUTION}[{extras}] @ {wheel.resolve().as_uri()}" if extras else str(wheel)
    subprocess.run([
        sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
        *(f"--platform={tag}" for tag in PLATFORMS), "--python-version", python, "-d", str(out_dir), requirement,
    ], check=True)
    return sorted(p for p in out_dir.glob("*.whl") if p != wheel)


def wheel_pin(path: Path) -> tuple[str, str]:
    """``(name, version)`` of a wheel from its file name (PEP 427), the name normalised (PEP 503)."""
    parts = path.name[:-len(".whl")].split("-") if path.name.endswith(".whl") else []
    if len(parts) not in (5, 6):
        raise WorkbenchError(f"{path.name} is not a wheel file name (name-version[-build]-python-abi-platform.whl)")
    return parts[0].replace("_", "-").replace(".", "-").lower(), parts[1]


def lock_text(wheels: list[Path], *, extras: str = "") -> str:
    """A pip requirements file that installs exactly ``wheels``: ``name==version --hash=sha256:...``.

    The workbench's own line carries ``extras``. Wheels of one name and version (one per
    platform) share a line with a hash each; two versions of one name are refused.

    Raises
    ------
    WorkbenchError
        If two wheels name one distribution at different versions.
    """
    pins: dict[str, tuple[str, list[str]]] = {}
    for path in wheels:
        name, version = wheel_pin(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        known = pins.setdefault(name, (version, []))
        if known[0] != version:
            raise WorkbenchError(f"two versions of {name} in one lock: {known[0]} and {version}")
        if digest not in known[1]:
            known[1].append(digest)
    lines = []
    for name in sorted(pins):
        version, digests = pins[name]
        label = f"{name}[{extras}]" if name == DISTRIBUTION and extras else name
        hashes = " ".join(f"--hash=sha256:{d}" for d in sorted(digests))
        lines.append(f"{label}=={version} {hashes}")
    return "\n".join(lines) + "\n"


def lock_name(python: str) -> str:
    """The lock file of a Python version: ``requirements-py310.txt`` for ``3.10``."""
    return f"requirements-py{python.replace('.', '')}.txt"


def checksums(files: dict[str, bytes]) -> bytes:
    """``sha256sum`` lines (``<hex>  <name>``) of named contents, sorted by name."""
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())).encode()


def package(work_dir: Path, *, wheel: Path | None = None, build: bool = True,
            with_dependencies: bool = True, extras: str = "athena",
            pythons: tuple[str, ...] = TARGET_PYTHONS) -> Package:
    """Everything the stack needs from this source tree.

    Parameters
    ----------
    work_dir : Path
        Where built wheels go.
    wheel : Path, optional
        A wheel built beforehand (else one is built when ``build``).
    with_dependencies : bool
        Also download every dependency's wheel for each of ``pythons`` and write their locks, so
        the notebook and the report job install offline and by hash (the default). Without
        them the stack installs only the workbench wheel, by file and hash, and its dependencies
        must already be there or come from the index the stack's ``PackageIndexUrl`` names.
    """
    data = lambda_zip()
    pack = Package(lambda_zip=data, version=hashlib.sha256(data).hexdigest()[:16])
    if wheel is None and build:
        wheel = build_wheel(work_dir)
    if wheel is not None:
        wheel = Path(wheel)
        if not wheel_name_is_ours(wheel.name):
            raise UsageError(f"{wheel.name} is not a wheel of {DISTRIBUTION} ({WHEEL_PREFIX}<version>-...whl)")
        pack.wheels.append(wheel)
        if with_dependencies:
            by_name = {wheel.name: wheel}
            for python in pythons:
                folder = work_dir / f"py{python.replace('.', '')}"
                folder.mkdir(parents=True, exist_ok=True)
                deps = download_dependencies(wheel, folder, extras=extras, python=python)
                for dep in deps:
                    if dep.name in by_name and by_name[dep.name].read_bytes() != dep.read_bytes():
                        raise WorkbenchError(f"two different files named {dep.name} downloaded; deploy again")
                    by_name.setdefault(dep.name, dep)
                pack.locks[lock_name(python)] = lock_text([wheel, *deps], extras=extras)
            pack.wheels = [wheel] + sorted((p for n, p in by_name.items() if n != wheel.name), key=lambda p: p.name)
            pack.complete = True
    folder = shipped_dir("notebooks")
    pack.notebooks = sorted(folder.glob("*.ipynb")) if folder else []
    return pack


def upload(s3, bucket: str, prefix: str, pack: Package) -> list[str]:
    """Put the package under ``s3://bucket/prefix``; returns the keys written.

    Files in ``wheels/`` that this deploy did not put there are removed, so the notebook
    installs the wheelhouse of this deploy and nothing else; ``SHA256SUMS`` is written last.
    """
    keys = []

    def put(key: str, body: bytes) -> None:
        s3.put_object(Bucket=bucket, Key=prefix + key, Body=body)
        keys.append(prefix + key)

    put(f"lambda/upkeep-{pack.version}.zip", pack.lambda_zip)
    files = pack.files()
    if files:
        paginator = s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=f"{prefix}wheels/"):
            for item in page.get("Contents", []):
                if item["Key"][len(f"{prefix}wheels/"):] not in files:
                    s3.delete_object(Bucket=bucket, Key=item["Key"])
        for name, body in files.items():
            put(f"wheels/{name}", body)
        put(f"wheels/{CHECKSUMS}", pack.checksums())
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
           wheel: Path | None = None, build: bool = True, with_dependencies: bool = True,
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
                "CodeVersion": pack.version, "PackageSha256": pack.sha256}
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
            return {"CodeVersion": pack.version, "PackageSha256": pack.sha256}
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
