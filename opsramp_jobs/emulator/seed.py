"""Fixed seed data: the tenants, credentials, devices and scripts of the documented examples."""

from __future__ import annotations

from dataclasses import dataclass, field

PARTNER_TENANT = "msp_12"
CLIENT13_TENANT = "client_13"
CLIENT93_TENANT = "client_93"

DEFAULT_PARTNER_KEY = "opsramp-demo-key"
DEFAULT_PARTNER_SECRET = "opsramp-demo-secret"
CLIENT13_KEY = "client13-demo-key"
CLIENT13_SECRET = "client13-demo-secret"
CLIENT93_KEY = "client93-demo-key"
CLIENT93_SECRET = "client93-demo-secret"


@dataclass(frozen=True)
class Tenant:
    """A partner (MSP) or client tenant."""

    tenant_id: str
    partner_id: str | None  # None for the partner itself

    @property
    def is_partner(self) -> bool:
        """True for a partner (MSP) tenant."""
        return self.partner_id is None


@dataclass(frozen=True)
class Device:
    """A managed device (resource) owned by one client."""

    device_id: str
    client_id: str
    host_name: str
    ip_addresses: str


@dataclass(frozen=True)
class ScriptParameter:
    """One declared parameter of a custom script."""

    param_id: int
    name: str


@dataclass(frozen=True)
class CustomScript:
    """A custom (RBA) script that custom-script jobs run."""

    script_id: int
    name: str
    description: str
    platforms: tuple[str, ...]
    parameters: tuple[ScriptParameter, ...] = field(default=())


TENANTS: dict[str, Tenant] = {
    PARTNER_TENANT: Tenant(PARTNER_TENANT, None),
    CLIENT13_TENANT: Tenant(CLIENT13_TENANT, PARTNER_TENANT),
    CLIENT93_TENANT: Tenant(CLIENT93_TENANT, PARTNER_TENANT),
}

DEVICE_AD_SERVER = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"
DEVICE_FILE_SERVER = "4e96d5bc-763c-4c00-beab-928d653a0422"
DEVICE_WEB_01 = "3b8f0c7e-2a41-4d6b-9e1f-5c7a9d2e4b10"
DEVICE_SQL_01 = "a1c5e9f2-6b3d-4e8a-b7c4-0d2f6e8a1b35"
DEVICE_LNX_APP_01 = "5f2d8c1a-9e7b-4a3c-8d6f-1b4e7a9c2d58"
DEVICE_CORE_SWITCH = "c7e4a2b9-1d6f-4c8e-a3b5-9f0d2e6c4a71"

DEVICES: dict[str, Device] = {
    d.device_id: d
    for d in (
        # The two devices of the documented examples: their hostName is their address.
        Device(DEVICE_AD_SERVER, CLIENT13_TENANT, "10.233.19.130", "10.233.19.130"),
        Device(DEVICE_FILE_SERVER, CLIENT13_TENANT, "172.30.1.60", "172.30.1.60"),
        Device(DEVICE_WEB_01, CLIENT13_TENANT, "web-01.acme.local", "10.233.19.141"),
        Device(DEVICE_SQL_01, CLIENT13_TENANT, "sql-01.acme.local", "10.233.19.150"),
        Device(DEVICE_LNX_APP_01, CLIENT93_TENANT, "lnx-app-01.globex.internal", "192.168.40.21"),
        Device(DEVICE_CORE_SWITCH, CLIENT93_TENANT, "core-sw-01.globex.internal", "192.168.40.2"),
    )
}

SCRIPTS: dict[int, CustomScript] = {
    s.script_id: s
    for s in (
        CustomScript(
            7, "test script", "test script", ("WINDOWS",), (ScriptParameter(2, "String"),)
        ),
        CustomScript(
            11,
            "rotate logs",
            "Compress and prune application logs",
            ("LINUX",),
            (ScriptParameter(21, "logDir"), ScriptParameter(22, "keepDays")),
        ),
        CustomScript(
            12,
            "restart service",
            "Restart a Windows service by name",
            ("WINDOWS",),
            (ScriptParameter(31, "serviceName"),),
        ),
    )
}

