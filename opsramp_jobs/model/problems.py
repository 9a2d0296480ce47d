"""How the model words a problem: values as messages show them, near misses, and every problem
of a failed validation as ``(property path, message)`` in the words of whoever wrote the job.

It names no model class: what an object is called (its ``called``), how to write one (its
``example``) and which member of a tagged union a location means (pydantic's ``Tag`` in the
field's annotation) come from the classes themselves. So the base class in ``common`` can use it,
and nothing in the model imports in a circle.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import re
import sys
import typing
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, LiteralString

from pydantic import AliasChoices, BaseModel, Tag, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

__all__ = [
    "CARRIED",
    "carried",
    "described",
    "errors_from",
    "invalid",
    "is_pending",
    "kind_of",
    "shown",
    "suggest",
]

# The kind of error a nested model reports with when it carries its own problems (a typed model
# built in a program, see ``common.WireModel``): each is reported under the nested path.
CARRIED = "carried"


# --------------------------------------------------------------------------------------------
# Values in messages
# --------------------------------------------------------------------------------------------


# Exactly these types (not subclasses) are never awaitable.
_PLAIN_JSON = frozenset({str, int, float, bool, type(None), dict, list, tuple})


def is_pending(value: object) -> bool:
    """Whether ``value`` is a Pulumi Output or another awaitable (resolved by the engine).

    Duck-typed: the model never imports Pulumi (the client and the emulator load it without).
    """
    if type(value) in _PLAIN_JSON:  # the usual case, and a third of a validation's time else
        return False
    pulumi_module = sys.modules.get("pulumi")
    output = getattr(pulumi_module, "Output", None)
    if isinstance(output, type) and isinstance(value, output):
        return True
    return inspect.isawaitable(value)


def shown(value: object) -> str:
    """``repr(value)`` for a message, kept short (and safe for integers too long to print).

    Pulumi sends every number as a double: a whole one is shown as the integer the user wrote
    (``42``, not ``42.0``). An Output is named, not shown as ``<... object at 0x...>``.
    """
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, int) and value.bit_length() > 128:
        return f"a {value.bit_length()}-bit number"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if is_pending(value):
        return "a Pulumi Output"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def kind_of(value: object) -> str:
    """What ``value`` is, in JSON's words: ``a number`` (never ``float``), ``a string``, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if is_pending(value):
        return "a Pulumi Output"
    return f"a {type(value).__name__}"


def described(value: object) -> str:
    """``value`` with its kind, for "not ..." messages: ``the number 42``, ``the string 'x'``."""
    kind = kind_of(value)
    if value is None or isinstance(value, Mapping | list | tuple) or is_pending(value):
        return kind
    return f"{kind.removeprefix('a ').join(('the ', ' '))}{shown(value)}"


def invalid(kind: LiteralString, message: str, subpath: str = "") -> PydanticCustomError:
    """A pydantic error whose text is exactly ``message`` (``subpath`` refines its path)."""
    return PydanticCustomError(kind, "{message}", {"message": message, "subpath": subpath})


def carried(problems: Sequence[tuple[str, str]]) -> PydanticCustomError:
    """The error a nested model raises for the problems it carries (reported one by one)."""
    return PydanticCustomError(
        CARRIED, "{message}", {"message": "is not valid", "problems": tuple(problems)}
    )


def suggest(value: str, choices: Sequence[str]) -> str:
    """Return ``; did you mean 'X'?`` for a near miss, else the list of valid choices."""
    lowered = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {lowered[close[0]]!r}?"
    return "; expected one of " + ", ".join(repr(c) for c in choices)


# --------------------------------------------------------------------------------------------
# The models under a location, read from the classes' annotations
# --------------------------------------------------------------------------------------------


def _models_in(annotation: Any, tags: dict[str, type[BaseModel]]) -> list[type[BaseModel]]:
    """The model classes an annotation holds (through Annotated, unions, tuples, Optional).

    Members of a tagged union are also put in ``tags``, by their tag.
    """
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    arguments = typing.get_args(annotation)
    if typing.get_origin(annotation) is Annotated:
        found = _models_in(arguments[0], tags)
        for item in arguments[1:]:
            if isinstance(item, Tag) and len(found) == 1:
                tags[item.tag] = found[0]
        return found
    return [model for argument in arguments for model in _models_in(argument, tags)]


def _names_of(name: str, field: FieldInfo) -> set[str]:
    names = {name, field.serialization_alias or name}
    if isinstance(field.validation_alias, AliasChoices):
        names.update(str(c) for c in field.validation_alias.choices)
    return names


def _field(model: type[BaseModel], part: str) -> FieldInfo | None:
    """The field of ``model`` that a location part names (by any of its names)."""
    return next((f for n, f in model.model_fields.items() if part in _names_of(n, f)), None)


@functools.cache
def _reachable(root: type[BaseModel]) -> tuple[frozenset[type[BaseModel]], frozenset[str]]:
    """Every model class under ``root`` (``root`` too) and every union tag among them."""
    models: set[type[BaseModel]] = set()
    tags: dict[str, type[BaseModel]] = {}
    pending = [root]
    while pending:
        model = pending.pop()
        if model in models:
            continue
        models.add(model)
        for field in model.model_fields.values():
            pending += _models_in(field.annotation, tags)
    return frozenset(models), frozenset(tags)


