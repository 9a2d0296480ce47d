"""Each rule's settings: the JSON schema the engine checks, and the parse the rule relies on.

``pulumi preview --policy-pack-config FILE`` sends each policy's object (the engine first checks
it against the policy's schema below, and fills in the defaults); a rule parses it again here,
so a mistake the schema cannot express (a window that starts where it ends, a misspelt key) is
named with its path and the fix instead of being ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from opsramp_jobs.errors import OpsRampJobsError
from opsramp_jobs.model import WEEKDAYS
from opsramp_jobs.model.common import shown, suggest, whole_number
from opsramp_jobs.model.conflicts import BLACKOUT_EXAMPLE, BlackoutWindow

__all__ = [
    "BLACKOUT",
    "COLLISIONS",
    "MAX_DEVICES",
    "SCHEMAS",
    "SCRIPTS",
    "Blackout",
    "BlackoutSettings",
    "CollisionSettings",
    "MaxDevicesSettings",
    "PolicyConfigError",
    "ScriptSettings",
]

# The policies' names: the keys of a --policy-pack-config file.
COLLISIONS = "opsramp-device-collisions"
BLACKOUT = "opsramp-blackout-windows"
MAX_DEVICES = "opsramp-max-devices-per-job"
SCRIPTS = "opsramp-allowed-custom-scripts"

DEFAULT_WINDOW_MINUTES = 15
DEFAULT_COLLISION_DAYS = 30
# A blackout check looks a year ahead: every weekday and day of the month comes round in it.
DEFAULT_BLACKOUT_DAYS = 366
MAX_LOOKAHEAD_DAYS = 3660
# Weekday names as the model spells them (Monday first, as datetime.weekday() counts).
_WEEK = (*WEEKDAYS[1:], WEEKDAYS[0])
_WEEKDAY_NAMES = (*_WEEK, *(day[:3] for day in _WEEK))
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|(24):(00)")


class PolicyConfigError(OpsRampJobsError, ValueError):
    """A policy's configuration is wrong; the message names the key and the fix."""


# --------------------------------------------------------------------------------------------
# JSON schemas (what the engine validates; defaults are filled in by the engine)
# --------------------------------------------------------------------------------------------

_LOOKAHEAD = {"type": "integer", "minimum": 1, "maximum": MAX_LOOKAHEAD_DAYS}

SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {
    COLLISIONS: {
        "windowMinutes": {
            "type": "integer",
            "minimum": 0,
            "maximum": 1440,
            "default": DEFAULT_WINDOW_MINUTES,
            "description": "Two starts this many minutes apart or closer collide.",
        },
        "lookaheadDays": {
            **_LOOKAHEAD,
            "default": DEFAULT_COLLISION_DAYS,
            "description": "How many days ahead (from now) to compare runs.",
        },
    },
    BLACKOUT: {
        "windows": {
            "type": "array",
            "items": {
                # A string in the calendar's syntax, or an object. The string's shape is left
                # to the parser, whose message names the fix; an object's keywords below apply
                # to objects only, so its mistakes keep their paths (windows.0.start).
                "type": ["string", "object"],
                "properties": {
                    "name": {"type": "string"},
                    "weekdays": {
                        "type": "array",
                        "items": {"type": "string", "enum": list(_WEEKDAY_NAMES)},
                        "minItems": 1,
                    },
                    "start": {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"},
                    "end": {"type": "string", "pattern": r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"},
                },
                "required": ["start", "end"],
                "additionalProperties": False,
            },
            "default": [],
            "description": (
                f"Times no job may run (UTC): {BLACKOUT_EXAMPLE!r}, or an object with start "
                "and end (HH:MM) on weekdays."
            ),
        },
        "lookaheadDays": {
            **_LOOKAHEAD,
            "default": DEFAULT_BLACKOUT_DAYS,
            "description": "How many days ahead (from now) to check runs.",
        },
    },
    MAX_DEVICES: {
        "maxDevices": {
            "type": "integer",
            "minimum": 1,
            "description": "The most devices one job may run on (no limit when unset).",
        },
    },
    SCRIPTS: {
        "allowedScriptIds": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1},
            "uniqueItems": True,
            "description": "Custom script ids a job may run (any when unset).",
        },
    },
}


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def _known_keys(config: Mapping[str, Any], policy: str) -> None:
    keys = tuple(SCHEMAS[policy])
    for key in config:
        if key not in keys:
            raise PolicyConfigError(f"{policy}: {key!r} is not a setting{suggest(key, keys)}")


