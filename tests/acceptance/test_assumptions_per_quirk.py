"""Each emulator quirk mode (the other side of one contradiction) breaks exactly the matching
assumption test: the assumptions file, run through the switch against the emulator in that
mode, fails that test and no unrelated one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.acceptance.selection import (
    emulator_in_mode,
    needs_quirks,
    not_under_switch,
    run_selection,
)

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


Run = tuple[int, dict[str, str], str]


def _run_in_mode(mode: str, directory: Path) -> Run:
    with emulator_in_mode(mode) as emulator:
        return run_selection(emulator, directory / f"{mode}.xml", paths=(ASSUMPTIONS,))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """The assumptions file in every mode, three runs at a time (each is a pytest process)."""
    directory = tmp_path_factory.mktemp("quirk-runs")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {mode: pool.submit(_run_in_mode, mode, directory) for mode in BROKEN_BY}
        return {mode: future.result() for mode, future in futures.items()}


@needs_quirks
@pytest.mark.parametrize("mode", sorted(BROKEN_BY))
def test_quirk_mode_fails_the_matching_assumption(mode: str, runs: dict[str, Run]) -> None:
    primary, tolerated = BROKEN_BY[mode]
    code, results, output = runs[mode]
    failed = {name for name, outcome in results.items() if outcome == "failed"}
    assert code == 1, output[-3000:]
    assert primary in failed, output[-3000:]
    assert failed <= {primary} | tolerated, output[-3000:]
    assert not [name for name, outcome in results.items() if outcome == "skipped"]
