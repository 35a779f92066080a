"""Typed, frozen result classes over the core's JSON answers.

Each class wraps the exact answer of one core operation. Declared fields are attributes
(``report.valid``, ``decision.reasons``); violation lists become tuples of
:class:`Violation`; any other key the core adds later is still readable as an attribute.
``to_dict()`` returns a fresh deep copy of the answer, byte for byte what the CLI prints.
``repr()`` shows only the fields a class marks as safe: order snapshots and patient
messages (patient data) never appear in logs through a repr.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar, Dict, Iterator, Mapping, Optional, Tuple

from . import _core


class Result(_core.Answer):
    """Base of every result class: frozen, attribute access, ``to_dict()``.

    The answer dict and the cache of converted fields live in the native base
    (``_core.Answer``: ``_data``, ``_converted``), built with no Python frame.
    """

    __slots__ = ()

    #: Fields holding lists of violations, returned as tuples of :class:`Violation`.
    _violation_fields: ClassVar[Tuple[str, ...]] = ()
    #: Fields holding a nested result, with its class.
    _nested: ClassVar[Mapping[str, type]] = {}
    #: Fields shown by ``repr`` (never patient data).
    _repr_fields: ClassVar[Tuple[str, ...]] = ()
    #: Fields read as ``None`` when the answer omits them.
    _optional_fields: ClassVar[Tuple[str, ...]] = ()
    #: List fields read as ``[]`` when the answer omits them (the core skips empty lists).
    _list_fields: ClassVar[Tuple[str, ...]] = ()
    #: Other fields every answer of the class carries.
    _plain_fields: ClassVar[Tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every field a class declares is found by the class's own attribute lookup (a
        # `_Field`); only undeclared keys reach `__getattr__`, which Python calls after
        # building and dropping an AttributeError: 1.1 µs for `report.valid`, against about
        # 0.15 µs through a Python descriptor and less through the native one (issue 17).
        # Violation tuples and nested results are built on first access (then kept in
        # `_converted`): a result nobody reads beyond ``valid`` costs one object.
        special = set(cls._violation_fields) | set(cls._nested) | set(cls._list_fields)
        declared = (
            cls._violation_fields
            + tuple(cls._nested)
            + cls._list_fields
            + cls._repr_fields
            + cls._optional_fields
            + cls._plain_fields
        )
        for name in declared:
            if not any(name in vars(klass) for klass in cls.__mro__):
                # A violation list is read by the field itself, as a tuple of `Violation`s.
                items = Violation if name in cls._violation_fields else None
                setattr(cls, name, _Field(name, name not in special, items))

    def __getattr__(self, name: str) -> Any:
        converted: Optional[Dict[str, Any]] = _get_converted(self)
        if converted is not None and name in converted:
            return converted[name]
        data: Dict[str, Any] = _get_data(self)
        if name in data:
            value = data[name]
            # A violation list is converted by its field (`_core.Field`), never here.
            if name in self._nested and isinstance(value, dict):
                value = self._keep(name, self._nested[name](value))
            return value
        if name in self._optional_fields:
            return None
        if name in self._list_fields:
            return []
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self._data == other._data)

    __hash__ = None  # type: ignore[assignment]

    def __dir__(self) -> Iterator[str]:
        return iter(sorted(set(super().__dir__()) | set(self._data)))

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={self._data.get(k)!r}" for k in self._repr_fields if k in self._data)
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> Tuple[type, Tuple[Dict[str, Any]]]:
        return (type(self), (self._data,))

    def to_dict(self) -> Dict[str, Any]:
        """The core's answer as plain JSON data (a fresh copy)."""
        return copy.deepcopy(self._data)


_get_data = _core.Answer._data.__get__
_get_converted = _core.Answer._converted.__get__

#: A declared field of a result class (native, ``_core.Field``): what `Result.__getattr__`
#: answers for it, found without the failed lookup that precedes `__getattr__`; a plain field
#: present in the answer is read straight from it, a violation list converted (and kept) by
#: the field itself.
_Field = _core.Field


class Violation(Result):
    """One broken rule: ``code``, JSON Pointer ``path``, ``message``, ``beluga_error``."""

    __slots__ = ()
    _repr_fields = ("code", "path")
    _plain_fields = ("message", "beluga_error")


