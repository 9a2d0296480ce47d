"""Manage OpsRamp automation jobs as code with Pulumi."""
