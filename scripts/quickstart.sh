#!/usr/bin/env bash
# The README's one-command quickstart: on a fresh clone, `pulumi up` the example program's dev
# stack against a local OpsRamp emulator and print the stack outputs. Safe to run again: the
# second run finds nothing to change.
#
#   bash scripts/quickstart.sh [--keep-emulator]
#
# Everything it creates lives under .quickstart/ (git-ignored): the emulator's SQLite file and
# log, the toolchain's log, the Pulumi file backend (state/), PULUMI_HOME (home/) and a copy of
# the program (project/); installer output goes to .venv/install.log (scripts/venv.sh). Nothing
# touches ~/.pulumi or the tracked Pulumi.*.yaml files. Its last lines are the commands that run
# pulumi by hand on the stack: restart the emulator (same port and database), source env.sh.
#
# Environment: OPSRAMP_QUICKSTART_PORT (default 8700), OPSRAMP_QUICKSTART_DIR (default
# .quickstart), PULUMI_CONFIG_PASSPHRASE (default "quickstart"), OPSRAMP_CLIENT_SECRET (default
# the emulator's demo secret).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
QS="${OPSRAMP_QUICKSTART_DIR:-$ROOT/.quickstart}"
PORT="${OPSRAMP_QUICKSTART_PORT:-8700}"
DEMO_SECRET="opsramp-demo-secret"   # the emulator's seeded partner secret (README "The emulator")
KEEP=0
say() { echo "quickstart: $*" >&2; }

for arg in "$@"; do
  case "$arg" in
    --keep-emulator) KEEP=1 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) say "unknown argument '$arg' (usage: bash scripts/quickstart.sh [--keep-emulator])"; exit 2 ;;
  esac
done

# Checked first, so a busy port fails in a second rather than after the set-up steps.
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  say "ERROR: something already listens on 127.0.0.1:$PORT (an emulator left by"
  say "'--keep-emulator'? see: ss -ltnp 'sport = :$PORT'). Stop it, or pick another port:"
  say "  OPSRAMP_QUICKSTART_PORT=8701 bash scripts/quickstart.sh"
  exit 1
fi

# Installer and build output goes to log files under $QS, printed only when a step fails: a
# working quickstart shows its five steps, the toolchain's progress lines and Pulumi's own output,
# no pip or setuptools banners.
mkdir -p "$QS"
say "1/5 virtualenv (.venv)"
bash scripts/venv.sh
say "2/5 pulumi toolchain (the first run builds the CLI: about 7 minutes, up to 40 on a busy"
say "    machine; log: $QS/toolchain.log)"
# The toolchain's progress lines (and, when it fails, the build's own output) show here as they
# come and are kept in the log; its stdout, the bin directory, is captured through fd 3.
if ! PULUMI_BIN_DIR="$( { bash scripts/toolchain.sh 2>&1 1>&3 3>&- \
    | tee "$QS/toolchain.log" >&2; } 3>&1 )"; then
  say "ERROR: scripts/toolchain.sh failed (its output is above and in $QS/toolchain.log)"
  exit 1
fi
PATH="$PULUMI_BIN_DIR:$PATH"
export PATH

# The emulator's database and the Pulumi state describe the same jobs: if either is missing (a
# first run, or one of them deleted by hand), start both afresh rather than let them disagree.
if [[ ! -f "$QS/emulator.db" || ! -d "$QS/state/.pulumi" ]]; then
  rm -rf "$QS/emulator.db" "$QS/state"
fi
mkdir -p "$QS/state" "$QS/home" "$QS/project"

say "3/5 OpsRamp emulator on http://127.0.0.1:$PORT (database $QS/emulator.db)"
.venv/bin/python -m opsramp_jobs.emulator --host 127.0.0.1 --port "$PORT" \
  --db "$QS/emulator.db" >"$QS/emulator.log" 2>&1 &
EMULATOR_PID=$!
stop_emulator() {
  if [[ $KEEP == 0 ]] && kill "$EMULATOR_PID" 2>/dev/null; then
    wait "$EMULATOR_PID" 2>/dev/null || true
  fi
}
trap stop_emulator EXIT
for _ in $(seq 1 300); do
  grep -q "listening on" "$QS/emulator.log" 2>/dev/null && break
  kill -0 "$EMULATOR_PID" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q "listening on" "$QS/emulator.log"; then
  say "ERROR: the emulator did not start; its log ($QS/emulator.log):"
  cat "$QS/emulator.log" >&2
  exit 1
fi

