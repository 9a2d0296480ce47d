"""Every ```python block of README.md runs as a user would run it: installed, deployed, typed.

How, once per run, for all blocks together:

1. A fresh Pulumi project in a temporary directory outside the repo, with its own virtualenv
   (`venv/`, named by `runtime.options.virtualenv`), into which the package is installed with
   the README's own Install command (`python -m pip install "./opsramp-jobs[emulator]"`, the
   clone's path replaced by this repo's). The packages come from a local wheelhouse built once
   per pyproject.toml (PIP_FIND_LINKS and PIP_NO_INDEX); the command line is the README's.
2. Each block becomes one module (`readme_md_l53.py`, padded with blank lines so that its line
   numbers are the README's), imported in order by the program's `__main__.py`. A block that
   raises is logged as an error naming its README line; the other blocks still run.
3. `pulumi preview`, `pulumi up`, then a preview that must find nothing to change, with the real
   CLI against the emulator (tests/e2e/project.py: private PULUMI_HOME, file backend, partner
   credentials, default tenant client_13).
4. `mypy --strict` with no plugins (a temporary config without `plugins`) on the modules, as
   a user's CI would check their program, and ruff's pyflakes rules (unused imports, undefined
   names), as an editor would flag them.

A block that needs something set up first says so in an HTML comment right above its fence,
invisible on the rendered page, so that the block itself stays plain and copy-pasteable:

    <!-- docs-test: job="client_13/Nightly backup" secret-config=cleanupToken -->
    ```python
    ...
    ```

- `job="<tenant>/<job name>[@<job id>]"`: a job of that name (and id) exists in OpsRamp before
  the program runs, for a block that looks a job up, reads it (`OpsRampJob.get`) or adopts it
  (`import_`, `adopt_id`). It is created through the emulator's raw API (an AD checklist, daily,
  no devices); OpsRamp chooses ids, so a wanted id is then set in the emulator's SQLite file
  (the tier runs an emulator of its own, on a file). Several `job=` items may be given, and the
  comment may span lines.
- `config=<key>=<value>`, `secret-config=<key>[=<value>]`: project config the block reads
  (`pulumi.Config().require_secret("cleanupToken")`), set on the stack before it runs.

All blocks share one stack, so resource names must be unique across them: a clash is reported
by name and block before anything runs (test_resource_names_are_unique_across_blocks).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docs.markdown import REPO_ROOT, Block
from tests.docs.snippet_program import (
    PROJECT_NAME,
    Findings,
    checker_findings,
    config_settings,
    deployment_findings,
    existing_job_body,
    existing_jobs,
    install_arguments,
    python_of,
    readme_python_blocks,
    resource_clashes,
    run_logged,
    summary,
    wheelhouse,
    write_program,
)
from tests.e2e.project import Project, Run
from tests.support.emulator import CLIENT13_TENANT, EmulatorProcess

pytestmark = pytest.mark.e2e

SNIPPETS = readme_python_blocks()
WHERE = [block.where for block in SNIPPETS]
PULUMI_YAML = (
    f"name: {PROJECT_NAME}\nruntime:\n  name: python\n  options:\n"
    "    toolchain: pip\n    virtualenv: venv\n"
)
MYPY_CONFIG = "[mypy]\nstrict = True\npython_version = 3.11\n"


@dataclass
class Installed:
    """The temporary project directory with the package installed in its `venv/`."""

    directory: Path
    venv: Path
    install_seconds: float


@dataclass
class Deployed:
    """The CLI runs over the program and what they reported per block."""

    preview: Run
    up: Run
    unchanged: Run | None
    findings: Findings


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A project directory outside the repo, its fresh venv, the package installed per README."""
    workdir = tmp_path_factory.mktemp("docs-snippets")
    assert not workdir.resolve().is_relative_to(REPO_ROOT)
    directory = workdir / "project"
    write_program(directory, SNIPPETS)
    venv = directory / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    arguments = install_arguments()
    wheels = wheelhouse(Path(sys.executable))
    env = {**os.environ, "PIP_FIND_LINKS": str(wheels), "PIP_NO_INDEX": "1"}
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    log = workdir / "install.log"
    code, seconds = run_logged(
        [str(python_of(venv)), "-m", "pip", "install", *arguments],
        log,
        cwd=directory,
        env=env,
        timeout=600,
    )
    assert code == 0, (
        f"`python -m pip install {' '.join(arguments)}` (README Install) exited {code}:\n"
        + log.read_text()[-4000:]
    )
    print(f"docs snippets: package installed in {seconds:.1f} s")
    return Installed(directory, venv, seconds)


@pytest.fixture(scope="module")
def typechecked(installed: Installed) -> tuple[int, str, Findings]:
    """`mypy --strict`, no plugins, on the program's modules, with the project venv's packages."""
    config = installed.directory.parent / "mypy.ini"
    config.write_text(MYPY_CONFIG + f"cache_dir = {installed.directory.parent / '.mypy_cache'}\n")
    files = sorted(p.name for p in installed.directory.glob("*.py"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--python-executable",
            str(python_of(installed.venv)),
            *files,
        ],
        cwd=installed.directory,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    return done.returncode, output, checker_findings(output, SNIPPETS)


@pytest.fixture(scope="module")
def docs_emulator(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmulatorProcess, Path]]:
    """An emulator of the tier's own, on a SQLite file the set-up can give jobs chosen ids in."""
    database = tmp_path_factory.mktemp("docs-emulator") / "jobs.db"
    with EmulatorProcess(db_path=database, rate_limit=False) as emulator:
        yield emulator, database


