"""The pack over gRPC, started by the analyzer plugin as the engine's host starts it.

Properties travel as the engine sends them: a protobuf Struct, numbers as doubles, values not
known yet as pulumi's unknown sentinels. pulumi-policy's own proxies wrap them, as in a preview.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from opsramp_jobs.policy.policies import JOB_TYPE, plain
from opsramp_jobs.policy.rules import UNKNOWN
from tests.policy.support import AnalyzerProcess

SERVER = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"
DAILY = {"type": "daily", "frequency": "everyday"}
COLLISION_POLICY = "opsramp-device-collisions"


def job(job_name: str, at: str = "2026-12-01T02:30:00+0000", **overrides: Any) -> dict[str, Any]:
    """A job's properties in the provider's canonical form."""
    return {
        "name": job_name,
        "tenantId": "client_13",
        "jobQueued": False,
        "entities": [{"resource": {"id": SERVER, "type": "DEVICE"}}],
        "script": {"jobType": "custom", "customScript": {"id": 42}, "userType": 1},
        "schedule": {"startDate": at, "pattern": DAILY},
        **overrides,
    }


def struct(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(props)
    return message


def resource(name: str, props: dict[str, Any], kind: str = JOB_TYPE) -> dict[str, Any]:
    urn = f"urn:pulumi:dev::proj::{kind}::{name}"
    return {"type": kind, "urn": urn, "name": name, "properties": struct(props)}


def unknown_job(name: str) -> dict[str, Any]:
    """A job whose name, one device, start date and script id are not known yet."""
    return job(
        name,
        name=UNKNOWN_STRING_VALUE,
        entities=[
            {"resource": {"id": SERVER, "type": "DEVICE"}},
            {"resource": {"id": UNKNOWN_STRING_VALUE, "type": "DEVICE"}},
        ],
        script={"jobType": "custom", "customScript": {"id": UNKNOWN_STRING_VALUE}},
        schedule={"startDate": UNKNOWN_STRING_VALUE, "pattern": DAILY},
    )


STRICT: dict[str, dict[str, Any]] = {
    "opsramp-blackout-windows": {"windows": [{"start": "00:00", "end": "24:00"}]},
    "opsramp-max-devices-per-job": {"maxDevices": 1},
    "opsramp-allowed-custom-scripts": {"allowedScriptIds": [7]},
    COLLISION_POLICY: {"windowMinutes": 15},
}


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    with AnalyzerProcess() as stub:
        yield stub


def configure(stub: analyzer_pb2_grpc.AnalyzerStub, config: dict[str, dict[str, Any]]) -> None:
    """Configure every policy as the engine does: its level (the default here) and settings."""
    info = stub.GetAnalyzerInfo(empty_pb2.Empty())
    stub.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                policy.name: analyzer_pb2.PolicyConfig(
                    enforcementLevel=policy.enforcementLevel,
                    properties=struct(config.get(policy.name, {})),
                )
                for policy in info.policies
            }
        )
    )


def analyze(
    stub: analyzer_pb2_grpc.AnalyzerStub, props: dict[str, Any], kind: str = JOB_TYPE
) -> list[Any]:
    response = stub.Analyze(analyzer_pb2.AnalyzeRequest(**resource("job", props, kind)))
    return list(response.diagnostics)


def analyze_stack(stub: analyzer_pb2_grpc.AnalyzerStub, *resources: dict[str, Any]) -> list[Any]:
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[analyzer_pb2.AnalyzerResource(**r) for r in resources]
    )
    return list(stub.AnalyzeStack(request).diagnostics)


def test_the_pack_describes_its_four_policies(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    levels = {p.name: analyzer_pb2.EnforcementLevel.Name(p.enforcementLevel) for p in info.policies}
    assert info.name == "opsramp-jobs"
    assert levels == {
        COLLISION_POLICY: "ADVISORY",
        "opsramp-blackout-windows": "MANDATORY",
        "opsramp-max-devices-per-job": "MANDATORY",
        "opsramp-allowed-custom-scripts": "MANDATORY",
    }
    schemas = {p.name: set(p.configSchema.properties) for p in info.policies}
    assert schemas[COLLISION_POLICY] == {"windowMinutes", "lookaheadDays"}


def test_resource_rules_report_a_job_and_leave_other_types_alone(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(analyzer, STRICT)
    diagnostics = analyze(analyzer, job("patch"))
    assert {d.policyName for d in diagnostics} == {
        "opsramp-blackout-windows",
        "opsramp-allowed-custom-scripts",
    }
    assert all(d.urn.endswith("::job") and "'patch'" in d.message for d in diagnostics)
    assert all(d.enforcementLevel == analyzer_pb2.MANDATORY for d in diagnostics)
    assert analyze(analyzer, job("patch"), kind="pulumi-python:dynamic:Resource") == []


def test_unknown_values_raise_no_violation_and_no_cannot_run_warning(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(analyzer, STRICT)
    assert analyze(analyzer, unknown_job("later")) == []
    whole_list = job(
        "x",
        entities=UNKNOWN_ARRAY_VALUE,
        script={"jobType": "adCheckList"},
        schedule={"startDate": UNKNOWN_STRING_VALUE, "pattern": DAILY},
    )
    assert analyze(analyzer, whole_list) == []
    assert (
        analyze_stack(
            analyzer, resource("later", unknown_job("later")), resource("patch", job("patch"))
        )
        == []
    )


def test_the_stack_rule_names_both_jobs_the_device_and_the_time(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(analyzer, {})
    diagnostics = analyze_stack(
        analyzer,
        resource("reboot", job("reboot", at="2026-12-01T02:40:00+0000")),
        resource("patch", job("patch")),
        resource("later", unknown_job("later")),
        resource("other", job("other"), kind="pulumi-python:dynamic:Resource"),
    )
    (found,) = diagnostics
    assert found.policyName == COLLISION_POLICY
    assert found.enforcementLevel == analyzer_pb2.ADVISORY
    assert found.urn.endswith("::patch")
    assert "jobs 'patch' and 'reboot' start 10 minutes apart on device " + SERVER in found.message
    assert "02:30 UTC ('patch') and " in found.message


def test_a_configuration_mistake_is_reported_with_its_fix(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(
        analyzer, {"opsramp-blackout-windows": {"windows": [{"start": "08:00", "end": "08:00"}]}}
    )
    (found,) = analyze(analyzer, job("patch"))
    assert found.message.endswith(
        "the policy's configuration is invalid: opsramp-blackout-windows: windows[0] starts and "
        'ends at 08:00; for a whole day use "start": "00:00", "end": "24:00"'
    )


def test_a_window_written_as_a_string_arrives_and_is_read(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(analyzer, {"opsramp-blackout-windows": {"windows": ["daily 02:00-03:00"]}})
    (found,) = analyze(analyzer, job("patch"))
    assert found.policyName == "opsramp-blackout-windows"
    assert "runs inside blackout window (every day 02:00-03:00 UTC) on device " in found.message


def test_plain_unwraps_pulumi_policys_proxies_without_tripping_them() -> None:
    props = unknown_checking_proxy(
        deserialize_properties({"a": [1.0, UNKNOWN_STRING_VALUE], "b": {"c": UNKNOWN_STRING_VALUE}})
    )
    assert plain(props) == {"a": [1.0, UNKNOWN], "b": {"c": UNKNOWN}}
