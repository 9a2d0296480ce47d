"""`python -m opsramp_jobs policy path`: where the policy pack is, and whether it can run here."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

import yaml

from opsramp_jobs.policy import PACK_DIRECTORY

__all__ = ["pack_virtualenv", "register", "run"]


def register(commands: Any) -> None:
    """Add the ``policy`` command to the CLI's subcommands (an argparse subparsers object)."""
    policy = commands.add_parser(
        "policy",
        help="the policy pack for `pulumi preview --policy-pack` (docs/policy.md)",
        description="The OpsRamp jobs policy pack: collisions, blackout windows, limits.",
    )
    actions = policy.add_subparsers(dest="policy_command", required=True)
    actions.add_parser(
        "path",
        help="print the pack's directory",
        description="Print the pack's directory: pulumi preview --policy-pack \"$(python -m "
        'opsramp_jobs policy path)". Exit 1 when pulumi-policy is not installed here.',
    )


def pack_virtualenv(pack: Path = PACK_DIRECTORY) -> Path:
    """The virtualenv PulumiPolicy.yaml names (``runtime.options.virtualenv``), resolved."""
    project = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())
    return (pack / str(project["runtime"]["options"]["virtualenv"])).resolve()


def run(args: argparse.Namespace) -> int:
    """Print the pack's directory; 1 (and nothing on stdout) if pulumi-policy is missing."""
    if importlib.util.find_spec("pulumi_policy") is None:
        print(
            f"✗ pulumi-policy is not installed in {sys.prefix}, so the policy pack cannot run "
            "there; install it with: pip install 'opsramp-jobs[policy]'",
            file=sys.stderr,
        )
        return 1
    venv = pack_virtualenv()
    if venv != Path(sys.prefix).resolve() or not (venv / "pyvenv.cfg").is_file():
        # An editable install (the pack is in a source tree), or no virtualenv at all.
        print(
            f"note: {venv} (the pack's PulumiPolicy.yaml virtualenv) is not the environment "
            f"opsramp-jobs is installed in ({sys.prefix}), so Pulumi's own Python host cannot "
            "run the pack from here; the toolchain's analyzer (scripts/toolchain.sh) runs it "
            "in the project's virtualenv instead (docs/policy.md)",
            file=sys.stderr,
        )
    print(PACK_DIRECTORY)
    return 0
