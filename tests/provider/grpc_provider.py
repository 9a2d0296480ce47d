"""Drive the SDK's real dynamic-provider server over gRPC, as the Pulumi engine does."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from opsramp_jobs.provider import OpsRampJobProvider

URN = "urn:pulumi:dev::example::pulumi-python:dynamic/opsramp:OpsRampJob::{name}"
UNKNOWN = rpc.UNKNOWN
PROVIDER_BLOB = serialize_provider(OpsRampJobProvider())


def to_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    """Serialise plain properties the way the engine sends them."""
    # A private loop: asyncio.run would leave the thread without one for later Pulumi code.
    loop = asyncio.new_event_loop()
    try:
        result: struct_pb2.Struct = loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()
    return result


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """Deserialise properties returned by the provider."""
    result: dict[str, Any] = rpc.deserialize_properties(struct)
    return result


class ProviderServer:
    """A ``python -u -m pulumi.dynamic`` process and a stub connected to it."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        command: list[str] | None = None,
    ) -> None:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("OPSRAMP_")}
        full_env.update(env or {})
        self.process = subprocess.Popen(
            command or [sys.executable, "-u", "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            cwd=cwd,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        port = self.process.stdout.readline().strip()
        if not port.isdigit():
            self.process.kill()
            raise RuntimeError(f"provider server did not start: {self.process.stderr.read()!r}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def configure(self, config: dict[str, str]) -> None:
        """Send the stack config (namespaced keys), as the engine does once per process."""
        self.stub.Configure(provider_pb2.ConfigureRequest(args=to_struct(config)))

    def check(
        self, news: dict[str, Any], olds: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Return the checked inputs and the failures as ``(property, reason)``."""
        response = self.stub.Check(
            provider_pb2.CheckRequest(
                urn=URN.format(name="job"),
                olds=to_struct(olds or {}),
                news=to_struct({**news, "__provider": PROVIDER_BLOB}),
            )
        )
        inputs = rpc.deserialize_properties(response.inputs, True)
        return inputs, [(f.property, f.reason) for f in response.failures]

    def diff(self, job_id: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        """Return the raw DiffResponse."""
        return self.stub.Diff(
            provider_pb2.DiffRequest(
                id=job_id,
                urn=URN.format(name="job"),
                olds=to_struct(olds),
                news=to_struct({**news, "__provider": PROVIDER_BLOB}),
            )
        )

    def create(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Return the new id and outputs."""
        response = self.stub.Create(
            provider_pb2.CreateRequest(
                urn=URN.format(name="job"),
                properties=to_struct({**inputs, "__provider": PROVIDER_BLOB}),
            )
        )
        return response.id, from_struct(response.properties)

    def read(
        self, job_id: str, props: dict[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """Return the id, outputs and inputs the provider read."""
        response = self.stub.Read(
            provider_pb2.ReadRequest(
                id=job_id,
                urn=URN.format(name="job"),
                properties=to_struct({**props, "__provider": PROVIDER_BLOB}),
            )
        )
        return response.id, from_struct(response.properties), from_struct(response.inputs)

    def update(self, job_id: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        """Return the outputs after an update."""
        response = self.stub.Update(
            provider_pb2.UpdateRequest(
                id=job_id,
                urn=URN.format(name="job"),
                olds=to_struct(olds),
                news=to_struct({**news, "__provider": PROVIDER_BLOB}),
            )
        )
        return from_struct(response.properties)

    def delete(self, job_id: str, props: dict[str, Any]) -> None:
        """Delete a job."""
        self.stub.Delete(
            provider_pb2.DeleteRequest(
                id=job_id,
                urn=URN.format(name="job"),
                properties=to_struct({**props, "__provider": PROVIDER_BLOB}),
            )
        )

    def close(self) -> None:
        """Stop the server."""
        self.channel.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
