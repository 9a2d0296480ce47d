"""The aiohttp application: OpsRamp API routes, their middleware and the /_emulator routes."""

from __future__ import annotations

import asyncio
import json
import math
import re
import uuid
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from .auth import Principal, TokenIssuer
from .faults import Fault, FaultRegistry, FaultSpecError
from .quirks import QUIRKS, UnknownQuirkError, parse_quirks, render_job, render_search
from .ratelimit import Decision, RateLimiter, RateLimits, RequestClass
from .seed import JOB_TYPES, TENANTS
from .store import JobStore
from .validation import INT_MAX, JobValidationError, field_error, normalise_job

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ADMIN_PREFIX = "/_emulator/"
API_PREFIX = "/api/v2/"
MAX_PAGE_SIZE = 500
# pageNo is a Java int at OpsRamp; beyond it (10^17, 10^20) the offset would overflow SQLite.
MAX_PAGE_NO = INT_MAX
# No job body is anywhere near this deep; deeper JSON is refused before it is walked.
MAX_JSON_DEPTH = 32
# A query integer: ASCII digits only ("²" and Arabic-Indic digits are not numbers here).
_QUERY_INT = re.compile(r"[0-9]{1,10}", re.ASCII)
# Admin config bounds: outside them the emulator would overflow or never reset a window.
WINDOW_BOUNDS = (0.01, 86_400.0)
TOKEN_TTL_BOUNDS = (0.01, 31_536_000.0)
LIMIT_BOUNDS = (1, 1_000_000)
# aiohttp's default client_max_size, set explicitly: it also caps a body once decoded.
MAX_BODY_BYTES = 1024**2
# Default seconds a connection may take to deliver one whole request (headers and body).
DEFAULT_REQUEST_TIMEOUT = 60.0
SEARCH_KEYS = ("name", "jobType")
# queryString separates terms with "+", but a name may contain "+": split only before "key:".
_QUERY_TERM_SPLIT = re.compile(r"\+(?=[A-Za-z]+:)")


