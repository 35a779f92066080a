# Generated from the core's op table by `cargo run -p rxgate-core --example gen_bindings`.
# Do not edit: change the core's types and regenerate (CI fails when this file is stale).
"""One typed function per operation of the core's table: a `TypedDict` request in, the
operation's typed answer out (plain data, as `rxgate.call` answers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Tuple, TypedDict, Union, cast

from rxgate import call

if TYPE_CHECKING:
    from rxgate._types import *  # noqa: F403


def codes(request: "NoRequest") -> List["CodeInfo"]:
    """the registry of violation and decision codes"""
    return cast("List[CodeInfo]", call("codes", request))


def ops(request: "NoRequest") -> List["OpInfo"]:
    """the list of operations of this API"""
    return cast("List[OpInfo]", call("ops", request))


def validate(request: "ValidateRequest") -> "Report":
    """validates an outbound Beluga body: {valid, violations, warnings} ({kind, input, today? (else now? at UTC−10), allowed_states?, max_image_bytes?})"""
    return cast("Report", call("validate", request))


def validate_text(request: "ValidateTextRequest") -> "Report":
    """as validate, the body given as JSON text parsed inside the core, the fast path ({kind, text, today? or now?, allowed_states?})"""
    return cast("Report", call("validate_text", request))


def normalize(request: "NormalizeRequest") -> "NormalizeAnswer":
    """a normaliser: phone, date, state, trim, multiple_choice_question, multiple_choice_answer ({field, input, choices?})"""
    return cast("NormalizeAnswer", call("normalize", request))


def parse_response(request: "ParseResponseRequest") -> "ParsedResponse":
    """types and classifies a Beluga answer ({kind, input: {status, body, network_error?}})"""
    return cast("ParsedResponse", call("parse_response", request))


def check_readiness(request: "DatedOrderRequest") -> "Readiness":
    """may the order go to Beluga now: ready, not_ready with reasons, or not_required ({input, today|now})"""
    return cast("Readiness", call("check_readiness", request))


def decide_submit(request: "DecideSubmitRequest") -> "SubmitDecision":
    """auto-submit for a trigger: submit, wait(reasons) or skip ({input, trigger, today|now})"""
    return cast("SubmitDecision", call("decide_submit", request))


def decide_retry(request: "DatedOrderRequest") -> "RetryDecision":
    """may staff retry the Beluga submission, and would it still fail ({input, today|now})"""
    return cast("RetryDecision", call("decide_retry", request))


def build_visit(request: "BuildVisitRequest") -> "BuiltVisit":
    """the createNoPayPhotos (or lab) body, validated; violations instead when invalid ({input, master_id, today|now})"""
    return cast("BuiltVisit", call("build_visit", request))


def select_pharmacy(request: "OrderRequest") -> "PharmacySelection":
    """the Beluga pharmacy by the priority rule ({input})"""
    return cast("PharmacySelection", call("select_pharmacy", request))


def route_fulfillment(request: "OrderRequest") -> "RoutePlan":
    """the per-item fulfillment routing plan with each route's requirements ({input})"""
    return cast("RoutePlan", call("route_fulfillment", request))


def queue_routes(request: "TimedOrderRequest") -> "QueuedRoutes":
    """the partner submission of every ready fulfillment route, each under its stable outbox key ({input, now})"""
    return cast("QueuedRoutes", call("queue_routes", request))


def decide_route_action(request: "RouteActionRequest") -> "RouteActionDecision":
    """whether staff may retry (a FAILED route, its cause fixed) or force (with a reason; never past a block or the boundary) one fulfillment route, and the submission to queue ({input, action, pharmacy_id, reason?, now})"""
    return cast("RouteActionDecision", call("decide_route_action", request))


def decide_dispensepro_action(request: "DispenseProActionRequest") -> "DispenseProActionDecision":
    """whether staff may get the status of, refill or void the order DispensePro accepted for one route (the prescription boundary, then the order's state), and the partner call to make ({input, action, pharmacy_id, reason?})"""
    return cast("DispenseProActionDecision", call("decide_dispensepro_action", request))


def record_dispensepro_action(request: "RecordDispenseProActionRequest") -> "DispenseProActionOutcome":
    """what DispensePro's answer to a manual action means: class, its status of the order, the facts that update the route's submission, the snapshot after ({input, action, pharmacy_id, by?, answer, now})"""
    return cast("DispenseProActionOutcome", call("record_dispensepro_action", request))


def decide_flag_action(request: "FlagActionRequest") -> "FlagActionDecision":
    """whether staff may acknowledge or resolve one flag (with a reason; a resolved flag is final), and the fact that records it ({input, action, code, raised_at?, reason, by, now})"""
    return cast("FlagActionDecision", call("decide_flag_action", request))


def check_boundary(request: "TimedOrderRequest") -> "BoundaryReport":
    """the prescription boundary per item, and violations ({input, now})"""
    return cast("BoundaryReport", call("check_boundary", request))


def order_state(request: "OrderRequest") -> "OrderState":
    """the order's status fields ({input})"""
    return cast("OrderState", call("order_state", request))


def apply_order_facts(request: "ApplyOrderFactsRequest") -> "AppliedFacts":
    """applies facts forward-only; answers the snapshot and its state ({input, facts})"""
    return cast("AppliedFacts", call("apply_order_facts", request))


def check_cancel(request: "CheckCancelRequest") -> "CancelDecision":
    """may the Beluga visit be cancelled: allowed, needs_confirmation or refused, with consequences ({input, reason?, confirmed?})"""
    return cast("CancelDecision", call("check_cancel", request))


