"""The README stays a front door, and docs/README.md indexes every page of docs/."""

from __future__ import annotations

import re

from tests.docs.markdown import DOCS, README

MAX_README_LINES = 300


def test_the_readme_is_a_front_door_of_at_most_300_lines() -> None:
    lines = README.read_text().count("\n")
    assert lines <= MAX_README_LINES, (
        f"README.md has {lines} lines (at most {MAX_README_LINES}): move details to docs/ "
        "and leave a paragraph with a link"
    )


def test_the_docs_index_lists_every_page() -> None:
    index = (DOCS / "README.md").read_text()
    linked = set(re.findall(r"\]\(([\w-]+\.md)\)", index))
    pages = {path.name for path in DOCS.glob("*.md")} - {"README.md"}
    assert pages - linked == set(), f"docs/README.md does not list {sorted(pages - linked)}"
    assert linked - pages == set(), f"docs/README.md links missing pages {sorted(linked - pages)}"