class Report(Result):
    """A validation report: ``valid``, ``violations``, ``warnings``."""

    __slots__ = ()
    _violation_fields = ("violations", "warnings")
    _repr_fields = ("valid",)

    @property
    def codes(self) -> Tuple[str, ...]:
        """The sorted unique violation codes."""
        return tuple(sorted({v.code for v in self.violations}))

    @property
    def beluga_errors(self) -> Tuple[str, ...]:
        """The sorted unique Beluga error strings the violations would cause."""
        return tuple(sorted({v.beluga_error for v in self.violations if v.beluga_error is not None}))

    def __repr__(self) -> str:
        return f"Report(valid={self._data.get('valid')!r}, codes={list(self.codes)!r})"


class Normalized(Result):
    """A normaliser's answer: ``valid`` with ``value``, or ``code`` and ``message``."""

    __slots__ = ()
    _repr_fields = ("valid", "code")
    _optional_fields = ("value", "code", "message")


class ParsedResponse(Result):
    """A classified Beluga answer: ``outcome``, ``classification``, ``guidance``, ``data``."""

    __slots__ = ()
    _repr_fields = ("endpoint", "outcome", "classification")
    _optional_fields = ("beluga_error", "data")


class Readiness(Result):
    """``check_readiness``: ``status`` (ready, not_ready, not_required), ``ready``, ``reasons``."""

    __slots__ = ()
    _repr_fields = ("kind", "status", "ready")
    _optional_fields = ("kind",)


class SubmitDecision(Result):
    """``decide_submit``: ``decision`` (submit, wait, skip) with ``reasons``."""

    __slots__ = ()
    _repr_fields = ("trigger", "decision", "kind")
    _optional_fields = ("master_id", "kind")


class RetryDecision(Result):
    """``decide_retry``: ``allowed``, ``would_succeed``, ``reasons``."""

    __slots__ = ()
    _repr_fields = ("allowed", "would_succeed")
    _optional_fields = ("master_id",)


class VisitBuild(Result):
    """``build_visit``: the request ``body`` when ``valid``, else ``violations``/``reasons``."""

    __slots__ = ()
    _violation_fields = ("violations", "warnings")
    _repr_fields = ("kind", "endpoint", "valid")
    _optional_fields = ("body",)


class PharmacySelection(Result):
    """``select_pharmacy``: the pharmacy chosen by the priority rule."""

    __slots__ = ()
    _repr_fields = ("selected", "pharmacy_id", "pharmacy_type", "source")


class FulfillmentPlan(Result):
    """``route_fulfillment``: per-item ``routes``, ``split_required``, ``ready``."""

    __slots__ = ()
    _repr_fields = ("ready", "split_required", "escalate")


class BoundaryCheck(Result):
    """``check_boundary``: the prescription boundary per item; ``violations`` and ``warnings``
    are decision reasons (``{code, message, actor, ...}``: no JSON Pointer ``path``), so they
    stay plain dicts, not :class:`Violation`."""

    __slots__ = ()
    _repr_fields = ("confirmed", "escalate")


class OrderState(Result):
    """``order_state``: the order's status fields."""

    __slots__ = ()
    _repr_fields = ("order_status", "submit_status", "visit_status", "resolved_status")


class AppliedFacts(Result):
    """``apply_order_facts``: the updated ``snapshot`` and its ``state``."""

    __slots__ = ()
    _nested = {"state": OrderState}
    _repr_fields = ()

    def __repr__(self) -> str:
        return f"AppliedFacts(state={self.state!r})"


class CancelDecision(Result):
    """``check_cancel``: ``decision`` (allowed, needs_confirmation, refused), consequences."""

    __slots__ = ()
    _repr_fields = ("decision", "escalate_first")


class MessageVisibility(Result):
    """``message_visibility``: channels, visibility rules and issues."""

    __slots__ = ()
    _repr_fields = ("escalate",)


class PatientView(Result):
    """``patient_view``: the order as its patient may see it."""

    __slots__ = ()
    _repr_fields = ("stage", "order_number")
    _optional_fields = ("tracking", "appointment")


