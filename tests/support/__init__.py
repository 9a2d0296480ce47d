"""Shared test support: the OpsRamp emulator harness."""
