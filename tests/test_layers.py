"""The package is one folder per layer: imports go down the layers, never up, and never round in a cycle.

Every ``import`` counts, at the top of a module or inside a function (an import deferred into a
function is still a dependency). The layers, lowest first, are :data:`LAYERS`; ``docs/layout.md``
explains them.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"

#: Lowest first. A module may import from its own layer and the layers before it.
LAYERS = [
    ("foundation", ["workbench.errors", "workbench.registry", "workbench.words", "workbench.settings",
                    "workbench.writes", "workbench.distribution"]),
    ("context", ["workbench.context"]),
    ("data", ["workbench.sources", "workbench.library"]),
    ("file formats", ["workbench.formats"]),
    ("integrity", ["workbench.integrity"]),
    ("AWS", ["workbench.aws"]),
    ("engines", ["workbench.engines"]),
    ("detections", ["workbench.detections"]),
    ("analyses", ["workbench.analyses"]),
    ("anomaly detection", ["workbench.anomalies"]),
    ("figures", ["workbench.figures"]),
    ("notebook session", ["workbench.session"]),
    ("sample generator", ["workbench.sample"]),
    ("reports", ["workbench.report"]),
    ("demo", ["workbench.demo"]),
    ("front", ["workbench.cli", "workbench.__main__", "workbench"]),
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports (a package's ``__init__`` for a name it exports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                out.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {m for m in out if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    best = None
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            within = module == prefix or module.startswith(prefix + ".")
            if within and (best is None or len(prefix) > best[1]):
                best = (rank, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS and docs/layout.md"
    return best[0]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_layers(module):
    upward = sorted(m for m in GRAPH[module] if _layer(m) > _layer(module))
    assert not upward, (f"{module} ({LAYERS[_layer(module)][0]}) imports from higher layers: "
                        + ", ".join(f"{m} ({LAYERS[_layer(m)][0]})" for m in upward))


def test_no_import_cycle():
    seen: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for child in sorted(GRAPH[node]):
            if seen.get(child) == 1:
                cycles.append(path[path.index(child):] + [child] if child in path else [node, child])
            elif child not in seen:
                visit(child, [*path, child])
        seen[node] = 2

    for module in sorted(GRAPH):
        if module not in seen:
            visit(module, [module])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_a_module_is_never_shadowed_by_a_name_its_package_exports():
    """``import workbench.x.y`` must give the module y, not a function its package exports as y."""
    clashes = []
    for name, path in MODULES.items():
        if path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    bound = alias.asname or alias.name
                    module = f"{name}.{bound}"
                    if module in MODULES and f"{node.module}.{alias.name}" != module:
                        clashes.append(f"{module} is a module, but {name} binds {bound} to {node.module}.{alias.name}")
    assert not clashes, clashes


def test_every_layer_is_used_and_documented():
    documented = (PACKAGE.parent / "docs" / "layout.md").read_text(encoding="utf-8")
    for title, prefixes in LAYERS:
        assert any(_layer(m) == LAYERS.index((title, prefixes)) for m in MODULES), f"layer {title} is empty"
        for prefix in prefixes:
            folder = prefix.replace(".", "/")
            assert f"`{folder}" in documented or f"`{prefix}" in documented, f"{prefix} is not in docs/layout.md"
