#!/usr/bin/env python3
"""Writes the fuzz seed corpora from tests/vectors: fuzz/corpus/<target>/<name>.

Each target's input layout is documented at the top of its fuzz_targets/<target>.rs; this
script writes every vector's input in that layout, once as it is and once with the
sentinel (fuzz/src/lib.rs SENTINEL) appended to every string value, so the targets'
"no input value in a message" checks start from inputs that carry it. Files are named by
content hash, so re-running only adds what is new. Usage: python3 fuzz/seed.py [OUT_DIR]
"""
import base64
import datetime
import hashlib
import json
import pathlib
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
SENTINEL = "Zq7@Phi"
KINDS = ["visit", "lab", "photos", "pdf", "chat", "cs-message", "patient-name",
         "pharmacy-search", "update-visit"]
ENDPOINTS = KINDS + ["fetch-patient", "fetch-visit"]
SOURCES = ["beluga", "lifefile", "dispensepro", "pharmacy"]
ORDER_OPS = ["check_readiness", "diagnose", "decide_submit", "decide_retry", "build_visit",
             "select_pharmacy", "route_fulfillment", "check_boundary", "order_state",
             "check_cancel", "message_visibility", "patient_view"]
SKIP = {"name", "description", "expect", "expect_error"}


def planted(value):
    """The value with the sentinel appended to every string value (member names kept)."""
    if isinstance(value, str):
        return value + SENTINEL
    if isinstance(value, list):
        return [planted(v) for v in value]
    if isinstance(value, dict):
        return {k: planted(v) for k, v in value.items()}
    return value


def dumps(value):
    return json.dumps(value, ensure_ascii=False).encode()


def seconds(now):
    if isinstance(now, (int, float)):
        return int(now) // 1000
    if isinstance(now, str):
        try:
            return int(datetime.datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return 0
    return 0


class Writer:
    def __init__(self, out):
        self.out = out
        self.counts = {}

    def add(self, target, data):
        folder = self.out / target
        folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        path = folder / name
        if not path.exists():
            path.write_bytes(data)
            self.counts[target] = self.counts.get(target, 0) + 1


def cases():
    for path in sorted(VECTORS.rglob("*.json")):
        doc = json.loads(path.read_text())
        params = doc.get("params") or {}
        for case in doc.get("cases", []):
            request = dict(params)
            request.update({k: v for k, v in case.items() if k not in SKIP})
            yield doc["op"], request


def seed_validate(w, op, req):
    kind = req.get("kind")
    if kind not in KINDS:
        return
    selector = bytes([KINDS.index(kind)])
    if op == "validate" and "input" in req:
        w.add("validate", selector + dumps(req["input"]))
        w.add("validate", selector + dumps(planted(req["input"])))
    elif op == "validate_text" and isinstance(req.get("text"), str):
        w.add("validate", selector + req["text"].encode())


def seed_response(w, req):
    answer = req.get("input")
    if req.get("kind") not in ENDPOINTS or not isinstance(answer, dict):
        return
    selector = ENDPOINTS.index(req["kind"]) | 0x40
    status = answer.get("status")
    if not isinstance(status, int) or not 0 <= status < 65536:
        selector |= 0x10
        status = 0
    if answer.get("network_error"):
        selector |= 0x20
    body = answer.get("body")
    text = body.encode() if isinstance(body, str) else (b"" if body is None else dumps(body))
    w.add("parse_response", bytes([selector]) + struct.pack(">H", status) + text)


def webhook_bytes(selector, now, config, headers, body):
    lines = [f"{k}:{v}".replace("\n", " ").encode() for k, v in headers.items()]
    head = bytes([selector]) + struct.pack("<q", now) + dumps(config).replace(b"\n", b" ")
    return head + b"\n" + b"".join(l + b"\n" for l in lines) + b"\n" + body


def seed_webhook(w, op, req):
    source = req.get("source")
    if source not in SOURCES:
        return
    index = SOURCES.index(source)
    if op == "verify_webhook":
        if "body_base64" in req:
            body = base64.b64decode(req["body_base64"])
        else:
            body = str(req.get("body", "")).encode()
        headers = req.get("headers") or {}
        if not isinstance(headers, dict):
            return
        headers = {k: str(v) for k, v in headers.items()}
        config = req.get("config") or {}
        now = seconds(req.get("now"))
        w.add("webhook", webhook_bytes(index, now, config, headers, body))
        w.add("webhook", webhook_bytes(index | 4, now, config, headers, body))
        w.add("webhook", webhook_bytes(index, now, config, planted(headers), body))
    elif op in ("parse_event", "redact_event", "event_key") and "input" in req:
        now = 1795449900
        for value in (req["input"], planted(req["input"])):
            w.add("webhook", webhook_bytes(index | 8, now, "-", {}, dumps(value)))
            w.add("webhook", webhook_bytes(index | 4, now, "-", {}, dumps(value)))
            w.add("event_key", bytes([index]) + dumps(value))


def seed_order(w, op, req):
    if op in ORDER_OPS and "input" in req:
        selector = bytes([ORDER_OPS.index(op)])
        w.add("order", selector + dumps(req["input"]))
        w.add("order", selector + dumps(planted(req["input"])))
    elif op == "apply_event" and "order" in req and req.get("source") in SOURCES:
        selector = bytes([len(ORDER_OPS) + SOURCES.index(req["source"])])
        event = dumps(req.get("input"))
        w.add("order", selector + dumps(req["order"]) + b"\0" + event)


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fuzz" / "corpus"
    w = Writer(out)
    for op, req in cases():
        seed_validate(w, op, req)
        seed_response(w, req)
        seed_webhook(w, op, req)
        seed_order(w, op, req)
        # api_call: selector past the operation list, the op name on the first line.
        w.add("api_call", b"\xff" + op.encode() + b"\n" + dumps(req))
        w.add("api_call", b"\xff" + op.encode() + b"\n" + dumps(planted(req)))
    for target in ["validate", "parse_response", "webhook", "event_key", "order", "api_call"]:
        print(f"seed {target}: {w.counts.get(target, 0)} new inputs")


if __name__ == "__main__":
    main()
