"""`policy path` and the analyzer plugin: which Python runs the pack, and what is said if none."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml

from opsramp_jobs.policy import PACK_DIRECTORY
from opsramp_jobs.policy.command import pack_virtualenv
from tests.policy.support import (
    REPO_ROOT,
    REPO_VENV,
    analyzer_module,
    installed_venv,
    pack_options,
)


def policy_path(python: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "opsramp_jobs", "policy", "path"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO_ROOT.parent,  # not the repo: the package must come from the venv
    )


def test_the_pack_declares_the_venv_it_is_installed_in() -> None:
    # <venv>/<purelib relative to the venv>/opsramp_jobs/policy/pack: that many levels up.
    purelib = Path(sysconfig.get_path("purelib", "venv", vars={"base": "/v"}))
    levels = len(purelib.relative_to("/v").parts) + 3
    project = yaml.safe_load((PACK_DIRECTORY / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["options"]["virtualenv"] == "/".join([".."] * levels)


def test_the_pack_version_is_the_packages() -> None:
    project = yaml.safe_load((PACK_DIRECTORY / "PulumiPolicy.yaml").read_text())
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    assert f'\nversion = "{project["version"]}"\n' in pyproject


def test_policy_path_of_an_installed_package_is_inside_its_venv(tmp_path: Path) -> None:
    venv = installed_venv(tmp_path / "venv")
    done = policy_path(venv / "bin" / "python")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    pack = Path(done.stdout.strip())
    assert pack.is_relative_to(venv)
    assert (pack / "PulumiPolicy.yaml").is_file()
    assert pack_virtualenv(pack) == venv.resolve()


def test_policy_path_of_an_editable_install_says_what_runs_the_pack() -> None:
    done = policy_path(REPO_VENV / "bin" / "python")
    assert done.returncode == 0
    assert done.stdout.strip() == str(PACK_DIRECTORY)
    assert "runs it in the project's virtualenv instead" in done.stderr


def test_policy_path_without_the_extra_fails_with_the_install_command(tmp_path: Path) -> None:
    venv = installed_venv(tmp_path / "venv", with_policy_extra=False)
    done = policy_path(venv / "bin" / "python")
    assert done.returncode == 1
    assert done.stdout == ""
    assert f"pulumi-policy is not installed in {venv}" in done.stderr
    assert "pip install 'opsramp-jobs[policy]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_pack_itself_without_the_extra_exits_with_the_install_command(tmp_path: Path) -> None:
    venv = installed_venv(tmp_path / "venv", with_policy_extra=False)
    pack = Path(policy_path(REPO_VENV / "bin" / "python").stdout.strip())
    done = subprocess.run(
        [str(venv / "bin" / "python"), str(pack), "127.0.0.1:1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "pulumi_policy is not installed in" in done.stderr
    assert "Traceback" not in done.stderr


# --- the analyzer plugin's choice of Python --------------------------------------------------


def test_the_plugin_reads_pulumis_arguments_and_options() -> None:
    plugin = analyzer_module()
    positional, options = plugin.parse(
        ["--logtostderr", "-v=9", "--tracing", "http://t", "127.0.0.1:5", ".", "-virtualenv=v"]
    )
    assert positional == ["127.0.0.1:5", "."]
    assert options == {"v": "9", "virtualenv": "v"}


def test_the_plugin_prefers_the_packs_own_venv_then_the_projects(tmp_path: Path) -> None:
    plugin = analyzer_module()
    venv = installed_venv(tmp_path / "venv")
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv)}))
    pack = site / "opsramp_jobs" / "policy" / "pack"
    options = {**pack_options(), "project-virtualenv": str(REPO_VENV)}
    assert plugin.choose_virtualenv(pack, options) == (venv.resolve(), "")
    # An editable install: the pack's relative venv is no venv, the project's is used.
    assert plugin.choose_virtualenv(PACK_DIRECTORY, options) == (REPO_VENV.resolve(), "")
    chosen, tried = plugin.choose_virtualenv(PACK_DIRECTORY, pack_options())
    assert chosen is None
    assert "PulumiPolicy.yaml's virtualenv: " in tried
    assert plugin.choose_virtualenv(PACK_DIRECTORY, {}) == (None, "")


def test_the_plugin_without_a_venv_says_which_it_tried(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(analyzer_module().__file__),
            "127.0.0.1:1",
            str(PACK_DIRECTORY),
            f"-virtualenv={pack_options()['virtualenv']}",
            f"-project-virtualenv={tmp_path / 'none'}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""  # the engine would read this as the port
    assert f"the project's virtualenv: {tmp_path / 'none'}" in done.stderr
    assert "runtime.options.virtualenv" in done.stderr
