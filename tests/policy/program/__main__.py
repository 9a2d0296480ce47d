"""The policy tier's program: jobs from stack config, some values known only at `up`.

`e2e:jobs` is a JSON list of `{"resource": <Pulumi name>, "args": <OpsRampJob keyword arguments>}`,
as in tests/e2e. A string `"VALUE@after:RESOURCE"` anywhere in the arguments becomes VALUE once
the job RESOURCE (listed earlier) has its id: in a preview that creates RESOURCE it is unknown,
as a device id or a start date taken from another resource would be.
"""

from typing import Any

import pulumi

from opsramp_jobs import OpsRampJob

jobs: dict[str, OpsRampJob] = {}


def known_later(value: Any) -> Any:
    """The arguments with each `VALUE@after:RESOURCE` string as an Output of VALUE."""
    if isinstance(value, str) and "@after:" in value:
        literal, _, resource = value.rpartition("@after:")
        return jobs[resource].id.apply(lambda _: literal)
    if isinstance(value, dict):
        return {key: known_later(item) for key, item in value.items()}
    if isinstance(value, list):
        return [known_later(item) for item in value]
    return value


for spec in pulumi.Config("e2e").require_object("jobs"):
    jobs[spec["resource"]] = OpsRampJob(spec["resource"], **known_later(spec["args"]))
