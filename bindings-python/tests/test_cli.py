"""The bulk console script `rxgate-py` on a generated 10 000-line JSON Lines file."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import rxgate

LINES = 10_000
NOW = "2026-11-23T09:00:00Z"


def command() -> List[str]:
    """The installed console script, else the module (same code)."""
    script = shutil.which("rxgate-py", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "rxgate.cli"]


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory, snapshots: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A 10 000-line file: snapshots in rotation, with planted bad lines and blank lines."""
    path = tmp_path_factory.mktemp("bulk") / "orders.jsonl"
    bad: Dict[int, str] = {}
    blank = set()
    good: Dict[int, Dict[str, Any]] = {}
    with path.open("w", encoding="utf-8") as f:
        for number in range(1, LINES + 1):
            if number % 997 == 0:
                f.write('{"schema_version": 1, "patient": PHI-SENTINEL\n')
                bad[number] = "invalid_json"
            elif number % 1499 == 0:
                f.write(json.dumps({"ssn": "PHI-SENTINEL"}) + "\n")
                bad[number] = "schema_error"
            elif number % 2503 == 0:
                f.write("   \n")
                blank.add(number)
            else:
                snap = snapshots[number % len(snapshots)]
                good[number] = snap
                f.write(json.dumps(snap) + "\n")
    return {"path": path, "bad": bad, "blank": blank, "good": good}


def run(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([*command(), *args], capture_output=True, text=True, timeout=600)


def test_csv_report(orders: Dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    done = run("diagnose", str(orders["path"]), "--now", NOW, "-o", str(out))
    assert done.returncode == 1, done.stderr  # some lines were skipped
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(orders["good"]) == LINES - len(orders["bad"]) - len(orders["blank"])
    assert [int(r["line"]) for r in rows] == sorted(orders["good"])
    # Spot-check rows against the library.
    for row in rows[:: len(rows) // 20]:
        snap = orders["good"][int(row["line"])]
        expected = rxgate.diagnose(snap, NOW)
        assert row["stage"] == expected.stage
        assert row["state"] == expected.state
        assert row["escalate"] == ("true" if expected.escalate else "false")
        assert json.loads(row["next_action"]) == expected.next_action
        assert row["order"] == snap["order"]["number"]
    # Bad lines: reported with their line number and code, in order, values never echoed.
    for number, code in orders["bad"].items():
        assert f"line {number}: skipped ({code}" in done.stderr
    assert "PHI-SENTINEL" not in done.stderr
    assert f"{len(orders['good'])} of {len(orders['good']) + len(orders['bad'])} lines decided" in done.stderr
    # Piped: no progress bar.
    assert "\r" not in done.stderr and "[#" not in done.stderr


def test_jsonl_report_on_stdout(orders: Dict[str, Any]) -> None:
    done = run("order_state", str(orders["path"]), "--format", "jsonl")
    assert done.returncode == 1
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == len(orders["good"])
    first = rows[0]
    assert first["result"] == rxgate.order_state(orders["good"][first["line"]]).to_dict()


def test_all_good_file_exits_zero(tmp_path: Path, snapshots: List[Dict[str, Any]]) -> None:
    path = tmp_path / "good.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in snapshots), encoding="utf-8")
    done = run("select_pharmacy", str(path))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == len(snapshots) + 1  # header


def test_misuse_exits_two(tmp_path: Path) -> None:
    done = run("diagnose", str(tmp_path / "missing.jsonl"))
    assert done.returncode == 2
    assert "cannot read" in done.stderr
    assert run("not_a_decision", str(tmp_path)).returncode == 2


def test_progress_bar_on_a_terminal(orders: Dict[str, Any], tmp_path: Path) -> None:
    """With stderr on a pseudo-terminal the bar is drawn."""
    pty = pytest.importorskip("pty")
    out = tmp_path / "tty.csv"
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [*command(), "route_fulfillment", str(orders["path"]), "-o", str(out)],
        stderr=secondary, stdout=subprocess.DEVNULL,
    )
    os.close(secondary)
    seen = b""
    try:
        while True:  # read while it runs, so a full terminal buffer never blocks it
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(primary)
        proc.wait(timeout=600)
    assert proc.returncode == 1
    assert b"lines" in seen and b"[#" in seen and b"\r" in seen


def visit_body() -> Dict[str, Any]:
    path = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "visit.json"
    body: Dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return body


def test_validate_reports_each_body(tmp_path: Path) -> None:
    """`rxgate-py validate KIND FILE`: one row per body, as `rxgate.validate` answers it; a line
    that is not JSON is skipped with its number; invalid bodies make the exit status 1."""
    good = visit_body()
    bad = json.loads(json.dumps(good))
    bad["formObj"]["email"] = "PHI-SENTINEL-not-an-email"
    bad["masterId"] = "bad-one"
    path = tmp_path / "bodies.jsonl"
    path.write_text(
        "\n".join([json.dumps(good), json.dumps(bad), "{PHI-SENTINEL", "", json.dumps(good)]) + "\n",
        encoding="utf-8",
    )
    done = run("validate", "visit", str(path), "--today", "2026-12-05")
    assert done.returncode == 1, done.stderr
    rows = list(csv.DictReader(done.stdout.splitlines()))
    assert [int(r["line"]) for r in rows] == [1, 2, 5]
    for row, body in zip(rows, [good, bad, good]):
        expected = rxgate.validate("visit", body, "2026-12-05")
        assert row["valid"] == ("true" if expected.valid else "false")
        assert json.loads(row["violations"]) == expected.to_dict()["violations"]
        assert row["order"] == body["masterId"]
    assert rows[0]["valid"] == "true" and rows[1]["valid"] == "false"
    assert "line 3: skipped (invalid_json" in done.stderr
    assert "3 of 4 lines validated, 1 skipped, 1 invalid" in done.stderr
    assert "PHI-SENTINEL" not in done.stderr + done.stdout  # messages name fields, never values


def test_validate_all_valid_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "good.jsonl"
    path.write_text(json.dumps(visit_body()) + "\n", encoding="utf-8")
    done = run("validate", "visit", str(path), "-f", "jsonl")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"]["valid"] is True


def test_validate_misuse_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "good.jsonl"
    path.write_text(json.dumps(visit_body()) + "\n", encoding="utf-8")
    assert run("validate", "not-a-kind", str(path)).returncode == 2
    missing = run("validate", "visit", str(tmp_path / "missing.jsonl"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    unwritable = run("validate", "visit", str(path), "-o", str(tmp_path / "no" / "such" / "dir.csv"))
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr


def test_version_and_module_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "rxgate", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.strip() == f"rxgate-py {rxgate.__version__}"
    assert run("--version").stdout.strip() == f"rxgate-py {rxgate.__version__}"
