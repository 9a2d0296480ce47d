"""`fleet emit`: a GitHub Actions matrix workflow and Kubernetes Operator Stack manifests."""

from __future__ import annotations

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
