"""The fleet file: every problem is named with its path and fix, before any stack runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from opsramp_jobs.fleet import FleetFileError, parse_fleet
from tests.e2e.project import REPO_ROOT

JOB = {
    "name": "AD checklist",
    "resource": "ad",
    "script": {"jobType": "adCheckList"},
    "schedule": {"startDate": "2026-12-01T02:30:00+0000", "pattern": {"type": "never"}},
}


def fleet(**tenants: Any) -> dict[str, Any]:
    """A fleet with the given tenants and one program job."""
    return {
        "project": "estate",
        "defaults": {"apiUrl": "https://acme.api.opsramp.com", "clientId": "key"},
        "jobs": [JOB],
        "tenants": tenants,
    }


def problems(raw: Any) -> list[str]:
    """The problems parse_fleet reports."""
    with pytest.raises(FleetFileError) as caught:
        parse_fleet(raw)
    return caught.value.problems


def test_defaults_overrides_skips_and_extras_resolve_per_tenant() -> None:
    """A tenant inherits defaults; overrides replace fields; deviceIds fill unset device_ids."""
    parsed = parse_fleet(
        fleet(
            a={"tenantId": "client_1", "clientSecret": {"env": "A_SECRET"}, "deviceIds": ["d1"]},
            b={
                "tenantId": "client_2",
                "clientSecret": {"stackSecret": True},
                "overrides": {"ad": {"name": "AD weekly", "job_queued": True}},
                "jobs": [{**JOB, "resource": "extra", "device_ids": ["d9"]}],
            },
            c={"tenantId": "client_3", "clientSecret": {"env": "C"}, "skip": ["ad"]},
        )
    )
    a, b, c = parsed.tenants["a"], parsed.tenants["b"], parsed.tenants["c"]
    assert a.config() == {
        "opsramp:apiUrl": "https://acme.api.opsramp.com",
        "opsramp:clientId": "key",
        "opsramp:tenantId": "client_1",
    }
    assert a.client_secret.env == "A_SECRET"
    assert [(j.resource, j.args.get("device_ids")) for j in a.jobs] == [("ad", ["d1"])]
    assert b.client_secret.stack_secret
    assert b.jobs[0].args["name"] == "AD weekly"
    assert b.jobs[0].args["job_queued"] is True
    assert b.jobs[1].resource == "extra"
    assert b.jobs[1].args["device_ids"] == ["d9"]
    assert c.jobs == ()
    assert [t.key for t in parsed.select(["c", "a"])] == ["c", "a"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (fleet(a={"tenantId": "t", "clientSecret": "hunter2"}), "tenants.a.clientSecret: a secret"),
        (fleet(a={"tenantId": "t"}), "tenants.a.clientSecret: is not set"),
        (fleet(a={"clientSecret": {"env": "X"}}), "tenants.a.tenantId: is not set"),
        (fleet(a={"tenantId": "t", "clientSecret": {"env": "1X"}}), "is not an environment var"),
        (
            fleet(a={"tenantId": "t", "clientSecret": {"env": "X"}, "overrides": {"zz": {}}}),
            "tenants.a.overrides.zz: is not a job of the program",
        ),
        (
            fleet(a={"tenantId": "t", "clientSecret": {"env": "X"}, "overrides": {"ad": {"x": 1}}}),
            "tenants.a.overrides.ad.x: unknown key",
        ),
        (
            fleet(a={"tenantId": "t", "clientSecret": {"env": "X"}, "jobs": [JOB]}),
            "'ad' is already a job of the program: use overrides",
        ),
        (
            fleet(**{"a/b": {"tenantId": "t", "clientSecret": {"env": "X"}}}),
            "tenants.a/b: a tenant's name is its stack name",
        ),
        ({**fleet(), "jobs": [{"name": "x"}]}, "jobs[0].script: is required"),
        ({"project": "p", "tenants": {}}, "tenants: must map each tenant's name"),
        ({**fleet(a={}), "apiUrl": 1}, "(top level).apiUrl: unknown key"),
    ],
)
def test_bad_fleet_files_name_the_path_and_the_fix(raw: Any, expected: str) -> None:
    """Each mistake is reported with where it is."""
    found = problems(raw)
    assert any(expected in p for p in found), found


def test_the_command_exits_2_on_a_bad_file_before_touching_pulumi(tmp_path: Path) -> None:
    """A bad fleet file: exit status 2 and the problem list on stderr; no pulumi needed."""
    bad = tmp_path / "fleet.json"
    bad.write_text('{"project": "p", "tenants": {"a": {"clientSecret": "oops"}}}')
    done = subprocess.run(
        [sys.executable, "-m", "opsramp_jobs.fleet", "up", str(bad)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},  # no pulumi on PATH: it must not be needed
    )
    assert done.returncode == 2
    assert "tenants.a.clientSecret: a secret written in the fleet file" in done.stderr
    assert "tenants.a.tenantId: is not set" in done.stderr
