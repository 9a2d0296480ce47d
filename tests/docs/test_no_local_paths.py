"""No tracked file points outside the repo: not at ../shared, not at a build machine's paths.

A reader's clone has neither; facts from outside belong in docs/, in the project's own words.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.docs.markdown import REPO_ROOT

THIS_FILE = Path(__file__).resolve()
FORBIDDEN = re.compile(
    r"(?:\.\./shared\b"  # the workplace's shared folder, beside the repo
    r"|/shared/reference\b"
    r"|(?<![\w.~$}-])/(?:work|root)/"  # this build machine's folders
    r"|(?<![\w.~$}-])/home/[a-z_][\w-]*/"
    r"|(?<![\w.~$}-])/Users/\w"
    r"|/tmp/pytest-of-"
    r"|/opt/wheels\b)"
)


def tracked_text_files() -> list[Path]:
    """Every file git tracks (.git itself is not tracked), binary files left out."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    files = []
    for name in filter(None, listed):
        path = REPO_ROOT / name.decode()
        if path.resolve() == THIS_FILE or not path.is_file():
            continue
        if b"\0" not in path.read_bytes()[:8192]:
            files.append(path)
    return files


def offending_lines(path: Path) -> list[str]:
    """``file:line: text`` of each line naming a forbidden path."""
    lines = path.read_text(errors="replace").splitlines()
    return [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for number, line in enumerate(lines, 1)
        if FORBIDDEN.search(line)
    ]


def test_no_tracked_file_names_shared_or_a_machine_path() -> None:
    files = tracked_text_files()
    assert any(f.name == "README.md" for f in files)
    found = [hit for path in files for hit in offending_lines(path)]
    assert not found, "paths outside the repo (copy the facts into docs/ instead):\n" + "\n".join(
        found
    )


def test_the_pattern_catches_what_it_should_and_spares_the_rest() -> None:
    caught = [
        "see ../shared/reference/opsramp-create-job.txt",
        "`/work/shared/reference/opsramp-api-notes.md`",
        "cd /root/.cache/opsramp-jobs",
        "/home/runner/work/x",
        "/tmp/pytest-of-root/pytest-3/",
    ]
    spared = [
        "~/.cache/opsramp-jobs/toolchain",
        "$HOME/.cache",
        "${OPSRAMP_TOOLCHAIN_CACHE:-~/.cache/opsramp-jobs/toolchain}",
        "a throwaway project in `/tmp`",
        "docs/opsramp-api.md",
        "/api/v2/tenants/client_13/jobs",
    ]
    assert [line for line in caught if not FORBIDDEN.search(line)] == []
    assert [line for line in spared if FORBIDDEN.search(line)] == []
