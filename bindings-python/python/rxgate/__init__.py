"""rxgate for back-office scripts: Beluga payload validation, order decisions, webhooks.

Every function here is a thin, typed wrapper over one operation of the Rust core
(``rxgate._core.call``), so Python gives exactly the answers of the CLI, the npm package
and the service. Verdicts are data (a :class:`Report` with violations, a decision with
reasons); misuse raises a :class:`RxgateError` subclass with a ``code``.

    >>> import rxgate
    >>> report = rxgate.validate("visit", body_bytes)          # doctest: +SKIP
    >>> report.valid, [v.code for v in report.violations]      # doctest: +SKIP

Payloads are accepted as ``dict`` or as JSON ``str``/``bytes`` (parsed in Rust). Dates
default to the business date the CLI uses (today at UTC−10); instants default to now.
"""

from __future__ import annotations

import base64
import datetime as _dt
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Type, TypeVar, Union

from rxgate import _core
from rxgate._errors import (
    InternalError,
    InvalidInput,
    InvalidJson,
    RxgateError,
    SchemaError,
    UnknownOperation,
    error_class,
)
from rxgate._results import (
    AppliedEvent,
    AppliedFacts,
    AssembledOrder,
    BoundaryCheck,
    CallOutcome,
    CancelDecision,
    Diagnosis,
    EventKey,
    EventMatchKeys,
    FlagActionDecision,
    FulfillmentPlan,
    MessagePlan,
    MessageVisibility,
    Normalized,
    OrderParts,
    OrderState,
    ParsedEvent,
    ParsedResponse,
    PatientView,
    PharmacySelection,
    PortalTokenCheck,
    QueuedRoutes,
    Readiness,
    Report,
    Result,
    RetryDecision,
    RouteActionDecision,
    SubmissionPlan,
    SubmitDecision,
    Violation,
    VisitBuild,
    WebhookVerification,
)

__all__ = [
    "AppliedEvent",
    "AppliedFacts",
    "AssembledOrder",
    "BoundaryCheck",
    "CallOutcome",
    "CancelDecision",
    "Diagnosis",
    "EventKey",
    "EventMatchKeys",
    "FlagActionDecision",
    "FulfillmentPlan",
    "InternalError",
    "InvalidInput",
    "InvalidJson",
    "KINDS",
    "MessagePlan",
    "MessageVisibility",
    "Normalized",
    "ORDER_DECISIONS",
    "OrderParts",
    "OrderState",
    "ParsedEvent",
    "ParsedResponse",
    "PatientView",
    "PharmacySelection",
    "PortalTokenCheck",
    "QueuedRoutes",
    "Readiness",
    "Report",
    "Result",
    "RetryDecision",
    "RouteActionDecision",
    "RxgateError",
    "SchemaError",
    "SubmissionPlan",
    "SubmitDecision",
    "UnknownOperation",
    "Violation",
    "VisitBuild",
    "WebhookVerification",
    "apply_event",
    "apply_order_facts",
    "assemble_order",
    "build_message",
    "build_visit",
    "call",
    "check_boundary",
    "check_cancel",
    "check_many",
    "check_portal_token",
    "check_readiness",
    "codes",
    "decide_flag_action",
    "decide_retry",
    "decide_route_action",
    "decide_submit",
    "default_now",
    "default_today",
    "diagnose",
    "event_key",
    "event_match_keys",
    "message_visibility",
    "normalize",
    "normalize_date",
    "normalize_multiple_choice_answer",
    "normalize_multiple_choice_question",
    "normalize_phone",
    "normalize_state",
    "normalize_trim",
    "operations",
    "order_state",
    "parse_event",
    "parse_response",
    "patient_view",
    "plan_submission",
    "queue_routes",
    "record_call_outcome",
    "redact_event",
    "route_fulfillment",
    "select_pharmacy",
    "split_order",
    "validate",
    "validate_chat",
    "validate_cs_message",
    "validate_lab",
    "validate_patient_name",
    "validate_pdf",
    "validate_pharmacy_search",
    "validate_photos",
    "validate_update_visit",
    "validate_visit",
]

