"""Fuzz `Check` of the real provider server with 1,000+ invalid jobs.

Every case is a valid body from tests/model/strategies.py broken one way (tests/fuzz/mutations.py)
and kept only when the model rejects it as the engine would deliver it (Pulumi's wire format
drops None values: `{"configParams": None}` arrives as no configParams at all). Each case goes
through `Check` over gRPC, exactly as the engine sends it, and must come back as failures (at
least one naming a property path), never as a gRPC error (the server's way of reporting a
traceback). None may reach OpsRamp.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, assume, given, settings

from opsramp_jobs.model import JobValidationError, parse_job
from tests.fuzz.mutations import MUTATIONS, mutated_bodies
from tests.provider.grpc_provider import ProviderServer, from_struct, to_struct
from tests.support.emulator import CLIENT13_TENANT, PARTNER_KEY, PARTNER_SECRET, EmulatorProcess

MIN_CASES = 1000
# Each mutation gets its own run, so every kind is well represented (one mixed run lets
# hypothesis favour the first kinds).
CASES_PER_MUTATION = -(-MIN_CASES // len(MUTATIONS)) + 10
# The model's placeholder for an error about the job as a whole: not a property path.
WHOLE_JOB = "(job)"


@dataclass
class FuzzReport:
    """What the run saw: cases by mutation, and every case that broke a rule."""

    cases: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def as_sent(body: dict[str, Any]) -> dict[str, Any]:
    """The body as the engine delivers it (None values dropped, numbers as doubles)."""
    return from_struct(to_struct(body))


def model_rejects(body: dict[str, Any]) -> bool:
    """Whether the job model refuses the body."""
    try:
        parse_job(body)
    except JobValidationError:
        return True
    return False


@pytest.fixture(scope="module")
def check_server() -> Iterator[ProviderServer]:
    """One provider server for the whole run (starting one per case would dominate the time)."""
    server = ProviderServer()
    yield server
    server.close()


def fuzz_mutation(server: ProviderServer, kind: str, report: FuzzReport) -> None:
    """Send CASES_PER_MUTATION invalid bodies of one kind through Check; record what broke."""

    # Derandomized: the same cases every run, so CI is repeatable.
    @settings(
        max_examples=CASES_PER_MUTATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_bodies(kind))
    def check_one(body: dict[str, Any]) -> None:
        # Judge the body the provider will see: a mutation the wire undoes is not a case.
        assume(model_rejects(as_sent(body)))
        report.cases[kind] += 1
        try:
            _, failures = server.check(body)
        except grpc.RpcError as error:
            report.problems.append(f"{kind}: gRPC error {error.code()} for {body!r}")
            return
        if not failures:
            report.problems.append(f"{kind}: Check accepted {body!r}")
        elif not any(prop and prop != WHOLE_JOB for prop, _ in failures):
            report.problems.append(f"{kind}: no property path in {failures!r} for {body!r}")

    check_one()


def test_invalid_jobs_fail_check_with_paths_and_no_requests(
    check_server: ProviderServer, emulator: EmulatorProcess
) -> None:
    """1,000+ invalid jobs: each rejected by Check with a property path, no traceback, no HTTP."""
    check_server.configure(
        {
            "opsramp:apiUrl": emulator.url,
            "opsramp:clientId": PARTNER_KEY,
            "opsramp:clientSecret": PARTNER_SECRET,
            "opsramp:tenantId": CLIENT13_TENANT,
        }
    )
    emulator.reset_stats()
    report = FuzzReport()
    for kind in sorted(MUTATIONS):
        fuzz_mutation(check_server, kind, report)
    total = sum(report.cases.values())
    assert total >= MIN_CASES, f"only {total} invalid cases were generated: {dict(report.cases)}"
    assert set(report.cases) == set(MUTATIONS), dict(report.cases)
    assert not report.problems, (
        f"{len(report.problems)} of {total} cases broke a rule:\n" + "\n".join(report.problems[:15])
    )
    stats = emulator.stats()
    assert stats["requests"] == 0, f"Check reached OpsRamp: {stats}"
    print(f"fuzzed Check with {total} invalid jobs: {dict(sorted(report.cases.items()))}")
