#!/usr/bin/env bash
# The lowest-SDK lane of scripts/test.sh: the provider-over-gRPC tier (tests/provider) and one
# real-CLI `up`/`destroy`, with the Pulumi Python SDK at the lowest version pyproject.toml allows
# (or at the version given), so the provider and its SDK patches (opsramp_jobs/sdk_patches.py) are
# known to work at both ends of the range. The pinned SDK's lane is scripts/test.sh's main run.
#
#   bash scripts/sdk_lane.sh [VERSION]     # e.g. 3.216 (the default: pyproject.toml's floor)
#
# Needs the `pulumi` CLI on PATH (scripts/test.sh puts it there). The lane's virtualenv, the
# requirements-dev.txt pins with that SDK instead of the pinned one and this checkout installed
# editable, is cached outside the repo: ${OPSRAMP_SDK_LANE_CACHE:-~/.cache/opsramp-jobs/sdk-lanes}.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
floor="$(grep -oE '"pulumi>=[0-9]+\.[0-9]+' pyproject.toml | cut -d= -f2)"
version="${1:-$floor}"
key="$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -c1-16)"
VENV="${OPSRAMP_SDK_LANE_CACHE:-$HOME/.cache/opsramp-jobs/sdk-lanes}/pulumi-$version-$key"
say() { echo "sdk lane: $*" >&2; }

if [[ ! -f "$VENV/.ready" ]]; then
  say "creating $VENV (pulumi ~= $version.0 and the dev requirements)..."
  rm -rf "$VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
  # The dev pins, with the SDK at this version: the nested -r made absolute, the pin dropped.
  sed -e '/^pulumi==/d' -e "s#^-r requirements.txt#-r $REPO/requirements.txt#" \
    requirements-dev.txt >"$VENV/requirements-lane.txt"
  if ! {
    "$VENV/bin/python" -m pip install -r "$VENV/requirements-lane.txt" "pulumi~=$version.0" \
      && "$VENV/bin/python" -m pip install --no-deps -e .
  } >"$VENV/install.log" 2>&1; then
    say "installing into $VENV failed; the installer's log follows:"
    cat "$VENV/install.log" >&2
    exit 1
  fi
  touch "$VENV/.ready"
fi
installed="$("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('pulumi'))")"
say "pulumi SDK $installed: the provider over gRPC, and one up/destroy under the real CLI"
# The e2e program and its provider process run in this virtualenv too (tests/e2e/project.py).
OPSRAMP_REQUIRE_E2E=1 OPSRAMP_E2E_VENV="$VENV" "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/provider \
  tests/e2e/test_cli.py::test_destroy_leaves_no_job_behind
