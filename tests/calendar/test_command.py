"""`python -m opsramp_jobs calendar` as a user runs it: a process, stdin or a file, files out."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
import recurring_ical_events
from icalendar import Calendar

from opsramp_jobs.calendar.stack import JOB_TYPE
from opsramp_jobs.model import Schedule
from tests.calendar.exports import export, job_resource

FIRST_DAY = "2026-12-07"  # a Monday
START = datetime(2026, 12, 7, tzinfo=UTC)


def calendar(
    *args: str, stdin: str | None = None, prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own (``prelude``: Python run before it, to break things)."""
    code = f"{prelude}\nimport sys\nfrom opsramp_jobs.__main__ import main\nsys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, "calendar", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def stack_export() -> dict[str, Any]:
    """Four jobs on three devices: two collide on web-01, one runs in office hours, one never."""
    patch = job_resource(
        "patch",
        {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
        name="Patch install",
        devices=("d-web", "d-db"),
        start="2026-12-01T02:30:00+0000",
    )
    patch["outputs"]["entities"][0]["resource"]["generalInfo"] = {"hostName": "web-01"}
    reboot = job_resource(
        "reboot",
        {"type": "weekly", "weekDays": "Wednesday, Sunday"},
        name="Reboot",
        devices=("d-web",),
        start="2026-12-01T02:40:00+0000",
    )
    report = job_resource(
        "report",
        {"type": "monthly", "weekIndex": "Second", "dayOfWeek": "Thursday"},
        name="Disk report",
        devices=("d-file",),
        start="2026-12-01T09:15:00+0000",
    )
    manual = job_resource("manual", {"type": "never"}, name="On demand", devices=("d-web",))
    once = job_resource(
        "once", {"type": "run once"}, name="One-off", devices=(), start=START.isoformat()
    )
    return export(patch, reboot, report, manual, once)


def test_the_summary_names_runs_collisions_and_blackout_runs(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(stack_export()))
    done = calendar(str(state), "--from", FIRST_DAY, "--blackout", "Mon-Fri 08:00-18:00")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    # Patch every 2 days from 1 Dec (7, 9, 11, 13, 15, 17, 19 in the 14 days), Reboot on
    # Wednesdays and Sundays (9, 13, 16, 20), Disk report on the second Thursday (10), One-off
    # on the 7th: 13 runs. Patch and Reboot meet on web-01 on the 9th and the 13th.
    assert done.stdout.splitlines() == [
        "stack dev: 5 jobs on 3 devices; 14 days from 2026-12-07 (UTC): 13 runs",
        "  no run in these days: On demand",
        "collisions (two jobs on one device within 15 min): 1 pair of jobs, 2 times",
        "  2026-12-09 02:30  Patch install + Reboot on web-01 (2x)",
        "blackout Mon-Fri 08:00-18:00: 1 run",
        "  2026-12-10 09:15  Disk report",
    ]
    narrow = calendar(str(state), "--from", FIRST_DAY, "--window", "9", "--days", "3")
    assert "collisions (two jobs on one device within 9 min): none" in narrow.stdout
    assert "3 days from 2026-12-07 (UTC): 4 runs" in narrow.stdout


def test_the_ics_file_expands_to_every_jobs_next_runs(tmp_path: Path) -> None:
    exported = stack_export()
    ics = tmp_path / "jobs.ics"
    done = calendar("--ics", str(ics), "--from", FIRST_DAY, stdin=json.dumps(exported))
    assert done.returncode == 0, done.stderr
    assert f"wrote {ics} (4 events)" in done.stdout  # "On demand" never runs: no event
    parsed = Calendar.from_ical(ics.read_bytes())
    events = {str(event["SUMMARY"]): event for event in parsed.walk("VEVENT")}
    assert set(events) == {"Patch install", "Reboot", "Disk report", "One-off"}
    description = str(events["Patch install"]["DESCRIPTION"])
    assert "Devices: web-01, d-db" in description
    assert "Tenant: client_13" in description
    assert "every 2 days at 02:30 UTC from 2026-12-01" in description
    assert str(events["Patch install"]["UID"]) == "id-patch@opsramp-jobs"
    for resource in exported["deployment"]["resources"]:
        if resource["type"] == JOB_TYPE:
            schedule = Schedule.model_validate(resource["outputs"]["schedule"])
            after = START - timedelta(days=30)
            runs = expanded_event(parsed, f"{resource['id']}@opsramp-jobs", after, 40)
            assert runs == schedule.next_runs(after, 40), resource["urn"]


def expanded_event(parsed: Calendar, uid: str, after: datetime, count: int) -> list[datetime]:
    """The first ``count`` runs after ``after`` of the event ``uid`` (none if it has none)."""
    alone = Calendar()
    for event in parsed.walk("VEVENT"):
        if str(event["UID"]) == uid:
            alone.add_component(event)
    occurrences = recurring_ical_events.of(alone).after(after)
    return [event["DTSTART"].dt.astimezone(UTC) for event in islice(occurrences, count)]


class _Page(HTMLParser):
    """Tags, and every attribute or text that could reach the network."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.classes: list[str] = []
        self.fetches: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for key, value in attrs:
            if key == "class" and value:
                self.classes.extend(value.split())
            if key in ("src", "href") or (value and "url(" in value):
                self.fetches.append(f"{tag} {key}={value}")
        if tag in ("script", "link", "img", "iframe"):
            self.fetches.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_page_is_one_file_with_the_grid_collisions_and_blackouts(tmp_path: Path) -> None:
    page = tmp_path / "jobs.html"
    done = calendar(
        "--html",
        str(page),
        "--from",
        FIRST_DAY,
        "--blackout",
        "Mon-Fri 08:00-18:00",
        stdin=json.dumps(stack_export()),
    )
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(html)
    assert parsed.fetches == []
    assert "@import" not in html
    assert "url(" not in html
    text = " ".join(parsed.text)
    for shown in ("Patch install", "Reboot", "Disk report", "One-off", "web-01", "d-db", "d-file"):
        assert shown in text
    # Rows: web-01, d-db, d-file and the jobs without a device; 14 days each.
    assert parsed.classes.count("device") == 4
    assert parsed.tags.count("td") >= 4 * 14
    # Patch and Reboot collide twice on web-01: four marks ringed; the report in office hours.
    assert parsed.classes.count("clash") == 4 + 2  # the marks, and the two days' cells
    assert parsed.classes.count("blackout") == 1
    assert parsed.classes.count("bo") == 4 * 10  # office hours on the 10 weekdays of each row
    assert "Collisions: 2 times, 1 pair of jobs" in text


@pytest.mark.parametrize(
    ("stdin", "says"),
    [
        ("", "✗ the input is empty; pipe in `pulumi stack export`, or give the file it wrote"),
        ("<html>", "✗ the input is not JSON (Expecting value at line 1)"),
        ('{"config": {}}', "✗ the input is JSON but not a stack export"),
        (json.dumps(export()), "✗ no OpsRamp jobs in this stack (2 resources"),
    ],
)
def test_foreign_input_is_one_line_on_stderr(stdin: str, says: str) -> None:
    done = calendar("--html", "/nonexistent/never-written.html", stdin=stdin)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith(says)


def test_files_that_cannot_be_read_or_written_are_one_line(tmp_path: Path) -> None:
    missing = calendar(str(tmp_path / "nope.json"))
    assert (missing.returncode, missing.stderr.strip()) == (
        1,
        f"✗ cannot read {tmp_path / 'nope.json'}: No such file or directory",
    )
    folder = calendar(str(tmp_path))
    assert folder.stderr.strip() == f"✗ cannot read {tmp_path}: Is a directory"
    binary = tmp_path / "state.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert calendar(str(binary)).stderr.strip() == (
        f"✗ {binary} is not text; give the JSON `pulumi stack export` writes"
    )
    unwritable = calendar("--ics", str(tmp_path / "no" / "x.ics"), stdin=json.dumps(stack_export()))
    assert unwritable.returncode == 1
    assert unwritable.stderr.strip() == (
        f"✗ cannot write {tmp_path / 'no' / 'x.ics'}: No such file or directory"
    )
    assert "Traceback" not in missing.stderr + folder.stderr + unwritable.stderr


def test_without_icalendar_ics_says_which_extra_to_install(tmp_path: Path) -> None:
    done = calendar(
        "--ics",
        str(tmp_path / "x.ics"),
        stdin=json.dumps(stack_export()),
        prelude="import sys; sys.modules['icalendar'] = None",
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "✗ --ics needs the icalendar package: pip install 'opsramp-jobs[calendar]'"
    )


def test_a_job_that_cannot_be_read_is_a_note_not_a_failure() -> None:
    exported = stack_export()
    exported["deployment"]["resources"][2]["outputs"]["schedule"]["pattern"] = {"type": "hourly"}
    done = calendar("--from", FIRST_DAY, stdin=json.dumps(exported))
    assert done.returncode == 0
    assert "notes:" in done.stdout
    assert "  patch: left out: its schedule cannot be read (schedule.pattern.type: 'hourly'" in (
        done.stdout
    )


@pytest.mark.parametrize(
    ("option", "says"),
    [
        (["--blackout", "weekdays 9-5"], "write DAYS HH:MM-HH:MM, e.g. 'Mon-Fri 08:00-18:00'"),
        (["--days", "0"], "'0': give a whole number of days, 1 to 366"),
        (["--window", "-5"], "'-5': give whole minutes, 0 to 1440"),
        (["--from", "12/07/2026"], "'12/07/2026': give a date as YYYY-MM-DD"),
    ],
)
def test_bad_options_are_usage_errors(option: list[str], says: str) -> None:
    done = calendar(*option, stdin="{}")
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr
