"""Shared fixtures: the vector folder and sample order snapshots taken from it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

VECTORS = Path(os.environ.get("RXGATE_VECTORS", Path(__file__).resolve().parents[2] / "tests" / "vectors"))


def vector_files() -> List[Path]:
    """Every vector file, sorted, as the native runner walks them."""
    return sorted(VECTORS.rglob("*.json"))


def load(path: Path) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def snapshots() -> List[Dict[str, Any]]:
    """The valid order snapshots of the `diagnose` vectors."""
    doc = load(VECTORS / "order" / "diagnose.json")
    found = [c["input"] for c in doc["cases"] if "expect" in c]
    assert found, "the diagnose vectors hold no snapshot"
    return found
