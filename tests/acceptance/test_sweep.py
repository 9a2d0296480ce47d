"""`opsramp-jobs doctor --sweep` against the emulator: it deletes the jobs doctor and acceptance
runs made, after asking, and never a job a user named, however alike."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from opsramp_jobs.__main__ import main
from opsramp_jobs.client import OpsRampClient, clear_token_cache, client_for
from opsramp_jobs.doctor import (
    FAR_FUTURE,
    JOB_PREFIX,
    made_by_a_run,
    new_run_id,
    run_doctor,
    run_prefix,
    run_sweep,
)
from opsramp_jobs.settings import ConnectionSettings
from tests.acceptance.selection import EMULATOR_ARGS, not_under_switch
from tests.support.emulator import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT13_TENANT,
    REPO_ROOT,
    EmulatorProcess,
)

pytestmark = not_under_switch

RUN = new_run_id()
OURS = [f"{run_prefix(RUN)}left-1", f"{run_prefix(new_run_id())}doctor-weekly"]
# What a user may have named by hand, each a near miss of a run's name.
USERS = [
    f"{JOB_PREFIX}user-important",
    f"{JOB_PREFIX}0123456789abcdef-nightly",  # the shape of a run id, not sealed
    f"{JOB_PREFIX}{RUN[:8]}{'0' * 8 if RUN[8:] != '0' * 8 else '1' * 8}-forged",  # wrong seal
    f"{JOB_PREFIX}{RUN}",  # a run id and nothing after it
    f"{JOB_PREFIX.upper()}{RUN}-shouting",
    f" {run_prefix(RUN)}leading-space",
    f"{JOB_PREFIX}{RUN.upper()}-upper-hex",
    "user-nightly",
    "production backup",
]


@pytest.fixture(scope="module")
def sweep_emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(*EMULATOR_ARGS) as process:
        yield process


@pytest.fixture
def settings(sweep_emulator: EmulatorProcess) -> Iterator[ConnectionSettings]:
    """client_13 of an emulator holding OURS and USERS (and nothing else)."""
    clear_token_cache()
    found = ConnectionSettings(sweep_emulator.url, CLIENT13_KEY, CLIENT13_SECRET, CLIENT13_TENANT)
    with client_for(found) as client:
        for job in client.search_jobs():
            client.delete_job(str(job["id"]))
        for name in OURS + USERS:
            _create(client, name)
    yield found
    clear_token_cache()


def _create(client: OpsRampClient, name: str) -> str:
    body = {
        "name": name,
        "script": {"jobType": "adCheckList"},
        "schedule": {"startDate": FAR_FUTURE, "pattern": {"type": "never"}},
    }
    return str(client.create_job(body)["id"])


def _names(emulator: EmulatorProcess) -> list[str]:
    return sorted(str(entry["job"]["name"]) for entry in emulator.jobs())


def _flags(settings: ConnectionSettings) -> list[str]:
    return [
        "--api-url",
        settings.api_url,
        "--client-id",
        settings.client_id,
        "--client-secret",
        settings.client_secret,
        "--tenant-id",
        str(settings.tenant_id),
    ]


def _sweep(settings: ConnectionSettings, **options: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_sweep(settings, out=out, err=err, **options)
    return code, out.getvalue(), err.getvalue()


def test_only_names_given_by_a_run_are_made_by_a_run() -> None:
    assert all(made_by_a_run(name) for name in OURS)
    assert not any(made_by_a_run(name) for name in USERS)
    assert len({new_run_id() for _ in range(100)}) == 100


def test_sweep_with_yes_deletes_the_runs_jobs_and_no_look_alike(
    settings: ConnectionSettings,
    sweep_emulator: EmulatorProcess,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["doctor", "--sweep", "--yes", *_flags(settings)]) == 0
    out = capsys.readouterr().out
    assert _names(sweep_emulator) == sorted(USERS)
    assert "2 job(s) in client_13 made by a doctor or acceptance run:" in out
    assert "deleted 2 job(s) in client_13" in out
    # The look-alikes named with the prefix are listed as kept.
    assert f"keeps 5 job(s) named {JOB_PREFIX}… that no doctor or acceptance run made" in out
    assert f"{JOB_PREFIX}user-important" in out


def test_a_prefix_narrows_the_sweep_and_never_widens_it(
    settings: ConnectionSettings, sweep_emulator: EmulatorProcess
) -> None:
    code, out, _ = _sweep(settings, prefix="u", yes=True)
    assert code == 0
    assert _names(sweep_emulator) == sorted(OURS + USERS)  # user-nightly stays
    assert "nothing to delete" in out
    assert f"every such job is named {JOB_PREFIX}<run id>-" in out
    code, out, _ = _sweep(settings, prefix=run_prefix(RUN), yes=True)
    assert code == 0
    assert _names(sweep_emulator) == sorted([OURS[1], *USERS])  # one run's jobs only


def test_dry_run_lists_and_deletes_nothing(
    settings: ConnectionSettings, sweep_emulator: EmulatorProcess
) -> None:
    code, out, _ = _sweep(settings, dry_run=True, yes=True)
    assert code == 0
    assert "dry run: nothing deleted" in out
    assert all(name in out for name in OURS)
    assert _names(sweep_emulator) == sorted(OURS + USERS)


def test_it_asks_and_a_no_deletes_nothing(
    settings: ConnectionSettings, sweep_emulator: EmulatorProcess
) -> None:
    asked: list[str] = []

    def answer(question: str) -> str:
        asked.append(question)
        return "n"

    code, out, _ = _sweep(settings, ask=answer)
    assert (code, asked) == (1, ["Delete the 2 job(s) made by a run? [y/N] "])
    assert "nothing deleted" in out
    assert _names(sweep_emulator) == sorted(OURS + USERS)
    code, _, _ = _sweep(settings, ask=lambda _: "y")
    assert code == 0
    assert _names(sweep_emulator) == sorted(USERS)


def test_without_a_terminal_or_yes_nothing_is_deleted(
    settings: ConnectionSettings, sweep_emulator: EmulatorProcess
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSRAMP_")}
    done = subprocess.run(
        [sys.executable, "-m", "opsramp_jobs", "doctor", "--sweep", *_flags(settings)],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip() == (
        "✗ nothing deleted: no terminal to confirm on; run again with --yes to delete them "
        "(or --dry-run to only list them)"
    )
    assert all(name in done.stdout for name in OURS)
    assert _names(sweep_emulator) == sorted(OURS + USERS)


def test_a_job_renamed_while_the_question_is_open_is_kept(
    settings: ConnectionSettings, sweep_emulator: EmulatorProcess
) -> None:
    def rename_then_agree(_: str) -> str:
        with client_for(settings) as client:
            (job,) = client.find_jobs_by_name(OURS[0])
            renamed = {k: v for k, v in job.items() if k != "id"} | {"name": "now a user's"}
            renamed["script"] = {"jobType": "adCheckList"}
            client.update_job(str(job["id"]), renamed)
        return "yes"

    code, out, err = _sweep(settings, ask=rename_then_agree)
    assert code == 1
    assert "deleted 1 job(s)" in out
    assert f"is now named \"now a user's\", not '{OURS[0]}': kept" in err
    assert _names(sweep_emulator) == sorted(["now a user's", *USERS])


def test_what_an_interrupted_doctor_leaves_is_swept(
    settings: ConnectionSettings, sweep_emulator: EmulatorProcess
) -> None:
    """The doctor's --write deletes fail (as if it were killed): its jobs are a run's."""
    sweep_emulator.add_fault(
        method="DELETE",
        path=r"/api/v2/tenants/[^/]+/jobs/.+",
        action="status",
        status=400,
        count=100,
    )
    try:
        report = run_doctor(settings, write=True)
    finally:
        sweep_emulator.clear_faults()
    left = [name for name in _names(sweep_emulator) if name not in OURS + USERS]
    assert len(left) == len(report.shapes) > 10
    assert all(made_by_a_run(name) for name in left)
    code, _, _ = _sweep(settings, yes=True)
    assert code == 0
    assert _names(sweep_emulator) == sorted(USERS)
