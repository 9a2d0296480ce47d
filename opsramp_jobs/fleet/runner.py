"""Drive one Pulumi stack per tenant with the Automation API, a bounded number at a time."""

from __future__ import annotations

import contextlib
import copy
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import pulumi
from pulumi import automation as auto
from pulumi.automation import events
from pulumi.automation._stack import StackInitMode  # Stack's constructor argument

from opsramp_jobs import OpsRampJob
from opsramp_jobs.errors import OpsRampJobsError
from opsramp_jobs.fleet.pending import PENDING_WARNING, clear_pending, pending_operations
from opsramp_jobs.fleet.processes import SessionCommand, StackProcess
from opsramp_jobs.fleet.spec import Fleet, TenantSpec
from opsramp_jobs.provider import ADOPT_EXISTING_ENV
from opsramp_jobs.resource import TYPE_TOKEN
from opsramp_jobs.settings import SOURCES

__all__ = ["JOB_TYPE", "OPERATIONS", "FleetRun", "RunOptions", "StackOutcome", "tenant_program"]

OPERATIONS = ("preview", "up", "refresh", "destroy")
SECRET_KEY = SOURCES["client_secret"].key
SECRET_ENV = SOURCES["client_secret"].env_names[0]
JOB_TYPE = TYPE_TOKEN
# After a second Ctrl-C, how long a pulumi may take to stop before the fleet kills it.
TERMINATE_GRACE_SECONDS = 15.0
_NOT_STARTED = "interrupted before its operation started"
# Signals that stop a run as Ctrl-C does: `kill`, and a closed terminal (no SIGHUP on Windows).
_INTERRUPTS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
# Step operations as the summary counts them.
_COUNTED = {
    events.OpType.CREATE: "created",
    events.OpType.UPDATE: "updated",
    events.OpType.DELETE: "deleted",
    events.OpType.SAME: "same",
    events.OpType.REPLACE: "replaced",
}
_DYNAMIC_PREFIX = re.compile(rf"^{re.escape(TYPE_TOKEN.split(':', 1)[0])}:dynamic/\S+ resource ")
# Error diagnostics that only say that another error happened.
_IGNORED_ERRORS = (
    "update failed",
    "preview failed",
    "refresh failed",
    "destroy failed",
    "resource monitor has terminated, shutting down",
)


def _has_config_key(work_dir: str, stack: str, key: str) -> bool:
    """Whether the stack's settings file in `work_dir` sets `key` (read, no pulumi process)."""
    settings = Path(work_dir) / f"Pulumi.{stack}.yaml"
    try:
        return f"{key}:" in settings.read_text(encoding="utf-8")
    except OSError:
        return False


def tenant_program(tenant: TenantSpec) -> Callable[[], None]:
    """The inline Pulumi program of one tenant: one OpsRampJob per job of its spec."""
    jobs = copy.deepcopy(tenant.jobs)  # each run gets its own dicts: threads share nothing

    def program() -> None:
        job_ids = {}
        for job in jobs:
            declared = OpsRampJob(job.resource, tenant_id=tenant.tenant_id, **job.args)
            job_ids[job.resource] = declared.job_id
        pulumi.export("jobIds", job_ids)

    return program


@dataclass(frozen=True)
class RunOptions:
    """How a fleet run drives its stacks."""

    operation: str
    parallel: int = 8
    backend: str | None = None
    secrets_provider: str | None = None
    stack_parallel: int | None = None
    """`--parallel` of each pulumi operation (resource operations at once); CLI default if None."""
    expect_no_changes: bool = False
    remove_stacks: bool = False
    """`destroy` only: also remove each emptied stack (its history and config) from the backend."""
    project_dir: str | None = None
    """Where each stack's Pulumi.<stack>.yaml stays between runs; a temporary dir if None."""