def _whole(config: Mapping[str, Any], policy: str, key: str, low: int, high: int | None) -> int:
    value = config[key]
    number = whole_number(value) if not isinstance(value, str) else None
    if number is None or number < low or (high is not None and number > high):
        limits = f">= {low}" if high is None else f"from {low} to {high}"
        raise PolicyConfigError(f"{policy}: {key} is {shown(value)}; use a whole number {limits}")
    return number


def _lookahead(config: Mapping[str, Any], policy: str, default: int) -> int:
    if config.get("lookaheadDays") is None:
        return default
    return _whole(config, policy, "lookaheadDays", 1, MAX_LOOKAHEAD_DAYS)


@dataclass(frozen=True)
class CollisionSettings:
    """Device collisions: starts at most ``window`` apart, within ``lookahead_days`` from now."""

    window_minutes: int = DEFAULT_WINDOW_MINUTES
    lookahead_days: int = DEFAULT_COLLISION_DAYS

    @property
    def window(self) -> timedelta:
        """The largest gap between two starts that collide."""
        return timedelta(minutes=self.window_minutes)

    @classmethod
    def parse(cls, config: Mapping[str, Any]) -> CollisionSettings:
        """Read the policy's configuration object (defaults where a key is missing)."""
        _known_keys(config, COLLISIONS)
        minutes = DEFAULT_WINDOW_MINUTES
        if config.get("windowMinutes") is not None:
            minutes = _whole(config, COLLISIONS, "windowMinutes", 0, 1440)
        return cls(minutes, _lookahead(config, COLLISIONS, DEFAULT_COLLISION_DAYS))


def _clock_minutes(value: object, where: str, *, end: bool) -> int:
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None or (match.group(3) and not end):
        allowed = "00:00 to 24:00" if end else "00:00 to 23:59"
        raise PolicyConfigError(f"{where} is {shown(value)}; use HH:MM (UTC), {allowed}")
    hours, minutes = (match.group(1), match.group(2)) if match.group(1) else ("24", "00")
    return int(hours) * 60 + int(minutes)


def _weekday(value: object, where: str) -> int:
    if isinstance(value, str):
        key = value.strip().lower()
        for index, day in enumerate(_WEEK):
            if key in (day.lower(), day[:3].lower()):
                return index
        raise PolicyConfigError(f"{where} is {shown(value)}{suggest(value.strip(), _WEEK)}")
    raise PolicyConfigError(f"{where} is {shown(value)}; use a weekday such as 'Monday' or 'Mon'")


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days_text(weekdays: frozenset[int]) -> str:
    days = sorted(weekdays)
    if len(days) == 7:
        return "every day"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{_WEEK[days[0]][:3]}-{_WEEK[days[-1]][:3]}"
    return ", ".join(_WEEK[day][:3] for day in days)


def _window_text(weekdays: frozenset[int], opens: int, closes: int) -> str:
    """``Mon-Fri 08:00-18:00``: a window in the string form's syntax, however it was written."""
    return f"{_days_text(weekdays)} {_clock_text(opens)}-{_clock_text(closes)}"


