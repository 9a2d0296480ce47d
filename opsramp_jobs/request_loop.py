"""The request loop of every API call: pacing, then a token, then the request; retries; errors."""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Mapping
from typing import Any

import requests

from opsramp_jobs.errors import (
    JobNotFoundError,
    OpsRampApiError,
    OpsRampAuthError,
    OpsRampError,
    OpsRampRateLimitError,
    OpsRampValidationError,
    error_text,
    field_errors,
)
from opsramp_jobs.exchange import HttpExchange, json_body, never_sent
from opsramp_jobs.pacing import RateClass, RateLimiter
from opsramp_jobs.retry import RetryPolicy
from opsramp_jobs.token import Token, TokenSource

log = logging.getLogger("opsramp_jobs.client")

# A call whose token is refused renews it at most this often: a token revoked while the call was
# in flight (credentials rotated) must not fail the call, and bad credentials fail anyway at the
# token endpoint itself.
MAX_TOKEN_RENEWALS = 2
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_gone(response: requests.Response, job_id: str | None) -> bool:
    """404/410, or a 500 that says "not found" about this job (not about, say, a device)."""
    if job_id is None:
        return False
    if response.status_code in (404, 410):
        return True
    if response.status_code != 500:
        return False
    # OpsRamp quirk: a missing job may be a 500 with code 0003 / "not found" in the message.
    message, code = error_text(json_body(response))
    if code != "0003" and "not found" not in message.lower():
        return False
    named = set(_UUID.findall(message))
    return not named or job_id in named


