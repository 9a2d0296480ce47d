"""The aiohttp application: OpsRamp API routes, their middleware and the /_emulator routes."""

from __future__ import annotations

import asyncio
import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from aiohttp import web

from .auth import Principal, TokenIssuer
from .faults import FaultRegistry, FaultSpecError
from .ratelimit import Decision, RateLimiter, RateLimits, RequestClass
from .seed import JOB_TYPES, TENANTS
from .store import JobStore
from .validation import JobValidationError, field_error, normalise_job

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ADMIN_PREFIX = "/_emulator/"
API_PREFIX = "/api/v2/"
MAX_PAGE_SIZE = 500
SEARCH_KEYS = ("name", "jobType")
# queryString separates terms with "+", but a name may contain "+": split only before "key:".
_QUERY_TERM_SPLIT = re.compile(r"\+(?=[A-Za-z]+:)")


@dataclass(frozen=True)
class RuntimeConfig:
    """The settings the admin API can change at run time."""

    rate_limits: RateLimits | None
    token_ttl: float
    not_found_as_500: bool

    def to_json(self) -> dict[str, Any]:
        """The config as GET /_emulator/config shows it."""
        return {
            "rate_limits": None if self.rate_limits is None else asdict(self.rate_limits),
            "token_ttl": self.token_ttl,
            "not_found_as_500": self.not_found_as_500,
        }


@dataclass
class Stats:
    """Request counters for the admin API."""

    requests: int = 0
    tokens_issued: int = 0
    throttled: int = 0
    writes: int = 0

    def __post_init__(self) -> None:
        self.by_route: Counter[str] = Counter()

    def to_json(self) -> dict[str, Any]:
        """The counters as GET /_emulator/stats shows them."""
        return {
            "requests": self.requests,
            "tokens_issued": self.tokens_issued,
            "throttled": self.throttled,
            "writes": self.writes,
            "by_route": dict(self.by_route),
        }


class Emulator:
    """All emulator state: jobs, tokens, limits, faults, counters."""

    def __init__(
        self,
        *,
        db_path: str | None,
        partner_key: str,
        partner_secret: str,
        startup: RuntimeConfig,
    ) -> None:
        self.startup = startup
        self.config = startup
        self.store = JobStore(db_path)
        self.tokens = TokenIssuer(partner_key, partner_secret, startup.token_ttl)
        self.limiter = RateLimiter(startup.rate_limits)
        self.faults = FaultRegistry()
        self.stats = Stats()

    def apply_config(self, config: RuntimeConfig) -> None:
        """Make a config current."""
        self.config = config
        self.tokens.ttl_seconds = config.token_ttl
        self.limiter.configure(config.rate_limits)

    def reset(self) -> None:
        """Forget jobs, tokens, faults and stats; restore the start-up config."""
        self.store.clear()
        self.tokens.expire_all()
        self.faults.clear()
        self.stats = Stats()
        self.apply_config(self.startup)


EMULATOR_KEY = web.AppKey("emulator", Emulator)


def _json(body: Any, status: int = 200) -> web.Response:
    """A JSON response."""
    return web.Response(text=json.dumps(body), status=status, content_type="application/json")


def _state(request: web.Request) -> Emulator:
    """The emulator behind this request."""
    return request.app[EMULATOR_KEY]


def _drop_connection(request: web.Request) -> web.Response:
    """Close the socket without answering; the returned response is never delivered."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=599)


# --------------------------------------------------------------------------- middleware


@web.middleware
async def fault_and_stats_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count OpsRamp requests and apply injected faults; admin routes pass straight through."""
    if request.path.startswith(ADMIN_PREFIX):
        return await handler(request)
    state = _state(request)
    state.stats.requests += 1
    resource = request.match_info.route.resource
    if resource is not None:
        state.stats.by_route[f"{request.method} {resource.canonical}"] += 1
    fault = state.faults.take(request.method, request.path)
    if fault is None:
        return await handler(request)
    if fault.action == "status":
        return _json(fault.body, fault.status)
    if fault.action == "drop":
        return _drop_connection(request)
    if fault.action == "latency":
        await asyncio.sleep(fault.seconds)
        return await handler(request)
    await handler(request)  # drop_after_commit: act fully, then never answer
    return _drop_connection(request)


def _request_class(request: web.Request) -> RequestClass:
    """Which rate-limit class a request falls in."""
    if request.method not in ("GET", "HEAD"):
        return RequestClass.WRITE
    if request.path.endswith("/jobs/search"):
        return RequestClass.PAGED_READ
    return RequestClass.READ


