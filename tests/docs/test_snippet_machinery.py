"""The snippet tier's own parts, on made-up input: it must point at the right block and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.markdown import blocks
from tests.docs.snippet_program import (
    PROJECT_NAME,
    checker_findings,
    config_settings,
    deployment_findings,
    existing_jobs,
    resource_clashes,
)

PAGE = """\
# Title

## Writing a job

<!-- docs-test: job="client_13/Nightly backup" secret-config=cleanupToken config=region=eu -->
```python
from opsramp_jobs import OpsRampJob
OpsRampJob("nightly", script={"jobType": "adCheckList"}, schedule=schedule)
```

## Fan-out

```python
OpsRampJobSet("inventory", tenant_ids=["client_13"], script=s, schedule=t)
OpsRampJob("nightly", script=s, schedule=t)
```

```bash
echo not python
```
"""


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "PAGE.md"
    path.write_text(PAGE)
    return path


def test_blocks_carry_their_line_section_and_set_up(page: Path) -> None:
    first, second, shell = blocks(page)
    assert (first.where, first.section, first.language) == ("PAGE.md:7", "Writing a job", "python")
    assert first.needs == {
        "job": ["client_13/Nightly backup"],
        "secret-config": ["cleanupToken"],
        "config": ["region=eu"],
    }
    assert (second.where, second.needs, second.module) == ("PAGE.md:14", {}, "page_md_l14")
    assert shell.language == "bash"
    assert existing_jobs([first, second]) == [("PAGE.md:7", "client_13", "Nightly backup")]
    assert config_settings([first]) == [
        (f"{PROJECT_NAME}:region", "eu", False),
        (f"{PROJECT_NAME}:cleanupToken", "docs-test-secret-value", True),
    ]


def test_a_resource_name_used_by_two_blocks_is_a_clash(page: Path) -> None:
    first, second, _ = blocks(page)
    assert resource_clashes([first, second]) == [
        "OpsRampJob('nightly') is declared in PAGE.md:7 and PAGE.md:14: resource names must be "
        "unique across the README's blocks (they run as one program)"
    ]


def test_checker_lines_point_at_the_readme_line(page: Path) -> None:
    first, second, _ = blocks(page)
    output = (
        'page_md_l7.py:9: error: Name "schedule" is not defined  [name-defined]\n'
        "page_md_l7.py:9: note: see here\n"
        "page_md_l14.py:15:1: F821 Undefined name `OpsRampJobSet`\n"
        "__main__.py:3: error: something in the harness\n"
    )
    found = checker_findings(output, [first, second])
    assert found.by_block == {
        "PAGE.md:7": ['PAGE.md:9: error: Name "schedule" is not defined  [name-defined]'],
        "PAGE.md:14": ["PAGE.md:15: F821 Undefined name `OpsRampJobSet`"],
    }
    assert found.unattributed == ["__main__.py:3: error: something in the harness"]


def test_cli_errors_are_attributed_to_the_block_that_failed(page: Path) -> None:
    first, second, _ = blocks(page)
    output = """\
Updating (dev):

Diagnostics:
  pulumi:pulumi:Stack (docs-snippets-dev):
    error: docs-snippet PAGE.md:14 failed at PAGE.md:15: NameError: name 's' is not defined
    error: README blocks that failed: PAGE.md:14

  pulumi-python:dynamic/opsramp:OpsRampJob (inventory-client_13):
    error: job 'inventory' already exists in tenant 'client_13'

Resources:
    1 errored
"""
    found = deployment_findings(output, [first, second], "pulumi up")
    assert found.by_block == {
        "PAGE.md:14": [
            "pulumi up: PAGE.md:15: NameError: name 's' is not defined",
            "pulumi up, resource 'inventory-client_13':\n"
            "error: job 'inventory' already exists in tenant 'client_13'",
        ]
    }
    assert found.unattributed == [
        "pulumi up, resource 'docs-snippets-dev':\nerror: README blocks that failed: PAGE.md:14"
    ]
