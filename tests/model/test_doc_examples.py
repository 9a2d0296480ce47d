"""The four request/response examples of OpsRamp's "Create job" page."""

import json
from pathlib import Path
from typing import Any

import pytest

from opsramp_jobs.model import parse_job, server_details

EXAMPLES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent.parent / "data" / "doc_examples.json").read_text()
)
IDS = [e["example"] for e in EXAMPLES]


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
@pytest.mark.parametrize("side", ["request", "response"])
def test_request_and_response_parse(example: dict[str, Any], side: str) -> None:
    body = example[side]
    job = parse_job(body, "client_13")
    assert job.name == body.get("name")
    assert job.tenant_id == "client_13"
    assert job.job_type == body["script"].get("jobType", "custom")  # custom: the response has none
    assert job.job_queued is True  # "true" in every request, true in every response
    assert sorted((e.resource.type, e.resource.id) for e in job.entities) == sorted(
        (e["resource"]["type"], e["resource"]["id"]) for e in body["entities"]
    )
    # To the minute: the requests' 10:10:10 is stored as 10:10:00.
    assert job.canonical()["schedule"]["startDate"][:16] == body["schedule"]["startDate"][:16]


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_request_and_response_are_canonically_equal(example: dict[str, Any]) -> None:
    request = parse_job(example["request"], "client_13").canonical()
    response = parse_job(example["response"], "client_13").canonical()
    if "name" not in example["request"]:
        # The server names an unnamed job ("Job - test script"): that is what it adds.
        assert response.pop("name") == "Job - test script"
    assert request == response


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_wire_round_trips(example: dict[str, Any]) -> None:
    job = parse_job(example["request"], "client_13")
    assert parse_job(job.to_wire(), "client_13") == job
    assert parse_job(job.canonical()) == job


def test_wire_form_is_the_documented_shape() -> None:
    job = parse_job(EXAMPLES[0]["request"], "client_13")
    wire = job.to_wire()
    assert "tenantId" not in wire
    assert wire["schedule"] == {
        "startDate": "2016-04-14T10:10:00+0000",
        "pattern": {
            "type": "daily",
            "frequency": "recurrence",
            "repeatType": "days",
            "repeatFrequency": 2,
        },
    }
    assert wire["jobQueued"] is True
    assert wire["entities"][0] == {
        "resource": {"id": "4e96d5bc-763c-4c00-beab-928d653a0422", "type": "DEVICE"}
    }


def test_custom_script_response_without_job_type_is_custom() -> None:
    custom = EXAMPLES[3]
    assert "jobType" not in custom["response"]["script"]
    job = parse_job(custom["response"], "client_13")
    assert job.job_type == "custom"
    assert job.canonical()["script"] == {
        "jobType": "custom",
        "customScript": {"id": 7},
        "parameters": [{"paramId": 2, "value": "150"}],
        "userType": 2,
    }
    assert job.to_wire()["script"]["customScript"] == {"id": "7"}


def test_network_backup_wire_uses_the_examples_field_name() -> None:
    job = parse_job(EXAMPLES[1]["request"], "client_93")
    params = job.to_wire()["script"]["configParams"]
    assert params["runtimeConfigAlert"] is True
    assert "runConfigAlert" not in params


def test_schema_spelling_run_config_alert_is_accepted() -> None:
    body = json.loads(json.dumps(EXAMPLES[1]["request"]))
    params = body["script"]["configParams"]
    params["runConfigAlert"] = params.pop("runtimeConfigAlert")
    assert (
        parse_job(body).canonical()["script"]
        == parse_job(EXAMPLES[1]["request"]).canonical()["script"]
    )


def test_server_details_extracts_enrichment() -> None:
    details = server_details(EXAMPLES[3]["response"])
    assert details.job_id == "ce1088d5-81cc-4262-b515-a75230f0d8e4"
    assert details.script_name == "test script"
    assert details.entities[1] == {
        "id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5",
        "type": "DEVICE",
        "hostName": "10.233.19.130",
        "ipAddresses": "10.233.19.130",
        "clientUniqueId": "client_13",
    }


def test_undocumented_server_fields_are_ignored_only_when_reading_from_the_server() -> None:
    body = dict(EXAMPLES[0]["response"], createdDate="2026-01-01T00:00:00+0000")
    assert parse_job(body, from_server=True).name == "Ad Check List"
    with pytest.raises(ValueError, match="createdDate"):
        parse_job(body)
