#!/usr/bin/env python3
"""run_transcript: replays a JSON-RPC conversation (a .test file) against `heaplens serve`.

Usage: run_transcript.py HEAPLENS_BINARY FILE.test

A transcript is a list of directives, one per line (JSON may continue over
several lines until it parses). Lines starting with '#' are comments.

  serve-args ARGS...       extra arguments for `heaplens serve` (first directive only)
  >>> {json}               send one message with Content-Length framing
  >>>raw "python literal"  send raw bytes (a Python string literal, e.g. "Content-Length: x\\r\\n\\r\\n")
  <<< {pattern}            wait for a message matching the pattern that arrives after the one
                           matched last (messages in between are allowed and skipped)
  <<<? {pattern}           wait for a matching message anywhere among those not matched yet
  !!! {pattern}            fail if any message received so far (after a short settle) matches
  wait MS                  sleep
  close-stdin              end the server's input
  exit-code N              close stdin if still open, wait for the process, check its exit code
  stderr-contains TEXT     (after exit-code) the server's stderr contains TEXT

Patterns match as subsets: every key of an expected object must be present and match; lists
match element by element and must have the same length unless the pattern's last element is
"..."; a string "~regex" matches by re.search; "${ANY}" matches any value; "${ABSENT}" requires
the key to be absent. In every line ${TEST_DATA} and ${SOURCE_DIR} are replaced from the
environment (HEAPLENS_TEST_DATA, HEAPLENS_SOURCE_DIR) and ${ID} by the id of the last matched
message (to answer a server->client request).

At the end every request the transcript sent (with an id, by >>>) must have been answered
exactly once, except requests sent after `exit`.
"""
import ast
import json
import os
import re
import subprocess
import sys
import threading
import time

TIMEOUT = float(os.environ.get("TRANSCRIPT_TIMEOUT", "15"))


class Failure(Exception):
    pass


