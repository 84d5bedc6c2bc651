#!/usr/bin/env bash
# Builds the JS package of crates/wasm: cargo (release, wasm32-unknown-unknown) -> wasm-bindgen --target nodejs into
# crates/wasm/pkg (for the node tests) and --target web into crates/wasm/pkg-web (for embedding in a page). Both
# directories are build outputs (git-ignored). Prints the .wasm size, raw and gzip -9. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

WASM_BINDGEN_VERSION=0.2.130
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  echo "build-js: wasm-bindgen $WASM_BINDGEN_VERSION not on PATH: run scripts/setup.sh" >&2
  exit 1
fi

TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
WASM="$TARGET_DIR/wasm32-unknown-unknown/release/kmsim_wasm.wasm"

start=$SECONDS
cargo build -p kmsim-wasm --target wasm32-unknown-unknown --release
echo "build-js: cargo build done in $((SECONDS - start)) s"

for target in nodejs web; do
  out=crates/wasm/pkg
  [[ $target == web ]] && out=crates/wasm/pkg-web
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-name kmsim --out-dir "$out" "$WASM"
done

raw=$(wc -c <crates/wasm/pkg/kmsim_bg.wasm)
gz=$(gzip -9 -c crates/wasm/pkg/kmsim_bg.wasm | wc -c)
echo "build-js: crates/wasm/pkg/kmsim_bg.wasm $raw bytes raw, $gz bytes gzip -9"
