"""The typed API as plain type checkers see it: no pydantic plugin, snake_case constructors.

Pydantic models reach type checkers through ``dataclass_transform``; with wire names given as
``alias=`` they would expect ``startDate=``/``jobType=``. These tests run plain ``mypy --strict``
(a temporary config, no plugins) and, when installed, pyright in strict mode over
tests/model/typed_sample.py, which uses every model class in the README's style, plus a program
with known mistakes, which must be reported (so the check can fail), and over the model package
itself.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opsramp_jobs.model import (
    Approval,
    ConfigParams,
    CredentialSet,
    Device,
    Entity,
    Job,
    Schedule,
    ScriptParameter,
    ScriptRef,
)
from opsramp_jobs.model.schedule import PATTERN_CLASSES
from opsramp_jobs.model.scripts import SCRIPT_CLASSES

SCRIPT_AND_PATTERN_CLASSES = (*SCRIPT_CLASSES, *PATTERN_CLASSES)
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).with_name("typed_sample.py")
MODEL = ROOT / "opsramp_jobs" / "model"
# Mistakes a plain type checker must report, by line: wire names and wrong value types.
MISTAKES = {
    "Weekly(weekDays=['Monday'])": "weekDays",
    "Schedule(startDate='2026-12-01T02:30:00Z', pattern=EveryDay())": "startDate",
    "AdCheckList(jobType='adCheckList')": "jobType",
    "EveryNDays(repeat_frequency='2')": "repeat_frequency",
    "Schedule(start_date=20261201, pattern=EveryDay())": "start_date",
}
BAD_PROGRAM = (
    "from opsramp_jobs import AdCheckList, EveryDay, EveryNDays, Schedule, Weekly\n\n"
    + "".join(f"{call}\n" for call in MISTAKES)
)
MYPY_CONFIG = """\
[mypy]
python_version = 3.11
strict = True

[mypy-grpc.*,dill.*,google.protobuf.*]
ignore_missing_imports = True
"""


def _errors_by_line(output: str, path: Path) -> dict[int, str]:
    found: dict[int, str] = {}
    for line in output.splitlines():
        match = re.search(rf"{re.escape(path.name)}:(\d+)[:\d]* -? ?error: (.*)", line)
        if match:
            number = int(match.group(1))
            found[number] = found.get(number, "") + match.group(2) + "\n"
    return found


def _assert_checked(output: str, bad: Path) -> None:
    assert f"{SAMPLE.name}:" not in output, output
    assert "opsramp_jobs/model/" not in output, output
    errors = _errors_by_line(output, bad)
    for number, (call, needle) in enumerate(MISTAKES.items(), start=3):
        assert number in errors, f"not reported: {call}\n{output}"
        assert needle in errors[number], errors[number]


def test_plain_mypy_strict_accepts_the_typed_style_and_reports_mistakes(tmp_path: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text(MYPY_CONFIG)
    bad = tmp_path / "bad_program.py"
    bad.write_text(BAD_PROGRAM)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",  # kept between runs (git-ignored): a warm check takes seconds
            str(ROOT / ".mypy_cache" / "plain-typed-sample"),
            str(SAMPLE),
            str(MODEL),
            str(bad),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "pydantic" not in config.read_text()
    _assert_checked(output, bad)
    assert f"Found {len(MISTAKES)} errors in 1 file" in output, output


def test_pyright_strict_accepts_the_typed_style_and_reports_mistakes(tmp_path: Path) -> None:
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent))
    if pyright is None:
        pytest.skip("pyright is not installed (pip install pyright)")
    bad = tmp_path / "bad_program.py"
    bad.write_text(BAD_PROGRAM)
    config = tmp_path / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "strict",
                "pythonVersion": "3.11",
                "extraPaths": [str(ROOT)],
                # The mistakes file only holds expressions: their values are unused on purpose.
                "reportUnusedExpression": False,
                "reportUnusedCallResult": False,
            }
        )
    )
    result = subprocess.run(
        [pyright, "-p", str(config), str(SAMPLE), str(MODEL), str(bad)],
        # The PyPI wrapper runs its bundled pyright on the node found on PATH; this stops it
        # asking PyPI for a newer version on every run.
        env={**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=240,
    )
    output = result.stdout + result.stderr
    _assert_checked(output, bad)


@pytest.mark.parametrize(
    "cls",
    [
        *SCRIPT_AND_PATTERN_CLASSES,
        Approval,
        ConfigParams,
        CredentialSet,
        Device,
        Entity,
        Job,
        Schedule,
        ScriptParameter,
        ScriptRef,
    ],
)
def test_constructors_are_documented_with_python_names(cls: type) -> None:
    """``help(Weekly)`` shows ``week_days``: the signature uses the names the README uses."""
    parameters = inspect.signature(cls).parameters
    for name in parameters:
        assert name == name.lower(), f"{cls.__name__}({name}=...)"
    fields = set(cls.model_fields)  # type: ignore[attr-defined]
    assert set(parameters) == fields


def test_tag_fields_have_defaults() -> None:
    """``AdCheckList()`` and ``EveryDay()`` need no argument: their tags are defaults."""
    for cls in SCRIPT_AND_PATTERN_CLASSES:
        required = [
            name
            for name, field in cls.model_fields.items()
            if field.is_required() and name in ("job_type", "type", "frequency")
        ]
        assert required == [], cls.__name__
