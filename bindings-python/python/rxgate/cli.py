"""``rxgate-py``: run one order decision over a JSON Lines file of order snapshots.

    rxgate-py diagnose orders.jsonl                  # CSV on stdout
    rxgate-py diagnose orders.jsonl -f jsonl -o out.jsonl

Each non-blank line is one snapshot. Lines are handed to the core as raw bytes in batches
(parsed and decided in Rust, without the GIL). A line that is not JSON or not a valid
snapshot is reported on stderr with its line number and the core's message (positions and
field names, never values) and skipped; the batch goes on. A progress bar is drawn on
stderr only when it is a terminal.

Output: one row per good line. CSV columns are ``line``, ``order`` (the snapshot's
``/order/number``, see ``--order-field``), then the decision's fields in the core's order;
nested values are compact JSON. JSON Lines rows are ``{"line", "order", "result"}``.
Exit status: 0 when every line was decided, 1 when some lines were skipped, 2 on misuse.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import IO, Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import rxgate
from rxgate import _check_many_tagged

BATCH = 2000


def _lines(stream: IO[bytes]) -> Iterator[Tuple[int, bytes]]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield number, line


def _batches(stream: IO[bytes], size: int) -> Iterator[List[Tuple[int, bytes]]]:
    batch: List[Tuple[int, bytes]] = []
    for item in _lines(stream):
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, stream: IO[str], total: Optional[int]) -> None:
        self.stream = stream
        self.total = total
        self.enabled = stream.isatty()

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        if self.total:
            width = 30
            filled = width * done // self.total
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r[{bar}] {done}/{self.total} lines")
        else:
            self.stream.write(f"\r{done} lines")
        self.stream.flush()

    def clear(self) -> None:
        """Erases the bar so a message can be printed on a clean line."""
        if self.enabled:
            self.stream.write("\r\033[K")

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


class _Writer:
    def __init__(self, out: IO[str], fmt: str) -> None:
        self.out = out
        self.fmt = fmt
        self.csv: Optional[Any] = None
        self.columns: List[str] = []

    def row(self, line: int, order: object, result: Mapping[str, object]) -> None:
        if self.fmt == "jsonl":
            row = {"line": line, "order": order, "result": result}
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        if self.csv is None:
            self.columns = list(result)
            self.csv = csv.writer(self.out)
            self.csv.writerow(["line", "order", *self.columns])
        self.csv.writerow([line, _cell(order), *(_cell(result.get(c)) for c in self.columns)])


def _count_lines(path: str) -> Optional[int]:
    try:
        with open(path, "rb") as f:
            return sum(1 for line in f if line.strip())
    except OSError:
        return None


def run(argv: Optional[Sequence[str]] = None) -> int:
    """The command line; answers the exit status."""
    decisions = sorted([*rxgate.ORDER_DECISIONS, "decide_submit"])
    parser = argparse.ArgumentParser(prog="rxgate-py", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("decision", choices=decisions, help="the order decision to run on every line")
    parser.add_argument("file", help="JSON Lines of order snapshots (`-` for stdin)")
    parser.add_argument("-f", "--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    parser.add_argument("--now", help="the instant to decide at (RFC 3339; default now)")
    parser.add_argument("--trigger", help="the trigger (decide_submit only)")
    parser.add_argument(
        "--order-field",
        default="/order/number",
        help="JSON Pointer of the snapshot value shown in the `order` column (default /order/number)",
    )
    parser.add_argument("--no-progress", action="store_true", help="never draw the progress bar")
    args = parser.parse_args(argv)

    params: Dict[str, Any] = {}
    if args.decision == "decide_submit":
        if not args.trigger:
            parser.error("decide_submit needs --trigger")
        params["trigger"] = args.trigger
    try:
        source: IO[bytes] = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    except OSError as e:
        print(f"rxgate-py: cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    out: IO[str] = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="")
    total = None if args.file == "-" else _count_lines(args.file)
    progress = _Progress(sys.stderr, total)
    if args.no_progress:
        progress.enabled = False
    writer = _Writer(out, args.format)
    done = bad = 0
    try:
        for batch in _batches(source, BATCH):
            lines = [line for _, line in batch]
            results = _check_many_tagged(lines, args.decision, args.now, args.order_field, params)
            for (number, _), (result, order) in zip(batch, results):
                if isinstance(result, rxgate.RxgateError):
                    bad += 1
                    where = f" at {result.path}" if result.path else ""
                    progress.clear()
                    print(f"rxgate-py: line {number}: skipped ({result.code}{where}): {result}", file=sys.stderr)
                else:
                    writer.row(number, order, result.to_dict())
            done += len(batch)
            progress.update(done)
    except rxgate.RxgateError as e:
        progress.close()
        print(f"rxgate-py: {e}", file=sys.stderr)
        return 2
    finally:
        if source is not sys.stdin.buffer:
            source.close()
        if out is not sys.stdout:
            out.close()
    progress.close()
    print(f"rxgate-py: {done - bad} of {done} lines decided, {bad} skipped", file=sys.stderr)
    return 1 if bad else 0


def main() -> None:
    """Console entry point of ``rxgate-py``."""
    sys.exit(run())


if __name__ == "__main__":
    main()
