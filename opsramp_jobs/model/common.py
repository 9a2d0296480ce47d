"""What every part of the model shares: the error type, the base class and the field parsers."""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import re
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Generic,
    Literal,
    LiteralString,
    Self,
    TypeVar,
    cast,
    overload,
)

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError, PydanticUndefined

if TYPE_CHECKING:
    import pulumi

__all__ = [
    "JOB_TYPES",
    "MAX_ID",
    "WEEKDAYS",
    "WEEK_INDEXES",
    "JobValidationError",
    "TextInput",
    "WireModel",
]

# Sunday first: the order OpsRamp's own examples list weekdays in.
WEEKDAYS: tuple[str, ...] = (
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
)
WEEK_INDEXES: tuple[str, ...] = ("First", "Second", "Third", "Fourth", "Last")

# The catalogue of GET /jobs/types; "custom" (custom scripts) is a 15th type the catalogue omits.
JOB_TYPES: tuple[str, ...] = (
    "adCheckList",
    "antispyware",
    "antivirus",
    "appaudit",
    "assetinfo",
    "backupagent",
    "diskdefrag",
    "exbpaCheckList",
    "missingPatchesRequest",
    "sqlreport",
    "networkconfigbackup",
    "tempfilesreport",
    "appinstall",
    "appupdate",
    "custom",
)

# Pulumi carries every number as a double: a larger id would not come back unchanged.
MAX_ID = 2**53 - 1


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class JobValidationError(ValueError):
    """An invalid job; ``errors`` lists every ``(property path, message)`` found."""

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [f"  {path}: {message}" for path, message in self.errors]
        noun = "problem" if len(self.errors) == 1 else "problems"
        return f"invalid OpsRamp job ({len(self.errors)} {noun}):\n" + "\n".join(lines)


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


def suggest(value: str, choices: Sequence[str]) -> str:
    """Return ``; did you mean 'X'?`` for a near miss, else the list of valid choices."""
    lowered = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {lowered[close[0]]!r}?"
    return "; expected one of " + ", ".join(repr(c) for c in choices)


def from_server(info: ValidationInfo) -> bool:
    """Whether this validation reads a job a server returned (``parse_job(from_server=True)``)."""
    return bool(info.context and info.context.get("from_server"))


# --------------------------------------------------------------------------------------------
# Typing helpers: what type checkers see versus what runs
# --------------------------------------------------------------------------------------------

_Stored = TypeVar("_Stored")
_Given = TypeVar("_Given")

if TYPE_CHECKING:

    class Coerced(Generic[_Stored, _Given]):
        """A field that accepts ``_Given`` and holds ``_Stored`` (type checkers only).

        Type checkers take a dataclass field's ``__init__`` type from its descriptor's
        ``__set__`` (PEP 681), so ``Weekly(week_days=["Monday"])`` checks while ``.week_days``
        reads as a tuple.
        """

        @overload
        def __get__(self, instance: None, owner: Any) -> Coerced[_Stored, _Given]: ...
        @overload
        def __get__(self, instance: object, owner: Any) -> _Stored: ...
        def __get__(self, instance: object, owner: Any) -> Any: ...
        def __set__(self, instance: object, value: _Given) -> None: ...


@dataclass(frozen=True)
class Shown:
    """Annotated metadata: how ``help()`` and the API reference spell a field's type.

    For a field whose run-time type differs from what a caller may pass (a list stored as a
    tuple, a text input typed ``Any``); pydantic ignores metadata it does not know.
    """

    text: str


def type_text(field: FieldInfo) -> str:
    """A field's type as a caller writes it: its (outermost) :class:`Shown`, else its annotation."""
    shown_as = [item.text for item in field.metadata if isinstance(item, Shown)]
    return shown_as[-1] if shown_as else _annotation_text(field.annotation)


def _annotation_text(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if annotation is None or annotation is type(None):
        return "None"
    if origin is Annotated:
        shown_as = [item.text for item in arguments[1:] if isinstance(item, Shown)]
        return shown_as[-1] if shown_as else _annotation_text(arguments[0])
    if origin is Literal:
        return " | ".join(repr(a) for a in arguments)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_annotation_text(a) for a in arguments)
    if origin is not None:
        inner = ", ".join("..." if a is Ellipsis else _annotation_text(a) for a in arguments)
        return f"{getattr(origin, '__name__', origin)}[{inner}]"
    return annotation.__name__ if isinstance(annotation, type) else str(annotation)


