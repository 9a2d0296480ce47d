"""Programs under Pulumi's mocks run as the language hosts run them: asyncio's logger silenced.

A program that ends with an error leaves futures whose exception nobody reads (the outputs of a
resource it did not declare); both Pulumi's host and ours silence asyncio's complaints about
them. Left on, Python 3.11 formats those complaints whenever the garbage collector finds such a
future, even in the middle of another test's `ast.parse`, which then fails ("AST constructor
recursion depth mismatch").
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def asyncio_logs_as_in_a_language_host() -> Iterator[None]:
    """Silence asyncio's logger for the session, as `pulumi-language-python-exec` does."""
    logger = logging.getLogger("asyncio")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)
