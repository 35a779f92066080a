#!/usr/bin/env bash
# The closing demonstration of issue 18: probes the findings of the attack on `ce45140`
# against a release `rxgate` binary started on loopback, and prints PASS or FAIL per finding
# (PASS: the finding no longer holds). Black box: only the binary, HTTP and /proc.
#
#   bash scripts/attacks_demo.sh target/release/rxgate
#
# Needs python3 (standard library only) and Linux /proc. Takes about a minute. Exit status:
# the number of FAILs (0: every finding fixed). Every process it starts is stopped at exit.
set -euo pipefail
BIN=${1:?usage: scripts/attacks_demo.sh path/to/rxgate}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
FIXTURE=$(cd "$(dirname "$0")/.." && pwd)/tests/fixtures/order-dispensepro-ready.json
exec python3 - "$BIN" "$FIXTURE" <<'PY'
import base64, hashlib, hmac, http.client, json, os, shutil, signal, socket, subprocess
import sys, tempfile, threading, time, http.server

BIN, FIXTURE = sys.argv[1], sys.argv[2]
ADMIN = "rxg_admin_" + "a" * 32
EMR = "rxg_emr_" + "e" * 32
BELUGA_SECRET = "beluga-webhook-secret-0123456789"
procs, dirs, results = [], [], []

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def start(env_extra, production=False):
    """Starts `rxgate serve`; answers (process, port) once /livez answers, or (process, None)."""
    d = tempfile.mkdtemp(prefix="rxgate-attack-"); dirs.append(d)
    cfg = os.path.join(d, "rxgate.toml")
    with open(cfg, "w") as f:
        f.write('[dispensepro.dp1]\nbase_url = "http://127.0.0.1:9"\n'
                '[dispensepro.dp2]\nbase_url = "http://127.0.0.1:9"\n')
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RXGATE_")}
    env.update({"RXGATE_ENVIRONMENT": "production" if production else "development",
                "RXGATE_API_KEY_ADMIN": ADMIN, "RXGATE_API_KEY_EMR": EMR, "RUST_LOG": "warn"})
    env.update(env_extra)
    p = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir",
                          os.path.join(d, "data"), "--config", cfg], env=env,
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "log"), "w"))
    procs.append(p)
    for _ in range(600):
        if p.poll() is not None:
            return p, None
        try:
            if request(port, "GET", "/livez")[0] == 200:
                return p, port
        except OSError:
            pass
        time.sleep(0.1)
    return p, None