class _TypeText:
    """A type's text that a signature prints as written (without quotes)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


# --------------------------------------------------------------------------------------------
# Values that may come from another resource (Pulumi Outputs)
# --------------------------------------------------------------------------------------------


# The default of a list field; typed Any because type checkers see such a field as a descriptor
# (``Coerced``), whose default they would otherwise compare with the descriptor's own type.
NO_ITEMS: Any = ()


def is_pending(value: object) -> bool:
    """Whether ``value`` is a Pulumi Output or another awaitable (resolved by the engine).

    Duck-typed: the model never imports Pulumi (the client and the emulator load it without).
    """
    pulumi_module = sys.modules.get("pulumi")
    output = getattr(pulumi_module, "Output", None)
    if isinstance(output, type) and isinstance(value, output):
        return True
    return inspect.isawaitable(value)


def number_text(value: float) -> str:
    """A number as OpsRamp expects it in a string: ``150`` for 150 or 150.0, ``1.5`` for 1.5."""
    if isinstance(value, float) and value.is_integer():
        # Pulumi's wire format (protobuf Struct) carries every number as a double.
        return str(int(value))
    return str(value) if isinstance(value, int) else repr(value)


def _text_or_pending(value: object) -> object:
    """A parameter value: a string, a number (written as OpsRamp expects), or an Output."""
    if is_pending(value):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise invalid("string_type", f"must be a string; write {str(value).lower()!r} in quotes")
    if isinstance(value, int | float):
        # A parameter value may be a secret: these messages never show it.
        if isinstance(value, float) and not math.isfinite(value):
            raise invalid("string_type", "is not a finite number; use a string or a finite number")
        if isinstance(value, float) and abs(value) >= 2**53:
            # A double this large is not the number written (and 1e300 would be sent as 301
            # digits of float noise); an int in the typed form is converted exactly, in-program.
            raise invalid(
                "string_type",
                "is a number of 2^53 or more, too large to send exactly as a number; "
                "write large numbers as strings",
            )
        return number_text(value)
    raise invalid("string_type", "must be a string (or a number)")


if TYPE_CHECKING:
    TextInput = pulumi.Input[str]
    """A string, or a Pulumi Output/awaitable of one (e.g. a secret from config)."""
else:
    TextInput = Annotated[Any, BeforeValidator(_text_or_pending)]


# --------------------------------------------------------------------------------------------
# Numbers and lists in the loose forms OpsRamp and Pulumi send
# --------------------------------------------------------------------------------------------


def whole_number(value: object) -> int | None:
    """Read an integer sent as an int, an integral float or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        # Pulumi's wire format (protobuf Struct) carries every number as a double.
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,30}\s*", value):
        return int(value)  # OpsRamp quirk: examples send integers as strings ("2").
    return None


def strict_whole_number(value: object, what: str, minimum: int, maximum: int | None = None) -> int:
    """A whole number in ``minimum..maximum``, or an error that names the range."""
    number = whole_number(value)
    if number is None or number < minimum or (maximum is not None and number > maximum):
        given = value if not isinstance(value, str) else value.strip()
        limits = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise invalid(
            "number", f"{shown(given)} is not valid for {what}; use a whole number {limits}"
        )
    return number


def split_list(value: object) -> object:
    """OpsRamp quirk: sets of days travel as one ``"a, b, c"`` string; accept that or a list."""
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part]
    if whole_number(value) is not None:
        return [value]
    return value


