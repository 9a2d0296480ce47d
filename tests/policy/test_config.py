"""Each policy's settings: defaults, the engine's number forms, and mistakes named with the fix."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from opsramp_jobs.model.conflicts import BlackoutWindow
from opsramp_jobs.policy.config import (
    BLACKOUT,
    COLLISIONS,
    MAX_DEVICES,
    SCHEMAS,
    SCRIPTS,
    Blackout,
    BlackoutSettings,
    CollisionSettings,
    MaxDevicesSettings,
    PolicyConfigError,
    ScriptSettings,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
PARSERS: dict[str, Any] = {
    COLLISIONS: CollisionSettings.parse,
    BLACKOUT: BlackoutSettings.parse,
    MAX_DEVICES: MaxDevicesSettings.parse,
    SCRIPTS: ScriptSettings.parse,
}


def engine_schema(policy: str) -> dict[str, Any]:
    """The JSON schema the engine builds from a policy's config schema (type, properties)."""
    return {"type": "object", "properties": SCHEMAS[policy]}


def test_defaults_leave_only_the_collision_check_on() -> None:
    assert CollisionSettings.parse({}) == CollisionSettings(15, 30)
    assert BlackoutSettings.parse({}).windows == ()
    assert MaxDevicesSettings.parse({}).max_devices is None
    assert ScriptSettings.parse({}).allowed is None


def test_schema_defaults_are_the_parsers_defaults() -> None:
    # The engine fills in the schema's defaults before the rule sees its configuration.
    for policy, parse in PARSERS.items():
        defaults = {k: v["default"] for k, v in SCHEMAS[policy].items() if "default" in v}
        assert parse(defaults) == parse({}), policy


def test_numbers_arrive_as_doubles_and_are_read_as_whole_numbers() -> None:
    assert CollisionSettings.parse({"windowMinutes": 5.0, "lookaheadDays": 7.0}) == (
        CollisionSettings(5, 7)
    )
    assert ScriptSettings.parse({"allowedScriptIds": [7.0, 12]}).allowed == frozenset({7, 12})
    assert MaxDevicesSettings.parse({"maxDevices": 50.0}).max_devices == 50


@pytest.mark.parametrize(
    ("policy", "config", "expected"),
    [
        (
            COLLISIONS,
            {"windowMinute": 5},
            "'windowMinute' is not a setting; did you mean 'windowMinutes'",
        ),
        (
            COLLISIONS,
            {"windowMinutes": 2.5},
            "windowMinutes is 2.5; use a whole number from 0 to 1440",
        ),
        (
            COLLISIONS,
            {"lookaheadDays": "30"},
            "lookaheadDays is '30'; use a whole number from 1 to 3660",
        ),
        (COLLISIONS, {"windowMinutes": True}, "windowMinutes is True"),
        (MAX_DEVICES, {"maxDevices": 0}, "maxDevices is 0; use a whole number >= 1"),
        (SCRIPTS, {"allowedScriptIds": 7}, "allowedScriptIds must be a list of script ids"),
        (SCRIPTS, {"allowedScriptIds": [7, "x"]}, "allowedScriptIds[1] is 'x'"),
        (BLACKOUT, {"windows": {"start": "08:00"}}, "windows must be a list of windows"),
        (
            BLACKOUT,
            {"windows": [{"start": "08:00"}]},
            "windows[0].end is missing; give HH:MM (UTC)",
        ),
        (
            BLACKOUT,
            {"windows": [{"start": "8:00", "end": "18:00"}]},
            "windows[0].start is '8:00'; use HH:MM (UTC), 00:00 to 23:59",
        ),
        (
            BLACKOUT,
            {"windows": [{"start": "24:00", "end": "01:00"}]},
            "windows[0].start is '24:00'",
        ),
        (
            BLACKOUT,
            {"windows": [{"start": "08:00", "end": "08:00"}]},
            'starts and ends at 08:00; for a whole day use "start": "00:00", "end": "24:00"',
        ),
        (
            BLACKOUT,
            {"windows": [{"start": "00:00", "end": "24:00", "weekdays": ["Frday"]}]},
            "windows[0].weekdays[0] is 'Frday'; did you mean 'Friday'",
        ),
        (
            BLACKOUT,
            {"windows": [{"start": "00:00", "end": "24:00", "weekdays": "Mon"}]},
            "windows[0].weekdays must be a list of weekdays",
        ),
        (
            BLACKOUT,
            {"windows": [{"start": "00:00", "end": "24:00", "days": ["Mon"]}]},
            "windows[0]: 'days' is not a setting",
        ),
        (
            BLACKOUT,
            {"windows": ["Mon-Fri 08:00-18:00", "Mon-Fry 08:00-18:00"]},
            "windows[1]: blackout 'Mon-Fry 08:00-18:00': 'Fry' is not a day; use Mon..Sun",
        ),
        (
            BLACKOUT,
            {"windows": ["Mon 10:00-10:00"]},
            "windows[0]: blackout 'Mon 10:00-10:00': it opens and closes at the same time",
        ),
        (
            BLACKOUT,
            {"windows": [42]},
            'windows[0] must be a string such as "Mon-Fri 08:00-18:00" or an object',
        ),
    ],
)
def test_mistakes_name_the_key_and_the_fix(
    policy: str, config: dict[str, Any], expected: str
) -> None:
    with pytest.raises(PolicyConfigError) as caught:
        PARSERS[policy](config)
    assert expected in str(caught.value)
    assert str(caught.value).startswith(policy)


