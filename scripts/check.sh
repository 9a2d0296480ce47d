#!/usr/bin/env bash
# The fast developer check (docs/development.md): ruff, mypy and the tiers that need no pulumi CLI,
# in under a minute on 2 quiet cores. CI runs everything, with coverage: scripts/test.sh.
# Arguments go to pytest, e.g. `bash scripts/check.sh -x` or `bash scripts/check.sh -k pacing`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/venv.sh
# shellcheck disable=SC1091
source .venv/bin/activate

FAST_TIERS=(tests/model tests/emulator tests/client tests/provider tests/program tests/uniqueness)

started=$SECONDS
step() { echo "== $*"; "$@"; }
step ruff check .
step ruff format --check .
step mypy .  # incremental: with .mypy_cache warm it takes about a second
# Four workers on two cores: many tests wait (rate-limit windows, subprocesses), so two idle a core.
# --dist loadfile keeps a file on one worker, so a module's emulator or provider server starts once.
step python -m pytest -q -n 4 --dist loadfile "${FAST_TIERS[@]}" "$@"
echo "== scripts/check.sh passed in $((SECONDS - started)) s"