def _parse_flag(value: object, info: ValidationInfo) -> object:
    """A boolean: true/false, or OpsRamp's string booleans ``"true"``/``"false"``.

    Stricter than pydantic's lax bool, which takes ``"yes"``, ``"on"`` and ``1`` as true: a
    program's ``1`` or ``"yes"`` is a mistake to report, not a setting to guess.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        # OpsRamp quirk: responses may echo booleans as the strings "true" and "false".
        return value.strip().lower() == "true"
    if from_server(info) and isinstance(value, int | float) and value in (0, 1):
        return bool(value)  # a server's 0/1: read it back rather than fail a refresh
    raise invalid("bool_type", f"must be true or false, not {described(value)}")


Flag = Annotated[bool, BeforeValidator(_parse_flag)]


def plain_string(value: object) -> object:
    """Refuse numbers for a text property (``name=42`` is a mistake, not a job named "42")."""
    if value is not None and not isinstance(value, str):
        raise invalid("string_type", f"must be a string, not {described(value)}")
    return value


def join_words(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def json_object(value: object) -> dict[str, Any] | None:
    """``value`` if it is a JSON object (a dict), typed as one; else None."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def _renamed(path: str, names: Mapping[str, str]) -> str:
    """``path`` with its first property renamed by ``names``."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    return names[head] + path[len(head) :] if head in names else path


# --------------------------------------------------------------------------------------------
# help() of a model: its arguments with their types and descriptions
# --------------------------------------------------------------------------------------------


def _default_of(field: FieldInfo) -> Any:
    """A field's default for a signature (``inspect.Parameter.empty`` when it is required)."""
    if field.default is not PydanticUndefined:
        return field.default
    if field.default_factory is not None:
        return _TypeText(f"{getattr(field.default_factory, '__name__', '...')}()")
    return inspect.Parameter.empty


_CLASS_LINE = re.compile(r"class (\w+)\b")
_FIELD_LINE = re.compile(r"    (\w+)\s*:")


@functools.cache
def _module_attribute_docs(module_name: str) -> dict[str, dict[str, str]]:
    """``{class: {field: docstring}}``: the string literal below each field of a module's classes.

    A scan of the source lines, not ``ast.parse``: this runs at import, and parsing the model's
    modules would add tens of milliseconds to it (as pydantic's ``use_attribute_docstrings``
    does). It reads the layout ruff gives: fields and their docstrings at four spaces.
    scripts/gen_reference.py checks it against an AST reading of the same source.
    """
    try:
        lines = inspect.getsource(sys.modules[module_name]).splitlines()
    except (KeyError, OSError, TypeError):
        return {}
    found: dict[str, dict[str, str]] = {}
    docs: dict[str, str] | None = None
    field: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if match := _CLASS_LINE.match(line):
            docs, field = found.setdefault(match[1], {}), None
        elif docs is None or not line.strip() or line.startswith("     "):
            continue  # outside a class, a blank line, or inside a statement or a method
        elif not line.startswith("    "):
            docs = None  # the class has ended
        elif match := _FIELD_LINE.match(line):
            field = match[1]
        elif field is not None and line.startswith('    """'):
            text = line[7:]
            while not text.rstrip().endswith('"""') and index < len(lines):
                text += " " + lines[index].strip()
                index += 1
            docs[field], field = " ".join(text.rstrip()[:-3].split()), None
        elif line.strip() not in (")", "]", "}"):  # not the end of a field spread over lines
            field = None
    return found


def arguments_doc(cls: type[BaseModel]) -> str:
    """An ``Arguments:`` section: each field's type, default, OpsRamp name and docstring."""
    docs = _module_attribute_docs(cls.__module__).get(cls.__qualname__, {})
    lines = ["Arguments:"]
    for name, field in cls.model_fields.items():
        default = _default_of(field)
        facts = ["required" if default is inspect.Parameter.empty else f"default {default!r}"]
        if field.serialization_alias and field.serialization_alias != name:
            facts.append(f"OpsRamp name {field.serialization_alias}")
        lines.append(f"    {name} ({type_text(field)}; {', '.join(facts)}):")
        lines.append(f"        {field.description or docs.get(name, '')}".rstrip())
    return "\n".join(lines) if len(lines) > 1 else ""


# --------------------------------------------------------------------------------------------
# Base class
# --------------------------------------------------------------------------------------------


