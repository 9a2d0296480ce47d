"""`python -m opsramp_jobs calendar`: when a stack's jobs run, as .ics, a page and a summary.

Reads `pulumi stack export` (a file, or stdin); calls nothing, so it works offline and on any
stack's state. Modules: ``stack`` (reading the export), ``window`` (runs, collisions and blackout
runs over some days), ``ics`` (the iCalendar file; needs the ``calendar`` extra), ``page`` (HTML).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO

from opsramp_jobs.calendar.stack import CalendarInputError, read_stack
from opsramp_jobs.calendar.window import NO_DEVICE, CalendarWindow, plan
from opsramp_jobs.model.conflicts import BLACKOUT_EXAMPLE, BlackoutWindow

__all__ = ["add_calendar_command", "run_calendar"]

MAX_DAYS = 366
_SHOWN = 5  # collisions and blackout runs listed in the summary


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of days, 1 to {MAX_DAYS}")
    return value


def _window_minutes(text: str) -> timedelta:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 24 * 60:
        raise argparse.ArgumentTypeError(f"{text!r}: give whole minutes, 0 to 1440")
    return timedelta(minutes=value)


def _first_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give a date as YYYY-MM-DD") from None


def _blackout(text: str) -> BlackoutWindow:
    try:
        return BlackoutWindow.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_calendar_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `calendar` and its options."""
    calendar = commands.add_parser(
        "calendar",
        help="when a stack's jobs run: .ics, HTML page, collisions",
        description="Read `pulumi stack export` (a file, or stdin) and show when its OpsRamp jobs "
        "run: a summary here, an iCalendar file (--ics) and a page of devices by days (--html). "
        "All times are UTC.",
        epilog="example: pulumi stack export | python -m opsramp_jobs calendar --ics jobs.ics "
        "--html jobs.html --blackout 'Mon-Fri 08:00-18:00'",
    )
    calendar.add_argument(
        "export", nargs="?", default="-", help="the export's file (default: stdin, or -)"
    )
    calendar.add_argument("--ics", type=Path, metavar="FILE", help="write an iCalendar file")
    calendar.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained page")
    calendar.add_argument(
        "--days", type=_days, default=14, help="days the page and summary cover (default: 14)"
    )
    calendar.add_argument(
        "--from",
        dest="first_day",
        type=_first_day,
        metavar="YYYY-MM-DD",
        help="the first day (UTC; default: today)",
    )
    calendar.add_argument(
        "--window",
        type=_window_minutes,
        default=timedelta(minutes=15),
        metavar="MINUTES",
        help="two jobs starting on one device at most this far apart collide (default: 15)",
    )
    calendar.add_argument(
        "--blackout",
        type=_blackout,
        action="append",
        default=[],
        metavar="'DAYS HH:MM-HH:MM'",
        help=f"hours (UTC) when no job should start, e.g. '{BLACKOUT_EXAMPLE}'; repeatable",
    )


def run_calendar(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    """Run `calendar`: 0 when it read the stack, 1 when the input or an output file failed."""
    try:
        stack = read_stack(_input(args.export, stdin or sys.stdin))
    except CalendarInputError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 1
    first_day = args.first_day or datetime.now(UTC).date()
    start = datetime.combine(first_day, datetime.min.time(), UTC)
    window = plan(stack, start, args.days, args.window, tuple(args.blackout))
    print(summary(window))
    try:
        if args.ics:
            events = _write_ics(window, args.ics)
            print(f"wrote {args.ics} ({events} event{'s' if events != 1 else ''})")
        if args.html:
            from opsramp_jobs.calendar.page import render_page  # noqa: PLC0415

            args.html.write_text(render_page(window), encoding="utf-8")
            print(f"wrote {args.html}")
    except CalendarInputError as error:
        print(f"✗ {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"✗ cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


def _input(export: str, stdin: TextIO) -> str:
    """The export's text: from stdin for ``-``, else from the file."""
    if export == "-":
        if stdin.isatty():
            raise CalendarInputError(
                "no input: pipe in `pulumi stack export`, or give the file it wrote"
            )
        return stdin.read()
    path = Path(export)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise CalendarInputError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CalendarInputError(
            f"{path} is not text; give the JSON `pulumi stack export` writes"
        ) from None


def _write_ics(window: CalendarWindow, path: Path) -> int:
    try:
        from opsramp_jobs.calendar.ics import stack_calendar  # noqa: PLC0415
    except ImportError:
        raise CalendarInputError(
            "--ics needs the icalendar package: pip install 'opsramp-jobs[calendar]'"
        ) from None
    content, events = stack_calendar(window.stack)
    path.write_bytes(content)
    return events


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def summary(window: CalendarWindow) -> str:
    """A few lines for the terminal: jobs, runs, collisions, blackout runs, notes."""
    stack = window.stack
    devices = len([d for d in window.devices if d != NO_DEVICE])
    jobs = len(stack.jobs)
    name = f"stack {stack.stack}: " if stack.stack else ""
    lines = [
        f"{name}{_count(jobs, 'job')} on {_count(devices, 'device')}; {window.days} days from "
        f"{window.start:%Y-%m-%d} (UTC): {_count(window.run_count, 'run')}"
    ]
    idle = [job.title for job in stack.jobs if not window.runs[job.title]]
    if idle:
        lines.append(f"  no run in these days: {', '.join(idle)}")
    times = sum(len(c.runs) for c in window.collisions)
    within = int(window.within.total_seconds() // 60)
    if not window.collisions:
        lines.append(f"collisions (two jobs on one device within {within} min): none")
    else:
        lines.append(
            f"collisions (two jobs on one device within {within} min): "
            f"{_count(len(window.collisions), 'pair')} of jobs, {_count(times, 'time')}"
        )
        for collision in window.collisions[:_SHOWN]:
            count = len(collision.devices)
            on = stack.device_label(collision.devices[0]) if count == 1 else f"{count} devices"
            lines.append(
                f"  {collision.at:%Y-%m-%d %H:%M}  {collision.first.name} + "
                f"{collision.second.name} on {on} ({len(collision.runs)}x)"
            )
        if len(window.collisions) > _SHOWN:
            lines.append(f"  and {len(window.collisions) - _SHOWN} more pairs")
    for blackout in window.blackouts:
        hits = [run for run in window.blackout_runs if run.window is blackout]
        lines.append(f"blackout {blackout}: {_count(len(hits), 'run') if hits else 'no runs'}")
        for run in hits[:_SHOWN]:
            lines.append(f"  {run.at:%Y-%m-%d %H:%M}  {run.job.title}")
        if len(hits) > _SHOWN:
            lines.append(f"  and {len(hits) - _SHOWN} more")
    if stack.notes:
        lines.append("notes:")
        lines.extend(f"  {note}" for note in stack.notes)
    return "\n".join(lines)
