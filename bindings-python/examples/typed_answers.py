"""Typed answers: the op table's requests and answers as TypedDicts (`rxgate.typed`), checked
by `mypy --strict` (stage 30).

    python examples/typed_answers.py order.json event.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List

import rxgate.typed as ops

if TYPE_CHECKING:
    from rxgate._types import Diagnosis, EventAnswer, JsonValue, OrderSnapshot

NOW = "2026-11-23T09:00:00Z"


def describe(snapshot: OrderSnapshot, event: JsonValue) -> List[str]:
    """The diagnosis of an order, then what a Beluga event would change on it."""
    diagnosis: Diagnosis = ops.diagnose({"input": snapshot, "now": NOW})
    lines = [f"{diagnosis['stage']}: {diagnosis['state']}, next {diagnosis['next_action']['actor']}"]
    answer: EventAnswer = ops.apply_event({"source": "beluga", "input": event, "order": snapshot, "now": NOW})
    if answer["valid"] is True:
        status = answer["order_state"].get("order_status")
        lines.append(f"event {answer['outcome']}: order status {status}")
    else:
        codes = [v["code"] for v in answer["violations"]]
        lines.append(f"event rejected: {', '.join(codes)}")
    return lines


def main(order_path: str, event_path: str) -> int:
    snapshot: OrderSnapshot = json.loads(Path(order_path).read_text())
    event: JsonValue = json.loads(Path(event_path).read_text())
    for line in describe(snapshot, event):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
