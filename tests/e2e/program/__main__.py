"""The end-to-end tier's program: its jobs come from stack config, so tests change config, not code.

`e2e:jobs` is a JSON list of `{"resource": <Pulumi name>, "args": <OpsRampJob keyword arguments>}`;
a custom script parameter whose value is `$scriptSecret` receives the secret `e2e:scriptSecret`.
"""

from typing import Any

import pulumi

from opsramp_jobs import OpsRampJob

config = pulumi.Config("e2e")
script_secret = config.get_secret("scriptSecret")


def with_secret(script: dict[str, Any]) -> dict[str, Any]:
    """The script with each `$scriptSecret` parameter value replaced by the secret config value."""
    parameters = [
        {**parameter, "value": script_secret}
        if parameter.get("value") == "$scriptSecret"
        else parameter
        for parameter in script.get("parameters", [])
    ]
    return {**script, "parameters": parameters} if parameters else script


jobs: dict[str, OpsRampJob] = {}
for spec in config.require_object("jobs"):
    args = dict(spec["args"])
    if isinstance(args.get("script"), dict):
        args["script"] = with_secret(args["script"])
    jobs[spec["resource"]] = OpsRampJob(spec["resource"], **args)

pulumi.export("jobIds", {name: job.job_id for name, job in jobs.items()})
pulumi.export("schedules", {name: job.schedule_description for name, job in jobs.items()})
