"""Process-level behaviour: persistence across restart, concurrency, CLI switches, signals."""

from __future__ import annotations

import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.emulator.conftest import daily_job
from tests.support.emulator import REPO_ROOT, EmulatorProcess


def test_jobs_survive_restart_with_a_db_file(tmp_path: Path) -> None:
    """With --db, jobs (and their ids) are still there after a restart; tokens are not."""
    with EmulatorProcess(db_path=tmp_path / "jobs.db", rate_limit=False) as process:
        with process.api_session() as session:
            job = session.post(process.jobs_url(), json=daily_job("persisted")).json()
        port = process.port
        process.restart()
        assert process.port == port
        assert process.jobs() == [{"tenantId": "client_13", "job": job}]
        with process.api_session() as session:
            assert session.get(f"{process.jobs_url()}/{job['id']}").json() == job


def test_in_memory_db_starts_empty(emulator: EmulatorProcess) -> None:
    """Without --db the store is in memory (and reset empties it)."""
    assert emulator.jobs() == []


def test_concurrent_creates_and_updates_lose_nothing(emulator: EmulatorProcess) -> None:
    """8 threads each create 10 jobs and update each once; every write is stored intact."""

    def worker(thread_no: int) -> list[str]:
        with emulator.api_session() as session:
            ids = []
            for i in range(10):
                created = session.post(emulator.jobs_url(), json=daily_job(f"t{thread_no}-j{i}"))
                assert created.status_code == 200
                job_id = created.json()["id"]
                updated = session.post(
                    f"{emulator.jobs_url()}/{job_id}",
                    json=daily_job(f"t{thread_no}-j{i}-v2", id=job_id),
                )
                assert updated.status_code == 200
                ids.append(job_id)
            return ids

    with ThreadPoolExecutor(8) as pool:
        ids = [job_id for batch in pool.map(worker, range(8)) for job_id in batch]
    stored = {row["job"]["id"]: row["job"] for row in emulator.jobs()}
    assert len(ids) == len(set(ids)) == len(stored) == 80
    assert sorted(job["name"] for job in stored.values()) == sorted(
        f"t{t}-j{i}-v2" for t in range(8) for i in range(10)
    )
    assert all(
        job["entities"][0]["resource"]["clientUniqueId"] == "client_13" for job in stored.values()
    )
    assert emulator.stats()["writes"] == 160


def test_not_found_as_500_flag() -> None:
    """--not-found-as-500 makes unknown job ids answer 500 with code 0003."""
    with EmulatorProcess("--not-found-as-500") as process, process.api_session() as session:
        response = session.get(f"{process.jobs_url()}/does-not-exist")
        assert response.status_code == 500
        assert response.json()["code"] == "0003"


def test_custom_credentials_and_ttl_flags() -> None:
    """--client-id/--client-secret replace the partner key; --token-ttl sets expires_in."""
    with EmulatorProcess(
        "--client-id", "k", "--client-secret", "s", "--token-ttl", "60"
    ) as process:
        url = f"{process.url}/auth/oauth/token"
        form = {"grant_type": "client_credentials", "client_id": "k", "client_secret": "s"}
        response = requests.post(url, data=form, timeout=5)
        assert response.json()["expires_in"] == "60"
        default = {**form, "client_id": "opsramp-demo-key", "client_secret": "opsramp-demo-secret"}
        assert requests.post(url, data=default, timeout=5).status_code == 401


def test_sigint_and_sigterm_exit_cleanly() -> None:
    """Both signals stop the server with exit status 0 and nothing on stderr."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        process = subprocess.Popen(
            [sys.executable, "-m", "opsramp_jobs.emulator", "--port", "0"],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("OpsRamp emulator listening on http://127.0.0.1:")
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=10)
        assert (process.returncode, stderr) == (0, "")
