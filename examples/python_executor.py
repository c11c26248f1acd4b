#!/usr/bin/env python3
"""A bora remote executor in plain Python (docs/executor-protocol.md).

It serves one custom action, py.upper (input: text), for tasks with
`target: python`:   python3 python_executor.py --api http://127.0.0.1:8989
SIGTERM stops claiming; an item claimed after that is handed back unrun.
"""
import argparse, json, os, signal, socket, time, urllib.error, urllib.request, uuid

ACTIONS = {"py.upper": lambda inp: str(inp["text"]).upper()}
stopping = False

def call(api, token, path, body, timeout=60):
    req = urllib.request.Request(api.rstrip("/") + "/v2/executor/" + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for _ in range(10):  # every call is idempotent: repeat the same body until answered
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return res.status, json.load(res)
        except urllib.error.HTTPError as e:
            if e.code < 500:
                return e.code, json.load(e)
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit("bora API unreachable: " + api)

def run(item):
    try:  # an action we do not know is an ERROR result, not silence
        return "SUCCESS", ACTIONS[item["action"]](item["input"])
    except Exception as e:
        return "ERROR", "%s: %s" % (type(e).__name__, e)

def lease_holds(a, token, item, lease, sent):
    """Start only while 2/3 of the lease surely remain; a late answer (a partition
    held it) is confirmed by a heartbeat first: bora may have failed it as lost."""
    if time.monotonic() + item["lease_seconds"] * 2 / 3 <= sent + item.get("lease_valid_for", 0):
        return True
    beat = time.monotonic()
    _, res = call(a.api, token, "heartbeat", {"executor": a.name, "lease": item["lease_seconds"], "leases": [lease]})
    if item["id"] in res.get("lost", []):
        return False
    if time.monotonic() - beat > item["lease_seconds"] / 3:  # renewed, but too long ago: hand it back
        call(a.api, token, "release", {"executor": a.name, "leases": [lease]})
        return False
    return True

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", default="http://127.0.0.1:8989")
    p.add_argument("--target", default="python")
    p.add_argument("--name", default="%s-py-%d" % (socket.gethostname(), os.getpid()))
    a = p.parse_args()
    token = os.environ.get("BORA_EXECUTOR_TOKEN", "")
    signal.signal(signal.SIGTERM, lambda *_: globals().update(stopping=True))
    print("python executor ready", flush=True)
    while not stopping:
        claim = {"executor": a.name, "target": a.target, "max": 1, "wait": 2, "lease": 30, "claim_id": str(uuid.uuid4())}
        sent = time.monotonic()  # leases are measured from here, on our own clock
        _, res = call(a.api, token, "claim", claim)
        for item in res.get("items", []):
            lease = {"id": item["id"], "lease_token": item["lease_token"]}
            if stopping:  # graceful stop: hand it back unrun
                call(a.api, token, "release", {"executor": a.name, "leases": [lease]})
                continue
            if not lease_holds(a, token, item, lease, sent):
                print("skipped", item["id"], "its lease ended before it could start", flush=True)
                continue
            state, result = run(item)  # quick: well within the lease, so no heartbeat
            body = dict(lease, attempt=item["attempt"], state=state, result=result)
            status, answer = call(a.api, token, "result", body)
            print("reported", item["id"], state, status, answer.get("status") or answer.get("error_code"), flush=True)

if __name__ == "__main__":
    main()
