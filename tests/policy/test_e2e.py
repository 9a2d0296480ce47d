"""The policy pack under the real `pulumi` CLI against the emulator (docs/policy.md).

The pack's directory comes from `python -m opsramp_jobs policy path`, as a user gets it; the
toolchain's host runs it through the analyzer plugin in the project's virtualenv (the repo's).
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.project import Project, Run, job
from tests.support.emulator import (
    DEVICE_AD_SERVER,
    DEVICE_FILE_SERVER,
    DEVICE_WEB_01,
    SCRIPT_TEST,
    EmulatorProcess,
)

pytestmark = pytest.mark.e2e

REPO_VENV = Path(__file__).resolve().parents[2] / ".venv"
EVERY_DAY = {"type": "daily", "frequency": "everyday"}
BLACKOUT = "opsramp-blackout-windows"
BUSINESS_HOURS = {
    "name": "business hours",
    "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
    "start": "08:00",
    "end": "18:00",
}


@pytest.fixture(scope="module")
def pack() -> str:
    """The pack's directory, printed by `policy path` in the program's virtualenv."""
    done = subprocess.run(
        [str(REPO_VENV / "bin" / "python"), "-m", "opsramp_jobs", "policy", "path"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def start(hour: int, minute: int) -> str:
    """A start date yesterday (UTC) at ``hour:minute``: a daily job runs at that time every day."""
    day = datetime.now(UTC).date() - timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00+0000"


def daily(resource: str, hour: int, minute: int, **args: Any) -> dict[str, Any]:
    """A job running every day at ``hour:minute`` UTC (``args`` override OpsRampJob's)."""
    schedule = {"startDate": start(hour, minute), "pattern": EVERY_DAY}
    return job(resource, **{"schedule": schedule, **args})


def preview(project: Project, pack: str, tmp_path: Path, config: dict[str, Any] | None) -> Run:
    """`pulumi preview --policy-pack <pack> [--policy-pack-config <file>]`, not checked."""
    args = ["preview", "--policy-pack", pack]
    if config is not None:
        file = tmp_path / "policy-config.json"
        file.write_text(json.dumps(config))
        args += ["--policy-pack-config", str(file)]
    return project.run(*args, check=False)


def next_weekday_noon() -> datetime:
    """The first Monday-to-Friday 12:00 UTC after now."""
    moment = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    if moment <= datetime.now(UTC):
        moment += timedelta(days=1)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def test_a_collision_is_an_advisory_warning_naming_both_jobs_the_device_and_time(
    policy_project: Project, pack: str, tmp_path: Path, emulator: EmulatorProcess
) -> None:
    policy_project.set_jobs(
        [
            daily("patch-install", 2, 30, device_ids=[DEVICE_AD_SERVER, DEVICE_WEB_01]),
            daily("reboot", 2, 40, device_ids=[DEVICE_AD_SERVER]),
            daily("inventory", 2, 35, device_ids=[DEVICE_FILE_SERVER]),
        ]
    )
    done = preview(policy_project, pack, tmp_path, None)
    assert done.returncode == 0, done.output[-4000:]
    assert "[advisory]  opsramp-device-collisions" in done.output
    first = datetime.now(UTC).replace(hour=2, minute=30, second=0, microsecond=0)
    if first <= datetime.now(UTC):
        first += timedelta(days=1)
    second = first + timedelta(minutes=10)
    assert (
        f"jobs 'patch-install' and 'reboot' start 10 minutes apart on device {DEVICE_AD_SERVER} "
        f"(limit: 15 minutes): first at {first:%a %Y-%m-%d %H:%M} UTC ('patch-install') and "
        f"{second:%a %Y-%m-%d %H:%M} UTC ('reboot')"
    ) in done.output
    # Only that pair: the inventory job's device is its own.
    assert done.output.count("opsramp-device-collisions  (") == 1
    assert emulator.stats()["writes"] == 0


def test_a_configured_blackout_window_fails_the_preview_and_blocks_the_up(
    policy_project: Project, pack: str, tmp_path: Path, emulator: EmulatorProcess
) -> None:
    policy_project.set_jobs(
        [
            daily("noon-audit", 12, 0, device_ids=[DEVICE_WEB_01]),
            daily("nightly", 2, 30, device_ids=[DEVICE_AD_SERVER]),
        ]
    )
    config = {"opsramp-blackout-windows": {"windows": [BUSINESS_HOURS]}}
    done = preview(policy_project, pack, tmp_path, config)
    assert done.returncode != 0
    assert "[mandatory]  opsramp-blackout-windows" in done.output
    assert (
        "job 'noon-audit' runs inside blackout window 'business hours' (Mon-Fri 08:00-18:00 "
        f"UTC) on device {DEVICE_WEB_01}: first at {next_weekday_noon():%a %Y-%m-%d} 12:00 UTC"
    ) in done.output
    assert "'nightly'" not in done.output
    # `up` runs the same policies before each create: the job in the window is never created.
    up = policy_project.run(
        "up",
        "--yes",
        "--skip-preview",
        "--policy-pack",
        pack,
        "--policy-pack-config",
        str(tmp_path / "policy-config.json"),
        check=False,
    )
    assert up.returncode != 0
    assert {j["job"]["name"] for j in emulator.jobs()} <= {"nightly"}


def test_a_clean_stack_passes_and_values_not_known_yet_are_checked_once_known(
    policy_project: Project, pack: str, tmp_path: Path
) -> None:
    custom = {
        "jobType": "custom",
        "customScript": {"id": SCRIPT_TEST},
        "parameters": [{"paramId": 2, "value": "x"}],
    }
    policy_project.set_jobs(
        [
            daily("nightly", 2, 0, device_ids=[DEVICE_AD_SERVER], script=custom),
            daily("weekly-report", 3, 0, device_ids=[DEVICE_AD_SERVER, DEVICE_FILE_SERVER]),
            # Its name, a device, its start date and script id come from `nightly`'s id: all
            # unknown in a preview where `nightly` is still to be created. Once known, it starts
            # 5 minutes after `nightly` on the same device.
            daily(
                "follow-up",
                2,
                5,
                name="follow-up@after:nightly",
                device_ids=[DEVICE_WEB_01, f"{DEVICE_AD_SERVER}@after:nightly"],
                script={**custom, "customScript": {"id": f"{SCRIPT_TEST}@after:nightly"}},
                schedule={"startDate": f"{start(2, 5)}@after:nightly", "pattern": EVERY_DAY},
            ),
        ]
    )
    config = {
        "opsramp-device-collisions": {"windowMinutes": 30},
        # The engine checks both forms against the schema; the calendar's syntax as a string.
        "opsramp-blackout-windows": {"windows": [BUSINESS_HOURS, "Sat,Sun 12:00-13:00"]},
        "opsramp-max-devices-per-job": {"maxDevices": 2},
        "opsramp-allowed-custom-scripts": {"allowedScriptIds": [SCRIPT_TEST]},
    }
    done = preview(policy_project, pack, tmp_path, config)
    assert done.returncode == 0, done.output[-4000:]
    assert "✅ opsramp-jobs@v0.1.0" in done.output
    assert "[advisory]" not in done.output
    assert "[mandatory]" not in done.output
    assert "can't run policy" not in done.output
    assert "+ 4 to create" in done.output
    policy_project.up()
    known = preview(policy_project, pack, tmp_path, config)
    assert known.returncode == 0, known.output[-4000:]
    assert "[advisory]  opsramp-device-collisions" in known.output
    assert f"jobs 'nightly' and 'follow-up' start 5 minutes apart on device {DEVICE_AD_SERVER}" in (
        known.output
    )


def test_the_engine_checks_both_window_forms_and_the_rule_reads_the_string(
    policy_project: Project, pack: str, tmp_path: Path, emulator: EmulatorProcess
) -> None:
    policy_project.set_jobs([daily("nightly", 2, 30, device_ids=[DEVICE_AD_SERVER])])

    def blackout(*windows: Any) -> Run:
        return preview(policy_project, pack, tmp_path, {BLACKOUT: {"windows": list(windows)}})

    # An object's mistakes keep their paths; a string is checked only as a string.
    done = blackout({"start": "8:00", "end": "18:00"})
    assert done.returncode != 0
    assert f"validating policy config: opsramp-jobs 0.1.0  {BLACKOUT}: windows.0.start: " in (
        done.output
    )
    done = blackout("Mon-Fri 08:00-18:00", 42)
    assert done.returncode != 0
    assert f"{BLACKOUT}: windows.1: Invalid type. Expected: [string,object]" in done.output
    # A string the engine passes and the model cannot read: the rule says how to write it.
    done = blackout("Mon-Fry 08:00-18:00")
    assert done.returncode != 0
    assert (
        f"the policy's configuration is invalid: {BLACKOUT}: windows[0]: blackout "
        "'Mon-Fry 08:00-18:00': 'Fry' is not a day"
    ) in done.output
    assert emulator.stats()["writes"] == 0
