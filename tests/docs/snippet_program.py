"""One Pulumi program made of the README's ```python blocks: build it, read its results."""

from __future__ import annotations

import ast
import fcntl
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tests.docs.markdown import DOCS, README, REPO_ROOT, Block, blocks, section_blocks

# Classes whose first positional argument is a Pulumi resource name (a URN part): two blocks
# declaring the same (class, name) cannot share a stack.
RESOURCE_CLASSES = frozenset({"OpsRampJob", "OpsRampJobSet"})
PROJECT_NAME = "docs-snippets"
# Where the packages for the fresh virtualenv come from after the first run (see wheelhouse()).
WHEEL_CACHE = Path(
    os.environ.get("OPSRAMP_DOCS_WHEELS", Path.home() / ".cache" / "opsramp-jobs" / "docs-wheels")
)
INSTALL_TIMEOUT_SECONDS = 600
# Also in the wheelhouse: a current pip, for tests that run `pip install --upgrade pip` offline
# (tests/e2e/test_quickstart.py: it is the new pip that shows setuptools' banners).
WHEELHOUSE_EXTRAS = "pip"
PLACEHOLDER_SECRET = "docs-test-secret-value"
_CLONE_SPEC = re.compile(
    r"^(?P<path>(?:\.{1,2}/|/|~/)?[\w.~/-]*opsramp-jobs/?)(?P<extras>\[[\w,-]+\])?$"
)


# Pages of docs/ whose ```python blocks are programs, run with the README's (the other pages'
# blocks are API sketches: tests/docs/test_commands.py checks their imports).
PROGRAM_PAGES = (DOCS / "jobs.md", DOCS / "lookups.md")


def readme_python_blocks() -> list[Block]:
    """The README's ```python blocks, then those of PROGRAM_PAGES, in order."""
    return [
        block
        for path in (README, *PROGRAM_PAGES)
        for block in blocks(path)
        if block.language in ("python", "py")
    ]


def declared_resources(block: Block) -> list[tuple[str, str]]:
    """``(class, resource name)`` of each literal resource declaration in a block."""
    try:
        tree = ast.parse(block.code)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        callee = node.func
        name = callee.id if isinstance(callee, ast.Name) else None
        if isinstance(callee, ast.Attribute):
            # OpsRampJob.get("name", id) registers a (read) resource under that name too.
            owner = callee.value
            name = owner.id if isinstance(owner, ast.Name) and callee.attr == "get" else None
        first = node.args[0]
        if name in RESOURCE_CLASSES and isinstance(first, ast.Constant):
            found.append((name, str(first.value)))
    return found


def resource_clashes(snippets: list[Block]) -> list[str]:
    """One line per resource name declared by more than one block."""
    owners: dict[tuple[str, str], list[str]] = {}
    for block in snippets:
        for declared in declared_resources(block):
            owners.setdefault(declared, []).append(block.where)
    return [
        f"{cls}({name!r}) is declared in {' and '.join(wheres)}: resource names must be "
        "unique across the README's blocks (they run as one program)"
        for (cls, name), wheres in owners.items()
        if len(wheres) > 1
    ]


# --------------------------------------------------------------------------------------------
# Install, exactly as the README says
# --------------------------------------------------------------------------------------------


def install_arguments() -> list[str]:
    """The README Install section's `pip install` of a clone, the clone's path made this repo.

    Raises AssertionError naming what is missing when the section has no such command.
    """
    install = section_blocks(README, "Install")
    assert install, "README.md has no '## Install' section with a code block"
    for block in install:
        if block.language not in ("bash", "sh", "shell", "console"):
            continue
        for line in block.code.splitlines():
            words = shlex.split(line.removeprefix("$ "), comments=True)
            arguments = pip_install_arguments(words)
            if arguments is None:
                continue
            for index, argument in enumerate(arguments):
                clone = _CLONE_SPEC.match(argument)
                if clone and "@" not in argument:
                    return [
                        *arguments[:index],
                        f"{REPO_ROOT}{clone.group('extras') or ''}",
                        *arguments[index + 1 :],
                    ]
    raise AssertionError(
        "README.md '## Install' has no `python -m pip install \"./opsramp-jobs[emulator]\"` "
        "(an install from a clone) in a ```bash block"
    )


def pip_install_arguments(words: list[str]) -> list[str] | None:
    """What follows `pip install` / `python -m pip install` in a command, or None."""
    for start in range(len(words)):
        head = words[start:]
        if head[:2] in (["pip", "install"], ["pip3", "install"]):
            return head[2:]
        if len(head) >= 4 and head[1:4] == ["-m", "pip", "install"]:
            return head[4:]
    return None


