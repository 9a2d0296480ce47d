"""The shell commands in README.md and docs/ name scripts, modules and flags that exist."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

from tests.docs.markdown import REPO_ROOT, Block, blocks, documents
from tests.docs.snippet_program import PROGRAM_PAGES

SHELL = ("bash", "sh", "shell", "console")
# A path into the repo's own folders (not .quickstart/ or a user's files).
_REPO_PATH = re.compile(
    r"(?<![\w./$-])((?:\./)?(?:scripts|tools|tests|benchmarks|docs|\.ci)/[\w./-]*[\w/])"
)
_MODULE = re.compile(r"\bpython3?\s+-m\s+([\w.]+)((?:[^|;&)]*))")
_SCRIPT = re.compile(r"((?:\./)?scripts/[\w.-]+\.sh)((?:[^|;&)]*))")
_FLAG = re.compile(r"(?<![\w-])(--(?!help\b)[a-z][\w-]*)")  # argparse gives --help
OUR_PACKAGES = ("opsramp_jobs", "benchmarks", "tests")


def shell_blocks() -> list[Block]:
    """Every shell block of README.md and docs/*.md."""
    return [b for path in documents() for b in blocks(path) if b.language in SHELL]


def command_lines(block: Block) -> list[tuple[int, str]]:
    """``(README line, command)`` with continuation lines joined and comments dropped."""
    found: list[tuple[int, str]] = []
    pending, start = "", 0
    for offset, raw in enumerate(block.code.splitlines()):
        line = raw.strip().removeprefix("$ ")
        if not pending:
            start = block.line + offset
        if line.startswith("#"):
            continue
        line = re.sub(r"\s+#\s.*$", "", line)
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        found.append((start, pending + line))
        pending = ""
    return [(number, text) for number, text in found if text.strip()]


def module_source(module: str) -> str:
    """The source text of a module, or of every file of a package."""
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    origin = Path(spec.origin)
    files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
    return "\n".join(f.read_text() for f in files)


def problems_of(block: Block) -> list[str]:
    """Every script, path, module or flag a block names that the repo does not have."""
    problems = []
    for number, command in command_lines(block):
        where = f"{block.file}:{number}"
        for path in _REPO_PATH.findall(command):
            if not (REPO_ROOT / path).exists():
                problems.append(f"{where}: {path} does not exist (`{command}`)")
        for script, rest in _SCRIPT.findall(command):
            file = REPO_ROOT / script
            if file.exists():
                text = file.read_text()
                # A script that hands its arguments to a module (`python -m x "$@"`) takes the
                # module's options too.
                for forwarded in re.findall(r'-m ([\w.]+) "\$@"', text):
                    text += module_source(forwarded)
                problems += [
                    f"{where}: {script} has no option {flag} (`{command}`)"
                    for flag in _FLAG.findall(rest)
                    if flag not in text
                ]
        for module, rest in _MODULE.findall(command):
            if module.split(".")[0] not in OUR_PACKAGES:
                continue
            spec = importlib.util.find_spec(module)
            if spec is None:
                problems.append(f"{where}: no module {module} (`{command}`)")
                continue
            is_package = spec.submodule_search_locations is not None
            if is_package and importlib.util.find_spec(f"{module}.__main__") is None:
                problems.append(
                    f"{where}: package {module} has no __main__.py, so "
                    f"`python -m {module}` cannot run (`{command}`)"
                )
                continue
            source = module_source(module)
            problems += [
                f"{where}: `python -m {module}` has no option {flag} (`{command}`)"
                for flag in _FLAG.findall(rest)
                if flag not in source
            ]
    return problems


@pytest.mark.parametrize("block", shell_blocks(), ids=lambda b: b.where)
def test_commands_name_what_exists(block: Block) -> None:
    problems = problems_of(block)
    assert not problems, "\n".join(problems)


def test_the_checker_catches_a_missing_script_module_and_flag() -> None:
    bogus = Block(
        path=REPO_ROOT / "README.md",
        line=1,
        language="bash",
        code=(
            "bash scripts/nope.sh\n"
            "bash scripts/quickstart.sh --no-such-flag\n"
            "python -m opsramp_jobs.nothing_here\n"
            "python -m opsramp_jobs.emulator --no-such-option\n"
        ),
        section="",
    )
    problems = "\n".join(problems_of(bogus))
    assert "scripts/nope.sh does not exist" in problems
    assert "scripts/quickstart.sh has no option --no-such-flag" in problems
    assert "no module opsramp_jobs.nothing_here" in problems
    assert "has no option --no-such-option" in problems


def docs_python_blocks() -> list[Block]:
    """The ```python blocks of docs/*.md that are API sketches (the program pages' are run)."""
    return [
        b
        for path in documents()[1:]
        if path not in PROGRAM_PAGES
        for b in blocks(path)
        if b.language in ("python", "py")
    ]


@pytest.mark.parametrize("block", docs_python_blocks(), ids=lambda b: b.where)
def test_docs_python_blocks_parse_and_import_what_exists(block: Block) -> None:
    tree = ast.parse(block.code, filename=block.where)
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.module is None:
            continue
        if node.module.split(".")[0] not in OUR_PACKAGES:
            continue
        where = f"{block.file}:{block.line + node.lineno - 1}"
        if importlib.util.find_spec(node.module) is None:
            problems.append(f"{where}: no module {node.module}")
            continue
        module = importlib.import_module(node.module)
        problems += [
            f"{where}: {node.module} has no {alias.name}"
            for alias in node.names
            if not hasattr(module, alias.name)
        ]
    assert not problems, "\n".join(problems)