class Reader(threading.Thread):
    """Parses Content-Length frames from the server's stdout into a list."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.messages = []
        self.cond = threading.Condition()
        self.errors = []
        self.done = False

    def run(self):
        buf = b""
        while True:
            chunk = self.stream.read1(65536) if hasattr(self.stream, "read1") else self.stream.read(65536)
            if not chunk:
                break
            buf += chunk
            while True:
                sep = buf.find(b"\r\n\r\n")
                if sep < 0:
                    break
                headers = buf[:sep].decode("ascii", "replace").split("\r\n")
                length = None
                for h in headers:
                    name, _, value = h.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    self.errors.append("server sent a header block without Content-Length: %r" % headers)
                    buf = buf[sep + 4:]
                    continue
                if len(buf) < sep + 4 + length:
                    break
                body = buf[sep + 4:sep + 4 + length]
                buf = buf[sep + 4 + length:]
                try:
                    msg = json.loads(body.decode("utf-8"))
                except Exception as e:  # noqa: BLE001
                    self.errors.append("server sent a body that is not JSON: %r (%s)" % (body[:200], e))
                    continue
                with self.cond:
                    self.messages.append(msg)
                    self.cond.notify_all()
        if buf.strip():
            self.errors.append("server output ended inside a frame: %r" % buf[:200])
        with self.cond:
            self.done = True
            self.cond.notify_all()


def matches(expected, actual):
    if expected == "${ANY}":
        return True
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        for k, v in expected.items():
            if v == "${ABSENT}":
                if k in actual:
                    return False
                continue
            if k not in actual or not matches(v, actual[k]):
                return False
        return True
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        if expected and expected[-1] == "...":
            prefix = expected[:-1]
            return len(actual) >= len(prefix) and all(matches(e, a) for e, a in zip(prefix, actual))
        return len(expected) == len(actual) and all(matches(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, str) and expected.startswith("~"):
        return isinstance(actual, str) and re.search(expected[1:], actual) is not None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return expected == actual


def frame(obj):
    body = json.dumps(obj).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def parse_directives(path):
    env = {
        "TEST_DATA": os.environ.get("HEAPLENS_TEST_DATA", ""),
        "SOURCE_DIR": os.environ.get("HEAPLENS_SOURCE_DIR", ""),
    }
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        lineno = i + 1
        line = lines[i]
        i += 1
        for k, v in env.items():
            line = line.replace("${%s}" % k, v)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        if op in (">>>", "<<<", "<<<?", "!!!"):
            text = rest
            while True:
                try:
                    json.loads(text.replace("${ID}", "0"))
                    break
                except json.JSONDecodeError:
                    if i >= len(lines):
                        raise Failure("%s:%d: JSON does not parse: %s" % (path, lineno, text))
                    nxt = lines[i]
                    for k, v in env.items():
                        nxt = nxt.replace("${%s}" % k, v)
                    text += "\n" + nxt
                    i += 1
            out.append((lineno, op, text))
        else:
            out.append((lineno, op, rest))
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, path = sys.argv[1], sys.argv[2]
    directives = parse_directives(path)
    args = []
    if directives and directives[0][1] == "serve-args":
        args = directives[0][2].split()
        directives = directives[1:]
    proc = subprocess.Popen([binary, "serve"] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    reader = Reader(proc.stdout)
    reader.start()
    stderr_chunks = []
    err_thread = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    err_thread.start()

    consumed = set()
    last_index = -1
    last_id = None
    sent_ids = []  # ids of requests sent before exit
    exit_sent = False
    stdin_open = True
    exited = False
    transcript = []

    def log(s):
        transcript.append(s)

    def find(pattern, ordered):
        start = last_index + 1 if ordered else 0
        for idx in range(start, len(reader.messages)):
            if idx not in consumed and matches(pattern, reader.messages[idx]):
                return idx
        return None

    try:
        for lineno, op, rest in directives:
            where = "%s:%d" % (os.path.basename(path), lineno)
            if op == ">>>":
                text = rest.replace("${ID}", json.dumps(last_id))
                msg = json.loads(text)
                if isinstance(msg, dict) and isinstance(msg.get("id"), (int, str)) and isinstance(msg.get("method"), str) and not exit_sent:
                    sent_ids.append(json.dumps(msg["id"]))
                if isinstance(msg, dict) and msg.get("method") == "exit":
                    exit_sent = True
                log(">>> " + json.dumps(msg))
                proc.stdin.write(frame(msg))
                proc.stdin.flush()
            elif op == ">>>raw":
                data = ast.literal_eval(rest.strip())
                data = data.encode("utf-8") if isinstance(data, str) else data
                log(">>>raw %r" % data)
                proc.stdin.write(data)
                proc.stdin.flush()
            elif op in ("<<<", "<<<?"):
                pattern = json.loads(rest)
                deadline = time.time() + TIMEOUT
                with reader.cond:
                    while True:
                        idx = find(pattern, op == "<<<")
                        if idx is not None or reader.done or time.time() > deadline:
                            break
                        reader.cond.wait(0.1)
                if idx is None:
                    raise Failure("%s: no message matched %s\nreceived (after #%d):\n%s" % (
                        where, json.dumps(pattern), last_index,
                        "\n".join("  #%d%s %s" % (i, " (matched)" if i in consumed else "", json.dumps(m)[:600])
                                  for i, m in enumerate(reader.messages))))
                consumed.add(idx)
                last_index = max(last_index, idx) if op == "<<<?" else idx
                last_id = reader.messages[idx].get("id")
                log("<<< #%d %s" % (idx, json.dumps(reader.messages[idx])[:300]))
            elif op == "!!!":
                pattern = json.loads(rest)
                time.sleep(0.3)
                with reader.cond:
                    for idx, m in enumerate(reader.messages):
                        if matches(pattern, m):
                            raise Failure("%s: unexpected message #%d matched %s: %s" % (
                                where, idx, json.dumps(pattern), json.dumps(m)))
            elif op == "wait":
                time.sleep(int(rest) / 1000.0)
            elif op == "close-stdin":
                proc.stdin.close()
                stdin_open = False
            elif op == "exit-code":
                if stdin_open:
                    proc.stdin.close()
                    stdin_open = False
                try:
                    code = proc.wait(TIMEOUT)
                except subprocess.TimeoutExpired:
                    raise Failure("%s: server did not exit within %ss" % (where, TIMEOUT))
                exited = True
                if code != int(rest):
                    raise Failure("%s: exit code %d, expected %s" % (where, code, rest))
                reader.join(5)
                err_thread.join(5)
            elif op == "stderr-contains":
                if not exited:
                    raise Failure("%s: stderr-contains needs exit-code first" % where)
                err = b"".join(stderr_chunks).decode("utf-8", "replace")
                if rest not in err:
                    raise Failure("%s: stderr does not contain %r:\n%s" % (where, rest, err))
            else:
                raise Failure("%s: unknown directive %r" % (where, op))

        if not exited:
            raise Failure("transcript must end with exit-code N")
        # Exactly one reply per request.
        counts = {}
        for m in reader.messages:
            if isinstance(m, dict) and "method" not in m and "id" in m:
                counts[json.dumps(m["id"])] = counts.get(json.dumps(m["id"]), 0) + 1
        for sid in sent_ids:
            if counts.get(sid, 0) != 1:
                raise Failure("request id %s got %d replies, expected exactly 1" % (sid, counts.get(sid, 0)))
        if reader.errors:
            raise Failure("framing problems in the server's output:\n" + "\n".join(reader.errors))
    except Failure as e:
        if not exited:
            proc.kill()
            proc.wait()
        err = b"".join(stderr_chunks).decode("utf-8", "replace") if exited else ""
        print("FAIL %s\n%s\n--- transcript ---\n%s\n--- stderr ---\n%s" % (path, e, "\n".join(transcript), err))
        return 1
    print("PASS %s (%d messages received)" % (path, len(reader.messages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
