"""The README's one-command quickstart, on a private directory and port."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.docs.snippet_program import wheelhouse
from tests.e2e.project import REPO_ROOT
from tests.support.emulator import PARTNER_SECRET

pytestmark = pytest.mark.e2e

# The example program's default value for its secret custom-script parameter.
EXAMPLE_SCRIPT_SECRET = "demo-value-150"
# What installers and build backends print that a quickstart user should not have to read:
# warnings, deprecation notices and setuptools' boxed banners ("!!" / "*****" lines).
BANNER = re.compile(r"(?i)\bwarning\b|deprecat|^\s*!!\s*$|\*{20,}", re.MULTILINE)


def banners(text: str) -> list[str]:
    """The lines of `text` that look like an installer's warning or banner."""
    return [line for line in text.splitlines() if BANNER.search(line)]


def free_port() -> int:
    """A loopback port nothing listens on (right now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def fresh_env() -> dict[str, str]:
    """The environment of a fresh shell: no PULUMI_* or OPSRAMP_* variables."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPSRAMP_", "PULUMI_"))}


def printed_commands(stderr: str) -> list[str]:
    """The commands the quickstart's closing hint prints (indented lines after the hint)."""
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if "to run pulumi yourself" in line)
    return [line.strip() for line in lines[start + 1 :] if line.startswith("  ")]


def wait_for_port(port: int, seconds: float = 30.0) -> bool:
    """Whether something listens on the loopback port within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def quickstart(directory: Path, port: int) -> subprocess.CompletedProcess[str]:
    """`bash scripts/quickstart.sh` as a fresh shell would run it (no PULUMI_*/OPSRAMP_* set)."""
    env = fresh_env()
    env.update({"OPSRAMP_QUICKSTART_DIR": str(directory), "OPSRAMP_QUICKSTART_PORT": str(port)})
    return subprocess.run(
        ["bash", "scripts/quickstart.sh"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_quickstart_creates_the_example_jobs_then_finds_nothing_to_do(
    pulumi_cli: str, tmp_path: Path
) -> None:
    directory, port = tmp_path / "qs", free_port()
    first, second = quickstart(directory, port), quickstart(directory, port)

    for run in (first, second):
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert banners(run.stdout + run.stderr) == []
        assert "every 2 days at 02:30 UTC from 2026-12-01" in run.stdout
        for secret in (PARTNER_SECRET, EXAMPLE_SCRIPT_SECRET):
            assert secret not in run.stdout + run.stderr
    assert "+ 9 created" in first.stdout
    assert "9 unchanged" in second.stdout
    assert "using 'quickstart'" in first.stderr  # the default passphrase is announced
    # Stack state and PULUMI_HOME stay under the quickstart directory and hold no secret.
    for secret in (PARTNER_SECRET, EXAMPLE_SCRIPT_SECRET):
        for path in [*(directory / "state").rglob("*"), *(directory / "home").rglob("*")]:
            assert not path.is_file() or secret.encode() not in path.read_bytes(), path
    assert any((directory / "state" / ".pulumi" / "stacks").rglob("dev.json*"))
    # The emulator was stopped at exit: the port is free again.
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0

    # The closing hint's commands, run as printed in a fresh shell: restart the emulator, then
    # pulumi on the stack finds the jobs unchanged (without the restart it cannot reach them).
    restart, use_stack = printed_commands(second.stderr)
    assert f"--port {port} --db {directory / 'emulator.db'}" in restart
    emulator = subprocess.Popen(
        ["bash", "-c", f"{restart}\nwait"], env=fresh_env(), start_new_session=True
    )
    try:
        assert wait_for_port(port), (directory / "emulator.log").read_text()
        preview = subprocess.run(
            ["bash", "-c", f"{use_stack} && pulumi preview --expect-no-changes --non-interactive"],
            cwd=tmp_path,
            env=fresh_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert preview.returncode == 0, preview.stdout[-3000:] + preview.stderr[-3000:]
        assert "9 unchanged" in preview.stdout
    finally:
        os.killpg(emulator.pid, signal.SIGTERM)
        emulator.wait(timeout=30)


def test_quickstart_says_clearly_when_its_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port: int = occupant.getsockname()[1]
        refused = quickstart(tmp_path / "qs", port)
    assert refused.returncode == 1
    assert f"something already listens on 127.0.0.1:{port}" in refused.stderr
    assert "OPSRAMP_QUICKSTART_PORT" in refused.stderr


def test_venv_script_keeps_installer_output_in_a_log_unless_it_fails(tmp_path: Path) -> None:
    """scripts/venv.sh on a copy of the package: silent when it works, the log when it fails.

    The packages come from the docs tier's local wheelhouse (no index), so this takes a fresh
    virtualenv and an editable install, not downloads. An editable install is what makes
    setuptools print its "Editable installation" banner.
    """
    copy = tmp_path / "clone"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "scripts" / "venv.sh", copy / "scripts" / "venv.sh")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO_ROOT / name, copy / name)
    shutil.copytree(REPO_ROOT / "opsramp_jobs", copy / "opsramp_jobs")
    (copy / "requirements.txt").write_text("# nothing: the test installs the package alone\n")
    (copy / "requirements-dev.txt").write_text(
        "-r requirements.txt\nno-such-package-opsramp==1.0\n"
    )
    env = {
        **os.environ,
        "PIP_FIND_LINKS": str(wheelhouse(Path(sys.executable))),
        "PIP_NO_INDEX": "1",
        "PYTHON": sys.executable,
    }

    def venv_script() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "scripts/venv.sh"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    failed = venv_script()
    assert failed.returncode == 1
    assert "installing into .venv failed" in failed.stderr
    assert "no-such-package-opsramp" in failed.stderr  # the log, shown because it failed
    assert not list((copy / ".venv").glob(".installed-*"))

    (copy / "requirements-dev.txt").write_text("-r requirements.txt\n")
    quiet = venv_script()
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout + quiet.stderr == ""
    log = (copy / ".venv" / "install.log").read_text()
    assert "Successfully installed opsramp-jobs" in log
    assert list((copy / ".venv").glob(".installed-*"))
