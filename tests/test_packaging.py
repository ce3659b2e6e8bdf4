"""environment.yml (conda, for SageMaker) lists pyproject.toml's core dependencies plus the
``athena`` extra, so a SageMaker notebook can run both engines."""

import re
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

import yaml

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
    assert conda == wanted
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert any(". " in f"{p} " or p.endswith(" .") for p in pip), "the package itself is installed from the checkout"


def test_queries_ship_inside_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["queries"] == "workbench/queries"


def test_dev_extra_installs_the_athena_extra():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    dev = dict(_split(d) for d in extras["dev"])
    for name, version in (_split(d) for d in extras["athena"]):
        assert name in dev, f"{name} (athena extra) is missing from the dev extra: make install needs it"
