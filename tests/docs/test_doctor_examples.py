"""Every example of doctor output in README.md and docs/ runs against the emulator: the same
exit code and the same first line as the page shows.

An example is a ```console block whose first line is `$ [VAR=value …] opsramp-jobs doctor …`
(`< /dev/null` allowed at the end; every example runs without a terminal) and whose other lines
are the output. The HTML comment right above it says what the page claims and needs:

    <!-- docs-test: exit=1 emulator="--quirks legacy-token-path" job=NAME run-job=SUFFIX -->

- `exit=N`: the exit code (required);
- `emulator=ARGS`: the emulator's command-line arguments (default: none);
- `job=NAME`: a job of that name in client_13 first; `run-job=SUFFIX`: a job named by one
  doctor run (`opsramp-jobs-acc-<run id>-SUFFIX`), both repeatable.

The page's emulator is http://127.0.0.1:8791 with the `OPSRAMP_*` settings of client_13
(docs/doctor.md); the test's runs on a free port, swapped for that URL before comparing.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from opsramp_jobs.client import client_for
from opsramp_jobs.doctor import FAR_FUTURE, new_run_id, run_prefix
from opsramp_jobs.settings import ConnectionSettings
from tests.docs.markdown import REPO_ROOT, Block, blocks, documents
from tests.support.emulator import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT13_TENANT,
    EmulatorProcess,
)

PAGE_URL = "http://127.0.0.1:8791"
_VARIABLE = re.compile(r"[A-Z_][A-Z0-9_]*=.*")


@dataclass(frozen=True)
class Example:
    """One documented doctor run: what to run, on what, and what the page says it prints."""

    block: Block
    environment: dict[str, str]
    arguments: list[str]  # after `opsramp-jobs`
    output: list[str]
    exit_code: int | None
    emulator_args: tuple[str, ...] = ()
    jobs: list[str] = field(default_factory=list)
    run_jobs: list[str] = field(default_factory=list)


def is_doctor_example(block: Block) -> bool:
    """A console block that starts with a doctor command line."""
    first = block.code.lstrip().split("\n", 1)[0]
    return block.language == "console" and first.startswith("$ ") and " doctor" in first


def parse(block: Block) -> Example:
    """The example a block shows (its command line split as a shell would)."""
    first, *output = block.code.strip("\n").splitlines()
    words = shlex.split(first.removeprefix("$ "))
    environment = {}
    while words and _VARIABLE.fullmatch(words[0]):
        name, _, value = words.pop(0).partition("=")
        environment[name] = value
    if words[-2:] == ["<", "/dev/null"]:
        words = words[:-2]
    assert words[:2] == ["opsramp-jobs", "doctor"], f"{block.where}: not a doctor command"
    needs = block.needs
    exit_code = int(needs["exit"][0]) if "exit" in needs else None
    return Example(
        block,
        environment,
        words[1:],
        output,
        exit_code,
        tuple(shlex.split(needs.get("emulator", [""])[0])),
        needs.get("job", []),
        needs.get("run-job", []),
    )


EXAMPLES = [parse(b) for path in documents() for b in blocks(path) if is_doctor_example(b)]


class Emulators:
    """One running emulator per set of arguments, reset before each example."""

    def __init__(self) -> None:
        self.running: dict[tuple[str, ...], EmulatorProcess] = {}

    def get(self, arguments: tuple[str, ...]) -> EmulatorProcess:
        """The emulator started with these arguments, with no jobs."""
        if arguments not in self.running:
            self.running[arguments] = EmulatorProcess(*arguments).start()
        emulator = self.running[arguments]
        emulator.reset()
        return emulator

    def stop(self) -> None:
        """Stop them all."""
        for emulator in self.running.values():
            emulator.stop()


@pytest.fixture(scope="module")
def emulators() -> Iterator[Emulators]:
    found = Emulators()
    try:
        yield found
    finally:
        found.stop()


def run(example: Example, emulator: EmulatorProcess) -> subprocess.CompletedProcess[str]:
    """The example's command against the emulator, after its jobs are made."""
    settings = ConnectionSettings(emulator.url, CLIENT13_KEY, CLIENT13_SECRET, CLIENT13_TENANT)
    prefix = run_prefix(new_run_id())
    with client_for(settings) as client:
        for name in [*example.jobs, *(prefix + suffix for suffix in example.run_jobs)]:
            body = {
                "name": name,
                "script": {"jobType": "adCheckList"},
                "schedule": {"startDate": FAR_FUTURE, "pattern": {"type": "never"}},
            }
            client.create_job(body)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPSRAMP_")}
    environment |= {
        "OPSRAMP_API_URL": emulator.url,
        "OPSRAMP_CLIENT_ID": CLIENT13_KEY,
        "OPSRAMP_CLIENT_SECRET": CLIENT13_SECRET,
        "OPSRAMP_TENANT_ID": CLIENT13_TENANT,
    }
    environment |= {k: v.replace(PAGE_URL, emulator.url) for k, v in example.environment.items()}
    return subprocess.run(
        [sys.executable, "-m", "opsramp_jobs"]
        + [word.replace(PAGE_URL, emulator.url) for word in example.arguments],
        cwd=REPO_ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def problems_of(example: Example, emulators: Emulators) -> list[str]:
    """How the doctor's run differs from the page: exit code, first line."""
    where = example.block.where
    if example.exit_code is None:
        return [f"{where}: no `<!-- docs-test: exit=N -->` above the example"]
    emulator = emulators.get(example.emulator_args)
    done = run(example, emulator)
    printed = (done.stdout + done.stderr).replace(emulator.url, PAGE_URL).splitlines()
    problems = []
    if done.returncode != example.exit_code:
        problems.append(f"{where}: exit {done.returncode}, the page says {example.exit_code}")
    first = printed[0] if printed else "(nothing)"
    shown = example.output[0] if example.output else "(nothing)"
    if first != shown:
        problems.append(f"{where}: first line\n  printed: {first}\n  the page: {shown}")
    return problems


def test_the_doctor_page_has_examples() -> None:
    pages = {example.block.file for example in EXAMPLES}
    assert "docs/doctor.md" in pages
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.block.where)
def test_a_documented_doctor_run_prints_what_the_page_shows(
    example: Example, emulators: Emulators
) -> None:
    problems = problems_of(example, emulators)
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_wrong_exit_code_and_first_line(emulators: Emulators) -> None:
    block = Block(
        path=REPO_ROOT / "docs" / "doctor.md",
        line=1,
        language="console",
        code="$ OPSRAMP_CLIENT_SECRET=wrong opsramp-jobs doctor\n✓ credentials  accepted\n",
        section="",
        needs={"exit": ["0"]},
    )
    problems = "\n".join(problems_of(parse(block), emulators))
    assert "exit 1, the page says 0" in problems
    assert f"printed: ✓ url          {PAGE_URL} answers (HTTP 404)" in problems
    unmarked = parse(Block(block.path, 1, "console", block.code, ""))
    assert problems_of(unmarked, emulators) == [
        "docs/doctor.md:1: no `<!-- docs-test: exit=N -->` above the example"
    ]
