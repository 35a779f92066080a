"""The exception hierarchy of :mod:`rxgate`.

Verdicts (an invalid body, a refused cancel) are data; only misuse raises. Every exception
is a :class:`RxgateError` (itself a :class:`ValueError`) carrying the core's snake_case
``code`` and, when known, the JSON Pointer ``path`` of the offending request part.
Messages come from the core and never contain input values.
"""

from __future__ import annotations

from typing import Dict, Optional, Type


class RxgateError(ValueError):
    """Misuse of rxgate: the base of every exception the module raises."""

    code: str
    path: Optional[str]

    def __init__(self, message: str, code: str = "internal", path: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (str(self), self.code, self.path))


class InvalidInput(RxgateError):
    """A missing or wrong-typed parameter, or a value JSON cannot hold (``invalid_request``)."""


class InvalidJson(InvalidInput):
    """Text given as JSON is not JSON (``invalid_json``); the message gives the position."""


class SchemaError(RxgateError):
    """A document does not match rxgate's own schema, e.g. an order snapshot (``schema_error``)."""


class UnknownOperation(RxgateError):
    """The core has no operation of that name (``unknown_op``)."""


class InternalError(RxgateError):
    """A fault inside rxgate, never the caller's fault (``internal``)."""


_BY_CODE: Dict[str, Type[RxgateError]] = {
    "invalid_request": InvalidInput,
    "invalid_json": InvalidJson,
    "schema_error": SchemaError,
    "unknown_op": UnknownOperation,
    "internal": InternalError,
}


def error_class(code: str) -> Type[RxgateError]:
    """The exception class for a core error code (:class:`RxgateError` for a new code)."""
    return _BY_CODE.get(code, RxgateError)
