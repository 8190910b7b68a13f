"""The layers of docs/conventions.md hold: apps import only downward, and nothing hides an import in a function."""
import ast
import subprocess
import sys
from pathlib import Path

import trustops

PACKAGE = Path(trustops.__file__).parent
# The top of the stack composes everything; its function-level imports dodge nothing.
COMPOSERS = {"console", "simulation"}


def test_apps_import_only_downward():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=PACKAGE.parents[1], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _cross_app_imports_in_functions(path: Path, app: str, base: Path = PACKAGE) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                       else [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for module in modules:
                parts = module.split(".")
                if parts[0] == "trustops" and len(parts) > 1 and parts[1] != app:
                    found.append(f"{path.relative_to(base)}:{node.lineno} imports {module}")
    return found


def test_no_cross_app_import_hides_inside_a_function():
    hidden = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) < 2 or relative.parts[0] in COMPOSERS or "migrations" in relative.parts:
            continue
        hidden += _cross_app_imports_in_functions(path, relative.parts[0])
    assert hidden == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    (tmp_path / "review").mkdir()
    sample = tmp_path / "review" / "probe.py"
    sample.write_text("from trustops.kernel import clock\n\n\ndef f():\n    from trustops.quality import golden\n")
    assert _cross_app_imports_in_functions(sample, "review", tmp_path) == ["review/probe.py:5 imports trustops.quality"]
