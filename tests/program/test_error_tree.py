"""One exception tree (issue 22): every error the package raises is an OpsRampJobsError, the
drawing at the top of errors.py is the tree, and the old import paths still work."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pulumi
import pytest

import opsramp_jobs
from opsramp_jobs import errors
from opsramp_jobs.errors import OpsRampJobsError
from opsramp_jobs.presentation import describe

PACKAGE = Path(opsramp_jobs.__file__).parent
# The emulator stands in for OpsRamp and imports nothing from the product (its own test says so).
OUTSIDE = ("opsramp_jobs.emulator",)


def product_modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages([str(PACKAGE)], prefix="opsramp_jobs.")
        if not info.name.startswith(OUTSIDE) and not info.name.endswith("__main__")
    ]
    return [importlib.import_module(name) for name in ["opsramp_jobs", *names]]


def exception_classes() -> list[type[BaseException]]:
    """Every exception class the product's modules define, by name."""
    found: dict[str, type[BaseException]] = {}
    for module in product_modules():
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__.startswith("opsramp_jobs")
                and not value.__module__.startswith(OUTSIDE)
            ):
                found[value.__qualname__] = value
    return [found[name] for name in sorted(found)]


def test_every_error_of_the_package_is_under_the_root() -> None:
    classes = exception_classes()
    assert len(classes) >= 15, sorted(c.__name__ for c in classes)  # the walk found them
    assert [c.__qualname__ for c in classes if not issubclass(c, OpsRampJobsError)] == []


def test_the_drawing_at_the_top_of_errors_py_names_every_error_once() -> None:
    drawing = errors.__doc__ or ""
    drawn = re.findall(r"[├└]── (\w+)|^    (OpsRampJobsError)", drawing, re.MULTILINE)
    names = [a or b for a, b in drawn]
    assert len(names) == len(set(names)), names
    assert set(names) == {c.__name__ for c in exception_classes()}


def test_each_drawn_class_sits_under_the_parent_drawn_above_it() -> None:
    by_name = {c.__name__: c for c in exception_classes()}
    parents: dict[int, str] = {}
    checked = 0
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^([\s│]*(?:[├└]── )?)(\w+Error)\b", line)
        if not match or match.group(2) not in by_name:
            continue
        depth = (len(match.group(1)) - 4) // 4  # the root is drawn 4 columns in
        parents[depth] = match.group(2)
        if depth:
            assert by_name[parents[depth - 1]] in by_name[match.group(2)].__bases__, line
            checked += 1
    assert checked == len(by_name) - 1


def test_the_program_facing_errors_are_run_errors_and_the_rest_load_without_pulumi() -> None:
    from opsramp_jobs.lookups import OpsRampLookupError
    from opsramp_jobs.resource import InvalidInputsError, OpsRampInputError

    for error in (OpsRampLookupError, InvalidInputsError, OpsRampInputError):
        assert issubclass(error, pulumi.RunError)
    # The SDK wraps a ValueError raised while it reads inputs, with a traceback: not this one.
    assert not issubclass(InvalidInputsError, ValueError)
    imported = {
        node.names[0].name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(ast.parse((PACKAGE / "errors.py").read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
    }
    assert imported <= {"__future__", "collections.abc", "dataclasses", "typing"}


def test_the_old_import_paths_name_the_same_classes() -> None:
    from opsramp_jobs import model, presentation, settings
    from opsramp_jobs.model import common, job, problems

    for place in (opsramp_jobs, model, common):
        assert place.JobValidationError is errors.JobValidationError
    assert presentation.UserError is errors.UserError
    assert settings.SettingsError is errors.SettingsError
    assert job.errors_from is problems.errors_from


@pytest.mark.parametrize("error", exception_classes())
def test_describe_gives_every_error_of_the_tree_its_message(error: type[Exception]) -> None:
    instance = error.__new__(error)
    Exception.__init__(instance, "what happened; what to do")
    for attribute, value in (
        ("message", "what happened; what to do"),
        ("field_errors", []),
        ("errors", []),
    ):
        setattr(instance, attribute, value)
    assert describe(instance)


def test_a_bug_is_not_described() -> None:
    assert describe(KeyError("x")) is None


def test_the_model_has_no_import_inside_a_function() -> None:
    """The model's modules import one another at the top only: no hidden cycle.

    (An optional third-party package, e.g. icalendar for `Schedule.rrule`, may be imported where
    it is used: it cannot hide a cycle of the package's own modules.)
    """
    for source in (PACKAGE / "model").glob("*.py"):
        tree = ast.parse(source.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            inner = [
                node
                for node in ast.walk(function)
                if (
                    isinstance(node, ast.ImportFrom)
                    and (node.level or "opsramp_jobs" in (node.module or ""))
                )
                or (
                    isinstance(node, ast.Import)
                    and any("opsramp_jobs" in a.name for a in node.names)
                )
            ]
            assert not inner, f"{source.name}: {function.name} imports inside a function"
