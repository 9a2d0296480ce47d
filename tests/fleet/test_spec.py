"""The fleet file: every problem is named with its path and fix, before any stack runs."""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from opsramp_jobs.fleet import FleetFileError, load_fleet, parse_fleet
from opsramp_jobs.fleet.strict import MAX_BYTES
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


# The fleet file cannot merge or drop tenants (issue 20 item 5): read through fleet.strict.

TENANT_YAML = "    tenantId: t\n    clientSecret: {env: X}\n"
HEAD = (
    "project: estate\n"
    "defaults: {apiUrl: 'https://acme.api.opsramp.com', clientId: key}\n"
    "jobs: []\n"
    "tenants:\n"
)


def file_problems(tmp_path: Path, text: str, name: str = "fleet.yaml") -> list[str]:
    """The problems load_fleet reports for a file holding `text`."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FleetFileError) as caught:
        load_fleet(path)
    return caught.value.problems


def tenants_yaml(*keys: str) -> str:
    """A fleet file whose tenants are `keys`, spelled as given (quotes included)."""
    return HEAD + "".join(f"  {key}:\n{TENANT_YAML}" for key in keys)


def test_a_duplicate_tenant_is_refused_not_merged(tmp_path: Path) -> None:
    """Plain YAML keeps the last of two equal keys: one tenant silently lost."""
    found = file_problems(tmp_path, tenants_yaml("acme", "globex", "acme"))
    assert found == [
        "tenants.acme: duplicate key (line 11, first at line 5): the later one would silently "
        "replace the earlier one: remove or rename one of them"
    ]


def test_keys_that_yaml_reads_as_numbers_or_booleans_are_refused(tmp_path: Path) -> None:
    """`1`, `"1"`, `yes`, `"True"`: str() made two tenants of four; now 1 and yes are refused."""
    found = file_problems(tmp_path, tenants_yaml("1", '"1"', "yes", '"True"'))
    assert found == [
        'tenants: line 5: key 1 is read as a number, not as a name: quote it ("1") if it is '
        "meant as one",
        'tenants: line 11: key yes is read as a boolean, not as a name: quote it ("yes") if it '
        "is meant as one",
    ]
    quoted = tmp_path / "quoted.yaml"
    quoted.write_text(tenants_yaml('"1"', '"yes"', '"True"'))
    assert list(load_fleet(quoted).tenants) == ["1", "yes", "True"]  # three tenants, three stacks


def test_a_tenant_name_with_a_line_break_is_refused_before_any_stack(tmp_path: Path) -> None:
    """`"acme\\n"` passed the old check (`$` matches before a final newline)."""
    found = file_problems(tmp_path, tenants_yaml('"acme\\n"', '" globex"'))
    rule = "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100"
    assert found == [
        f"tenants.'acme\\n': a tenant's name is its stack name: {rule} characters (no spaces or "
        "line breaks around it)",
        f"tenants.' globex': a tenant's name is its stack name: {rule} characters (no spaces or "
        "line breaks around it)",
    ]
    assert problems(fleet(**{"x" * 101: {"tenantId": "t", "clientSecret": {"env": "X"}}}))


def test_tenants_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    """One state file on a case-insensitive file system, one Kubernetes name."""
    found = file_problems(tmp_path, tenants_yaml("acme", "ACME"))
    assert found == [
        "tenants.ACME: differs from tenant 'acme' only in letter case: their stacks would share "
        "one state file on a case-insensitive file system (a file backend on macOS or Windows) "
        "and one Kubernetes name: rename one of them"
    ]


def test_a_non_string_tenant_key_given_to_parse_fleet_is_refused() -> None:
    """A caller's dict with 1 and "1" would have made one stack of two tenants."""
    settings = {"tenantId": "t", "clientSecret": {"env": "X"}}
    found = problems({**fleet(), "tenants": {1: settings, "1": settings}})
    assert found == ["tenants: key 1 is a int, not a name: quote it in the file (\"1\") if it is "
                     "a tenant's name"]  # fmt: skip


def test_the_billion_laughs_file_fails_fast_with_little_memory(tmp_path: Path) -> None:
    """1 KB of anchors 6 deep took 924 MB and 60 s before it failed; refused at the first `&`."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for depth in range(1, 7):
        refs = ", ".join([f"*a{depth - 1}"] * 10)
        lines.append(f"a{depth}: &a{depth} [{refs}]")
    text = "\n".join(lines) + "\n" + HEAD.replace("tenants:\n", "tenants: *a6\n")
    assert len(text) < 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        found = file_problems(tmp_path, text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2.0
    assert peak < 2_000_000, f"{peak:,} bytes"
    assert found == [
        "line 1: YAML anchors and aliases (&a0) are not allowed in a fleet file: write the values "
        "out, or put shared settings in `defaults` and shared jobs in `jobs`"
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("alias.yaml", HEAD + "  acme: *x\n", "(*x) are not allowed"),
        (
            "merge.yaml",
            HEAD + "  acme: {<<: {tenantId: t}, clientSecret: {env: X}}\n",
            "tenants.acme: line 5: YAML merge keys (<<) are not allowed in a fleet file",
        ),
        ("deep.yaml", "x: " + "[" * 40 + "]" * 40 + "\n", "nested deeper than 32 levels"),
        ("deep.json", '{"x": ' + "[" * 5000 + "]" * 5000 + "}", "nested deeper than 32 levels"),
        (
            "dup.json",
            '{"project": "p", "tenants": {"a": {}, "b": {}, "a": {}}}',
            "tenants.a: duplicate key: the later one would silently replace the earlier one",
        ),
        ("two.yaml", "a: 1\n---\nb: 2\n", "not valid .yaml: expected a single document"),
        ("latin1.yaml", "project: caf\xe9\n", "not UTF-8 text"),
    ],
)
def test_unsafe_yaml_and_json_are_refused_with_the_place(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    """Aliases, merge keys, unbounded nesting and JSON duplicates: each refused with its place."""
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1" if "latin1" in name else "utf-8"))
    with pytest.raises(FleetFileError) as caught:
        load_fleet(path)
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_a_file_over_the_size_bound_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """The size is checked on the file, before reading or parsing."""
    big = tmp_path / "big.yaml"
    with big.open("wb") as out:
        out.truncate(MAX_BYTES + 1)  # a sparse file: nothing to read would make this fast
    assert problems_of(big) == [
        f"{MAX_BYTES + 1:,} bytes: a fleet file may be at most {MAX_BYTES:,}"
    ]


def problems_of(path: Path) -> list[str]:
    """The problems load_fleet reports for `path`."""
    with pytest.raises(FleetFileError) as caught:
        load_fleet(path)
    return caught.value.problems