class RequestLoop:
    """Sends API calls for one client: thread-safe; shares the limiter and the token cache."""

    def __init__(
        self,
        exchange: HttpExchange,
        tokens: TokenSource,
        rate_limiter: RateLimiter,
        retry: RetryPolicy,
        *,
        max_throttle_wait: float,
    ) -> None:
        self._exchange = exchange
        self._tokens = tokens
        self._rate_limiter = rate_limiter
        self._retry = retry
        self.max_throttle_wait = max_throttle_wait

    def call(
        self,
        method: str,
        path: str,
        tenant: str,
        rate_class: RateClass,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
        job_id: str | None = None,
    ) -> Any:
        """One API call with pacing, auth and bounded retries; the decoded JSON or an error."""
        # GET and DELETE may be repeated; a POST only when the server certainly did not act.
        idempotent = method in ("GET", "DELETE")
        started = time.monotonic()
        attempt = 0
        throttled = 0
        throttle_waited = 0.0
        refused: list[float] = []  # age of each refused token when it was sent
        while True:
            attempt += 1
            reservation = self._rate_limiter.reserve(
                self._exchange.base_url,
                tenant,
                rate_class,
                max_wait=max(0.0, self.max_throttle_wait - throttle_waited),
            )
            throttle_waited += reservation.waited
            try:
                # After the wait, not before: a token must not expire while the call queues.
                token = self._tokens.get()
            except BaseException:
                reservation.cancel()
                raise
            failure: requests.RequestException | None = None
            unsent = False
            with reservation:
                try:
                    response = self._exchange.send(
                        method,
                        path,
                        attempt,
                        headers={
                            "Authorization": f"Bearer {token.value}",
                            "Accept": "application/json",
                        },
                        params=params,
                        json_body=body,
                    )
                except requests.RequestException as exc:
                    failure, unsent = exc, never_sent(exc)
                    if unsent:
                        reservation.cancel()
                else:
                    # A refused token (401) or proxy (407): the server did not count the request.
                    reservation.record(
                        response.headers,
                        throttled=response.status_code == 429,
                        counted=response.status_code not in (401, 407),
                    )
            if failure is not None:
                if (idempotent or unsent) and self._retry.may_retry(attempt, started):
                    self._retry.sleep(attempt)
                    continue
                raise self._exchange.connection_error(method, path, failure) from None
            status = response.status_code
            if status < 300:
                return json_body(response)
            if status == 401 and len(refused) < MAX_TOKEN_RENEWALS:
                # Expired or revoked token: the server did not act, so any method may resend.
                age = time.monotonic() - token.fetched_at
                log.info(
                    "%s %s: token refused (HTTP 401) %.1f s after it was fetched; renewing",
                    method, path, age,
                )  # fmt: skip
                refused.append(age)
                self._tokens.invalidate(token)
                attempt -= 1
                continue
            if status == 429:
                throttled += 1
                # The limiter waits for a known reset; without one, back off. Jitter either way.
                delay = (
                    0.0 if reservation.reset_known else self._retry.backoff(throttled, base=0.25)
                )
                delay += random.uniform(0.0, 0.1)
                if throttle_waited + delay <= self.max_throttle_wait:
                    time.sleep(delay)
                    throttle_waited += delay
                    attempt -= 1  # throttling is bounded by time, not by max_attempts
                    continue
            elif (
                status >= 500
                and idempotent
                and not is_gone(response, job_id)
                and self._retry.may_retry(attempt, started)
            ):
                self._retry.sleep(attempt)
                continue
            raise self._error_for(
                response,
                method,
                path,
                tenant,
                job_id=job_id,
                throttle_waited=throttle_waited,
                token=token,
                refused=refused,
            )

    def _error_for(
        self,
        response: requests.Response,
        method: str,
        path: str,
        tenant: str,
        *,
        job_id: str | None,
        throttle_waited: float,
        token: Token,
        refused: list[float],
    ) -> OpsRampError:
        """The exception for an answer the client will not retry."""
        status = response.status_code
        payload = json_body(response)
        message, code = error_text(payload)
        redact = self._tokens.redact
        detail = redact(message or response.reason or "")
        if status == 400:
            errors = field_errors(payload)
            listed = "; ".join(redact(str(error)) for error in errors) or detail
            return OpsRampValidationError(
                f"OpsRamp rejected {method} {path} (HTTP 400): {listed}. "
                "Fix these fields and retry",
                field_errors=errors,
            )
        if job_id is not None and is_gone(response, job_id):
            return JobNotFoundError(
                f"Job {job_id} was not found in tenant {tenant} (HTTP {status}: {detail}); "
                "it was deleted or never existed",
                job_id=job_id,
                tenant_id=tenant,
                status=status,
                code=code,
            )
        if status == 401:
            ages = [*refused, time.monotonic() - token.fetched_at]
            return OpsRampAuthError(
                f"OpsRamp refused {len(ages)} tokens in a row for {method} {path}, each sent "
                f"within {max(ages):.1f} s of being issued (HTTP 401: {detail}): the token "
                "endpoint still accepts the API key, but the API does not accept its tokens; "
                "check in OpsRamp that the integration is active and may use this API",
                status=status,
                code=code,
            )
        if status == 407:
            return OpsRampAuthError(
                f"The proxy refused {method} {path} (HTTP 407: {detail}): put the proxy's "
                "credentials in HTTPS_PROXY / HTTP_PROXY (http://user:password@host:port)",
                status=status,
                code=code,
            )
        if status == 403:
            return OpsRampAuthError(
                f"The API key may not act on tenant {tenant} (HTTP 403: {detail}): use the "
                "tenant's own credentials or those of its partner",
                status=status,
                code=code,
            )
        if status == 429:
            return OpsRampRateLimitError(
                f"OpsRamp kept throttling {method} {path} after {throttle_waited:.1f} s of waiting "
                "(HTTP 429): slow down or raise max_throttle_wait",
                status=status,
                code=code,
            )
        text = json.dumps(payload)[:300] if payload is not None and not message else detail
        return OpsRampApiError(
            f"OpsRamp answered HTTP {status} to {method} {path}: {redact(text)}"
            + ("; retry later" if status >= 500 else ""),
            status=status,
            code=code,
        )