def _set_rate_headers(response: web.StreamResponse, decision: Decision | None) -> None:
    """Add the X-RateLimit-* headers (omitted when limiting is off)."""
    if decision is not None:
        response.headers["X-RateLimit-Limit"] = str(decision.limit)
        response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
        response.headers["X-RateLimit-Reset"] = str(decision.reset_epoch)


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer auth, tenant access and rate limits for /api/v2 routes."""
    if not request.path.startswith(API_PREFIX) or request.match_info.http_exception is not None:
        return await handler(request)  # unknown paths and methods get aiohttp's 404/405
    state = _state(request)
    tenant_id = request.match_info.get("tenantId")
    tenant = TENANTS.get(tenant_id) if tenant_id else None
    request_class = _request_class(request)

    def peek() -> Decision | None:
        if tenant is None:
            return None
        return state.limiter.check(
            tenant.tenant_id, request_class, tenant.is_partner, consume=False
        )

    principal = state.tokens.principal(request.headers.get("Authorization"))
    if principal is None:
        response = _json(
            {"error": "invalid_token", "error_description": "Invalid access token"}, 401
        )
        _set_rate_headers(response, peek())
        return response
    if tenant is None:
        return _json({"code": "0003", "message": f"No tenant found with id : {tenant_id}"}, 404)
    if not principal.may_access(tenant.tenant_id):
        response = _json({"error": "access_denied", "error_description": "Access is denied"}, 403)
        _set_rate_headers(response, peek())
        return response
    decision = state.limiter.check(tenant.tenant_id, request_class, tenant.is_partner, consume=True)
    if decision is not None and not decision.allowed:
        state.stats.throttled += 1
        response = _json({"error": "throttled", "error_description": "Too Many Requests"}, 429)
        _set_rate_headers(response, decision)
        return response
    request["principal"] = principal
    answer = await handler(request)
    if request_class is RequestClass.WRITE and answer.status == 200:
        state.stats.writes += 1
    _set_rate_headers(answer, decision)
    return answer


# --------------------------------------------------------------------------- OpsRamp routes


async def issue_token(request: web.Request) -> web.Response:
    """POST /tenancy/auth/oauth/token and /auth/oauth/token (client credentials grant)."""
    state = _state(request)
    form = await request.post()
    grant_type = form.get("grant_type")
    if grant_type != "client_credentials":
        return _json(
            {
                "error": "unsupported_grant_type",
                "error_description": f"Unsupported grant type: {grant_type!s}",
            },
            400,
        )
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    issued = None
    if isinstance(client_id, str) and isinstance(client_secret, str):
        issued = state.tokens.issue(client_id, client_secret)
    if issued is None:
        return _json({"error": "unauthorized", "error_description": "Bad API credentials"}, 401)
    state.stats.tokens_issued += 1
    token, ttl = issued
    return _json(
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": str(ttl),
            "scope": "global:manage",
        }
    )


def _not_found(state: Emulator, job_id: str) -> web.Response:
    """OpsRamp's unknown-job answer: 404, or 500 when the switch is on (as OpsRamp does)."""
    status = 500 if state.config.not_found_as_500 else 404
    return _json({"code": "0003", "message": f"No resource found with UUID : {job_id}"}, status)


async def _read_json(request: web.Request) -> tuple[Any, web.Response | None]:
    """The decoded body, or a 400 response for malformed JSON."""
    raw = await request.read()
    try:
        return json.loads(raw), None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return None, _json(
            [field_error("body", f"Malformed JSON request: {exc}") | {"code": "0001"}], 400
        )


async def create_job(request: web.Request) -> web.Response:
    """POST /api/v2/tenants/{tenantId}/jobs."""
    state = _state(request)
    tenant = TENANTS[request.match_info["tenantId"]]
    body, error = await _read_json(request)
    if error is not None:
        return error
    try:
        job = normalise_job(body, tenant)
    except JobValidationError as exc:
        return _json(exc.errors, 400)
    job["id"] = str(uuid.uuid4())
    state.store.create(tenant.tenant_id, job)
    return _json(job)


async def get_job(request: web.Request) -> web.Response:
    """GET /api/v2/tenants/{tenantId}/jobs/{jobId}."""
    state = _state(request)
    job_id = request.match_info["jobId"]
    job = state.store.get(request.match_info["tenantId"], job_id)
    return _not_found(state, job_id) if job is None else _json(job)


