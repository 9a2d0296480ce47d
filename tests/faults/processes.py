"""Looking at processes through /proc: who started whom, and who has exited."""

from __future__ import annotations

from pathlib import Path


def _parent_in(stat: str) -> int:
    """The parent pid field of a /proc/<pid>/stat line (after the command's closing paren)."""
    return int(stat.rsplit(")", 1)[1].split()[1])


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if _parent_in(stat) == pid:
            found[int(entry.name)] = command
    return found


def parent(pid: int) -> int:
    """The pid of the process that started `pid` (as the kernel sees it now)."""
    return _parent_in(Path(f"/proc/{pid}/stat").read_text())


def gone(pid: int) -> bool:
    """Exited (no such process, or a zombie not reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"
