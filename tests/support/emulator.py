"""Run the OpsRamp emulator as a real subprocess and drive its admin API from tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import requests

PARTNER_TENANT = "msp_12"
CLIENT13_TENANT = "client_13"
CLIENT93_TENANT = "client_93"
PARTNER_KEY = "opsramp-demo-key"
PARTNER_SECRET = "opsramp-demo-secret"
CLIENT13_KEY = "client13-demo-key"
CLIENT13_SECRET = "client13-demo-secret"
CLIENT93_KEY = "client93-demo-key"
CLIENT93_SECRET = "client93-demo-secret"

# Seeded devices, duplicated here on purpose: tests state the contract, not the emulator's code.
DEVICE_AD_SERVER = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"  # client_13, 10.233.19.130
DEVICE_FILE_SERVER = "4e96d5bc-763c-4c00-beab-928d653a0422"  # client_13, 172.30.1.60
DEVICE_WEB_01 = "3b8f0c7e-2a41-4d6b-9e1f-5c7a9d2e4b10"  # client_13, web-01.acme.local
DEVICE_SQL_01 = "a1c5e9f2-6b3d-4e8a-b7c4-0d2f6e8a1b35"  # client_13, sql-01.acme.local
DEVICE_LNX_APP_01 = "5f2d8c1a-9e7b-4a3c-8d6f-1b4e7a9c2d58"  # client_93, lnx-app-01
DEVICE_CORE_SWITCH = "c7e4a2b9-1d6f-4c8e-a3b5-9f0d2e6c4a71"  # client_93, core-sw-01
CLIENT13_DEVICES = (DEVICE_AD_SERVER, DEVICE_FILE_SERVER, DEVICE_WEB_01, DEVICE_SQL_01)
CLIENT93_DEVICES = (DEVICE_LNX_APP_01, DEVICE_CORE_SWITCH)
# Seeded custom scripts: id -> {param id: name}.
SCRIPT_TEST = 7  # "test script", WINDOWS, param 2 "String"
SCRIPT_ROTATE_LOGS = 11  # "rotate logs", LINUX, params 21 "logDir", 22 "keepDays"
SCRIPT_RESTART_SERVICE = 12  # "restart service", WINDOWS, param 31 "serviceName"

REPO_ROOT = Path(__file__).resolve().parents[2]
_READY = re.compile(r"https?://\S+")


class EmulatorError(RuntimeError):
    """The emulator did not start or stopped unexpectedly."""


class EmulatorProcess:
    """A running `python -m opsramp_jobs.emulator` subprocess on a free loopback port."""

    def __init__(
        self,
        *extra_args: str,
        db_path: str | os.PathLike[str] | None = None,
        rate_limit: bool = True,
        start_timeout: float = 15.0,
        tls_dir: str | os.PathLike[str] | None = None,
        quirks: Sequence[str] = (),
        request_timeout: float | None = None,
        synthetic_clients: int = 0,
    ) -> None:
        self.extra_args = list(extra_args)
        # Clients client_s001.. of msp_12 (docs/fleet.md): key client_sNNN-key, secret -secret.
        if synthetic_clients:
            self.extra_args += ["--synthetic-clients", str(synthetic_clients)]
        if not rate_limit:
            self.extra_args.append("--no-rate-limit")
        # Quirk modes (docs/emulator.md): answer the other side of a documented contradiction.
        if quirks:
            self.extra_args += ["--quirks", ",".join(quirks)]
        if request_timeout is not None:
            self.extra_args += ["--request-timeout", str(request_timeout)]
        # HTTPS with a self-signed certificate for 127.0.0.1, made in tls_dir; clients trust
        # it through `ca_file`.
        self.ca_file: str | None = None
        if tls_dir is not None:
            self.ca_file, key_file = self_signed_certificate(Path(tls_dir))
            self.extra_args += ["--tls-cert", self.ca_file, "--tls-key", key_file]
        self.db_path = None if db_path is None else str(db_path)
        self.start_timeout = start_timeout
        self.url = ""
        self.port = 0
        self.startup_seconds = 0.0
        self._process: subprocess.Popen[str] | None = None
        self._session = requests.Session()
        if self.ca_file:
            # requests lets REQUESTS_CA_BUNDLE from the environment override a session's verify.
            self._session.trust_env = False
            self._session.verify = self.ca_file

    # ------------------------------------------------------------------ lifecycle

    def start(self, port: int = 0) -> Self:
        """Start the subprocess and wait for its ready line."""
        if self._process is not None:
            raise EmulatorError("already running")
        command = [sys.executable, "-m", "opsramp_jobs.emulator", "--port", str(port)]
        if self.db_path is not None:
            command += ["--db", self.db_path]
        command += self.extra_args
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._process = process
        line = self._read_ready_line(process)
        match = _READY.search(line)
        if match is None:
            self.stop()
            raise EmulatorError(f"emulator did not start: {line!r}")
        self.startup_seconds = time.perf_counter() - started
        self.url = match.group(0).rstrip("/")
        self.port = int(self.url.rsplit(":", 1)[1])
        # Keep draining stdout so the child can never block on a full pipe.
        threading.Thread(target=_drain, args=(process,), daemon=True).start()
        return self

    def _read_ready_line(self, process: subprocess.Popen[str]) -> str:
        """The first stdout line, or '' on exit or timeout."""
        assert process.stdout is not None
        result: list[str] = []
        reader = threading.Thread(
            target=lambda: result.append(process.stdout.readline() if process.stdout else ""),
            daemon=True,
        )
        reader.start()
        reader.join(self.start_timeout)
        return result[0] if result else ""

    def stop(self) -> None:
        """Terminate the subprocess (SIGTERM, then SIGKILL after 5 s)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def restart(self) -> Self:
        """Stop and start again with the same db file, on the same port when it is free."""
        port = self.port
        self.stop()
        try:
            return self.start(port)
        except EmulatorError:
            self.stop()
            return self.start(0)

    @property
    def running(self) -> bool:
        """True while the subprocess is alive."""
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> Self:
        return self.start() if self._process is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
        self._session.close()

    # ------------------------------------------------------------------ OpsRamp side

    @property
    def admin_url(self) -> str:
        """Base URL of the /_emulator admin routes."""
        return f"{self.url}/_emulator"

    def jobs_url(self, tenant: str = CLIENT13_TENANT) -> str:
        """The jobs collection URL of a tenant."""
        return f"{self.url}/api/v2/tenants/{tenant}/jobs"

    def token(self, client_id: str = PARTNER_KEY, client_secret: str = PARTNER_SECRET) -> str:
        """A fresh access token for an API key."""
        response = self._session.post(
            f"{self.url}/tenancy/auth/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
            },
            timeout=10,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def api_session(
        self, client_id: str = PARTNER_KEY, client_secret: str = PARTNER_SECRET
    ) -> requests.Session:
        """A requests.Session already carrying a bearer token."""
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(client_id, client_secret)}"
        session.headers["Accept"] = "application/json"
        return session

    # ------------------------------------------------------------------ admin side

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call an admin route and return its decoded JSON."""
        response = self._session.request(method, f"{self.admin_url}/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def add_fault(self, **spec: Any) -> str:
        """Arm a fault (see docs/emulator.md); returns its id."""
        return str(self._admin("POST", "faults", spec)["id"])

    def faults(self) -> list[dict[str, Any]]:
        """Armed faults with remaining counts."""
        result: list[dict[str, Any]] = self._admin("GET", "faults")
        return result

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self._admin("DELETE", "faults")

    def jobs(self) -> list[dict[str, Any]]:
        """Every stored job: [{"tenantId": ..., "job": {...}}]."""
        result: list[dict[str, Any]] = self._admin("GET", "jobs")
        return result

    def stats(self) -> dict[str, Any]:
        """Request counters."""
        result: dict[str, Any] = self._admin("GET", "stats")
        return result

    def reset_stats(self) -> None:
        """Zero the request counters."""
        self._admin("DELETE", "stats")

    def configure(self, **config: Any) -> dict[str, Any]:
        """Change rate_limits / token_ttl / not_found_as_500 / quirks; returns the new config."""
        result: dict[str, Any] = self._admin("POST", "config", config)
        return result

    def config(self) -> dict[str, Any]:
        """The current runtime config."""
        result: dict[str, Any] = self._admin("GET", "config")
        return result

    def quirks(self) -> dict[str, Any]:
        """GET /_emulator/quirks: every mode (name, description, active) and the active list."""
        result: dict[str, Any] = self._admin("GET", "quirks")
        return result

    def set_quirks(self, *names: str) -> list[str]:
        """Replace the active quirk modes (none turns them all off); returns the active list."""
        result: dict[str, Any] = self._admin("POST", "quirks", {"quirks": list(names)})
        return list(result["active"])

    def expire_tokens(self) -> None:
        """Invalidate every issued token."""
        self._admin("POST", "tokens/expire")

    def reset(self) -> None:
        """Delete jobs, tokens, faults and stats; restore the start-up config."""
        self._admin("POST", "reset")


def self_signed_certificate(directory: Path) -> tuple[str, str]:
    """(certificate, key) PEM files for 127.0.0.1 and localhost, made with the openssl CLI."""
    cert, key = directory / "emulator-cert.pem", directory / "emulator-key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


def _drain(process: subprocess.Popen[str]) -> None:
    """Read and discard the child's remaining stdout."""
    if process.stdout is not None:
        for _ in process.stdout:
            pass
