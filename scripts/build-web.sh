#!/usr/bin/env bash
# Builds the playground into web/dist: cargo (profile `web`: opt z, lto, panic abort) -> wasm-bindgen --target web
# -> wasm-opt -Oz (npm binaryen; Debian's binaryen cannot read today's wasm-bindgen output) -> index.html + style.css.
# Run scripts/setup.sh first on a fresh machine. Prints every asset's raw and gzip size.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

DIST=web/dist
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
WASM_OPT=web/node_modules/.bin/wasm-opt
[[ -x $WASM_OPT ]] || { echo "build-web: $WASM_OPT missing: run scripts/setup.sh" >&2; exit 1; }

start=$SECONDS
# strip=false: wasm-bindgen needs the target_features section (wasm-opt strips the rest below).
CARGO_PROFILE_WEB_STRIP=false cargo build -p kmsim-web --bin kmsim-web --target wasm32-unknown-unknown --profile web
echo "build-web: cargo build done in $((SECONDS - start)) s"

rm -rf "$DIST"
mkdir -p "$DIST"
wasm-bindgen --target web --no-typescript --out-dir "$DIST" "$TARGET_DIR/wasm32-unknown-unknown/web/kmsim-web.wasm"

t=$SECONDS
# The features rustc enables by default for wasm32-unknown-unknown (wasm-opt must accept them, may use no others).
"$WASM_OPT" -Oz --enable-bulk-memory --enable-multivalue --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext --strip-debug --strip-producers "$DIST/kmsim-web_bg.wasm" -o "$DIST/kmsim-web_bg.wasm"
echo "build-web: wasm-opt -Oz done in $((SECONDS - t)) s"

cp web/index.html web/style.css "$DIST/"

echo "build-web: assets in $DIST (raw / gzip -9 bytes)"
total_raw=0
total_gz=0
for f in "$DIST"/*; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf '  %-28s %9d %9d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '  %-28s %9d %9d\n' "total" "$total_raw" "$total_gz"
echo "build-web: done in $((SECONDS - start)) s"
