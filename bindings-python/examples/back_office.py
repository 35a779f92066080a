"""Back-office example: which paid orders are stuck and why, and which bodies would bounce.

    python examples/back_office.py orders.jsonl visit-body.json
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List

import rxgate


def stuck_orders(path: Path) -> Dict[str, List[str]]:
    """Order numbers per stage, for orders whose diagnosis escalates or has blockers."""
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    stuck: Dict[str, List[str]] = {}
    for line, result in zip(lines, rxgate.check_many(lines, "diagnose")):
        if isinstance(result, rxgate.RxgateError):
            print(f"skipped a line: {result.code}", file=sys.stderr)
            continue
        if result.escalate or result.blockers:
            number = str(json.loads(line)["order"]["number"])
            stuck.setdefault(result.stage, []).append(number)
    return stuck


def would_bounce(body: bytes) -> List[str]:
    """The Beluga errors a visit body would get, e.g. ``["Dob error"]``."""
    report: rxgate.Report = rxgate.validate("visit", body)
    for violation in report.violations:
        print(f"{violation.path or '/'}: {violation.code}: {violation.message}")
    return list(report.beluga_errors)


def main(argv: List[str]) -> int:
    stuck = stuck_orders(Path(argv[1]))
    for stage, numbers in sorted(stuck.items()):
        print(f"{stage}: {len(numbers)} stuck ({', '.join(numbers[:5])})")
    if len(argv) > 2:
        errors = Counter(would_bounce(Path(argv[2]).read_bytes()))
        print("would bounce with:", dict(errors) or "nothing")
    try:
        rxgate.diagnose({"not": "a snapshot"})
    except rxgate.SchemaError as error:
        print(f"misuse raises: {error.code} at {error.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
