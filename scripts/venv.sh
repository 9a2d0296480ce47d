#!/usr/bin/env bash
# Create .venv (Python >= 3.11) with the run-time and dev dependencies and the package itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
stamp=".venv/.installed-$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -c1-16)"
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
if [[ ! -f "$stamp" ]]; then
  .venv/bin/python -m pip install -q --upgrade pip >&2
  .venv/bin/python -m pip install -q -r requirements-dev.txt >&2
  .venv/bin/python -m pip install -q --no-deps -e . >&2
  rm -f .venv/.installed-*; touch "$stamp"
fi
