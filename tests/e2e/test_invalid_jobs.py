"""Invalid jobs in the typed form, through the real CLI (issue 24): each mistake is at most three
lines naming the resource and the property path, no traceback, every invalid job in one run, and
nothing is sent to OpsRamp."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.project import Project, program_project
from tests.support.emulator import EmulatorProcess

pytestmark = pytest.mark.e2e

PROGRAM = Path(__file__).resolve().parent / "invalid_program.py"
# The mistakes of issue 24 in the typed form, each with the property path its line names.
MISTAKES = {
    "no-offset": "schedule.start_date",
    "day-32": "schedule.pattern.day_of_month[1]",
    "fryday": "schedule.pattern.week_days[0]",
    "one-device-id": "device_ids",
    "bad-device": "entities[0].resource.id",
    "every-0-days": "schedule.pattern.repeat_frequency",
}


@pytest.fixture
def invalid_project(pulumi_home: Path, emulator: EmulatorProcess, tmp_path: Path) -> Project:
    """A fresh project running the invalid program, `dev` stack on client_13."""
    return program_project(tmp_path, emulator, pulumi_home, PROGRAM)


def diagnostics(output: str) -> list[str]:
    """The lines of the CLI's "Diagnostics:" section (the run's errors and warnings, once each)."""
    section = output.split("\nDiagnostics:\n", 1)[1]
    return [line.strip() for line in section.split("\n\n", 1)[0].splitlines()[1:]]


def test_every_typed_mistake_is_a_short_line_naming_its_job_all_in_one_run(
    invalid_project: Project, emulator: EmulatorProcess
) -> None:
    invalid_project.config("e2e:mistakes", json.dumps([*MISTAKES, "seconds"]))
    for command in (("preview",), ("up", "--yes")):
        failed = invalid_project.run(*command, check=False)
        assert failed.returncode != 0, failed.output
        assert "Traceback" not in failed.output, failed.output
        lines = diagnostics(failed.output)
        for name, path in MISTAKES.items():
            mine = [line for line in lines if f"'{name}'" in line]
            assert 1 <= len(mine) <= 3, (name, lines)
            assert mine[0].startswith(f"error: OpsRampJob '{name}': {path}: "), (name, lines)
        # The valid jobs are not reported; the one with seconds is a warning, not an error.
        assert not [line for line in lines if "fine'" in line], lines
        assert [line for line in lines if "'seconds'" in line] == [
            "warning: OpsRampJob 'seconds': schedule.start_date: 2026-12-01T02:30:15+0000 has "
            "seconds; OpsRamp keeps whole minutes, so the job starts at 02:30 UTC"
        ]
        # Per run, beyond one line per mistake: the last line and the language host's exit line.
        errors = [line for line in lines if line.startswith("error: ")]
        assert len(errors) <= len(MISTAKES) + 2, lines
    assert emulator.stats()["writes"] == 0
    assert emulator.jobs() == []


def test_fixed_mistakes_leave_a_program_that_deploys(
    invalid_project: Project, emulator: EmulatorProcess
) -> None:
    invalid_project.config("e2e:mistakes", json.dumps(["seconds"]))
    done = invalid_project.up()
    assert "has seconds" in done.output
    assert sorted(j["job"]["name"] for j in emulator.jobs()) == ["also-fine", "fine", "seconds"]
