"""The language host and the program's virtualenv, as Pulumi's own host handles it.

A missing (or empty) virtualenv is made and requirements.txt installed into it before the program
runs; a broken one is refused with the path and the commands that make it; `pulumi install` makes
and fills it, streaming pip's output; `pulumi about` reports the program's interpreter and
packages. Over gRPC with a stand-in engine; docs/toolchain.md describes the behaviour.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from pulumi.runtime.proto import language_pb2

from tests.toolchain.host import (
    TINY,
    Host,
    RecordingEngine,
    offline_pip,
    program_info,
    tiny_wheel,
)


@pytest.fixture
def engine() -> Iterator[RecordingEngine]:
    recording = RecordingEngine()
    yield recording
    recording.stop()


@pytest.fixture
def host(engine: RecordingEngine, tmp_path: Path) -> Iterator[Host]:
    wheels = tmp_path / "wheels"
    tiny_wheel(wheels)
    started = Host(engine, offline_pip(wheels))
    yield started
    started.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "requirements.txt").write_text(f"{TINY}==1.0\n")
    return directory


def imports_tiny(venv: Path) -> bool:
    done = subprocess.run([venv / "bin" / "python", "-c", f"import {TINY}"], check=False)
    return done.returncode == 0


def test_a_missing_virtualenv_is_made_and_filled_before_the_program_runs(
    host: Host, engine: RecordingEngine, project: Path
) -> None:
    (project / "venv").mkdir()  # an empty directory counts as missing, as for Pulumi's host
    # The engine asks for the program's packages before it runs it.
    host.stub.GetRequiredPackages(
        language_pb2.GetRequiredPackagesRequest(info=program_info(project))
    )
    assert imports_tiny(project / "venv")
    said = "".join(engine.messages)
    assert f"Creating virtual environment {project / 'venv'}" in said
    assert f"Successfully installed {TINY}-1.0" in said
    # A usable virtualenv is left as it is.
    engine.messages.clear()
    host.stub.GetRequiredPackages(
        language_pb2.GetRequiredPackagesRequest(info=program_info(project))
    )
    assert engine.messages == []


def test_a_broken_virtualenv_is_refused_with_the_commands_that_make_it(
    host: Host, project: Path
) -> None:
    broken = project / "venv"
    broken.mkdir()
    (broken / "notes.txt").write_text("not a virtualenv\n")
    with pytest.raises(grpc.RpcError) as caught:
        host.stub.GetRequiredPackages(
            language_pb2.GetRequiredPackagesRequest(info=program_info(project))
        )
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    message = str(caught.value.details())
    assert f"virtualenv {broken} " in message
    assert "runtime.options.virtualenv" in message
    assert f"python3 -m venv {broken} && {broken}/bin/python -m pip install -r" in message
    assert "pulumi install" in message
    assert not (broken / "bin").exists()  # nothing was made over the user's directory


def drain(host: Host, project: Path, streamed: list[str]) -> None:
    """`pulumi install`'s call, each streamed part added to `streamed` as it comes."""
    stream = host.stub.InstallDependencies(
        language_pb2.InstallDependenciesRequest(
            directory=str(project), info=program_info(project), is_terminal=False
        )
    )
    for part in stream:
        streamed.append(part.stdout.decode() + part.stderr.decode())


def install(host: Host, project: Path) -> str:
    """`pulumi install`'s call: everything the host streamed."""
    streamed: list[str] = []
    drain(host, project, streamed)
    return "".join(streamed)


def test_pulumi_install_makes_the_virtualenv_and_about_reports_it(
    host: Host, project: Path
) -> None:
    venv = project / "venv"
    streamed = install(host, project)
    assert f"Creating virtual environment {venv}" in streamed
    assert f"Successfully installed {TINY}-1.0" in streamed
    assert streamed.rstrip().endswith("Finished installing dependencies")
    assert imports_tiny(venv)
    # Again: the virtualenv stays, requirements.txt is installed again.
    again = install(host, project)
    assert "Creating virtual environment" not in again
    assert "Requirement already satisfied" in again

    about = host.stub.About(language_pb2.AboutRequest(info=program_info(project)))
    assert about.executable == str(venv / "bin" / "python")
    version = subprocess.run(
        [venv / "bin" / "python", "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert about.version == version.stdout.strip()
    assert about.metadata["toolchain"] == "Pip"
    assert about.metadata["toolchainVersion"]
    dependencies = host.stub.GetProgramDependencies(
        language_pb2.GetProgramDependenciesRequest(info=program_info(project))
    )
    assert (TINY, "1.0") in {(d.name, d.version) for d in dependencies.dependencies}

    # A requirement pip cannot find: pip's reason is streamed, the error names the command.
    (project / "requirements.txt").write_text("no-such-package-opsramp==1.0\n")
    streamed_lines: list[str] = []
    with pytest.raises(grpc.RpcError) as caught:
        drain(host, project, streamed_lines)
    assert "No matching distribution found for no-such-package-opsramp" in "".join(streamed_lines)
    message = str(caught.value.details())
    assert f"{venv}/bin/python -m pip install" in message
    assert "-r requirements.txt" in message


def test_about_without_the_virtualenv_says_how_to_make_it(host: Host, project: Path) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        host.stub.About(language_pb2.AboutRequest(info=program_info(project)))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"{project / 'venv'} does not exist" in str(caught.value.details())
    assert "pulumi install" in str(caught.value.details())
