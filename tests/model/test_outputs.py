"""Typed models take Pulumi Outputs where a value can come from elsewhere (secrets, device ids).

Run under Pulumi's mocks, as tests/program does: the typed form must register the same inputs
as OpsRamp's documented dict form, a secret parameter value staying secret. The model itself must
load without Pulumi (the client, the emulator and tools import it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pulumi

from opsramp_jobs import CustomScript, OpsRampJob, Schedule, Weekly, device
from opsramp_jobs.model import Job
from opsramp_jobs.provider import OpsRampJobProvider
from tests.model.typed_sample import DEVICE, declare_jobs

DYNAMIC_TYPE = "pulumi-python:dynamic/opsramp:OpsRampJob"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SECRET_KEY = "4dabf18193072939515e22adb298388d"
SERVER_ID = "c0ffee00-0000-4000-8000-0000000000aa"
START = "2026-12-01T02:30:00+0000"


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every registered resource's inputs."""

    def __init__(self) -> None:
        self.inputs: dict[str, dict[str, Any]] = {}

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.inputs[args.name] = dict(args.inputs)
        return f"{args.name}-id", {**args.inputs, "jobId": f"{args.name}-id"}

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


def unwrap_secrets(value: Any) -> Any:
    """Unwrap secret envelopes, as the engine does for a provider that does not accept secrets."""
    if isinstance(value, dict):
        if value.get(SECRET_KEY) == SECRET_SIG:
            return unwrap_secrets(value["value"])
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def run(program: Any) -> RecordingMocks:
    """Run ``program`` (which declares resources) under mocks; the inputs it registered."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="typed", stack="test", preview=False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def body() -> pulumi.Output[Any]:
        jobs: list[OpsRampJob] = program()
        return pulumi.Output.all(*[job.job_id for job in jobs])

    body()
    return mocks


def test_a_secret_parameter_value_stays_secret_in_the_typed_form_as_in_the_dict_form() -> None:
    def program() -> list[OpsRampJob]:
        secret = pulumi.Output.secret("s3cr3t-value")
        schedule = Schedule(start_date=START, pattern=Weekly(week_days=["Monday"]))
        return [
            OpsRampJob(
                "typed",
                tenant_id="client_13",
                script=CustomScript.of(7, {2: secret, 3: 150.0}),
                schedule=schedule,
            ),
            OpsRampJob(
                "dict",
                tenant_id="client_13",
                script={
                    "jobType": "custom",
                    "customScript": {"id": 7},
                    "parameters": [
                        {"paramId": 2, "value": secret},
                        {"paramId": 3, "value": "150"},
                    ],
                },
                schedule=schedule,
            ),
        ]

    mocks = run(program)
    typed, given = mocks.inputs["typed"], mocks.inputs["dict"]
    for raw in (typed, given):
        # Pulumi marks the whole property that holds a secret Output as secret.
        assert raw["script"][SECRET_KEY] == SECRET_SIG, raw["script"]
        assert raw["script"]["value"]["parameters"][0]["value"] == "s3cr3t-value"
        assert SECRET_SIG not in json.dumps(raw["schedule"])
    assert typed["script"]["value"]["parameters"][1]["value"] == "150"
    provider = OpsRampJobProvider()
    checked = [provider.check({}, unwrap_secrets(raw)) for raw in (typed, given)]
    assert [c.failures for c in checked] == [[], []]
    assert checked[0].inputs["script"] == checked[1].inputs["script"]


def test_device_ids_and_parameter_values_may_be_outputs_of_other_resources() -> None:
    def program() -> list[OpsRampJob]:
        secret = pulumi.Output.secret("token")
        server_id = pulumi.Output.from_input(SERVER_ID)
        return declare_jobs(secret, server_id)

    mocks = run(program)
    jobs = {name: unwrap_secrets(raw) for name, raw in mocks.inputs.items()}
    assert len(jobs) == 16  # 15 job types, the custom script written two ways
    provider = OpsRampJobProvider()
    for name, inputs in jobs.items():
        ids = [e["resource"]["id"] for e in inputs["entities"]]
        assert ids == [DEVICE, SERVER_ID], name
        result = provider.check({}, inputs)
        assert result.failures == [], (name, result.failures)
    # Registration order follows when each job's Outputs resolve: compare as a set of forms.
    custom = sorted(
        (
            [p["value"] for p in j["script"]["parameters"]]
            for j in jobs.values()
            if j["script"]["jobType"] == "custom"
        ),
        key=len,
    )
    assert custom == [["token"], ["token", "150"]]
    dict_form = [j["script"] for j in jobs.values() if len(j["script"].get("parameters", ())) == 1]
    assert dict_form[0]["parameters"] == [{"paramId": 2, "value": "token"}]


def test_canonical_keeps_outputs_as_leaves_and_does_not_sort_what_is_unknown() -> None:
    def program() -> list[OpsRampJob]:
        later = pulumi.Output.from_input(SERVER_ID)
        job = Job(
            name="n",
            entities=[device(later), device(DEVICE)],
            script=CustomScript.of(7, {2: pulumi.Output.secret("x")}),
            schedule=Schedule(start_date=START, pattern=Weekly(week_days="mon")),
        )
        canonical = job.canonical()
        # The Output is kept in place (order as given), never compared or stringified.
        assert canonical["entities"][0]["resource"]["id"] is later
        assert canonical["entities"][1]["resource"]["id"] == DEVICE
        assert isinstance(canonical["script"]["parameters"][0]["value"], pulumi.Output)
        return []

    run(program)


def test_the_model_loads_without_pulumi() -> None:
    code = (
        "import sys, opsramp_jobs.model as m\n"
        "m.CustomScript.of(7, {2: 150.0})\n"
        "assert 'pulumi' not in sys.modules, sorted(k for k in sys.modules if 'pulumi' in k)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_credential_set_from_a_secret_stays_secret_in_the_typed_form() -> None:
    def program() -> list[OpsRampJob]:
        credential = pulumi.Output.secret("cred-from-config")
        return [
            OpsRampJob(
                "typed-credential",
                tenant_id="client_13",
                script=CustomScript.of(7, {2: "x"}, credential_set=credential),
                schedule=Schedule(start_date=START, pattern=Weekly(week_days=["Monday"])),
            )
        ]

    raw = run(program).inputs["typed-credential"]
    assert raw["script"][SECRET_KEY] == SECRET_SIG, raw["script"]
    assert raw["script"]["value"]["credentialSet"] == {"uniqueId": "cred-from-config"}
    result = OpsRampJobProvider().check({}, unwrap_secrets(raw))
    assert result.failures == []
    assert result.inputs["script"]["credentialSet"] == {"uniqueId": "cred-from-config"}
