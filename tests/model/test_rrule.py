"""Schedule.rrule: each pattern as an iCalendar RRULE whose expansion is exactly next_runs.

The expansion is recurring-ical-events' (an RFC 5545 implementation), of an event that went through
iCalendar text and back, so neither the mapping nor the run math can agree with itself by accident.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import pytest
import recurring_ical_events
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar, Event

from opsramp_jobs.model import Schedule
from tests.model.run_oracle import KINDS, patterns


def schedule(start: str, **pattern: Any) -> Schedule:
    return Schedule.model_validate({"startDate": start, "pattern": pattern})


@pytest.mark.parametrize(
    ("pattern", "rule"),
    [
        ({"type": "daily", "frequency": "everyday"}, "FREQ=DAILY"),
        ({"type": "daily", "frequency": "every weekday"}, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        (
            {"type": "daily", "frequency": "recurrence", "repeatFrequency": 3},
            "FREQ=DAILY;INTERVAL=3",
        ),
        ({"type": "weekly", "weekDays": "Thursday, Sunday"}, "FREQ=WEEKLY;BYDAY=SU,TH"),
        ({"type": "monthly", "dayOfMonth": "15, 1, 31"}, "FREQ=MONTHLY;BYMONTHDAY=1,15,31"),
        (
            {"type": "monthly", "weekIndex": "Last", "dayOfWeek": "Friday"},
            "FREQ=MONTHLY;BYDAY=-1FR",
        ),
        (
            {"type": "monthly", "weekIndex": "Second", "dayOfWeek": "Sunday"},
            "FREQ=MONTHLY;BYDAY=2SU",
        ),
        ({"type": "run once"}, None),
        ({"type": "never"}, None),
    ],
)
def test_each_pattern_maps_to_its_rule(pattern: dict[str, Any], rule: str | None) -> None:
    made = schedule("2026-12-01T02:30:00Z", **pattern).rrule()
    assert (made.to_ical().decode() if made is not None else None) == rule


def expanded(schedule: Schedule, after: datetime, count: int) -> list[datetime]:
    """The schedule as a VEVENT in iCalendar text, read back and expanded by the library."""
    calendar = Calendar()
    calendar.add("prodid", "-//opsramp-jobs tests//EN")
    calendar.add("version", "2.0")
    first = schedule.first_run()
    if first is not None:
        event = Event()
        event.add("uid", "job@tests")
        event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
        event.add("dtstart", first)
        rule = schedule.rrule()
        if rule is not None:
            event.add("rrule", rule)
        calendar.add_component(event)
    query = recurring_ical_events.of(Calendar.from_ical(calendar.to_ical()))
    occurrences = (event["DTSTART"].dt for event in query.after(after - timedelta(days=1)))
    return [run.astimezone(UTC) for run in islice((r for r in occurrences if r > after), count)]


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_the_rules_expansion_is_next_runs(kind: str, data: st.DataObject) -> None:
    start = data.draw(st.datetimes(datetime(1970, 1, 1), datetime(2090, 1, 1)))
    start = start.replace(second=0, microsecond=0, tzinfo=UTC)
    job = Schedule.model_validate({"startDate": start, "pattern": data.draw(patterns(kind))})
    after = start + data.draw(st.timedeltas(timedelta(days=-60), timedelta(days=900)))
    if data.draw(st.booleans()):
        after = max(job.next_runs(start - timedelta(minutes=1), 3), default=after)  # on a run
    count = data.draw(st.integers(1, 12))
    assert expanded(job, after, count) == job.next_runs(after, count)
