#!/usr/bin/env bash
# Installs what HeapLens needs to build and test, from Debian's packages and npm only.
# Idempotent: it installs only what is missing and says what it installs.
#   bash scripts/setup.sh [packages|npm]   (default: both; `make test` runs npm ci beside the build)
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages() {
  packages=(
    cmake ninja-build pkg-config g++ clang libclang-rt-14-dev
    nlohmann-json3-dev libboost-dev libboost-graph-dev libzstd-dev libcli11-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    neovim python3
  )
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # Node.js 20 with npm: keep whatever node the machine has; install Debian's only when there is none.
  if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
  if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: all Debian packages present"
  fi
}

npm_packages() {
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