def message_visibility(request: "OrderRequest") -> "MessageVisibility":
    """message channels and visibility, checked against the snapshot's activities ({input})"""
    return cast("MessageVisibility", call("message_visibility", request))


def patient_view(request: "TimedOrderRequest") -> "PatientView":
    """the order as its patient may see it ({input, now})"""
    return cast("PatientView", call("patient_view", request))


def diagnose(request: "TimedOrderRequest") -> "Diagnosis":
    """stage, blockers, next action and actor, escalations and bundle ({input, now})"""
    return cast("Diagnosis", call("diagnose", request))


def split_order(request: "SplitOrderRequest") -> "SplitOrder":
    """splits an order snapshot into the clinic's input and the members rxgate owns ({input} → {clinic, rxgate})"""
    return cast("SplitOrder", call("split_order", request))


def assemble_order(request: "AssembleOrderRequest") -> "AssembledOrder":
    """the snapshot the rules read: the clinic's input, rxgate's owned members, the status join and the service's integration facts ({clinic, rxgate, integration} → {snapshot})"""
    return cast("AssembledOrder", call("assemble_order", request))


def plan_submission(request: "PlanSubmissionRequest") -> "SubmissionPlan":
    """plan a Beluga submission for a trigger or a staff retry: submit with the call to queue, or wait/skip with violations ({input, trigger?, manual, master_id, attempt, now})"""
    return cast("SubmissionPlan", call("plan_submission", request))


def record_call_outcome(request: "RecordCallOutcomeRequest") -> "CallOutcome":
    """what a partner call's answer means: classification, disposition, facts applied to the snapshot, follow-up calls, error ({input, call, answer, now})"""
    return cast("CallOutcome", call("record_call_outcome", request))


def plan_visit_fetch(request: "PlanVisitFetchRequest") -> "VisitFetchPlan":
    """when to fetch a submitted visit's status next: only open visits, faster while new, slower with age and fruitless fetches, jittered by the host's draw, capped; and whether the status changed since the last plan ({input, seen?, attempt, jitter, schedule?, now})"""
    return cast("VisitFetchPlan", call("plan_visit_fetch", request))


def build_message(request: "BuildMessageRequest") -> "MessagePlan":
    """a chat or CS message to Beluga: the calls to queue (one more per chat image) and the activity, or violations ({input, to, content, master_id, images?})"""
    return cast("MessagePlan", call("build_message", request))


def decide_beluga_call_retry(request: "BelugaCallRetryRequest") -> "BelugaCallRetry":
    """may staff re-arm each parked Beluga call of the order after a fix: one retry_beluga_call verdict per Beluga call, with its call_id ({input, calls: [{id, kind, status, last_error?}]})"""
    return cast("BelugaCallRetry", call("decide_beluga_call_retry", request))


def decide_erase(request: "DecideEraseRequest") -> "EraseDecision":
    """may an admin erase one patient's data now: refused while partner calls of the patient's orders are in flight unless forced with a reason ({calls: [{order_id, kind, status}], force?, reason?})"""
    return cast("EraseDecision", call("decide_erase", request))


def parse_event(request: "ParseEventRequest") -> "ParseOutcome":
    """a partner webhook body into a typed event, or every violation ({source, input, body_bytes?})"""
    return cast("ParseOutcome", call("parse_event", request))


def verify_webhook(request: "VerifyWebhookRequest") -> "AuthOutcome":
    """authenticate a webhook request: headers, raw body, configured secrets, now ({source, headers, body|body_base64, config, now})"""
    return cast("AuthOutcome", call("verify_webhook", request))


def check_portal_token(request: "CheckPortalTokenRequest") -> "PortalTokenCheck":
    """a patient portal token: the patient it binds when its HMAC is the secret's, unexpired and at most an hour ahead ({token, secret, now})"""
    return cast("PortalTokenCheck", call("check_portal_token", request))


def event_key(request: "EventKeyRequest") -> "EventKeys":
    """the idempotency key(s) of a webhook body ({source, input, pharmacy_id?, webhook_id?})"""
    return cast("EventKeys", call("event_key", request))


def event_match_keys(request: "EventMatchKeysRequest") -> "EventMatchKeys":
    """the keys an order matches a stored event by, tried in order and indexing an unmatched event: m:<masterId> (Beluga); o:<id> then m:<id> for LifeFile referenceId/foreignOrderId/orderId per line, DispensePro order.externalId, OWN order.externalOrderId ({source, input})"""
    return cast("EventMatchKeys", call("event_match_keys", request))


def apply_event(request: "ApplyEventRequest") -> "EventAnswer":
    """what an event changes: new snapshot and state, records, activities, notifications, outbox, flags, audit ({source, input, order, state?, now, pharmacy_id?, webhook_id?})"""
    return cast("EventAnswer", call("apply_event", request))


def redact_event(request: "RedactEventRequest") -> "JsonValue":
    """the audit/log form of a webhook body with PHI removed ({source, input})"""
    return cast("JsonValue", call("redact_event", request))


__all__ = ["codes", "ops", "validate", "validate_text", "normalize", "parse_response", "check_readiness", "decide_submit", "decide_retry", "build_visit", "select_pharmacy", "route_fulfillment", "queue_routes", "decide_route_action", "decide_dispensepro_action", "record_dispensepro_action", "decide_flag_action", "check_boundary", "order_state", "apply_order_facts", "check_cancel", "message_visibility", "patient_view", "diagnose", "split_order", "assemble_order", "plan_submission", "record_call_outcome", "plan_visit_fetch", "build_message", "decide_beluga_call_retry", "decide_erase", "parse_event", "verify_webhook", "check_portal_token", "event_key", "event_match_keys", "apply_event", "redact_event"]
