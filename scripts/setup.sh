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

npm_packages() {
  # The page-dump page's npm packages (Chart.js, chartjs-chart-matrix, esbuild, puppeteer-core for the headless
  # Chromium test, which drives Debian's chromium: no browser is downloaded), from web/package-lock.json.
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "setup: installing the page's npm packages (npm ci in web/)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # The VS Code extension's npm dependencies (vscode-languageclient, esbuild, @vscode/vsce), from package-lock.json.
  if [ -f vscode-extension/package.json ]; then
    if [ ! -d vscode-extension/node_modules ] || [ vscode-extension/package-lock.json -nt vscode-extension/node_modules/.package-lock.json ]; then
      echo "setup: installing the extension's npm packages (npm ci)"
      (cd vscode-extension && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
}

case ${1:-all} in
  all) debian_packages; npm_packages ;;
  packages) debian_packages ;;
  npm) npm_packages ;;
  *) echo "usage: $0 [packages|npm]" >&2; exit 2 ;;
esac
