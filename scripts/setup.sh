#!/usr/bin/env bash
# Installs what a fresh machine lacks for building and testing kmsim (idempotent: each step skips when present).
#   rust target wasm32-unknown-unknown, wasm-bindgen-cli 0.2.130 (must match the wasm-bindgen crate pinned in
#   web/Cargo.toml), Debian chromium (for Playwright), and web/package.json's npm packages (binaryen's wasm-opt,
#   esbuild, whose platform binary is an optional dependency, and Playwright) via `npm ci`. Never downloads
#   Playwright's own browsers.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
export PATH="$HOME/.cargo/bin:$PATH"

step() { # step NAME COMMAND...: runs COMMAND, printing how long it took
  local name=$1 start=$SECONDS
  shift
  echo "setup: $name"
  "$@"
  echo "setup: $name done in $((SECONDS - start)) s"
}

have_wasm_bindgen() { [[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; }

# Rust target.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: rust target wasm32-unknown-unknown present"
else
  step "rustup target add wasm32-unknown-unknown" rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli (not --locked: its lock file pins a webpki-roots the registry no longer serves).
if have_wasm_bindgen; then
  echo "setup: wasm-bindgen $WASM_BINDGEN_VERSION present"
else
  # Another install of it may be running (e.g. started by a provisioning step): wait for it instead of racing it.
  waited=0
  while pgrep -f "cargo install wasm-bindgen-cli" >/dev/null 2>&1 && ! have_wasm_bindgen && ((waited < 1200)); do
    ((waited % 60 == 0)) && echo "setup: waiting for a running wasm-bindgen-cli install (${waited} s)"
    sleep 5
    waited=$((waited + 5))
  done
  if ! have_wasm_bindgen; then
    step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 min)" \
      cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
fi

# Chromium from Debian (Playwright drives it; its own browser downloads are never used).
if command -v chromium >/dev/null 2>&1; then
  echo "setup: chromium present ($(chromium --version 2>/dev/null || echo unknown version))"
else
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  step "apt-get install chromium" bash -c "$SUDO apt-get update -q && $SUDO apt-get install -y -q chromium"
fi

# npm packages: binaryen (wasm-opt), esbuild (minifies the glue and stylesheet, bundles the editor), CodeMirror 6
# (the policy editor) and Playwright, exactly as locked.
LOCK_SUM=$(sha256sum web/package-lock.json | cut -d' ' -f1)
if [[ -x web/node_modules/.bin/wasm-opt && -x web/node_modules/.bin/esbuild && -x web/node_modules/.bin/playwright &&
  "$(cat web/node_modules/.kmsim-lock-sha256 2>/dev/null)" == "$LOCK_SUM" ]]; then
  echo "setup: npm packages present (web/package-lock.json unchanged)"
else
  step "npm ci (web/)" npm ci --prefix web --no-audit --no-fund
  echo "$LOCK_SUM" >web/node_modules/.kmsim-lock-sha256
fi
# The Playwright tests live in tests/e2e and resolve @playwright/test through this link (git-ignored).
if [[ ! -e tests/e2e/node_modules ]]; then
  mkdir -p tests/e2e
  ln -sfn ../../web/node_modules tests/e2e/node_modules
  echo "setup: linked tests/e2e/node_modules -> web/node_modules"
fi
echo "setup: ready"
