#!/usr/bin/env bash
# Sets up, builds and serves the playground at http://127.0.0.1:${PORT:-8080} (static files, the precompressed .br/.gz
# copies when the browser accepts them: scripts/serve.py; Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8080}
bash scripts/setup.sh
bash scripts/build-web.sh
echo "serve: http://127.0.0.1:$PORT/"
exec python3 scripts/serve.py "$PORT" web/dist
