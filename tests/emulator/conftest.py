"""Fixtures for the emulator's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.support.emulator import EmulatorProcess


@pytest.fixture
def api(emulator: EmulatorProcess) -> Iterator[requests.Session]:
    """A session authenticated with the partner (msp_12) key."""
    with emulator.api_session() as session:
        yield session


def daily_job(name: str = "nightly", **overrides: object) -> dict[str, object]:
    """A small valid job body on client_13's AD server."""
    body: dict[str, object] = {
        "name": name,
        "entities": [
            {"resource": {"id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5", "type": "DEVICE"}}
        ],
        "script": {"jobType": "assetinfo"},
        "schedule": {
            "startDate": "2030-01-01T02:00:00+0000",
            "pattern": {"type": "daily", "frequency": "everyday"},
        },
    }
    body.update(overrides)
    return body
