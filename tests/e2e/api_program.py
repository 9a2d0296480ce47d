"""The e2e program for existing jobs: managed jobs, `OpsRampJob.get`, `import_` and lookups.

Copied into a temporary project as its `__main__.py` (see tests/e2e/test_api.py). Everything comes
from stack config, so a test changes config, not code:
- `e2e:jobs`: `[{"resource", "args": {OpsRampJob keyword arguments}, "import": <job id>?}]`;
- `e2e:get`: `[{"resource", "id", "tenant_id"?}]`, read with `OpsRampJob.get`;
- `e2e:lookup`: `{"id"}` or `{"name"}` (and `"tenant_id"`), looked up with get_job and
  get_job_output;
- `e2e:types`: `true` to export get_job_types.
"""

from typing import Any

import pulumi

from opsramp_jobs import OpsRampJob
from opsramp_jobs.lookups import get_job, get_job_output, get_job_types

config = pulumi.Config("e2e")

managed: dict[str, OpsRampJob] = {}
for spec in config.get_object("jobs") or []:
    imported = spec.get("import")
    opts = pulumi.ResourceOptions(import_=imported) if imported else None
    managed[spec["resource"]] = OpsRampJob(spec["resource"], opts=opts, **spec["args"])
pulumi.export("jobIds", {name: job.job_id for name, job in managed.items()})

read: dict[str, OpsRampJob] = {
    spec["resource"]: OpsRampJob.get(spec["resource"], spec["id"], tenant_id=spec.get("tenant_id"))
    for spec in config.get_object("get") or []
}
pulumi.export(
    "got",
    {
        name: {"id": job.job_id, "name": job.name, "schedule": job.schedule_description}
        for name, job in read.items()
    },
)

lookup: dict[str, Any] | None = config.get_object("lookup")
if lookup:
    found = get_job(lookup.get("id"), name=lookup.get("name"), tenant_id=lookup.get("tenant_id"))
    pulumi.export("lookup", {"id": found.id, "name": found.name, "script": found.script})
    again = get_job_output(pulumi.Output.from_input(found.id), tenant_id=found.tenant_id)
    pulumi.export("lookupOutput", again.schedule_description)

if config.get_bool("types"):
    pulumi.export("jobTypes", [t.job_type for t in get_job_types().job_types])
