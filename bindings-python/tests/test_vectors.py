"""Parity with the native core: every case of every file of `tests/vectors/` through the
Python module, with the matching rules of `tests/vectors/README.md` (the same as
`core/tests/vectors.rs`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import pytest

import rxgate
from conftest import VECTORS, load, vector_files

#: Cases this binding knowingly disagrees on, with the reason. Empty: full parity.
XFAIL: Dict[str, str] = {}

SKIP_KEYS = {"name", "description", "expect", "expect_error"}


def summarize(report: Mapping[str, Any]) -> Dict[str, Any]:
    """The summary `op: validate` cases are matched against."""

    def collect(items: List[Dict[str, Any]], field: str) -> List[str]:
        return sorted({v[field] for v in items if isinstance(v.get(field), str)})

    return {
        "valid": report.get("valid"),
        "beluga_errors": collect(report.get("violations", []), "beluga_error"),
        "codes": collect(report.get("violations", []), "code"),
        "warnings": collect(report.get("warnings", []), "code"),
    }


def mismatch(expected: Any, actual: Any, at: str = "") -> str:
    """'' when `expected` is a subset pattern of `actual`, else where they differ."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key not in actual:
                return f"{at}/{key} is missing"
            why = mismatch(value, actual[key], f"{at}/{key}")
            if why:
                return why
        return ""
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{at}: expected {len(expected)} items, got {len(actual)}"
        for index, (e, a) in enumerate(zip(expected, actual)):
            why = mismatch(e, a, f"{at}/{index}")
            if why:
                return why
        return ""
    if type(expected) is bool or type(actual) is bool:
        same = type(expected) is type(actual) and expected == actual
    else:
        same = expected == actual
    return "" if same else f"{at}: expected {expected!r}, got {actual!r}"


def cases() -> List[Tuple[str, str, Dict[str, Any], Dict[str, Any]]]:
    out = []
    for path in vector_files():
        doc = load(path)
        rel = path.relative_to(VECTORS).as_posix()
        for index, case in enumerate(doc["cases"]):
            name = case.get("name", f"case {index}")
            request = dict(doc.get("params", {}))
            request.update({k: v for k, v in case.items() if k not in SKIP_KEYS})
            out.append((f"{rel}::{name}", doc["op"], request, case))
    return out


ALL_CASES = cases()


def test_vectors_found() -> None:
    assert len(vector_files()) >= 10, f"too few vector files under {VECTORS}"
    assert len(ALL_CASES) >= 100


@pytest.mark.parametrize("op,request_,case", [c[1:] for c in ALL_CASES], ids=[c[0] for c in ALL_CASES])
def test_vector(op: str, request_: Dict[str, Any], case: Dict[str, Any]) -> None:
    if "expect_error" in case:
        with pytest.raises(rxgate.RxgateError) as info:
            rxgate.call(op, request_)
        assert info.value.code == case["expect_error"], str(info.value)
        return
    assert "expect" in case, "a case needs `expect` or `expect_error`"
    output = rxgate.call(op, request_)
    actual = summarize(output) if op == "validate" else output
    why = mismatch(case["expect"], actual)
    assert not why, f"{why}\nexpected: {json.dumps(case['expect'])}\nactual:   {json.dumps(actual)}"


VALIDATE_CASES = [c for c in ALL_CASES if c[1] == "validate" and "expect" in c[3]]


@pytest.mark.parametrize("request_", [c[2] for c in VALIDATE_CASES], ids=[c[0] for c in VALIDATE_CASES])
def test_validate_entry_point_agrees(request_: Dict[str, Any]) -> None:
    """`rxgate.validate` from a dict answers the report of op `validate`, from bytes the
    report of op `validate_text` (the CLI's path), and both summarise as the case expects."""
    today = request_.get("today", "2026-11-23")
    options = {k: request_[k] for k in ("allowed_states", "max_image_bytes") if k in request_}
    text = json.dumps(request_["input"])
    from_bytes = rxgate.validate(request_["kind"], text.encode(), today, **options)
    as_cli = rxgate.call("validate_text", {**request_, "today": today, "text": text})
    assert from_bytes.to_dict() == as_cli
    assert from_bytes.valid is as_cli["valid"]
    assert list(from_bytes.codes) == summarize(as_cli)["codes"]
    if isinstance(request_["input"], (dict, list)):
        # A str payload is JSON text, so only documents that are objects or arrays pass as data.
        from_dict = rxgate.validate(request_["kind"], request_["input"], today, **options)
        assert from_dict.to_dict() == rxgate.call("validate", {**request_, "today": today})
        assert summarize(from_dict.to_dict()) == summarize(as_cli)