@dataclass(frozen=True)
class RuntimeConfig:
    """The settings the admin API can change at run time."""

    rate_limits: RateLimits | None
    token_ttl: float
    not_found_as_500: bool
    quirks: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        """The config as GET /_emulator/config shows it."""
        return {
            "rate_limits": None if self.rate_limits is None else asdict(self.rate_limits),
            "token_ttl": self.token_ttl,
            "not_found_as_500": self.not_found_as_500,
            "quirks": sorted(self.quirks),
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
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        self.startup = startup
        self.request_timeout = request_timeout
        self.config = startup
        self.store = JobStore(db_path)
        self.tokens = TokenIssuer(partner_key, partner_secret, startup.token_ttl)
        self.limiter = RateLimiter(startup.rate_limits)
        self.faults = FaultRegistry()
        self.stats = Stats()

    @property
    def quirks(self) -> frozenset[str]:
        """The active quirk modes."""
        return self.config.quirks

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
        return _fault_answer(fault)
    if fault.action == "drop":
        return _drop_connection(request)
    if fault.action == "latency":
        await asyncio.sleep(fault.seconds)
        return await handler(request)
    await handler(request)  # act fully, then answer strangely or never
    if fault.action == "answer_after_commit":
        return _fault_answer(fault)
    return _drop_connection(request)


def _fault_answer(fault: Fault) -> web.Response:
    """The canned answer of a fault: its body as JSON, or as text of its content type."""
    if fault.content_type == "application/json":
        return _json(fault.body, fault.status)
    return web.Response(text=str(fault.body), status=fault.status, content_type=fault.content_type)


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


def _oauth_error(error: str, description: str, status: int) -> web.Response:
    """The auth endpoint's error shape."""
    return _json({"error": error, "error_description": description}, status)


class _BodyStalledError(Exception):
    """The client stopped sending its body; the connection has been dropped."""


async def _within_request_timeout(request: web.Request, read: Awaitable[Any]) -> Any:
    """Await a body read; a client that stalls longer than the request timeout is dropped."""
    try:
        async with asyncio.timeout(_state(request).request_timeout):
            return await read
    except TimeoutError:
        if request.transport is not None:
            request.transport.abort()
        raise _BodyStalledError from None


# What aiohttp's form parser raises for a body it cannot read: a multipart part with a malformed
# header (HttpProcessingError) or an unknown Content-Transfer-Encoding (RuntimeError), no boundary
# (AssertionError), undecodable bytes (UnicodeDecodeError is a ValueError), an unknown charset
# (LookupError).
_MALFORMED_FORM = (HttpProcessingError, RuntimeError, AssertionError, ValueError, LookupError)
# zlib window bits of the Content-Encodings a job or admin body may have. The server's own
# decoding is off (auto_decompress=False in __main__): a body that does not decode is answered
# here, in the route's shape, instead of failing inside aiohttp's parser.
_ZLIB_CODINGS = {
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}


class _BodyError(Exception):
    """A body that cannot be read: the status to answer and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _reason(exc: Exception) -> str:
    """One line about why a body could not be read (aiohttp's messages span lines)."""
    message = exc.message if isinstance(exc, HttpProcessingError) else str(exc)
    return " ".join(str(message).split())[:200]


def _coding(request: web.Request) -> str:
    """The request's Content-Encoding, lower case; '' for none or identity."""
    coding = request.headers.get("Content-Encoding", "").strip().lower()
    return "" if coding == "identity" else coding


def _decoded(raw: bytes, coding: str) -> bytes:
    """The body under its Content-Encoding, at most MAX_BODY_BYTES once decoded."""
    if not coding:
        return raw
    wbits = _ZLIB_CODINGS.get(coding)
    if wbits is None:
        raise _BodyError(415, f"Unsupported Content-Encoding {coding!r}: use gzip, deflate or none")
    decompressor = zlib.decompressobj(wbits)
    try:
        data = decompressor.decompress(raw, MAX_BODY_BYTES + 1)
    except zlib.error as exc:
        raise _BodyError(400, f"Body is not valid {coding}: {exc}") from None
    if len(data) > MAX_BODY_BYTES:
        raise _BodyError(413, f"Body is larger than {MAX_BODY_BYTES} bytes once decoded")
    if not decompressor.eof or decompressor.unused_data:
        raise _BodyError(400, f"Body is not valid {coding}: truncated, or followed by other bytes")
    return data


async def _read_body(request: web.Request) -> bytes:
    """The body, decoded; _BodyError when it cannot be, _BodyStalledError for a stalled client."""
    try:
        raw = await _within_request_timeout(request, request.read())
    except web.HTTPClientError as exc:  # 413: larger than aiohttp's client_max_size
        raise _BodyError(exc.status, exc.reason) from None
    return _decoded(raw, _coding(request))


async def issue_token(request: web.Request) -> web.Response:
    """POST /tenancy/auth/oauth/token and /auth/oauth/token (client credentials grant)."""
    state = _state(request)
    if "legacy-token-path" in state.quirks and request.path.startswith("/tenancy/"):
        # Quirk legacy-token-path: older tenants only answer /auth/oauth/token.
        raise web.HTTPNotFound
    if _coding(request):
        # aiohttp parses the form from the raw stream; no OAuth client compresses one.
        unsupported = f"Unsupported Content-Encoding {_coding(request)!r}: send the form as is"
        return _oauth_error("invalid_request", unsupported, 415)
    try:
        form = await _within_request_timeout(request, request.post())
    except _BodyStalledError:
        return web.Response(status=599)
    except web.HTTPClientError as exc:  # 413: larger than aiohttp's client_max_size
        return _oauth_error("invalid_request", exc.reason, exc.status)
    except _MALFORMED_FORM as exc:
        return _oauth_error("invalid_request", f"Malformed token request: {_reason(exc)}", 400)
    grant_type = form.get("grant_type")
    if grant_type != "client_credentials":
        shown = grant_type if isinstance(grant_type, str) else None
        return _oauth_error("unsupported_grant_type", f"Unsupported grant type: {shown!s}", 400)
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    issued = None
    if isinstance(client_id, str) and isinstance(client_secret, str):
        issued = state.tokens.issue(client_id, client_secret)
    if issued is None:
        return _oauth_error("unauthorized", "Bad API credentials", 401)
    state.stats.tokens_issued += 1
    token, ttl = issued
    return _json(
        {
            "access_token": token,
            "token_type": "bearer",
            # The spec shows a string; quirk expires-in-integer answers the other examples' int.
            "expires_in": ttl if "expires-in-integer" in state.quirks else str(ttl),
            "scope": "global:manage",
        }
    )


def _not_found(state: Emulator, job_id: str) -> web.Response:
    """OpsRamp's unknown-job answer: 404, or 500 when the switch is on (as OpsRamp does)."""
    status = 500 if state.config.not_found_as_500 else 404
    return _json({"code": "0003", "message": f"No resource found with UUID : {job_id}"}, status)


def _reject_constant(name: str) -> Any:
    """json.loads hook: NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not a JSON value")


def _bad_json_value(body: Any) -> tuple[str, str] | None:
    """(field path, problem) for the first value no OpsRamp body can hold, else None.

    Walked iteratively: too deep, a non-finite number (1e999 parses as inf), or a lone UTF-16
    surrogate ("\\ud800" is valid JSON escaping but no character; SQLite cannot store it).
    """
    stack: list[tuple[str, Any, int]] = [("body", body, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
        if isinstance(value, float) and not math.isfinite(value):
            return path, "number out of range"
        if isinstance(value, str) and not _encodable(value):
            return path, "string holds a lone surrogate (not valid Unicode)"
        if isinstance(value, dict):
            for key, item in value.items():
                if not _encodable(key):
                    return path, "field name holds a lone surrogate (not valid Unicode)"
                child = key if path == "body" else f"{path}.{key}"
                stack.append((child, item, depth + 1))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value))
    return None


def _encodable(text: str) -> bool:
    """True when the string is valid Unicode (encodes as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def _read_json(request: web.Request) -> tuple[Any, web.Response | None]:
    """The decoded body, or a 4xx response for malformed JSON (or a dropped stalled client)."""
    try:
        raw = await _read_body(request)
    except _BodyStalledError:
        return None, web.Response(status=599)
    except _BodyError as exc:
        return None, _json([field_error("body", exc.message) | {"code": "0001"}], exc.status)
    try:
        # UTF-8 only (RFC 8259 8.1; a BOM is ignored): json.loads would detect UTF-16 and -32.
        body = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError, bytes that are not UTF-8 and integers over
        # Python's 4,300-digit limit; RecursionError JSON nested thousands deep.
        message = str(exc) if not isinstance(exc, RecursionError) else "JSON nested too deep"
        return None, _json(
            [field_error("body", f"Malformed JSON request: {message[:200]}") | {"code": "0001"}],
            400,
        )
    problem = _bad_json_value(body)
    if problem is not None:
        return None, _json([field_error(problem[0], f"Invalid value: {problem[1]}")], 400)
    return body, None


async def create_job(request: web.Request) -> web.Response:
    """POST /api/v2/tenants/{tenantId}/jobs."""
    state = _state(request)
    tenant = TENANTS[request.match_info["tenantId"]]
    body, error = await _read_json(request)
    if error is not None:
        return error
    try:
        job = normalise_job(body, tenant, quirks=state.quirks)
    except JobValidationError as exc:
        return _json(exc.errors, 400)
    job["id"] = str(uuid.uuid4())
    state.store.create(tenant.tenant_id, job)
    return _json(render_job(job, state.quirks))


async def get_job(request: web.Request) -> web.Response:
    """GET /api/v2/tenants/{tenantId}/jobs/{jobId}."""
    state = _state(request)
    job_id = request.match_info["jobId"]
    job = state.store.get(request.match_info["tenantId"], job_id)
    return _not_found(state, job_id) if job is None else _json(render_job(job, state.quirks))


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
        job = normalise_job(body, tenant, job_id, quirks=state.quirks)
    except JobValidationError as exc:
        return _json(exc.errors, 400)
    job["id"] = job_id
    state.store.update(tenant.tenant_id, job)
    return _json(render_job(job, state.quirks))


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
    if not _QUERY_INT.fullmatch(raw):
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        errors.append(field_error(name, f"Invalid integer value : {shown!r}"))
        return default
    return int(raw)


async def search_jobs(request: web.Request) -> web.Response:
    """GET /api/v2/tenants/{tenantId}/jobs/search: paged jobs without entities."""
    state = _state(request)
    errors: list[dict[str, str]] = []
    page_no = _int_param(request, "pageNo", 1, errors)
    page_size = _int_param(request, "pageSize", 100, errors)
    if not 1 <= page_no <= MAX_PAGE_NO:
        errors.append(field_error("pageNo", f"pageNo must be between 1 and {MAX_PAGE_NO}"))
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
    results = [
        {k: v for k, v in render_job(job, state.quirks).items() if k != "entities"}
        for job in page.jobs
    ]
    return _json(
        render_search(
            {
                "totalResults": page.total,
                "orderBy": sort_name,
                "pageNo": page_no,
                "pageSize": page_size,
                "totalPages": total_pages,
                "nextPage": page_no < total_pages,
                "previousPageNo": page_no - 1,
                "descendingOrder": descending_raw == "true",
            },
            results,
            state.quirks,
        )
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
    return _json(
        [
            {"tenantId": t, "job": render_job(job, frozenset())}
            for t, job in _state(request).store.all_jobs()
        ]
    )


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


class ConfigError(ValueError):
    """An admin config value out of bounds; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field


def bounded_number(value: Any, field: str, bounds: tuple[float, float]) -> float:
    """A finite number within bounds, or ConfigError naming the field."""
    low, high = bounds
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not low <= value <= high  # compared first: math.isfinite(10**400) overflows
        or not math.isfinite(value)
    ):
        raise ConfigError(field, f"must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


def bounded_integer(value: Any, field: str, bounds: tuple[int, int]) -> int:
    """A whole number within bounds, or ConfigError naming the field."""
    number = bounded_number(value, field, (float(bounds[0]), float(bounds[1])))
    if number != int(number):
        raise ConfigError(field, f"must be a whole number, got {value!r}")
    return int(number)


def check_rate_limits(limits: RateLimits) -> RateLimits:
    """The limits when every one is within bounds, or ConfigError naming the field."""
    for key in ("write", "paged_read", "read"):
        bounded_integer(getattr(limits, key), f"rate_limits.{key}", LIMIT_BOUNDS)
    bounded_number(limits.window, "rate_limits.window", WINDOW_BOUNDS)
    return limits


def _merge_config(current: RuntimeConfig, body: Any) -> RuntimeConfig:
    """Apply an admin config body to the current config, or ConfigError."""
    if not isinstance(body, dict):
        raise ConfigError("body", "must be a JSON object")
    unknown = set(body) - {"rate_limits", "token_ttl", "not_found_as_500", "quirks"}
    if unknown:
        raise ConfigError(sorted(unknown)[0], "is not a config field")
    config = current
    if "rate_limits" in body:
        limits_body = body["rate_limits"]
        if limits_body is None:
            config = replace(config, rate_limits=None)
        elif isinstance(limits_body, dict):
            limits = current.rate_limits or RateLimits()
            for key, value in limits_body.items():
                field = f"rate_limits.{key}"
                if key == "window":
                    limits = replace(limits, window=bounded_number(value, field, WINDOW_BOUNDS))
                elif key in ("write", "paged_read", "read"):
                    number = bounded_integer(value, field, LIMIT_BOUNDS)
                    limits = replace(limits, **{key: number})
                else:
                    raise ConfigError(field, "is not a rate_limits field")
            config = replace(config, rate_limits=limits)
        else:
            raise ConfigError("rate_limits", "must be an object or null")
    if "token_ttl" in body:
        ttl = bounded_number(body["token_ttl"], "token_ttl", TOKEN_TTL_BOUNDS)
        config = replace(config, token_ttl=ttl)
    if "not_found_as_500" in body:
        if not isinstance(body["not_found_as_500"], bool):
            raise ConfigError("not_found_as_500", "must be a boolean")
        config = replace(config, not_found_as_500=body["not_found_as_500"])
    if "quirks" in body:
        config = replace(config, quirks=_quirks_from(body["quirks"]))
    return config


def _quirks_from(value: Any) -> frozenset[str]:
    """A quirk set from an admin body's list, or ConfigError naming the field."""
    if not isinstance(value, list):
        raise ConfigError("quirks", "must be a list of quirk names")
    try:
        return parse_quirks(value)
    except UnknownQuirkError as exc:
        raise ConfigError("quirks", str(exc)) from None


def _config_error(exc: ConfigError) -> web.Response:
    """The admin API's 400 for a bad config value."""
    return _json({"error": str(exc), "field": exc.field}, 400)


async def admin_set_config(request: web.Request) -> web.Response:
    """POST /_emulator/config."""
    state = _state(request)
    body, error = await _read_json(request)
    if error is not None:
        return error
    try:
        config = _merge_config(state.config, body)
    except ConfigError as exc:
        return _config_error(exc)
    state.apply_config(config)
    return _json(config.to_json())


def _quirks_json(state: Emulator) -> dict[str, Any]:
    """GET /_emulator/quirks: every mode with its description and whether it is on."""
    return {
        "quirks": [
            {"name": name, "description": text, "active": name in state.quirks}
            for name, text in QUIRKS.items()
        ],
        "active": sorted(state.quirks),
    }


async def admin_get_quirks(request: web.Request) -> web.Response:
    """GET /_emulator/quirks."""
    return _json(_quirks_json(_state(request)))


async def admin_set_quirks(request: web.Request) -> web.Response:
    """POST /_emulator/quirks {"quirks": [...]}: replace the active set."""
    state = _state(request)
    body, error = await _read_json(request)
    if error is not None:
        return error
    if not isinstance(body, dict) or set(body) != {"quirks"}:
        return _config_error(ConfigError("quirks", 'body must be {"quirks": [names]}'))
    try:
        quirks = _quirks_from(body["quirks"])
    except ConfigError as exc:
        return _config_error(exc)
    # Only the quirks change: the rate-limit counters are kept (apply_config would reset them).
    state.config = replace(state.config, quirks=quirks)
    return _json(_quirks_json(state))


async def admin_expire_tokens(request: web.Request) -> web.Response:
    """POST /_emulator/tokens/expire."""
    return _json({"expired": _state(request).tokens.expire_all()})


async def admin_reset(request: web.Request) -> web.Response:
    """POST /_emulator/reset."""
    _state(request).reset()
    return _json({"reset": True})


def build_app(emulator: Emulator) -> web.Application:
    """The aiohttp application serving one emulator.

    Serve it with ``auto_decompress=False`` (as ``__main__`` does): its handlers decode bodies.
    """
    app = web.Application(
        middlewares=[fault_and_stats_middleware, api_middleware], client_max_size=MAX_BODY_BYTES
    )
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
    app.router.add_get("/_emulator/quirks", admin_get_quirks)
    app.router.add_post("/_emulator/quirks", admin_set_quirks)
    app.router.add_post("/_emulator/tokens/expire", admin_expire_tokens)
    app.router.add_post("/_emulator/reset", admin_reset)
    return app


__all__ = [
    "DEFAULT_REQUEST_TIMEOUT",
    "ConfigError",
    "Emulator",
    "Principal",
    "RuntimeConfig",
    "build_app",
    "check_rate_limits",
]