def request(port, method, path, body=None, headers=None, timeout=30):
    """(status, body text, content type); status None when the server closed without answer."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace"), r.getheader("content-type")
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine):
        return None, "", None
    finally:
        c.close()

def report(finding, ok, detail):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {finding:<48} {detail}", flush=True)

def standard_signature(key, msg_id, ts, body):
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()

class SlowBeluga(http.server.BaseHTTPRequestHandler):
    """A Beluga that holds every call for 3 s (a submission in flight), then creates the visit."""
    calls = 0
    def do_POST(self):
        SlowBeluga.calls += 1
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            master = json.loads(raw or b"{}").get("masterId", "m-1")
        except (ValueError, AttributeError):
            master = "m-1"
        time.sleep(3)
        answer = json.dumps({"status": 200, "info": "Patient visit created successfully",
                             "data": {"masterId": master, "visitId": "vis_demo"}}).encode()
        self.send_response(200); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer))); self.end_headers()
        self.wfile.write(answer)
    do_GET = do_POST
    def log_message(self, *a): pass

def main():
    beluga = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowBeluga)
    threading.Thread(target=beluga.serve_forever, daemon=True).start()
    p, port = start({
        "RXGATE_DISPENSEPRO_DP1_WEBHOOK_SECRET": "",
        "RXGATE_DISPENSEPRO_DP2_WEBHOOK_SECRET": "whsec_" + base64.b64encode(b"k" * 32).decode(),
        "RXGATE_BELUGA_WEBHOOK_SECRET": BELUGA_SECRET,
        "RXGATE_BELUGA_BASE_URL": f"http://127.0.0.1:{beluga.server_address[1]}",
        "RXGATE_BELUGA_API_KEY": "beluga-api-key-0123456789", "RXGATE_BELUGA_COMPANY": "demo",
        "RXGATE_HEADER_TIMEOUT_MS": "2000", "RXGATE_OPS_ACCESS": "open",
        "RXGATE_OUTBOX_POLL_MS": "100",
    })
    if port is None:
        print("the development instance did not start", file=sys.stderr); return 99
    print(f"# {BIN} (pid {p.pid}, development, 127.0.0.1:{port})")

    # 1. An empty secret opens the door: a request "signed" with a zero-length key.
    body = json.dumps({"event": "dispensepro.status",
                       "order": {"id": "d1", "externalId": "o-forged", "status": "shipped"}}).encode()
    ts = int(time.time())
    sig = standard_signature(b"", "forged-1", ts, body)
    st, _, _ = request(port, "POST", "/api/webhooks/dispensepro/dp1", body,
                       {"webhook-id": "forged-1", "webhook-timestamp": str(ts),
                        "webhook-signature": sig, "content-type": "application/json"})
    st_ready, ready, _ = request(port, "GET", "/readyz", headers={"x-api-key": ADMIN})
    report("empty secret accepted", st is not None and st >= 400,
           f"forged webhook -> {st}; /readyz -> {st_ready}")

    # 2. An overflowing timestamp panics a handler before the signature check (a pharmacy
    # whose secret is set).
    st, text, ctype = request(port, "POST", "/api/webhooks/dispensepro/dp2", b"{}",
                              {"webhook-id": "m-1", "webhook-timestamp": "-9223372036854775808",
                               "webhook-signature": "v1,AAAA"})
    alive = request(port, "GET", "/livez")[0] == 200
    report("overflow timestamp", st is not None and 400 <= st < 500,
           f"-> {st if st else 'connection closed, no answer'}; alive after: {alive}")

    # 3. Slowloris: a half-sent request stays open.
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(1)
    s.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    started, closed = time.time(), False
    while time.time() - started < 15:
        try:
            s.sendall(b"a")
            if s.recv(4096) == b"":
                closed = True; break
        except socket.timeout:
            continue
        except OSError:
            closed = True; break
    s.close()
    report("slowloris", closed,
           f"half-sent request {'closed after %.1f s' % (time.time() - started) if closed else 'still open after 15 s'}")

    # 4. Eight unauthenticated 60 MiB uploads: peak RSS over idle.
    with open(f"/proc/{p.pid}/clear_refs", "w") as f:
        f.write("5")
    def kb(field):
        for line in open(f"/proc/{p.pid}/status"):
            if line.startswith(field):
                return int(line.split()[1])
    idle = kb("VmRSS:")
    statuses = []
    def upload(i):
        c = socket.create_connection(("127.0.0.1", port)); c.settimeout(120)
        path = ["/admin/rules/reload", "/api/emr/orders/o1"][i % 2]
        method = ["POST", "PUT"][i % 2]
        c.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {60 << 20}\r\nX-Api-Key: wrong-key\r\n\r\n".encode())
        chunk, sent, line = b"7" * (1 << 20), 0, ""
        try:
            c.settimeout(0.5)
            try:
                line = c.recv(1024).split(b"\r\n")[0].decode()  # answered before the body?
            except socket.timeout:
                while sent < 60:
                    try:
                        c.sendall(chunk); sent += 1
                    except socket.timeout:
                        break
                c.settimeout(120)
                line = c.recv(1024).split(b"\r\n")[0].decode()
        except OSError:
            line = line or "closed"
        statuses.append(line); c.close()
    workers = [threading.Thread(target=upload, args=(i,)) for i in range(8)]
    [w.start() for w in workers]; [w.join() for w in workers]
    peak = kb("VmHWM:")
    grew = (peak - idle) / 1024
    report("8x60 MiB unauthenticated uploads", grew <= 64,
           f"idle {idle/1024:.0f} MB, peak {peak/1024:.0f} MB (+{grew:.0f} MB); "
           f"answers {sorted(set(s.split(' ')[1] if ' ' in s else s for s in statuses))}")

    # 5. Made-up methods become metric series (one carries a fake patient name).
    for i in range(200):
        request(port, f"PATIENTJANEDOE{i}", "/api/emr/orders/o1")
    _, metrics, _ = request(port, "GET", "/metrics", headers={"x-api-key": ADMIN})
    series = metrics.count("PATIENTJANEDOE")
    report("bogus methods into /metrics", series == 0 and bool(metrics),
           f"{series} series/lines name the made-up methods")

    # 6. Worker poison: the EMR replaces an order with {"order":"replaced"} while its Beluga
    # submission is in flight; then a later webhook must still be processed.
    order = json.load(open(FIXTURE)); order["order"]["id"] = "o-poison"
    emr = {"x-api-key": EMR, "content-type": "application/json"}
    st_put, _, _ = request(port, "PUT", "/api/emr/orders/o-poison", json.dumps(order), emr)
    st_trig, _, _ = request(port, "POST", "/api/emr/orders/o-poison/triggers",
                            json.dumps({"trigger": "checkout_paid"}), emr)
    time.sleep(1)
    st_poison, _, _ = request(port, "PUT", "/api/emr/orders/o-poison", '{"order":"replaced"}', emr)
    time.sleep(4)
    hook = json.dumps({"event": "DOCTOR_CHAT", "masterId": "m-after-poison",
                       "data": {"content": "after"}})
    st_hook, _, _ = request(port, "POST", "/api/webhooks/beluga", hook,
                            {"x-webhook-secret": BELUGA_SECRET, "content-type": "application/json"})
    processed = False
    for _ in range(50):
        _, events, _ = request(port, "GET", "/admin/events?limit=5", headers={"x-api-key": ADMIN})
        try:
            newest = json.loads(events)[0]
            processed = newest.get("outcome") is not None
        except (ValueError, IndexError, KeyError, AttributeError):
            processed = False
        if processed:
            break
        time.sleep(0.2)
    refused = st_poison is not None and 400 <= st_poison < 500
    log = open(os.path.join(dirs[0], "log"), errors="replace").read()
    # Every panic so far, by the file it was raised in (the overflow probe's is webhooks.rs).
    panics = [line.split(" panicked at ")[1].split(":")[0].split("/")[-1]
              for line in log.splitlines() if " panicked at " in line] or ["none"]
    report("worker poison snapshot {\"order\":\"replaced\"}", refused or processed,
           f"PUT -> {st_poison}; later webhook {st_hook}, "
           f"{'processed' if processed else 'never processed'}; panics so far: {', '.join(panics)}; Beluga calls: {SlowBeluga.calls}")

    # 7. Errors before authentication echo the input.
    canary = "ECHO-CANARY-Jane-Doe"
    st, text, ctype = request(port, "GET", f"/admin/events/{canary}/raw")
    echoed = canary in text
    report("errors echoing before auth", st == 401 and not echoed,
           f"no key, bad path -> {st} {ctype}; input echoed: {echoed}")
    p.send_signal(signal.SIGTERM)

    # 8. Open /metrics (production, no key) listing pharmacy ids.
    p2, port2 = start({}, production=True)
    if port2 is None:
        report("open /metrics (production)", False, "the production instance did not start")
    else:
        st, text, _ = request(port2, "GET", "/metrics")
        report("open /metrics (production)", st == 401,
               f"GET /metrics without a key -> {st}")
        p2.send_signal(signal.SIGTERM)
    beluga.shutdown()
    fails = results.count(False)
    print(f"# {len(results) - fails} PASS, {fails} FAIL")
    return fails

try:
    code = main()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
sys.exit(code)
PY
