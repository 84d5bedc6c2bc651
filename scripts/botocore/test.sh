#!/usr/bin/env bash
# The botocore test (scripts/botocore/test.py): installs the botocore release crates/kms/src/model/data.rs was
# generated from into a virtual environment under target/ (once; skipped when present), builds the kmsim CLI and
# runs the test. Arguments go to test.py (`--write` regenerates docs/API-COVERAGE.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^pub const BOTOCORE_VERSION: &str = "\(.*\)";$/\1/p' crates/kms/src/model/data.rs)
venv=target/botocore-venv
if ! "$venv/bin/python" -c "import botocore, sys; sys.exit(botocore.__version__ != '$version')" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "botocore==$version"
fi
cargo build -q -p kmsim-cli
"$venv/bin/python" scripts/botocore/test.py "$@"
