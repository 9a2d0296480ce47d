"""The calls made for every job of every preview and refresh: diff and read do no needless work.

A check or a diff whose old and new inputs are equal (the usual preview: state holds the
canonical inputs check returned, and OpsRampJob sends a job it knows whole in that form) parses
nothing; one whose state is in an older form still compares canonical forms. A refresh parses the
live job only, unless the declared inputs are needed. A provider process that only checks and
diffs (a no-change preview) sends one request, its token, and never imports the model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime.proto import provider_pb2

from opsramp_jobs.model import parse_job
from opsramp_jobs.provider import OpsRampJobProvider
from tests.provider.conftest import job_inputs, stack_config
from tests.provider.grpc_provider import UNKNOWN, ProviderServer
from tests.support.emulator import REPO_ROOT, EmulatorProcess

DIFF_NONE = provider_pb2.DiffResponse.DIFF_NONE
DIFF_SOME = provider_pb2.DiffResponse.DIFF_SOME

CUSTOM_SCRIPT = {
    "jobType": "custom",
    "customScript": {"id": "7"},
    "parameters": [{"paramId": "2", "value": "150"}],
    "userType": "2",
    "credentialSet": {"uniqueId": "cred-123"},
}


def checked(provider: ProviderServer, **overrides: Any) -> dict[str, Any]:
    inputs, failures = provider.check(job_inputs(**overrides))
    assert failures == []
    inputs.pop("__provider")
    return inputs


def older_form(outs: dict[str, Any]) -> dict[str, Any]:
    """The same job as a state written before values were canonicalised: loose, reordered."""
    raw = job_inputs()
    return {
        **outs,
        "entities": list(reversed(outs["entities"])),
        "schedule": raw["schedule"],  # "+01:00" with seconds, repeatFrequency as a string
        "jobQueued": "true",
    }


def test_an_older_state_form_diffs_as_no_change_and_real_changes_still_show(
    provider: ProviderServer,
) -> None:
    inputs = checked(provider)
    job_id, outs = provider.create(inputs)
    old = older_form(outs)
    assert {k: old[k] for k in inputs} != inputs  # not the equal-inputs path
    assert provider.diff(job_id, old, inputs).changes == DIFF_NONE

    weekly = {
        "startDate": "2026-01-05T01:30:00Z",
        "pattern": {"type": "weekly", "weekDays": "Friday"},
    }
    diff = provider.diff(job_id, old, checked(provider, schedule=weekly))
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])
    diff = provider.diff(job_id, old, checked(provider, script={"jobType": "assetinfo"}))
    assert (diff.changes, list(diff.replaces), diff.deleteBeforeReplace) == (
        DIFF_SOME,
        ["script"],
        True,
    )
    diff = provider.diff(job_id, old, checked(provider, tenantId="client_93", entities=[]))
    assert (list(diff.replaces), diff.deleteBeforeReplace) == (["tenantId"], False)
    # The canonical state against the same changes: exactly the same answers.
    diff = provider.diff(job_id, outs, checked(provider, schedule=weekly))
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])
    diff = provider.diff(job_id, outs, checked(provider, name="Nightly AD check (renamed)"))
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])


@pytest.fixture
def in_process(emulator: EmulatorProcess) -> OpsRampJobProvider:
    """The provider class in this process, configured as the SDK's server would."""
    provider = OpsRampJobProvider()
    provider.configure(ConfigureRequest(Config(stack_config(emulator), "example")))
    return provider


