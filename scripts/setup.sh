#!/usr/bin/env bash
# Installs whatever llmsim needs that this Debian 12 machine lacks; quiet and quick when all is there.
# Run as root (apt-get). Packages are listed in scripts/debian-packages.txt, npm ones in tests/sdk/package-lock.json.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mapfile -t wanted < <(grep -v '^\s*#' "$here/scripts/debian-packages.txt" | awk 'NF{print $1}')
missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
# Node.js runs the SDK tests; any installed node/npm will do, else Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The SDK compatibility tests use the official openai npm package, pinned by the committed lock file.
if [[ "${LLMSIM_SKIP_NPM:-0}" != 1 && -f "$here/tests/sdk/package-lock.json" ]]; then
  # Reinstall whenever the lock file differs from the one the installed modules came from.
  if ! cmp -s "$here/tests/sdk/package-lock.json" "$here/tests/sdk/node_modules/.llmsim-installed-lock"; then
    echo "setup: npm ci in tests/sdk"
    (cd "$here/tests/sdk" && npm ci --silent --no-audit --no-fund &&
      cp package-lock.json node_modules/.llmsim-installed-lock)
  fi
fi
