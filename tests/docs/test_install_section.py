"""README "Install" says what pyproject.toml says, in commands and requirement lines that parse.

Running the install itself is test_snippets.py's job (it installs per this section).
"""

from __future__ import annotations

import re
import shlex
import tomllib

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

from tests.docs.markdown import README, REPO_ROOT, section_blocks
from tests.docs.snippet_program import install_arguments, pip_install_arguments

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
PACKAGE = PYPROJECT["project"]["name"]
EXTRAS = set(PYPROJECT["project"].get("optional-dependencies", {}))
# A host a reader substitutes: the README must not name a git host the project does not have.
_PLACEHOLDER_URL = re.compile(r"^git\+https://<[^>]+>/")


def install_text() -> str:
    """The README's Install section, from its heading to the next one."""
    text = README.read_text()
    match = re.search(r"^## Install\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Install' section"
    return match.group(1)


def pip_requirements() -> list[str]:
    """Every non-option argument of a `pip install` in the Install section's shell blocks."""
    found = []
    for block in section_blocks(README, "Install"):
        if block.language not in ("bash", "sh", "shell", "console"):
            continue
        for line in block.code.splitlines():
            arguments = pip_install_arguments(shlex.split(line, comments=True)) or []
            found += [a for a in arguments if not a.startswith("-")]
    return found


def requirement_lines() -> list[str]:
    """The lines of the Install section's requirements.txt block (```text)."""
    lines = []
    for block in section_blocks(README, "Install"):
        if block.language in ("text", "txt", "requirements"):
            lines += [
                line.split(" #")[0].strip()
                for line in block.code.splitlines()
                if line.strip() and not line.lstrip().startswith("#")
            ]
    return lines


def check_our_requirement(requirement: Requirement, where: str) -> list[str]:
    """Extras that exist, and a git URL on a placeholder host."""
    problems = [
        f"{where}: extra [{extra}] is not in pyproject.toml {sorted(EXTRAS)}"
        for extra in requirement.extras - EXTRAS
    ]
    if requirement.url and not _PLACEHOLDER_URL.match(requirement.url):
        problems.append(f"{where}: {requirement.url} should name a placeholder git host")
    return problems


def test_install_from_a_clone_is_there() -> None:
    arguments = install_arguments()
    assert any(a.startswith(str(REPO_ROOT)) for a in arguments)


def test_pip_arguments_are_the_clone_or_valid_requirements() -> None:
    problems = []
    arguments = pip_requirements()
    assert any(PACKAGE in a and "git+" in a for a in arguments), (
        "README Install has no `pip install` from a git URL"
    )
    for argument in arguments:
        if argument.startswith((".", "/", "~")):
            continue  # the clone; test_snippets.py installs it
        try:
            requirement = Requirement(argument)
        except InvalidRequirement as error:
            problems.append(f"`{argument}`: {error}")
            continue
        if requirement.name == PACKAGE:
            problems += check_our_requirement(requirement, f"`{argument}`")
    assert not problems, "\n".join(problems)


def test_requirements_txt_lines_parse_and_match_pyproject() -> None:
    lines = requirement_lines()
    assert lines, "README Install has no requirements.txt block (```text)"
    dependencies = {
        Requirement(d).name: Requirement(d).specifier for d in PYPROJECT["project"]["dependencies"]
    }
    problems: list[str] = []
    named = set()
    for line in lines:
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            problems.append(f"`{line}`: {error}")
            continue
        named.add(requirement.name)
        if requirement.name == PACKAGE:
            problems += check_our_requirement(requirement, f"`{line}`")
        elif requirement.name in dependencies and requirement.specifier != SpecifierSet(
            str(dependencies[requirement.name])
        ):
            problems.append(
                f"`{line}`: pyproject.toml requires {requirement.name}"
                f"{dependencies[requirement.name]}"
            )
    assert PACKAGE in named, f"the requirements.txt block does not list {PACKAGE}"
    assert not problems, "\n".join(problems)


def test_python_version_and_cli_notes_match_the_project() -> None:
    text = install_text()
    minimum = re.fullmatch(r">=\s*([\d.]+)", PYPROJECT["project"]["requires-python"])
    assert minimum, PYPROJECT["project"]["requires-python"]
    assert f"Python ≥ {minimum.group(1)}" in text
    assert "pulumi" in text
    assert "docs/toolchain.md" in text
