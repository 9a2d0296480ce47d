"""Connection settings: stack config first, then the environment; fixes named in errors."""

import pytest

from opsramp_jobs.settings import SettingsError, default_tenant, resolve_settings
from tests.provider.conftest import job_inputs
from tests.provider.grpc_provider import ProviderServer

FULL = {
    "opsramp:apiUrl": "https://acme.api.opsramp.com/",
    "opsramp:clientId": "key",
    "opsramp:clientSecret": "s3cr3t",
    "opsramp:tenantId": "client_1",
}
CREDENTIALS_ENV = {"OPSRAMP_CLIENT_ID": "k", "OPSRAMP_CLIENT_SECRET": "s"}


def problems_of(config: dict[str, str], environ: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        resolve_settings(config, environ)
    return caught.value.problems


def test_stack_config_wins_over_environment() -> None:
    settings = resolve_settings(
        FULL, {"OPSRAMP_API_URL": "https://other", "OPSRAMP_TENANT_ID": "x"}
    )
    assert settings.api_url == "https://acme.api.opsramp.com"
    assert settings.tenant_id == "client_1"
    assert "s3cr3t" not in repr(settings)


def test_environment_and_terraform_aliases() -> None:
    settings = resolve_settings(
        {},
        {
            "OPSRAMP_ENDPOINT": "http://127.0.0.1:8700",
            "OPSRAMP_CLIENT_ID": "k",
            "OPSRAMP_CLIENT_SECRET": "s",
            "OPSRAMP_TENANT": "msp_12",
        },
    )
    assert (settings.api_url, settings.tenant_id) == ("http://127.0.0.1:8700", "msp_12")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("your-api-endpoint.opsramp.com", "https://your-api-endpoint.opsramp.com"),
        ("acme.api.opsramp.com/", "https://acme.api.opsramp.com"),
        ("127.0.0.1:8700", "https://127.0.0.1:8700"),
    ],
)
def test_a_bare_host_gets_https_as_hpes_terraform_provider_documents_it(
    given: str, expected: str
) -> None:
    from_env = resolve_settings({}, {"OPSRAMP_ENDPOINT": given, **CREDENTIALS_ENV})
    from_config = resolve_settings({**FULL, "opsramp:apiUrl": given}, {})
    assert from_env.api_url == from_config.api_url == expected


def test_every_missing_setting_names_its_command() -> None:
    problems = problems_of({"opsramp:apiUrl": "ftp://acme.api.opsramp.com"}, {})
    text = "\n".join(problems)
    assert "`pulumi config set opsramp:clientId <integration key>`" in text
    assert "`pulumi config set --secret opsramp:clientSecret <integration secret>`" in text
    assert "(or set OPSRAMP_CLIENT_SECRET)" in text
    assert "'ftp://acme.api.opsramp.com' is not an http(s) URL" in text
    assert len(problems) == 3


def test_a_bad_url_names_the_variable_the_user_set_and_its_fix() -> None:
    [problem] = problems_of({}, {"OPSRAMP_ENDPOINT": "ftp://acme", **CREDENTIALS_ENV})
    assert problem.startswith("OPSRAMP_ENDPOINT 'ftp://acme' is not an http(s) URL")
    assert "`export OPSRAMP_ENDPOINT=https://<your-subdomain>.api.opsramp.com`" in problem
    assert "opsramp:apiUrl" not in problem.split("(or unset it")[0]
    [problem] = problems_of({}, {"OPSRAMP_API_URL": "http://", **CREDENTIALS_ENV})
    assert problem.startswith("OPSRAMP_API_URL 'http://'")


def test_a_bad_url_in_stack_config_names_the_config_key() -> None:
    [problem] = problems_of({**FULL, "opsramp:apiUrl": "https://acme:notaport"}, {})
    assert problem.startswith("opsramp:apiUrl 'https://acme:notaport'")
    assert "`pulumi config set opsramp:apiUrl https://" in problem
    assert "export" not in problem


def test_a_blank_config_key_is_named_as_set_but_empty() -> None:
    [problem] = problems_of({**FULL, "opsramp:clientId": " "}, {"OPSRAMP_CLIENT_ID": "k"})
    assert (
        problem
        == "opsramp:clientId is empty: run `pulumi config set opsramp:clientId <integration key>`"
    )


def test_the_default_tenant_resolves_without_the_other_settings() -> None:
    # The provider names only the missing URL then, not also "no tenant".
    assert default_tenant({"opsramp:tenantId": "client_13"}, {}) == "client_13"
    assert default_tenant({}, {"OPSRAMP_TENANT": "msp_12"}) == "msp_12"
    assert default_tenant({}, {}) is None


def test_timeouts_are_validated() -> None:
    settings = resolve_settings({**FULL, "opsramp:readTimeout": "12.5"}, {})
    assert settings.read_timeout == 12.5
    [problem] = problems_of({**FULL, "opsramp:connectTimeout": "soon"}, {})
    assert problem.startswith("opsramp:connectTimeout 'soon'")
    assert "`pulumi config set opsramp:connectTimeout <seconds>`" in problem


def test_a_missing_url_is_the_only_failure_when_the_tenant_is_set() -> None:
    # Bug: the provider also reported "no tenant" though opsramp:tenantId was set.
    server = ProviderServer()
    try:
        server.configure(
            {"opsramp:tenantId": "client_13", "opsramp:clientId": "k", "opsramp:clientSecret": "s"}
        )
        inputs, failures = server.check(job_inputs())
    finally:
        server.close()
    assert [prop for prop, _ in failures] == [""]
    assert "opsramp:apiUrl is not set" in failures[0][1]
    assert inputs["tenantId"] == "client_13"


@pytest.mark.parametrize("path", ["/api/v2", "/api/v2/tenants/client_1/jobs", "/tenancy/"])
def test_a_url_copied_from_an_api_call_asks_for_the_base_url(path: str) -> None:
    config = {**FULL, "opsramp:apiUrl": f"https://acme.api.opsramp.com{path}"}
    [problem] = problems_of(config, {})
    assert "must be the base URL" in problem
    assert "`pulumi config set opsramp:apiUrl https://acme.api.opsramp.com`" in problem


def test_the_heading_says_whether_settings_are_missing_invalid_or_both() -> None:
    with pytest.raises(SettingsError) as caught:
        resolve_settings({"opsramp:apiUrl": "ftp://x", "opsramp:clientId": "k"}, {})
    assert str(caught.value).startswith("OpsRamp connection settings are incomplete and invalid:")
    assert caught.value.missing
    assert caught.value.invalid
    with pytest.raises(SettingsError) as caught:
        resolve_settings({**FULL, "opsramp:apiUrl": "ftp://x"}, {})
    assert str(caught.value).startswith("OpsRamp connection settings are invalid:")
    with pytest.raises(SettingsError) as caught:
        resolve_settings({}, {})
    assert str(caught.value).startswith("OpsRamp connection settings are incomplete:")
