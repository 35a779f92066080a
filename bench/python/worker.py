"""The Python worker of the side-by-side benchmark (``bench/run.py``).

rxgate's Python package against pydantic v2 (strict models of the same field rules, patterns
read from ``visit.schema.json``, the Q/A pairing in a model validator) and jsonschema_rs
(``Draft202012Validator(schema, validate_formats=True)``, ``iter_errors``), on the shared bench
bodies. Protocol as the Rust worker: ``rows``, ``ROW N`` → nanoseconds; ``worker.py check
DATA_DIR`` prints each row's error count once.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import jsonschema_rs
import rxgate
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from typing_extensions import Annotated, Literal

DATA = Path(sys.argv[2] if len(sys.argv) > 2 else ".")
VALID = (DATA / "visit-valid.json").read_bytes()
INVALID = (DATA / "visit-invalid.json").read_bytes()
SCHEMA = json.loads((DATA / "visit.schema.json").read_text(encoding="utf-8"))
FORM = SCHEMA["properties"]["formObj"]["properties"]
DEFS = SCHEMA["$defs"]
TODAY = "2026-11-22"


def text(pattern: str, max_length: Optional[int] = None) -> Any:
    return Annotated[str, Field(pattern=pattern, max_length=max_length)]


NonBlank = text(DEFS["nonBlank"]["pattern"])
Name = text(DEFS["personName"]["pattern"])
Line = text(DEFS["addressLine"]["pattern"], DEFS["addressLine"]["maxLength"])
Free = text(DEFS["freeText"]["pattern"], DEFS["freeText"]["maxLength"])
QA_KEY = re.compile(r"^([QA])([1-9][0-9]*)$")
STATES = tuple(FORM["state"]["enum"])


class Preference(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    name: NonBlank
    strength: NonBlank
    quantity: NonBlank
    refills: NonBlank
    daysSupply: Optional[NonBlank] = None
    medId: NonBlank


class Form(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")
    consentsSigned: Literal[True]
    firstName: Name
    lastName: Name
    dob: text(FORM["dob"]["pattern"])
    phone: text(FORM["phone"]["pattern"])
    email: text(FORM["email"]["pattern"], FORM["email"]["maxLength"])
    address: Line
    city: Line
    state: Annotated[Literal[STATES], Field()]  # type: ignore[valid-type]
    zip: text(FORM["zip"]["pattern"])
    sex: Literal["Male", "Female"]
    selfReportedMeds: Free
    allergies: Free
    medicalConditions: Free
    patientPreference: Annotated[List[Preference], Field(min_length=1)]

    @model_validator(mode="after")
    def pairs(self) -> "Form":
        extra: Dict[str, Any] = self.__pydantic_extra__ or {}
        numbers = {"Q": set(), "A": set()}
        for key, value in extra.items():
            m = QA_KEY.match(key)
            if not m or not isinstance(value, str) or not value.strip():
                raise ValueError(f"{key}: custom question/answer error")
            numbers[m.group(1)].add(int(m.group(2)))
        if numbers["Q"] != numbers["A"] or numbers["Q"] != set(range(1, len(numbers["Q"]) + 1)):
            raise ValueError("questions and answers must pair up from Q1")
        return self


class Visit(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    formObj: Form
    pharmacyId: NonBlank
    masterId: NonBlank
    company: NonBlank
    visitType: NonBlank


def pydantic_json(body: bytes) -> int:
    try:
        Visit.model_validate_json(body)
        return 0
    except ValidationError as e:
        return e.error_count()


def pydantic_dict(body: Dict[str, Any]) -> int:
    try:
        Visit.model_validate(body)
        return 0
    except ValidationError as e:
        return e.error_count()


SCHEMA_VALIDATOR = jsonschema_rs.Draft202012Validator(SCHEMA, validate_formats=True)
VALID_DICT = json.loads(VALID)


def report_errors(report: Any) -> int:
    return 0 if report.valid else len(report.violations)


ROWS: Dict[str, Callable[[], int]] = {
    "rxgate_bytes_valid": lambda: report_errors(rxgate.validate("visit", VALID, TODAY)),
    "rxgate_bytes_invalid": lambda: report_errors(rxgate.validate("visit", INVALID, TODAY)),
    "rxgate_dict_valid": lambda: report_errors(rxgate.validate("visit", VALID_DICT, TODAY)),
    "pydantic_bytes_valid": lambda: pydantic_json(VALID),
    "pydantic_bytes_invalid": lambda: pydantic_json(INVALID),
    "pydantic_dict_valid": lambda: pydantic_dict(VALID_DICT),
    "jsonschema_rs_bytes_valid": lambda: sum(1 for _ in SCHEMA_VALIDATOR.iter_errors(json.loads(VALID))),
    "jsonschema_rs_bytes_invalid": lambda: sum(1 for _ in SCHEMA_VALIDATOR.iter_errors(json.loads(INVALID))),
    "jsonschema_rs_dict_valid": lambda: sum(1 for _ in SCHEMA_VALIDATOR.iter_errors(VALID_DICT)),
    "json_loads_only": lambda: 0 if json.loads(VALID) else 1,
}


def run(row: str, n: int) -> str:
    f = ROWS.get(row)
    if f is None:
        return "?"
    start = time.perf_counter_ns()
    for _ in range(n):
        f()
    return str(time.perf_counter_ns() - start)


def main() -> int:
    if sys.argv[1:2] == ["check"]:
        for name, f in ROWS.items():
            print(name, f())
        return 0
    for line in sys.stdin:
        parts = line.split()
        answer = " ".join(ROWS) if parts[:1] == ["rows"] else run(parts[0], int(parts[1]))
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
