#!/usr/bin/env bash
# Provide a working Pulumi CLI with the Python language host and the dynamic-provider plugin.
#
# Prints ONE line on stdout: the absolute path of a bin directory holding `pulumi`,
# `pulumi-language-python` and the files of tools/pulumi-cli/host (put it first on PATH).
# Everything else goes to stderr: what a long step is doing, at least every
# OPSRAMP_TOOLCHAIN_PROGRESS_SECONDS (30); the tools' own output goes to logs in the cache,
# printed when a step fails. See docs/toolchain.md.
#
# - `pulumi`: the one on PATH if it works; otherwise built once from the Go module proxy through
#   the tools module in tools/pulumi-cli and cached outside the repo, keyed by version.
# - the language host: the proxy refuses the Go host's module (it has no tags and its
#   pseudo-versions are not served here), so a small host of the project's own, in Python
#   (tools/pulumi-cli/host), runs in its own cached virtualenv.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$REPO/tools/pulumi-cli"
VERSION="v3.274.1"           # keep in step with tools/pulumi-cli/go.mod
SDK_VERSION="3.272.0"        # the Python SDK the host and helpers import (requirements-dev.txt)
CACHE="${OPSRAMP_TOOLCHAIN_CACHE:-$HOME/.cache/opsramp-jobs/toolchain}/pulumi-$VERSION"
BIN="$CACHE/bin"
# A long step prints what it is doing at least this often (seconds).
PROGRESS_SECONDS="${OPSRAMP_TOOLCHAIN_PROGRESS_SECONDS:-30}"
log() { echo "toolchain: $*" >&2; }
since() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $(( s / 60 )) $(( s % 60 )); }

# run_logged LOG DESCRIBE START COMMAND...: run COMMAND with its output in LOG; while it runs,
# print every PROGRESS_SECONDS what DESCRIBE (a function of LOG) says and the time since START.
# Returns COMMAND's exit status; an interrupted script stops COMMAND too.
run_logged() {
  local output="$1" describe="$2" started="$3"
  shift 3
  "$@" >>"$output" 2>&1 9>&- &  # fd 9 holds the lock: not for the step to keep
  step_pid=$!
  local next=$(( SECONDS + PROGRESS_SECONDS ))
  while kill -0 "$step_pid" 2>/dev/null; do
    sleep 1
    if (( SECONDS >= next )); then
      log "$("$describe" "$output") ($(since "$started") so far)"
      next=$(( SECONDS + PROGRESS_SECONDS ))
    fi
  done
  local status=0
  wait "$step_pid" || status=$?
  step_pid=""
  return "$status"
}
step_pid=""
# Background commands of a script ignore Ctrl-C: stop the running step when this script stops.
trap '[[ -z "$step_pid" ]] || kill "$step_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9  # two test runs at once must not build twice

# 1. The CLI.
cli=""
# A `pulumi` on PATH that is some checkout's toolchain (its real file sits beside our language
# host) is not the user's CLI: taking it would tie this cache to that other cache's directory.
is_ours() { [[ -e "$(dirname "$(readlink -f "$1")")/language_host.py" ]]; }
if [[ -z "${OPSRAMP_BUILD_PULUMI:-}" ]] && existing="$(command -v pulumi 2>/dev/null)" \
    && [[ "$existing" != "$BIN/pulumi" ]] && ! is_ours "$existing" \
    && "$existing" version >/dev/null 2>&1; then
  cli="$existing"
  log "using pulumi on PATH: $cli ($("$cli" version))"
elif [[ -x "$CACHE/cli/pulumi" ]]; then
  cli="$CACHE/cli/pulumi"