class WireModel(BaseModel):
    """Base of every model: immutable, Python names in, wire names out, unknown names rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    # Fields OpsRamp adds to its responses (enrichment); accepted on input and ignored.
    server_fields: ClassVar[frozenset[str]] = frozenset()
    # Fields (Python and wire names) that take a Pulumi Output; others refuse one, saying why.
    output_fields: ClassVar[frozenset[str]] = frozenset()
    # How to write this object, for a value that is not one: '{"id": 7} or ScriptRef(id=7)'.
    example: ClassVar[str] = ""

    def __init__(self, /, **data: Any) -> None:
        """Build from Python (or wire) names; a bad value raises :class:`JobValidationError`."""
        try:
            super().__init__(**data)
        except ValidationError as exc:
            from opsramp_jobs.model.job import errors_from  # noqa: PLC0415 - job imports us

            # A property the caller left out is reported by its wire name: give the Python name
            # the caller would have written instead.
            python_name = {
                field.serialization_alias: name
                for name, field in type(self).model_fields.items()
                if field.serialization_alias and field.serialization_alias not in data
            }
            errors = [
                (_renamed(path, python_name), text) for path, text in errors_from(exc, type(self))
            ]
            raise JobValidationError(errors) from None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Give ``help(cls)`` a readable signature and a list of the arguments."""
        super().__pydantic_init_subclass__(**kwargs)
        parameters = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=_default_of(field),
                annotation=_TypeText(type_text(field)),
            )
            for name, field in cls.model_fields.items()
        ]
        # Shadows pydantic's signature, which spells out every validator of an Annotated type.
        cls.__signature__ = inspect.Signature(parameters, return_annotation=None)
        arguments = arguments_doc(cls)
        if arguments:
            cls.__doc__ = f"{inspect.cleandoc(cls.__doc__ or '')}\n\n{arguments}".strip()

    # Tell pydantic this __init__ only wraps its own: nested models are then validated directly
    # (with the parse context), as without an __init__. RootModel does the same.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def validated(cls, data: Mapping[str, Any]) -> Self:
        """Build from a mapping of Python or wire names; raises :class:`JobValidationError`."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            from opsramp_jobs.model.job import errors_from  # noqa: PLC0415 - job imports us

            raise JobValidationError(errors_from(exc, cls)) from None

    @model_validator(mode="before")
    @classmethod
    def _drop_server_fields(cls, data: Any, info: ValidationInfo) -> Any:
        fields = json_object(data)
        if fields is None:
            return data
        if from_server(info):
            # A live server may add fields nobody documented; reading it back must not fail.
            known = cls.property_names()
            return {k: v for k, v in fields.items() if k in known}
        return {k: v for k, v in fields.items() if k not in cls.server_fields}

    @model_validator(mode="before")
    @classmethod
    def _no_outputs_in_typed_fields(cls, data: Any, info: ValidationInfo) -> Any:
        # Only some leaves (device ids, parameter values, credential set ids) may be Pulumi
        # Outputs; elsewhere an Output would reach a parser that cannot wait for its value.
        fields = json_object(data)
        if fields is None or from_server(info):
            return data
        for key, value in fields.items():
            items: Sequence[object] = (
                cast("Sequence[object]", value) if isinstance(value, list | tuple) else [value]
            )
            if key in cls.output_fields or not any(is_pending(item) for item in items):
                continue
            wire = key
            for name, field in cls.model_fields.items():
                if key in (name, field.serialization_alias):
                    wire = field.serialization_alias or name
            raise invalid(
                "output",
                "a Pulumi Output is not accepted in the typed form; use the dict form "
                f'{{"{wire}": <Output>, ...}}, which takes Outputs at any leaf',
                key,
            )
        return data

    @classmethod
    def property_names(cls) -> frozenset[str]:
        """Every name a property of this class may be given by (Python and wire names)."""
        known: set[str] = set()
        for name, field in cls.model_fields.items():
            known.add(name)
            if field.serialization_alias:
                known.add(field.serialization_alias)
            if isinstance(field.validation_alias, AliasChoices):
                known.update(str(c) for c in field.validation_alias.choices)
        return frozenset(known)

    @classmethod
    def wire_names(cls) -> frozenset[str]:
        """The OpsRamp (wire) names of this class's properties."""
        return frozenset(
            field.serialization_alias or name for name, field in cls.model_fields.items()
        )

    def canonical(self) -> dict[str, Any]:
        """Return the deterministic plain-JSON form used for state and diffs."""
        return self.model_dump(mode="json", exclude_none=True)

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form of this part of a job."""
        return self.canonical()
