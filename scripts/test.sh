#!/usr/bin/env bash
# The project's one test command (README "Testing"): lint, type-check, then every test tier.
# Creates/refreshes .venv itself, so it works on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/venv.sh
# shellcheck disable=SC1091
source .venv/bin/activate

echo "== ruff"; ruff check . && ruff format --check .
echo "== mypy"; mypy .

if [[ -x scripts/toolchain.sh ]]; then
  echo "== pulumi toolchain"
  PULUMI_BIN_DIR="$(bash scripts/toolchain.sh)"
  export PATH="$PULUMI_BIN_DIR:$PATH"
  # The end-to-end tier must run here: a skipped e2e test fails the run.
  export OPSRAMP_REQUIRE_E2E=1
fi

echo "== pytest"
python -m pytest "$@"
