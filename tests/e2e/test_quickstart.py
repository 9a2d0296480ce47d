"""The README's one-command quickstart, run twice on a private directory and port."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from tests.e2e.project import REPO_ROOT

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_quickstart_creates_the_example_jobs_then_finds_nothing_to_do(
    pulumi_cli: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPSRAMP_", "PULUMI_"))}
    env.update(
        {
            "OPSRAMP_QUICKSTART_DIR": str(tmp_path / "qs"),
            "OPSRAMP_QUICKSTART_PORT": str(free_port()),
        }
    )
    runs = [
        subprocess.run(
            ["bash", "scripts/quickstart.sh"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
            check=False,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stdout[-3000:]
    assert "+ 9 created" in runs[0].stdout
    assert "every 2 days at 02:30 UTC from 2026-12-01" in runs[0].stdout
    assert "jobIds" in runs[0].stdout
    assert "9 unchanged" in runs[1].stdout
    assert "opsramp-demo-secret" not in runs[0].stdout
