"""Stubs of the native module `rxgate._core` (private: use the `rxgate` package)."""

from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

CORE_VERSION: str

def call(op: str, request: Union[Mapping[str, Any], str, bytes, None] = ...) -> Any: ...
def call_document(op: str, document: Any, params: Optional[Dict[str, Any]] = ...) -> Any: ...
def validate(
    kind: str,
    payload: Any,
    today: str,
    allowed_states: Optional[List[str]] = ...,
    max_image_bytes: Optional[int] = ...,
) -> Dict[str, Any]: ...
def check_many(
    op: str, documents: Iterable[Any], params: Optional[Dict[str, Any]] = ..., label: Optional[str] = ...
) -> List[Tuple[bool, Any, Any]]: ...
