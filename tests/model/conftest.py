"""Hypothesis settings for this shared, noisy machine: no timing-based health checks.

OPSRAMP_HYPOTHESIS_PROFILE=mutation draws fewer examples, for mutation testing (docs/mutation.md),
which runs the tests once per mutant.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "opsramp", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150
)
settings.register_profile("mutation", settings.get_profile("opsramp"), max_examples=40)
settings.load_profile(os.environ.get("OPSRAMP_HYPOTHESIS_PROFILE", "opsramp"))
