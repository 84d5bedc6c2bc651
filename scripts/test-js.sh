#!/usr/bin/env bash
# Tests the JS package of crates/wasm: builds it (scripts/build-js.sh), installs the pinned TypeScript (npm ci, only
# when node_modules is missing or older than the lock file), type-checks an example consumer against the generated
# declarations (tsc --strict --noEmit), then runs the node tests of the built package. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build-js.sh

(
  cd crates/wasm
  if [[ ! -x node_modules/.bin/tsc || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund
  fi
  echo "test-js: $(npx --no-install tsc --version)"
  npx --no-install tsc --strict --noEmit -p tsconfig.json
  echo "test-js: tsc --strict --noEmit ok"
)

node --test crates/wasm/js-tests/