def wheelhouse(repo_python: Path) -> Path:
    """A local directory of wheels for every dependency of the package (and its build backend).

    Built once per pyproject.toml (downloads from the package index), then reused: pip's own
    HTTP cache does not keep these downloads on this machine, and a fresh install over the
    network costs 45-60 s here against about 25 s from local wheels.
    """
    pyproject = (REPO_ROOT / "pyproject.toml").read_bytes()
    key = hashlib.sha256(pyproject + WHEELHOUSE_EXTRAS.encode()).hexdigest()[:16]
    target = WHEEL_CACHE / key
    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    with open(WHEEL_CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / ".complete").exists():
            return target
        building = WHEEL_CACHE / f"{key}.tmp"
        shutil.rmtree(building, ignore_errors=True)
        build_requires = tomllib.loads(pyproject.decode())["build-system"]["requires"]
        optional = tomllib.loads(pyproject.decode())["project"].get("optional-dependencies", {})
        extras = ",".join(sorted(optional))
        spec = f"{REPO_ROOT}[{extras}]" if extras else str(REPO_ROOT)
        done = subprocess.run(
            [
                str(repo_python),
                "-m",
                "pip",
                "wheel",
                "-q",
                "-w",
                str(building),
                spec,
                *build_requires,
                *WHEELHOUSE_EXTRAS.split(),
            ],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"building the wheelhouse failed:\n{done.stderr[-4000:]}")
        for own in building.glob("opsramp_jobs-*.whl"):
            own.unlink()  # the package itself is always built from the clone
        (building / ".complete").touch()
        shutil.rmtree(target, ignore_errors=True)
        building.rename(target)
        for stale in WHEEL_CACHE.iterdir():  # wheelhouses of earlier pyproject.toml versions
            if stale.is_dir() and stale != target:
                shutil.rmtree(stale, ignore_errors=True)
    return target


# --------------------------------------------------------------------------------------------
# The program
# --------------------------------------------------------------------------------------------

HARNESS = '''\
"""Runs the README's Python blocks, one module each, as one Pulumi program."""

import importlib
import traceback

import pulumi

SNIPPETS: list[tuple[str, str]] = {snippets!r}

failed: list[str] = []
for module, where in SNIPPETS:
    try:
        importlib.import_module(module)
    except Exception as error:  # report every failing block, not just the first
        frames = traceback.extract_tb(error.__traceback__)
        line = next((f.lineno for f in reversed(frames) if f.filename.endswith(module + ".py")), 0)
        at = where.rsplit(":", 1)[0] + f":{{line}}" if line else where
        problem = f"{{type(error).__name__}}: {{error}}"
        pulumi.log.error(f"docs-snippet {{where}} failed at {{at}}: {{problem}}")
        failed.append(where)
if failed:
    raise pulumi.RunError(f"README blocks that failed: {{', '.join(failed)}}")
'''


def write_program(directory: Path, snippets: list[Block]) -> Path:
    """One module per block (padded so line N is README line N) and the harness __main__.py."""
    directory.mkdir(parents=True, exist_ok=True)
    for block in snippets:
        (directory / f"{block.module}.py").write_text("\n" * (block.line - 1) + block.code)
    main = directory / "__main__.py"
    main.write_text(HARNESS.format(snippets=[(b.module, b.where) for b in snippets]))
    return main


@dataclass
class Findings:
    """What went wrong, by block (``README.md:53``) or for the program as a whole."""

    by_block: dict[str, list[str]] = field(default_factory=dict)
    unattributed: list[str] = field(default_factory=list)

    def add(self, where: str | None, message: str) -> None:
        """Record a problem of one block (or of none in particular)."""
        if where is None:
            self.unattributed.append(message)
        else:
            self.by_block.setdefault(where, []).append(message)


def checker_findings(output: str, snippets: list[Block]) -> Findings:
    """A checker's ``file.py:line:[col:] message`` lines, attributed to blocks by module file.

    The modules are padded so that their line numbers are the README's; mypy's notes are
    dropped, its errors and every ruff finding kept.
    """
    by_module = {f"{block.module}.py": block for block in snippets}
    findings = Findings()
    for line in output.splitlines():
        match = re.match(r"^(?P<file>[^:\s]+\.py):(?P<line>\d+):(?:\d+:)? (?P<rest>.*)$", line)
        if match is None or match.group("rest").startswith("note:"):
            continue
        block = by_module.get(Path(match.group("file")).name)
        if block is None:
            findings.add(None, line)
        else:
            place = f"{block.file}:{match.group('line')}"
            findings.add(block.where, f"{place}: {match.group('rest')}")
    return findings


