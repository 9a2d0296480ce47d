#!/usr/bin/env bash
# Create .venv (Python >= 3.11) with the run-time and dev dependencies and the package itself.
# Quiet: pip's output (progress, setuptools' build banners) goes to .venv/install.log, which is
# printed only when an install fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
stamp=".venv/.installed-$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -c1-16)"
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
if [[ ! -f "$stamp" ]]; then
  log=".venv/install.log"
  # Chained with &&: `set -e` does not apply inside an `if` condition.
  if ! {
    .venv/bin/python -m pip install --upgrade pip \
      && .venv/bin/python -m pip install -r requirements-dev.txt \
      && .venv/bin/python -m pip install --no-deps -e .
  } >"$log" 2>&1; then
    echo "venv.sh: installing into .venv failed; the installer's log ($log) follows:" >&2
    cat "$log" >&2
    exit 1
  fi
  rm -f .venv/.installed-*; touch "$stamp"
fi