@dataclass
class StackOutcome:
    """What happened to one tenant's stack."""

    tenant: str
    status: str = "pending"  # pending, running, succeeded, failed, cancelled, not run
    counts: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    finished: float = 0.0
    error: str = ""
    notes: list[str] = field(default_factory=list)
    """What the run did beyond the operation (settling what an interrupted run left)."""
    steps: dict[str, str] = field(default_factory=dict)
    """The step counted for each resource (URN): one per job, over every pass of the run."""

    def count(self, urn: str, step: str) -> None:
        """Count a job's step once: its last change (create, delete...), else `same`."""
        earlier = self.steps.get(urn)
        if earlier is not None and step == "same":
            return
        if earlier is not None:
            self.counts[earlier] -= 1
            if not self.counts[earlier]:
                del self.counts[earlier]
        self.steps[urn] = step
        self.counts[step] += 1

    @property
    def duration(self) -> float:
        """Seconds the stack's operation took (0 if it never started)."""
        if not self.started:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    @property
    def changes(self) -> int:
        """Jobs created, updated, replaced or deleted (or to be, in a preview)."""
        return sum(n for k, n in self.counts.items() if k != "same")


def _first_error_line(messages: list[str]) -> str:
    """The first meaningful line of the error diagnostics (a traceback's exception line)."""
    for message in messages:
        lines = [line for line in message.splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("Traceback"):
            # The provider's exception: the last unindented line of the traceback.
            line = next((x for x in reversed(lines) if not x[0].isspace()), lines[-1])
        else:
            line = lines[0]
        line = line.strip().removeprefix("error:").strip()
        # The engine names a resource by its full dynamic type and prints an unknown value as
        # "value {<nil>}"; neither helps in a one-line summary.
        line = _DYNAMIC_PREFIX.sub("resource ", line).replace(" value {<nil>}", "")
        if line and not line.lower().endswith(_IGNORED_ERRORS):
            return line
    return "failed"


def _error_line(process: StackProcess, code: str) -> str:
    """The engine's message for the stack's failed command, never only its exit code.

    The engine's error diagnostics first; then what the CLI printed as `error:` (a lock, a
    missing stack), on stderr then stdout; then its last line of stderr.
    """
    printed = [*process.stderr, *process.stdout]
    flagged = [line for line in printed if line.strip().startswith("error:")]
    line = _first_error_line([*process.diagnostics, *flagged])
    if line != "failed":
        return line
    last = next((x.strip() for x in reversed(process.stderr) if x.strip()), "")
    return last or f"pulumi exited with {code} and printed no error"


class TenantError(OpsRampJobsError):
    """A tenant cannot be run as configured (before any pulumi operation)."""


@dataclass
class _Pass:
    """One pulumi operation of a stack, and what its engine events said."""

    settle: bool = False
    """Stop when the engine warns of pending operations, to settle them (up, destroy)."""
    targets: list[str] = field(default_factory=list)
    """`up --target` these URNs only (the adoption pass of _settle_pending)."""
    pending_warned: bool = False


@contextlib.contextmanager
def _adopting(workspace: auto.LocalWorkspace) -> Iterator[None]:
    """OPSRAMP_ADOPT_EXISTING=1 for the pulumi commands of this workspace (its provider)."""
    saved = workspace.env_vars
    workspace.env_vars = {**saved, ADOPT_EXISTING_ENV: "1"}
    try:
        yield
    finally:
        workspace.env_vars = saved


def _exit_code(error: auto.CommandError) -> str:
    """`code N` from a CommandError's text (the SDK keeps no attribute for it)."""
    found = re.search(r"code: (-?\d+)", str(error))
    return f"code {found.group(1)}" if found else "an error"


def _interrupted_message(operation: str, terminated: bool) -> str:
    """What an interrupted stack was left with, and what to run next."""
    if terminated:
        return (
            "interrupted twice: pulumi stopped at once; operations it had in flight stay pending "
            "in the state, and the next `fleet up` (or `destroy`) settles them"
        )
    return (
        "interrupted: the operations in flight finished and were saved; run "
        f"`fleet {operation}` again to finish"
    )


class FleetWorkspace(auto.LocalWorkspace):
    """A LocalWorkspace in the run's shared project directory that never selects a stack.

    Every command the fleet runs names its stack (`--stack`), so `pulumi stack select` (one CLI
    process per stack, ~0.15 CPU-s) would only record a "current stack" in PULUMI_HOME for a
    directory deleted after the run, and stacks selected at once would race on that record.
    """

    def select_stack(self, stack_name: str) -> None:
        """Nothing to do (see the class); a missing stack shows in the first command instead."""

    def create_stack(self, stack_name: str) -> None:
        """`pulumi stack init NAME --no-select` (see the class)."""
        args = ["stack", "init", stack_name, "--no-select"]
        if self.secrets_provider:
            args += ["--secrets-provider", self.secrets_provider]
        self.pulumi_command.run(args, self.work_dir, dict(self.env_vars))


class FleetStack(auto.Stack):
    """A tenant's stack whose operations do not read their results back through the CLI.

    `Stack.up` runs `pulumi stack output` twice (one decrypting secrets) and `pulumi stack
    history`, and `refresh`/`destroy` run `stack history`, only to fill the result object; the
    fleet counts from the engine events and reads no output (they stay in the stack for `pulumi
    stack output`). Those three processes were ~0.67 CPU-s of a new fleet stack's ~3.5.
    """

    def __init__(self, name: str, workspace: FleetWorkspace, process: StackProcess) -> None:
        super().__init__(name, workspace, StackInitMode.SELECT)  # no CLI call: see FleetWorkspace
        self.fleet_workspace = workspace
        self.process = process
        """Its running pulumi (SessionCommand records it), to pass Ctrl-C on."""
        self.resource_changes: events.OpMap | None = None  # from the engine's summary event

    def outputs(self) -> auto.OutputMap:
        """No outputs read back (see the class)."""
        return {}

    def info(self, show_secrets: bool = True) -> auto.UpdateSummary | None:
        """The finished operation, from its engine events rather than `pulumi stack history`."""
        # Only called after the CLI command succeeded.
        now = datetime.now()
        return auto.UpdateSummary(
            kind="update",
            start_time=now,
            end_time=now,
            message="",
            environment={},
            config={},
            result="succeeded",
            resource_changes=self.resource_changes,
        )


class FleetRun:
    """One fleet operation over many tenants: a thread pool of stacks, progress and outcomes."""

    def __init__(
        self,
        fleet: Fleet,
        tenants: list[TenantSpec],
        options: RunOptions,
        out: TextIO = sys.stderr,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.fleet = fleet
        self.tenants = tenants
        self.options = options
        self.out = out
        self.environ = dict(os.environ if environ is None else environ)
        self.outcomes = {t.key: StackOutcome(t.key) for t in tenants}
        self._stacks: dict[str, FleetStack] = {}
        self._processes: dict[str, StackProcess] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._tty = out.isatty()
        self._last_render = 0.0
        self.interrupted = False
        # Shared by every stack of the run, set up by the first one (_shared): one `pulumi
        # version` check, one project directory, one `pulumi stack ls`.
        self._command: auto.PulumiCommand | None = None
        """`pulumi` found and its version checked; each stack runs it as a SessionCommand."""
        self._work_dir: str | None = None
        self._existing: set[str] = set()

    # ------------------------------------------------------------------ stacks

    def _env_vars(self) -> dict[str, str]:
        env: dict[str, str] = {}
        backend = self.options.backend or self.fleet.backend
        if backend:
            env["PULUMI_BACKEND_URL"] = backend
        # The dynamic provider process runs `python3 -m pulumi.dynamic`: make it this interpreter's
        # virtualenv, where opsramp_jobs is installed.
        if sys.prefix != sys.base_prefix and "PULUMI_RUNTIME_VIRTUALENV" not in self.environ:
            env["PULUMI_RUNTIME_VIRTUALENV"] = sys.prefix
        return env

    def _shared(self) -> tuple[auto.PulumiCommand, str]:
        """The run's pulumi command and project directory; the first stack sets them up."""
        with self._lock:
            if self._command is None:
                self._command = auto.PulumiCommand()  # `pulumi version`, once per run
            if self._work_dir is None:
                project = self._project_workspace(SessionCommand(self._command, StackProcess()))
                self._work_dir = project.work_dir
                # Which stacks exist: a hint that saves a failing command per stack (new stacks
                # are created before their first command, existing ones are not). Wrong or
                # missing, it costs one more command: _open_stack falls back either way.
                with contextlib.suppress(auto.CommandError):
                    names = {summary.name for summary in project.list_stacks()}
                    self._existing = names | {name.rsplit("/", 1)[-1] for name in names}
            return self._command, self._work_dir

    def _project_workspace(self, command: SessionCommand) -> FleetWorkspace:
        """The one project directory of the run, with its Pulumi.yaml (written once)."""
        env = self._env_vars()
        directory = self.options.project_dir
        if directory is None:
            # Deleted at the end of the run (LocalWorkspace's own temp dirs never are).
            return FleetWorkspace(
                work_dir=tempfile.mkdtemp(prefix="opsramp-fleet-"),
                env_vars=env,
                pulumi_command=command,
                project_settings=auto.ProjectSettings(
                    name=self.fleet.project, runtime="python", main=os.getcwd()
                ),
            )
        path = Path(directory).resolve()
        if not any((path / f"Pulumi.{ext}").exists() for ext in ("yaml", "yml", "json")):
            path.mkdir(parents=True, exist_ok=True)
            return FleetWorkspace(
                work_dir=str(path),
                env_vars=env,
                pulumi_command=command,
                project_settings=auto.ProjectSettings(name=self.fleet.project, runtime="python"),
            )
        workspace = FleetWorkspace(work_dir=str(path), env_vars=env, pulumi_command=command)
        name = workspace.project_settings().name
        if name != self.fleet.project:
            raise TenantError(
                f"--project-dir {directory}: its Pulumi.yaml is project {name!r}, not the fleet's "
                f"{self.fleet.project!r}: pick another directory or fix the fleet file's project"
            )
        return workspace

    def _secret(self, tenant: TenantSpec) -> str | None:
        source = tenant.client_secret
        if source.env is None:
            return None
        value = self.environ.get(source.env, "")
        if not value:
            raise TenantError(
                f"tenants.{tenant.key}.clientSecret: environment variable {source.env} is not "
                f"set: export {source.env}=<integration secret> before running the fleet"
            )
        return value

    def _open_stack(self, tenant: TenantSpec, process: StackProcess) -> FleetStack | None:
        """The tenant's stack, configured; None when destroy/refresh finds no stack.

        Two pulumi processes at most before the operation: `stack init` for a new stack (up and
        preview only) and one `config set-all`, which also proves that the stack exists.
        """
        secret = self._secret(tenant)
        command, work_dir = self._shared()
        env = self._env_vars()
        if secret is not None:
            # Handed to this stack's pulumi processes (and so to its provider) in their
            # environment, which only this user can read, never in a command line (`config
            # set-all --secret k=v` would show it to everyone in `ps`) nor in a config file.
            env[SECRET_ENV] = secret
        workspace = FleetWorkspace(
            work_dir=work_dir,
            program=tenant_program(tenant),
            env_vars=env,
            secrets_provider=self.options.secrets_provider,
            pulumi_command=SessionCommand(command, process),
        )
        stack = FleetStack(tenant.key, workspace, process)
        creates = self.options.operation in ("preview", "up")
        if creates and tenant.key not in self._existing:
            with contextlib.suppress(auto.StackAlreadyExistsError):
                workspace.create_stack(tenant.key)
        config = {k: auto.ConfigValue(v) for k, v in tenant.config().items()}
        try:
            stack.set_all_config(config)
        except auto.StackNotFoundError:
            if not creates:
                return None
            workspace.create_stack(tenant.key)
            stack.set_all_config(config)
        if secret is not None and _has_config_key(work_dir, tenant.key, SECRET_KEY):
            # A stack config key wins over the environment (settings.lookup_setting): drop one
            # left by an earlier run in --project-dir, so the secret given now is the one used.
            stack.remove_config(SECRET_KEY)
        if tenant.client_secret.stack_secret:
            current = stack.get_all_config().get("opsramp:clientSecret")
            if current is None or not current.secret:
                where = self.options.project_dir
                raise TenantError(
                    f"tenants.{tenant.key}.clientSecret: stack {tenant.key} has no secret "
                    "opsramp:clientSecret: run `pulumi config set --secret opsramp:clientSecret "
                    f"<integration secret> --stack {tenant.key} --cwd {where or 'DIR'}`"
                    + ("" if where else " and run the fleet with --project-dir DIR")
                )
        return stack

    def _on_event(
        self, stack: FleetStack, outcome: StackOutcome, run: _Pass
    ) -> Callable[[Any], None]:
        preview = self.options.operation == "preview"

        def handle(event: events.EngineEvent) -> None:
            # Any event comes from inside the engine: pulumi's Ctrl-C handling is in place.
            stack.process.engine_running()
            if event.summary_event is not None:
                stack.resource_changes = event.summary_event.resource_changes
            step = event.resource_pre_event if preview else event.res_outputs_event
            if step is not None and step.metadata.type == JOB_TYPE:
                counted = _COUNTED.get(step.metadata.op)
                # `up --target`: the others show as `same`, even those not created yet.
                if counted and (not run.targets or step.metadata.urn in run.targets):
                    with self._lock:
                        outcome.count(step.metadata.urn, counted)
                    self._render()
            diagnostic = event.diagnostic_event
            if diagnostic is None:
                return
            if diagnostic.severity == "error":
                stack.process.diagnostics.append(diagnostic.message)
            elif run.settle and diagnostic.message.lstrip().startswith(PENDING_WARNING):
                # Before the first step: stop here, settle, start over (_settle_pending).
                run.pending_warned = True
                stack.process.cancel()

        return handle

    def _operate(self, stack: FleetStack, outcome: StackOutcome, run: _Pass) -> None:
        """The fleet's operation on one open stack (CommandError when it fails)."""
        common: dict[str, Any] = {
            "color": "never",
            "on_event": self._on_event(stack, outcome, run),
            "parallel": self.options.stack_parallel,
        }
        operation = self.options.operation
        if run.targets:
            # show_secrets=False: the summary read after the update needs no decryption.
            stack.up(show_secrets=False, target=run.targets, **common)
        elif operation == "up":
            stack.up(show_secrets=False, **common)
        elif operation == "preview":
            stack.preview(expect_no_changes=self.options.expect_no_changes or None, **common)
        elif operation == "refresh":
            stack.refresh(expect_no_changes=self.options.expect_no_changes or None, **common)
        else:
            stack.destroy(**common)

    def _settle_pending(self, tenant: TenantSpec, stack: FleetStack, outcome: StackOutcome) -> None:
        """Adopt the jobs an interrupted run's creates made, then clear what it left pending.

        The pending creates are run again as `up --target` with OPSRAMP_ADOPT_EXISTING=1, for
        those resources only: each adopts the one job in its tenant that carries its name (the
        one the interrupted create made), or creates it if that create never reached OpsRamp.
        Two jobs of one name are refused, both named (the provider's rule). Only then are the
        pending operations cleared: stopped anywhere before (Ctrl-C, a failed adoption), they
        are still there, and the stack's next run settles them again.
        """
        pending = pending_operations(stack.fleet_workspace, tenant.key)
        creates = [op for op in pending if op.kind == "creating" and op.type == JOB_TYPE]
        declared = {job.resource for job in tenant.jobs}
        again = [op.urn for op in creates if op.resource in declared]
        if again:
            with _adopting(stack.fleet_workspace):
                self._operate(stack, outcome, _Pass(targets=again))
        cleared = clear_pending(stack.fleet_workspace, tenant.key)
        outcome.notes.append(
            f"cleared {cleared} operation(s) left pending by an interrupted run; "
            f"{len(again)} interrupted create(s) adopted their job or made it"
        )
        for op in creates:
            if op.resource not in declared:
                outcome.notes.append(
                    f"resource {op.resource!r} (job {op.inputs.get('name')!r}) was being created "
                    "when a run was interrupted and is no longer in the fleet file: if OpsRamp "
                    "has that job, delete it or declare it again"
                )

    def _run_one(self, tenant: TenantSpec) -> None:
        outcome = self.outcomes[tenant.key]
        process = StackProcess()
        with self._lock:  # with _interrupt's: a stack either sees the stop or gets its Ctrl-C
            if self._stop.is_set():
                outcome.status = "not run"
                return
            self._processes[tenant.key] = process
        outcome.status, outcome.started = "running", time.monotonic()
        self._render(force=True)
        operation = self.options.operation
        run = _Pass(settle=operation in ("up", "destroy"))
        begun = False
        try:
            stack = self._open_stack(tenant, process)
            if stack is None:
                outcome.status = "succeeded"
                outcome.error = "no such stack (nothing to do)"
                return
            with self._lock:
                self._stacks[tenant.key] = stack
            if self._stop.is_set():
                outcome.status, outcome.error = "not run", _NOT_STARTED
                return
            begun = True
            try:
                self._operate(stack, outcome, run)
            except auto.CommandError:
                if not run.pending_warned or self._stop.is_set():
                    raise
            if run.pending_warned and not self._stop.is_set():
                # The fleet stopped that operation (a cancelled `destroy` even exits 0): settle,
                # then the whole operation once more.
                self._settle_pending(tenant, stack, outcome)
                if self._stop.is_set():
                    outcome.status = "cancelled"
                    outcome.error = _interrupted_message(operation, process.terminated)
                    return
                run = _Pass()
                self._operate(stack, outcome, run)
            if operation == "destroy" and self.options.remove_stacks:
                stack.workspace.remove_stack(tenant.key)
            outcome.status = "succeeded"
        except TenantError as exc:
            outcome.status, outcome.error = "failed", str(exc)
        except auto.CommandError as exc:
            if process.interrupted:
                outcome.status = "cancelled"
                outcome.error = _interrupted_message(operation, process.terminated)
            elif self._stop.is_set() and not begun:
                outcome.status, outcome.error = "not run", _NOT_STARTED
            else:
                outcome.status = "failed"
                outcome.error = _error_line(process, _exit_code(exc))
        except Exception as exc:  # one tenant's surprise must not stop the others
            if self._stop.is_set() and not begun:
                outcome.status, outcome.error = "not run", _NOT_STARTED
            else:
                outcome.status, outcome.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            outcome.finished = time.monotonic()
            self._render(force=True, finished=outcome)

    # ------------------------------------------------------------------ progress

    def _totals(self) -> tuple[Counter[str], Counter[str]]:
        states = Counter(o.status for o in self.outcomes.values())
        jobs: Counter[str] = Counter()
        for outcome in self.outcomes.values():
            jobs.update(outcome.counts)
        return states, jobs

    def progress_line(self) -> str:
        """One line: stacks done/running/failed, jobs created/updated/deleted so far."""
        states, jobs = self._totals()
        done = states["succeeded"] + states["failed"] + states["cancelled"] + states["not run"]
        verb = "to " if self.options.operation == "preview" else ""
        return (
            f"{self.options.operation}: stacks {done}/{len(self.outcomes)} done, "
            f"{states['running']} running, {states['failed']} failed | jobs {verb}"
            f"create {jobs['created']}, update {jobs['updated'] + jobs['replaced']}, "
            f"delete {jobs['deleted']}, same {jobs['same']}"
        )

    def _render(self, force: bool = False, finished: StackOutcome | None = None) -> None:
        with self._lock:
            now = time.monotonic()
            if self._tty:
                # One line, rewritten in place, at most ten times a second.
                if force or now - self._last_render >= 0.1:
                    self._last_render = now
                    self.out.write("\r\x1b[K" + self.progress_line())
                    self.out.flush()
            elif finished is not None:
                # Plain lines (CI logs): one per finished stack.
                line = f"{finished.tenant}: {_describe(finished)} | {self.progress_line()}"
                self.out.write(line + "\n")
                self.out.flush()

    # ------------------------------------------------------------------ run

    def run(self) -> list[StackOutcome]:
        """Run the operation on every tenant; Ctrl-C (or SIGTERM, SIGHUP) stops cleanly."""
        pool = ThreadPoolExecutor(max_workers=max(1, self.options.parallel))
        futures: dict[Future[None], str] = {
            pool.submit(self._run_one, tenant): tenant.key for tenant in self.tenants
        }
        try:
            with _signals_as_interrupts():
                try:
                    pending: Iterable[Future[None]] = set(futures)
                    while pending:
                        _, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                        self._render()
                except KeyboardInterrupt:
                    self._interrupt(futures)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            # The shared project directory, unless a stack is still running in it.
            temporary = self.options.project_dir is None
            if temporary and self._work_dir is not None and all(f.done() for f in futures):
                shutil.rmtree(self._work_dir, ignore_errors=True)
        for outcome in self.outcomes.values():
            if outcome.status == "pending":
                outcome.status = "not run"
        if self._tty:
            self._say("\r\x1b[K" + self.progress_line() + "\n")
        return list(self.outcomes.values())

    def _interrupt(self, futures: dict[Future[None], str]) -> None:
        """Ctrl-C: no new stack starts; each running one gets one SIGINT (pulumi's own Ctrl-C).

        The pulumi processes are in sessions of their own (processes.SessionCommand), so the
        terminal's signal reached this process only, and each pulumi gets exactly the SIGINTs
        passed on here, once its engine runs. On the first, pulumi starts no new operation,
        waits for the ones in flight, saves them in the state and releases the stack's lock:
        nothing pending, nothing orphaned. A second Ctrl-C passes a second SIGINT on: pulumi
        stops at once, its in-flight operations stay pending (the next `fleet up` settles them,
        _settle_pending), and it releases the lock; whatever still runs after
        TERMINATE_GRACE_SECONDS (or a third Ctrl-C) is killed, and its lock removed.
        """
        self.interrupted = True
        with self._lock:
            self._stop.set()
            processes = list(self._processes.values())
        for future in futures:
            future.cancel()
        running = [f for f in futures if not f.done()]
        self._say(
            f"\ninterrupted: no new stack starts; {len(running)} running stack(s) finish the "
            "operations in flight and save them (Ctrl-C again to stop them at once)\n"
        )
        for process in processes:
            process.interrupt()
        try:
            wait(running)
        except KeyboardInterrupt:
            self._say(
                "\ninterrupted again: pulumi stops at once; operations in flight stay pending "
                "and the next `fleet up` settles them\n"
            )
            for process in processes:
                process.interrupt()
            with contextlib.suppress(KeyboardInterrupt):
                wait(running, timeout=TERMINATE_GRACE_SECONDS)
            for process in processes:
                process.kill()
            with contextlib.suppress(KeyboardInterrupt):
                wait(running, timeout=TERMINATE_GRACE_SECONDS)
            self._release_locks()

    def _release_locks(self) -> None:
        """`pulumi cancel` on each stack whose pulumi was killed: it could not unlock.

        Not after a second SIGINT: pulumi then still releases its lock itself, and a `cancel`
        could remove the lock of another run that took the stack since (or, on Pulumi Cloud,
        cancel that run's update).
        """
        with self._lock:
            stacks = [s for s in self._stacks.values() if s.process.killed]
        for stack in stacks:
            with contextlib.suppress(auto.CommandError, KeyboardInterrupt):
                stack.cancel()

    def _say(self, text: str) -> None:
        """Write to the output; a closed terminal (SIGHUP) must not stop the shutdown."""
        with contextlib.suppress(OSError):
            self.out.write(text)
            self.out.flush()


@contextlib.contextmanager
def _signals_as_interrupts() -> Iterator[None]:
    """SIGTERM and SIGHUP raise KeyboardInterrupt, like Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, interrupt) for number in _INTERRUPTS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _describe(outcome: StackOutcome) -> str:
    counts = outcome.counts
    text = (
        f"{outcome.status} in {outcome.duration:.1f} s (+{counts['created']} "
        f"~{counts['updated'] + counts['replaced']} -{counts['deleted']} ={counts['same']})"
    )
    if outcome.error and outcome.status != "succeeded":
        text = f"{text}: {outcome.error}"
    return "; ".join([text, *outcome.notes])


def _last_column(outcome: StackOutcome) -> str:
    """The error's first line; for a stack that succeeded, its first note."""
    text = (
        outcome.error
        if outcome.status != "succeeded" or not outcome.notes
        else (f"note: {outcome.notes[0]}")
    )
    return (text.splitlines() or [""])[0][:200]


def summary_table(outcomes: list[StackOutcome], operation: str) -> str:
    """The end-of-run table: tenant, result, job counts, duration, first line of any error."""
    header = ("tenant", "result", "created", "updated", "deleted", "same", "seconds", "error")
    rows = []
    for o in outcomes:
        result = o.status
        if operation == "preview" and o.status == "succeeded":
            result = "changes" if o.changes else "no changes"
        rows.append(
            (
                o.tenant,
                result,
                str(o.counts["created"]),
                str(o.counts["updated"] + o.counts["replaced"]),
                str(o.counts["deleted"]),
                str(o.counts["same"]),
                f"{o.duration:.1f}",
                _last_column(o),
            )
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)
