"""OpsRampJob as a program sees it, under Pulumi's mocks: arguments, registered properties, get."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pulumi
import pytest

from opsramp_jobs import AdCheckList, OpsRampJob, OpsRampJobArgs, OpsRampJobSet
from opsramp_jobs.provider import OpsRampJobProvider
from opsramp_jobs.resource import InvalidInputsError, OpsRampInputError

DYNAMIC_TYPE = "pulumi-python:dynamic/opsramp:OpsRampJob"
DEVICE = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"
SCHEDULE = {"startDate": "2026-12-01T02:30:00+0000", "pattern": {"type": "never"}}
# What the provider adds to a built-in job's inputs (see provider._outputs), as the engine
# returns it: nothing; the other attributes are derived in the program (entity_details is a
# lookup: tests/program/test_lookups.py).
SERVER_OUTPUTS: dict[str, Any] = {}
NEVER_IN_WORDS = "never on a schedule (on demand only); start date 2026-12-01 02:30 UTC"
EVERY_OTHER_DAY = {
    "startDate": "2026-12-01T02:30:00+0000",
    "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
}


class Mocks(pulumi.runtime.Mocks):
    """Answers like the provider: inputs back, plus the server-side outputs."""

    def __init__(self) -> None:
        self.created: dict[str, dict[str, Any]] = {}
        self.read: dict[str, tuple[str | None, dict[str, Any]]] = {}

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if args.typ != DYNAMIC_TYPE:
            return None, {}
        if args.resource_id:  # a read (OpsRampJob.get)
            self.read[args.name] = (args.resource_id, dict(args.inputs))
            live = {"name": "live job", "tenantId": "client_13", "schedule": SCHEDULE}
            return args.resource_id, {**live, **SERVER_OUTPUTS}
        self.created[args.name] = dict(args.inputs)
        outputs = {**args.inputs, **SERVER_OUTPUTS}
        if "customScript" in args.inputs.get("script", {}):
            outputs["scriptName"] = "cleanup.sh"  # OpsRamp's name of the script, by its id
        return f"{args.name}-id", outputs

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


# Where Pulumi's mocks send the diagnostics a program logs (pulumi.log.error and .warn).
ENGINE_LOG = logging.getLogger("tests.program.engine")


def logged(caplog: pytest.LogCaptureFixture, level: str = "ERROR") -> list[str]:
    """The diagnostics the program logged at ``level``, in order."""
    return [
        r.getMessage() for r in caplog.records if r.name == ENGINE_LOG.name and r.levelname == level
    ]


def run(program: Callable[[], Any]) -> tuple[Mocks, Any]:
    """Run `program` under mocks; return the mocks and the resolved value of what it returns."""
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project="unit", stack="dev", preview=False, logger=ENGINE_LOG)
    resolved: list[Any] = []

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def wrapped() -> pulumi.Output[Any]:
        return pulumi.Output.from_input(program()).apply(resolved.append)

    wrapped()
    return mocks, resolved[0]


def test_keyword_arguments_and_args_register_the_same_inputs() -> None:
    def program() -> None:
        OpsRampJob(
            "by-keywords",
            name="AD",
            device_ids=[DEVICE],
            script=AdCheckList(),
            schedule=SCHEDULE,
            job_queued=True,
        )
        OpsRampJob(
            "by-args",
            OpsRampJobArgs(
                name="AD", device_ids=[DEVICE], script=AdCheckList(), schedule=SCHEDULE,
                job_queued=True,
            ),
        )  # fmt: skip

    mocks, _ = run(program)
    assert mocks.created["by-keywords"] == mocks.created["by-args"]
    assert mocks.created["by-args"]["entities"] == [{"resource": {"id": DEVICE, "type": "DEVICE"}}]


def test_only_properties_with_a_value_are_sent() -> None:
    mocks, _ = run(lambda: OpsRampJob("job", script=AdCheckList(), schedule=SCHEDULE))
    inputs = mocks.created["job"]
    # jobQueued has one: the model's default, in the canonical form a job known whole is sent in.
    assert sorted(inputs) == ["__provider", "entities", "jobQueued", "name", "schedule", "script"]


def test_every_output_attribute_resolves_without_being_sent() -> None:
    def program() -> pulumi.Output[list[Any]]:
        job = OpsRampJob("job", script=AdCheckList(), schedule=SCHEDULE, device_ids=[DEVICE])
        return pulumi.Output.all(
            job.job_id,
            job.tenant_id,
            job.job_queued,
            job.script_name,
            job.schedule_description,
            job.next_runs,
            job.name,
        )

    mocks, values = run(program)
    assert values == [
        "job-id",
        None,  # not given, and the mocks add no tenant (the provider's check would)
        False,  # the default, sent with the canonical inputs
        "adCheckList",
        NEVER_IN_WORDS,
        [],
        "job",
    ]
    assert "jobId" not in mocks.created["job"]


def test_derived_attributes_follow_the_stored_schedule_and_script() -> None:
    def program() -> pulumi.Output[list[Any]]:
        daily = OpsRampJob("daily", script=AdCheckList(), schedule=EVERY_OTHER_DAY)
        custom = OpsRampJob(
            "custom", script={"customScript": {"id": "7"}}, schedule=EVERY_OTHER_DAY
        )
        return pulumi.Output.all(
            daily.schedule_description, daily.next_runs, custom.script_name, daily.script_name
        )

    _, (words, runs, custom_name, builtin_name) = run(program)
    assert words == "every 2 days at 02:30 UTC from 2026-12-01"
    # From the moment the program runs: five runs two days apart, all in the future.
    now = datetime.now(UTC)
    times = [datetime.strptime(run, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for run in runs]
    assert len(times) == 5
    assert times[0] > now
    assert {b - a for a, b in itertools.pairwise(times)} == {timedelta(days=2)}
    assert (custom_name, builtin_name) == ("cleanup.sh", "adCheckList")


def test_options_are_sent_under_their_state_names_when_given() -> None:
    mocks, _ = run(
        lambda: OpsRampJob(
            "job",
            script=AdCheckList(),
            schedule=SCHEDULE,
            adopt_id="1234",
            allow_duplicate_name=False,
        )
    )
    assert mocks.created["job"]["adoptId"] == "1234"
    assert mocks.created["job"]["allowDuplicateName"] is False


def test_import_option_becomes_adoption() -> None:
    opts = pulumi.ResourceOptions(import_="4321", protect=True)
    mocks, _ = run(lambda: OpsRampJob("job", script=AdCheckList(), schedule=SCHEDULE, opts=opts))
    assert mocks.created["job"]["adoptId"] == "4321"
    assert opts.import_ == "4321"  # the caller's options are not changed


def test_import_and_a_different_adopt_id_are_refused() -> None:
    with pytest.raises(TypeError, match="name different jobs"):
        OpsRampJob(
            "job",
            script=AdCheckList(),
            schedule=SCHEDULE,
            adopt_id="1",
            opts=pulumi.ResourceOptions(import_="2"),
        )


def test_one_device_id_as_a_string_is_one_clear_error() -> None:
    with pytest.raises(TypeError) as caught:
        OpsRampJob("job", script=AdCheckList(), schedule=SCHEDULE, device_ids=DEVICE)
    assert str(caught.value) == (
        f"OpsRampJob 'job': device_ids: must be a list of device ids, not a string: write "
        f"device_ids=['{DEVICE}']"
    )


def test_one_device_id_as_an_output_string_is_the_same_error() -> None:
    def program() -> pulumi.Output[Any]:
        job = OpsRampJob(
            "job",
            script=AdCheckList(),
            schedule=SCHEDULE,
            device_ids=pulumi.Output.from_input(DEVICE),
        )
        return job.entities

    # Known only once resolved: the run ends with the error (a RunError: no traceback).
    with pytest.raises(
        InvalidInputsError, match="OpsRampJob 'job': device_ids: must be a list of device ids"
    ):
        run(program)


def test_a_misspelt_argument_fails_at_once() -> None:
    with pytest.raises(TypeError, match="job_queue"):
        OpsRampJob(  # type: ignore[call-overload]
            "job", script=AdCheckList(), schedule=SCHEDULE, job_queue=True
        )


def test_script_and_schedule_are_required() -> None:
    with pytest.raises(TypeError, match="'job': script: is required"):
        OpsRampJob("job", schedule=SCHEDULE)  # type: ignore[call-overload]


def test_args_and_keywords_together_are_refused() -> None:
    with pytest.raises(TypeError, match="not both"):
        OpsRampJob(  # type: ignore[call-overload]
            "job", OpsRampJobArgs(script=AdCheckList(), schedule=SCHEDULE), name="x"
        )


def test_tenant_ids_as_a_string_is_one_clear_error(caplog: pytest.LogCaptureFixture) -> None:
    def program() -> None:
        OpsRampJobSet(
            "set",
            tenant_ids="client_13",
            script=AdCheckList(),
            schedule=SCHEDULE,
        )

    with pytest.raises(InvalidInputsError):
        run(program)
    assert logged(caplog) == [
        "OpsRampJobSet 'set': tenant_ids: must be a list of tenant ids, not a string: write "
        "tenant_ids=['client_13']"
    ]


def test_input_errors_are_run_errors_so_the_cli_prints_the_message_alone() -> None:
    with pytest.raises(pulumi.RunError) as caught:
        OpsRampJob("job", script=AdCheckList(), schedule=SCHEDULE, device_ids=DEVICE)
    assert isinstance(caught.value, OpsRampInputError)


def test_tenant_ids_as_an_output_is_one_clear_error(caplog: pytest.LogCaptureFixture) -> None:
    def program() -> None:
        OpsRampJobSet(
            "set",
            tenant_ids=pulumi.Output.from_input(["client_13"]),  # type: ignore[arg-type]
            script=AdCheckList(),
            schedule=SCHEDULE,
        )

    with pytest.raises(InvalidInputsError):
        run(program)
    [line] = logged(caplog)
    assert "known when the program runs" in line


def test_entities_may_be_one_output_list_and_join_the_device_ids() -> None:
    other = "4e96d5bc-763c-4c00-beab-928d653a0422"

    def program() -> pulumi.Output[Any]:
        job = OpsRampJob(
            "job",
            script=AdCheckList(),
            schedule=SCHEDULE,
            device_ids=[DEVICE],
            entities=pulumi.Output.from_input([{"resource": {"id": other, "type": "DEVICE"}}]),
        )
        return job.entities

    _, entities = run(program)
    assert [e["resource"]["id"] for e in entities] == [DEVICE, other]


def test_whole_number_parameter_values_in_the_dict_form_keep_every_digit() -> None:
    big = 2**60 + 1  # a double would round it

    def program() -> None:
        OpsRampJob(
            "job",
            script={
                "jobType": "custom",
                "customScript": {"id": 7},
                "parameters": [{"paramId": 2, "value": big}, {"paramId": 3, "value": 1.5}],
            },
            schedule=SCHEDULE,
        )

    mocks, _ = run(program)
    parameters = mocks.created["job"]["script"]["parameters"]
    assert parameters == [{"paramId": 2, "value": str(big)}, {"paramId": 3, "value": "1.5"}]


def test_get_reads_by_id_and_carries_the_provider() -> None:
    def program() -> pulumi.Output[list[Any]]:
        job = OpsRampJob.get("existing", "9876", tenant_id="client_13")
        return pulumi.Output.all(job.job_id, job.name, job.schedule_description)

    mocks, values = run(program)
    resource_id, inputs = mocks.read["existing"]
    assert resource_id == "9876"
    assert inputs["tenantId"] == "client_13"
    assert inputs["__provider"]  # the engine's Read finds the provider by it
    assert values == ["9876", "live job", NEVER_IN_WORDS]
    assert mocks.created == {}


def test_a_misspelt_keyword_is_a_short_error_with_a_suggestion() -> None:
    with pytest.raises(
        OpsRampInputError,
        match="'job_queue' is not an argument of OpsRampJob; did you mean 'job_queued'",
    ):
        OpsRampJob(  # type: ignore[call-overload]
            "job", script=AdCheckList(), schedule=SCHEDULE, job_queue=True
        )


def test_whole_number_outputs_as_parameter_values_keep_every_digit() -> None:
    big = 2**60 + 3

    def program() -> None:
        OpsRampJob(
            "job",
            script={
                "jobType": "custom",
                "customScript": {"id": 7},
                "parameters": [{"paramId": 2, "value": pulumi.Output.secret(big)}],
            },
            schedule=SCHEDULE,
        )

    mocks, _ = run(program)
    script = mocks.created["job"]["script"]
    assert script[pulumi.runtime.rpc._special_sig_key] == pulumi.runtime.rpc._special_secret_sig
    [parameter] = script["value"]["parameters"]  # the secret wraps the whole script
    assert parameter == {"paramId": 2, "value": str(big)}


def test_a_job_known_whole_is_sent_as_the_providers_check_returns_it() -> None:
    # So the check of a job the state already holds finds the same inputs and parses nothing.
    other = "4e96d5bc-763c-4c00-beab-928d653a0422"

    def program() -> None:
        OpsRampJob(
            "job",
            tenant_id="client_13",
            device_ids=[other, DEVICE],
            script={"jobType": "custom", "customScript": {"id": 7}, "parameters": [
                {"paramId": 2, "value": 150}]},
            schedule={"startDate": "2026-12-01T03:30:00+0100", "pattern": {"type": "never"}},
        )  # fmt: skip

    mocks, _ = run(program)
    sent = {k: v for k, v in mocks.created["job"].items() if k != "__provider"}
    checked = OpsRampJobProvider().check({}, sent)
    assert checked.failures == []
    assert sent == checked.inputs
    assert sent["schedule"]["startDate"] == "2026-12-01T02:30:00+0000"
    assert [e["resource"]["id"] for e in sent["entities"]] == sorted([DEVICE, other])


def test_a_job_with_a_value_still_to_come_is_sent_as_declared() -> None:
    other = "4e96d5bc-763c-4c00-beab-928d653a0422"

    def program() -> None:
        OpsRampJob(
            "job",
            device_ids=[pulumi.Output.from_input(other), DEVICE],
            script=AdCheckList(),
            schedule={"startDate": "2026-12-01T03:30:00+0100", "pattern": {"type": "never"}},
        )

    mocks, _ = run(program)
    sent = mocks.created["job"]
    assert [e["resource"]["id"] for e in sent["entities"]] == [other, DEVICE]
    assert sent["schedule"]["startDate"] == "2026-12-01T03:30:00+0100"  # the provider's to check
    assert "jobQueued" not in sent
