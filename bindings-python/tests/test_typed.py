"""`rxgate.typed`, generated from the core's op table: one typed function per operation, each
answering what `rxgate.call` answers."""

from __future__ import annotations

import json
from pathlib import Path

import rxgate
import rxgate.typed as typed

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"


def test_every_operation_has_a_typed_function() -> None:
    names = [op["name"] for op in rxgate.operations()]
    assert names, "the core lists no operation"
    assert sorted(typed.__all__) == sorted(names)
    for name in names:
        assert callable(getattr(typed, name)), name


def test_a_typed_function_answers_as_call_does() -> None:
    snapshot = json.loads((FIXTURES / "order-intake-correction.json").read_text())
    now = "2026-11-23T09:00:00Z"
    diagnosis = typed.diagnose({"input": snapshot, "now": now})
    assert diagnosis == rxgate.call("diagnose", {"input": snapshot, "now": now})
    assert diagnosis["stage"] == "intake"
    state = typed.order_state({"input": snapshot})
    assert state["submit_status"] == snapshot["order"]["beluga"]["submit_status"]
