"""Where a job runs: its entities (devices, by OpsRamp resource id)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator

from opsramp_jobs.model.common import Shown, WireModel
from opsramp_jobs.model.problems import invalid, is_pending, shown

if TYPE_CHECKING:
    from opsramp_jobs.model.common import TextInput

__all__ = ["Device", "Entity", "device"]

_ENTITY_TYPES = ("DEVICE",)
ENRICHMENT = frozenset(
    {"generalInfo", "clientUniqueId", "resourceName", "aliasName", "resourceType", "name"}
)


def _parse_entity_type(value: object) -> object:
    if isinstance(value, str) and value.strip().upper() in _ENTITY_TYPES:
        return value.strip().upper()
    raise invalid(
        "entity_type",
        f"{shown(value)} is not a supported entity type; supported: " + ", ".join(_ENTITY_TYPES),
    )


def _parse_device_id(value: object) -> object:
    if is_pending(value):
        # Another resource's output (e.g. a server's id): checked once the engine resolves it.
        return value
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value.strip()))
        except ValueError:
            pass
    raise invalid(
        "device_id",
        f"{shown(value)} is not an OpsRamp device id; use the device's UUID, "
        "e.g. 709824de-8315-4cf9-ad1c-b15aaf7bf2a5",
    )


if TYPE_CHECKING:
    DeviceId = TextInput
else:
    DeviceId = Annotated[Any, BeforeValidator(_parse_device_id), Shown("str | Output[str]")]


class Device(WireModel):
    """A device (OpsRamp resource of type ``DEVICE``) by its id (a UUID, or an Output of one)."""

    called = "an entity's resource"
    example = '{"id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5", "type": "DEVICE"}'
    output_fields = frozenset({"id"})

    server_fields = ENRICHMENT

    id: DeviceId
    """The device's OpsRamp resource id, a UUID (an Output is checked once it resolves)."""
    # Explicit so other documented entity types can be added beside it.
    type: Annotated[Literal["DEVICE"], BeforeValidator(_parse_entity_type)] = "DEVICE"
    """The entity type; only ``DEVICE`` (any case) is supported."""

    def canonical(self) -> dict[str, Any]:
        """Return the plain form (the id may still be a Pulumi Output in a program)."""
        return {"id": self.id, "type": self.type}


class Entity(WireModel):
    """One entity a job runs on, in OpsRamp's ``{"resource": {...}}`` envelope."""

    called = "an entity"
    example = (
        '{"resource": {"id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5", "type": "DEVICE"}} '
        'or device("709824de-8315-4cf9-ad1c-b15aaf7bf2a5")'
    )

    server_fields = ENRICHMENT

    resource: Device
    """The device the job runs on: ``Device(id=...)`` or ``{"id": ..., "type": "DEVICE"}``."""

    def canonical(self) -> dict[str, Any]:
        """Return the plain form (the id may still be a Pulumi Output in a program)."""
        return {"resource": self.resource.canonical()}


def device(device_id: TextInput) -> Entity:
    """Return the entity for one device id (a UUID, or a Pulumi Output of one)."""
    return Entity(resource=Device(id=device_id))
