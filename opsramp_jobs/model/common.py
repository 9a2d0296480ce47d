"""What every part of the model shares: the base class, the field parsers and carried problems."""

from __future__ import annotations

import functools
import inspect
import math
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Generic,
    Literal,
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
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from opsramp_jobs.errors import JobValidationError
from opsramp_jobs.model.problems import (
    carried,
    described,
    errors_from,
    invalid,
    is_pending,
    shown,
    suggest,
)

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
    "carry_problems_while",
    "described",
    "invalid",
    "is_pending",
    "note",
    "notes_of",
    "problems_of",
    "shown",
    "suggest",
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
# Problems a typed model carries to the resource that uses it
# --------------------------------------------------------------------------------------------


def _never() -> bool:
    return False


# Whether a typed model that fails validation carries its problems instead of raising: set by
# the Pulumi-facing code (``opsramp_jobs.resource``) to "a Pulumi program is running", so that
# the resource reports every invalid job under its name in one run (the model knows no names).
_carrying: Callable[[], bool] = _never


def carry_problems_while(condition: Callable[[], bool]) -> None:
    """From now on, while ``condition()`` holds, typed constructors carry problems, not raise.

    A carrying model is an instance of its class that holds no values: reading a property raises
    :class:`JobValidationError`, a model built from it carries its problems under their paths, and
    :func:`problems_of` lists them.
    """
    global _carrying  # noqa: PLW0603 - one switch for the process, set once by resource.py
    _carrying = condition


@dataclass(frozen=True)
class _Carried:
    """The problems of a typed model built while carrying, in place of its values."""

    problems: tuple[tuple[str, str], ...]


# The key a carrying model's problems sit under in its ``__dict__`` (which holds no values).
_CARRIED_KEY = "__carried__"


def problems_of(value: object) -> list[tuple[str, str]]:
    """The ``(property path, message)`` problems a carrying model holds; none for anything else."""
    if isinstance(value, WireModel):
        carried_here = value.__dict__.get(_CARRIED_KEY)
        if isinstance(carried_here, _Carried):
            return list(carried_here.problems)
    return []


# What typed models built in a program noted about a value they accepted but OpsRamp will change
# (the seconds of a start date), by the model's id. The model is kept with its notes, so the id
# stays its own; nothing is kept outside a program.
_NOTES: dict[int, tuple[WireModel, tuple[tuple[str, str], ...]]] = {}


def note(info: ValidationInfo, message: str) -> None:
    """Note, for the resource that uses the model being built, what OpsRamp will change."""
    context = cast("Mapping[str, object] | None", info.context)
    notes = context.get("notes") if context else None
    if isinstance(notes, list):
        cast("list[tuple[str, str]]", notes).append((info.field_name or "", message))


def notes_of(value: object) -> list[tuple[str, str]]:
    """The ``(property path, message)`` notes of a typed model built in a program."""
    entry = _NOTES.get(id(value))
    return list(entry[1]) if entry is not None and entry[0] is value else []


def _carry(model: WireModel, problems: Sequence[tuple[str, str]]) -> None:
    """Make ``model`` a carrying model (its validation failed) instead of raising."""
    object.__setattr__(model, "__dict__", {_CARRIED_KEY: _Carried(tuple(problems))})
    object.__setattr__(model, "__pydantic_fields_set__", set())
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)


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
    # What messages call this object: "'x' is not a property of a 'weekly' pattern".
    called: ClassVar[str] = ""

    def __init__(self, /, **data: Any) -> None:
        """Build from Python (or wire) names; a bad value raises :class:`JobValidationError`."""
        in_program = _carrying()
        notes: list[tuple[str, str]] = []
        try:
            if in_program:
                # What BaseModel.__init__ does, with a context that collects notes.
                self.__pydantic_validator__.validate_python(
                    data, self_instance=self, context={"notes": notes}
                )
            else:
                super().__init__(**data)
        except ValidationError as exc:
            # A property the caller left out is reported by its wire name: give the Python name
            # the caller would have written instead.
            python_name = {
                field.serialization_alias: name
                for name, field in type(self).model_fields.items()
                if field.serialization_alias and field.serialization_alias not in data
            }
            problems = [
                (_renamed(path, python_name), text) for path, text in errors_from(exc, type(self))
            ]
            if not in_program:
                raise JobValidationError(problems) from None
            _carry(self, problems)
        if notes:
            _NOTES[id(self)] = (self, tuple(notes))

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

    if not TYPE_CHECKING:  # type checkers keep seeing a misspelt attribute as an error

        def __getattr__(self, name: str) -> Any:
            # Only a carrying model lacks its properties: reading one raises its problems.
            if name in type(self).model_fields and problems_of(self):
                raise JobValidationError(problems_of(self))
            return super().__getattr__(name)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """The properties; for a carrying model, its problems."""
        problems = problems_of(self)
        if problems:
            yield "problems", problems
            return
        yield from super().__repr_args__()

    @classmethod
    def validated(cls, data: Mapping[str, Any]) -> Self:
        """Build from a mapping of Python or wire names; raises :class:`JobValidationError`."""
        in_program = _carrying()
        notes: list[tuple[str, str]] = []
        try:
            model = cls.model_validate(data, context={"notes": notes} if in_program else None)
        except ValidationError as exc:
            problems = errors_from(exc, cls)
            if not in_program:
                raise JobValidationError(problems) from None
            model = cls.__new__(cls)
            _carry(model, problems)
        if notes:
            _NOTES[id(model)] = (model, tuple(notes))
        return model

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

    @model_validator(mode="wrap")
    @classmethod
    def _carried_problems(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # A model given to another is taken as it is, without its validators; this one runs
        # still, so a carrying model fails the outer one with its problems under their paths.
        problems = problems_of(data)
        if problems:
            raise carried(problems)
        return handler(data)

    @classmethod
    def property_names(cls) -> frozenset[str]:
        """Every name a property of this class may be given by (Python and wire names)."""
        return _property_names(cls)

    @classmethod
    def wire_names(cls) -> frozenset[str]:
        """The OpsRamp (wire) names of this class's properties."""
        return frozenset(
            field.serialization_alias or name for name, field in cls.model_fields.items()
        )

    def canonical(self) -> dict[str, Any]:
        """Return the deterministic plain-JSON form used for state and diffs."""
        if _CARRIED_KEY in self.__dict__:
            raise JobValidationError(problems_of(self))
        return self.model_dump(mode="json", exclude_none=True)

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form of this part of a job."""
        return self.canonical()


@functools.cache
def _property_names(model: type[WireModel]) -> frozenset[str]:
    """``model.property_names()``, worked out once per class."""
    # A server answer's validation asks it of every model it holds: ~20 % of a read's parse when
    # worked out each time.
    known: set[str] = set()
    for name, field in model.model_fields.items():
        known.add(name)
        if field.serialization_alias:
            known.add(field.serialization_alias)
        if isinstance(field.validation_alias, AliasChoices):
            known.update(str(c) for c in field.validation_alias.choices)
    return frozenset(known)
