"""A newcomer's project and its virtualenv, under the real `pulumi` CLI and the project's host.

The README's Install makes the virtualenv by hand; these are the paths around it: a virtualenv
that is not there is made by `pulumi install` and by `preview` (as Pulumi's own host does), one
that is broken is refused with the commands that make it, an SDK missing from it is named, and
`pulumi about` reports its interpreter. pip installs from local wheels only (`PIP_NO_INDEX`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.snippet_program import wheelhouse
from tests.e2e.project import REPO_VENV, Project, Run
from tests.toolchain.host import TINY, offline_pip, tiny_wheel

pytestmark = pytest.mark.e2e

PROGRAM = 'import pulumi\n\npulumi.export("answer", 42)\n'


class Newcomer(Project):
    """A project of one's own: Pulumi.yaml naming `venv` beside it, requirements.txt, a stack."""

    def __init__(self, tmp_path: Path, wheels: list[Path]) -> None:
        program = tmp_path / "program.py"
        program.write_text(PROGRAM)
        super().__init__(tmp_path, "http://127.0.0.1:1", tmp_path / "home", program)  # no OpsRamp
        (self.dir / "Pulumi.yaml").write_text(
            "name: newcomer\nruntime:\n  name: python\n  options:\n"
            "    toolchain: pip\n    virtualenv: venv\n"
        )
        self.venv = self.dir / "venv"
        self.env.update(offline_pip(wheels[0]))
        # pip reads several --find-links directories from one space-separated variable.
        self.env["PIP_FIND_LINKS"] = " ".join(str(directory) for directory in wheels)
        self.run("stack", "init", "dev")
        self.stack = "dev"

    def requirements(self, *lines: str) -> None:
        (self.dir / "requirements.txt").write_text("".join(f"{line}\n" for line in lines))

    def install(self) -> Run:
        """`pulumi install`, which takes no --stack."""
        stack, self.stack = self.stack, ""
        try:
            return self.run("install")
        finally:
            self.stack = stack


@pytest.fixture
def newcomer(pulumi_cli: str, tmp_path: Path) -> Newcomer:
    tiny = tiny_wheel(tmp_path / "wheels").parent
    return Newcomer(tmp_path, [tiny, wheelhouse(REPO_VENV / "bin" / "python")])


def test_a_broken_virtualenv_fails_preview_with_the_commands_that_make_it(
    newcomer: Newcomer,
) -> None:
    newcomer.requirements("pulumi")
    newcomer.venv.mkdir()
    (newcomer.venv / "README").write_text("not a virtualenv\n")
    preview = newcomer.run("preview", check=False)
    output = preview.output
    assert preview.returncode != 0
    assert f"virtualenv {newcomer.venv} " in output
    assert f"python3 -m venv {newcomer.venv} && {newcomer.venv}/bin/python -m pip install" in output
    assert "Traceback" not in output
    assert "Exception calling application" not in output


def test_pulumi_install_makes_the_virtualenv_and_about_reports_its_python(
    newcomer: Newcomer,
) -> None:
    newcomer.requirements(f"{TINY}==1.0")  # no SDK yet
    installed = newcomer.install()
    assert f"Creating virtual environment {newcomer.venv}" in installed.output
    assert (newcomer.venv / "bin" / "python").is_file()
    about = newcomer.run("about")
    assert f"executable='{newcomer.venv}/bin/python'" in about.stdout, about.stdout
    # The program cannot run without the SDK: said in one line, with the fix.
    preview = newcomer.run("preview", check=False)
    output = preview.output
    assert preview.returncode != 0
    assert f"The Pulumi SDK is not installed in the program's Python ({newcomer.venv})" in output
    assert "Traceback" not in output


def test_preview_makes_a_missing_virtualenv_and_runs_the_program(newcomer: Newcomer) -> None:
    newcomer.requirements("pulumi", f"{TINY}==1.0")
    preview = newcomer.run("preview")
    assert f"Creating virtual environment {newcomer.venv}" in preview.output
    assert "answer: 42" in preview.stdout
    again = newcomer.run("preview")
    assert "Creating virtual environment" not in again.output
