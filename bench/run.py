#!/usr/bin/env python3
"""Measures the side-by-side rows round-robin and prints one table (stdlib only).

Started by ``bench/run.sh`` after the builds; runs the three workers (Rust, Node, Python) as
long-lived processes and asks each, row after row, round after round, for one batch of
calls, so the machine's fast and slow phases hit every row alike. Per row: the minimum and
the median of the batch means. Rust rows are also counted in instructions (callgrind:
repeatable where wall-clock is not).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent

# (runtime, rxgate row, [(alternative row, label)], goal text)
COMPARE: List[Tuple[str, str, List[str], str]] = [
    ("rust", "rxgate_bytes_valid", ["floor_strict_struct", "floor_plain_struct", "jsonschema_bytes_valid"], "≤ 1.5× floor_plain_struct"),
    ("rust", "rxgate_value_valid", ["codegen_value_valid", "jsonschema_value_valid"], "≤ codegen_value_valid"),
    ("rust", "rxgate_bytes_invalid", ["rxgate_bytes_valid", "jsonschema_bytes_invalid"], "≤ 1.5× rxgate_bytes_valid"),
    ("rust", "patterns_hand_valid", ["patterns_regex_valid"], "— (item 5: docs/contract.md)"),
    ("node", "rxgate_text_valid", ["ajv_text_valid", "json_parse_only"], "≤ ajv_text_valid"),
    ("node", "rxgate_text_ascii_valid", ["ajv_text_valid", "rxgate_text_valid"], "—"),
    ("node", "rxgate_text_invalid", ["ajv_text_invalid"], "—"),
    ("node", "rxgate_object_valid", ["ajv_object_valid", "ajv_text_valid"], "≤ 2× ajv_text_valid"),
    ("python", "rxgate_bytes_valid", ["pydantic_bytes_valid", "jsonschema_rs_bytes_valid"], "≤ 0.2× pydantic_bytes_valid"),
    ("python", "rxgate_dict_valid", ["pydantic_dict_valid", "jsonschema_rs_dict_valid"], "≤ jsonschema_rs_dict_valid"),
    ("python", "rxgate_bytes_invalid", ["pydantic_bytes_invalid", "jsonschema_rs_bytes_invalid"], "≤ 0.33× pydantic_bytes_invalid"),
]


class Worker:
    def __init__(self, name: str, argv: List[str]) -> None:
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.rows = self.ask("rows").split()

    def ask(self, line: str) -> str:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer or answer == "?":
            raise SystemExit(f"{self.name} worker did not answer {line!r}")
        return answer

    def batch(self, row: str, n: int) -> float:
        return int(self.ask(f"{row} {n}")) / n / 1000.0  # µs per call

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def calibrate(w: Worker, row: str, batch_ms: float) -> int:
    n = 1
    while True:
        per_call = w.batch(row, n)
        if per_call * n >= batch_ms * 1000 / 8 or n >= 1 << 22:
            return max(1, int(batch_ms * 1000 / per_call))
        n *= 4


def instructions(binary: str, data: str, row: str) -> Optional[float]:
    """Instructions per call: the difference of two callgrind runs (1 200 and 200 calls)."""
    totals = []
    for n in (200, 1200):
        with tempfile.NamedTemporaryFile(suffix=".cg") as out:
            r = subprocess.run(
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", binary, "count", data, row, str(n)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            if r.returncode != 0:
                return None
            m = re.search(r"^(?:summary|totals): (\d+)", Path(out.name).read_text(), re.M)
            if not m:
                return None
            totals.append(int(m.group(1)))
    return (totals[1] - totals[0]) / 1000.0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--data", required=True)
    p.add_argument("--rust", required=True, help="the Rust worker binary")
    p.add_argument("--python", help="the venv's python (omit to skip the Python rows)")
    p.add_argument("--node", action="store_true", help="run the Node rows")
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--batch-ms", type=float, default=20.0)
    p.add_argument("--no-callgrind", action="store_true")
    args = p.parse_args()

    workers: Dict[str, Worker] = {"rust": Worker("rust", [args.rust, "serve", args.data])}
    if args.node:
        workers["node"] = Worker("node", ["node", str(HERE / "node" / "worker.mjs"), "serve", args.data])
    if args.python:
        workers["python"] = Worker("python", [args.python, str(HERE / "python" / "worker.py"), "serve", args.data])
    plan = [(rt, row) for rt, w in workers.items() for row in w.rows]
    sizes = {(rt, row): calibrate(workers[rt], row, args.batch_ms) for rt, row in plan}
    samples: Dict[Tuple[str, str], List[float]] = {key: [] for key in plan}
    for r in range(args.rounds):
        order = plan[r % len(plan):] + plan[: r % len(plan)]
        for rt, row in order:
            samples[(rt, row)].append(workers[rt].batch(row, sizes[(rt, row)]))
    for w in workers.values():
        w.close()
    counts = {}
    if not args.no_callgrind:
        counts = {row: instructions(args.rust, args.data, row) for row in workers["rust"].rows}

    load = os.getloadavg()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.platform()}; "
          f"load before/after: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min)")
    print(f"{args.rounds} rounds round-robin, batches of about {args.batch_ms:g} ms; µs per call\n")
    print("| runtime | row | min µs | median µs | instructions / call |")
    print("| --- | --- | ---: | ---: | ---: |")
    stats = {k: (min(v), statistics.median(v)) for k, v in samples.items()}
    for (rt, row), (lo, med) in stats.items():
        ins = counts.get(row) if rt == "rust" else None
        print(f"| {rt} | {row} | {lo:.2f} | {med:.2f} | {f'{ins:,.0f}' if ins else ''} |")
    print("\n| runtime | rxgate row | against | ratio of mins | ratio of medians | ratio of instructions | goal |")
    print("| --- | --- | --- | ---: | ---: | ---: | --- |")
    for rt, row, others, goal in COMPARE:
        if (rt, row) not in stats:
            continue
        for other in others:
            if (rt, other) not in stats:
                continue
            a, b = stats[(rt, row)], stats[(rt, other)]
            ins = ""
            if rt == "rust" and counts.get(row) and counts.get(other):
                ins = f"{counts[row] / counts[other]:.2f}×"
            print(f"| {rt} | {row} | {other} | {a[0] / b[0]:.2f}× | {a[1] / b[1]:.2f}× | {ins} | {goal} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
