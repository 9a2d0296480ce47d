"""`opsramp-jobs doctor` against the emulator: every check, exit codes, secrets, --write, sweep,
--stack, and exactly the difference each emulator quirk mode introduces."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opsramp_jobs.__main__ import main
from opsramp_jobs.client import clear_token_cache
from opsramp_jobs.doctor import (
    JOB_PREFIX,
    Check,
    DoctorReport,
    ShapeOptions,
    expected_echo,
    field_differences,
    render,
    run_doctor,
    setting_origins,
)
from opsramp_jobs.settings import ConnectionSettings
from tests.acceptance.selection import (
    EMULATOR_ARGS,
    emulator_in_mode,
    needs_quirks,
    not_under_switch,
    set_quirks,
)
from tests.support.emulator import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT13_TENANT,
    DEVICE_AD_SERVER,
    PARTNER_KEY,
    PARTNER_SECRET,
    PARTNER_TENANT,
    REPO_ROOT,
    SCRIPT_TEST,
    EmulatorProcess,
)

pytestmark = not_under_switch

OPTIONS = ShapeOptions((DEVICE_AD_SERVER,), SCRIPT_TEST, {2: "150"}, "doctor-credential-set")
CHECKS = [
    "url",
    "token path",
    "credentials",
    "token expiry",
    "tenant",
    "job types",
    "rate-limit headers",
    "search paging",
]
SHAPES = [
    "daily everyday",
    "daily every weekday",
    "daily every N days",
    "weekly",
    "monthly on days",
    "monthly on weekday",
    "run once",
    "never",
    "assetinfo",
    "networkconfigbackup",
    "appinstall",
    "appupdate",
    "custom",
]


@pytest.fixture(autouse=True)
def _no_cached_tokens() -> Iterator[None]:
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture(scope="module")
def doctor_emulator() -> Iterator[EmulatorProcess]:
    """An emulator with rate limits on (so the headers are there), a 1 s "minute"."""
    with EmulatorProcess(*EMULATOR_ARGS) as process:
        yield process


def _settings(emulator: EmulatorProcess, **overrides: Any) -> ConnectionSettings:
    values: dict[str, Any] = {
        "api_url": emulator.url,
        "client_id": CLIENT13_KEY,
        "client_secret": CLIENT13_SECRET,
        "tenant_id": CLIENT13_TENANT,
    }
    values.update(overrides)
    return ConnectionSettings(**values)


def _env(emulator: EmulatorProcess, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSRAMP_")}
    env.update(
        {
            "OPSRAMP_API_URL": emulator.url,
            "OPSRAMP_CLIENT_ID": CLIENT13_KEY,
            "OPSRAMP_CLIENT_SECRET": CLIENT13_SECRET,
            "OPSRAMP_TENANT_ID": CLIENT13_TENANT,
        }
    )
    env.update(overrides)
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opsramp_jobs", "doctor", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ready_emulator_passes_every_check_and_shape(doctor_emulator: EmulatorProcess) -> None:
    report = run_doctor(_settings(doctor_emulator), write=True, shape_options=OPTIONS)
    assert [c.name for c in report.checks] == CHECKS
    assert [(c.name, c.status) for c in report.checks if c.status != "ok"] == []
    assert [s.shape for s in report.shapes] == SHAPES
    assert all(s.status == "ok" and not s.differences and s.deleted for s in report.shapes)
    assert report.ok
    assert "a client (inferred from the id" in report.check("tenant").detail
    assert report.seconds < 10
    assert doctor_emulator.jobs() == []


def test_partner_tenant_is_named_a_partner(doctor_emulator: EmulatorProcess) -> None:
    settings = _settings(
        doctor_emulator,
        client_id=PARTNER_KEY,
        client_secret=PARTNER_SECRET,
        tenant_id=PARTNER_TENANT,
    )
    assert "a partner (inferred from the id" in run_doctor(settings).check("tenant").detail


def test_cli_prints_a_table_without_secrets_or_colour(doctor_emulator: EmulatorProcess) -> None:
    done = _cli(_env(doctor_emulator))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("✓") == len(CHECKS)
    assert "ready for `pulumi up`" in done.stdout
    assert "\033[" not in done.stdout  # colour only on a TTY
    assert CLIENT13_SECRET not in done.stdout + done.stderr


def test_wrong_secret_is_a_red_credentials_line_and_exit_1(
    doctor_emulator: EmulatorProcess,
) -> None:
    done = _cli(_env(doctor_emulator, OPSRAMP_CLIENT_SECRET="wrong-secret-value"))
    assert done.returncode == 1
    assert "✗ credentials" in done.stdout
    assert "wrong-secret-value" not in done.stdout + done.stderr


def test_wrong_secret_names_the_variables_the_user_set(doctor_emulator: EmulatorProcess) -> None:
    done = _cli(_env(doctor_emulator, OPSRAMP_CLIENT_SECRET="wrong-secret-value"))
    line = next(x for x in done.stdout.splitlines() if x.startswith("✗ credentials"))
    assert "check OPSRAMP_CLIENT_ID / OPSRAMP_CLIENT_SECRET (environment variables)" in line
    assert "opsramp:" not in line


def test_wrong_secret_flag_names_the_flag(doctor_emulator: EmulatorProcess) -> None:
    done = _cli(_env(doctor_emulator), "--client-secret", "wrong-secret-value")
    line = next(x for x in done.stdout.splitlines() if x.startswith("✗ credentials"))
    assert "check OPSRAMP_CLIENT_ID (environment variable) / --client-secret" in line


def test_wrong_secret_without_origins_names_the_stack_config_keys(
    doctor_emulator: EmulatorProcess,
) -> None:
    report = run_doctor(_settings(doctor_emulator, client_secret="wrong"))
    detail = report.check("credentials").detail
    assert "check opsramp:clientId / opsramp:clientSecret (stack config)" in detail


@pytest.mark.parametrize("path", ["/api/v2", "/api/v2/tenants/client_13/jobs", "/api/v2/"])
def test_an_api_path_in_the_url_asks_for_the_base_url(
    doctor_emulator: EmulatorProcess, path: str
) -> None:
    # The settings themselves refuse it (so `pulumi preview` does too), before any request.
    done = _cli(_env(doctor_emulator, OPSRAMP_API_URL=doctor_emulator.url + path))
    assert done.returncode == 2
    assert "settings are invalid" in done.stderr
    assert "must be the base URL (https://<subdomain>.api.opsramp.com)" in done.stderr
    assert f"`export OPSRAMP_API_URL={doctor_emulator.url}`" in done.stderr


def test_an_api_path_in_the_flag_blames_the_flag(doctor_emulator: EmulatorProcess) -> None:
    done = _cli(_env(doctor_emulator), "--api-url", doctor_emulator.url + "/api/v2")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "✗ OpsRamp connection settings are invalid:",
        f"  --api-url '{doctor_emulator.url}/api/v2' must be the base URL "
        "(https://<subdomain>.api.opsramp.com), without /api/v2: "
        f"pass `--api-url {doctor_emulator.url}`",
    ]


def test_a_non_http_flag_blames_the_flag(doctor_emulator: EmulatorProcess) -> None:
    done = _cli(_env(doctor_emulator), "--api-url", "ftp://x")
    assert done.returncode == 2
    assert "--api-url 'ftp://x' is not an http(s) URL or host name: pass `--api-url https://" in (
        done.stderr
    )
    assert "pulumi config" not in done.stderr


def test_an_api_path_from_stack_config_names_the_pulumi_config_fix(
    doctor_emulator: EmulatorProcess,
) -> None:
    report = run_doctor(_settings(doctor_emulator, api_url=doctor_emulator.url + "/api/v2"))
    assert report.check("url").status == "fail"
    assert f"`pulumi config set opsramp:apiUrl {doctor_emulator.url}`" in report.check("url").detail
    assert [c.name for c in report.checks] == ["url"]  # nothing is probed at the wrong URL


def test_origins_are_the_flag_else_the_config_key_else_the_variable_read() -> None:
    origins = setting_origins(
        {"opsramp:clientSecret": "from-stack", "opsramp:tenantId": "client_13"},
        {"tenant_id": "client_13", "api_url": None},
        {"OPSRAMP_ENDPOINT": "acme.api.opsramp.com", "OPSRAMP_CLIENT_ID": "k"},
    )
    assert origins == {
        "api_url": "OPSRAMP_ENDPOINT",
        "client_id": "OPSRAMP_CLIENT_ID",
        "client_secret": "opsramp:clientSecret",
        "tenant_id": "--tenant-id",
    }


def test_a_proxy_path_without_an_api_part_is_not_flagged(doctor_emulator: EmulatorProcess) -> None:
    report = run_doctor(_settings(doctor_emulator, api_url=doctor_emulator.url + "/opsramp"))
    assert "base URL" not in report.check("url").detail


def test_a_non_http_url_is_invalid_not_incomplete(doctor_emulator: EmulatorProcess) -> None:
    done = _cli(_env(doctor_emulator, OPSRAMP_API_URL="ftp://x"))
    assert done.returncode == 2
    assert "settings are invalid" in done.stderr
    assert "incomplete" not in done.stderr
    assert "OPSRAMP_API_URL 'ftp://x' is not an http(s) URL" in done.stderr


def test_missing_and_invalid_settings_are_both_named(doctor_emulator: EmulatorProcess) -> None:
    env = _env(doctor_emulator, OPSRAMP_API_URL="ftp://x")
    del env["OPSRAMP_CLIENT_ID"]
    done = _cli(env)
    assert done.returncode == 2
    assert "settings are incomplete and invalid" in done.stderr
    assert "opsramp:clientId is not set" in done.stderr


def test_stack_outside_a_pulumi_project_says_so_in_two_lines(
    pulumi_cli: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPSRAMP_", "PULUMI_"))}
    env.update(
        {
            "PULUMI_BACKEND_URL": f"file://{tmp_path}",
            "PULUMI_CONFIG_PASSPHRASE": "doctor",
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PYTHONPATH": str(REPO_ROOT),
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "opsramp_jobs", "doctor", "--stack", "h"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0] == (
        "✗ no Pulumi project here (run doctor from the project's directory, "
        "or pass OPSRAMP_* settings)"
    )
    assert "no Pulumi.yaml project file found" in lines[1]
    assert len(lines) == 2


def test_help_lists_exit_codes_and_says_what_sweep_deletes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["doctor", "--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "0 ready for `pulumi up`" in text
    assert "1 something `pulumi up` needs is wrong" in text
    assert "2 settings missing or invalid" in text
    assert "never a job named by hand), ask, and DELETE them" in text
    assert f"(default: {JOB_PREFIX})" in text
    assert "--dry-run list only, delete nothing" in text
    assert "--yes delete without asking" in text
    assert "2 settings missing or invalid, or no terminal to confirm on and no --yes" in text


def test_unreachable_url_is_red_and_exit_1() -> None:
    with EmulatorProcess() as gone:
        url = gone.url
    done = _cli(_env(gone, OPSRAMP_API_URL=url))
    assert done.returncode == 1
    assert done.stdout.startswith("✗ url")


def test_missing_settings_name_the_fix_and_exit_2(doctor_emulator: EmulatorProcess) -> None:
    env = {k: v for k, v in _env(doctor_emulator).items() if k != "OPSRAMP_CLIENT_SECRET"}
    done = _cli(env)
    assert done.returncode == 2
    assert "pulumi config set --secret opsramp:clientSecret" in done.stderr


def test_flags_override_the_environment(doctor_emulator: EmulatorProcess) -> None:
    env = _env(doctor_emulator, OPSRAMP_CLIENT_SECRET="wrong")
    done = _cli(env, "--client-secret", CLIENT13_SECRET, "--tenant-id", "client_93")
    assert done.returncode == 1  # client_13's key may not reach client_93
    assert "✓ credentials" in done.stdout
    assert "✗ tenant" in done.stdout


def test_write_deletes_its_job_even_when_the_read_back_fails(
    doctor_emulator: EmulatorProcess,
) -> None:
    doctor_emulator.add_fault(
        method="GET",
        path=r"/api/v2/tenants/[^/]+/jobs/[0-9a-f-]{36}",
        action="status",
        status=400,
        count=1,
    )
    report = run_doctor(_settings(doctor_emulator), write=True, shape_options=OPTIONS)
    first = report.shapes[0]
    assert (first.status, first.deleted) == ("fail", True)
    assert first.detail.startswith("read back failed")
    assert not report.ok
    assert doctor_emulator.jobs() == []
    assert "✗ write daily everyday" in render(report)


def test_stack_settings_come_from_pulumi_config(
    doctor_emulator: EmulatorProcess, pulumi_cli: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSRAMP_")}
    env.update(
        {
            "PULUMI_BACKEND_URL": f"file://{tmp_path}",
            "PULUMI_CONFIG_PASSPHRASE": "doctor",
            "PULUMI_SKIP_UPDATE_CHECK": "1",
        }
    )
    (tmp_path / "Pulumi.yaml").write_text("name: doctor-test\nruntime: python\n")

    def pulumi(*args: str) -> None:
        subprocess.run(
            [pulumi_cli, *args], cwd=tmp_path, env=env, check=True, capture_output=True, timeout=120
        )

    pulumi("stack", "init", "doctor")
    pulumi("config", "set", "opsramp:apiUrl", doctor_emulator.url)
    pulumi("config", "set", "opsramp:clientId", CLIENT13_KEY)
    pulumi("config", "set", "--secret", "opsramp:clientSecret", CLIENT13_SECRET)
    pulumi("config", "set", "opsramp:tenantId", CLIENT13_TENANT)
    done = subprocess.run(
        [sys.executable, "-m", "opsramp_jobs", "doctor", "--stack", "doctor"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ tenant" in done.stdout
    assert CLIENT13_SECRET not in done.stdout + done.stderr


def test_console_script_is_installed() -> None:
    script = shutil.which("opsramp-jobs", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("package not installed with its console script (run bash scripts/venv.sh)")
    done = subprocess.run(
        [script, "doctor", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0
    assert "--write" in done.stdout


def test_field_differences_name_missing_changed_and_added_fields() -> None:
    sent = {
        "jobQueued": True,
        "script": {
            "jobType": "custom",
            "customScript": {"id": "7"},
            "parameters": [{"paramId": "2", "value": "x"}],
            "credentialSet": {"uniqueId": "c"},
        },
    }
    echoed = {
        "id": "j",
        "jobQueued": "true",
        "script": {
            "customScript": {"id": 7, "name": "test script"},
            "parameters": [{"paramId": 2, "value": "x", "name": "String"}],
        },
        "extra": 1,
    }
    assert [str(d) for d in field_differences(expected_echo(sent), echoed)] == [
        "extra: expected (absent), echoed 1",
        "jobQueued: expected True, echoed 'true'",
    ]


# ------------------------------------------------------------------ quirk modes


def _signature(report: DoctorReport) -> dict[str, Any]:
    """What a mode can change: each check's status and detail (the emulator's URL aside), each
    shape's outcome."""
    found: dict[str, Any] = {
        f"check {c.name}": (c.status, c.detail) for c in report.checks if c.name != "url"
    }
    for shape in report.shapes:
        found[f"write {shape.shape}"] = (shape.status, [d.path for d in shape.differences])
    return found


