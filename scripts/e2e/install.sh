#!/usr/bin/env bash
# Installs what the end-to-end test needs, outside the project's node_modules and package-lock:
# Debian's Chromium (playwright-core drives it; it downloads no browser) and code-server 4.100.3
# (VS Code 1.100.3, the last release for Node 20) into $KSTACK_E2E_HOME (default ~/.cache/kstack-e2e).
# Idempotent: does nothing when both are already there. Used by .ci/run and by hand.
set -euo pipefail
home="${KSTACK_E2E_HOME:-$HOME/.cache/kstack-e2e}"
version=4.100.3
export DEBIAN_FRONTEND=noninteractive
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
bin="$home/cs/node_modules/.bin/code-server"
if [ -x "$bin" ] && grep -q "\"version\": \"$version\"" "$home/cs/node_modules/code-server/package.json"; then
  exit 0
fi
mkdir -p "$home/cs" "$home/tmp"
# @vscode/ripgrep downloads rg from the internet in its postinstall; fill its cache with Debian's rg.
cache="$home/tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
cd "$home/cs"
[ -f package.json ] || echo '{ "name": "kstack-e2e-code-server", "private": true }' > package.json
TMPDIR="$home/tmp" npm_config_yes=true npm_config_unsafe_perm=true \
  npm install --no-audit --no-fund --no-save "code-server@$version" --foreground-scripts >"$home/install.log" 2>&1 \
  || { tail -40 "$home/install.log"; echo "scripts/e2e/install.sh: npm install code-server@$version failed (log: $home/install.log)" >&2; exit 1; }
[ -x "$bin" ] || { echo "scripts/e2e/install.sh: $bin missing after install" >&2; exit 1; }