else
  if ! command -v go >/dev/null 2>&1; then
    log "no 'pulumi' on PATH and no Go toolchain to build one."
    log "Install Go >= 1.22 (the Go module proxy must be reachable), or put a pulumi CLI on PATH."
    exit 1
  fi
  list_log="$CACHE/packages.log" build_log="$CACHE/build.log"
  : >"$list_log"
  : >"$build_log"
  log "building pulumi $VERSION from the Go module proxy, once: about 7 minutes on an idle 2-core"
  log "machine, up to 40 on a busy one; Go's module and build caches take about 3.1 GB"
  log "(docs/toolchain.md). Go's own output: $list_log, then $build_log"
  start=$(date +%s)
  tmp="$(mktemp -d "$CACHE/cli.tmp.XXXXXX")"
  package="github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
  go_env=(env CGO_ENABLED=0 GOFLAGS=-mod=mod go -C "$TOOLS")
  # Listing the packages first downloads every module the build needs and counts the packages
  # to compile, so the compile step can say how far it is.
  downloading() { echo "downloading Go modules: $(grep -c '^go: downloading' "$1" || true) so far"; }
  if ! run_logged "$list_log" downloading "$start" \
      "${go_env[@]}" list -deps -tags osusergo,grpcnotrace "$package"; then
    log "downloading the CLI's Go modules failed; Go's output ($list_log):"
    grep -v '^go: downloading' "$list_log" | tail -50 >&2
    exit 1
  fi
  total="$(grep -vc '^go: ' "$list_log" || true)"
  log "modules ready after $(since "$start"); compiling $total packages"
  # `go build -v` names each package it compiles; those in Go's build cache are not named.
  compiling() {
    local built
    built="$(grep -vc '^go: ' "$1" || true)"
    if (( built < total )); then echo "compiling and linking: $built of $total packages compiled"
    else echo "linking the pulumi binary"; fi
  }
  if ! run_logged "$build_log" compiling "$start" \
      "${go_env[@]}" build -v -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION" \
      -o "$tmp/pulumi" "$package"; then
    log "building the CLI failed; Go's output ($build_log):"
    grep -v '^go: downloading' "$build_log" | tail -50 >&2
    exit 1
  fi
  rm -rf "$CACHE/cli" && mv "$tmp" "$CACHE/cli"
  cli="$CACHE/cli/pulumi"
  log "built in $(since "$start"): $cli"
fi

# 2. The language host's own virtualenv (grpcio and the SDK's protocol stubs).
if [[ ! -f "$CACHE/hostenv/.ready-$SDK_VERSION" ]]; then
  log "creating the language host's virtualenv (pulumi==$SDK_VERSION)..."
  rm -rf "$CACHE/hostenv"
  host_log="$CACHE/hostenv.log"
  : >"$host_log"
  venv_creating() { echo "creating the language host's virtualenv"; }
  pip_installing() { echo "installing pulumi==$SDK_VERSION into the language host's virtualenv"; }
  start=$(date +%s)
  if ! run_logged "$host_log" venv_creating "$start" "${PYTHON:-python3}" -m venv "$CACHE/hostenv" \
      || ! run_logged "$host_log" pip_installing "$start" \
        "$CACHE/hostenv/bin/python" -m pip install -q "pulumi==$SDK_VERSION"; then
    log "creating the language host's virtualenv failed; its log ($host_log):"
    cat "$host_log" >&2
    exit 1
  fi
  touch "$CACHE/hostenv/.ready-$SDK_VERSION"
fi

# 3. The bin directory for this checkout's host files (every file in tools/pulumi-cli/host). The
# engine looks for plugins next to its own (resolved) executable without the "using X from $PATH"
# warning it gives for PATH lookups, so the directory holds a hard link to the CLI (a copy if
# linking fails) beside the plugins. It is keyed by the host files' names and content: several
# checkouts of different versions share the cached CLI without one overwriting the other's host.
mapfile -t host_files < <(find "$TOOLS/host" -maxdepth 1 -type f | LC_ALL=C sort)
key="$(for file in "${host_files[@]}"; do basename "$file"; cat "$file"; done \
  | cat - <(echo "$cli") | sha256sum | cut -c1-16)"
BIN="$CACHE/bin-$key"
if [[ ! -x "$BIN/pulumi-language-python" ]]; then
  tmpbin="$(mktemp -d "$CACHE/bin.tmp.XXXXXX")"
  real_cli="$(readlink -f "$cli")"
  ln "$real_cli" "$tmpbin/pulumi" 2>/dev/null || cp "$real_cli" "$tmpbin/pulumi"
  cp "${host_files[@]}" "$tmpbin/"
  cat > "$tmpbin/pulumi-language-python" <<WRAPPER
#!/usr/bin/env bash
exec "$CACHE/hostenv/bin/python" "$BIN/language_host.py" "\$@"
WRAPPER
  chmod +x "$tmpbin"/*
  chmod 755 "$tmpbin"
  rm -rf "$BIN" && mv "$tmpbin" "$BIN"
fi
echo "$BIN"
