#!/usr/bin/env bash
# THE test command: setup, format, lints, native tests (every workspace member, including the playground's reducer
# tests), the API docs, the KMS API against botocore's model, the core crates built for wasm32, benches compiled, the playground
# built, and the Playwright tests in Debian's chromium. Runs every step even after a failure, then prints a summary; exits non-zero if any step failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

start=$SECONDS
passed=()
failed=()

run() { # run NAME COMMAND...
  local name=$1 t=$SECONDS
  shift
  echo
  echo "==> $name"
  if "$@"; then
    passed+=("$name")
    echo "==> $name: ok ($((SECONDS - t)) s)"
  else
    failed+=("$name")
    echo "==> $name: FAILED ($((SECONDS - t)) s)"
  fi
}

summary() {
  local total=$((${#passed[@]} + ${#failed[@]}))
  echo
  if ((${#failed[@]} == 0)); then
    echo "test.sh: all $total steps passed in $((SECONDS - start)) s"
  else
    echo "test.sh: ${#failed[@]} of $total steps FAILED in $((SECONDS - start)) s: ${failed[*]}"
  fi
}

run "setup" bash scripts/setup.sh
if ((${#failed[@]} > 0)); then
  summary
  exit 1
fi
run "cargo fmt" cargo fmt --all -- --check
run "cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
# The playground's browser-only code (cfg wasm32) is linted on its own target too.
run "cargo clippy (web, wasm32)" cargo clippy -p kmsim-web --target wasm32-unknown-unknown -- -D warnings
run "cargo test" cargo test --workspace --no-fail-fast
# The API docs build without a broken or private link, a bare URL or stray HTML.
run "cargo doc" env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
run "lessons (kmsim check)" cargo run -q -p kmsim-cli -- check lessons/*.json
run "lessons: goals open, solutions meet them (kmsim check --solution)" cargo run -q -p kmsim-cli -- check --solution lessons/*.json
# The KMS API against botocore's model (installs botocore into target/botocore-venv once; needs Python and PyPI).
run "botocore model" bash scripts/botocore/test.sh
run "core crates for wasm32" cargo build -p kmsim-policy -p kmsim-kms --target wasm32-unknown-unknown
run "benches compile" cargo bench --workspace --no-run
run "js package (node tests)" bash scripts/test-js.sh
run "build web" bash scripts/build-web.sh
if [[ " ${failed[*]} " == *" build web "* ]]; then
  echo "==> playwright: skipped (the web build failed)"
  failed+=("playwright")
else
  run "playwright" web/node_modules/.bin/playwright test --config tests/e2e/playwright.config.ts
fi
summary
((${#failed[@]} == 0))