def window(start: str, end: str, *weekdays: str, name: str = "") -> Blackout:
    config: dict[str, Any] = {"start": start, "end": end, "name": name}
    if weekdays:
        config["weekdays"] = list(weekdays)
    return Blackout.parse(config, "windows[0]")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_daytime_window_includes_its_start_and_excludes_its_end() -> None:
    hours = window("08:00", "18:00", "Mon", "Tuesday", "wed", "Thu", "Fri").window
    assert hours.contains(at("2026-12-07T08:00"))  # a Monday
    assert hours.contains(at("2026-12-11T17:59"))  # a Friday
    assert not hours.contains(at("2026-12-11T18:00"))
    assert not hours.contains(at("2026-12-07T07:59"))
    assert not hours.contains(at("2026-12-12T12:00"))  # a Saturday
    assert window("08:00", "18:00", "Mon", "Tue", "Wed", "Thu", "Fri").describe() == (
        "(Mon-Fri 08:00-18:00 UTC)"
    )


def test_an_overnight_window_belongs_to_the_day_it_starts() -> None:
    named = window("22:00", "02:00", "Fri", name="Friday night")
    night = named.window
    assert night.contains(at("2026-12-11T23:30"))  # Friday evening
    assert night.contains(at("2026-12-12T01:59"))  # Saturday morning
    assert not night.contains(at("2026-12-12T02:00"))
    assert not night.contains(at("2026-12-11T01:00"))  # Friday morning: Thursday's night
    assert not night.contains(at("2026-12-12T23:00"))  # Saturday evening
    assert named.describe() == "'Friday night' (Fri 22:00-02:00 UTC)"


def test_a_whole_day_and_every_day() -> None:
    whole = window("00:00", "24:00")
    assert whole.window.contains(at("2026-12-12T00:00"))
    assert whole.window.contains(at("2026-12-12T23:59"))
    assert whole.describe() == "(every day 00:00-24:00 UTC)"
    assert window("10:00", "11:00", "Sat", "Sun", "Wed").describe() == (
        "(Wed, Sat, Sun 10:00-11:00 UTC)"
    )


@pytest.mark.parametrize(
    ("text", "as_object"),
    [
        ("Mon-Fri 08:00-18:00", {"weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"]}),
        ("weekdays 08:00-18:00", {"weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"]}),
        ("Fri 22:00-02:00", {"weekdays": ["Friday"]}),
        ("sat,SUNDAY 00:00-24:00", {"weekdays": ["Sat", "Sun"]}),
        ("Fri-Mon 10:00-11:00", {"weekdays": ["Fri", "Sat", "Sun", "Mon"]}),
        ("daily 12:00-13:00", {}),
    ],
)
def test_a_window_as_a_string_is_the_window_as_an_object(
    text: str, as_object: dict[str, Any]
) -> None:
    # The calendar's --blackout syntax, read by the model: one window, however it is written.
    written = Blackout.parse(text, "windows[0]")
    hours = text.rpartition(" ")[2].split("-")
    spelled = window(hours[0], hours[1], *as_object.get("weekdays", ()))
    assert written.window == BlackoutWindow.parse(text)
    assert (written.window.weekdays, written.window.opens, written.window.closes) == (
        spelled.window.weekdays,
        spelled.window.opens,
        spelled.window.closes,
    )
    assert written.describe() == spelled.describe()
    # An object's window is written as a string would be: the model reads it back the same.
    assert BlackoutWindow.parse(str(spelled.window)) == spelled.window


def test_windows_mix_strings_and_objects() -> None:
    settings = BlackoutSettings.parse(
        {"windows": ["Sat,Sun 00:00-24:00", {"name": "nights", "start": "22:00", "end": "06:00"}]}
    )
    assert [blackout.describe() for blackout in settings.windows] == [
        "(Sat, Sun 00:00-24:00 UTC)",
        "'nights' (every day 22:00-06:00 UTC)",
    ]


def docs_example() -> dict[str, Any]:
    """The --policy-pack-config example of docs/policy.md (its only ```json block)."""
    text = (REPO_ROOT / "docs" / "policy.md").read_text()
    (block,) = re.findall(r"```json\n(.*?)```", text, re.DOTALL)
    example: dict[str, Any] = json.loads(block)
    return example


def test_the_docs_example_passes_the_engines_schema_check_and_the_parsers() -> None:
    example = docs_example()
    assert set(example) == set(PARSERS)
    parsed = {}
    for policy, parse in PARSERS.items():
        # The engine takes a policy's enforcementLevel out before it checks the settings.
        settings = {k: v for k, v in example[policy].items() if k != "enforcementLevel"}
        jsonschema.validate(settings, engine_schema(policy))
        parsed[policy] = parse(settings)
    assert len(parsed[BLACKOUT].windows) == 3
    assert parsed[SCRIPTS].allowed == frozenset({7, 11, 12})


@pytest.mark.parametrize(
    ("policy", "config"),
    [
        (BLACKOUT, {"windows": [{"start": "25:00", "end": "02:00"}]}),
        (BLACKOUT, {"windows": [{"start": "08:00", "end": "18:00", "weekdays": ["Frday"]}]}),
        (BLACKOUT, {"windows": [{"start": "08:00"}]}),
        (BLACKOUT, {"windows": [42]}),
        (BLACKOUT, {"windows": [["Mon-Fri 08:00-18:00"]]}),
        (COLLISIONS, {"windowMinutes": -1}),
        (COLLISIONS, {"lookaheadDays": 4000}),
        (MAX_DEVICES, {"maxDevices": 0}),
        (SCRIPTS, {"allowedScriptIds": [7, 7]}),
    ],
)
def test_the_engines_schema_check_refuses_what_the_parsers_refuse(
    policy: str, config: dict[str, Any]
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(config, engine_schema(policy))
    if policy != SCRIPTS:  # a repeated id is harmless to the parser
        with pytest.raises(PolicyConfigError):
            PARSERS[policy](config)
