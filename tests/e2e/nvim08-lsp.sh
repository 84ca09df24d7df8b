#!/usr/bin/env bash
# nvim08-lsp.sh: README.md's Neovim 0.8+ snippet (vim.lsp.start), as written, in nvim-lsp.sh's session.
#
# Usage: bash tests/e2e/nvim08-lsp.sh <path-to-heaplens>. With a Neovim older than 0.8 (Debian 12
# has 0.7.2) the snippet is only parsed, and the test exits 77: ctest reports it as skipped.
SNIPPET=nvim08 exec bash "$(dirname "$0")/nvim-lsp.sh" "$@"
