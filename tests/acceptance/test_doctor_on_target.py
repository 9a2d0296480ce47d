"""The doctor on the acceptance target (the emulator, or the tenant under the switch)."""

from __future__ import annotations

import pytest

from opsramp_jobs.doctor import render, run_doctor
from tests.support.target import Target

pytestmark = pytest.mark.acceptance


def test_doctor_finds_the_target_ready(target: Target) -> None:
    report = run_doctor(target.settings, write=True, shape_options=target.shape_options)
    assert report.ok, render(report)
    assert all(shape.deleted for shape in report.shapes)
    assert target.client_secret not in render(report)