def _report_in_mode(emulator: EmulatorProcess, *quirks: str) -> DoctorReport:
    """The doctor's report (with --write) on the emulator with these quirk modes on."""
    clear_token_cache()
    set_quirks(emulator, *quirks)
    try:
        report = run_doctor(_settings(emulator), write=True, shape_options=OPTIONS)
    finally:
        set_quirks(emulator)
    assert emulator.jobs() == []
    assert report.check("url").status == "ok"
    return report


@pytest.fixture(scope="module")
def quirky_emulator() -> Iterator[EmulatorProcess]:
    """One emulator for every mode: each test switches its quirks at run time."""
    with emulator_in_mode() as emulator:
        yield emulator


ALL_SHAPES = {f"write {shape}" for shape in SHAPES}
# mode -> {report line: the field paths that differ (write lines) or None (check lines)}
DIFFERENCE_OF: dict[str, dict[str, Any]] = {
    "ids-as-strings": {"write custom": ["script.customScript.id", "script.parameters[0].paramId"]},
    "paging-in-results": {"check search paging": None},
    "day-of-index": {
        "write monthly on weekday": ["schedule.pattern.dayOfIndex", "schedule.pattern.dayOfWeek"]
    },
    "run-config-alert": {
        "write networkconfigbackup": [
            "script.configParams.runConfigAlert",
            "script.configParams.runtimeConfigAlert",
        ]
    },
    "credential-set-top-level": {"write custom": ["credentialSet.uniqueId"]},
    "repeat-type-capitalised": {"write daily every N days": ["schedule.pattern.repeatType"]},
    "legacy-token-path": {"check token path": None, "check credentials": None},
    "expires-in-integer": {"check token expiry": None},
    "weekdays-single": {"write weekly": []},
    "job-types-schema-enum": {"write assetinfo": [], "write appupdate": []},
}


