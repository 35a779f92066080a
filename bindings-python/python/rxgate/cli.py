"""``rxgate-py``: run one order decision, or validate one body kind, over a JSON Lines file.

    rxgate-py diagnose orders.jsonl                  # CSV on stdout
    rxgate-py diagnose orders.jsonl -f jsonl -o out.jsonl
    rxgate-py validate visit bodies.jsonl > report.csv
    python -m rxgate --version

Each non-blank line is one order snapshot (a decision) or one outbound Beluga body
(``validate KIND``, KIND one of ``rxgate.KINDS``). Lines are handed to the core as raw bytes in batches
(parsed and decided in Rust, without the GIL). A line that is not JSON or not a valid
snapshot is reported on stderr with its line number and the core's message (positions and
field names, never values) and skipped; the batch goes on. A progress bar is drawn on
stderr only when it is a terminal.

Output: one row per good line. CSV columns are ``line``, ``order`` (the snapshot's
``/order/number``, see ``--order-field``; for ``validate`` the body's ``/masterId``), then the
answer's fields in the core's order (``valid``, ``violations``, ``warnings`` for ``validate``);
nested values are compact JSON. JSON Lines rows are ``{"line", "order", "result"}``.
Exit status: 0 when every line was decided (``validate``: and every body is valid), 1 when
some lines were skipped (``validate``: or some body is invalid), 2 on misuse (an unknown
decision or kind, a file that cannot be opened or written).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import IO, Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import rxgate
from rxgate import Report, Result, RxgateError, _check_many_tagged, _core

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


def _parser() -> argparse.ArgumentParser:
    doc = __doc__.split("\n\n")[0] if __doc__ else None
    parser = argparse.ArgumentParser(prog="rxgate-py", description=doc)
    parser.add_argument(
        "--version", action="version", version=f"rxgate-py {rxgate.__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for decision in sorted([*rxgate.ORDER_DECISIONS, "decide_submit"]):
        sub = commands.add_parser(decision, help=f"run `{decision}` on every order snapshot")
        sub.add_argument("file", help="JSON Lines of order snapshots (`-` for stdin)")
        sub.add_argument("--now", help="the instant to decide at (RFC 3339; default now)")
        sub.add_argument("--trigger", help="the trigger (decide_submit only)")
        _common(sub, "/order/number")
    sub = commands.add_parser("validate", help="validate every outbound Beluga body of one kind")
    sub.add_argument("kind", choices=rxgate.KINDS, help="the body kind")
    sub.add_argument("file", help="JSON Lines of bodies (`-` for stdin)")
    sub.add_argument("--today", help="the business date of the 18+ rule (YYYY-MM-DD; default today)")
    _common(sub, "/masterId")
    return parser


def _common(sub: argparse.ArgumentParser, label: str) -> None:
    sub.add_argument("-f", "--format", choices=["csv", "jsonl"], default="csv")
    sub.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    sub.add_argument(
        "--order-field",
        default=label,
        help=f"JSON Pointer of the value shown in the `order` column (default {label})",
    )
    sub.add_argument("--no-progress", action="store_true", help="never draw the progress bar")


_Tagged = List[Tuple[Union[Result, RxgateError], "rxgate._types.JsonValue"]]


def _checker(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Callable[[List[bytes]], _Tagged]:
    """The batch function of the command: a decision, or validation of one body kind."""
    if args.command == "validate":
        request = {"kind": args.kind, "today": rxgate._today(args.today)}

        def validate(lines: List[bytes]) -> _Tagged:
            return rxgate._tagged(Report, _core.check_many("validate", lines, request, args.order_field))

        return validate
    params: Dict[str, Any] = {}
    if args.command == "decide_submit":
        if not args.trigger:
            parser.error("decide_submit needs --trigger")
        params["trigger"] = args.trigger
    return lambda lines: _check_many_tagged(lines, args.command, args.now, args.order_field, params)


def _open(path: str, mode: str) -> IO[Any]:
    if mode == "rb":
        return sys.stdin.buffer if path == "-" else open(path, "rb")
    return sys.stdout if path == "-" else open(path, "w", encoding="utf-8", newline="")


def run(argv: Optional[Sequence[str]] = None) -> int:
    """The command line; answers the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    check = _checker(args, parser)
    streams: List[IO[Any]] = []
    try:
        for path, mode in ((args.file, "rb"), (args.output, "w")):
            streams.append(_open(path, mode))
    except OSError as e:
        for stream in streams:
            if stream not in (sys.stdin.buffer, sys.stdout):
                stream.close()
        print(f"rxgate-py: cannot {'read' if not streams else 'write'} {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    source, out = streams
    progress = _Progress(sys.stderr, None if args.file == "-" else _count_lines(args.file))
    progress.enabled = progress.enabled and not args.no_progress
    try:
        counts = _process(source, check, _Writer(out, args.format), progress)
    except RxgateError as e:
        progress.close()
        print(f"rxgate-py: {e}", file=sys.stderr)
        return 2
    finally:
        for stream in (source, out):
            if stream not in (sys.stdin.buffer, sys.stdout):
                stream.close()
    progress.close()
    done, bad, invalid = counts
    verb = "validated" if args.command == "validate" else "decided"
    extra = f", {invalid} invalid" if args.command == "validate" else ""
    print(f"rxgate-py: {done - bad} of {done} lines {verb}, {bad} skipped{extra}", file=sys.stderr)
    return 1 if bad or invalid else 0


def _process(source: IO[bytes], check: Callable[[List[bytes]], _Tagged], writer: _Writer, progress: _Progress) -> Tuple[int, int, int]:
    """Runs every batch; answers (lines, skipped, invalid bodies)."""
    done = bad = invalid = 0
    for batch in _batches(source, BATCH):
        for (number, _), (result, order) in zip(batch, check([line for _, line in batch])):
            if isinstance(result, RxgateError):
                bad += 1
                where = f" at {result.path}" if result.path else ""
                progress.clear()
                print(f"rxgate-py: line {number}: skipped ({result.code}{where}): {result}", file=sys.stderr)
            else:
                invalid += isinstance(result, Report) and not result.valid
                writer.row(number, order, result.to_dict())
        done += len(batch)
        progress.update(done)
    return done, bad, invalid


def main() -> None:
    """Console entry point of ``rxgate-py``."""
    sys.exit(run())


if __name__ == "__main__":
    main()
