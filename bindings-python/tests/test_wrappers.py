"""Every typed wrapper answers exactly what its core operation answers, on every vector
case of that operation; and every operation the core lists has a wrapper."""

from __future__ import annotations

import ast
import base64
from pathlib import Path
from typing import Any, Callable, Dict, List, Set, Tuple

import pytest

import rxgate
from test_vectors import ALL_CASES

Adapter = Callable[[Dict[str, Any]], rxgate.Result]


def _verify(r: Dict[str, Any]) -> rxgate.Result:
    body: Any = base64.b64decode(r["body_base64"]) if "body_base64" in r else r["body"]
    return rxgate.verify_webhook(r["source"], r.get("headers") or {}, body, r["config"], r["now"])


WRAPPERS: Dict[str, Adapter] = {
    "check_readiness": lambda r: rxgate.check_readiness(r["input"], today=r.get("today"), now=r.get("now")),
    "decide_submit": lambda r: rxgate.decide_submit(r["input"], r["trigger"], today=r.get("today"), now=r.get("now")),
    "decide_retry": lambda r: rxgate.decide_retry(r["input"], today=r.get("today"), now=r.get("now")),
    "build_visit": lambda r: rxgate.build_visit(r["input"], r["master_id"], today=r.get("today"), now=r.get("now")),
    "select_pharmacy": lambda r: rxgate.select_pharmacy(r["input"]),
    "route_fulfillment": lambda r: rxgate.route_fulfillment(r["input"]),
    "check_boundary": lambda r: rxgate.check_boundary(r["input"], r["now"]),
    "order_state": lambda r: rxgate.order_state(r["input"]),
    "apply_order_facts": lambda r: rxgate.apply_order_facts(r["input"], r["facts"]),
    "check_cancel": lambda r: rxgate.check_cancel(r["input"], reason=r.get("reason"), confirmed=r.get("confirmed")),
    "message_visibility": lambda r: rxgate.message_visibility(r["input"]),
    "patient_view": lambda r: rxgate.patient_view(r["input"], r["now"]),
    "diagnose": lambda r: rxgate.diagnose(r["input"], r["now"]),
    "plan_submission": lambda r: rxgate.plan_submission(
        r["input"], r["master_id"], trigger=r.get("trigger"), manual=r["manual"], attempt=r["attempt"], now=r["now"]
    ),
    "record_call_outcome": lambda r: rxgate.record_call_outcome(r["input"], r["call"], r["answer"], r["now"]),
    "build_message": lambda r: rxgate.build_message(
        r["input"], r["to"], r["content"], r["master_id"], r.get("images")
    ),
    "split_order": lambda r: rxgate.split_order(r["input"], activities_recorded=r.get("activities_recorded")),
    "normalize": lambda r: rxgate.normalize(r["field"], r["input"], r.get("choices")),
    "parse_response": lambda r: rxgate.parse_response(
        r["kind"], r["input"].get("status"), r["input"].get("body"), network_error=r["input"].get("network_error")
    ),
    "parse_event": lambda r: rxgate.parse_event(r["source"], r["input"], body_bytes=r.get("body_bytes")),
    "verify_webhook": _verify,
    "queue_routes": lambda r: rxgate.queue_routes(r["input"], r["now"]),
    "decide_route_action": lambda r: rxgate.decide_route_action(
        r["input"], r["action"], r["pharmacy_id"], reason=r.get("reason"), now=r["now"]
    ),
    "decide_flag_action": lambda r: rxgate.decide_flag_action(
        r["input"], r["action"], r["code"], r["by"], raised_at=r.get("raised_at"), reason=r.get("reason"), now=r["now"]
    ),
    "event_match_keys": lambda r: rxgate.event_match_keys(r["source"], r["input"]),
    "event_key": lambda r: rxgate.event_key(
        r["source"], r["input"], pharmacy_id=r.get("pharmacy_id"), webhook_id=r.get("webhook_id")
    ),
    "apply_event": lambda r: rxgate.apply_event(
        r["source"], r["input"], r["order"], state=r.get("state"), now=r["now"],
        pharmacy_id=r.get("pharmacy_id"), webhook_id=r.get("webhook_id"),
    ),
}

#: Operations reached through other entry points: `validate`/`validate_text` through
#: `rxgate.validate` (test_vectors.py), the registries through `codes()`/`operations()`,
#: `redact_event` answers plain data, `assemble_order` and `check_portal_token` take no `input`
#: (all three checked below).
OTHER_ENTRY_POINTS = {
    "validate", "validate_text", "codes", "ops", "redact_event", "assemble_order", "check_portal_token"
}
#: Service-side operations with no hand-written wrapper and result class yet: each is reached
#: through its generated typed function in `rxgate.typed` (checked below).
TYPED_ONLY: Set[str] = {"decide_beluga_call_retry", "decide_dispensepro_action", "decide_erase", "plan_visit_fetch", "record_dispensepro_action"}


def test_every_core_operation_has_a_python_entry_point() -> None:
    names = {op["name"] for op in rxgate.operations()}
    missing = names - set(WRAPPERS) - OTHER_ENTRY_POINTS - TYPED_ONLY
    assert not missing, f"core operations without a Python wrapper: {sorted(missing)}"
    from rxgate import typed

    assert all(callable(getattr(typed, op)) for op in TYPED_ONLY)
    assert set(WRAPPERS) <= names, f"wrappers of unknown operations: {sorted(set(WRAPPERS) - names)}"


