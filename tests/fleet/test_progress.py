"""The live progress line (TTY: rewritten in place; otherwise one line per stack) and the table."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from opsramp_jobs.fleet import load_fleet
from opsramp_jobs.fleet.runner import FleetRun, RunOptions, StackOutcome, summary_table

EXAMPLE = Path(__file__).parent / "data" / "example-fleet.yaml"


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def fleet_run(out: io.StringIO, operation: str = "up") -> FleetRun:
    """A FleetRun over the example's two tenants, nothing started."""
    fleet = load_fleet(EXAMPLE)
    return FleetRun(fleet, fleet.select(None), RunOptions(operation), out=out)


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    """Each render returns to the line start and clears it; counts add up across stacks."""
    out = Terminal()
    run = fleet_run(out)
    run.outcomes["globex"].status = "running"
    run.outcomes["globex"].counts.update(created=3)
    run.outcomes["initech"].status = "failed"
    run.outcomes["initech"].counts.update(created=1, deleted=2)
    run._render(force=True)
    assert out.getvalue() == (
        "\r\x1b[Kup: stacks 1/2 done, 1 running, 1 failed | "
        "jobs create 4, update 0, delete 2, same 0"
    )
    assert "\n" not in out.getvalue()


def test_plain_output_gets_one_line_per_finished_stack() -> None:
    """Without a terminal, only a finished stack prints, with its result and the totals."""
    out = io.StringIO()
    run = fleet_run(out, "preview")
    run._render(force=True)  # a stack starting: nothing printed
    finished = run.outcomes["globex"]
    finished.status, finished.started, finished.finished = "succeeded", 1.0, 3.5
    finished.counts.update(same=2)
    run._render(force=True, finished=finished)
    assert out.getvalue() == (
        "globex: succeeded in 2.5 s (+0 ~0 -0 =2) | preview: stacks 1/2 done, 0 running, "
        "0 failed | jobs to create 0, update 0, delete 0, same 2\n"
    )


def test_summary_table_says_changes_or_no_changes_for_a_preview() -> None:
    """A preview's result column tells whether the stack has anything to do."""
    same = StackOutcome("a", "succeeded", Counter(same=2), 0.0, 0.0)
    pending = StackOutcome("bb", "succeeded", Counter(created=1, same=1), 0.0, 0.0)
    failed = StackOutcome("c", "failed", Counter(), 1.0, 2.0, "boom\nsecond line")
    table = summary_table([same, pending, failed], "preview").splitlines()
    assert table[0].split() == [
        "tenant", "result", "created", "updated", "deleted", "same", "seconds", "error",
    ]  # fmt: skip
    assert table[1].split() == ["a", "no", "changes", "0", "0", "0", "2", "0.0"]
    assert table[2].split() == ["bb", "changes", "1", "0", "0", "1", "0.0"]
    assert table[3].split() == ["c", "failed", "0", "0", "0", "0", "1.0", "boom"]


def test_what_a_run_settled_is_shown_as_a_note() -> None:
    """Operations an interrupted run left pending, settled: a note in the line and the table."""
    settled = StackOutcome("a", "succeeded", Counter(created=2), 1.0, 2.0)
    settled.notes.append("cleared 2 operation(s) left pending by an interrupted run; 2 ...")
    out = io.StringIO()
    run = fleet_run(out)
    run._render(force=True, finished=settled)
    assert out.getvalue().startswith(
        "a: succeeded in 1.0 s (+2 ~0 -0 =0); cleared 2 operation(s) left pending"
    )
    row = summary_table([settled], "up").splitlines()[1]
    assert row.endswith("note: cleared 2 operation(s) left pending by an interrupted run; 2 ...")


def test_a_job_is_counted_once_over_the_passes_of_a_run() -> None:
    """Settling runs a stack's operation more than once: each job counts its last change."""
    up = StackOutcome("a")
    up.count("urn:a", "created")  # the adoption pass
    up.count("urn:a", "same")  # the operation run again
    up.count("urn:b", "same")
    assert up.counts == Counter(created=1, same=1)
    destroy = StackOutcome("b")
    destroy.count("urn:a", "same")  # untouched by the adoption pass
    destroy.count("urn:b", "created")  # adopted
    destroy.count("urn:a", "deleted")
    destroy.count("urn:b", "deleted")
    assert destroy.counts == Counter(deleted=2)