def _called(model: type[BaseModel]) -> str:
    return getattr(model, "called", "") or model.__name__


def _property_names(model: type[BaseModel]) -> set[str]:
    return {name for n, f in model.model_fields.items() for name in _names_of(n, f)}


class _Place:
    """The object a location points into: its class (if known) and, when it was picked from a
    tagged union, that union's members by tag and the property that holds the union."""

    def __init__(self, root: type[BaseModel], loc: Sequence[str | int]) -> None:
        self.model: type[BaseModel] | None = root
        self.union: dict[str, type[BaseModel]] = {}
        self.holder = ""
        tags: dict[str, type[BaseModel]] = {}
        holder = ""
        for part in loc:
            if isinstance(part, int):
                continue  # an item of a list: the same class
            if part in tags:
                self.model, self.union, self.holder = tags[part], tags, holder
                tags = {}
                continue
            field = _field(self.model, part) if self.model is not None else None
            tags, holder = {}, part
            models = _models_in(field.annotation, tags) if field is not None else []
            self.model = models[0] if len(models) == 1 else None
            self.union, self.holder = {}, ""


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------


def _not_a_property(unknown: str, place: _Place, root: type[BaseModel]) -> str:
    """``'x' is not a property of a 'never' pattern; remove it`` (or a near valid name)."""
    owner = place.model
    if owner is None:
        models, _ = _reachable(root)
        known = sorted({n for m in models for n in _property_names(m)} - {unknown})
        hint = suggest(unknown, known)
        return f"{unknown!r} is not a property here" + (
            hint if "did you mean" in hint else "; remove it"
        )
    where = f"{unknown!r} is not a property of {_called(owner)}"
    names = sorted(_property_names(owner) - {unknown})
    hint = suggest(unknown, names) if names else ""
    if "did you mean" in hint:
        return where + hint
    # A property of another member of the same union: say which ("frequency belongs to 'daily'
    # patterns"), rather than only "remove it".
    siblings = {
        repr(tag.split(":")[0]): None
        for tag, model in place.union.items()
        if model is not owner and unknown in _property_names(model)
    }
    belongs = f" ({unknown} belongs to {' or '.join(siblings)} {place.holder}s)" if siblings else ""
    return f"{where}; remove it{belongs}"


def _not_an_object(value: object, model: type[BaseModel] | None) -> str:
    """``must be an object, not the string '7'; write {"id": 7} or ScriptRef(id=7)``."""
    message = f"must be an object, not {described(value)}"
    example = getattr(model, "example", "") if model is not None else ""
    return f"{message}; write {example}" if example else message


# Our words for pydantic's own error kinds: its messages name its internals ("input_type", the
# discriminator function), which mean nothing to someone writing a job.
_MESSAGES = {
    "missing": "is required",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_type": "must be a string",
    "string_too_short": "must not be empty",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "iterable_type": "must be a list",
    "frozen_instance": "cannot be changed: build a new object instead",
    "union_tag_not_found": "must be an object with its type",
    "union_tag_invalid": "is not one of the documented types",
}


def render_path(loc: Sequence[str | int]) -> str:
    """``schedule.pattern.weekDays[1]`` from its parts."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith("["):
            path += part
        else:
            path += f".{part}" if path else part
    return path


def joined(prefix: str, path: str) -> str:
    """``path`` (relative to an object) under ``prefix`` (that object's own path)."""
    if path in ("", "(job)"):
        return prefix or path
    if not prefix:
        return path
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def _plain_message(kind: str, text: str) -> str:
    """A message for an error kind not listed above, in the same voice, without internals."""
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    text = re.sub(r"^(Value|Assertion) error, ", "", text)
    text = re.sub(r"^Input should be ", "must be ", text)
    return text if text else "is not valid here"


def errors_from(exc: ValidationError, root: type[BaseModel]) -> list[tuple[str, str]]:
    """Every problem in ``exc`` as ``(property path, message)``, one per path and message.

    ``root`` is the model validated: it tells which object a property was given to, so "not a
    property" names that object and suggests only its own properties.
    """
    _, tags = _reachable(root)
    found: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        raw_loc = error["loc"]
        # Union members' tags appear in pydantic's locations; they are not property names.
        loc: list[str | int] = [p for p in raw_loc if not (isinstance(p, str) and p in tags)]
        context = error.get("ctx") or {}
        subpath = context.get("subpath", "")
        if subpath:
            loc.extend(part for part in re.split(r"\.|(?=\[)", subpath) if part)
        kind = error["type"]
        if kind == CARRIED:
            prefix = render_path(loc)
            found += [(joined(prefix, path), message) for path, message in context["problems"]]
            continue
        if kind == "extra_forbidden":
            unknown = str(loc[-1]) if loc else "?"
            message = _not_a_property(unknown, _Place(root, raw_loc[:-1]), root)
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = _not_an_object(error.get("input"), _Place(root, raw_loc).model)
        elif kind == "literal_error":
            message = f"must be {context.get('expected', 'one of the documented values')}"
        elif kind == "too_short" and context.get("min_length") == 1:
            message = "must not be empty"
        elif "message" in context:
            message = str(context["message"])
        else:
            message = _plain_message(kind, error["msg"])
        found.append((render_path(loc) or "(job)", message))
    return list(dict.fromkeys(found))