@pytest.fixture(scope="module")
def default_signature(quirky_emulator: EmulatorProcess) -> dict[str, Any]:
    return _signature(_report_in_mode(quirky_emulator))


@needs_quirks
@pytest.mark.parametrize("mode", sorted(DIFFERENCE_OF))
def test_doctor_reports_exactly_the_difference_of_a_quirk_mode(
    mode: str, quirky_emulator: EmulatorProcess, default_signature: dict[str, Any]
) -> None:
    report = _report_in_mode(quirky_emulator, mode)
    signature = _signature(report)
    changed = {line for line, value in signature.items() if default_signature[line] != value}
    assert changed == set(DIFFERENCE_OF[mode])
    for line, paths in DIFFERENCE_OF[mode].items():
        if paths:
            assert signature[line] == ("ok", paths), line  # the model absorbs it
        elif paths == []:
            assert signature[line][0] == "fail", line  # a create OpsRamp refuses
    if mode == "paging-in-results":
        # The client reads paging inside the items too; an empty search cannot show where.
        assert report.check("search paging").status == "warn"
        assert "shows once it has a job" in report.check("search paging").detail


@needs_quirks
@pytest.mark.parametrize("mode", ["string-values", "rfc3339-dates"])
def test_doctor_reports_a_whole_job_quirk_on_every_shape(
    mode: str, quirky_emulator: EmulatorProcess, default_signature: dict[str, Any]
) -> None:
    report = _report_in_mode(quirky_emulator, mode)
    changed = {
        line for line, value in _signature(report).items() if default_signature[line] != value
    }
    assert changed == ALL_SHAPES
    assert report.ok  # the model reads both forms
    for shape in report.shapes:
        for difference in shape.differences:
            if mode == "string-values":
                assert str(difference.expected).lower() == difference.echoed, difference
            else:
                assert difference.path == "schedule.startDate"


def test_colour_only_when_asked() -> None:
    report = DoctorReport(checks=[Check("url", "ok", "answers"), Check("tenant", "fail", "no")])
    assert "\033[32m✓\033[0m url" in render(report, colour=True)
    assert "\033[31m✗\033[0m tenant" in render(report, colour=True)
    assert "\033[" not in render(report)
