"""The page stays readable and small when many jobs start at one time on one device."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from opsramp_jobs.calendar.page import render_page
from opsramp_jobs.calendar.stack import read_stack
from opsramp_jobs.calendar.window import plan
from tests.calendar.exports import export, job_resource

START = datetime(2026, 12, 7, tzinfo=UTC)
DAILY = {"type": "daily", "frequency": "everyday"}


def crowded(jobs: int) -> str:
    """``jobs`` daily jobs at 02:30 on one device, for 3 days."""
    resources = [job_resource(f"job-{n}", DAILY, name=f"job {n}") for n in range(jobs)]
    window = plan(read_stack(json.dumps(export(*resources))), START, 3, timedelta(minutes=15))
    return render_page(window)


def test_runs_beyond_six_lanes_fold_into_a_count() -> None:
    page = crowded(20)
    assert page.count('class="run clash"') == 6 * 3  # six lanes a day
    assert re.findall(r">\+(\d+)</b>", page) == ["14"] * 3
    # Each run names its first three partners, then counts the rest.
    assert "collides with job 1 at 02:30" in page
    assert "and with 16 other runs" in page
    # The jobs are listed in natural order, and the legend folds above 24 jobs.
    assert page.index("job 2<") < page.index("job 10<")
    assert "<details>" not in page
    assert "<details><summary>30 jobs</summary>" in crowded(30)


def test_the_collision_table_lists_the_first_two_hundred() -> None:
    page = crowded(20)
    # 190 pairs of jobs, each colliding on each of the 3 days.
    assert "Collisions: 570 times, 190 pairs of jobs" in page
    table = page[page.index("<h2>Collisions") : page.index("<h2>Jobs")]
    assert table.count('<td class="when">') == 200
    assert "and 370 more" in table
    dates = re.findall(r'<td class="when">(\w+ \d+ \w+ \d\d:\d\d)</td>', table)
    assert dates == sorted(dates, key=lambda d: datetime.strptime(d, "%a %d %b %H:%M"))
