"""Times ``rxgate.validate('visit', …)`` on a ~2 KB visit body (a benchmark, not a test).

    python bench/bench_validate.py [--number N] [--repeat R]

The body is the valid visit of ``tests/vectors/contract/visit.json`` grown to about 2 KB
with further custom question/answer pairs (the shape of a real intake). It is validated
from ``bytes`` (parsed in Rust by the core's fast path), from ``str`` and from a ``dict``
(converted object by object, no JSON text), with ``json.loads`` of the same bytes as a
yardstick. Prints the best of ``repeat`` runs in µs per call. Build the wheel with
``--release`` first: a debug build is several times slower.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import timeit
from pathlib import Path
from typing import Any, Callable, Dict

import rxgate

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
TODAY = "2026-11-23"
TARGET_BYTES = 2048


def body_of_about_2kb() -> Dict[str, Any]:
    doc = json.loads((VECTORS / "contract" / "visit.json").read_text(encoding="utf-8"))
    body: Dict[str, Any] = next(
        c["input"] for c in doc["cases"] if c.get("expect", {}).get("valid") is True and isinstance(c.get("input"), dict)
    )
    form = body["formObj"]
    number = 1 + max(int(k[1:]) for k in form if k[:1] == "Q" and k[1:].isdigit())
    while len(json.dumps(body).encode()) < TARGET_BYTES:
        form[f"Q{number}"] = (
            f"Question {number}: how often do you experience this symptom? "
            "POSSIBLE ANSWERS: never; sometimes; often"
        )
        form[f"A{number}"] = "sometimes"
        number += 1
    return body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--number", type=int, default=20_000, help="calls per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs (the best is reported)")
    args = parser.parse_args()

    body = body_of_about_2kb()
    raw = json.dumps(body).encode()
    text = raw.decode()
    report = rxgate.validate("visit", raw, TODAY)
    if not report.valid:
        print(f"the benchmark body is not valid: {report.codes}", file=sys.stderr)
        return 1
    assert rxgate.validate("visit", body, TODAY).valid

    cases: Dict[str, Callable[[], object]] = {
        "validate('visit', bytes)": lambda: rxgate.validate("visit", raw, TODAY),
        "validate('visit', str)": lambda: rxgate.validate("visit", text, TODAY),
        "validate('visit', dict)": lambda: rxgate.validate("visit", body, TODAY),
        "json.loads(bytes) (yardstick)": lambda: json.loads(raw),
    }
    print(f"body: {len(raw)} bytes, {sum(1 for k in body['formObj'] if k[:1] == 'Q')} questions")
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or platform.platform()}")
    for name, fn in cases.items():
        best = min(timeit.repeat(fn, number=args.number, repeat=args.repeat))
        print(f"{name:32s} {best / args.number * 1e6:8.2f} µs/call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
