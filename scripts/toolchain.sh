#!/usr/bin/env bash
# Provide a working Pulumi CLI with the Python language host and the dynamic-provider plugin.
#
# Prints ONE line on stdout: the absolute path of a bin directory holding `pulumi`,
# `pulumi-language-python`, `pulumi-language-python-exec`, `pulumi-resource-pulumi-python` and
# `pulumi-analyzer-policy-python` (put it first on PATH). Everything else goes to stderr. See
# docs/toolchain.md.
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
log() { echo "toolchain: $*" >&2; }

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
  log "building pulumi $VERSION from the Go module proxy (once; 5-25 min on 2 cores)..."
  start=$(date +%s)
  tmp="$(mktemp -d "$CACHE/cli.tmp.XXXXXX")"
  (
    cd "$TOOLS"
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION" \
      -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  ) >&2
  rm -rf "$CACHE/cli" && mv "$tmp" "$CACHE/cli"
  cli="$CACHE/cli/pulumi"
  log "built in $(( $(date +%s) - start )) s: $cli"
fi

# 2. The language host's own virtualenv (grpcio and the SDK's protocol stubs).
if [[ ! -f "$CACHE/hostenv/.ready-$SDK_VERSION" ]]; then
  log "creating the language host's virtualenv..."
  rm -rf "$CACHE/hostenv"
  "${PYTHON:-python3}" -m venv "$CACHE/hostenv" >&2
  "$CACHE/hostenv/bin/python" -m pip install -q "pulumi==$SDK_VERSION" >&2
  touch "$CACHE/hostenv/.ready-$SDK_VERSION"
fi

# 3. The bin directory for this checkout's host files. The engine looks for plugins next to its
# own (resolved) executable without the "using X from $PATH" warning it gives for PATH lookups, so
# the directory holds a hard link to the CLI (a copy if linking fails) beside the plugins. It is
# keyed by the host files' content: several checkouts of different versions share the cached CLI
# without one overwriting the other's language host.
key="$(cat "$TOOLS/host/language_host.py" "$TOOLS/host/pulumi-language-python-exec" \
  "$TOOLS/host/pulumi-resource-pulumi-python" "$TOOLS/host/pulumi-analyzer-policy-python" \
  <(echo "$cli") | sha256sum | cut -c1-16)"
BIN="$CACHE/bin-$key"
if [[ ! -x "$BIN/pulumi-language-python" ]]; then
  tmpbin="$(mktemp -d "$CACHE/bin.tmp.XXXXXX")"
  real_cli="$(readlink -f "$cli")"
  ln "$real_cli" "$tmpbin/pulumi" 2>/dev/null || cp "$real_cli" "$tmpbin/pulumi"
  cp "$TOOLS/host/language_host.py" "$TOOLS/host/pulumi-language-python-exec" \
     "$TOOLS/host/pulumi-resource-pulumi-python" "$tmpbin/"
  # Python policy packs (docs/policy.md): the host's RunPlugin starts this analyzer plugin.
  cp "$TOOLS/host/pulumi-analyzer-policy-python" "$tmpbin/"
  cat > "$tmpbin/pulumi-language-python" <<WRAPPER
#!/usr/bin/env bash
exec "$CACHE/hostenv/bin/python" "$BIN/language_host.py" "\$@"
WRAPPER
  chmod +x "$tmpbin"/pulumi-* "$tmpbin/language_host.py"
  chmod 755 "$tmpbin"
  rm -rf "$BIN" && mv "$tmpbin" "$BIN"
fi
echo "$BIN"
