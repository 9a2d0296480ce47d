"""The four documented "Create job" examples, posted to the emulator, come back as documented."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
import requests

from tests.support.emulator import CLIENT13_TENANT, EmulatorProcess

ENTITIES_REQUEST = [
    {"resource": {"id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5", "type": "DEVICE"}},
    {"resource": {"id": "4e96d5bc-763c-4c00-beab-928d653a0422", "type": "DEVICE"}},
]
ENTITIES_RESPONSE = [
    {
        "resource": {
            "id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5",
            "generalInfo": {"ipAddresses": "10.233.19.130", "hostName": "10.233.19.130"},
            "clientUniqueId": "client_13",
            "type": "DEVICE",
        }
    },
    {
        "resource": {
            "id": "4e96d5bc-763c-4c00-beab-928d653a0422",
            "generalInfo": {"ipAddresses": "172.30.1.60", "hostName": "172.30.1.60"},
            "clientUniqueId": "client_13",
            "type": "DEVICE",
        }
    },
]
SCHEDULE_REQUEST = {
    "startDate": "2016-04-14T10:10:10+0000",
    "pattern": {
        "type": "daily",
        "frequency": "recurrence",
        "repeatType": "Days",
        "repeatFrequency": "2",
    },
}
SCHEDULE_RESPONSE = {
    "startDate": "2016-04-14T10:10:00+0000",
    "pattern": {
        "type": "daily",
        "frequency": "recurrence",
        "repeatFrequency": 2,
        "repeatType": "days",
    },
}

# (request, response) pairs transcribed from opsramp-create-job.txt, ids removed.
EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "ad-checklist": (
        {
            "name": "Ad Check List",
            "jobQueued": "true",
            "entities": ENTITIES_REQUEST,
            "script": {"jobType": "adCheckList"},
            "schedule": SCHEDULE_REQUEST,
        },
        {
            "name": "Ad Check List",
            "entities": ENTITIES_RESPONSE,
            "schedule": SCHEDULE_RESPONSE,
            "jobQueued": True,
            "script": {"jobType": "adCheckList"},
        },
    ),
    "network-config-backup": (
        {
            "name": "Network Config Backup",
            "jobQueued": "true",
            "entities": ENTITIES_REQUEST,
            "script": {
                "jobType": "networkconfigbackup",
                "configParams": {
                    "versionsSaved": "ALL_VERSIONS",
                    "backUpTrigger": "true",
                    "startupConfigAlert": "true",
                    "runtimeConfigAlert": "true",
                    "startUpConfigFilesBackUp": "true",
                    "runTimeConfigFilesBackUp": "true",
                },
            },
            "schedule": SCHEDULE_REQUEST,
        },
        {
            "name": "Network Config Backup",
            "entities": ENTITIES_RESPONSE,
            "schedule": SCHEDULE_RESPONSE,
            "jobQueued": True,
            "script": {
                "jobType": "networkconfigbackup",
                "configParams": {
                    "versionsSaved": "ALL_VERSIONS",
                    "backUpTrigger": True,
                    "startupConfigAlert": True,
                    "runtimeConfigAlert": True,
                    "startUpConfigFilesBackUp": True,
                    "runTimeConfigFilesBackUp": True,
                },
            },
        },
    ),
    "app-install": (
        {
            "name": "test",
            "jobQueued": "true",
            "entities": ENTITIES_REQUEST,
            "script": {
                "jobType": "appinstall",
                "approvalType": {
                    "approvalType": "1",
                    "approvalReason": "for testing",
                    "alertRequired": "true",
                },
            },
            "schedule": SCHEDULE_REQUEST,
        },
        {
            "name": "test",
            "entities": ENTITIES_RESPONSE,
            "schedule": SCHEDULE_RESPONSE,
            "jobQueued": True,
            "script": {
                "jobType": "appinstall",
                "approvalType": {
                    "approvalType": 1,
                    "approvalReason": "for testing",
                    "alertRequired": True,
                },
            },
        },
    ),
    "custom-script": (
        {
            "jobQueued": "true",
            "script": {
                "jobType": "custom",
                "userType": "2",
                "customScript": {"id": "7"},
                "parameters": [{"paramId": "2", "value": "150"}],
            },
            "entities": ENTITIES_REQUEST,
            "schedule": SCHEDULE_REQUEST,
        },
        {
            "name": "Job - test script",
            "entities": ENTITIES_RESPONSE,
            "schedule": SCHEDULE_RESPONSE,
            "jobQueued": True,
            "script": {
                "customScript": {
                    "id": 7,
                    "name": "test script",
                    "description": "test script",
                    "platforms": ["WINDOWS"],
                },
                "parameters": [{"paramId": 2, "name": "String", "value": "150"}],
                "userType": 2,
            },
        },
    ),
}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_documented_example_round_trips(
    emulator: EmulatorProcess, api: requests.Session, example: str
) -> None:
    """Create answers the documented response (ids aside); GET returns the same job."""
    request_body, expected = EXAMPLES[example]
    # The doc posts some examples to client_93 with client_13's devices; they live in client_13.
    created = api.post(emulator.jobs_url(CLIENT13_TENANT), json=copy.deepcopy(request_body))
    assert created.status_code == 200, created.text
    job = created.json()
    job_id = job.pop("id")
    assert uuid.UUID(job_id).version == 4
    assert job == expected
    fetched = api.get(f"{emulator.jobs_url(CLIENT13_TENANT)}/{job_id}")
    assert fetched.status_code == 200
    assert fetched.json() == {**expected, "id": job_id}


def test_custom_job_echo_can_be_posted_back_as_update(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """A GET body (no jobType, enriched fields) is accepted unchanged as an update."""
    request_body, _ = EXAMPLES["custom-script"]
    job = api.post(emulator.jobs_url(), json=request_body).json()
    updated = api.post(f"{emulator.jobs_url()}/{job['id']}", json=job)
    assert updated.status_code == 200, updated.text
    assert updated.json() == job
