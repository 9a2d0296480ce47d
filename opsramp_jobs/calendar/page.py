"""The calendar as one self-contained HTML page: devices by days, each day a 24-hour track (UTC).

No script, font or image from the network: the page is one file that opens anywhere.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from html import escape
from itertools import islice

from opsramp_jobs.calendar.stack import StackJob
from opsramp_jobs.calendar.window import NO_DEVICE, CalendarWindow, Mark
from opsramp_jobs.model.conflicts import Collision

__all__ = ["render_page"]

_DAY_MINUTES = 24 * 60
# A mark is drawn this many minutes wide; marks closer than that stack in lanes.
_MARK_MINUTES = 150
_LANE_PIXELS = 13
_MAX_LANES = 6  # then "+N": a stack of hundreds of jobs at one time stays readable
# Distinct on white, none of them the red that marks collisions.
_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#9c755f",
    "#ff9da7",
    "#6b6ecf",
    "#17becf",
    "#8c6d31",
    "#bab0ac",
)
_LAST_INSTANT = datetime.max.replace(tzinfo=UTC)
_OPEN_LEGEND = 24  # jobs; a longer legend is folded
_LISTED_HIDDEN = 12  # job names in the tooltip of a "+N"
_LISTED = 200  # rows of the collision and blackout tables before "and N more"

_STYLE = """
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --clash:#dc2626; --amber:#b45309; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #f8fafc; }
header { padding: 22px 28px 8px; }
h1 { margin: 0; font-size: 22px; font-weight: 650; }
h1 .stack { color: var(--muted); font-weight: 450; margin-left: 8px; font-size: 17px; }
.sub { margin: 4px 0 14px; color: var(--muted); }
.stats { display: flex; gap: 12px; flex-wrap: wrap; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 8px 16px;
  min-width: 104px; }
