"""The snippet tier's own parts, on made-up input: it must point at the right block and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.markdown import blocks
from tests.docs.snippet_program import (
    PROJECT_NAME,
    ExistingJob,
    checker_findings,
    config_settings,
    deployment_findings,
    existing_jobs,
    resource_clashes,
)

PAGE = """\
# Title

## Writing a job

<!-- docs-test: job="client_13/Nightly backup" secret-config=cleanupToken config=region=eu
     job="client_93/Old @ home@067a9b6e-2cba-4d51-ab32-eff637988992" -->
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
    assert (first.where, first.section, first.language) == ("PAGE.md:8", "Writing a job", "python")
    assert first.needs == {
        "job": [
            "client_13/Nightly backup",
            "client_93/Old @ home@067a9b6e-2cba-4d51-ab32-eff637988992",
        ],
        "secret-config": ["cleanupToken"],
        "config": ["region=eu"],
    }
    assert (second.where, second.needs, second.module) == ("PAGE.md:15", {}, "page_md_l15")
    assert shell.language == "bash"
    assert existing_jobs([first, second]) == [
        ExistingJob("PAGE.md:8", "client_13", "Nightly backup", None),
        ExistingJob("PAGE.md:8", "client_93", "Old @ home", "067a9b6e-2cba-4d51-ab32-eff637988992"),
    ]
    assert config_settings([first]) == [
        (f"{PROJECT_NAME}:region", "eu", False),
        (f"{PROJECT_NAME}:cleanupToken", "docs-test-secret-value", True),
    ]


def test_a_resource_name_used_by_two_blocks_is_a_clash(page: Path) -> None:
    first, second, _ = blocks(page)
    assert resource_clashes([first, second]) == [
        "OpsRampJob('nightly') is declared in PAGE.md:8 and PAGE.md:15: resource names must be "
        "unique across the README's blocks (they run as one program)"
    ]


def test_checker_lines_point_at_the_readme_line(page: Path) -> None:
    first, second, _ = blocks(page)
    output = (
        'page_md_l8.py:10: error: Name "schedule" is not defined  [name-defined]\n'
        "page_md_l8.py:10: note: see here\n"
        "page_md_l15.py:16:1: F821 Undefined name `OpsRampJobSet`\n"
        "__main__.py:3: error: something in the harness\n"
    )
    found = checker_findings(output, [first, second])
    assert found.by_block == {
        "PAGE.md:8": ['PAGE.md:10: error: Name "schedule" is not defined  [name-defined]'],
        "PAGE.md:15": ["PAGE.md:16: F821 Undefined name `OpsRampJobSet`"],
    }
    assert found.unattributed == ["__main__.py:3: error: something in the harness"]


def test_cli_errors_are_attributed_to_the_block_that_failed(page: Path) -> None:
    first, second, _ = blocks(page)
    output = """\
Updating (dev):

Diagnostics:
  pulumi:pulumi:Stack (docs-snippets-dev):
    error: docs-snippet PAGE.md:15 failed at PAGE.md:16: NameError: name 's' is not defined
    error: README blocks that failed: PAGE.md:15

  pulumi-python:dynamic/opsramp:OpsRampJob (inventory-client_13):
    error: job 'inventory' already exists in tenant 'client_13'

Resources:
    1 errored
"""
    found = deployment_findings(output, [first, second], "pulumi up")
    assert found.by_block == {
        "PAGE.md:15": [
            "pulumi up: PAGE.md:16: NameError: name 's' is not defined",
            "pulumi up, resource 'inventory-client_13':\n"
            "error: job 'inventory' already exists in tenant 'client_13'",
        ]
    }
    assert found.unattributed == [
        "pulumi up, resource 'docs-snippets-dev':\nerror: README blocks that failed: PAGE.md:15"
    ]
