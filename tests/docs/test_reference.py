"""docs/reference.md is generated from the code (scripts/gen_reference.py) and kept current."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

import opsramp_jobs

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATOR = REPO_ROOT / "scripts" / "gen_reference.py"
REFERENCE = REPO_ROOT / "docs" / "reference.md"


def generate(*args: str, hash_seed: str = "0") -> subprocess.CompletedProcess[str]:
    """Run the generator as a user would, from the repo root."""
    return subprocess.run(
        [sys.executable, str(GENERATOR), *args],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_generator() -> ModuleType:
    """scripts/gen_reference.py as a module, to call it in this process."""
    spec = importlib.util.spec_from_file_location("gen_reference", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_reference_is_up_to_date() -> None:
    checked = generate("--check")
    assert checked.returncode == 0, (
        "docs/reference.md differs from what the code generates; run "
        "`python scripts/gen_reference.py` and commit it:\n" + checked.stdout[-8000:]
    )


def test_check_fails_with_a_diff_when_the_page_is_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "reference.md"
    stale.write_text(REFERENCE.read_text().replace("OpsRampJob", "OpsRampJub", 1))
    generator = load_generator()
    assert generator.main(["--check", "--output", str(stale)]) == 1
    printed = capsys.readouterr()
    assert "-# API reference" not in printed.out  # a diff of the change, not of everything
    assert "-### `OpsRampJub`" in printed.out
    assert "+### `OpsRampJob`" in printed.out
    assert "out of date" in printed.err


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    target = tmp_path / "reference.md"
    written = generate("--output", str(target), hash_seed="12345")
    assert written.returncode == 0, written.stderr
    assert target.read_text() == load_generator().generate()


def test_every_exported_name_and_model_field_is_documented() -> None:
    page = REFERENCE.read_text()
    missing = [name for name in opsramp_jobs.__all__ if f"`{name}`" not in page]
    for name in opsramp_jobs.__all__:
        value = getattr(opsramp_jobs, name)
        if isinstance(value, type) and issubclass(value, BaseModel):
            missing += [
                f"{name}.{field}" for field in value.model_fields if f"| `{field}` |" not in page
            ]
    assert not missing, f"not in docs/reference.md: {missing}"
