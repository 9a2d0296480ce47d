"""Connection settings: stack config first, then the environment; fixes named in errors."""

import pytest

from opsramp_jobs.settings import SettingsError, resolve_settings

FULL = {
    "opsramp:apiUrl": "https://acme.api.opsramp.com/",
    "opsramp:clientId": "key",
    "opsramp:clientSecret": "s3cr3t",
    "opsramp:tenantId": "client_1",
}


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


def test_every_missing_setting_names_its_command() -> None:
    with pytest.raises(SettingsError) as caught:
        resolve_settings({"opsramp:apiUrl": "acme.api.opsramp.com"}, {})
    text = str(caught.value)
    assert "`pulumi config set opsramp:clientId <integration key>`" in text
    assert "`pulumi config set --secret opsramp:clientSecret <integration secret>`" in text
    assert "is not an http(s) URL" in text
    assert len(caught.value.problems) == 3


def test_timeouts_are_validated() -> None:
    settings = resolve_settings({**FULL, "opsramp:readTimeout": "12.5"}, {})
    assert settings.read_timeout == 12.5
    with pytest.raises(SettingsError, match="opsramp:connectTimeout 'soon'"):
        resolve_settings({**FULL, "opsramp:connectTimeout": "soon"}, {})
