"""The real CLI's `pulumi stack export`, piped into the calendar, on a stack like the quickstart's.

The example program (the repo's __main__.py) with the dev stack's job settings, deployed to the
emulator: seven jobs of five patterns, two of them in a fan-out with the same name.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from icalendar import Calendar

from opsramp_jobs.model import Schedule
from tests.calendar.test_command import expanded_event
from tests.e2e.project import REPO_ROOT, Project
from tests.support.emulator import CLIENT13_TENANT, EmulatorProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
def quickstart_stack(pulumi_home: Path, emulator: EmulatorProcess, tmp_path: Path) -> Project:
    """The example program deployed with the dev stack's `jobs:` settings."""
    project = Project(tmp_path, emulator.url, pulumi_home, program=REPO_ROOT / "__main__.py")
    project.new_stack("dev", CLIENT13_TENANT)
    settings = yaml.safe_load((REPO_ROOT / "Pulumi.dev.yaml").read_text())["config"]
    pairs = []
    for key, value in settings.items():
        if key.startswith("jobs:"):
            text = value if isinstance(value, str) else json.dumps(value)
            pairs += ["--plaintext", f"{key}={text}"]
    project.run("config", "set-all", *pairs)
    project.up()
    return project


def test_stack_export_piped_into_the_calendar(quickstart_stack: Project, tmp_path: Path) -> None:
    ics, html = tmp_path / "x.ics", tmp_path / "x.html"
    pipeline = (
        f"set -o pipefail; {shlex.quote(quickstart_stack.binary)} stack export --stack dev "
        f"| {shlex.quote(sys.executable)} -m opsramp_jobs calendar --ics {ics} --html {html} "
        "--from 2026-12-01"
    )
    done = subprocess.run(
        ["bash", "-c", pipeline],
        cwd=quickstart_stack.dir,
        env=quickstart_stack.env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("stack dev: 7 jobs on 2 devices; 14 days from 2026-12-01")
    assert "collisions (two jobs on one device within 15 min): " in done.stdout
    assert f"wrote {ics} (7 events)" in done.stdout
    assert f"wrote {html}" in done.stdout
    page = html.read_text(encoding="utf-8")
    for title in ("AD checklist", "Asset inventory (client_13)", "Asset inventory (client_93)"):
        assert title in page

    parsed = Calendar.from_ical(ics.read_bytes())
    state = quickstart_stack.state_jobs()
    assert len(state) == 7
    after = datetime(2026, 11, 1, tzinfo=UTC)
    for resource in state.values():
        schedule = Schedule.model_validate(resource["outputs"]["schedule"])
        runs = expanded_event(parsed, f"{resource['id']}@opsramp-jobs", after, 30)
        assert runs == schedule.next_runs(after, 30), resource["urn"]