__version__: str = _core.CORE_VERSION

#: The body kinds of :func:`validate`, as the CLI names them.
KINDS = (
    "visit", "lab", "photos", "pdf", "chat", "cs-message", "patient-name", "pharmacy-search",
    "update-visit",
)

Payload = Union[Mapping[str, Any], List[Any], str, bytes]
DateLike = Union[_dt.date, str, None]
InstantLike = Union[_dt.datetime, str, int, None]
R = TypeVar("R", bound=Result)

def default_today() -> str:
    """Today's business date (``YYYY-MM-DD`` at UTC−10), the default ``today`` of the CLI.

    The calendar rule is the core's; only the system clock is read here."""
    return _core.default_today()


def default_now() -> str:
    """The current instant as RFC 3339 UTC, the default ``now``."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _today(today: DateLike) -> str:
    if type(today) is str:  # the common case first: one check, not three
        return today
    if today is None:
        return default_today()
    if isinstance(today, _dt.datetime):
        return today.date().isoformat()
    if isinstance(today, _dt.date):
        return today.isoformat()
    return today


def _now(now: InstantLike) -> Union[str, int]:
    if now is None:
        return default_now()
    if isinstance(now, _dt.datetime):
        if now.tzinfo is None:
            raise InvalidInput("`now` must be timezone-aware", "invalid_request", "/now")
        return now.isoformat()
    return now


# --- generic access ----------------------------------------------------------------------

def call(op: str, request: Union[Mapping[str, Any], str, bytes, None] = None) -> Any:
    """Runs any core operation on a request (dict, or JSON text) and answers plain JSON data."""
    return _core.call(op, request)


def operations() -> List[Dict[str, str]]:
    """Every operation of the core: ``[{name, summary}]``."""
    result: List[Dict[str, str]] = _core.call("ops")
    return result


def codes() -> List[Dict[str, Any]]:
    """The registry of violation and decision codes (code, area, meaning, beluga_error, …)."""
    result: List[Dict[str, Any]] = _core.call("codes")
    return result


def _run(cls: Type[R], op: str, document: Any, params: Optional[Dict[str, Any]] = None) -> R:
    return cls(_core.call_document(op, document, params))


def _params(**values: Any) -> Dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


# --- contract ------------------------------------------------------------------------------

#: ``validate(kind, payload, today=None, *, allowed_states=None, max_image_bytes=None)``:
#: native (``_core.validate_report``, whose docstring ``help(rxgate.validate)`` shows), so
#: the call answers a :class:`Report` with no Python frame in between (issue 17).
validate = _core.validate_report


def _validator(kind: str) -> Callable[..., Report]:
    def validate_kind(
        payload: Payload,
        today: DateLike = None,
        *,
        allowed_states: Optional[Sequence[str]] = None,
        max_image_bytes: Optional[int] = None,
    ) -> Report:
        return validate(kind, payload, today, allowed_states=allowed_states, max_image_bytes=max_image_bytes)

    validate_kind.__name__ = "validate_" + kind.replace("-", "_")
    validate_kind.__qualname__ = validate_kind.__name__
    validate_kind.__doc__ = f"Validates a ``{kind}`` body: ``validate({kind!r}, payload, today)``."
    return validate_kind


validate_visit = _validator("visit")
validate_lab = _validator("lab")
validate_photos = _validator("photos")
validate_pdf = _validator("pdf")
validate_chat = _validator("chat")
validate_cs_message = _validator("cs-message")
validate_patient_name = _validator("patient-name")
validate_pharmacy_search = _validator("pharmacy-search")
validate_update_visit = _validator("update-visit")


def normalize(field: str, value: Union[str, Sequence[str]], choices: Optional[Sequence[str]] = None) -> Normalized:
    """Runs a normaliser: ``phone date state trim multiple_choice_question multiple_choice_answer``."""
    request: Dict[str, Any] = {"field": field, "input": value if isinstance(value, str) else list(value)}
    if choices is not None:
        request["choices"] = list(choices)
    return Normalized(_core.call("normalize", request))


def normalize_phone(value: str) -> Normalized:
    """A US phone number as Beluga wants it (10 digits)."""
    return normalize("phone", value)


def normalize_date(value: str) -> Normalized:
    """A date as Beluga wants it."""
    return normalize("date", value)


def normalize_state(value: str) -> Normalized:
    """A US state as its two-letter code."""
    return normalize("state", value)


def normalize_trim(value: str) -> Normalized:
    """Trimmed text."""
    return normalize("trim", value)


def normalize_multiple_choice_question(value: str, choices: Sequence[str]) -> Normalized:
    """A multiple-choice question with its offered choices."""
    return normalize("multiple_choice_question", value, choices)


def normalize_multiple_choice_answer(answers: Sequence[str], choices: Sequence[str]) -> Normalized:
    """The chosen answers of a multiple-choice question, checked against the choices."""
    return normalize("multiple_choice_answer", answers, choices)


def parse_response(
    kind: str,
    status: Optional[int] = None,
    body: Any = None,
    *,
    network_error: Optional[str] = None,
) -> ParsedResponse:
    """Types and classifies a Beluga answer for endpoint ``kind`` (a request kind or
    ``fetch-visit``, …): ``status`` the HTTP status, ``body`` JSON data or text (``bytes``
    are decoded as UTF-8), ``network_error`` when there was no answer."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("`body` bytes are not UTF-8", "invalid_request", "/input/body") from None
    answer = _params(status=status, body=body, network_error=network_error)
    return ParsedResponse(_core.call("parse_response", {"kind": kind, "input": answer}))


