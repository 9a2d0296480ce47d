"""`fleet emit`: a GitHub Actions matrix workflow and Kubernetes Operator Stack manifests."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsramp_jobs.fleet import load_fleet
from opsramp_jobs.fleet.__main__ import parse_args
from tests.e2e.project import REPO_ROOT

EXAMPLE = Path(__file__).parent / "data" / "example-fleet.yaml"
RFC1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


# The example's initech keeps its secret in its stack config: CI needs the committed directory.
PROJECT_DIR = {"github-actions": ["--project-dir", "fleet-stacks"], "k8s-operator": []}


def emit(target: str, tmp_path: Path) -> str:
    """Run `python -m opsramp_jobs.fleet emit <target>` on the example into a file; its text."""
    out = tmp_path / f"{target}.yaml"
    subprocess.run(
        [sys.executable, "-m", "opsramp_jobs.fleet", "emit", target, str(EXAMPLE), "-o", str(out),
         *PROJECT_DIR[target]],
        cwd=REPO_ROOT,
        check=True,
        timeout=60,
    )  # fmt: skip
    return out.read_text()


def test_github_actions_workflow_has_one_matrix_job_per_tenant(tmp_path: Path) -> None:
    """Each matrix entry runs the fleet command for its tenant and sees only its own secret."""
    text = emit("github-actions", tmp_path)
    workflow: dict[Any, Any] = yaml.safe_load(text)
    job = workflow["jobs"]["up"]
    assert job["strategy"]["matrix"]["tenant"] == ["globex", "initech"]
    assert job["strategy"]["fail-fast"] is False
    run = job["steps"][-1]["run"]
    command = run.replace("${{ matrix.tenant }}", "globex").split()
    assert command[:3] == ["python", "-m", "opsramp_jobs.fleet"]
    parsed = parse_args(command[3:])  # the emitted command line is one the CLI accepts
    assert (parsed.command, parsed.tenants) == ("up", "globex")
    assert parsed.project_dir == "fleet-stacks"  # where initech's stack config is committed
    # Only globex reads GLOBEX_OPSRAMP_SECRET; initech's secret lives in its stack config.
    assert job["env"]["GLOBEX_OPSRAMP_SECRET"] == (
        "${{ (matrix.tenant == 'globex') && secrets.GLOBEX_OPSRAMP_SECRET || '' }}"
    )
    assert not any("INITECH" in key for key in job["env"])


def test_github_actions_needs_the_project_dir_of_stack_secret_tenants(tmp_path: Path) -> None:
    """Without --project-dir, initech's job could never find its secret: refused up front."""
    done = subprocess.run(
        [sys.executable, "-m", "opsramp_jobs.fleet", "emit", "github-actions", str(EXAMPLE)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "tenants initech keep their client secret in their stack config" in done.stderr
    assert "pass --project-dir DIR" in done.stderr


def test_github_actions_workflow_matches_the_published_schema(tmp_path: Path) -> None:
    """SchemaStore's github-workflow schema, as vendored by the check-jsonschema PyPI package."""
    pytest.importorskip("check_jsonschema", reason="pip install check-jsonschema==0.39.0")
    workflow = tmp_path / "workflow.yaml"
    workflow.write_text(emit("github-actions", tmp_path))
    assert_valid_workflow(workflow)


def assert_valid_workflow(workflow: Path) -> None:
    """check-jsonschema with its vendored github-workflow schema accepts the file."""
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(workflow)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_k8s_operator_stacks_one_per_tenant_with_config_and_secret_refs(tmp_path: Path) -> None:
    """pulumi.com/v1 Stack objects: the tenant's config, its secret from a Kubernetes Secret."""
    manifests = list(yaml.safe_load_all(emit("k8s-operator", tmp_path)))
    fleet = load_fleet(EXAMPLE)
    assert [m["spec"]["stack"] for m in manifests] == list(fleet.tenants)
    for manifest, tenant in zip(manifests, fleet.tenants.values(), strict=True):
        assert (manifest["apiVersion"], manifest["kind"]) == ("pulumi.com/v1", "Stack")
        assert RFC1123.match(manifest["metadata"]["name"])
        spec = manifest["spec"]
        assert spec["config"] == tenant.config()
        ref = spec["secretsRef"]["opsramp:clientSecret"]
        assert ref["type"] == "Secret"
        assert RFC1123.match(ref["secret"]["name"])
        assert ref["secret"]["key"] == "clientSecret"
        assert spec["envRefs"]["OPSRAMP_FLEET_FILE"]["literal"]["value"] == str(EXAMPLE)
        # Nothing secret is written into a manifest.
        assert "secret" not in yaml.safe_dump(spec["config"]).lower()


def emit_file(target: str, fleet_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`fleet emit <target> <fleet_file> ...` to stdout."""
    return subprocess.run(
        [sys.executable, "-m", "opsramp_jobs.fleet", "emit", target, str(fleet_file), *args],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def with_tenants(tmp_path: Path, *keys: str) -> Path:
    """The example fleet with tenants `keys` (each a copy of globex)."""
    raw = yaml.safe_load(EXAMPLE.read_text())
    raw["tenants"] = {key: copy.deepcopy(raw["tenants"]["globex"]) for key in keys}  # no anchors
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_k8s_operator_refuses_tenants_that_map_to_one_kubernetes_name(tmp_path: Path) -> None:
    """`acme_1`, `acme.1` and `ACME-1` were one Stack and one Secret: refused, all three named."""
    done = emit_file("k8s-operator", with_tenants(tmp_path, "acme_1", "acme.1", "ACME-1", "b"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "fleet emit: tenants acme_1 and acme.1 and ACME-1 map to one Kubernetes name, "
        "'acme-msp-jobs-acme-1' (lower case, '-' for '_' and '.'): one would overwrite the "
        "other's Stack and Secret; rename all but one of them\n"
    )


def test_k8s_operator_names_never_collide_after_truncation(tmp_path: Path) -> None:
    """Two 71-character tenants that share their first 70 get two names, each a valid label."""
    long_a, long_b = "t" * 70 + "a", "t" * 70 + "b"
    done = emit_file("k8s-operator", with_tenants(tmp_path, long_a, long_b))
    assert done.returncode == 0, done.stderr
    manifests = list(yaml.safe_load_all(done.stdout))
    names = [m["metadata"]["name"] for m in manifests]
    secrets = [m["spec"]["secretsRef"]["opsramp:clientSecret"]["secret"]["name"] for m in manifests]
    assert len(set(names)) == 2
    assert names == secrets
    for name in names:
        assert len(name) == 63
        assert RFC1123.match(name)
        assert name.startswith("acme-msp-jobs-tttt")


# Each a real risk in a `run:` line: a quote, command substitution, a separator, a glob, spaces.
HOSTILE_DIR = "it's a $(touch PWNED) dir; `touch PWNED2` & [x]*"


def test_github_actions_quotes_every_path_it_writes_into_run(tmp_path: Path) -> None:
    """The run line, executed by bash, hands the paths over exactly and runs nothing else."""
    directory = tmp_path / HOSTILE_DIR
    directory.mkdir()
    fleet_file = directory / "fleet $HOME.yaml"
    fleet_file.write_text(EXAMPLE.read_text())
    project_dir = f"{HOSTILE_DIR}/stacks"
    done = emit_file("github-actions", fleet_file, "--project-dir", project_dir)
    assert done.returncode == 0, done.stderr
    workflow: dict[Any, Any] = yaml.safe_load(done.stdout)
    run = workflow["jobs"]["up"]["steps"][-1]["run"].replace("${{ matrix.tenant }}", "globex")
    # `python` stands in as a shell function that prints the arguments it was given.
    script = "python() { printf '%s\\0' \"$@\"; }\n" + run
    argv = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.split("\0")[:-1]
    assert argv == [
        "-m", "opsramp_jobs.fleet", "up", str(fleet_file), "--tenants", "globex",
        "--project-dir", project_dir,
    ]  # fmt: skip
    assert not list(tmp_path.glob("PWNED*"))
    # The push trigger's path filter matches the file itself, not a glob of it.
    assert workflow["on"]["push"]["paths"] == [
        str(fleet_file).replace("[", "\\[").replace("]", "\\]").replace("*", "\\*")
    ]


def test_github_actions_refuses_a_path_github_would_evaluate(tmp_path: Path) -> None:
    """`${{ }}` in `run:` is expanded by GitHub before the shell: no quoting protects it."""
    done = emit_file(
        "github-actions", EXAMPLE, "--project-dir", "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    )
    assert done.returncode == 2
    assert done.stderr == (
        "fleet emit: --project-dir '${{ secrets.PULUMI_ACCESS_TOKEN }}' holds '${{' or a line "
        "break, which GitHub Actions would evaluate or split before the shell quotes it: rename "
        "it\n"
    )


def test_a_workflow_with_hostile_paths_matches_the_published_schema(tmp_path: Path) -> None:
    """Quoting keeps the workflow valid for SchemaStore's github-workflow schema."""
    pytest.importorskip("check_jsonschema", reason="pip install check-jsonschema==0.39.0")
    directory = tmp_path / HOSTILE_DIR
    directory.mkdir()
    fleet_file = directory / "fleet.yaml"
    fleet_file.write_text(EXAMPLE.read_text())
    workflow = tmp_path / "workflow.yaml"
    done = emit_file(
        "github-actions", fleet_file, "--project-dir", HOSTILE_DIR, "-o", str(workflow)
    )
    assert done.returncode == 0, done.stderr
    assert_valid_workflow(workflow)