# The catalogue answered by GET .../jobs/types, names exactly as the OpenAPI file's example lists
# them; "custom" is deliberately absent, as in OpsRamp.
JOB_TYPES: dict[str, str] = {
    "adCheckList": "AD CheckList",
    "antispyware": "Anti SpyWare",
    "antivirus": "Antivirus Update",
    "appaudit": "Application Scan",
    "assetinfo": "Asset Information",
    "backupagent": "BackUp Agent",
    "diskdefrag": "Disk Defragmentation",
    "exbpaCheckList": "EXBPA CheckList",
    "missingPatchesRequest": "Missing Patches Request",
    "sqlreport": "MSSQL Report",
    "networkconfigbackup": "Network Configuration Backup",
    "tempfilesreport": "TempFiles Deletion",
    "appinstall": "Application Install",
    "appupdate": "Application Update",
}


def visible_devices(tenant: Tenant) -> set[str]:
    """Device ids a tenant may target: its own, or all its clients' for a partner."""
    if tenant.is_partner:
        clients = {t.tenant_id for t in TENANTS.values() if t.partner_id == tenant.tenant_id}
    else:
        clients = {tenant.tenant_id}
    return {d.device_id for d in DEVICES.values() if d.client_id in clients}


# --------------------------------------------------------------------------- synthetic clients
# `--synthetic-clients N` adds N more clients of msp_12 for fleet tests and benchmarks. Everything
# about them is derived from the index alone, so a harness can compute it (docs/fleet.md):
# tenant `client_s001`, API key `client_s001-key`, secret `client_s001-secret`, and
# SYNTHETIC_DEVICES_PER_CLIENT devices `000000NN-5e00-4000-8000-00000000000D` (NN the index in hex,
# D the device number 1..3) named `s001-dev-1.synthetic.local` at 10.<hi>.<lo>.D.
SYNTHETIC_DEVICES_PER_CLIENT = 3
SYNTHETIC_CLIENTS_MAX = 9999

# API key -> (secret, tenant id) of each synthetic client added in this process.
SYNTHETIC_CREDENTIALS: dict[str, tuple[str, str]] = {}


def synthetic_tenant_id(index: int) -> str:
    """The id of synthetic client number `index` (1-based): client_s001, client_s002, ..."""
    return f"client_s{index:03d}"


def synthetic_device_id(index: int, device: int) -> str:
    """The id of device `device` (1-based) of synthetic client `index`."""
    return f"{index:08x}-5e00-4000-8000-{device:012x}"


def add_synthetic_clients(count: int) -> list[str]:
    """Add clients client_s001..client_sNNN of msp_12, with devices and credentials; their ids.

    Idempotent: the seed tables are module level (the emulator serves one seed per process), so
    adding the same clients again changes nothing. The default seed is untouched.
    """
    if not 0 <= count <= SYNTHETIC_CLIENTS_MAX:
        raise ValueError(f"synthetic clients: {count} is not from 0 to {SYNTHETIC_CLIENTS_MAX}")
    added = []
    for index in range(1, count + 1):
        tenant_id = synthetic_tenant_id(index)
        TENANTS[tenant_id] = Tenant(tenant_id, PARTNER_TENANT)
        SYNTHETIC_CREDENTIALS[f"{tenant_id}-key"] = (f"{tenant_id}-secret", tenant_id)
        for device in range(1, SYNTHETIC_DEVICES_PER_CLIENT + 1):
            device_id = synthetic_device_id(index, device)
            address = f"10.{index // 256}.{index % 256}.{device}"
            DEVICES[device_id] = Device(
                device_id, tenant_id, f"s{index:03d}-dev-{device}.synthetic.local", address
            )
        added.append(tenant_id)
    return added
