"""The emulator stays independent of the product, and its date rule holds for any offset."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from opsramp_jobs.emulator.validation import normalise_start_date

EMULATOR_DIR = Path(__file__).resolve().parents[2] / "opsramp_jobs" / "emulator"


def test_emulator_imports_nothing_from_the_product() -> None:
    """Only relative imports or opsramp_jobs.emulator.* are allowed inside the emulator."""
    for source in EMULATOR_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert not (name == "opsramp_jobs" or name.startswith("opsramp_jobs.")) or (
                    name.startswith("opsramp_jobs.emulator")
                ), f"{source.name} imports {name}"


@given(
    moment=st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30)),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
    colon=st.booleans(),
)
def test_start_date_is_utc_truncated_to_the_minute(
    moment: datetime, offset_minutes: int, colon: bool
) -> None:
    """Any offset renders as the same instant in UTC, seconds dropped."""
    local = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes)))
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    text = (
        local.strftime("%Y-%m-%dT%H:%M:%S")
        + f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"
    )
    expected = local.astimezone(UTC).replace(second=0).strftime("%Y-%m-%dT%H:%M:00+0000")
    assert normalise_start_date(text) == expected
