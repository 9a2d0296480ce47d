#!/usr/bin/env bash
# The README's one-command quickstart: on a fresh clone, `pulumi up` the example program's dev
# stack against the local OpsRamp emulator and print the stack outputs. Safe to run again.
#
#   bash scripts/quickstart.sh [--keep-emulator]
#
# Everything it creates lives under .quickstart/ (git-ignored): the emulator's SQLite file, the
# Pulumi file backend, PULUMI_HOME and a copy of the program. Nothing touches ~/.pulumi.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
QS="${OPSRAMP_QUICKSTART_DIR:-$ROOT/.quickstart}"
PORT="${OPSRAMP_QUICKSTART_PORT:-8700}"
KEEP=0
[[ "${1:-}" == "--keep-emulator" ]] && KEEP=1
say() { echo "quickstart: $*" >&2; }

say "1/5 virtualenv (.venv)"
bash scripts/venv.sh
say "2/5 pulumi toolchain"
PATH="$(bash scripts/toolchain.sh):$PATH"
export PATH

mkdir -p "$QS/state" "$QS/home"
say "3/5 OpsRamp emulator on 127.0.0.1:$PORT"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  say "something already listens on 127.0.0.1:$PORT: stop it, or choose another port with OPSRAMP_QUICKSTART_PORT=<port>"
  exit 1
fi
.venv/bin/python -m opsramp_jobs.emulator --port "$PORT" --db "$QS/emulator.db" >"$QS/emulator.log" 2>&1 &
EMULATOR_PID=$!
cleanup() { [[ $KEEP == 1 ]] || kill "$EMULATOR_PID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 50); do
  grep -q "listening on" "$QS/emulator.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "listening on" "$QS/emulator.log" || { say "the emulator did not start:"; cat "$QS/emulator.log" >&2; exit 1; }

say "4/5 local Pulumi backend and the dev stack"
export PULUMI_HOME="$QS/home"
export PULUMI_BACKEND_URL="file://$QS/state"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ]]; then
  export PULUMI_CONFIG_PASSPHRASE=quickstart
  say "PULUMI_CONFIG_PASSPHRASE not set: using 'quickstart' for this local stack"
fi
# The emulator's demo partner secret (README "The emulator"); a real tenant's secret goes into
# stack config with `pulumi config set --secret opsramp:clientSecret ...` instead.
export OPSRAMP_CLIENT_SECRET="${OPSRAMP_CLIENT_SECRET:-opsramp-demo-secret}"
# The program runs from a copy under .quickstart/project, so `stack init` writing an encryption
# salt into Pulumi.dev.yaml never touches the tracked file.
mkdir -p "$QS/project"
sed "s#virtualenv: .venv#virtualenv: $ROOT/.venv#" Pulumi.yaml >"$QS/project/Pulumi.yaml"
cp __main__.py "$QS/project/"
[[ -f "$QS/project/Pulumi.dev.yaml" ]] || cp Pulumi.dev.yaml "$QS/project/"
sed -i "s#opsramp:apiUrl: .*#opsramp:apiUrl: http://127.0.0.1:$PORT#" "$QS/project/Pulumi.dev.yaml"
cd "$QS/project"
pulumi stack select dev --create --non-interactive >&2

say "5/5 pulumi up"
pulumi up --yes --non-interactive
echo
pulumi stack output --non-interactive
if [[ $KEEP == 1 ]]; then
  say "emulator left running (pid $EMULATOR_PID) at http://127.0.0.1:$PORT"
fi
