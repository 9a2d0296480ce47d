"""A stack's jobs as an iCalendar file (RFC 5545): one recurring event per job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from opsramp_jobs.calendar.stack import StackJob, StackJobs

__all__ = ["EVENT_MINUTES", "job_event", "stack_calendar"]

# OpsRamp gives a job no end: each run is an event this long, so calendars draw it as a block.
EVENT_MINUTES = 15


def job_event(job: StackJob, stack: StackJobs, stamp: datetime) -> Event | None:
    """The job's runs as one event (an RRULE from its first run); None for a job that never runs."""
    first = job.schedule.first_run()
    if first is None:
        return None
    event = Event()
    event.add("uid", f"{job.job_id or job.resource}@opsramp-jobs")
    event.add("dtstamp", stamp)
    event.add("summary", job.title)
    event.add("dtstart", first)
    event.add("duration", timedelta(minutes=EVENT_MINUTES))
    rule = job.schedule.rrule()
    if rule is not None:
        event.add("rrule", rule)
    devices = ", ".join(stack.device_label(d) for d in job.devices) or "none"
    lines = [
        f"Runs {job.schedule.describe()}.",
        f"Tenant: {job.tenant or 'unknown'}",
        f"Devices: {devices}",
        f"Job: {job.what}",
        f"OpsRamp job id: {job.job_id or 'none yet'}",
        f"Pulumi resource: {job.resource}" + (f" (stack {stack.stack})" if stack.stack else ""),
    ]
    event.add("description", "\n".join(lines))
    if job.tenant:
        event.add("categories", [job.tenant])
    return event


def stack_calendar(stack: StackJobs) -> tuple[bytes, int]:
    """The iCalendar file of the stack's jobs, and how many events it holds."""
    calendar = Calendar()
    calendar.add("prodid", "-//opsramp-jobs//calendar//EN")
    calendar.add("version", "2.0")
    title = f"OpsRamp jobs: {stack.project}/{stack.stack}" if stack.stack else "OpsRamp jobs"
    calendar.add("x-wr-calname", title)
    # DTSTAMP from the state, so the same export gives the same file.
    stamp = stack.exported or datetime.now(UTC)
    events = 0
    for job in stack.jobs:
        event = job_event(job, stack, stamp)
        if event is not None:
            calendar.add_component(event)
            events += 1
    return calendar.to_ical(), events
