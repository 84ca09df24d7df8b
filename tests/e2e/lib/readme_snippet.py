#!/usr/bin/env python3
"""Prints one snippet of README.md exactly as written, so the editor tests run what users copy.

Usage: readme_snippet.py README NAME [--line-containing TEXT] [--replace OLD NEW]...

The snippet is the fenced code block that follows the line `<!-- snippet:NAME -->` (blank lines
may come between). --line-containing keeps the one line of the block that contains TEXT.
--replace substitutes a placeholder (a dump path) with a real one; each OLD must occur in the
snippet, so a README that drops or renames a placeholder fails the test instead of silently
running something else. Nothing else is changed. Exit status 2 and a message on stderr when the
marker, the block, the line or a placeholder is missing or ambiguous.
"""
import argparse
import re
import sys


def fail(message):
    print(f"readme_snippet: {message}", file=sys.stderr)
    sys.exit(2)


def extract(text, name):
    lines = text.split("\n")
    marker = f"<!-- snippet:{name} -->"
    at = [i for i, line in enumerate(lines) if line.strip() == marker]
    if len(at) != 1:
        fail(f"{marker} occurs {len(at)} times in the README, expected once")
    i = at[0] + 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    fence = re.match(r"^(```+)\s*([\w+-]*)\s*$", lines[i]) if i < len(lines) else None
    if not fence:
        fail(f"{marker} is not followed by a fenced code block")
    body = []
    for line in lines[i + 1:]:
        if line.strip() == fence.group(1):
            return "\n".join(body) + "\n"
        body.append(line)
    fail(f"the code block after {marker} is not closed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("readme")
    parser.add_argument("name")
    parser.add_argument("--line-containing")
    parser.add_argument("--replace", nargs=2, action="append", default=[], metavar=("OLD", "NEW"))
    args = parser.parse_args()
    with open(args.readme, encoding="utf-8") as f:
        snippet = extract(f.read(), args.name)
    if args.line_containing is not None:
        hits = [line for line in snippet.split("\n") if args.line_containing in line]
        if len(hits) != 1:
            fail(f"{len(hits)} lines of snippet {args.name} contain {args.line_containing!r}, expected one")
        snippet = hits[0] + "\n"
    for old, new in args.replace:
        if old not in snippet:
            fail(f"snippet {args.name} does not contain the placeholder {old!r}")
        if any(c in new for c in "'\"\\\n"):
            fail(f"replacement {new!r} holds a quote, backslash or newline; it would change the snippet's syntax")
        snippet = snippet.replace(old, new)
    sys.stdout.write(snippet)


if __name__ == "__main__":
    main()