# --- order decisions -----------------------------------------------------------------------

Snapshot = Union[Mapping[str, Any], str, bytes]


def _dated(today: DateLike, now: InstantLike) -> Dict[str, Any]:
    if today is not None:
        return {"today": _today(today)}
    return {"now": _now(now)}


def check_readiness(order: Snapshot, *, today: DateLike = None, now: InstantLike = None) -> Readiness:
    """May the order go to Beluga now: ``ready``, ``not_ready`` with reasons, ``not_required``."""
    return _run(Readiness, "check_readiness", order, _dated(today, now))


def decide_submit(order: Snapshot, trigger: str, *, today: DateLike = None, now: InstantLike = None) -> SubmitDecision:
    """Auto-submit for ``trigger`` (``checkout_paid``, ``intake_completed``, …): submit, wait, skip."""
    return _run(SubmitDecision, "decide_submit", order, {"trigger": trigger, **_dated(today, now)})


def decide_retry(order: Snapshot, *, today: DateLike = None, now: InstantLike = None) -> RetryDecision:
    """May staff retry the Beluga submission, and would it still fail."""
    return _run(RetryDecision, "decide_retry", order, _dated(today, now))


def build_visit(order: Snapshot, master_id: str, *, today: DateLike = None, now: InstantLike = None) -> VisitBuild:
    """The createNoPayPhotos (or lab) body for the order, validated."""
    return _run(VisitBuild, "build_visit", order, {"master_id": master_id, **_dated(today, now)})


def select_pharmacy(order: Snapshot) -> PharmacySelection:
    """The Beluga pharmacy by the priority rule."""
    return _run(PharmacySelection, "select_pharmacy", order)


def route_fulfillment(order: Snapshot) -> FulfillmentPlan:
    """The per-item fulfillment routing plan with each route's requirements."""
    return _run(FulfillmentPlan, "route_fulfillment", order)


def check_boundary(order: Snapshot, now: InstantLike = None) -> BoundaryCheck:
    """The prescription boundary per item, and its violations."""
    return _run(BoundaryCheck, "check_boundary", order, {"now": _now(now)})


def order_state(order: Snapshot) -> OrderState:
    """The order's status fields."""
    return _run(OrderState, "order_state", order)


def apply_order_facts(order: Snapshot, facts: Sequence[Mapping[str, Any]]) -> AppliedFacts:
    """Applies facts forward-only; answers the new snapshot and its state."""
    return _run(AppliedFacts, "apply_order_facts", order, {"facts": [dict(f) for f in facts]})


