"""Hypothesis settings for this shared, noisy machine: no timing-based health checks."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "opsramp", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150
)
settings.load_profile("opsramp")