@pytest.fixture(scope="module")
def deployed(
    installed: Installed,
    docs_emulator: tuple[EmulatorProcess, Path],
    docs_pulumi_home: Path,
) -> Deployed:
    """preview, up and a no-change preview of the program against the tier's emulator."""
    emulator, database = docs_emulator
    project = Project(installed.directory.parent, emulator.url, docs_pulumi_home)
    # Project wrote its own Pulumi.yaml and example program; this project has its own.
    assert project.dir == installed.directory
    (project.dir / "Pulumi.yaml").write_text(PULUMI_YAML)
    write_program(project.dir, SNIPPETS)
    create_existing_jobs(emulator, database)
    project.new_stack("dev", CLIENT13_TENANT)
    for key, value, secret in config_settings(SNIPPETS):
        project.config(key, value, secret=secret)
    findings = Findings()
    preview = project.run("preview", check=False)
    up = project.run("up", "--yes", "--skip-preview", check=False)
    for command, run in (("pulumi preview", preview), ("pulumi up", up)):
        found = deployment_findings(run.output, SNIPPETS, command)
        for where, messages in found.by_block.items():
            for message in messages:
                findings.add(where, message)
        findings.unattributed += found.unattributed
    unchanged = (
        project.run("preview", "--expect-no-changes", check=False) if up.returncode == 0 else None
    )
    return Deployed(preview, up, unchanged, findings)


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Findings]:
    """ruff's pyflakes rules (F) and syntax errors (E9) on the blocks, with no project config."""
    directory = tmp_path_factory.mktemp("docs-snippets-lint")
    write_program(directory, SNIPPETS)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            "F,E9",
            "--output-format",
            "concise",
            *sorted(p.name for p in directory.glob("*.py")),
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    return done.returncode, output, checker_findings(output, SNIPPETS)


def create_existing_jobs(emulator: EmulatorProcess, database: Path) -> None:
    """The jobs the blocks' `job=` markers ask for, made through the emulator's raw API.

    OpsRamp's API chooses job ids, so a job a block names by id (`OpsRampJob.get`, `import_`)
    is made like any other and then given that id in the emulator's SQLite file.
    """
    session = emulator.api_session()
    try:
        for job in existing_jobs(SNIPPETS):
            created = session.post(
                emulator.jobs_url(job.tenant), json=existing_job_body(job.name), timeout=10
            )
            assert created.ok, (
                f"set-up for {job.block}: creating job {job.name!r}: "
                f"{created.status_code} {created.text}"
            )
            if job.job_id is not None:
                rekey_job(database, str(created.json()["id"]), job.job_id)
    finally:
        session.close()


def rekey_job(database: Path, old_id: str, new_id: str) -> None:
    """Give a stored job another id (the emulator's `jobs` table keeps it in `id` and the body)."""
    with closing(sqlite3.connect(database, timeout=10, isolation_level=None)) as db:
        changed = db.execute(
            "UPDATE jobs SET id = ?, body = json_set(body, '$.id', ?) WHERE id = ?",
            (new_id, new_id, old_id),
        ).rowcount
    assert changed == 1, f"job {old_id} not found in {database} to give it id {new_id}"


def test_readme_has_python_blocks() -> None:
    assert SNIPPETS, "README.md has no ```python block"


def test_resource_names_are_unique_across_blocks() -> None:
    clashes = resource_clashes(SNIPPETS)
    assert not clashes, "\n".join(clashes)


@pytest.mark.parametrize("block", SNIPPETS, ids=WHERE)
def test_block_type_checks_under_plain_mypy_strict(
    block: Block, typechecked: tuple[int, str, Findings]
) -> None:
    _, _, findings = typechecked
    problems = findings.by_block.get(block.where, [])
    assert not problems, f"mypy --strict (no plugins) on the block at {block.where}:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("block", SNIPPETS, ids=WHERE)
def test_block_has_no_unused_or_undefined_names(
    block: Block, linted: tuple[int, str, Findings]
) -> None:
    _, _, findings = linted
    problems = findings.by_block.get(block.where, [])
    assert not problems, f"ruff (pyflakes rules) on the block at {block.where}:\n" + "\n".join(
        problems
    )


def test_program_type_checks_clean(typechecked: tuple[int, str, Findings]) -> None:
    code, output, _ = typechecked
    assert code == 0, f"mypy --strict (no plugins) on the README's blocks:\n{output[-6000:]}"


@pytest.mark.parametrize("block", SNIPPETS, ids=WHERE)
def test_block_previews_and_deploys(block: Block, deployed: Deployed) -> None:
    problems = deployed.findings.by_block.get(block.where, [])
    assert not problems, f"the block at {block.where} failed:\n" + "\n".join(problems)


def test_program_previews_deploys_then_finds_nothing_to_change(deployed: Deployed) -> None:
    for run in (deployed.preview, deployed.up):
        assert run.returncode == 0, (
            f"pulumi {' '.join(run.args)} exited {run.returncode}; by block:\n"
            f"{summary(deployed.findings)}\n--- output:\n{run.output[-4000:]}"
        )
    assert deployed.unchanged is not None
    assert deployed.unchanged.returncode == 0, deployed.unchanged.output[-4000:]
