"""scripts/toolchain.sh says what a long build is doing, and takes every host file along.

A real cold build of the CLI takes 7-40 minutes, so `go` is stood in for by a script that
downloads and compiles slowly, printing what the real one prints (`go: downloading ...` lines,
then package names under `go build -v`). Everything else is the real script, on a copy of the
repo's layout with a private cache.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.faults.processes import gone
from tests.support.emulator import REPO_ROOT

PROGRESS_SECONDS = 1
# A progress line may come this much later than due on a loaded machine (1 s sleeps, a grep).
SLACK_SECONDS = 1.5
PACKAGES = 10
FAKE_GO = f"""#!/usr/bin/env bash
# Stands in for `go`: a slow module download, then a slow compile of {PACKAGES} packages.
set -euo pipefail
echo $$ >"$FAKE_GO_PIDS"
[[ "$1" == -C ]] && shift 2
case "$1" in
  list)
    for i in 1 2 3 4 5 6; do echo "go: downloading example.com/m$i v1.0.0" >&2; sleep 0.5; done
    for i in $(seq 1 {PACKAGES}); do echo "example.com/p$i"; done ;;
  build)
    out=""
    while (( $# )); do [[ "$1" == -o ]] && out="$2"; shift; done
    for i in $(seq 1 {PACKAGES}); do echo "example.com/p$i" >&2; sleep 0.4; done
    if [[ -n "${{FAKE_GO_FAIL:-}}" ]]; then echo "compile: p10.go:1: syntax error" >&2; exit 2; fi
    printf '#!/bin/sh\\necho v3.274.1\\n' >"$out"
    chmod +x "$out" ;;
esac
"""


def checkout(tmp_path: Path) -> Path:
    """A copy of the files toolchain.sh reads: itself and tools/pulumi-cli."""
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "scripts" / "toolchain.sh", root / "scripts" / "toolchain.sh")
    shutil.copytree(REPO_ROOT / "tools" / "pulumi-cli", root / "tools" / "pulumi-cli")
    return root


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The fake `go` first on PATH, a private cache whose host virtualenv is already made."""
    fake = tmp_path / "fake-go"
    fake.mkdir(exist_ok=True)
    (fake / "go").write_text(FAKE_GO)
    (fake / "go").chmod(0o755)
    cache = tmp_path / "cache"
    hostenv = cache / "pulumi-v3.274.1" / "hostenv"
    hostenv.mkdir(parents=True, exist_ok=True)
    (hostenv / ".ready-3.272.0").touch()  # the real one is pip installing the SDK: not tested here
    return {
        **os.environ,
        "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}",
        "OPSRAMP_BUILD_PULUMI": "1",
        "OPSRAMP_TOOLCHAIN_CACHE": str(cache),
        "OPSRAMP_TOOLCHAIN_PROGRESS_SECONDS": str(PROGRESS_SECONDS),
        "FAKE_GO_PIDS": str(tmp_path / "go.pid"),
        **extra,
    }


def run_toolchain(root: Path, env: dict[str, str]) -> tuple[int, str, list[tuple[float, str]]]:
    """Run toolchain.sh: its exit code, stdout, and each stderr line with when it came."""
    process = subprocess.Popen(
        ["bash", str(root / "scripts" / "toolchain.sh")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stdout is not None
    lines = [(time.monotonic(), line.rstrip("\n")) for line in process.stderr]
    stdout = process.stdout.read()
    return process.wait(timeout=60), stdout, lines


def test_a_build_says_what_it_is_doing_at_least_every_interval(tmp_path: Path) -> None:
    root = checkout(tmp_path)
    code, stdout, lines = run_toolchain(root, environment(tmp_path))
    assert code == 0, lines
    text = [line for _, line in lines]
    assert all(line.startswith("toolchain: ") for line in text), text
    downloads = [line for line in text if "downloading Go modules:" in line]
    compiles = [line for line in text if "compiling and linking:" in line]
    assert len(downloads) >= 2, text
    assert len(compiles) >= 2, text
    # What it is doing, how far, and how long so far.
    counts = [int(line.split("modules: ")[1].split()[0]) for line in downloads]
    assert counts == sorted(counts), downloads
    assert counts[-1] > counts[0], downloads
    assert all(f"of {PACKAGES} packages compiled" in line for line in compiles), compiles
    assert all(line.endswith(" so far)") and "(0m" in line for line in downloads + compiles)
    assert any(line.startswith("toolchain: built in 0m") for line in text), text
    # No silence longer than the interval while the build runs.
    started = next(t for t, line in lines if "Go's own output" in line)
    finished = next(t for t, line in lines if "built in" in line)
    during = [started] + [t for t, _ in lines if started < t < finished] + [finished]
    gaps = [later - earlier for earlier, later in itertools.pairwise(during)]
    assert max(gaps) <= PROGRESS_SECONDS + SLACK_SECONDS, gaps
    # The one stdout line is the bin directory, with the CLI beside the host files.
    bin_dir = Path(stdout.strip())
    assert (bin_dir / "pulumi").is_file()
    assert (bin_dir / "pulumi-language-python").is_file()


def test_a_failed_build_shows_gos_own_error(tmp_path: Path) -> None:
    code, stdout, lines = run_toolchain(checkout(tmp_path), environment(tmp_path, FAKE_GO_FAIL="1"))
    text = "\n".join(line for _, line in lines)
    assert code == 1
    assert stdout == ""
    assert "building the CLI failed" in text
    assert "compile: p10.go:1: syntax error" in text


def test_ctrl_c_stops_the_build_it_started(tmp_path: Path) -> None:
    env = environment(tmp_path)
    process = subprocess.Popen(
        ["bash", str(checkout(tmp_path) / "scripts" / "toolchain.sh")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "downloading Go modules" in line:
            break
    go = int((tmp_path / "go.pid").read_text())
    assert not gone(go)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: every process of the group
    assert process.wait(timeout=10) == 130
    deadline = time.monotonic() + 5
    while not gone(go) and time.monotonic() < deadline:
        time.sleep(0.05)
    # A script's background commands ignore SIGINT: the build must be stopped by the script.
    assert gone(go), "the go process outlived the interrupted toolchain.sh"


def test_every_host_file_is_copied_and_changes_the_bin_directory(tmp_path: Path) -> None:
    root = checkout(tmp_path)
    env = environment(tmp_path)
    cli = Path(env["OPSRAMP_TOOLCHAIN_CACHE"]) / "pulumi-v3.274.1" / "cli" / "pulumi"
    cli.parent.mkdir(parents=True)
    cli.write_text("#!/bin/sh\necho v3.274.1\n")  # built before: no build this time
    cli.chmod(0o755)
    code, before, _ = run_toolchain(root, env)
    assert code == 0
    # Another plugin's file (the policy pack's analyzer, say) slots in with no change here.
    extra = root / "tools" / "pulumi-cli" / "host" / "pulumi-analyzer-policy-python"
    extra.write_text("#!/bin/sh\necho analyzer\n")
    code, after, _ = run_toolchain(root, env)
    assert code == 0
    assert after != before  # a checkout with other host files gets a directory of its own
    copied = Path(after.strip()) / extra.name
    assert copied.read_text() == extra.read_text()
    assert os.access(copied, os.X_OK)
    assert os.access(Path(before.strip()) / "language_host.py", os.R_OK)  # the first one stays
