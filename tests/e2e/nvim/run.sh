#!/usr/bin/env bash
# run.sh: runs one of README.md's Neovim snippets, as written, in headless Neovim, then driver.lua.
#
# Usage: SNIPPET=nvim07|nvim08 HEAPLENS_BIN=... TEST_FILE=... DUMP=... (and driver.lua's
# environment) bash tests/e2e/nvim/run.sh. Called by tests/e2e/nvim-*.sh and moar-nvim.sh.
#
# The snippet becomes Neovim's init.lua; the only change made to it is the dump placeholder
# /path/to/app.heapdump, replaced by $DUMP. `heaplens` is found on PATH, where a directory holding
# a link to $HEAPLENS_BIN comes first. When LOAD_DUMP is set, the README's load command
# (snippet nvim-load, /path/to/other.heapdump replaced by it) is given to the driver, and with
# UNLOAD=1 so is the unload line of nvim-load-forms (the same placeholder, the same dump); when
# FORM_DUMP and FORM_LINE are set, so is the line of snippet nvim-load-forms containing
# FORM_LINE, its FORM_PLACEHOLDER replaced by FORM_DUMP.
#
# The vim.lsp.start snippet (nvim08) needs Neovim 0.8 or later. With an older Neovim it is only
# parsed as Lua, and the script exits 77, which ctest reports as skipped (not passed).
# Neovim's own state (LSP log, shada) goes to a temporary directory; on failure the tail of the
# LSP log, which holds the server's stderr, is printed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
readme=${HEAPLENS_SOURCE_DIR:-$here/../../..}/README.md
snippet_of() { python3 "$here/../lib/readme_snippet.py" "$readme" "$@"; }
: "${SNIPPET:?SNIPPET=nvim07 or nvim08}" "${HEAPLENS_BIN:?}" "${DUMP:?}"
if ! command -v nvim >/dev/null 2>&1; then
  echo "nvim: FAIL: nvim is not installed (Debian package neovim; scripts/setup.sh installs it)" >&2
  exit 1
fi
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export XDG_CACHE_HOME="$state/cache" XDG_STATE_HOME="$state/state" XDG_DATA_HOME="$state/data" XDG_CONFIG_HOME="$state/config"

snippet_of "$SNIPPET" --replace /path/to/app.heapdump "$DUMP" >"$state/init.lua" || exit 1

# Neovim's version, as "0.7.2".
version=$(nvim --version | sed -n '1s/^NVIM v\([0-9]*\.[0-9]*\.[0-9]*\).*/\1/p')
if [ "$SNIPPET" = nvim08 ] && [ "$(printf '%s\n' "$version" 0.8.0 | sort -V | head -1)" != 0.8.0 ]; then
  # Parse only: loadfile compiles the file without running it.
  parsed=$(timeout 30 nvim --headless -u NONE -i NONE -n --cmd \
    "lua local f, e = loadfile('$state/init.lua') io.stdout:write(f and 'parsed' or e) vim.cmd('qall!')" </dev/null)
  if [ "$parsed" != parsed ]; then
    echo "nvim: FAIL: README snippet $SNIPPET is not valid Lua: $parsed" >&2
    exit 1
  fi
  echo "nvim: SKIPPED: README snippet $SNIPPET (vim.lsp.start) needs Neovim 0.8 or later; this is Neovim $version."
  echo "      Its Lua parses; it was not run, so this test is reported as skipped, not passed."
  exit 77
fi

mkdir -p "$state/bin"
ln -s "$HEAPLENS_BIN" "$state/bin/heaplens"
export PATH="$state/bin:$PATH"
if [ -n "${LOAD_DUMP:-}" ]; then
  snippet_of nvim-load --replace /path/to/other.heapdump "$LOAD_DUMP" >"$state/load.lua" || exit 1
  export LOAD_SCRIPT="$state/load.lua"
fi
if [ -n "${LOAD_DUMP:-}" ] && [ -n "${UNLOAD:-}" ]; then
  snippet_of nvim-load-forms --line-containing heaplens.unloadDump --replace /path/to/other.heapdump "$LOAD_DUMP" >"$state/unload.lua" || exit 1
  export UNLOAD_SCRIPT="$state/unload.lua"
fi
if [ -n "${FORM_DUMP:-}" ]; then
  snippet_of nvim-load-forms --line-containing "$FORM_LINE" --replace "$FORM_PLACEHOLDER" "$FORM_DUMP" >"$state/form.lua" || exit 1
  export FORM_SCRIPT="$state/form.lua"
fi

limit=${NVIM_TEST_TIMEOUT:-120}
timeout --kill-after=10 "$limit" \
  nvim --headless -u "$state/init.lua" -i NONE -n -c "luafile $here/driver.lua" </dev/null
rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  echo "nvim: FAIL: Neovim did not finish within ${limit}s" >&2
fi
if [ $rc -ne 0 ]; then
  log=$(find "$state" -name 'lsp.log' 2>/dev/null | head -1)
  if [ -n "$log" ]; then
    echo "--- last lines of Neovim's lsp.log (server stderr included) ---" >&2
    tail -n 40 "$log" >&2
  fi
fi
exit $rc