@dataclass(frozen=True)
class Blackout:
    """A configured blackout window: the model's window, and the name messages give it."""

    window: BlackoutWindow
    name: str = ""

    def describe(self) -> str:
        """``'business hours' (Mon-Fri 08:00-18:00 UTC)``, or without the name."""
        window = self.window
        span = f"{_window_text(window.weekdays, window.opens, window.closes)} UTC"
        return f"{self.name!r} ({span})" if self.name else f"({span})"

    @classmethod
    def parse(cls, value: object, where: str) -> Blackout:
        """Read one entry of ``windows``; ``where`` names it in errors (``windows[0]``)."""
        if isinstance(value, str):
            try:
                return cls(BlackoutWindow.parse(value))
            except ValueError as error:
                raise PolicyConfigError(f"{where}: {error}") from None
        if not isinstance(value, Mapping):
            raise PolicyConfigError(
                f'{where} must be a string such as "{BLACKOUT_EXAMPLE}" or an object such as '
                '{"weekdays": ["Mon", "Fri"], "start": "08:00", "end": "18:00"}'
            )
        keys = ("name", "weekdays", "start", "end")
        for key in value:
            if key not in keys:
                raise PolicyConfigError(f"{where}: {key!r} is not a setting{suggest(key, keys)}")
        for key in ("start", "end"):
            if key not in value:
                raise PolicyConfigError(f"{where}.{key} is missing; give HH:MM (UTC)")
        start = _clock_minutes(value["start"], f"{where}.start", end=False)
        end = _clock_minutes(value["end"], f"{where}.end", end=True)
        if start == end:
            raise PolicyConfigError(
                f"{where} starts and ends at {_clock_text(start)}; for a whole day use "
                '"start": "00:00", "end": "24:00"'
            )
        days = value.get("weekdays")
        if days is None:
            weekdays = frozenset(range(7))
        elif isinstance(days, Sequence) and not isinstance(days, str) and days:
            weekdays = frozenset(
                _weekday(day, f"{where}.weekdays[{index}]") for index, day in enumerate(days)
            )
        else:
            raise PolicyConfigError(
                f'{where}.weekdays must be a list of weekdays, e.g. ["Mon", "Tue"], '
                "or left out for every day"
            )
        name = value.get("name") or ""
        if not isinstance(name, str):
            raise PolicyConfigError(f"{where}.name must be a string, not {shown(name)}")
        # The model's window, with the text the string form would give it.
        text = _window_text(weekdays, start, end)
        return cls(BlackoutWindow(weekdays, start, end, text), name.strip())


@dataclass(frozen=True)
class BlackoutSettings:
    """Blackout windows (none: the rule is off) and how far ahead runs are checked."""

    windows: tuple[Blackout, ...] = ()
    lookahead_days: int = DEFAULT_BLACKOUT_DAYS

    @classmethod
    def parse(cls, config: Mapping[str, Any]) -> BlackoutSettings:
        """Read the policy's configuration object."""
        _known_keys(config, BLACKOUT)
        windows = config.get("windows") or []
        if isinstance(windows, str) or not isinstance(windows, Sequence):
            raise PolicyConfigError(
                f'{BLACKOUT}: windows must be a list of windows, e.g. ["{BLACKOUT_EXAMPLE}"] or '
                '[{"weekdays": ["Mon", "Fri"], "start": "08:00", "end": "18:00"}]'
            )
        parsed = tuple(
            Blackout.parse(window, f"{BLACKOUT}: windows[{index}]")
            for index, window in enumerate(windows)
        )
        return cls(parsed, _lookahead(config, BLACKOUT, DEFAULT_BLACKOUT_DAYS))


@dataclass(frozen=True)
class MaxDevicesSettings:
    """The most devices a job may run on; None: no limit (the rule is off)."""

    max_devices: int | None = None

    @classmethod
    def parse(cls, config: Mapping[str, Any]) -> MaxDevicesSettings:
        """Read the policy's configuration object."""
        _known_keys(config, MAX_DEVICES)
        if config.get("maxDevices") is None:
            return cls()
        return cls(_whole(config, MAX_DEVICES, "maxDevices", 1, None))


@dataclass(frozen=True)
class ScriptSettings:
    """The custom script ids jobs may run; None: any (the rule is off)."""

    allowed: frozenset[int] | None = None

    @classmethod
    def parse(cls, config: Mapping[str, Any]) -> ScriptSettings:
        """Read the policy's configuration object."""
        _known_keys(config, SCRIPTS)
        ids = config.get("allowedScriptIds")
        if ids is None:
            return cls()
        if isinstance(ids, str) or not isinstance(ids, Sequence):
            raise PolicyConfigError(
                f"{SCRIPTS}: allowedScriptIds must be a list of script ids, e.g. [7, 12]"
            )
        allowed = set()
        for index, value in enumerate(ids):
            number = whole_number(value) if not isinstance(value, str) else None
            if number is None or number < 1:
                raise PolicyConfigError(
                    f"{SCRIPTS}: allowedScriptIds[{index}] is {shown(value)}; "
                    "use a custom script's id, a whole number >= 1"
                )
            allowed.add(number)
        return cls(frozenset(allowed))
