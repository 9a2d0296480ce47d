"""Emit the fleet for existing runners: a GitHub Actions matrix workflow, or Kubernetes Operator
`Stack` manifests (one per tenant)."""

from __future__ import annotations

import hashlib
import re
import shlex
from typing import Any

import yaml

from opsramp_jobs.fleet.spec import Fleet

__all__ = ["EMITTERS", "github_actions_workflow", "k8s_operator_stacks"]

_NOT_DNS = re.compile(r"[^a-z0-9-]+")
_DNS_LABEL_MAX = 63
_HASH_CHARS = 8
# Special in GitHub's path filters (`*`, `?`, `+`, `[]`, a leading `!`); `\\` escapes them.
_GLOB_SPECIAL = re.compile(r"([*?+\[\]!\\])")


def _readable_dns_name(*parts: str) -> str:
    """`parts` as an RFC 1123 label, before any truncation: lower case, '-' for the rest."""
    return _NOT_DNS.sub("-", "-".join(parts).lower()).strip("-")


def _dns_name(*parts: str) -> str:
    """A Kubernetes object name (RFC 1123 label, at most 63 characters).

    A longer name keeps its first characters and ends with a short hash of the whole, so two
    names that share their first 54 characters still differ.
    """
    name = _readable_dns_name(*parts)
    if len(name) <= _DNS_LABEL_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_CHARS]
    return f"{name[: _DNS_LABEL_MAX - _HASH_CHARS - 1].rstrip('-')}-{digest}"


def _kubernetes_names(fleet: Fleet) -> dict[str, str]:
    """Each tenant's Kubernetes name; ValueError when two tenants would get the same one."""
    by_name: dict[str, list[str]] = {}
    for key in fleet.tenants:
        by_name.setdefault(_dns_name(fleet.project, key), []).append(key)
    clashes = [(name, keys) for name, keys in by_name.items() if len(keys) > 1]
    if clashes:
        raise ValueError(
            "; ".join(
                f"tenants {' and '.join(keys)} map to one Kubernetes name, {name!r} (lower "
                "case, '-' for '_' and '.'): one would overwrite the other's Stack and Secret; "
                "rename all but one of them"
                for name, keys in clashes
            )
        )
    return {keys[0]: name for name, keys in by_name.items()}


def _shell_path(path: str, what: str) -> str:
    """`path` quoted for the `run:` shell; ValueError for what no quoting can protect."""
    if "${{" in path or "\n" in path or "\r" in path:
        # GitHub evaluates ${{ }} in `run:` before any shell sees it, quotes or not.
        raise ValueError(
            f"{what} {path!r} holds '${{{{' or a line break, which GitHub Actions would evaluate "
            "or split before the shell quotes it: rename it"
        )
    return shlex.quote(path)


