"""Typed models built in a program carry their problems to the job that uses them (issue 24).

Outside a program a typed constructor raises at once (tests/model/test_messages.py); in one, it
returns a model that holds its problems, so the resource can report them under its own name and
the program can go on to the next job. These tests switch that mode on directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from opsramp_jobs import model
from opsramp_jobs.model import JobValidationError, common, job_problems
from opsramp_jobs.model.common import notes_of, problems_of

START = "2026-12-01T02:30:00Z"


@pytest.fixture
def in_a_program(monkeypatch: pytest.MonkeyPatch) -> None:
    """As while a Pulumi program runs (resource.py sets this switch)."""
    monkeypatch.setattr(common, "_carrying", lambda: True)


@pytest.mark.usefixtures("in_a_program")
def test_a_typed_mistake_is_carried_not_raised() -> None:
    weekly = model.Weekly(week_days=["Fryday"])
    assert isinstance(weekly, model.Weekly)
    assert problems_of(weekly) == [
        ("week_days[0]", "'Fryday' is not a weekday; did you mean 'Friday'?")
    ]
    assert "Fryday" in repr(weekly)


@pytest.mark.usefixtures("in_a_program")
def test_problems_travel_to_the_model_that_holds_them_under_their_paths() -> None:
    schedule = model.Schedule(
        start_date="2026-12-01T02:30:00",  # no offset
        pattern=model.MonthlyOnDays(day_of_month=[1, 32]),
    )
    assert [path for path, _ in problems_of(schedule)] == [
        "start_date",
        "pattern.day_of_month[1]",
    ]
    entity = model.device("not-a-uuid")
    assert [path for path, _ in problems_of(entity)] == ["resource.id"]
    script = model.CustomScript.of(0, {2: True})
    assert [path for path, _ in problems_of(script)] == ["customScript.id", "parameters[0].value"]


@pytest.mark.usefixtures("in_a_program")
def test_a_carrying_model_used_anyway_raises_its_problems() -> None:
    weekly = model.Weekly(week_days=["Fryday"])
    with pytest.raises(JobValidationError, match="week_days\\[0\\]: 'Fryday'"):
        _ = weekly.week_days
    with pytest.raises(JobValidationError, match="Fryday"):
        weekly.canonical()
    with pytest.raises(JobValidationError, match="Fryday"):
        model.Schedule(start_date=START, pattern=weekly).next_runs()
    with pytest.raises(AttributeError):
        _ = weekly.not_a_property  # type: ignore[attr-defined]


@pytest.mark.usefixtures("in_a_program")
def test_a_valid_model_is_unchanged_by_the_mode() -> None:
    schedule = model.Schedule(start_date=START, pattern=model.Weekly(week_days=["fri", "Mon"]))
    assert problems_of(schedule) == []
    assert schedule.canonical() == {
        "startDate": "2026-12-01T02:30:00+0000",
        "pattern": {"type": "weekly", "weekDays": ["Monday", "Friday"]},
    }


def test_outside_a_program_nothing_is_carried() -> None:
    with pytest.raises(JobValidationError):
        model.Weekly(week_days=["Fryday"])
    with pytest.raises(JobValidationError):
        model.CustomScript.of(0)


def job(**parts: Any) -> dict[str, Any]:
    return {
        "name": "n",
        "script": {"jobType": "adCheckList"},
        "schedule": {"startDate": START, "pattern": {"type": "never"}},
        **parts,
    }


@pytest.mark.usefixtures("in_a_program")
def test_job_problems_lists_typed_and_dict_mistakes_alike() -> None:
    typed = job(schedule=model.Schedule(start_date=START, pattern=model.Weekly(week_days=["x"])))
    given = job(schedule={"startDate": START, "pattern": {"type": "weekly", "weekDays": "x"}})
    [(typed_path, typed_message)] = job_problems(typed)[0]
    [(dict_path, dict_message)] = job_problems(given)[0]
    assert (typed_path, dict_path) == (
        "schedule.pattern.week_days[0]",
        "schedule.pattern.weekDays[0]",
    )
    assert typed_message == dict_message


class Pending:
    """An awaitable: what the model takes for a value still to come (a Pulumi Output)."""

    def __await__(self) -> Iterator[None]:
        yield


def test_values_still_to_come_are_left_to_the_provider() -> None:
    pending = Pending()
    # A device id and a parameter value may be Outputs in any form.
    script = {"customScript": {"id": 7}, "parameters": [{"paramId": 2, "value": pending}]}
    assert job_problems(job(script=script, entities=[{"resource": {"id": pending}}])) == ([], [])
    # Elsewhere nothing at or under an Output is reported, nor a required property that is one,
    # while what is known still is.
    found, _ = job_problems(job(schedule=pending, name=" x"))
    assert [path for path, _ in found] == ["name"]
    weekly = {"type": "weekly", "weekDays": pending}
    assert job_problems(job(schedule={"startDate": START, "pattern": weekly})) == ([], [])


@pytest.mark.usefixtures("in_a_program")
def test_a_start_date_with_seconds_is_noted_where_it_was_written() -> None:
    typed = model.Schedule(start_date="2026-12-01T02:30:15Z", pattern=model.Never())
    note = (
        "2026-12-01T02:30:15Z has seconds; OpsRamp keeps whole minutes, so the job starts at "
        "02:30 UTC"
    )
    assert notes_of(typed) == [("start_date", note)]
    assert job_problems(job(schedule=typed)) == ([], [("schedule.start_date", note)])
    given = {"startDate": "2026-12-01T02:30:15Z", "pattern": {"type": "never"}}
    assert job_problems(job(schedule=given)) == ([], [("schedule.startDate", note)])
    assert notes_of(model.Schedule(start_date=START, pattern=model.Never())) == []
