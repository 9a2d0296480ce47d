"""Findings of a QA pass as a demanding user: each message names the property and the fix.

One test (or table) per finding: suggestions from the object's own properties (1), strict
booleans (2), whole doubles shown as integers (3), name limits (4), hints for non-objects (5),
tenant ids safe in a URL (6), Outputs in typed positions (7), huge float parameter values (8).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from opsramp_jobs.model import (
    Approval,
    ConfigParams,
    CredentialSet,
    CustomScript,
    EveryNDays,
    JobValidationError,
    MonthlyOnWeekday,
    Never,
    Schedule,
    Weekly,
    parse_job,
)
from opsramp_jobs.model.job import MAX_NAME_LENGTH

START = "2026-12-01T02:30:00+0000"


def job(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "nightly",
        "tenantId": "client_13",
        "script": {"jobType": "adCheckList"},
        "schedule": {"startDate": START, "pattern": {"type": "never"}},
    }
    body.update(overrides)
    return body


def errors(body: Any, *, from_server: bool = False) -> list[tuple[str, str]]:
    with pytest.raises(JobValidationError) as caught:
        parse_job(body, from_server=from_server)
    return caught.value.errors


def custom(**script: Any) -> dict[str, Any]:
    return job(script={"jobType": "custom", "customScript": {"id": 7}, **script})


# 1. "did you mean" ------------------------------------------------------------------------


def test_a_property_of_another_pattern_is_named_as_such_not_suggested_as_itself() -> None:
    body = job(schedule={"startDate": START, "pattern": {"type": "never", "frequency": "everyday"}})
    assert errors(body) == [
        (
            "schedule.pattern.frequency",
            "'frequency' is not a property of a 'never' pattern; remove it "
            "(frequency belongs to 'daily' patterns)",
        )
    ]


def test_suggestions_come_from_the_object_the_property_was_given_to() -> None:
    weekly = {"type": "weekly", "weekDays": "Monday", "weekDay": "Friday"}
    assert errors(job(schedule={"startDate": START, "pattern": weekly})) == [
        (
            "schedule.pattern.weekDay",
            "'weekDay' is not a property of a 'weekly' pattern; did you mean 'weekDays'?",
        )
    ]
    assert errors(custom(parameters=[{"paramId": 1, "valeu": "x"}])) == [
        ("script.parameters[0].value", "is required"),
        (
            "script.parameters[0].valeu",
            "'valeu' is not a property of a script parameter; did you mean 'value'?",
        ),
    ]
    with pytest.raises(JobValidationError) as caught:
        Never(frequency="everyday")  # type: ignore[call-arg]
    assert caught.value.errors[0][1].startswith("'frequency' is not a property of a 'never'")


# 2. booleans --------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["yes", 1, 0, 1.0, "on", "1", None])
def test_job_queued_takes_only_true_false_or_their_strings(given: object) -> None:
    [(path, message)] = errors(job(jobQueued=given))
    assert path == "jobQueued"
    assert message.startswith("must be true or false, not ")


@pytest.mark.parametrize(("given", "stored"), [(True, True), ("true", True), ("False", False)])
def test_job_queued_accepts_booleans_and_opsramps_string_booleans(
    given: object, stored: bool
) -> None:
    assert parse_job(job(jobQueued=given)).job_queued is stored


def test_every_boolean_field_is_strict() -> None:
    backup = {"jobType": "networkconfigbackup", "configParams": {"backUpTrigger": "yes"}}
    assert errors(job(script=backup)) == [
        ("script.configParams.backUpTrigger", "must be true or false, not the string 'yes'")
    ]
    install = {"jobType": "appinstall", "approvalType": {"approvalType": 1, "alertRequired": 1}}
    assert errors(job(script=install)) == [
        ("script.approvalType.alertRequired", "must be true or false, not the number 1")
    ]
    with pytest.raises(JobValidationError, match="must be true or false"):
        ConfigParams(startup_config_alert="yes")  # type: ignore[arg-type]
    with pytest.raises(JobValidationError, match="must be true or false"):
        Approval(approval_type=1, alert_required=1)  # type: ignore[arg-type]


def test_a_server_echoing_zero_or_one_is_still_read_back() -> None:
    assert parse_job(job(jobQueued=1), from_server=True).job_queued is True


# 3. numbers in messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": 42.0}, ("name", "must be a string, not the number 42")),
        (
            {"schedule": {"startDate": 20261201.0, "pattern": {"type": "never"}}},
            ("schedule.startDate", "20261201 is not a date-time; use yyyy-MM-ddTHH:mm:ss+0000"),
        ),
        (
            {"schedule": {"startDate": START, "pattern": {"type": "monthly", "dayOfMonth": 0.0}}},
            ("schedule.pattern.dayOfMonth[0]", "0 is not a day of the month"),
        ),
        (
            {"script": {"jobType": "custom", "customScript": {"id": 0.0}}},
            ("script.customScript.id", "0 is not valid for an id"),
        ),
    ],
)
def test_whole_doubles_are_shown_as_integers(
    overrides: dict[str, Any], expected: tuple[str, str]
) -> None:
    [(path, message)] = errors(job(**overrides))
    assert (path, message[: len(expected[1])]) == expected
    assert "float" not in message
    assert ".0 " not in message


# 4. names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a\nb", "contains the control character '\\n'; remove it (names are one line)"),
        ("a\tb", "contains the control character '\\t'; remove it (names are one line)"),
        ("a\x00b", "contains the control character '\\x00'; remove it (names are one line)"),
        ("a\u2028b", "contains the control character '\\u2028'; remove it (names are one line)"),
        ("x" * 10_000, "is 10000 characters long; shorten it to at most 255"),
        (" nightly ", "' nightly ': remove the spaces around the name"),
        ("nightly\u00a0", "'nightly\\xa0': remove the spaces around the name"),
    ],
)
def test_bad_names_are_refused_with_the_fix(name: str, message: str) -> None:
    assert errors(job(name=name)) == [("name", message)]


def test_a_name_is_kept_as_written_up_to_the_bound() -> None:
    longest = "é" * MAX_NAME_LENGTH
    assert parse_job(job(name=longest)).canonical()["name"] == longest
    assert parse_job(job(name="a  b")).canonical()["name"] == "a  b"


def test_a_name_edited_outside_pulumi_is_read_back_as_is() -> None:
    # Shown as drift, not a failed refresh (and not silently trimmed into "no change").
    assert parse_job(job(name=" nightly"), from_server=True).name == " nightly"


# 5. hints for values that are not objects ---------------------------------------------------


def test_a_schedule_that_is_not_an_object_gets_an_example() -> None:
    [(path, message)] = errors(job(schedule="daily"))
    assert path == "schedule"
    assert message.startswith("must be an object, not the string 'daily'; write ")
    assert f'{{"startDate": "{START}", "pattern": {{"type": "daily"' in message
    assert "Schedule(" in message


@pytest.mark.parametrize(
    ("script", "path", "hint"),
    [
        ({"customScript": "7"}, "script.customScript", '{"id": 7} or ScriptRef(id=7)'),
        (
            {"customScript": {"id": 7}, "credentialSet": "cred"},
            "script.credentialSet",
            '{"uniqueId": "..."}',
        ),
        ({"customScript": {"id": 7}, "parameters": ["150"]}, "script.parameters[0]", "paramId"),
    ],
)
def test_nested_objects_that_are_not_objects_get_an_example(
    script: dict[str, Any], path: str, hint: str
) -> None:
    [(found_path, message)] = errors(job(script={"jobType": "custom", **script}))
    assert found_path == path
    assert message.startswith("must be an object, not ")
    assert hint in message


def test_approval_given_as_its_number_gets_the_object_form() -> None:
    [(path, message)] = errors(job(script={"jobType": "appinstall", "approvalType": 1}))
    assert path == "script.approvalType"
    assert message == (
        "must be an object, not the number 1; write "
        '{"approvalType": 1, "approvalReason": "..."} or Approval(approval_type=1)'
    )


def test_a_blank_tenant_id_is_not_told_to_give_a_name() -> None:
    [(path, message)] = errors(job(tenantId=""))
    assert path == "tenantId"
    assert "name" not in message
    assert "client_13" in message


# 6. tenant ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant", "what"),
    [
        ("client 13", "contains a space"),
        ("client_13/../client_93", "contains '/'"),
        ("client_13?x=1", "contains '?'"),
        ("client_13#", "contains '#'"),
        ("client%5F13", "contains '%'"),
        ("client_13\n", "contains the control character"),
        (" client_13", "contains a space"),
        ("..", "is a path"),
    ],
)
def test_tenant_ids_that_would_address_another_url_are_refused(tenant: str, what: str) -> None:
    [(path, message)] = errors(job(tenantId=tenant))
    assert path == "tenantId"
    assert what in message
    assert message.endswith("use the id OpsRamp shows, such as client_13, msp_12 or a UUID")


@pytest.mark.parametrize(
    "tenant", ["client_13", "msp_12", "c0ffee00-0000-4000-8000-000000000001", "13"]
)
def test_tenant_ids_without_a_prefix_or_in_opsramps_forms_pass(tenant: str) -> None:
    assert parse_job(job(tenantId=tenant)).tenant_id == tenant


# 7. Outputs in typed positions --------------------------------------------------------------

OUTPUT_ADVICE = (
    "a Pulumi Output is not accepted in the typed form; use the dict form "
    '{{"{}": <Output>, ...}}, which takes Outputs at any leaf'
)


def output() -> Any:
    return pulumi.Output.from_input("2")


@pytest.mark.parametrize(
    ("build", "path", "wire"),
    [
        (lambda: Schedule(start_date=output(), pattern=Never()), "start_date", "startDate"),
        (lambda: EveryNDays(repeat_frequency=output()), "repeat_frequency", "repeatFrequency"),
        (lambda: Weekly(week_days=output()), "week_days", "weekDays"),
        (lambda: Weekly(week_days=["Monday", output()]), "week_days", "weekDays"),
        (
            lambda: MonthlyOnWeekday(week_index=output(), day_of_week="Friday"),
            "week_index",
            "weekIndex",
        ),
        (
            lambda: ConfigParams(back_up_trigger=output()),
            "back_up_trigger",
            "backUpTrigger",
        ),
        (lambda: Approval(approval_type=output()), "approval_type", "approvalType"),
        (lambda: CustomScript.of(7, user_type=output()), "userType", "userType"),
        (lambda: CustomScript.of(output()), "customScript.id", "id"),
        (lambda: CustomScript.of(7, {output(): "x"}), "parameters[0].paramId", "paramId"),
    ],
)
def test_an_output_where_the_typed_form_cannot_take_one_says_so(
    build: Any, path: str, wire: str
) -> None:
    with pytest.raises(JobValidationError) as caught:
        build()
    [(found_path, message)] = caught.value.errors
    assert found_path == path
    assert message == OUTPUT_ADVICE.format(wire)
    assert "object at 0x" not in message


def test_a_credential_set_may_be_an_output() -> None:
    secret = pulumi.Output.secret("cred-1")
    script = CustomScript.of(7, credential_set=secret)
    assert script.credential_set is not None
    assert script.credential_set.unique_id is secret
    assert script.canonical()["credentialSet"] == {"uniqueId": secret}
    assert CredentialSet(unique_id=secret).unique_id is secret
    with pytest.raises(JobValidationError, match="must not be empty"):
        CustomScript.of(7, credential_set="")


# 8. huge float parameter values ---------------------------------------------------------------


@pytest.mark.parametrize("value", [1e300, -1e300, 2.0**53, 1e16])
def test_a_float_parameter_beyond_2_to_53_is_refused(value: float) -> None:
    [(path, message)] = errors(custom(parameters=[{"paramId": 1, "value": value}]))
    assert path == "script.parameters[0].value"
    assert message.endswith("too large to send exactly as a number; write large numbers as strings")


def test_large_ints_in_the_typed_form_and_smaller_floats_stay_exact() -> None:
    script = CustomScript.of(7, {1: 2**60, 2: 2.0**53 - 1, 3: 1e-300})
    assert [p.value for p in script.parameters] == [str(2**60), str(2**53 - 1), "1e-300"]