class Diagnosis(Result):
    """``diagnose``: ``stage``, ``state``, ``blockers``, ``next_action``, ``escalations``."""

    __slots__ = ()
    _repr_fields = ("stage", "state", "escalate")
    _optional_fields = ("bundle",)


class OrderParts(Result):
    """``split_order``: the ``clinic``'s input and the members ``rxgate`` owns (both PHI)."""

    __slots__ = ()
    _repr_fields = ()


class AssembledOrder(Result):
    """``assemble_order``: the ``snapshot`` the rules read (PHI)."""

    __slots__ = ()
    _repr_fields = ()


class ParsedEvent(Result):
    """``parse_event``: the typed ``event``, or ``violations``."""

    __slots__ = ()
    _violation_fields = ("violations",)
    _repr_fields = ("source", "valid", "unknown")
    _optional_fields = ("event",)


class WebhookVerification(Result):
    """``verify_webhook``: ``authenticated``, ``scheme``, violations and warnings."""

    __slots__ = ()
    _violation_fields = ("violations", "warnings")
    _repr_fields = ("authenticated", "scheme", "unsigned", "http_status")


class EventKey(Result):
    """``event_key``: the idempotency ``key`` and every alternative in ``keys``."""

    __slots__ = ()
    _repr_fields = ("key",)


class AppliedEvent(Result):
    """``apply_event``: what an event changes: state, records, notifications, audit.

    The answer is the core's ``EventAnswer``: an applied event (``valid`` true) or a rejected
    one (``valid`` false: only ``outcome`` "rejected", ``violations`` and ``keys``). On a
    rejected event ``matched``, ``duplicate``, ``changed``, ``order_state`` and ``audit`` read
    ``None`` and the lists read ``[]``."""

    __slots__ = ()
    _nested = {"order_state": OrderState}
    _repr_fields = ("valid", "matched", "duplicate", "changed")
    _optional_fields = ("matched", "duplicate", "changed", "order_state", "audit")
    _list_fields = ("facts", "notifications", "violations", "keys")


class SubmissionPlan(Result):
    """``plan_submission``: ``decision`` (submit, wait, skip), ``violations``, the ``call`` to
    queue and the ``facts`` to store first."""

    __slots__ = ()
    _optional_fields = ("master_id", "call")
    _repr_fields = ("decision", "master_id")


class CallOutcome(Result):
    """``record_call_outcome``: ``classification``, ``disposition``, the ``snapshot`` with the
    ``facts`` applied, ``follow_up`` calls and the ``error``."""

    __slots__ = ()
    _optional_fields = ("error",)
    _repr_fields = ("classification", "disposition")


class MessagePlan(Result):
    """``build_message``: ``valid``; the ``calls`` and the ``activity``, or ``violations``."""

    __slots__ = ()
    _optional_fields = ("activity",)
    _list_fields = ("calls",)
    _repr_fields = ("valid",)


class QueuedRoutes(Result):
    """``queue_routes``: the pharmacy submissions to queue now, each under its stable key."""

    __slots__ = ()
    _list_fields = ("outbox",)


class RouteActionDecision(Result):
    """``decide_route_action``: whether a staff retry or force of one route is ``allowed``,
    the ``reasons`` when not, the route's status and the submission to queue."""

    __slots__ = ()
    _optional_fields = ("route_status", "outbox")
    _list_fields = ("reasons",)
    _repr_fields = ("action", "pharmacy_id", "allowed", "route_status")


class FlagActionDecision(Result):
    """``decide_flag_action``: whether staff may acknowledge or resolve a flag, the
    ``reasons`` when not, and the ``fact`` to apply."""

    __slots__ = ()
    _optional_fields = ("fact",)
    _list_fields = ("reasons",)
    _repr_fields = ("action", "code", "allowed")


class EventMatchKeys(Result):
    """``event_match_keys``: the keys that tie a webhook body to its order."""

    __slots__ = ()
    _list_fields = ("keys",)


class PortalTokenCheck(Result):
    """``check_portal_token``: ``valid`` and, when valid, the ``patient_id`` it is bound to."""

    __slots__ = ()
    _optional_fields = ("patient_id",)
    _repr_fields = ("valid",)