say "4/5 local Pulumi backend ($QS/state) and the dev stack"
export PULUMI_HOME="$QS/home"
export PULUMI_BACKEND_URL="file://$QS/state"   # wins over any login the caller's shell carries
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
  export PULUMI_CONFIG_PASSPHRASE=quickstart
  say "PULUMI_CONFIG_PASSPHRASE is not set: using 'quickstart' for this local stack"
fi
if [[ -z "${OPSRAMP_CLIENT_SECRET:-}" ]]; then
  export OPSRAMP_CLIENT_SECRET="$DEMO_SECRET"
  say "OPSRAMP_CLIENT_SECRET is not set: using the emulator's demo secret"
elif [[ "$OPSRAMP_CLIENT_SECRET" != "$DEMO_SECRET" ]]; then
  say "warning: OPSRAMP_CLIENT_SECRET is set, but the emulator accepts only its demo secret"
fi
if ! pulumi login --non-interactive "$PULUMI_BACKEND_URL" >"$QS/login.log" 2>&1; then
  say "ERROR: pulumi login $PULUMI_BACKEND_URL failed:"
  cat "$QS/login.log" >&2
  exit 1
fi
# For running pulumi by hand on this stack later. Only the defaults above, which are public demo
# values, are written down; a passphrase or secret of the caller's own is not.
{
  echo "# source this file to run pulumi on the quickstart's dev stack (see scripts/quickstart.sh)"
  printf 'export PATH=%q:"$PATH"\n' "$(dirname "$(command -v pulumi)")"
  printf 'export %s=%q\n' PULUMI_HOME "$PULUMI_HOME" PULUMI_BACKEND_URL "$PULUMI_BACKEND_URL" \
    PULUMI_SKIP_UPDATE_CHECK true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION true
  if [[ "${PULUMI_CONFIG_PASSPHRASE:-}" == quickstart ]]; then
    echo "export PULUMI_CONFIG_PASSPHRASE=quickstart"
  fi
  if [[ "$OPSRAMP_CLIENT_SECRET" == "$DEMO_SECRET" ]]; then
    echo "export OPSRAMP_CLIENT_SECRET=$DEMO_SECRET"
  fi
} >"$QS/env.sh"

# The program runs from a copy, so the encryption salt `stack init` writes into Pulumi.dev.yaml
# never touches the tracked file. The copy is refreshed each run; only the salt is carried over.
salt=""
if [[ -f "$QS/project/Pulumi.dev.yaml" ]]; then
  salt="$(grep '^encryptionsalt:' "$QS/project/Pulumi.dev.yaml" || true)"
fi
sed "s#^\(\s*virtualenv:\).*#\1 $ROOT/.venv#" Pulumi.yaml >"$QS/project/Pulumi.yaml"
cp __main__.py "$QS/project/__main__.py"
{
  [[ -n "$salt" ]] && echo "$salt"
  sed "s#^\(\s*opsramp:apiUrl:\).*#\1 http://127.0.0.1:$PORT#" Pulumi.dev.yaml
} >"$QS/project/Pulumi.dev.yaml"
cd "$QS/project"
pulumi stack select dev --create --non-interactive >&2

say "5/5 pulumi up"
pulumi up --yes --non-interactive --skip-preview
echo
echo "Jobs in the emulator (stack outputs):"
pulumi stack output --json --non-interactive | "$ROOT/.venv/bin/python" -c "
import json, sys
outputs = json.load(sys.stdin)
ids, schedules = outputs.get('jobIds', {}), outputs.get('schedules', {})
width = max(map(len, ids), default=0)
for name in sorted(ids):
    print('  ' + name.ljust(width), ids[name], schedules.get(name, ''), sep='  ')
print('  next runs of ad-checklist:', ', '.join(outputs.get('nextRuns', [])[:3]), '...')
"
echo
# The commands are printed unprefixed, one per line, so they can be pasted as they are; every
# pulumi command needs the emulator, so when it is stopped the first line starts it again.
if [[ $KEEP == 1 ]]; then
  say "the emulator keeps running (pid $EMULATOR_PID) at http://127.0.0.1:$PORT; stop it with: kill $EMULATOR_PID"
  say "to run pulumi yourself on this stack:"
else
  say "stopping the emulator (jobs persist in $QS/emulator.db; --keep-emulator leaves it running)"
  say "to run pulumi yourself on this stack, start the emulator again (same port and database), then:"
  printf '  %q -m opsramp_jobs.emulator --host 127.0.0.1 --port %q --db %q >>%q 2>&1 &\n' \
    "$ROOT/.venv/bin/python" "$PORT" "$QS/emulator.db" "$QS/emulator.log" >&2
fi
printf '  source %q && cd %q && pulumi stack\n' "$QS/env.sh" "$QS/project" >&2
