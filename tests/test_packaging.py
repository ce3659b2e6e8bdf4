"""Packaging: environment.yml (conda, for SageMaker) lists pyproject.toml's core dependencies plus
the ``athena`` extra, so a SageMaker notebook can run both engines; the wheel carries everything the
package reads (queries, notebooks, the CloudFormation template)."""

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"python-duckdb": "duckdb", "python-isal": "isal"}


def _split(spec: str) -> tuple[str, str]:
    spec = spec.split(";")[0]  # environment markers (python_version < '3.11') do not exist in conda
    name, version = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*(.*)$", spec).groups()
    return CONDA_NAMES.get(name.lower(), name.lower()), version.replace(" ", "")


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(d) for d in project["dependencies"] + project["optional-dependencies"]["athena"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(_split(d) for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python>", "python=", "pip")))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    from_pip = dict(_split(p) for p in pip if not p.startswith("-"))
    assert not set(conda) & set(from_pip), "each dependency comes from conda or pip, not both"
    assert {**conda, **from_pip} == wanted
    assert any(". " in f"{p} " or p.endswith(" .") for p in pip), "the package itself is installed from the checkout"


def test_queries_ship_inside_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["queries"] == "workbench/queries"


def test_dev_extra_installs_the_athena_extra():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    dev = dict(_split(d) for d in extras["dev"])
    for name, _version in (_split(d) for d in extras["athena"]):
        assert name in dev, f"{name} (athena extra) is missing from the dev extra: make install needs it"


@pytest.mark.slow
def test_installed_from_its_wheel_it_finds_its_files_and_can_deploy_itself(tmp_path):
    """No checkout: the template, queries and notebooks come from the package, and deploy makes its wheel again."""
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)], check=True)
    wheel = next(wheels.glob("aws_security_log_workbench-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True)
    code = """
import json, pathlib, sys, zipfile
from workbench.aws import cfn, deploy
from workbench.library import list_queries
from workbench.report import list_notebooks
site, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir()
pack = deploy.package(out, with_dependencies=False)
print(json.dumps({"template": str(cfn.TEMPLATE), "template_found": cfn.TEMPLATE.is_file(),
                  "queries": [str(q.path) for q in list_queries()], "notebooks": [str(p) for p in list_notebooks().values()],
                  "packed_notebooks": len(pack.notebooks), "wheel": str(pack.wheels[0])}))
"""
    done = subprocess.run([sys.executable, "-c", code, str(site), str(tmp_path / "out")], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["template_found"] and found["template"].startswith(str(site))
    assert len(found["queries"]) >= 16 and all(q.startswith(str(site)) for q in found["queries"])
    assert len(found["notebooks"]) == found["packed_notebooks"] >= 6
    assert all(n.startswith(str(site)) for n in found["notebooks"])
    original, rebuilt = zipfile.ZipFile(wheel), zipfile.ZipFile(found["wheel"])
    assert sorted(rebuilt.namelist()) == sorted(original.namelist())
    for name in ("workbench/aws/cfn.py", "workbench/infra/workbench.yaml", "workbench/queries/cloudtrail/root_activity.sql"):
        assert rebuilt.read(name) == original.read(name)


def test_the_distribution_has_a_name_of_its_own_and_no_hint_asks_for_another():
    """An unrelated ``workbench`` is on the public index: nothing may tell pip to install it."""
    from workbench.distribution import DISTRIBUTION, install_hint

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION != "workbench"
    for extra in ("athena", "trino", "sagemaker"):
        hint = install_hint(extra)
        assert hint.startswith("pip install ") and "workbench" not in hint, hint
    asks = re.compile(r"""pip install[^\n]*?['"\s]workbench(\[|['"\s]|$)""", re.M)
    found = [f"{path.relative_to(ROOT)}: {m.group(0)}"
             for folder in ("workbench", "docs", "infra", "notebooks", ".ci")
             for path in (ROOT / folder).rglob("*") if path.is_file() and path.suffix in (".py", ".md", ".yaml", ".ipynb", "")
             for m in asks.finditer(path.read_text(errors="replace"))]
    found += [f"{name}: {m.group(0)}" for name in ("README.md", "Makefile", "environment.yml")
              for m in asks.finditer((ROOT / name).read_text())]
    assert not found, found
