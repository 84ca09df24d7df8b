#!/usr/bin/env python3
"""Hover latency of the real server over stdio: p50/p99 of textDocument/hover on big dumps.

For each dump (Go, MoarVM, V8), `heaplens serve` is started with the folder of the dump's source as
its workspace, the dump is loaded (heaplens.loadDump), and hovers are sent one after another on a
line the dump puts figures on: first idle, then while the server loads another big dump (the
load's request is sent, and hovers go on until its reply comes). Each latency is the time from
writing the request to reading its reply. Figures are printed, never asserted (issue #12's targets:
p99 <= 5 ms idle, <= 50 ms during a load).

  python3 bench/hover.py [build-dir] [hovers]

Dumps: HEAPLENS_BIG_GO_DUMP (default /tmp/big/big.heapdump, whose source is beside it: build
shared/fixtures/go/big there), HEAPLENS_BIG_MOAR_DUMP (default ../shared/fixtures/moar/big.mvmheap),
HEAPLENS_BIG_JS_DIR (default /tmp/bigjs, made by bench/v8.sh). A missing dump is skipped.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1] if len(sys.argv) > 1 else "build"
hovers = int(sys.argv[2]) if len(sys.argv) > 2 else 300
binary = os.path.join(build, "lsp", "heaplens")
shared = os.path.normpath(os.path.join(here, "..", "..", "shared"))
go_dump = os.environ.get("HEAPLENS_BIG_GO_DUMP", "/tmp/big/big.heapdump")
moar_dump = os.environ.get("HEAPLENS_BIG_MOAR_DUMP", os.path.join(shared, "fixtures", "moar", "big.mvmheap"))
js_dir = os.environ.get("HEAPLENS_BIG_JS_DIR", "/tmp/bigjs")
js_dump = os.path.join(js_dir, "big-target.heapsnapshot")

# (name, dump, source file, candidate 1-based lines with figures, the other dump loaded meanwhile)
cases = [
    ("Go", go_dump, os.path.join(os.path.dirname(go_dump), "main.go"), [28, 37, 52, 65], js_dump),
    ("MoarVM", moar_dump, os.path.join(os.path.dirname(moar_dump), "big.raku"), [13, 4, 12, 11], go_dump),
    ("V8", js_dump, os.path.join(shared, "fixtures", "js", "big_app.js"), [8, 9, 19, 11], go_dump),
]


class Server:
    def __init__(self, root):
        self.p = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.buf = b""
        self.next_id = 0
        self.replies = {}
        self.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + root,
                                    "workspaceFolders": [{"uri": "file://" + root, "name": "bench"}],
                                    "capabilities": {}})
        self.notify("initialized", {})

    def send(self, o):
        b = json.dumps(o).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b)
        self.p.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def start(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def pump(self):
        """Reads one message (blocking) and files it if it is a reply."""
        while True:
            if b"\r\n\r\n" in self.buf:
                head, rest = self.buf.split(b"\r\n\r\n", 1)
                n = int(re.search(rb"Content-Length: (\d+)", head).group(1))
                if len(rest) >= n:
                    body, self.buf = rest[:n], rest[n:]
                    m = json.loads(body)
                    if "id" in m and "method" not in m:
                        self.replies[m["id"]] = m
                    elif "id" in m:  # a request from the server (refresh): answer it
                        self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})
                    return
            chunk = self.p.stdout.read1(1 << 16)
            if not chunk:
                sys.exit("hover.py: the server closed its output")
            self.buf += chunk

    def wait(self, i, timeout=600):
        deadline = time.time() + timeout
        while i not in self.replies:
            if time.time() > deadline:
                sys.exit("hover.py: no reply to request %d" % i)
            self.pump()
        m = self.replies.pop(i)
        if "error" in m:
            sys.exit("hover.py: request %d failed: %s" % (i, m["error"]))
        return m.get("result")

    def request(self, method, params):
        return self.wait(self.start(method, params))

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.p.wait(30)


def hover(server, uri, line):
    t = time.perf_counter()
    result = server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": line - 1, "character": 4}})
    return (time.perf_counter() - t) * 1000, result


def figures(ms):
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
    return "n %4d  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms" % (len(ms), statistics.median(ms), p99, ms[-1])


print("== hover latency over stdio (%s), %d hovers idle, hovers during a load until it ends" % (binary, hovers))
print("machine: %d cores, load average %s" % (os.cpu_count(), open("/proc/loadavg").read().split()[:3]))
for name, dump, source, lines, other in cases:
    if not os.path.isfile(dump) or not os.path.isfile(source):
        print("%-6s skipped: no %s or %s" % (name, dump, source))
        continue
    server = Server(os.path.dirname(source))
    t = time.perf_counter()
    server.request("workspace/executeCommand", {"command": "heaplens.loadDump", "arguments": [dump]})
    load_s = time.perf_counter() - t
    uri = "file://" + source
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1,
                                                             "text": open(source).read()}})
    # The first hover builds the indexes (and the workspace index may still be running): wait for figures.
    line, first = None, None
    deadline = time.time() + 120
    while line is None and time.time() < deadline:
        for candidate in lines:
            ms, result = hover(server, uri, candidate)
            if first is None:
                first = ms
            if result:
                line = candidate
                break
        else:
            time.sleep(0.2)
    if line is None:
        print("%-6s no hover with figures on lines %s of %s" % (name, lines, source))
        server.close()
        continue
    idle = [hover(server, uri, line)[0] for _ in range(hovers)]
    busy = []
    if os.path.isfile(other):
        load_id = server.start("workspace/executeCommand", {"command": "heaplens.loadDump", "arguments": [other]})
        t = time.perf_counter()
        while load_id not in server.replies:
            busy.append(hover(server, uri, line)[0])
        other_s = time.perf_counter() - t
        server.wait(load_id)
    print("%-6s %s (loaded in %.1f s; first hover %.0f ms), %s line %d" % (name, os.path.basename(dump), load_s, first,
                                                                          os.path.basename(source), line))
    print("       idle:        " + figures(idle))
    if busy:
        print("       during load: " + figures(busy) + "  (%s, %.1f s)" % (os.path.basename(other), other_s))
    server.close()
