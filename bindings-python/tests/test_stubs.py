"""The type stubs: `mypy --strict` accepts the tests and the examples, rejects misuse, and
the stubs declare exactly the package's public names."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set, Union

import pytest

import rxgate

HERE = Path(__file__).resolve().parent
PACKAGE = Path(rxgate.__file__).resolve().parent
#: The stubs of the source tree (not the installed wheel's copy).
SOURCE_STUB = HERE.parent / "python" / "rxgate" / "__init__.pyi"

#: Functions of `__init__.pyi` whose return annotation may mention `Any`, each with its reason.
#: Keep it tiny: every answer is typed with the op table's TypedDicts (`rxgate._types`).
ANY_RETURNS_ALLOWED: Dict[str, str] = {
    "call": "the raw entry point: the op is a run-time string; `rxgate.typed` gives each op "
    "its answer type, and its generated `cast`s need `call` untyped",
}
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
        "n: int = r.valid_count\n"  # no dynamic attributes in the stubs
        "s: str = r.valid\n"  # a bool is not a str
        "rxgate.diagnose(42)\n",  # not a snapshot
        encoding="utf-8",
    )
    stdout, _, status = run_mypy(str(bad))
    assert status == "1"
    assert 'Incompatible types in assignment (expression has type "bool"' in stdout
    assert 'Argument 1 to "diagnose" has incompatible type "int"' in stdout
    assert '"Report" has no attribute "valid_count"' in stdout


def test_mypy_strict_accepts_the_package_sources() -> None:
    sources = HERE.parent / "python" / "rxgate"
    files = [str(sources / name) for name in ("_errors.py", "_results.py", "cli.py")]
    stdout, stderr, status = run_mypy(*files)
    assert status == "0", stdout + stderr


AnyNode = Union[ast.expr, None]


def _names(annotation: AnyNode) -> Set[str]:
    """Every name an annotation mentions (`Any`, `t.Any`, and inside string annotations)."""
    names: Set[str] = set()
    if annotation is None:
        return names
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names |= _names(ast.parse(node.value, mode="eval").body)
    return names


def any_returns(source: str) -> List[str]:
    """The functions and properties (`Class.name`) of a stub whose return annotation mentions
    `Any`, directly or through a module-level alias that does."""
    tree = ast.parse(source)
    tainted = {"Any"}
    changed = True
    while changed:  # aliases of aliases
        changed = False
        for node in tree.body:
            if isinstance(node, ast.Assign) and _names(node.value) & tainted:
                new = {t.id for t in node.targets if isinstance(t, ast.Name)} - tainted
                tainted |= new
                changed = changed or bool(new)
    found: List[str] = []

    def visit(body: List[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _names(node.returns) & tainted:
                found.append(prefix + node.name)

    visit(tree.body, "")
    return found


def test_no_any_in_a_return_annotation() -> None:
    found = any_returns(SOURCE_STUB.read_text(encoding="utf-8"))
    unexplained = [name for name in found if name not in ANY_RETURNS_ALLOWED]
    assert not unexplained, f"`Any` in return annotations of __init__.pyi: {unexplained}"
    stale = set(ANY_RETURNS_ALLOWED) - set(found)
    assert not stale, f"allow-list entries no longer needed: {sorted(stale)}"


def test_the_any_check_finds_any() -> None:
    stub = (
        "from typing import Any, Dict, List\n"
        "import typing as t\n"
        "Loose = Dict[str, Any]\n"
        "Looser = List[Loose]\n"
        "class R:\n"
        "    @property\n"
        "    def a(self) -> Looser: ...\n"
        "    def b(self) -> 't.Any': ...\n"
        "    def c(self) -> List[str]: ...\n"
        "def f(x: Any) -> int: ...\n"
        "def g() -> Dict[str, Any]: ...\n"
    )
    assert any_returns(stub) == ["R.a", "R.b", "g"]


def test_check_many_overloads_name_each_decisions_class() -> None:
    """Each decision `check_many` runs has an overload answering its own result class."""
    tree = ast.parse(SOURCE_STUB.read_text(encoding="utf-8"))
    typed: Dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "check_many" and node.args.args[1:]:
            decision = node.args.args[1].annotation
            if (
                isinstance(decision, ast.Subscript)
                and isinstance(decision.slice, ast.Constant)
                and isinstance(decision.slice.value, str)
            ):
                # `List[Union[Class, RxgateError]]`: the first name after List and Union.
                names = [n.id for n in ast.walk(node.returns) if isinstance(n, ast.Name)] if node.returns else []
                typed[decision.slice.value] = names[2]
    expected = {name: cls.__name__ for name, (cls, _) in rxgate.ORDER_DECISIONS.items()}
    expected["decide_submit"] = "SubmitDecision"
    assert typed == expected
