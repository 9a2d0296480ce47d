"""Property-based tests: round trips, idempotence, and invalid input never crashing."""

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from opsramp_jobs.model import JobValidationError, parse_job
from tests.model.strategies import job_bodies


@given(job_bodies())
def test_wire_round_trip_preserves_the_canonical_form(body: dict[str, Any]) -> None:
    job = parse_job(body)
    again = parse_job(job.to_wire(), job.tenant_id)
    assert again.canonical() == job.canonical()
    json.dumps(job.to_wire())  # plain JSON


@given(job_bodies())
def test_canonical_is_idempotent_and_plain_json(body: dict[str, Any]) -> None:
    canonical = parse_job(body).canonical()
    assert parse_job(canonical).canonical() == canonical
    assert json.loads(json.dumps(canonical, sort_keys=True)) == canonical


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 40),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def mutate(body: Any, path: tuple[Any, ...], action: str, junk: Any) -> Any:
    if not path:
        return junk
    head, rest = path[0], path[1:]
    copy: Any = dict(body) if isinstance(body, dict) else list(body)
    if rest:
        copy[head] = mutate(copy[head], rest, action, junk)
    elif action == "delete" and isinstance(copy, dict):
        del copy[head]
    elif action == "rename" and isinstance(copy, dict):
        copy[f"{head}x"] = copy.pop(head)
    else:
        copy[head] = junk
    return copy


@settings(max_examples=300)
@given(job_bodies(), st.data(), st.sampled_from(["replace", "delete", "rename"]), JUNK)
def test_mutated_payloads_fail_only_with_path_named_errors(
    body: dict[str, Any], data: st.DataObject, action: str, junk: Any
) -> None:
    path = data.draw(st.sampled_from(paths(body)))
    mutated = mutate(body, path, action, junk)
    try:
        job = parse_job(mutated)
    except JobValidationError as error:
        problems = error.errors
    else:
        problems = []
        # The mutation happened to be valid (e.g. an optional field removed): still consistent.
        assert parse_job(job.canonical()).canonical() == job.canonical()
    for where, message in problems:
        assert where
        assert message
