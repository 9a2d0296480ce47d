"""Each emulator quirk mode (the other side of one contradiction) breaks exactly the matching
assumption test: the assumptions file, run through the switch against the emulator in that
mode, fails that test and no unrelated one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from opsramp_jobs.client import clear_token_cache
from tests.acceptance.selection import (
    emulator_in_mode,
    needs_quirks,
    not_under_switch,
    set_quirks,
    switched_environment,
)
from tests.support.emulator import REPO_ROOT, EmulatorProcess

pytestmark = not_under_switch


ASSUMPTIONS = "tests/acceptance/test_assumptions.py"

# mode -> (the assumption test it must fail, tests it may also fail because the other side of
# the contradiction makes their point impossible too).
BROKEN_BY: dict[str, tuple[str, frozenset[str]]] = {
    "ids-as-strings": ("test_assumption_ids_echoed_as_integers", frozenset()),
    "paging-in-results": ("test_assumption_search_paging_fields_are_beside_results", frozenset()),
    "day-of-index": (
        "test_assumption_monthly_weekday_is_sent_and_echoed_as_dayOfWeek",
        frozenset(),
    ),
    "run-config-alert": (
        "test_assumption_network_backup_alert_is_named_runtimeConfigAlert",
        frozenset(),
    ),
    "credential-set-top-level": (
        "test_assumption_credential_set_is_sent_inside_script_and_never_echoed",
        frozenset(),
    ),
    # Integers as strings include the script and parameter ids.
    "string-values": (
        "test_assumption_booleans_and_integers_are_echoed_as_json_types",
        frozenset({"test_assumption_ids_echoed_as_integers"}),
    ),
    "repeat-type-capitalised": (
        "test_assumption_repeat_type_is_echoed_lowercase_days",
        frozenset(),
    ),
    "rfc3339-dates": (
        "test_assumption_start_date_is_echoed_with_a_plus0000_offset_at_minute_precision",
        frozenset(),
    ),
    "legacy-token-path": ("test_assumption_current_token_path_answers", frozenset()),
    "expires-in-integer": ("test_assumption_token_expires_in_is_a_string", frozenset()),
    "weekdays-single": ("test_assumption_weekdays_takes_a_comma_separated_list", frozenset()),
    # appupdate is not among the schema's 4 types, so it cannot be created either.
    "job-types-schema-enum": (
        "test_assumption_every_catalogue_job_type_can_be_created",
        frozenset({"test_assumption_appupdate_takes_the_appinstall_approval_block"}),
    ),
}


@pytest.fixture(scope="module")
def quirky_emulator() -> Iterator[EmulatorProcess]:
    """One emulator for every mode: each test switches its quirks at run time."""
    with emulator_in_mode() as emulator:
        yield emulator


class _Outcomes:
    """A pytest plugin that records each test's outcome: {name: passed / failed / skipped}."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record the outcome of the call phase, or of a failed or skipped setup/teardown."""
        name = report.nodeid.rsplit("::", 1)[-1]
        if report.failed or report.skipped or report.when == "call":
            self.found[name] = "failed" if report.failed else report.outcome


@needs_quirks
@pytest.mark.parametrize("mode", sorted(BROKEN_BY))
def test_quirk_mode_fails_the_matching_assumption(
    mode: str,
    quirky_emulator: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The assumptions file, in process, through the switch, against the emulator in a mode.

    In process (pytest.main, modules already imported) it costs about a second a mode; a
    pytest subprocess per mode would pay the interpreter and imports twelve times.
    """
    primary, tolerated = BROKEN_BY[mode]
    set_quirks(quirky_emulator, mode)
    for name, value in switched_environment(quirky_emulator).items():
        monkeypatch.setenv(name, value)
    clear_token_cache()
    outcomes = _Outcomes()
    try:
        code = pytest.main(
            [str(REPO_ROOT / ASSUMPTIONS), "-m", "acceptance", "-p", "no:cacheprovider", "-q",
             f"--rootdir={REPO_ROOT}"],
            plugins=[outcomes],
        )  # fmt: skip
    finally:
        set_quirks(quirky_emulator)
    clear_token_cache()
    results = outcomes.found
    failed = {name for name, outcome in results.items() if outcome == "failed"}
    output = capsys.readouterr().out[-3000:]
    assert code == pytest.ExitCode.TESTS_FAILED, output
    assert primary in failed, output
    assert failed <= {primary} | tolerated, output
    assert "skipped" not in results.values(), output


def test_an_empty_catalogue_fails_the_catalogue_assumption(
    quirky_emulator: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """C1 against a tenant whose catalogue answers no type: it fails instead of creating none."""
    name = "test_assumption_every_catalogue_job_type_can_be_created"
    quirky_emulator.add_fault(
        method="GET",
        path=r"/api/v2/tenants/[^/]+/jobs/types",
        action="status",
        status=200,
        body={"jobNameAndType": []},
        count=1,
    )
    for variable, value in switched_environment(quirky_emulator).items():
        monkeypatch.setenv(variable, value)
    clear_token_cache()
    outcomes = _Outcomes()
    try:
        code = pytest.main(
            [f"{REPO_ROOT / ASSUMPTIONS}::{name}", "-m", "acceptance", "-p", "no:cacheprovider",
             "-q", f"--rootdir={REPO_ROOT}"],
            plugins=[outcomes],
        )  # fmt: skip
    finally:
        quirky_emulator.clear_faults()
    clear_token_cache()
    output = capsys.readouterr().out[-3000:]
    assert code == pytest.ExitCode.TESTS_FAILED, output
    assert outcomes.found == {name: "failed"}, output
    assert "the catalogue offers none of the model's job types: []" in output