def check_cancel(order: Snapshot, *, reason: Optional[str] = None, confirmed: Optional[bool] = None) -> CancelDecision:
    """May the Beluga visit be cancelled: allowed, needs_confirmation or refused."""
    return _run(CancelDecision, "check_cancel", order, _params(reason=reason, confirmed=confirmed))


def message_visibility(order: Snapshot) -> MessageVisibility:
    """Message channels and visibility, checked against the snapshot's activities."""
    return _run(MessageVisibility, "message_visibility", order)


def patient_view(order: Snapshot, now: InstantLike = None) -> PatientView:
    """The order as its patient may see it."""
    return _run(PatientView, "patient_view", order, {"now": _now(now)})


def diagnose(order: Snapshot, now: InstantLike = None) -> Diagnosis:
    """Stage, blockers, next action and actor, escalations of a stuck order."""
    return _run(Diagnosis, "diagnose", order, {"now": _now(now)})


# --- partner calls -------------------------------------------------------------------------

def plan_submission(
    order: Snapshot,
    master_id: str,
    *,
    trigger: Optional[str] = None,
    manual: bool = False,
    attempt: int = 0,
    now: InstantLike = None,
) -> SubmissionPlan:
    """Plans a Beluga submission for ``trigger`` (auto-submit) or a staff retry
    (``manual=True``, no trigger): ``submit`` with the ``call`` to queue, else ``wait``/``skip``.
    ``master_id`` is a fresh candidate, used only when the order has none; ``attempt`` counts
    the submit calls already queued (the dedupe key's suffix)."""
    params = _params(trigger=trigger, master_id=master_id, now=_now(now))
    params.update(manual=manual, attempt=attempt)
    return _run(SubmissionPlan, "plan_submission", order, params)


def record_call_outcome(
    order: Snapshot, call: Mapping[str, Any], answer: Mapping[str, Any], now: InstantLike = None
) -> CallOutcome:
    """What a partner's ``answer`` (``{status, body, network_error?}`` or ``{unsendable}``) to
    ``call`` (``{kind, endpoint?, pharmacy_id?, item_ids?, attempt, max_attempts}``) means:
    classification, disposition, the facts applied to the snapshot, follow-up calls."""
    return _run(CallOutcome, "record_call_outcome", order, {"call": dict(call), "answer": dict(answer), "now": _now(now)})


def build_message(
    order: Snapshot, to: str, content: str, master_id: str, images: Optional[Sequence[str]] = None
) -> MessagePlan:
    """A message to Beluga: ``to="cs"`` (Beluga admin, internal) or ``"patient"`` (the
    patient's chat reply to the doctor, with optional base64 JPEG ``images``: one ``isMedia``
    call each); the calls and the activity, or ``violations``."""
    params: Dict[str, Any] = {"to": to, "content": content, "master_id": master_id}
    if images is not None:
        params["images"] = list(images)
    return _run(MessagePlan, "build_message", order, params)
def queue_routes(order: Snapshot, now: InstantLike = None) -> QueuedRoutes:
    """The pharmacy submissions to queue now: every route that is ready and not yet sent,
    each under its stable outbox key (the same on every re-evaluation: queued once)."""
    return _run(QueuedRoutes, "queue_routes", order, {"now": _now(now)})


def decide_route_action(
    order: Snapshot, action: str, pharmacy_id: str, *, reason: Optional[str] = None, now: InstantLike = None
) -> RouteActionDecision:
    """A staff ``action`` on one pharmacy route: ``"retry"`` (a FAILED route after its cause is
    fixed) or ``"force"`` (re-send an accepted one; ``reason`` required). Never past a block
    or the prescription boundary."""
    params = _params(action=action, pharmacy_id=pharmacy_id, reason=reason)
    params["now"] = _now(now)
    return _run(RouteActionDecision, "decide_route_action", order, params)


