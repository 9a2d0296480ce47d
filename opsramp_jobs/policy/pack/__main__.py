"""Serve the OpsRamp jobs policy pack to the Pulumi engine (the analyzer runs this file)."""

import sys

try:
    from opsramp_jobs.policy.policies import serve
except ModuleNotFoundError as missing:  # the `policy` extra (pulumi-policy), or the package
    sys.exit(
        f"opsramp-jobs policy pack: {missing.name} is not installed in {sys.prefix}; "
        "install it there with: pip install 'opsramp-jobs[policy]'"
    )

serve()
