"""The type stubs: `mypy --strict` accepts the tests and the examples, rejects misuse, and
the stubs declare exactly the package's public names."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import List, Set

import pytest

import rxgate

HERE = Path(__file__).resolve().parent
PACKAGE = Path(rxgate.__file__).resolve().parent
mypy_api = pytest.importorskip("mypy.api")


def run_mypy(*targets: str) -> List[str]:
    stdout, stderr, status = mypy_api.run(["--strict", "--no-incremental", *targets])
    return [stdout, stderr, str(status)]


def stub_names() -> Set[str]:
    tree = ast.parse((PACKAGE / "__init__.pyi").read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_stubs_cover_the_public_names() -> None:
    declared = stub_names()
    missing = set(rxgate.__all__) - declared
    assert not missing, f"public names missing from __init__.pyi: {sorted(missing)}"
    for name in rxgate.__all__:
        assert hasattr(rxgate, name), name
    assert (PACKAGE / "py.typed").exists()


def test_mypy_strict_accepts_tests_and_examples() -> None:
    stdout, stderr, status = run_mypy(str(HERE), str(HERE.parent / "examples"))
    assert status == "0", stdout + stderr


def test_mypy_rejects_misuse(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import rxgate\n"
        "r: rxgate.Report = rxgate.validate('visit', {})\n"
        "n: int = r.valid_count\n"  # typo'd attribute is Any, but:
        "s: str = r.valid\n"  # a bool is not a str
        "rxgate.diagnose(42)\n",  # not a snapshot
        encoding="utf-8",
    )
    stdout, _, status = run_mypy(str(bad))
    assert status == "1"
    assert 'Incompatible types in assignment (expression has type "bool"' in stdout
    assert 'Argument 1 to "diagnose" has incompatible type "int"' in stdout


def test_mypy_strict_accepts_the_package_sources() -> None:
    sources = HERE.parent / "python" / "rxgate"
    files = [str(sources / name) for name in ("_errors.py", "_results.py", "cli.py")]
    stdout, stderr, status = run_mypy(*files)
    assert status == "0", stdout + stderr