def decide_flag_action(
    order: Snapshot,
    action: str,
    code: str,
    by: str,
    *,
    raised_at: Optional[str] = None,
    reason: Optional[str] = None,
    now: InstantLike = None,
) -> FlagActionDecision:
    """Staff ``action`` (``"acknowledged"`` or ``"resolved"``) on the flag ``code`` raised at
    ``raised_at``, by the actor ``by``, with a ``reason``: the ``flag_settled`` fact to apply,
    or the reasons it is refused."""
    params = _params(action=action, code=code, by=by, raised_at=raised_at, reason=reason)
    params["now"] = _now(now)
    return _run(FlagActionDecision, "decide_flag_action", order, params)


def split_order(order: Snapshot, activities_recorded: Optional[bool] = None) -> OrderParts:
    """Splits a snapshot into the clinic's input and the members rxgate owns.

    ``activities_recorded=True`` when the caller keeps the activities in a store of its own
    (as the service does): they are then left out of rxgate's part and handed back to
    :func:`assemble_order` as its ``activities``."""
    return _run(OrderParts, "split_order", order, _params(activities_recorded=activities_recorded))


def assemble_order(
    clinic: Mapping[str, Any],
    rxgate: Mapping[str, Any],
    integration: Mapping[str, Any],
    activities: Optional[Iterable[Mapping[str, Any]]] = None,
) -> AssembledOrder:
    """The snapshot the rules read: the clinic's input, rxgate's owned members (the order
    status joined by rank) and the service's integration facts (``beluga_api_key_configured``,
    ``beluga_company``, ``environment``, ``dispense_pro_configured``, ``pharmacies``).
    ``activities``: the activities the caller stored for the order, oldest first; when given
    they are the snapshot's ``activities`` in place of any ``rxgate`` holds."""

    def plain(value: Any) -> Any:
        return dict(value) if isinstance(value, Mapping) else value

    request = {"clinic": plain(clinic), "rxgate": plain(rxgate), "integration": plain(integration)}
    if activities is not None:
        request["activities"] = [plain(a) for a in activities]
    return AssembledOrder(_core.call("assemble_order", request))


#: Decisions :func:`check_many` and ``rxgate-py`` run on a bare snapshot, with their result
#: class and whether they take the clock (``now``).
ORDER_DECISIONS: Dict[str, Tuple[Type[Result], bool]] = {
    "check_readiness": (Readiness, True),
    "decide_retry": (RetryDecision, True),
    "select_pharmacy": (PharmacySelection, False),
    "route_fulfillment": (FulfillmentPlan, False),
    "check_boundary": (BoundaryCheck, True),
    "order_state": (OrderState, False),
    "check_cancel": (CancelDecision, False),
    "message_visibility": (MessageVisibility, False),
    "patient_view": (PatientView, True),
    "diagnose": (Diagnosis, True),
}


def check_many(
    snapshots: Iterable[Snapshot],
    decision: str = "diagnose",
    *,
    now: InstantLike = None,
    **params: Any,
) -> List[Union[Result, RxgateError]]:
    """Runs one order ``decision`` over many snapshots in Rust, without holding the GIL.

    Snapshots are dicts or JSON ``str``/``bytes`` lines (parsed in Rust). Answers one entry
    per snapshot, in order: the typed result, or the :class:`RxgateError` (not raised) for a
    snapshot that is not JSON or does not match the schema. Extra keyword ``params`` go into
    every request (``trigger=`` for ``decide_submit``, ``reason=`` for ``check_cancel``,
    ``today=`` instead of ``now`` for the readiness decisions).
    """
    return [result for result, _ in _check_many_tagged(snapshots, decision, now, None, params)]


def _check_many_tagged(
    snapshots: Iterable[Snapshot],
    decision: str,
    now: InstantLike,
    label: Optional[str],
    params: Mapping[str, Any],
) -> List[Tuple[Union[Result, RxgateError], Any]]:
    """:func:`check_many`, each entry paired with the value at JSON Pointer ``label`` of its
    snapshot (the CLI's order number column)."""
    if decision == "decide_submit":
        cls: Type[Result] = SubmitDecision
        timed = True
    elif decision in ORDER_DECISIONS:
        cls, timed = ORDER_DECISIONS[decision]
    else:
        raise InvalidInput(
            f"unknown decision `{decision}`; one of {', '.join(sorted(ORDER_DECISIONS))}, decide_submit",
            "invalid_request",
            "/decision",
        )
    request = dict(params)
    if request.get("today") is not None:
        request["today"] = _today(request["today"])
    elif timed:
        request["now"] = _now(now)
    return _tagged(cls, _core.check_many(decision, snapshots, request, label))