def _wrapped_cases() -> List[Tuple[str, str, Dict[str, Any]]]:
    out = []
    for case_id, op, request, case in ALL_CASES:
        if op in WRAPPERS and "expect" in case and isinstance(request.get("input"), (dict, list)):
            if op == "parse_response" and not isinstance(request.get("input"), dict):
                continue
            out.append((case_id, op, request))
    return out


WRAPPED = _wrapped_cases()


def test_most_vector_cases_are_wrapped() -> None:
    assert len(WRAPPED) >= 150, len(WRAPPED)


@pytest.mark.parametrize("op,request_", [c[1:] for c in WRAPPED], ids=[c[0] for c in WRAPPED])
def test_wrapper_matches_core(op: str, request_: Dict[str, Any]) -> None:
    if op in ("check_readiness", "decide_submit", "decide_retry", "build_visit") and not (
        "today" in request_ or "now" in request_
    ):
        pytest.skip("the case relies on the clock being absent; the wrapper always supplies it")
    expected = rxgate.call(op, request_)
    result = WRAPPERS[op](request_)
    assert isinstance(result, rxgate.Result)
    assert result.to_dict() == expected
    for key, value in expected.items():
        attr = getattr(result, key)
        if isinstance(attr, tuple):
            assert [v.to_dict() for v in attr] == value
        elif isinstance(attr, rxgate.Result):
            assert attr.to_dict() == value
        else:
            assert attr == value


def _stub_properties() -> Dict[str, List[str]]:
    """The properties `__init__.pyi` (source tree) declares on each result class."""
    stub = Path(__file__).resolve().parent.parent / "python" / "rxgate" / "__init__.pyi"
    out: Dict[str, List[str]] = {}
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            out[node.name] = [
                f.name
                for f in node.body
                if isinstance(f, ast.FunctionDef)
                and any(isinstance(d, ast.Name) and d.id == "property" for d in f.decorator_list)
            ]
    return out


STUB_PROPERTIES = _stub_properties()


@pytest.mark.parametrize("op,request_", [c[1:] for c in WRAPPED], ids=[c[0] for c in WRAPPED])
def test_stub_properties_are_readable(op: str, request_: Dict[str, Any]) -> None:
    """Every property the stubs declare reads on every answer: the answer's value when the
    core sent the key, else `None` (optional) or `[]` (a list the core skips when empty)."""
    if op in ("check_readiness", "decide_submit", "decide_retry", "build_visit") and not (
        "today" in request_ or "now" in request_
    ):
        pytest.skip("the case relies on the clock being absent; the wrapper always supplies it")
    result = WRAPPERS[op](request_)
    answer = result.to_dict()
    names = STUB_PROPERTIES[type(result).__name__]
    assert names, type(result).__name__
    for name in names:
        value = getattr(result, name)
        if name not in answer:
            assert value is None or value == [], (name, value)
        elif isinstance(value, tuple):
            assert [v.to_dict() for v in value] == answer[name]
        elif isinstance(value, rxgate.Result):
            assert value.to_dict() == answer[name]
        else:
            assert value == answer[name], name


def test_redact_event_matches_core() -> None:
    cases = [c for c in ALL_CASES if c[1] == "redact_event" and "expect" in c[3]]
    assert cases
    for _, _, request, _ in cases:
        assert rxgate.redact_event(request["source"], request["input"]) == rxgate.call("redact_event", request)


def test_assemble_order_matches_core() -> None:
    cases = [c for c in ALL_CASES if c[1] == "assemble_order"]
    assert len([c for c in cases if "expect" in c[3]]) >= 5
    for _, _, request, case in cases:
        if "expect" in case:
            result = rxgate.assemble_order(
                request["clinic"], request["rxgate"], request["integration"], activities=request.get("activities")
            )
            assert isinstance(result, rxgate.AssembledOrder)
            assert result.to_dict() == rxgate.call("assemble_order", request)
            assert result.snapshot == rxgate.call("assemble_order", request)["snapshot"]
            assert repr(result) == "AssembledOrder()"
        elif all(k in request for k in ("clinic", "rxgate", "integration")):
            with pytest.raises(rxgate.RxgateError) as info:
                rxgate.assemble_order(
                    request["clinic"], request["rxgate"], request["integration"], activities=request.get("activities")
                )
            assert info.value.code == case["expect_error"]


def test_check_portal_token_matches_core() -> None:
    cases = [c for c in ALL_CASES if c[1] == "check_portal_token"]
    assert len([c for c in cases if "expect" in c[3]]) >= 3
    for _, _, request, case in cases:
        if "expect" not in case:
            continue
        result = rxgate.check_portal_token(request["token"], request["secret"], request["now"])
        assert isinstance(result, rxgate.PortalTokenCheck)
        assert result.to_dict() == rxgate.call("check_portal_token", request)
        assert result.patient_id == result.to_dict().get("patient_id")
        shown = repr(result)
        assert request["token"] not in shown and request["secret"] not in shown
