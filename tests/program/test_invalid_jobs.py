"""Invalid jobs in a program, written any way: one line per problem naming the resource and the
property path, every invalid job in the same run, and the run ends with a RunError (issue 24).

Under Pulumi's mocks, as tests/program/test_resource.py; tests/e2e/test_invalid_jobs.py runs the
same mistakes through the real CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from opsramp_jobs import (
    AdCheckList,
    CustomScript,
    EveryDay,
    EveryNDays,
    MonthlyOnDays,
    OpsRampJob,
    OpsRampJobSet,
    Schedule,
    Weekly,
    device,
)
from opsramp_jobs.resource import InvalidInputsError
from tests.program.test_resource import DEVICE, ENGINE_LOG, Mocks, logged

START = "2026-12-01T02:30:00Z"


def run(program: Callable[[], Any]) -> Mocks:
    """Run ``program`` under mocks to its end; the mocks (what was registered)."""
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project="unit", stack="dev", logger=ENGINE_LOG)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def wrapped() -> None:
        program()

    wrapped()
    return mocks


def every_day() -> Schedule:
    return Schedule(start_date=START, pattern=EveryDay())


# The typed mistakes of issue 24, each with the one line it must give.
TYPED_MISTAKES: dict[str, tuple[Callable[[], OpsRampJob], str]] = {
    "no-offset": (
        lambda: OpsRampJob(
            "no-offset",
            script=AdCheckList(),
            schedule=Schedule(start_date="2026-12-01T02:30:00", pattern=EveryDay()),
        ),
        "OpsRampJob 'no-offset': schedule.start_date: 2026-12-01T02:30:00 has no UTC offset; "
        "add one, e.g. +0000 or Z, so every stack schedules the same instant",
    ),
    "day-32": (
        lambda: OpsRampJob(
            "day-32",
            script=AdCheckList(),
            schedule=Schedule(start_date=START, pattern=MonthlyOnDays(day_of_month=[1, 32])),
        ),
        "OpsRampJob 'day-32': schedule.pattern.day_of_month[1]: 32 is not a day of the month; "
        "use a whole number from 1 to 31",
    ),
    "fryday": (
        lambda: OpsRampJob(
            "fryday",
            script=AdCheckList(),
            schedule=Schedule(start_date=START, pattern=Weekly(week_days=["Fryday"])),
        ),
        "OpsRampJob 'fryday': schedule.pattern.week_days[0]: 'Fryday' is not a weekday; "
        "did you mean 'Friday'?",
    ),
    "one-device-id": (
        lambda: OpsRampJob(
            "one-device-id",
            script=AdCheckList(),
            schedule=every_day(),
            device_ids=DEVICE,  # a str is a Sequence[str] to a type checker
        ),
        "OpsRampJob 'one-device-id': device_ids: must be a list of device ids, not a string: "
        f"write device_ids=['{DEVICE}']",
    ),
    "bad-device": (
        lambda: OpsRampJob(
            "bad-device", script=AdCheckList(), schedule=every_day(), entities=[device("x-1")]
        ),
        "OpsRampJob 'bad-device': entities[0].resource.id: 'x-1' is not an OpsRamp device id; "
        "use the device's UUID, e.g. 709824de-8315-4cf9-ad1c-b15aaf7bf2a5",
    ),
    "every-0-days": (
        lambda: OpsRampJob(
            "every-0-days",
            script=AdCheckList(),
            schedule=Schedule(start_date=START, pattern=EveryNDays(repeat_frequency=0)),
        ),
        "OpsRampJob 'every-0-days': schedule.pattern.repeat_frequency: 0 is not valid for "
        "repeatFrequency (every N days); use a whole number from 1 to 3650",
    ),
}


def test_every_invalid_typed_job_is_one_line_naming_it_and_all_come_in_one_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def program() -> None:
        OpsRampJob("first-fine", script=AdCheckList(), schedule=every_day())
        for build, _ in TYPED_MISTAKES.values():
            build()
        OpsRampJob("last-fine", script=AdCheckList(), schedule=every_day())

    with pytest.raises(InvalidInputsError, match=r"^invalid inputs \(listed above\)"):
        run(program)
    assert logged(caplog) == [line for _, line in TYPED_MISTAKES.values()]


def test_an_invalid_job_never_reaches_the_engine(caplog: pytest.LogCaptureFixture) -> None:
    registered: list[str] = []

    class Recording(Mocks):
        def new_resource(
            self, args: pulumi.runtime.MockResourceArgs
        ) -> tuple[str | None, dict[str, Any]]:
            registered.append(args.name)
            return super().new_resource(args)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def program() -> None:
        TYPED_MISTAKES["fryday"][0]()

    pulumi.runtime.set_mocks(Recording(), project="unit", stack="dev", logger=ENGINE_LOG)
    with pytest.raises(InvalidInputsError):
        program()
    assert "fryday" not in registered
    assert len(logged(caplog)) == 1


def test_the_dict_form_is_reported_the_same_way_in_the_same_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def program() -> None:
        for name, pattern in (
            ("weekly", {"type": "weekly", "weekDays": "Monday, Frday"}),
            ("monthly", {"type": "monthly", "dayOfMonth": "1, 32"}),
        ):
            OpsRampJob(
                name,
                script={"jobType": "adCheckList"},
                schedule={"startDate": START, "pattern": pattern},
                device_ids=[DEVICE, "not-a-uuid"],
            )

    with pytest.raises(InvalidInputsError):
        run(program)
    device_line = (
        "device_ids[1]: 'not-a-uuid' is not an OpsRamp device id; use the device's UUID, e.g. "
        "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"
    )
    assert logged(caplog) == [
        f"OpsRampJob 'weekly': {device_line}",
        "OpsRampJob 'weekly': schedule.pattern.weekDays[1]: 'Frday' is not a weekday; "
        "did you mean 'Friday'?",
        f"OpsRampJob 'monthly': {device_line}",
        "OpsRampJob 'monthly': schedule.pattern.dayOfMonth[1]: '32' is not a day of the month; "
        "use a whole number from 1 to 31",
    ]


def test_argument_mistakes_are_reported_with_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    def program() -> None:
        OpsRampJob("typo", script=AdCheckList(), schedul=every_day())  # type: ignore[call-overload]
        OpsRampJob(
            "clash",
            script=AdCheckList(),
            schedule=every_day(),
            adopt_id="1",
            opts=pulumi.ResourceOptions(import_="2"),
        )

    with pytest.raises(InvalidInputsError):
        run(program)
    assert logged(caplog) == [
        # The misspelt schedule is one mistake, not also a missing one.
        "OpsRampJob 'typo': schedul: 'schedul' is not an argument of OpsRampJob; "
        "did you mean 'schedule'?",
        "OpsRampJob 'clash': adopt_id: import_='2' and adopt_id='1' name different jobs: pass one",
    ]


def test_values_from_other_resources_are_left_to_the_provider(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def program() -> None:
        server = pulumi.Output.from_input(DEVICE)
        secret = pulumi.Output.secret("s3cr3t")
        OpsRampJob(
            "typed",
            script=CustomScript.of(7, {2: secret}),
            schedule=every_day(),
            device_ids=[server],
        )
        OpsRampJob(
            "dict",
            script={"customScript": {"id": pulumi.Output.from_input(7)}},
            schedule={"startDate": pulumi.Output.from_input(START), "pattern": {"type": "never"}},
            entities=pulumi.Output.from_input([{"resource": {"id": DEVICE}}]),
        )

    mocks = run(program)
    assert sorted(mocks.created) == ["dict", "typed"]
    assert logged(caplog) == []


def test_a_job_set_reports_its_shared_definition_once(caplog: pytest.LogCaptureFixture) -> None:
    def program() -> None:
        OpsRampJobSet(
            "inventory",
            tenant_ids=["client_13", "client_93", ""],
            script=AdCheckList(),
            schedule=Schedule(start_date=START, pattern=Weekly(week_days=["Fryday"])),
        )

    with pytest.raises(InvalidInputsError):
        run(program)
    assert logged(caplog) == ["OpsRampJobSet 'inventory': tenant_ids[2]: '' is not a tenant id"]
    caplog.clear()

    def shared_mistake() -> None:
        OpsRampJobSet(
            "inventory",
            tenant_ids=["client_13", "client_93"],
            script=AdCheckList(),
            schedule=Schedule(start_date=START, pattern=Weekly(week_days=["Fryday"])),
        )

    with pytest.raises(InvalidInputsError):
        run(shared_mistake)
    assert logged(caplog) == [
        "OpsRampJobSet 'inventory': schedule.pattern.week_days[0]: 'Fryday' is not a weekday; "
        "did you mean 'Friday'?"
    ]


def test_a_start_date_with_seconds_warns_naming_the_job(caplog: pytest.LogCaptureFixture) -> None:
    def program() -> None:
        OpsRampJob(
            "typed",
            script=AdCheckList(),
            schedule=Schedule(start_date="2026-12-01T02:30:15Z", pattern=EveryDay()),
        )
        OpsRampJob(
            "dict",
            script=AdCheckList(),
            schedule={"startDate": "2026-12-01T02:30:15+0000", "pattern": {"type": "never"}},
        )
        OpsRampJob("whole-minutes", script=AdCheckList(), schedule=every_day())

    mocks = run(program)
    assert sorted(mocks.created) == ["dict", "typed", "whole-minutes"]
    assert logged(caplog, "WARNING") == [
        "OpsRampJob 'typed': schedule.start_date: 2026-12-01T02:30:15Z has seconds; OpsRamp "
        "keeps whole minutes, so the job starts at 02:30 UTC",
        "OpsRampJob 'dict': schedule.startDate: 2026-12-01T02:30:15+0000 has seconds; OpsRamp "
        "keeps whole minutes, so the job starts at 02:30 UTC",
    ]


def test_a_custom_jobs_script_name_is_not_secret_for_a_secret_parameter() -> None:
    seen: list[tuple[str, bool]] = []

    class NamingScripts(Mocks):
        def new_resource(
            self, args: pulumi.runtime.MockResourceArgs
        ) -> tuple[str | None, dict[str, Any]]:
            # The provider stores OpsRamp's name of the custom script (here its script is secret).
            resource_id, outputs = super().new_resource(args)
            return resource_id, {**outputs, "scriptName": "cleanup.sh"}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def program() -> None:
        job = OpsRampJob(
            "cleanup",
            script=CustomScript.of(7, {2: pulumi.Output.secret("s3cr3t")}),
            schedule=every_day(),
        )
        name = job.script_name
        secret: pulumi.Output[bool] = pulumi.Output.from_input(name.is_secret())
        pulumi.Output.all(name, secret).apply(lambda both: seen.append((both[0], both[1])))

    pulumi.runtime.set_mocks(NamingScripts(), project="unit", stack="dev", logger=ENGINE_LOG)
    program()
    assert seen == [("cleanup.sh", False)]
