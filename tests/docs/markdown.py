"""Fenced code blocks and sections of the project's Markdown files, with their line numbers."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[\w+-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# `<!-- docs-test: job="client_13/Nightly backup" secret-config=cleanupToken -->` right above
# a fence: what the snippet test must set up before the block runs (see test_snippets.py).
_MARKER = re.compile(r"^<!--\s*docs-test:(?P<spec>.*?)-->\s*$", re.DOTALL)


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its language, its text and its set-up marker."""

    path: Path
    line: int  # 1-based line of the block's first code line
    language: str
    code: str
    section: str  # the nearest heading above it
    needs: dict[str, list[str]] = field(default_factory=dict)

    @property
    def file(self) -> str:
        """The file relative to the repo (its name alone when it is outside the repo)."""
        return relative(self.path)

    @property
    def where(self) -> str:
        """``README.md:53``: the file and line of the block's first code line."""
        return f"{self.file}:{self.line}"

    @property
    def module(self) -> str:
        """A Python module name unique to this block (``readme_md_l53``)."""
        stem = re.sub(r"\W+", "_", self.file).lower()
        return f"{stem}_l{self.line}"


def relative(path: Path) -> str:
    """A path relative to the repo, or its name when it is outside the repo."""
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else path.name


def parse_marker(spec: str, where: str) -> dict[str, list[str]]:
    """``key=value`` pairs (shell quoting) of a docs-test marker; a key may repeat."""
    needs: dict[str, list[str]] = {}
    for word in shlex.split(spec):
        key, sep, value = word.partition("=")
        if not sep or not value:
            raise ValueError(f"{where}: docs-test marker item {word!r} is not key=value")
        needs.setdefault(key, []).append(value)
    return needs


def blocks(path: Path) -> list[Block]:
    """Every fenced code block of a Markdown file, in order."""
    lines = path.read_text().splitlines()
    found: list[Block] = []
    section = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        heading = _HEADING.match(line)
        if heading:
            section = heading.group(2)
        opening = _FENCE.match(line)
        if not opening:
            index += 1
            continue
        fence = opening.group("fence")
        start = index + 1
        end = start
        while end < len(lines) and not lines[end].lstrip().startswith(fence):
            end += 1
        marker = _MARKER.match(comment_above(lines, index))
        where = f"{relative(path)}:{start + 1}"
        found.append(
            Block(
                path=path,
                line=start + 1,
                language=opening.group("info").lower(),
                code="\n".join(lines[start:end]) + "\n",
                section=section,
                needs=parse_marker(marker.group("spec"), where) if marker else {},
            )
        )
        index = end + 1
    return found


def comment_above(lines: list[str], index: int) -> str:
    """The HTML comment (one or more lines) right above line ``index``, blank lines between."""
    end = index - 1
    while end >= 0 and not lines[end].strip():
        end -= 1
    if end < 0 or not lines[end].rstrip().endswith("-->"):
        return ""
    start = end
    while start > 0 and not lines[start].lstrip().startswith("<!--"):
        start -= 1
    return "\n".join(line.strip() for line in lines[start : end + 1])


def section_blocks(path: Path, title: str) -> list[Block]:
    """The blocks under the heading whose text is ``title`` (until the next heading)."""
    return [block for block in blocks(path) if block.section == title]


def documents() -> list[Path]:
    """README.md and every Markdown page in docs/."""
    return [README, *sorted(DOCS.glob("*.md"))]


def headings(path: Path) -> list[str]:
    """The text of every heading of a Markdown file, outside fenced code blocks."""
    found: list[str] = []
    fence = ""
    for line in path.read_text().splitlines():
        opening = _FENCE.match(line)
        if fence:
            if line.lstrip().startswith(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group("fence")
            continue
        heading = _HEADING.match(line)
        if heading:
            found.append(heading.group(2))
    return found
