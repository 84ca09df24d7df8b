#!/usr/bin/env bash
# unload-releases-memory.sh: after heaplens.unloadDump the server gives the dump's memory back.
#
# Usage: bash tests/e2e/unload-releases-memory.sh <path-to-heaplens> (with HEAPLENS_TEST_DATA).
# Loads the MoarVM leaky.mvmheap over LSP, builds its editor indexes (a code lens), unloads it,
# and reads the server's VmRSS from /proc/PID/status: it must fall back by at least half of what
# the load added (here 48 to 62 MiB of 67 MiB came back). The Go leakcache dump it used before adds
# only 3.4 MiB, of which allocator noise could keep a quarter: it failed beside a build once.
# (glibc keeps freed memory for reuse: before the server called malloc_trim after the last
# reference to a dump went, RSS after the unload stayed exactly where it was.)
set -euo pipefail
bin=${1:?usage: unload-releases-memory.sh <path-to-heaplens>}
here=$(cd "$(dirname "$0")" && pwd)
data=$(cd "${HEAPLENS_TEST_DATA:-$here/../data}" && pwd)
exec python3 - "$bin" "$data" <<'PY'
import json, re, subprocess, sys, time

binary, data = sys.argv[1], sys.argv[2]
dump = data + "/moar/leaky.mvmheap"
source = data + "/moar/leaky.raku"
p = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
buf = b""

def send(o):
    b = json.dumps(o).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b)
    p.stdin.flush()

def reply(i):
    global buf
    deadline = time.time() + 60
    while time.time() < deadline:
        while b"\r\n\r\n" in buf:
            head, rest = buf.split(b"\r\n\r\n", 1)
            n = int(re.search(rb"Content-Length: (\d+)", head).group(1))
            if len(rest) < n:
                break
            body, buf = rest[:n], rest[n:]
            m = json.loads(body)
            if m.get("id") == i and "method" not in m:
                if "error" in m:
                    sys.exit("unload-releases-memory: FAIL: request %d: %s" % (i, m["error"]))
                return m
        chunk = p.stdout.read1(65536)
        if not chunk:
            sys.exit("unload-releases-memory: FAIL: the server closed its output")
        buf += chunk
    sys.exit("unload-releases-memory: FAIL: no reply to request %d" % i)

def rss():
    return int(re.search(r"VmRSS:\s+(\d+)", open("/proc/%d/status" % p.pid).read()).group(1))

send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
reply(1)
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "id": 2, "method": "heaplens/summary"})
reply(2)
base = rss()
send({"jsonrpc": "2.0", "id": 3, "method": "workspace/executeCommand",
      "params": {"command": "heaplens.loadDump", "arguments": [dump]}})
reply(3)
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
    "uri": "file://" + source, "languageId": "raku", "version": 1, "text": open(source).read()}}})
send({"jsonrpc": "2.0", "id": 4, "method": "textDocument/codeLens", "params": {"textDocument": {"uri": "file://" + source}}})
if not reply(4)["result"]:
    sys.exit("unload-releases-memory: FAIL: no code lenses: the dump's indexes were not built")
loaded = rss()
added = loaded - base
send({"jsonrpc": "2.0", "id": 5, "method": "workspace/executeCommand",
      "params": {"command": "heaplens.unloadDump", "arguments": [dump]}})
reply(5)
# The dump is freed on a worker after the reply: wait for RSS to fall, up to a deadline.
target = loaded - added // 2
deadline = time.time() + 10
after = rss()
while after > target and time.time() < deadline:
    time.sleep(0.05)
    after = rss()
send({"jsonrpc": "2.0", "id": 6, "method": "shutdown"})
reply(6)
send({"jsonrpc": "2.0", "method": "exit"})
p.wait(10)
print("VmRSS: %d KiB before the load, %d KiB loaded (+%d), %d KiB after the unload (%d KiB returned)"
      % (base, loaded, added, after, loaded - after))
if added <= 0 or after > target:
    sys.exit("unload-releases-memory: FAIL: after the unload RSS is %d KiB, expected at most %d KiB" % (after, target))
print("unload-releases-memory: PASS")
PY
