"""The architecture stays visible: imports point one way, modules and functions stay small.

Layers, lowest first; a module imports only from its own layer or lower:

    0  diagnostics, codes, exact, files,    spans and messages, exact arithmetic, reading user files,
       i18n,                                the catalogue of messages in each language,
       limits,                             the limits on input and the stack the passes get,
       version                             the engine's version
    1  dsl                                   the language: grammar, nodes, vocabulary, checker, model
    2  io                                    readers, cells, writers, number text for people
    3  engine                                the evaluators and their plans
    4  explain, sql                          the evaluator's observer and the renderers of what it records;
                                         the columnar engine (policies compiled to SQL)
    5  api, manifest, subjects               the Python API; what a run records; rows computed again
    6  diff, testing, present                policy diff and impact; policy tests; pages for people
    7  cli, pytest_plugin, the package       the command line and the entry points
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "attain"

LAYERS = {
    "diagnostics": 0, "codes": 0, "exact": 0, "files": 0, "limits": 0, "version": 0, "i18n": 0, "cache": 0,
    "dsl": 1,
    "io": 2,
    "engine": 3,
    "explain": 4, "sql": 4,
    "api": 5, "manifest": 5, "versions": 5, "subjects": 5,
    "diff": 6, "testing": 6, "present": 6,
    "cli": 7, "pytest_plugin": 7, "__init__": 7,
}
# Narrower rules: the evaluator never formats for people, and the renderers of explanations read the
# recorded tree, never the evaluator's internals.
FORBIDDEN = {
    "attain.engine.evaluate": ("attain.io",),
    "attain.explain.recorder": ("attain.engine.evaluate", "attain.engine.runner"),
    "attain.explain.text": ("attain.engine.evaluate", "attain.engine.runner"),
    "attain.explain.json_document": ("attain.engine.evaluate", "attain.engine.runner"),
}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
# A longer function says why on its `def` line or the line above: `# long: ...`.
LONG_REASON = "# long:"


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(p for p in parts if p != "__init__") if parts[-1] == "__init__" else ".".join(parts)
        yield name, path


def layer_of(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return LAYERS["__init__"]
    return LAYERS[parts[1]]


def imports_of(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level + (1 if path.name == "__init__.py" else 0) or None]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.update(f"{prefix}.{a.name}" for a in node.names)
    return {m for m in found if m == "attain" or m.startswith("attain.")}


def known(module: str) -> str | None:
    """The attain module (or package) an imported name belongs to."""
    parts = module.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in dict(modules()) or candidate == "attain":
            return candidate
        parts.pop()
    return None


def test_every_module_has_a_layer():
    for name, _path in modules():
        layer_of(name)


def test_imports_point_down():
    upward = []
    for name, path in modules():
        mine = layer_of(name)
        for imported in imports_of(path, name):
            target = known(imported)
            if target is None or target == name:
                continue
            if layer_of(target) > mine:
                upward.append(f"{name} (layer {mine}) imports {target} (layer {layer_of(target)})")
            for banned in FORBIDDEN.get(name, ()):
                if target == banned or target.startswith(banned + "."):
                    upward.append(f"{name} must not import {target}")
    assert upward == []


@pytest.mark.parametrize("name,path", list(modules()), ids=[n for n, _ in modules()])
def test_modules_stay_small_and_say_what_they_are(name, path):
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines; split it by concern"
    tree = ast.parse(text)
    doc = ast.get_docstring(tree)
    assert doc, f"{name} does not open with a docstring naming its place in the pipeline"


def test_long_functions_say_why():
    long = []
    for name, path in modules():
        source = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(source))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                around = source[first - 2 : node.lineno]
                if length > MAX_FUNCTION_LINES and not any(LONG_REASON in line for line in around):
                    long.append(f"{name}.{node.name}: {length} lines")
    assert long == []