def create(provider: OpsRampJobProvider, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """Check and create a job; its id and outputs."""
    inputs = provider.check({}, job_inputs(**overrides)).inputs
    created = provider.create(inputs)
    assert created.outs is not None
    return created.id, created.outs


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records each parse_job call the provider makes (True for a job OpsRamp returned)."""
    calls: list[bool] = []
    real: Callable[..., Any] = parse_job

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(bool(kwargs.get("from_server")))
        return real(*args, **kwargs)

    monkeypatch.setattr("opsramp_jobs.model.parse_job", counted)
    return calls


def test_equal_inputs_diff_without_parsing(
    in_process: OpsRampJobProvider, parses: list[bool]
) -> None:
    job_id, outs = create(in_process)
    inputs = in_process.check({}, job_inputs()).inputs
    parses.clear()
    assert in_process.diff(job_id, outs, inputs).changes is False
    assert parses == []
    # An older state form is parsed (old and new), and still no change.
    assert in_process.diff(job_id, older_form(outs), inputs).changes is False
    assert len(parses) == 2
    # An unknown value is a change even where the texts are equal (not in a real state).
    unknown = {**inputs, "entities": [{"resource": {"id": UNKNOWN, "type": "DEVICE"}}]}
    assert in_process.diff(job_id, {**outs, **unknown}, unknown).changes is True


def test_a_check_of_the_inputs_the_state_holds_parses_nothing(
    in_process: OpsRampJobProvider, parses: list[bool]
) -> None:
    _, outs = create(in_process)
    stored = {**outs, "__provider": "blob"}
    parses.clear()
    checked = in_process.check(stored, dict(stored))
    assert (checked.failures, parses) == ([], [])
    assert checked.inputs == outs
    # Anything else is parsed and checked: a new value, an older form, a new job.
    renamed = in_process.check(stored, {**stored, "name": "Nightly AD check (renamed)"})
    assert (renamed.failures, len(parses)) == ([], 1)
    bad_start = {**outs["schedule"], "startDate": "not a date"}
    bad = in_process.check(stored, {**stored, "schedule": bad_start})
    assert [failure.property for failure in bad.failures] == ["schedule.startDate"]
    assert in_process.check(stored, {**stored, **older_form(outs)}).inputs == outs
    assert in_process.check({}, dict(stored)).inputs == outs
    assert len(parses) == 4


def test_a_refresh_of_an_unchanged_job_parses_only_the_live_job(
    in_process: OpsRampJobProvider, parses: list[bool]
) -> None:
    job_id, outs = create(in_process)
    parses.clear()
    assert in_process.read(job_id, outs).outs == outs
    assert parses == [True]


def test_a_refresh_still_keeps_the_declared_credential_set(
    in_process: OpsRampJobProvider, parses: list[bool]
) -> None:
    job_id, outs = create(in_process, name="cleanup", script=CUSTOM_SCRIPT)
    parses.clear()
    assert in_process.read(job_id, outs).outs == outs
    assert outs["script"]["credentialSet"] == {"uniqueId": "cred-123"}
    assert parses == [True, False]  # the live job, then the declared one for its credential set


def test_a_refresh_with_unparseable_state_reads_the_live_job(
    in_process: OpsRampJobProvider,
) -> None:
    job_id, outs = create(in_process)
    broken = {**outs, "schedule": {"startDate": "not a date"}}
    assert in_process.read(job_id, broken).outs == outs


PREVIEW_ONLY = """
import json, sys
# What a provider process has imported before it unpickles ours (pulumi.dynamic's server).
import pulumi.dynamic, pulumi.runtime
from pulumi.dynamic import Config, ConfigureRequest
from opsramp_jobs.provider import OpsRampJobProvider

config, job_id, declared, stored = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
provider = OpsRampJobProvider()
provider.configure(ConfigureRequest(Config(json.loads(config), "example")))
for _ in range(3):
    checked = provider.check(json.loads(stored), json.loads(declared))
    assert checked.failures == [], checked.failures
    assert provider.diff(job_id, json.loads(stored), checked.inputs).changes is False
print(json.dumps(sorted(sys.modules)))
"""


def preview_only(emulator: EmulatorProcess, job_id: str, declared: Any, stored: Any) -> set[str]:
    """Three rounds of check and diff of one job in a new provider process; its modules."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PREVIEW_ONLY,
            json.dumps(stack_config(emulator)),
            job_id,
            json.dumps(declared),
            json.dumps(stored),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        timeout=60,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_no_change_preview_sends_one_token_request_and_nothing_else(
    emulator: EmulatorProcess, in_process: OpsRampJobProvider
) -> None:
    # The first check of a process checks the credentials (a wrong secret fails the preview);
    # nothing else of a no-change preview talks to OpsRamp, however many jobs it has.
    job_id, outs = create(in_process)
    emulator.reset_stats()
    preview_only(emulator, job_id, job_inputs(), outs)
    routes = emulator.stats()["by_route"]
    assert sum(routes.values()) == 1, routes
    assert next(iter(routes)).endswith("/auth/oauth/token"), routes


def test_a_no_change_preview_never_imports_the_model(
    emulator: EmulatorProcess, in_process: OpsRampJobProvider
) -> None:
    # The job as OpsRampJob sends it (known whole: canonical) and as the state holds it.
    job_id, outs = create(in_process)
    modules = preview_only(emulator, job_id, outs, outs)
    assert "requests" in modules  # for the token
    assert not {"opsramp_jobs.model", "pydantic"} & modules