_DIAGNOSTIC_HEADER = re.compile(r"^  (?P<type>\S+) \((?P<name>[^)]+)\):$")


def deployment_findings(output: str, snippets: list[Block], command: str) -> Findings:
    """Errors of a `pulumi preview`/`up` attributed to the block whose resource or import failed.

    Reads the CLI's "Diagnostics:" section: the harness logs each failing block as
    `docs-snippet README.md:53 failed at ...`, a resource error sits under its resource's name.
    """
    owner = {name: block.where for block in snippets for _, name in declared_resources(block)}
    findings = Findings()
    diagnostics = output.split("\nDiagnostics:\n", 1)
    if len(diagnostics) < 2:
        return findings
    current: str | None = None
    text: list[str] = []

    def flush() -> None:
        body = "\n".join(text).strip()
        if current is not None and body:
            where = _resource_owner(current, owner)
            for snippet in re.finditer(r"docs-snippet (\S+) failed at (.*)", body):
                findings.add(snippet.group(1), f"{command}: {snippet.group(2)}")
            rest = re.sub(r"(?m)^.*docs-snippet \S+ failed at .*$", "", body).strip()
            if rest and "error" in rest:
                findings.add(where, f"{command}, resource {current!r}:\n{rest}")

    for line in diagnostics[1].splitlines():
        header = _DIAGNOSTIC_HEADER.match(line)
        if header:
            flush()
            current, text = header.group("name"), []
        elif line.startswith(("Resources:", "Outputs:", "Duration:")) or (
            line and not line.startswith(" ")
        ):
            break
        else:
            text.append(line)
    flush()
    return findings


def _resource_owner(name: str, owner: dict[str, str]) -> str | None:
    """The block that declared a resource (a set's child `set-tenant` belongs to the set)."""
    if name in owner:
        return owner[name]
    for declared, where in owner.items():
        if name.startswith(f"{declared}-"):
            return where
    return None


def run_logged(command: list[str], log: Path, **kwargs: object) -> tuple[int, float]:
    """Run a command with its output in a log file; its exit code and wall time."""
    started = time.perf_counter()
    with log.open("w") as sink:
        done = subprocess.run(  # type: ignore[call-overload]
            command, stdout=sink, stderr=subprocess.STDOUT, check=False, **kwargs
        )
    return int(done.returncode), time.perf_counter() - started


def config_settings(snippets: list[Block]) -> list[tuple[str, str, bool]]:
    """``(key, value, secret)`` of the config the blocks' markers ask for."""
    settings = []
    for block in snippets:
        for kind in ("config", "secret-config"):
            for item in block.needs.get(kind, []):
                key, _, value = item.partition("=")
                if kind == "config" and not value:
                    raise AssertionError(
                        f"{block.where}: config={item!r} needs a value (key=value)"
                    )
                settings.append(
                    (f"{PROJECT_NAME}:{key}", value or PLACEHOLDER_SECRET, kind != "config")
                )
    return settings


@dataclass(frozen=True)
class ExistingJob:
    """A job a block needs in OpsRamp before the program runs (its `job=` marker)."""

    block: str
    tenant: str
    name: str
    job_id: str | None  # a block that names a job by id (OpsRampJob.get, import_) needs that id


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def existing_jobs(snippets: list[Block]) -> list[ExistingJob]:
    """The jobs the blocks' markers need: `job="<tenant>/<name>[@<id>]"`."""
    jobs = []
    for block in snippets:
        for item in block.needs.get("job", []):
            tenant, sep, name = item.partition("/")
            job_id: str | None = None
            head, at, tail = name.rpartition("@")
            if at and _UUID.match(tail):
                name, job_id = head, tail
            if not sep or not name:
                raise AssertionError(
                    f"{block.where}: job={item!r} must be '<tenant>/<job name>[@<job id>]'"
                )
            jobs.append(ExistingJob(block.where, tenant, name, job_id))
    return jobs


def existing_job_body(name: str) -> dict[str, object]:
    """The body of a job the set-up creates: an AD checklist, every day."""
    return {
        "name": name,
        "jobQueued": False,
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": "2026-12-01T02:30:00+0000",
            "pattern": {"type": "daily", "frequency": "everyday"},
        },
    }


def summary(findings: Findings) -> str:
    """Problems as text, by block."""
    parts = [
        f"{where}:\n  " + "\n  ".join(m for m in messages)
        for where, messages in sorted(findings.by_block.items())
        if messages
    ]
    parts += findings.unattributed
    return "\n".join(parts)


def python_of(venv: Path) -> Path:
    """The interpreter of a virtualenv."""
    return venv / "bin" / "python"
