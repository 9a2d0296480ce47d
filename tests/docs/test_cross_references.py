"""Section references in the docs and the code name sections that exist.

Prose points readers at other sections by title: `see *Configuration*`, `see "Big stacks"`,
`README "Assumptions"`, `docs/fleet.md "How many at once"`. A heading renamed or a section lost
in an edit leaves such a pointer dangling (it happened once: a README edit dropped six sections
and left three pointers to them). A reference matches a heading of the file it names (README
for `README "…"`, else the file it is written in), or a paragraph's bold lead there
(`**How many at once.** …`), that starts with the referenced text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.markdown import DOCS, README, REPO_ROOT, documents, headings, relative

# `see *Title*` / `see "Title"` (this file's sections), `README "Title"`, `docs/x.md "Title"`
# or `[docs/x.md](docs/x.md) "Title"` (that file's sections). Titles may wrap across lines.
_REFERENCE = re.compile(
    r"""(?:(?P<file>README|docs/[\w-]+\.md)(?:\]\([^)]*\))?\s+"(?P<named>[^"]+)")"""
    r"""|(?:\b[Ss]ee\s+(?:\*(?P<starred>[^*]+)\*|"(?P<quoted>[^"]+)"))"""
)


_CODE_SPAN = re.compile(r"`[^`\n]*`")
# A paragraph or list item that opens with a bold title: `**Where stack config lives.** …`.
_BOLD_LEAD = re.compile(r"^\s*(?:[*-]\s+)?\*\*(?P<title>[^*]+?)\.?\*\*", re.MULTILINE)


def titles(path: Path) -> list[str]:
    """The headings and the bold paragraph leads of a Markdown file."""
    leads = [match["title"] for match in _BOLD_LEAD.finditer(path.read_text())]
    return [*headings(path), *leads]


def sources() -> list[Path]:
    """Every Markdown page, and the package's modules (their comments point at the README)."""
    return [*documents(), *sorted((REPO_ROOT / "opsramp_jobs").rglob("*.py"))]


def references(path: Path) -> list[tuple[int, Path, str]]:
    """(line, file referred to, title) of every section reference in ``path``."""
    text = path.read_text()
    # An example in an inline code span (`see *Title*`) is not a reference.
    examples = [span.span() for span in _CODE_SPAN.finditer(text)]
    found = []
    for match in _REFERENCE.finditer(text):
        if any(start <= match.start() < end for start, end in examples):
            continue
        line = text.count("\n", 0, match.start()) + 1
        title = " ".join((match["named"] or match["starred"] or match["quoted"]).split())
        if match["file"] == "README":
            target = README
        elif match["file"]:
            target = REPO_ROOT / match["file"]
        elif path.suffix == ".md":
            target = path
        else:
            continue  # a bare `see "…"` in code is not a section reference
        found.append((line, target, title))
    return found


def dangling(path: Path) -> list[str]:
    """The references of ``path`` that no heading of their target starts with."""
    problems = []
    for line, target, title in references(path):
        known = titles(target) if target.exists() else []
        if not any(section.startswith(title) for section in known):
            problems.append(f"{relative(path)}:{line}: no section {title!r} in {relative(target)}")
    return problems


@pytest.mark.parametrize("path", sources(), ids=relative)
def test_section_references_name_sections_that_exist(path: Path) -> None:
    assert dangling(path) == []


def test_the_checker_finds_references_and_flags_a_dangling_one(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        '# Setup\n\n```bash\n# Not a heading\n```\n\n* **A lead.** See *Setup*, see "A lead",\n'
        'see "Not a\nheading", and README "Testing", and README "No such section".\n'
        "`see *An example*` is code.\n"
    )
    assert [title for _, _, title in references(page)] == [
        "Setup",
        "A lead",
        "Not a heading",
        "Testing",
        "No such section",
    ]
    assert [problem.split(": ", 1)[1] for problem in dangling(page)] == [
        "no section 'Not a heading' in page.md",
        "no section 'No such section' in README.md",
    ]
    assert DOCS.is_dir()