def _tagged(cls: Type[Result], entries: Iterable[Tuple[bool, Any, Any]]) -> List[Tuple[Union[Result, RxgateError], Any]]:
    """``_core.check_many``'s entries as typed results of ``cls`` or errors (not raised)."""
    out: List[Tuple[Union[Result, RxgateError], Any]] = []
    for ok, value, tag in entries:
        if ok:
            out.append((cls(value), tag))
        else:
            code, message, path = value
            out.append((error_class(code)(message, code, path), tag))
    return out


# --- events --------------------------------------------------------------------------------

def parse_event(source: str, body: Payload, *, body_bytes: Optional[int] = None) -> ParsedEvent:
    """A partner webhook body (``beluga``, ``lifefile``, ``dispensepro``, ``pharmacy``) into
    a typed event, or every violation. ``body_bytes`` is the raw body's size for the size
    limits; it defaults to ``len(body)`` when the body is given as ``bytes``."""
    if body_bytes is None and isinstance(body, (bytes, bytearray)):
        body_bytes = len(body)
    return _run(ParsedEvent, "parse_event", body, _params(source=source, body_bytes=body_bytes))


def verify_webhook(
    source: str,
    headers: Mapping[str, str],
    body: Union[bytes, str],
    config: Mapping[str, Any],
    now: InstantLike = None,
) -> WebhookVerification:
    """Authenticates a webhook request from its headers and exact raw body."""
    request: Dict[str, Any] = {"source": source, "headers": dict(headers), "config": dict(config)}
    if isinstance(body, str):
        request["body"] = body
    else:
        request["body_base64"] = base64.b64encode(bytes(body)).decode("ascii")
    request["now"] = _now(now)
    return WebhookVerification(_core.call("verify_webhook", request))


def event_key(source: str, body: Payload, *, pharmacy_id: Optional[str] = None, webhook_id: Optional[str] = None) -> EventKey:
    """The idempotency key(s) of a webhook body."""
    return _run(EventKey, "event_key", body, _params(source=source, pharmacy_id=pharmacy_id, webhook_id=webhook_id))


def apply_event(
    source: str,
    body: Payload,
    order: Mapping[str, Any],
    *,
    state: Optional[Mapping[str, Any]] = None,
    now: InstantLike = None,
    pharmacy_id: Optional[str] = None,
    webhook_id: Optional[str] = None,
) -> AppliedEvent:
    """What a webhook event changes on an order: new snapshot and state, records, audit."""
    params = _params(
        source=source, order=dict(order), state=dict(state) if state is not None else None,
        pharmacy_id=pharmacy_id, webhook_id=webhook_id,
    )
    params["now"] = _now(now)
    return _run(AppliedEvent, "apply_event", body, params)


def event_match_keys(source: str, body: Payload) -> EventMatchKeys:
    """The keys that tie a webhook body to its order (Beluga masterId; LifeFile order ids;
    DispensePro externalId; OWN externalOrderId), for events that arrive before their order."""
    return _run(EventMatchKeys, "event_match_keys", body, {"source": source})


def check_portal_token(token: str, secret: str, now: InstantLike = None) -> PortalTokenCheck:
    """Whether a patient portal ``token`` was signed with ``secret`` and is still valid, and the
    patient it is bound to. Neither the token nor the secret appears in a repr or an error."""
    return PortalTokenCheck(_core.call("check_portal_token", {"token": token, "secret": secret, "now": _now(now)}))


def redact_event(source: str, body: Payload) -> Dict[str, Any]:
    """The audit/log form of a webhook body with patient data removed."""
    result: Dict[str, Any] = _core.call_document("redact_event", body, {"source": source})
    return result