def github_actions_workflow(
    fleet: Fleet,
    fleet_file: str,
    *,
    operation: str = "up",
    max_parallel: int = 10,
    install: str = "python -m pip install opsramp-jobs",
    project_dir: str | None = None,
) -> dict[str, Any]:
    """A workflow with one matrix job per tenant, each running the fleet command for its tenant.

    Each job sees only its own tenant's client secret: the env entry of every other tenant's
    secret evaluates to '' in that job. A tenant whose secret is in its stack config
    (`{stackSecret: true}`) needs that config in the checkout: `project_dir`, the committed
    directory the fleet keeps it in (its `--project-dir`).
    """
    tenants = list(fleet.tenants.values())
    in_stack_config = [t.key for t in tenants if t.client_secret.stack_secret]
    if in_stack_config and project_dir is None:
        raise ValueError(
            f"tenants {', '.join(in_stack_config)} keep their client secret in their stack config "
            "(clientSecret: {stackSecret: true}), which a CI job only has from the checkout: "
            "pass --project-dir DIR, the directory you run the fleet with and commit "
            "(it holds Pulumi.<tenant>.yaml with the encrypted secret)"
        )
    # Every path is quoted for the shell; tenant names are [A-Za-z0-9_.-] (spec._NAME).
    command = (
        f"python -m opsramp_jobs.fleet {operation} {_shell_path(fleet_file, 'the fleet file')} "
        "--tenants ${{ matrix.tenant }}"
    )
    if project_dir is not None:
        command += f" --project-dir {_shell_path(project_dir, '--project-dir')}"
    env: dict[str, str] = {
        "PULUMI_BACKEND_URL": "${{ vars.PULUMI_BACKEND_URL }}",
        "PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}",
        "PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
    }
    if fleet.backend:
        env.pop("PULUMI_BACKEND_URL")
    for variable in sorted({t.client_secret.env for t in tenants if t.client_secret.env}):
        users = [t.key for t in tenants if t.client_secret.env == variable]
        condition = " || ".join(f"matrix.tenant == '{key}'" for key in users)
        env[variable] = f"${{{{ ({condition}) && secrets.{variable} || '' }}}}"
    return {
        "name": f"OpsRamp fleet {fleet.project}",
        "on": {
            "workflow_dispatch": {},
            "push": {"branches": ["main"], "paths": [_GLOB_SPECIAL.sub(r"\\\1", fleet_file)]},
        },
        "permissions": {"contents": "read"},
        # Two runs of the same fleet would fight over the stack locks: queue them instead.
        "concurrency": {"group": f"opsramp-fleet-{fleet.project}", "cancel-in-progress": False},
        "jobs": {
            operation: {
                "name": f"{operation} ${{{{ matrix.tenant }}}}",
                "runs-on": "ubuntu-latest",
                "timeout-minutes": 30,
                "strategy": {
                    "fail-fast": False,
                    "max-parallel": max_parallel,
                    "matrix": {"tenant": [t.key for t in tenants]},
                },
                "env": env,
                "steps": [
                    {"uses": "actions/checkout@v4"},
                    {"uses": "actions/setup-python@v5", "with": {"python-version": "3.11"}},
                    # With no command, pulumi/actions only installs the pulumi CLI.
                    {"uses": "pulumi/actions@v6"},
                    {"name": "Install opsramp-jobs", "run": install},
                    {
                        "name": f"pulumi {operation} (fleet, one tenant)",
                        "run": command,
                    },
                ],
            }
        },
    }


def k8s_operator_stacks(
    fleet: Fleet,
    fleet_file: str,
    *,
    namespace: str = "default",
    repo: str = "https://github.com/<org>/<repo>",
    branch: str = "main",
    repo_dir: str = "fleet",
) -> list[dict[str, Any]]:
    """Pulumi Kubernetes Operator `Stack` objects (pulumi.com/v1), one per tenant.

    Each points at a project directory (`repo_dir`) whose `__main__.py` runs
    `opsramp_jobs.fleet.stack_program(<fleet file>)`: the same jobs as the fleet command declares.
    A tenant's client secret comes from the Kubernetes Secret `<project>-<tenant>`, key
    `clientSecret`, created beforehand (`kubectl create secret generic ...`). Two tenants that
    would get one Kubernetes name (`acme_1`, `acme.1`) are refused: ValueError.
    """
    names = _kubernetes_names(fleet)
    stacks = []
    for tenant in fleet.tenants.values():
        spec: dict[str, Any] = {
            "stack": tenant.key,
            "projectRepo": repo,
            "branch": branch,
            "repoDir": repo_dir,
            "config": tenant.config(),
            "secretsRef": {
                "opsramp:clientSecret": {
                    "type": "Secret",
                    "secret": {"name": names[tenant.key], "key": "clientSecret"},
                }
            },
            "envRefs": {
                "PULUMI_ACCESS_TOKEN": {
                    "type": "Secret",
                    "secret": {"name": "pulumi-api-secret", "key": "accessToken"},
                },
                "OPSRAMP_FLEET_FILE": {"type": "Literal", "literal": {"value": fleet_file}},
            },
            "refresh": True,
            "destroyOnFinalize": False,
            "resyncFrequencySeconds": 600,
        }
        if fleet.backend:
            spec["backend"] = fleet.backend
        stacks.append(
            {
                "apiVersion": "pulumi.com/v1",
                "kind": "Stack",
                "metadata": {
                    "name": names[tenant.key],
                    "namespace": namespace,
                    "labels": {"opsramp-jobs/fleet": _dns_name(fleet.project)},
                },
                "spec": spec,
            }
        )
    return stacks


def dump_workflow(workflow: dict[str, Any]) -> str:
    """YAML text of a workflow (keys in the order GitHub's examples use)."""
    return str(yaml.safe_dump(workflow, sort_keys=False, width=4096))


def dump_manifests(manifests: list[dict[str, Any]]) -> str:
    """A multi-document YAML stream."""
    return str(yaml.safe_dump_all(manifests, sort_keys=False, width=4096))


EMITTERS = ("github-actions", "k8s-operator")
