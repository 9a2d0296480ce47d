"""SQLite job storage: one connection, used only from the event loop thread."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    job_type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant_id, seq);
"""


@dataclass(frozen=True)
class SearchPage:
    """One page of a tenant's jobs plus the total count before paging."""

    jobs: list[dict[str, Any]]
    total: int


class JobStore:
    """Jobs keyed by UUID, each owned by one tenant, kept in creation order."""

    def __init__(self, path: str | None) -> None:
        # The event loop is the only user, so no locking is needed; autocommit per statement.
        self._db = sqlite3.connect(path or ":memory:", isolation_level=None)
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection (everything is already committed)."""
        self._db.close()

    def create(self, tenant_id: str, job: dict[str, Any]) -> None:
        """Insert a job that already carries its id."""
        self._db.execute(
            "INSERT INTO jobs (id, tenant_id, name, job_type, body) VALUES (?, ?, ?, ?, ?)",
            (job["id"], tenant_id, job["name"], _job_type(job), json.dumps(job)),
        )

    def get(self, tenant_id: str, job_id: str) -> dict[str, Any] | None:
        """The job with this id in this tenant, or None."""
        row = self._db.execute(
            "SELECT body FROM jobs WHERE id = ? AND tenant_id = ?", (job_id, tenant_id)
        ).fetchone()
        return None if row is None else _load(row[0])

    def update(self, tenant_id: str, job: dict[str, Any]) -> bool:
        """Replace a job's body; False when it does not exist in this tenant."""
        cursor = self._db.execute(
            "UPDATE jobs SET name = ?, job_type = ?, body = ? WHERE id = ? AND tenant_id = ?",
            (job["name"], _job_type(job), json.dumps(job), job["id"], tenant_id),
        )
        return cursor.rowcount == 1

    def delete(self, tenant_id: str, job_id: str) -> bool:
        """Delete a job; False when it does not exist in this tenant."""
        cursor = self._db.execute(
            "DELETE FROM jobs WHERE id = ? AND tenant_id = ?", (job_id, tenant_id)
        )
        return cursor.rowcount == 1

    def search(
        self,
        tenant_id: str,
        *,
        name_contains: str | None,
        job_type: str | None,
        sort_by_name: bool,
        descending: bool,
        offset: int,
        limit: int,
    ) -> SearchPage:
        """A tenant's jobs filtered, sorted (creation order breaks ties) and paged."""
        where = ["tenant_id = ?"]
        params: list[Any] = [tenant_id]
        if name_contains is not None:
            # instr(lower, lower) rather than LIKE so % and _ in names are literal.
            where.append("instr(lower(name), lower(?)) > 0")
            params.append(name_contains)
        if job_type is not None:
            where.append("job_type = ?")
            params.append(job_type)
        direction = "DESC" if descending else "ASC"
        order = f"lower(name) {direction}, seq {direction}" if sort_by_name else f"seq {direction}"
        clause = " AND ".join(where)
        total = self._db.execute(f"SELECT count(*) FROM jobs WHERE {clause}", params).fetchone()[0]
        rows = self._db.execute(
            f"SELECT body FROM jobs WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return SearchPage([_load(row[0]) for row in rows], int(total))

    def all_jobs(self) -> list[tuple[str, dict[str, Any]]]:
        """Every job of every tenant, in creation order."""
        rows = self._db.execute("SELECT tenant_id, body FROM jobs ORDER BY seq").fetchall()
        return [(str(row[0]), _load(row[1])) for row in rows]

    def clear(self) -> None:
        """Delete every job."""
        self._db.execute("DELETE FROM jobs")


def _job_type(job: dict[str, Any]) -> str:
    """The job's type; custom jobs are stored without jobType, as OpsRamp echoes them."""
    return str(job.get("script", {}).get("jobType", "custom"))


def _load(text: str) -> dict[str, Any]:
    """Decode a stored body."""
    value: dict[str, Any] = json.loads(text)
    return value
