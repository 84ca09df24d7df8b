#!/usr/bin/env bash
# run.sh: runs README.md's Eglot snippets, as written, in batch Emacs, then driver.el.
#
# Usage: HEAPLENS_BIN=... TEST_FILE=... DUMP=... MODE=... (and driver.el's environment)
# bash tests/e2e/emacs/run.sh. Called by tests/e2e/emacs-eglot.sh and moar-emacs.sh.
#
# The init file is README's snippet `emacs` followed by `emacs-load`; the only change made is the
# dump placeholder /path/to/app.heapdump, replaced by $DUMP. `heaplens` is found on PATH, where a
# directory holding a link to $HEAPLENS_BIN comes first. With LOAD_DUMP and UNLOAD=1, the unload
# line of emacs-load-forms (/path/to/other.heapdump replaced by LOAD_DUMP) is given to the
# driver. When FORM_DUMP and FORM_LINE are set, the
# line of snippet emacs-load-forms containing FORM_LINE, its FORM_PLACEHOLDER replaced by
# FORM_DUMP, is given to the driver. HOME is a temporary directory.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
readme=${HEAPLENS_SOURCE_DIR:-$here/../../..}/README.md
snippet_of() { python3 "$here/../lib/readme_snippet.py" "$readme" "$@"; }
: "${HEAPLENS_BIN:?}" "${DUMP:?}"
for tool in emacs; do
  command -v $tool >/dev/null 2>&1 || { echo "emacs: FAIL: emacs is not installed (Debian packages emacs-nox elpa-eglot elpa-go-mode; scripts/setup.sh installs them)" >&2; exit 1; }
done
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
mkdir -p "$state/home" "$state/bin"
{ snippet_of emacs --replace /path/to/app.heapdump "$DUMP" && snippet_of emacs-load; } >"$state/init.el" || exit 1
if [ -n "${LOAD_DUMP:-}" ] && [ -n "${UNLOAD:-}" ]; then
  snippet_of emacs-load-forms --line-containing heaplens.unloadDump --replace /path/to/other.heapdump "$LOAD_DUMP" >"$state/unload.el" || exit 1
  export UNLOAD_SCRIPT="$state/unload.el"
fi
if [ -n "${FORM_DUMP:-}" ]; then
  snippet_of emacs-load-forms --line-containing "$FORM_LINE" --replace "$FORM_PLACEHOLDER" "$FORM_DUMP" >"$state/form.el" || exit 1
  export FORM_SCRIPT="$state/form.el"
fi
ln -s "$HEAPLENS_BIN" "$state/bin/heaplens"
export PATH="$state/bin:$PATH" HOME="$state/home"

limit=${EMACS_TEST_TIMEOUT:-120}
# --batch implies -q, and Emacs activates installed packages (here Debian's elpa-*: their autoloads,
# such as go-mode for *.go) only when it loads an init file; so that step comes first, as in an
# Emacs started normally, then the init file, then the driver.
timeout --kill-after=10 "$limit" \
  emacs --batch -q --eval '(package-activate-all)' -l "$state/init.el" -l "$here/driver.el" </dev/null
rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  echo "emacs: FAIL: Emacs did not finish within ${limit}s" >&2
fi
exit $rc
