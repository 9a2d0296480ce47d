"""The end-to-end tier's fixtures (a private PULUMI_HOME for the real CLI), for the calendar's."""

from tests.e2e.conftest import pulumi_home

__all__ = ["pulumi_home"]
