#!/usr/bin/env bash
# run.sh: runs driver.lua in a headless, config-free Neovim with a bounded time.
#
# Shared by tests/e2e/nvim-*.sh and moar-*.sh: they export the driver's
# environment (see driver.lua) and call this. Neovim's own state (LSP log,
# shada) goes to a temporary directory; on failure the tail of the LSP log,
# which holds the server's stderr, is printed.
#
# A variant for another format only sets the environment, e.g. (MoarVM):
#   export HEAPLENS_BIN=/abs/heaplens ROOT_DIR=$ws TEST_FILE=$ws/leaky.raku FILETYPE=raku
#   export DUMP=$data/moar/leaky.mvmheap DUMP_SNAPSHOT=5 EXPECT_FORMAT=mvmheap
#   export EXPECT_LINE=<line> EXPECT_HOVER_SUBSTR=<text> EXPECT_DIAGNOSTIC=0
#   bash tests/e2e/nvim/run.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v nvim >/dev/null 2>&1; then
  echo "nvim-lsp: nvim is not installed (Debian package neovim; scripts/setup.sh installs it)" >&2
  exit 1
fi
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export XDG_CACHE_HOME="$state/cache" XDG_STATE_HOME="$state/state" XDG_DATA_HOME="$state/data" XDG_CONFIG_HOME="$state/config"
limit=${NVIM_TEST_TIMEOUT:-240}
timeout --kill-after=10 "$limit" \
  nvim --headless -u NONE -i NONE --cmd 'set noswapfile' -c "luafile $here/driver.lua" </dev/null
rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  echo "nvim-lsp: FAIL: Neovim did not finish within ${limit}s" >&2
fi
if [ $rc -ne 0 ]; then
  log=$(find "$state" -name 'lsp.log' 2>/dev/null | head -1)
  if [ -n "$log" ]; then
    echo "--- last lines of Neovim's lsp.log (server stderr included) ---" >&2
    tail -n 40 "$log" >&2
  fi
fi
exit $rc
