#!/usr/bin/env bash
# serve-port-token.sh: `heaplens serve --port` serves only a client whose initialize carries the token.
#
# Usage: bash tests/e2e/serve-port-token.sh <path-to-heaplens>. Starts the real server on a free
# port, reads the port and token it prints on stderr, and checks: a connection without the token
# (or with a wrong one) is closed unanswered, the next one with the token gets its initialize
# answered and the session ends cleanly; a token set in HEAPLENS_TOKEN is used and not printed.
set -euo pipefail
bin=${1:?usage: serve-port-token.sh <path-to-heaplens>}
exec python3 - "$bin" <<'PY'
import json, os, re, socket, subprocess, sys, time

binary = sys.argv[1]

def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body

def initialize(token):
    params = {"processId": None, "rootUri": None, "capabilities": {}}
    if token is not None:
        params["initializationOptions"] = {"heaplens": {"token": token}}
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}

def start(env):
    proc = subprocess.Popen([binary, "serve", "--port", "0"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    line = proc.stderr.readline().decode()
    m = re.search(r"listening on 127\.0\.0\.1:(\d+); token (.+)$", line.strip())
    if not m:
        proc.kill()
        sys.exit("serve-port-token: FAIL: no port and token on stderr: %r" % line)
    return proc, int(m.group(1)), m.group(2)

def exchange(port, data, wait=5.0):
    """Sends data; returns (bytes received, closed by the server)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    s.sendall(data)
    got = b""
    deadline = time.time() + wait
    try:
        while time.time() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                return got, True
            got += chunk
            if b"\"id\": 1" in got or b"\"id\":1" in got:
                return got, False
    except socket.timeout:
        pass
    finally:
        s.close()
    return got, False

def session(port, token):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(frame(initialize(token)))
    got = b""
    while b"serverInfo" not in got:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("serve-port-token: FAIL: connection with the token closed: %r" % got)
        got += chunk
    s.sendall(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}) + frame({"jsonrpc": "2.0", "method": "exit"}))
    s.close()

env = dict(os.environ)
env.pop("HEAPLENS_TOKEN", None)
proc, port, token = start(env)
assert re.fullmatch(r"[0-9a-f]{32}", token), "token %r is not 32 hex digits" % token
for bad in (None, "0" * 32, token[:-1]):
    got, closed = exchange(port, frame(initialize(bad)))
    if got or not closed:
        proc.kill()
        sys.exit("serve-port-token: FAIL: a connection with token %r got %r (closed: %s)" % (bad, got[:200], closed))
session(port, token)
if proc.wait(10) != 0:
    sys.exit("serve-port-token: FAIL: exit status %d" % proc.returncode)
err = proc.stderr.read().decode()
assert err.count("refused a connection") == 3, err

env["HEAPLENS_TOKEN"] = "s3cret-from-the-environment"
proc, port, shown = start(env)
assert shown == "from HEAPLENS_TOKEN", shown
got, closed = exchange(port, frame(initialize(None)))
assert closed and not got, (got, closed)
session(port, "s3cret-from-the-environment")
assert proc.wait(10) == 0
assert "s3cret" not in proc.stderr.read().decode()
print("serve-port-token: PASS")
PY