.stat b { display: block; font-size: 24px; line-height: 1.1; }
.stat span { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; }
.stat.bad { border-color: #fecaca; background: #fef2f2; } .stat.bad b { color: var(--clash); }
.stat.warn { border-color: #fde68a; background: #fffbeb; } .stat.warn b { color: var(--amber); }
.stat.good b { color: #15803d; }
section { padding: 10px 28px; }
h2 { font-size: 15px; margin: 14px 0 8px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; }
summary { cursor: pointer; color: var(--muted); margin-bottom: 6px; }
.chip { display: inline-flex; align-items: center; gap: 7px; white-space: nowrap; }
.dot { width: 11px; height: 11px; border-radius: 3px; display: inline-block; flex: none; }
.chip small, td small, th small { color: var(--muted); }
.key { display: inline-flex; align-items: center; gap: 6px; margin-right: 18px;
  color: var(--muted); }
.wrap { overflow: auto; max-height: 78vh; border: 1px solid var(--line); border-radius: 10px;
  background: #fff; }
table.grid { border-collapse: separate; border-spacing: 0; }
.grid th, .grid td { border-right: 1px solid var(--line); border-bottom: 1px solid var(--line);
  padding: 0; }
.grid thead th { position: sticky; top: 0; background: #fff; z-index: 2; font-weight: 500;
  padding: 6px 4px 4px; text-align: left; min-width: 96px; }
.grid thead th.weekend, .grid td.weekend { background-color: #f8fafc; }
.grid thead th.today { box-shadow: inset 0 -3px 0 #2563eb; }
.grid thead th .wd { color: var(--muted); font-size: 12px; }
.grid thead th .d { font-size: 16px; font-weight: 650; margin: 0 3px; }
.axis { display: flex; justify-content: space-between; color: #9ca3af; font-size: 10px;
  margin-top: 2px; }
.grid .corner, .grid th.device { position: sticky; left: 0; background: #fff; z-index: 3;
  text-align: left; padding: 6px 12px; min-width: 200px; max-width: 300px; }
.grid th.device { z-index: 1; font-weight: 500; }
.grid th.device b { display: block; font-weight: 600; overflow-wrap: anywhere; }
.grid th.device code { font-size: 11px; color: var(--muted); overflow-wrap: anywhere; }
.track { position: relative; margin: 4px 0;
  background-image: linear-gradient(to right, #f1f5f9 1px, transparent 1px);
  background-size: 25% 100%; }
td.clash { background: #fef2f2; }
.bo { position: absolute; top: -4px; bottom: -4px;
  background: repeating-linear-gradient(45deg, rgba(245,158,11,.22) 0 4px, transparent 4px 8px); }
.run { position: absolute; width: 10px; height: 10px; border-radius: 3px; margin-left: -5px; }
.run.clash { box-shadow: 0 0 0 2px #fff, 0 0 0 4px var(--clash); z-index: 1; }
.run.blackout { outline: 2px solid var(--amber); outline-offset: 1px; }
.more { position: absolute; margin-left: -5px; font-size: 10px; line-height: 12px;
  color: var(--muted); white-space: nowrap; }
.badge { position: absolute; right: 3px; top: -2px; background: var(--clash); color: #fff;
  font-size: 10px; font-weight: 700; border-radius: 8px; padding: 0 5px; line-height: 15px; }
table.list { border-collapse: collapse; background: #fff; border: 1px solid var(--line);
  border-radius: 10px; overflow: hidden; }
.list th, .list td { text-align: left; padding: 6px 12px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
.list th { background: #f1f5f9; font-weight: 600; font-size: 12px; }
.list td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
.ok { color: #15803d; }
.notes li { color: var(--amber); }
footer { padding: 6px 28px 28px; color: var(--muted); font-size: 12px; }
"""


def render_page(window: CalendarWindow) -> str:
    """The whole page, as HTML text."""
    colours = {job.title: _colour(index) for index, job in enumerate(window.stack.jobs)}
    stack = window.stack
    name = f"{stack.stack} · {stack.project}" if stack.stack else ""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>OpsRamp jobs {escape(stack.stack)}: {window.days} days</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<header>",
        f'<h1>OpsRamp job calendar<span class="stack">{escape(name)}</span></h1>',
        f'<p class="sub">{_day(window.dates[0])} to {_day(window.dates[-1])} '
        f"{window.dates[-1].year} · {window.days} days · all times UTC · a collision: two jobs "
        f"starting on one device at most {_minutes(window.within)} apart</p>",
        _stats(window),
        "</header>",
        _legend(window, colours),
        '<section><div class="wrap">',
        _grid(window, colours),
        "</div></section>",
        _collision_table(window, colours),
        _blackout_table(window, colours),
        _job_table(window, colours),
        _notes(window),
        _footer(window),
        "</body></html>",
    ]
    return "\n".join(part for part in parts if part)


def _colour(index: int) -> str:
    if index < len(_PALETTE):
        return _PALETTE[index]
    return f"hsl({index * 137.508 % 360:.0f} 55% 45%)"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _time(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b} {moment:%H:%M}"


def _minutes(span: timedelta) -> str:
    total = int(span.total_seconds() // 60)
    return "0 minutes (the same minute)" if total == 0 else f"{total} min"


def _device_cell(window: CalendarWindow, device: str, jobs: int) -> str:
    count = f"<small>{jobs} job{'s' if jobs != 1 else ''}</small>"
    if device == NO_DEVICE:
        return f'<th class="device"><b>no device</b>{count}</th>'
    label = window.stack.device_label(device)
    if label != device:
        return (
            f'<th class="device"><b>{escape(label)}</b><code>{escape(device)}</code> {count}</th>'
        )
    return f'<th class="device"><code style="color:inherit">{escape(device)}</code><br>{count}</th>'


def _stats(window: CalendarWindow) -> str:
    devices = [d for d in window.devices if d != NO_DEVICE]
    collisions = len(window.collisions)
    blackout = len(window.blackout_runs)
    cards = [
        ("", str(len(window.stack.jobs)), "jobs"),
        ("", str(len(devices)), "devices"),
        ("", str(window.run_count), "runs"),
        ("bad" if collisions else "good", str(collisions), "colliding pairs"),
    ]
    if window.blackouts:
        cards.append(("warn" if blackout else "good", str(blackout), "runs in blackout"))
    if window.stack.notes:
        cards.append(("warn", str(len(window.stack.notes)), "notes"))
    return (
        '<div class="stats">'
        + "".join(
            f'<div class="stat {kind}"><b>{value}</b><span>{label}</span></div>'
            for kind, value, label in cards
        )
        + "</div>"
    )


def _legend(window: CalendarWindow, colours: dict[str, str]) -> str:
    chips = "".join(
        f'<span class="chip"><i class="dot" style="background:{colours[job.title]}"></i>'
        f"{escape(job.title)} <small>{escape(job.schedule.describe())}</small></span>"
        for job in window.stack.jobs
    )
    keys = (
        '<span class="key"><i class="dot" style="background:#94a3b8;box-shadow:0 0 0 2px #fff,'
        '0 0 0 4px #dc2626"></i>collides with another job on the device</span>'
    )
    if window.blackouts:
        windows = ", ".join(escape(str(w)) for w in window.blackouts)
        keys += (
            '<span class="key"><i class="dot" style="background:repeating-linear-gradient(45deg,'
            'rgba(245,158,11,.5) 0 2px,transparent 2px 4px)"></i>blackout '
            f"{windows}</span>"
            '<span class="key"><i class="dot" style="background:#94a3b8;outline:2px solid #b45309;'
            'outline-offset:1px"></i>starts in a blackout</span>'
        )
    legend = f'<div class="legend">{chips}</div>'
    if len(window.stack.jobs) > _OPEN_LEGEND:
        # A long legend would push the grid off the first screen: folded, one click away.
        legend = f"<details><summary>{len(window.stack.jobs)} jobs</summary>{legend}</details>"
    return f"<section>{legend}<p>{keys}</p></section>"


def _blackout_spans(window: CalendarWindow, day: date) -> list[tuple[int, int]]:
    """The minutes of ``day`` inside a blackout window, as (from, to) spans."""
    spans = []
    weekday = day.weekday()
    for blackout in window.blackouts:
        if weekday in blackout.weekdays:
            spans.append((blackout.opens, min(blackout.opens + blackout.minutes, _DAY_MINUTES)))
        spill = blackout.opens + blackout.minutes - _DAY_MINUTES
        if (weekday - 1) % 7 in blackout.weekdays and spill > 0:
            spans.append((0, spill))
    return spans


def _lanes(marks: list[Mark]) -> tuple[list[tuple[Mark, int]], list[Mark]]:
    """Each mark with its lane (marks closer than a mark's width go one under the other), and
    the marks beyond the last lane."""
    ends: list[int] = []
    placed = []
    hidden = []
    for mark in marks:
        minute = mark.at.hour * 60 + mark.at.minute
        lane = next((n for n, end in enumerate(ends) if end <= minute), len(ends))
        if lane == _MAX_LANES:
            hidden.append(mark)
            continue
        if lane == len(ends):
            ends.append(0)
        ends[lane] = minute + _MARK_MINUTES
        placed.append((mark, lane))
    return placed, hidden


def _tooltip(mark: Mark) -> str:
    lines = [f"{mark.job.title}: {_time(mark.at)} UTC"]
    for other, at in mark.partners:
        lines.append(f"collides with {other.title} at {at:%H:%M}")
    if mark.collisions > len(mark.partners):
        lines.append(f"and with {_count(mark.collisions - len(mark.partners), 'other run')}")
    if mark.blackout is not None:
        lines.append(f"in blackout {mark.blackout}")
    return escape("\n".join(lines))


def _grid(window: CalendarWindow, colours: dict[str, str]) -> str:
    today = datetime.now(window.start.tzinfo).date()
    head = ['<table class="grid"><thead><tr><th class="corner">Device</th>']
    for day in window.dates:
        classes = " ".join(
            c for c, on in (("weekend", day.weekday() >= 5), ("today", day == today)) if on
        )
        head.append(
            f'<th class="{classes}"><span class="wd">{day:%a}</span>'
            f'<span class="d">{day.day}</span><span class="wd">{day:%b}</span>'
            '<div class="axis"><i>0</i><i>6</i><i>12</i><i>18</i><i></i></div></th>'
        )
    head.append("</tr></thead><tbody>")
    rows = []
    for device in window.devices:
        marks = window.marks[device]
        by_day: dict[date, list[Mark]] = {}
        for mark in marks:
            by_day.setdefault(mark.at.date(), []).append(mark)
        placed = {day: _lanes(day_marks) for day, day_marks in by_day.items()}
        lanes = max(
            (len({lane for _, lane in shown}) + bool(hidden) for shown, hidden in placed.values()),
            default=1,
        )
        height = lanes * _LANE_PIXELS
        cells = [_device_cell(window, device, len({m.job.title for m in marks}))]
        for day in window.dates:
            shown, hidden = placed.get(day, ([], []))
            cells.append(
                _cell(window, day, placed=shown, hidden=hidden, height=height, colours=colours)
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "".join(head) + "".join(rows) + "</tbody></table>"


def _cell(
    window: CalendarWindow,
    day: date,
    *,
    placed: list[tuple[Mark, int]],
    hidden: list[Mark],
    height: int,
    colours: dict[str, str],
) -> str:
    marks = [mark for mark, _ in placed] + hidden
    clashes = sum(1 for mark in marks if mark.collisions)
    classes = " ".join(
        c for c, on in (("weekend", day.weekday() >= 5), ("clash", clashes > 0)) if on
    )
    inner = [
        f'<i class="bo" style="left:{start / _DAY_MINUTES:.2%};'
        f'width:{(end - start) / _DAY_MINUTES:.2%}"></i>'
        for start, end in _blackout_spans(window, day)
    ]
    for mark, lane in placed:
        minute = mark.at.hour * 60 + mark.at.minute
        kinds = "run" + (" clash" if mark.collisions else "")
        kinds += " blackout" if mark.blackout is not None else ""
        inner.append(
            f'<i class="{kinds}" title="{_tooltip(mark)}" style="left:{minute / _DAY_MINUTES:.2%};'
            f'top:{lane * _LANE_PIXELS + 1}px;background:{colours[mark.job.title]}"></i>'
        )
    if hidden:
        names = ", ".join(dict.fromkeys(mark.job.title for mark in hidden[:_LISTED_HIDDEN]))
        more = "…" if len(hidden) > _LISTED_HIDDEN else ""
        minute = hidden[0].at.hour * 60 + hidden[0].at.minute
        inner.append(
            f'<b class="more" title="{escape(names + more)}" style="left:'
            f'{minute / _DAY_MINUTES:.2%};top:{_MAX_LANES * _LANE_PIXELS}px">+{len(hidden)}</b>'
        )
    if clashes:
        inner.append(f'<b class="badge" title="{clashes} colliding runs">{clashes}</b>')
    return (
        f'<td class="{classes}"><div class="track" style="height:{height}px">'
        + "".join(inner)
        + "</div></td>"
    )


def _job_dot(job: StackJob, colours: dict[str, str]) -> str:
    return f'<i class="dot" style="background:{colours[job.title]}"></i> {escape(job.title)}'


def _device_list(window: CalendarWindow, devices: Iterable[str], limit: int = 3) -> str:
    labels = [window.stack.device_label(d) for d in devices]
    shown = ", ".join(escape(label) for label in labels[:limit])
    return shown + (
        f" <small>and {len(labels) - limit} more</small>" if len(labels) > limit else ""
    )


def _pairs(collision: Collision) -> Iterator[tuple[Collision, datetime, datetime]]:
    for one, other in collision.runs:
        yield collision, one, other


def _collision_rows(window: CalendarWindow) -> list[tuple[Collision, datetime, datetime]]:
    """The first colliding pairs of runs, earliest first (merged: there may be millions)."""
    rows = heapq.merge(
        *map(_pairs, window.collisions),
        key=lambda row: (min(row[1], row[2]), row[0].first.name, row[0].second.name),
    )
    return list(islice(rows, _LISTED))


def _collision_table(window: CalendarWindow, colours: dict[str, str]) -> str:
    if not window.collisions:
        return (
            '<section><h2>Collisions</h2><p class="ok">None: no two jobs start on one device '
            f"within {_minutes(window.within)} of each other in these {window.days} days.</p>"
            "</section>"
        )
    jobs = {job.title: job for job in window.stack.jobs}
    times = sum(len(collision.runs) for collision in window.collisions)
    body = []
    for collision, one_at, other_at in _collision_rows(window):
        one, other = jobs[collision.first.name], jobs[collision.second.name]
        gap = int(abs((other_at - one_at).total_seconds()) // 60)
        body.append(
            f'<tr><td class="when">{_time(min(one_at, other_at))}</td>'
            f"<td>{_job_dot(one, colours)} <small>{one_at:%H:%M}</small><br>"
            f"{_job_dot(other, colours)} <small>{other_at:%H:%M}</small></td>"
            f"<td>{gap} min</td><td>{_device_list(window, collision.devices)}</td></tr>"
        )
    more = times - _LISTED
    tail = f"<p><small>and {more} more</small></p>" if more > 0 else ""
    return (
        f"<section><h2>Collisions: {_count(times, 'time')}, "
        f"{_count(len(window.collisions), 'pair')} of jobs</h2>"
        '<table class="list"><tr><th>When (UTC)</th><th>Jobs</th><th>Apart</th>'
        "<th>On devices</th></tr>" + "".join(body) + f"</table>{tail}</section>"
    )


def _blackout_table(window: CalendarWindow, colours: dict[str, str]) -> str:
    if not window.blackouts:
        return ""
    windows = ", ".join(escape(str(w)) for w in window.blackouts)
    if not window.blackout_runs:
        return (
            f'<section><h2>Blackout windows</h2><p class="ok">No run starts in {windows}.</p>'
            "</section>"
        )
    body = [
        f'<tr><td class="when">{_time(run.at)}</td><td>{_job_dot(run.job, colours)}</td>'
        f"<td>{escape(str(run.window))}</td><td>{_device_list(window, run.job.devices)}</td></tr>"
        for run in window.blackout_runs[:_LISTED]
    ]
    more = len(window.blackout_runs) - _LISTED
    tail = f"<p><small>and {more} more</small></p>" if more > 0 else ""
    return (
        f"<section><h2>Runs in a blackout window: {len(window.blackout_runs)}</h2>"
        '<table class="list"><tr><th>When (UTC)</th><th>Job</th><th>Window</th>'
        "<th>On devices</th></tr>" + "".join(body) + f"</table>{tail}</section>"
    )


def _job_table(window: CalendarWindow, colours: dict[str, str]) -> str:
    body = []
    for job in window.stack.jobs:
        runs = window.runs[job.title]
        if runs:
            when = f"{len(runs)} <small>from {_time(runs[0])}</small>"
        else:
            later = next(job.schedule.runs_between(window.end, _LAST_INSTANT), None)
            when = f"0 <small>{f'next {_time(later)}' if later else 'no run ahead'}</small>"
        devices = _device_list(window, job.devices) if job.devices else "<small>none</small>"
        body.append(
            f"<tr><td>{_job_dot(job, colours)}</td><td>{escape(job.schedule.describe())}</td>"
            f"<td>{escape(job.what)}</td><td>{escape(job.tenant)}</td><td>{devices}</td>"
            f"<td>{when}</td></tr>"
        )
    return (
        "<section><h2>Jobs</h2>"
        '<table class="list"><tr><th>Job</th><th>Schedule</th><th>Type</th><th>Tenant</th>'
        "<th>Devices</th><th>Runs in these days</th></tr>" + "".join(body) + "</table></section>"
    )


def _notes(window: CalendarWindow) -> str:
    if not window.stack.notes:
        return ""
    items = "".join(f"<li>{escape(note)}</li>" for note in window.stack.notes)
    return f'<section><h2>Notes</h2><ul class="notes">{items}</ul></section>'


def _footer(window: CalendarWindow) -> str:
    stack = window.stack
    written = f", written {stack.exported:%Y-%m-%d %H:%M} UTC" if stack.exported else ""
    source = (
        f"the state of stack {escape(stack.stack)}{written}" if stack.stack else "a stack export"
    )
    return f"<footer>Made by <code>python -m opsramp_jobs calendar</code> from {source}.</footer>"