async def update_job(request: web.Request) -> web.Response:
    """POST /api/v2/tenants/{tenantId}/jobs/{jobId}: full replacement."""
    state = _state(request)
    tenant = TENANTS[request.match_info["tenantId"]]
    job_id = request.match_info["jobId"]
    if state.store.get(tenant.tenant_id, job_id) is None:
        return _not_found(state, job_id)
    body, error = await _read_json(request)
    if error is not None:
        return error
    try:
        job = normalise_job(body, tenant, job_id)
    except JobValidationError as exc:
        return _json(exc.errors, 400)
    job["id"] = job_id
    state.store.update(tenant.tenant_id, job)
    return _json(job)


async def delete_job(request: web.Request) -> web.Response:
    """DELETE /api/v2/tenants/{tenantId}/jobs/{jobId}: 200 with an empty body."""
    state = _state(request)
    job_id = request.match_info["jobId"]
    if not state.store.delete(request.match_info["tenantId"], job_id):
        return _not_found(state, job_id)
    return web.Response(status=200)


def _int_param(request: web.Request, name: str, default: int, errors: list[dict[str, str]]) -> int:
    """An integer query parameter, recording an error when malformed."""
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        errors.append(field_error(name, f"Invalid integer value : {raw!r}"))
        return default


async def search_jobs(request: web.Request) -> web.Response:
    """GET /api/v2/tenants/{tenantId}/jobs/search: paged jobs without entities."""
    state = _state(request)
    errors: list[dict[str, str]] = []
    page_no = _int_param(request, "pageNo", 1, errors)
    page_size = _int_param(request, "pageSize", 100, errors)
    if page_no < 1:
        errors.append(field_error("pageNo", "pageNo must be at least 1"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors.append(field_error("pageSize", f"pageSize must be between 1 and {MAX_PAGE_SIZE}"))
    descending_raw = request.query.get("isDescendingOrder", "true").lower()
    if descending_raw not in ("true", "false"):
        errors.append(field_error("isDescendingOrder", "isDescendingOrder must be true or false"))
    sort_name = request.query.get("sortName", "id")
    if sort_name not in ("id", "name"):
        errors.append(field_error("sortName", "sortName must be id or name"))
    terms: dict[str, str] = {}
    query_string = request.query.get("queryString", "").strip()
    for term in _QUERY_TERM_SPLIT.split(query_string) if query_string else []:
        key, sep, value = term.partition(":")
        if not sep or key not in SEARCH_KEYS:
            errors.append(field_error("queryString", f"Unsupported query term : {term!r}"))
        else:
            terms[key] = value
    if errors:
        return _json(errors, 400)
    page = state.store.search(
        request.match_info["tenantId"],
        name_contains=terms.get("name"),
        job_type=terms.get("jobType"),
        sort_by_name=sort_name == "name",
        descending=descending_raw == "true",
        offset=(page_no - 1) * page_size,
        limit=page_size,
    )
    total_pages = math.ceil(page.total / page_size)
    results = [{k: v for k, v in job.items() if k != "entities"} for job in page.jobs]
    return _json(
        {
            "results": results,
            "totalResults": page.total,
            "orderBy": sort_name,
            "pageNo": page_no,
            "pageSize": page_size,
            "totalPages": total_pages,
            "nextPage": page_no < total_pages,
            "previousPageNo": page_no - 1,
            "descendingOrder": descending_raw == "true",
        }
    )


async def job_types(request: web.Request) -> web.Response:
    """GET /api/v2/tenants/{tenantId}/jobs/types: the catalogue (without custom)."""
    return _json(
        {"jobNameAndType": [{"jobName": name, "jobtype": kind} for kind, name in JOB_TYPES.items()]}
    )


# --------------------------------------------------------------------------- admin routes


async def admin_add_fault(request: web.Request) -> web.Response:
    """POST /_emulator/faults."""
    body, error = await _read_json(request)
    if error is not None:
        return error
    try:
        fault = _state(request).faults.add(body)
    except FaultSpecError as exc:
        return _json({"error": str(exc)}, 400)
    return _json({"id": fault.fault_id})


async def admin_list_faults(request: web.Request) -> web.Response:
    """GET /_emulator/faults."""
    return _json(_state(request).faults.list())


async def admin_clear_faults(request: web.Request) -> web.Response:
    """DELETE /_emulator/faults."""
    _state(request).faults.clear()
    return _json({"cleared": True})


async def admin_jobs(request: web.Request) -> web.Response:
    """GET /_emulator/jobs: every job of every tenant."""
    return _json([{"tenantId": t, "job": job} for t, job in _state(request).store.all_jobs()])


async def admin_stats(request: web.Request) -> web.Response:
    """GET /_emulator/stats."""
    return _json(_state(request).stats.to_json())


async def admin_reset_stats(request: web.Request) -> web.Response:
    """DELETE /_emulator/stats."""
    state = _state(request)
    state.stats = Stats()
    return _json(state.stats.to_json())


async def admin_get_config(request: web.Request) -> web.Response:
    """GET /_emulator/config."""
    return _json(_state(request).config.to_json())


def _positive_number(value: Any, name: str) -> float:
    """A positive number from an admin body, or ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{name} must be a positive number")
    return float(value)


def _merge_config(current: RuntimeConfig, body: Any) -> RuntimeConfig:
    """Apply an admin config body to the current config, or ValueError."""
    if not isinstance(body, dict):
        raise ValueError("config body must be a JSON object")  # noqa: TRY004 (answered as 400)
    unknown = set(body) - {"rate_limits", "token_ttl", "not_found_as_500"}
    if unknown:
        raise ValueError(f"unknown config fields: {sorted(unknown)}")
    config = current
    if "rate_limits" in body:
        limits_body = body["rate_limits"]
        if limits_body is None:
            config = replace(config, rate_limits=None)
        elif isinstance(limits_body, dict):
            limits = current.rate_limits or RateLimits()
            for key in limits_body:
                if key not in ("write", "paged_read", "read", "window"):
                    raise ValueError(f"unknown rate_limits field: {key}")
                value = _positive_number(limits_body[key], key)
                if key != "window" and value != int(value):
                    raise ValueError(f"{key} must be an integer")
                if key == "window":
                    limits = replace(limits, window=value)
                else:
                    limits = replace(limits, **{key: int(value)})
            config = replace(config, rate_limits=limits)
        else:
            raise ValueError("rate_limits must be an object or null")
    if "token_ttl" in body:
        config = replace(config, token_ttl=_positive_number(body["token_ttl"], "token_ttl"))
    if "not_found_as_500" in body:
        if not isinstance(body["not_found_as_500"], bool):
            raise ValueError("not_found_as_500 must be a boolean")
        config = replace(config, not_found_as_500=body["not_found_as_500"])
    return config


async def admin_set_config(request: web.Request) -> web.Response:
    """POST /_emulator/config."""
    state = _state(request)
    body, error = await _read_json(request)
    if error is not None:
        return error
    try:
        config = _merge_config(state.config, body)
    except ValueError as exc:
        return _json({"error": str(exc)}, 400)
    state.apply_config(config)
    return _json(config.to_json())


async def admin_expire_tokens(request: web.Request) -> web.Response:
    """POST /_emulator/tokens/expire."""
    return _json({"expired": _state(request).tokens.expire_all()})


async def admin_reset(request: web.Request) -> web.Response:
    """POST /_emulator/reset."""
    _state(request).reset()
    return _json({"reset": True})


def build_app(emulator: Emulator) -> web.Application:
    """The aiohttp application serving one emulator."""
    app = web.Application(middlewares=[fault_and_stats_middleware, api_middleware])
    app[EMULATOR_KEY] = emulator
    jobs = "/api/v2/tenants/{tenantId}/jobs"
    app.router.add_post("/tenancy/auth/oauth/token", issue_token)
    app.router.add_post("/auth/oauth/token", issue_token)
    # search and types before {jobId}: routes match in the order they are added.
    app.router.add_get(f"{jobs}/search", search_jobs)
    app.router.add_get(f"{jobs}/types", job_types)
    app.router.add_post(jobs, create_job)
    app.router.add_get(f"{jobs}/{{jobId}}", get_job)
    app.router.add_post(f"{jobs}/{{jobId}}", update_job)
    app.router.add_delete(f"{jobs}/{{jobId}}", delete_job)
    app.router.add_get("/_emulator/faults", admin_list_faults)
    app.router.add_post("/_emulator/faults", admin_add_fault)
    app.router.add_delete("/_emulator/faults", admin_clear_faults)
    app.router.add_get("/_emulator/jobs", admin_jobs)
    app.router.add_get("/_emulator/stats", admin_stats)
    app.router.add_delete("/_emulator/stats", admin_reset_stats)
    app.router.add_get("/_emulator/config", admin_get_config)
    app.router.add_post("/_emulator/config", admin_set_config)
    app.router.add_post("/_emulator/tokens/expire", admin_expire_tokens)
    app.router.add_post("/_emulator/reset", admin_reset)
    return app


__all__ = ["Emulator", "Principal", "RuntimeConfig", "build_app"]
