#!/usr/bin/env bash
# The benchmark command (README "Benchmarks"): venv, toolchain, then the side-by-side table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
PATH="$(bash scripts/toolchain.sh):$PATH"
export PATH
exec .venv/bin/python -m benchmarks.bench "$@"
