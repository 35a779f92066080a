"""Stubs of the native module `rxgate._core` (private: use the `rxgate` package)."""

import datetime as _dt
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from rxgate._results import Report

CORE_VERSION: str

def call(op: str, request: Union[Mapping[str, Any], str, bytes, None] = ...) -> Any: ...
def call_document(op: str, document: Any, params: Optional[Dict[str, Any]] = ...) -> Any: ...
def validate_report(
    kind: str,
    payload: Any,
    today: Union[_dt.date, str, None] = ...,
    *,
    allowed_states: Optional[Iterable[str]] = ...,
    max_image_bytes: Optional[int] = ...,
) -> Report: ...
def default_today() -> str: ...
def check_many(
    op: str, documents: Iterable[Any], params: Optional[Dict[str, Any]] = ..., label: Optional[str] = ...
) -> List[Tuple[bool, Any, Any]]: ...

class Answer:
    """The native base of the result classes: the core's answer and the converted fields."""

    def __init__(self, data: Dict[str, Any]) -> None: ...
    @property
    def _data(self) -> Dict[str, Any]: ...
    @property
    def _converted(self) -> Optional[Dict[str, Any]]: ...
    def _keep(self, name: str, value: Any) -> Any: ...

class Field:
    """A declared field of a result class (a descriptor)."""

    name: str
    plain: bool
    def __init__(self, name: str, plain: bool, items: Optional[type] = ...) -> None: ...
    def __get__(self, obj: Optional[Answer], owner: Optional[type] = ...) -> Any: ...
